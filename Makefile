# The two commands in the README do everything: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
LSTAMP := $(VENV)/.installed-lint
ARGS   ?=

.PHONY: run test lint bench index clean

# -qq: errors only. The editable build's notice ("be careful with folders ... with the same
# name as your package") is setuptools talking about every flat layout, not a problem here.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -qq -e .
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -qq -e '.[test]'
	touch $@ $(STAMP)

$(LSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -qq -e '.[test,lint]'
	touch $@ $(TSTAMP) $(STAMP)

run: $(STAMP)
	$(BIN)/reader $(if $(ARGS),$(ARGS),corpus)

# Byte-code caches on even where the environment turns them off: the suite starts hundreds of
# Python processes (reader, its indexer), and without them each compiles reader again. Four
# workers on two cores: many tests wait on a terminal or a child process, and overlap so.
test: $(TSTAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 4 --dist worksteal -q $(ARGS)

# The checks .ci/run makes before the tests (and .pre-commit-config.yaml before a commit).
lint: $(LSTAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
