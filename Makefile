# The two commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test test-fast lint bench init demo clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(STAMP_RUN)

## run: install, create the SQLite database with the demo data if absent, start the dashboard
run: $(STAMP_RUN)
	$(BIN)/python -m kpi init --demo --if-empty
	$(BIN)/streamlit run server.py --browser.gatherUsageStats false

## test: install the dev tools and run the whole suite
test: $(STAMP_DEV)
	$(BIN)/python -m pytest

## test-fast: the suite without the browser tests
test-fast: $(STAMP_DEV)
	$(BIN)/python -m pytest -m "not browser"

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## bench: benchmarks with their baselines (SCALE=national reads the databases of
## `python -m benchmarks generate`, see BENCHMARKS.md)
SCALE ?= province
bench: $(STAMP_DEV)
	$(BIN)/python -m benchmarks --scale $(SCALE)

init: $(STAMP_RUN)
	$(BIN)/python -m kpi init

demo: $(STAMP_RUN)
	$(BIN)/python -m kpi init --demo

clean:
	rm -rf $(VENV) data/*.sqlite3 data/*.sqlite3-* .pytest_cache .mypy_cache .ruff_cache
