# Two commands do all the set-up on a fresh machine: `make test` (and, once the demo lands, `make demo`).
VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: install test lint clean

install:
	bash tools/install.sh

test: install
	$(PYTHON) -m pytest

lint: install
	$(PYTHON) -m flake8 distiller tools tests

clean:
	rm -rf $(VENV) .pytest_cache work_dirs
