# SPTF — the two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=

.PHONY: run test lint install dev-install system-deps test-system-deps migrate demo clean help

help:
	@echo "make run    install, migrate, load demo data and serve http://127.0.0.1:5000"
	@echo "make test   install test dependencies and run the whole suite"
	@echo "make lint   ruff (check + format --check) and mypy"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.runtime
dev-install: $(VENV)/.dev

system-deps:
	@scripts/system-deps.sh runtime

test-system-deps:
	@scripts/system-deps.sh test

migrate: install
	$(FLASK) db upgrade

run: system-deps install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# The suite runs on SQLite; when TEST_DATABASE_URL is set it runs again on PostgreSQL.
test: test-system-deps dev-install
	@echo "== test suite on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== test suite on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(BIN)/pytest $(PYTEST_ARGS); \
	fi

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
