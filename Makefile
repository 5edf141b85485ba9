# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000

.PHONY: run test load fuzz install install-test lint clean

# Two install profiles, (re)installed when pyproject.toml changes: what the app needs to run
# (`make run`), and the test tools as well (`make test`).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

instance/config.py:
	@mkdir -p instance
	@$(BIN)/python -c "import secrets; print('# Written by make run for this machine; not committed.'); print(f'SECRET_KEY = {secrets.token_hex(32)!r}'); print('SESSION_COOKIE_SECURE = False  # plain http on 127.0.0.1'); print('REMEMBER_COOKIE_SECURE = False')" > $@

# The web server and, next to it, the one scheduler process that sends e-mail (without a mail
# server configured, messages are kept in the outbox: Utkorg). When either stops, or on Ctrl+C,
# both stop.
run: SHELL := /bin/bash
run: install instance/config.py
	@new=0; [ -f instance/remiss.sqlite ] || new=1; \
	export REMISS_BASE_URL="$${REMISS_BASE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(FLASK) db upgrade || exit 1; \
	if [ $$new = 1 ]; then $(FLASK) load-demo; fi; \
	$(FLASK) demo-accounts; \
	echo "Remisstjänsten: http://127.0.0.1:$(PORT)"; \
	$(FLASK) run-scheduler & scheduler=$$!; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT) & web=$$!; \
	trap 'kill $$web $$scheduler 2>/dev/null' INT TERM; \
	wait -n $$web $$scheduler; status=$$?; \
	kill $$web $$scheduler 2>/dev/null; wait; exit $$status

# ruff, the layer contract (lint-imports, see pyproject.toml), then the suite on SQLite, then
# again on PostgreSQL when REMISS_TEST_DATABASE_URL names one (.ci/run starts a server and sets it).
test: install-test
	$(BIN)/ruff check remiss tests benchmarks
	$(BIN)/lint-imports
	REMISS_TEST_DATABASE_URL= $(BIN)/pytest
	@if [ -n "$$REMISS_TEST_DATABASE_URL" ]; then \
		echo "== The same suite on PostgreSQL =="; \
		$(BIN)/pytest; \
	fi

# Hostile input to every form, many examples per route (the suite runs a few).
fuzz: install-test
	REMISS_FUZZ_EXAMPLES=200 REMISS_TEST_DATABASE_URL= $(BIN)/pytest -q tests/test_fuzz_forms.py

lint: install-test
	$(BIN)/ruff check remiss tests benchmarks
	$(BIN)/lint-imports

# The load test: 30 simulated people for 60 s against gunicorn (2 workers), on SQLite, then on
# PostgreSQL when REMISS_TEST_DATABASE_URL names one (that database is emptied).
load: install-test
	REMISS_TEST_DATABASE_URL= $(BIN)/python benchmarks/load/run.py --database sqlite
	@if [ -n "$$REMISS_TEST_DATABASE_URL" ]; then \
		$(BIN)/python benchmarks/load/run.py --database postgresql; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache
