# TSZh Portal. `make run` starts everything on embedded defaults; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench messages migrate

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

test: lint messages
	TSZH_ENV=test $(PY) -m deploy.services exec -- $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP) messages
	TSZH_ENV=test $(PY) -m deploy.services exec -- $(PY) -m tests.perf

migrate: $(STAMP)
	$(PY) -m deploy.services exec -- sh -c '$(PY) manage.py migrate_schemas --shared && $(PY) manage.py migrate_tenants'
