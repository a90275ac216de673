# The two commands of the course (see README.md):
#   make lab    install once into .venv, then open the course in JupyterLab
#   make test   install once into .venv, then run the whole test suite
# Other targets: install, notebooks (regenerate student versions), bench, clean.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# nbgrader runs `alembic` from PATH when it creates a gradebook.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test install notebooks bench clean

lab: $(VENV)/.installed
	$(BIN)/jupyter lab --notebook-dir=notebooks

test: $(VENV)/.installed
	$(BIN)/python -m pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $@

notebooks: $(VENV)/.installed
	$(BIN)/python tools/build_notebooks.py

bench: $(VENV)/.installed
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) gradebook.db test-artifacts
