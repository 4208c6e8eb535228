# Sluice: `make run` to try it, `make test` to check it. Both set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint faults bench bench-quick clean

$(INSTALLED): pyproject.toml examples/components/pyproject.toml tests/components/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e examples/components -e tests/components
	touch $(INSTALLED)

install: $(INSTALLED)

run: install
	$(BIN)/sluice up

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/pytest

# The fault-injection suite in its full form (`make test` runs the short form), with its table.
faults: install
	SLUICE_FAULTS=full $(BIN)/pytest tests/faults -s -q

clean:
	rm -rf $(VENV) .data .bench
