# TSZh Portal. `make run` starts everything on embedded defaults; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench fuzz messages migrate

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[embedded,dev]'
	@touch $@

messages: $(STAMP)
	@$(PY) deploy/compile_messages.py

run: $(STAMP) messages
	$(PY) -m deploy.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The suite runs in pytest-xdist workers, one per core by default, each with its own test
# database, Redis database, key store and files (docs/development.md, "Tests");
# `make test PYTEST_WORKERS=0` runs it in one process. The slowest tests close the output, so
# a suite creeping towards CI's budget (keep it well under 15 minutes on 2 cores) shows where.
PYTEST_WORKERS ?= auto
test: lint messages
	TSZH_ENV=test $(PY) -m deploy.services exec -- \
		$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

# The API fuzzed against its own schema (/api/schema/) as every role, with more examples than
# `make test`'s bounded pass, invalid data too, on the demo's data; the summary (a line per role)
# closes the run (docs/development.md, "The API's error answers and fuzzing it").
FUZZ_EXAMPLES ?= 25
FUZZ_MODES ?= positive,negative
FUZZ_FILL ?= demo
fuzz: $(STAMP) messages
	TSZH_ENV=test TSZH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TSZH_FUZZ_MODES=$(FUZZ_MODES) \
		TSZH_FUZZ_FILL=$(FUZZ_FILL) $(PY) -m deploy.services exec -- \
		$(PY) -m pytest tests/fuzz -n 0 -q $(PYTEST_ARGS)

# Every req/s figure is measured with wrk (Debian's package, installed here if missing); the run
# says which load client it used (the Python fallback competes with the server for the cores).
bench: $(STAMP) messages
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "--- installing wrk (apt-get)"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || command -v sudo || true ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk \
	    || echo "wrk could not be installed: the Python load client will be used"; }
	@echo "load client: $$(command -v wrk >/dev/null 2>&1 && echo "wrk ($$(command -v wrk))" || echo python)"
	TSZH_ENV=test $(PY) -m deploy.services exec -- $(PY) -m tests.perf

migrate: $(STAMP)
	$(PY) -m deploy.services exec -- sh -c '$(PY) manage.py migrate_schemas --shared && $(PY) manage.py migrate_tenants'
