# Uplift developer tasks. Everything runs from the project virtualenv in .venv.
#   make install   create .venv (python3.11) and install requirements.lock (only when it changed)
#   make run       migrate, seed demo data if the database is empty, serve on 127.0.0.1:$PORT (8000)
#   make test      throwaway PostgreSQL + Redis, then pytest (see tests/run.sh); args via ARGS="..."
#   make lint      ruff check + ruff format --check
#   make bench     every benchmark in bench/ on a throwaway PostgreSQL (and SQLite), 1,500-pupil demo;
#                  fails when a budget is missed. BENCH_PUPILS=6000 for the large school
#   make worker    celery worker          make beat   celery beat scheduler
#   make lock      re-pin requirements.lock from the current .venv

# A bare machine runs, tests and works in development mode; production sets DJANGO_DEBUG=false.
export DJANGO_DEBUG ?= true

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install run test lint bench worker beat lock

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

install: $(STAMP)

# Debian's python3.11 may lack ensurepip (package python3.11-venv); then bootstrap pip from PyPI.
$(PY):
	@test -n "$(PYTHON)" || { echo "make: python3.11 not found on PATH" >&2; exit 1; }
	@echo "make: creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "make: $(PYTHON) is not Python 3.11" >&2; exit 1; }
	@if ! $(PYTHON) -m venv $(VENV) 2>/dev/null; then \
		echo "make: ensurepip unavailable; bootstrapping pip from PyPI"; \
		rm -rf $(VENV); \
		$(PYTHON) -m venv --without-pip $(VENV); \
		$(PY) -c 'import json, subprocess, sys, tempfile, urllib.parse, urllib.request as rq; \
api = rq.urlopen("https://pypi.org/pypi/pip/json", timeout=60); info = json.load(api); \
whl = next(u for u in info["urls"] if u["packagetype"] == "bdist_wheel"); \
path = tempfile.mkdtemp() + "/" + whl["filename"]; \
rq.urlretrieve(urllib.parse.urljoin(api.geturl(), whl["url"]), path); \
sys.exit(subprocess.call([sys.executable, path + "/pip", "install", "-q", path]))' \
			|| { rm -rf $(VENV); echo "make: could not bootstrap pip" >&2; exit 1; }; \
	fi

$(STAMP): requirements.lock pyproject.toml | $(PY)
	@echo "make: installing requirements.lock into $(VENV)"
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	UPLIFT_EMBEDDED_WORKER=$${UPLIFT_EMBEDDED_WORKER:-true} $(PY) manage.py runserver 127.0.0.1:$${PORT:-8000}

test:
	bash tests/run.sh $(ARGS)

bench:
	bash tests/run.sh --exec --no-broker bash bench/run.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

worker: install
	$(VENV)/bin/celery -A config worker -l info

beat: install
	$(VENV)/bin/celery -A config beat -l info

lock: | $(PY)
	@{ echo "# Pinned from .venv by 'make lock'; 'make install' installs exactly this."; \
	  $(PY) -m pip freeze --exclude-editable --disable-pip-version-check; } > requirements.lock
	@touch $(STAMP)
