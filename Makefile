# SPTF — the two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=
# Translations (README.md, "Translations"): the .po catalogs are committed, the .mo files are built.
# tests/test_i18n.py reads BABEL_EXTRACT from here to check the catalog is up to date.
# (Babel skips folders starting with _ by default, and templates/_macros/ holds strings.)
BABEL_EXTRACT := --ignore-dirs=.* -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint install dev-install system-deps test-system-deps migrate demo clean help bench \
	translations translations-update

help:
	@echo "make run    install, migrate, load demo data and serve http://127.0.0.1:5000"
	@echo "make test   install test dependencies and run the whole suite"
	@echo "make lint   ruff (check + format --check) and mypy"
	@echo "make translations-update  extract the strings from the code into the catalogs (then translate them)"
	@echo "make bench  generate the benchmark data set on PostgreSQL and measure the pages (bench/README.md)"

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

run: system-deps install translations
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# The suite runs on SQLite; when TEST_DATABASE_URL is set it runs again on PostgreSQL.
test: test-system-deps dev-install translations
	@echo "== test suite on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== test suite on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(BIN)/pytest $(PYTEST_ARGS); \
	fi

# Compiled catalogs (.mo, not committed) from the translated ones (.po, committed).
translations: $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.runtime
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# After adding or changing UI text: extract it into messages.pot and merge it into each
# language's messages.po; then translate the new entries (empty or fuzzy) and run `make test`.
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_EXTRACT) --add-location=file --project=SPTF --copyright-holder=SPTF \
		-c TRANSLATORS: -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app

# The performance benchmark (bench/README.md): on demand only, never part of `make test` or CI.
# It recreates the databases $(BENCH_DB) and $(BENCH_DB)_small on $(BENCH_PG).
BENCH_PG ?= postgresql://postgres@127.0.0.1:5432
BENCH_DB ?= sptf_bench
BENCH_SCALE ?= 1.0
BENCH_ARGS ?=

bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk; } \
		|| { echo "the benchmark needs wrk: sudo apt-get install wrk"; exit 1; }
	@for db in $(BENCH_DB) $(BENCH_DB)_small; do \
		psql -q "$(BENCH_PG)/postgres" -c "DROP DATABASE IF EXISTS $$db" -c "CREATE DATABASE $$db" || exit 1; \
		DATABASE_URL=$(BENCH_PG)/$$db $(FLASK) db upgrade || exit 1; \
	done
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB)_small $(BIN)/python bench/generate.py --scale 0.01
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/python bench/generate.py --scale $(BENCH_SCALE)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(BIN)/python bench/run.py \
		--small-database-url $(BENCH_PG)/$(BENCH_DB)_small $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
