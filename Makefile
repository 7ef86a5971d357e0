# PTI — the README's two commands are `make run` and `make test`; CI (.ci/run) calls `make quality` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BOOTSTRAP_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
PY := $(VENV)/bin/python
# --build-constraint (pip >= 25.3): XStatic-Bootstrap's sdist needs setuptools<81 to build.
PIP_VERSION := 26.3
INSTALLED := $(VENV)/.pti-installed
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?=
PYTEST_ARGS ?=
# Every test but those marked `worker` runs in TEST_WORKERS processes (pytest-xdist, one test database each);
# the `worker` tests then run in one process: they share one real Celery worker and its test database
# (tests/conftest.py). Exit code 5 (nothing selected, e.g. with -k) is not a failure.
TEST_WORKERS ?= auto

.PHONY: help install run test quality fix bench load worker beat

help:
	@echo "make run      installe, migre, charge les données de démo et lance http://$(HOST):$(PORT)/"
	@echo "make test     installe si besoin et lance toute la suite (tests navigateur compris)"
	@echo "make quality  ruff format --check, ruff check, manage.py check, makemigrations --check"
	@echo "make fix      ruff format et ruff check --fix"
	@echo "make bench    mesures de performance (bench/run.py)"
	@echo "make load     essai de charge : gunicorn, 50 référents simultanés (bench/load.py, PostgreSQL)"
	@echo "make worker   un worker Celery (CELERY_BROKER_URL)"
	@echo "make beat     le planificateur Celery beat"

$(PY):
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt build-constraints.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check "pip==$(PIP_VERSION)"
	$(PY) -m pip install --quiet --disable-pip-version-check --build-constraint build-constraints.txt -r requirements-dev.txt
	touch $@

install: $(INSTALLED)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo $(if $(SCALE),--scale $(SCALE))
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest -rs -n $(TEST_WORKERS) --dist worksteal -m "not worker" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest -rs -p no:xdist -m worker $(PYTEST_ARGS) || [ $$? -eq 5 ]

quality: install
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

fix: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install
	@if [ -f bench/run.py ]; then $(PY) bench/run.py $(BENCH_ARGS); else echo "bench/run.py absent : rien à mesurer."; fi

load: install
	$(PY) bench/load.py

worker: install
	$(VENV)/bin/celery -A pti worker -l info

beat: install
	$(VENV)/bin/celery -A pti beat -l info --schedule "$${TMPDIR:-/tmp}/pti-celerybeat-schedule"
