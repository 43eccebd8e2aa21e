# consult — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app consult
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n 2

.PHONY: run test lint install install-dev translations chromium serve clean

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
		$(BIN)/pybabel compile --use-fuzzy -q -d consult/translations; fi

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

clean:
	rm -rf $(VENV) instance .pytest_cache
