# Sluice: `make run` to try it, `make test` to check it. Both set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint faults peers bench bench-quick fidelity screenshots clean

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

# The browser tests drive a headless Chromium: tests/chromium.sh finds one, or installs Debian's.
test: install lint
	SLUICE_TEST_CHROMIUM="$$(sh tests/chromium.sh)" && export SLUICE_TEST_CHROMIUM && $(BIN)/pytest

# The fault-injection suite in its full form (`make test` runs the short form), with its table.
faults: install
	SLUICE_FAULTS=full $(BIN)/pytest tests/faults -s -q

# Benchmarks (bench/README.md). Each peer gets its own virtualenv under .bench/, from PyPI; uvloop
# too, so every system runs on the event loop Sluice uses. ONLY=name runs one benchmark.
BENCH := .bench
PEER_PACKAGES_pgqueuer := 'pgqueuer[asyncpg]==1.6.0' 'uvloop>=0.21'
PEER_PACKAGES_procrastinate := 'procrastinate==3.10.0' 'uvloop>=0.21'
PEER_PACKAGES_lfx := 'lfx[sqlite]==1.13.0'
# The fidelity check's lfx, with what the starters' embedded code imports.
PEER_PACKAGES_fidelity := 'lfx==1.13.0' tabulate langchain-openai langchain-community trustcall
PEERS := $(BENCH)/pgqueuer/.installed $(BENCH)/procrastinate/.installed $(BENCH)/lfx/.installed

$(BENCH)/%/.installed: Makefile
	test -x $(BENCH)/$*/bin/python || $(PYTHON) -m venv $(BENCH)/$*
	$(BENCH)/$*/bin/python -m pip install --quiet --upgrade pip
	$(BENCH)/$*/bin/python -m pip install --quiet $(PEER_PACKAGES_$*)
	touch $@

peers: $(PEERS)

bench: install peers
	$(BIN)/python -m bench $(ONLY)

bench-quick: install peers
	$(BIN)/python -m bench --quick $(ONLY)

# The same flows on Langflow's executor and on Sluice against one recording model server: a table of
# final texts and model requests (bench/fidelity). Refreshes tests/data/fidelity/. ONLY="name" runs one flow.
fidelity: install $(BENCH)/fidelity/.installed
	$(BIN)/python -m bench.fidelity $(if $(ONLY),"$(ONLY)")

# The README's screenshots: the browser tests take them (1280x800, into the git-ignored
# .screenshots/), and this copies them over docs/screenshots/.
SCREENSHOTS := overview.png job-running.png job-timeline.png job-completed.png flows.png flow-version.png workers.png
screenshots: install
	rm -rf .screenshots
	SLUICE_TEST_CHROMIUM="$$(sh tests/chromium.sh)" && export SLUICE_TEST_CHROMIUM && $(BIN)/pytest -q tests/test_dashboard_browser.py
	mkdir -p docs/screenshots
	cp $(addprefix .screenshots/,$(SCREENSHOTS)) docs/screenshots/

clean:
	rm -rf $(VENV) .data .bench
