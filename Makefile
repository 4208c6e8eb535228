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

# Benchmarks (not part of `make test`): each peer in a virtualenv of its own under .bench/.
BENCH := .bench
PEERS := $(BENCH)/pgqueuer/.installed $(BENCH)/procrastinate/.installed $(BENCH)/lfx/.installed

$(BENCH)/pgqueuer/.installed: PEER_PACKAGES = 'pgqueuer[asyncpg]==1.6.0' uvloop
$(BENCH)/procrastinate/.installed: PEER_PACKAGES = 'procrastinate==3.10.0'
# lfx's Type Convert component needs tabulate, which lfx does not declare.
$(BENCH)/lfx/.installed: PEER_PACKAGES = 'lfx==1.13.0' tabulate
$(BENCH)/%/.installed:
	test -x $(BENCH)/$*/bin/python || $(PYTHON) -m venv $(BENCH)/$*
	$(BENCH)/$*/bin/python -m pip install --quiet $(PEER_PACKAGES)
	touch $@

bench: install $(PEERS)
	$(BIN)/python -m bench

bench-quick: install $(PEERS)
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) .data .bench
