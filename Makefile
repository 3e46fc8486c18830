# The two commands of the README:  `make run` (set up, index the bundled corpus, serve the
# search page) and `make test` (set up, run the whole test suite).  Both work on a fresh machine
# with only python3 and make: Python packages go into .venv from PyPI; the browser tests need
# Debian's chromium, installed with apt-get when we are root (as in CI) and missing.
VENV   ?= .venv
PY     := $(VENV)/bin/python
INDEX  ?= $(CURDIR)/var/index
export NEWS_SEARCH_INDEX := $(INDEX)

HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test setup lint browser clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(VENV)/bin/search-cli index --rebuild
	$(VENV)/bin/search-cli serve --host $(HOST) --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .

# Debian's chromium for the Playwright tests (a browser download is impossible here).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null); } || \
	  echo "chromium missing and not root: the browser tests will be skipped"

test: setup lint browser
	$(PY) -W error -m pytest -q

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
