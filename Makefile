# Two commands on a fresh machine:
#   make serve   set everything up, build the site from data/ and preview it at http://127.0.0.1:8000/xinfu/
#   make test    set everything up and run the whole test suite
# Also: make build (site/ only), make validate, make schema, make lint.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup build serve validate schema test lint clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

build: setup
	$(PY) -m scripts build

serve: build
	$(PY) -m scripts serve

validate: setup
	$(PY) -m scripts validate

schema: setup
	$(PY) -m scripts schema

test: setup
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check scripts tests

clean:
	rm -rf build site
