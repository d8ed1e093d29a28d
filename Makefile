# The two commands a newcomer needs: `make demo` and `make test`.
# Both create .venv on first use and install what they need into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[demo,crypto,dp,spark]' --group dev
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/piiredact demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check piiredact tests benchmarks
	$(BIN)/ruff format --check piiredact tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy piiredact

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
