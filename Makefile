# The two commands of the README:  `make run` (set up, index the bundled corpus, search it)
# and `make test` (set up, run the whole test suite).  Both work on a fresh machine with only
# python3 installed: everything else is installed into .venv from PyPI.
VENV   ?= .venv
PY     := $(VENV)/bin/python
INDEX  ?= $(CURDIR)/var/index
export NEWS_SEARCH_INDEX := $(INDEX)

.PHONY: run test setup lint clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(VENV)/bin/search-cli index --rebuild
	$(VENV)/bin/search-cli stats
	$(VENV)/bin/search-cli interactive

lint: setup
	$(VENV)/bin/ruff check .

test: setup lint
	$(PY) -W error -m pytest -q

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
