# consult — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app consult
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n 2 --durations=15

.PHONY: run test fuzz lint install install-dev translations messages chromium serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	@if ls consult/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile --use-fuzzy -d consult/translations; fi

## make messages: extract the interface strings and update the fr/de catalogues
messages: $(VENV)/.installed
	mkdir -p consult/translations
	$(BIN)/pybabel -q extract -F babel.cfg --project consult -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o consult/translations/messages.pot .
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

## make serve: the same under gunicorn (production-like)
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 wsgi:app

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

clean:
	rm -rf $(VENV) instance .pytest_cache
