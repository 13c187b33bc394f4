# dataready — the two quick-start commands are `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install demo test lint serve bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install  ## generate the sample database, catalogue it, show the catalogue
	$(BIN)/dataready demo

test: install  ## the whole test suite
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

serve: install
	$(BIN)/dataready serve

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
