# The README's two commands:
#   make run    set everything up, migrate, load the demo data, serve on http://127.0.0.1:8000
#   make test   set everything up and run the whole test suite
# Both are safe to run again; they only install what is missing.

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test lint format setup system-packages demo messages backup restore clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

run: setup  ## Set up, migrate, load the demo data and serve on http://$(HOST):$(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup  ## Set up and run the whole test suite (exit status 5, "no tests", counts as success)
	$(PY) -m pytest $(PYTEST_ARGS); status=$$?; if [ $$status -eq 5 ]; then status=0; fi; exit $$status

lint: setup  ## ruff and the migrations check, as CI runs them
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: setup  ## Reformat the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

demo: setup  ## Migrate and load the demo data without serving
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

messages: setup  ## Refresh locale/en/LC_MESSAGES/django.po from the code and compile it
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages -l en --ignore=.venv

backup: setup  ## Back up the database and media into a new folder: BACKUP=folder (default backups/<date-time>)
	$(PY) manage.py backup "$(or $(BACKUP),backups/$(shell date +%Y%m%d-%H%M%S))"

restore: setup  ## Restore the database and media from BACKUP=folder; FORCE=1 overwrites existing data
	@if [ -z "$(BACKUP)" ]; then echo "请指定备份目录：make restore BACKUP=backups/…" >&2; exit 2; fi
	$(PY) manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

setup: system-packages  ## Install Debian packages (as root) and the virtualenv with the pinned requirements
	@scripts/make-venv $(VENV)

system-packages:
	@scripts/install-system-packages

clean:  ## Remove the virtualenv, the SQLite database and collected files
	rm -rf $(VENV) db.sqlite3 staticfiles media
