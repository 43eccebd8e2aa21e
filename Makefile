# consult — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app consult
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n 2 --durations=15

.PHONY: run test fuzz lint install install-dev translations messages chromium serve clean bench bench-full

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

install: $(VENV)/.installed translations

install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	@if ls consult/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile --use-fuzzy -d consult/translations; fi

## make messages: extract the interface strings and update the fr/de catalogues
messages: $(VENV)/.installed
	mkdir -p consult/translations
	$(BIN)/pybabel -q extract -F babel.cfg --project consult -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k tr:2 -o consult/translations/messages.pot .
	@for lang in fr de; do \
		if [ -f consult/translations/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i consult/translations/messages.pot -d consult/translations -l $$lang; \
		else $(BIN)/pybabel -q init -i consult/translations/messages.pot -d consult/translations -l $$lang; fi; \
	done

## make run: install, upgrade the database, load the demo data and serve on http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

## make serve: the same under gunicorn (production-like; settings in gunicorn.conf.py)
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --bind $(HOST):$(PORT) wsgi:app

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get install -y chromium >/dev/null || (apt-get update && apt-get install -y chromium); }

## make lint: ruff
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make test: install the dev extra and run the whole suite (SQLite, or DATABASE_URL)
test: install-dev chromium
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

## make fuzz: schemathesis against gunicorn on PostgreSQL, every API operation as each role
## (FUZZ_DATABASE_URL, default postgresql://postgres@127.0.0.1/consult_fuzz; FUZZ_EXAMPLES)
FUZZ_EXAMPLES ?= 10
fuzz: install-dev
	$(BIN)/python -m tests.fuzz.fuzz_api --max-examples $(FUZZ_EXAMPLES)

## make bench: quick benchmarks (20,000 responses) on the local PostgreSQL, JSON lines on stdout.
## The bench databases (consult_bench_<name>) are created when missing and kept for the next run.
PG_ADMIN ?= postgresql://postgres@127.0.0.1
BENCH_QUICK_DB ?= $(PG_ADMIN)/consult_bench_quick
BENCH_LOAD_DB ?= $(PG_ADMIN)/consult_bench_load
BENCH_100K_DB ?= $(PG_ADMIN)/consult_bench_100k
BENCH_1M_DB ?= $(PG_ADMIN)/consult_bench_1m
BENCH_REDIS ?= redis://127.0.0.1:6379/14
BENCH_PY := REDIS_URL=$(BENCH_REDIS) $(BIN)/python

bench: $(VENV)/.installed-bench translations
	$(BENCH_PY) bench/setup_db.py --db $(BENCH_QUICK_DB) --responses 20000
	$(BENCH_PY) bench/bench_results.py --db $(BENCH_QUICK_DB) --warm-runs 20 --fresh-runs 3
	$(BENCH_PY) bench/bench_pages.py --db $(BENCH_LOAD_DB) --runs 50
	$(BENCH_PY) bench/bench_submit.py --db $(BENCH_LOAD_DB) --respondents 50 --concurrency 50
	$(BENCH_PY) bench/bench_exports.py --db $(BENCH_QUICK_DB) --quick

## make bench-full: every row of the benchmark table (100 k and 1 M responses: loading 1 M takes
## a long while the first time; the database is kept)
bench-full: $(VENV)/.installed-bench translations
	DATABASE_URL=$(PG_ADMIN)/consult_bench_import $(BIN)/python bench/bench_import.py
	$(BENCH_PY) bench/setup_db.py --db $(BENCH_100K_DB) --responses 100000
	$(BENCH_PY) bench/bench_results.py --db $(BENCH_100K_DB)
	$(BENCH_PY) bench/setup_db.py --db $(BENCH_1M_DB) --responses 1000000
	$(BENCH_PY) bench/bench_results.py --db $(BENCH_1M_DB) --sample-questions 3
	$(BENCH_PY) bench/bench_pages.py --db $(BENCH_LOAD_DB) --runs 200
	$(BENCH_PY) bench/bench_submit.py --db $(BENCH_LOAD_DB) --respondents 500 --concurrency 50
	$(BENCH_PY) bench/bench_exports.py --db $(BENCH_100K_DB)
	$(BENCH_PY) bench/bench_exports.py --db $(BENCH_1M_DB)

clean:
	rm -rf $(VENV) instance .pytest_cache
