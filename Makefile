# corridor — the two commands a newcomer needs: `make run` and `make test`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_DECLARATIONS ?= 20000
DEMO_SEED ?= 2026
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist); each has a PostgreSQL database of its own (tests/conftest.py).
TEST_WORKERS ?= 2
# The criteria language's 100 % gate (branches too) is measured on tests/unit/rules alone,
# in parallel: tracing every test of the main run for it made the whole run slower than
# running those tests twice.
RULES_COV := --cov=corridor.rules --cov-branch --cov-report=term-missing:skip-covered \
	--cov-fail-under=100

.PHONY: run test lint typecheck imports pytest rules-coverage install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

## make run: install, migrate var/corridor.db, load the demo world once, serve on :8000
run: $(VENV)/.installed
	$(BIN)/corridor db upgrade
	CORRIDOR_DEMO=1 $(BIN)/corridor demo generate --if-empty --declarations $(DEMO_DECLARATIONS) --seed $(DEMO_SEED)
	CORRIDOR_DEMO=1 $(BIN)/corridor demo accounts
	CORRIDOR_DEMO=1 $(BIN)/corridor serve --host $(HOST) --port $(PORT)

## make test: ruff, mypy, import-linter, then the tests (SQLite always, PostgreSQL when configured)
## and the rules' coverage gate; HYPOTHESIS_PROFILE=ci for every property's full count
test: lint typecheck imports rules-coverage pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

# The rules' tests and the gate: corridor.rules wholly covered by its own tests.
rules-coverage: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/unit/rules -q -p no:cacheprovider \
		-n $(TEST_WORKERS) $(RULES_COV)

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -p no:cacheprovider --durations=15 --ignore=tests/unit/rules \
		-n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
