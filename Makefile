# SellerDesk. `make run` serves the desk with its worker; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000

# A local .env, if there is one, sets the same variables the environment would.
ifneq (,$(wildcard .env))
include .env
export
endif

.PHONY: run test test-ahead bench mutate lint format setup test-setup servers help

help:
	@echo "make run    set up (virtualenv, migrations, demo data) and serve the desk at http://$(ADDR)"
	@echo "make test   set up and run the whole test suite"
	@echo "make test-ahead  the whole suite with the system clock a year ahead (catches date bombs)"
	@echo "make bench  run the benchmarks and print their table"
	@echo "make mutate mutation testing of the guard modules; prints the kill rate"
	@echo "make lint   ruff check and format check, and the layers between the apps"

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || \
		{ echo "SellerDesk needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime

test-setup: $(VENV)/.dev servers

# The real servers the tests drive (and the browser for the page tests, sqlite3 for the
# backup test). Installed from Debian's packages when run as root; otherwise the tests that
# need them are skipped (and fail under CI=true).
servers:
	@missing=""; \
	command -v dovecot >/dev/null || test -x /usr/sbin/dovecot || missing="$$missing dovecot-imapd"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v sqlite3 >/dev/null || missing="$$missing sqlite3"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; \
		else \
			echo "Not root: install$$missing yourself, or the tests that need it are skipped."; \
		fi; \
	fi

run: setup servers
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo
	$(PY) manage.py rundesk --demo --addr $(ADDR)

test: test-setup
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite with the system clock a year ahead: a test that depends on today's date
# fails here the day it is written.
test-ahead: test-setup
	$(PY) tests/clock_ahead.py --days 365 $(PYTEST_ARGS)

bench: test-setup
	$(PY) -m benchmarks

# Mutation testing of the pure modules that guard the desk's promises ([tool.mutmut] in
# pyproject.toml names them). Starts afresh each time; fails under 90% killed.
mutate: $(VENV)/.dev
	rm -rf mutants
	@mkdir -p var
	@echo "Mutating (progress in var/mutmut.log) ..."
	@date +%s > var/mutmut-started
	$(PY) -m mutmut run --max-children $$(nproc) > var/mutmut.log 2>&1 || { tail -c 2000 var/mutmut.log; exit 1; }
	@$(PY) -m mutmut results > var/mutmut-survivors.txt 2>/dev/null || true
	@$(PY) -m mutmut export-cicd-stats > /dev/null
	@$(PY) tests/mutation_score.py mutants/mutmut-cicd-stats.json --at-least 90 \
		--survivors var/mutmut-survivors.txt --reasons tests/mutation_equivalents.toml \
		--report var/mutmut-report.md --seconds $$(( $$(date +%s) - $$(cat var/mutmut-started) ))

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
