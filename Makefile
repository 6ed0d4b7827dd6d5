# socle-bench — the two commands: `make serve` and `make test`.
# Everything the project needs is installed from here (also used verbatim by the Dockerfile).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.socle-bench-installed
ARGS   ?=
PYTEST_ARGS ?=

.PHONY: install serve test bench clean help

help:
	@echo "make serve   start the bench (all simulators + admin API on :8080)"
	@echo "make test    run the whole test suite"
	@echo "make bench   run the benchmark script"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,load]'
	@touch $(STAMP)

install: $(STAMP)

serve: install
	$(BIN)/socle-bench serve $(ARGS)

test: install
	$(BIN)/python -m pytest -n auto -q $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m loadtests.bench $(ARGS)

clean:
	rm -rf $(VENV) .socle-bench .pytest_cache build *.egg-info
