# make run   : install into .venv, migrate the SQLite database under instance/, seed demo data, serve
# make test  : install (Python + npm test tools) and run the whole suite
# make bench : run the benchmarks in bench/ (make bench-race: the conclusion race, issue 13)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
MO := dxapp/translations/ja/LC_MESSAGES/messages.mo dxapp/translations/en/LC_MESSAGES/messages.mo
FLASK_DEV := DXAPP_CONFIG=development FLASK_APP=wsgi $(BIN)/flask

# Fuzzed posts per form in `make test` (about 14 ms each; 104 forms): the full 500 of the security table takes
# about 12 minutes, so it runs on its own: `make fuzz` (TEST_DATABASE_URL for PostgreSQL).
FUZZ_POSTS ?= 60

.PHONY: fuzz run test bench bench-race lint audit install translations extract clean-db routes

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d dxapp/translations

# The checked-in list of routes (tests/conventions/test_routes.py compares it with the app's url_map).
routes: $(STAMP)
	$(BIN)/python -m tests.conventions.test_routes --write

extract: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o dxapp/translations/messages.pot .
	$(BIN)/pybabel -q update -i dxapp/translations/messages.pot -d dxapp/translations --no-fuzzy-matching

run: $(STAMP) translations
	mkdir -p instance
	$(FLASK_DEV) db upgrade
	$(FLASK_DEV) seed-demo
	@echo "Serving on http://127.0.0.1:5000  (demo clock starts at 2021-06-01 10:00 JST)"
	$(FLASK_DEV) run --host 127.0.0.1 --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) $(NODE_STAMP) translations
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r dxapp
	DXAPP_FUZZ_POSTS=$(FUZZ_POSTS) $(BIN)/pytest -n 2 --dist loadfile

fuzz: $(STAMP) translations
	DXAPP_FUZZ_POSTS=500 $(BIN)/pytest -n 0 -s tests/security/test_fuzz_forms.py

bench: $(STAMP) translations
	$(BIN)/python bench/page_weight.py

# Issue 13's race-free proof of the contract conclusion (PostgreSQL and Redis on 127.0.0.1; about 4 minutes):
# `make bench-race BENCH_RACE_ARGS=--sqlite` for a SQLite file.
bench-race: $(STAMP) translations
	$(BIN)/python bench/conclusion_race.py $(BENCH_RACE_ARGS)

audit: $(STAMP)
	$(BIN)/python -m pip install -q pip-audit && $(BIN)/pip-audit

clean-db:
	rm -f instance/dxapp.sqlite3
