# socle-bench — the two commands: `make serve` and `make test`.
# Everything the project needs is installed from here (also used verbatim by the Dockerfile).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.socle-bench-installed
ARGS   ?=
PYTEST_ARGS ?=

.PHONY: install browser mailclients serve test bench clean help

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

test: install browser mailclients
	$(BIN)/python -m pytest -n auto -q $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m loadtests.bench $(ARGS)

clean:
	rm -rf $(VENV) .socle-bench .pytest_cache build *.egg-info
