# The two commands of the course (see README.md):
#   make lab    install what a student needs into .venv once, then open the course in JupyterLab
#   make test   add the test, benchmark and website tools to .venv once, then run the whole test suite
# Other targets: install (the student set only), dev (everything, no tests), site (the course website in
# _site/), notebooks (regenerate student versions), bench, clean.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# nbgrader runs `alembic` from PATH when it creates a gradebook.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test install dev site notebooks bench clean

lab: $(VENV)/.installed-student
	$(BIN)/jupyter lab --notebook-dir=notebooks

test: $(VENV)/.installed-all
	$(BIN)/python -m pytest

install: $(VENV)/.installed-student

dev: $(VENV)/.installed-all

site: $(VENV)/.installed-site
	$(BIN)/python site/build.py --out _site

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per install set; each is redone when pyproject.toml changes. --no-compile: Python compiles a
# module when it is first imported, so the many modules nobody imports (most of torch) take no bytecode space.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile -e ".[$*]"
	touch $@

notebooks: $(VENV)/.installed-all
	$(BIN)/python tools/build_notebooks.py

bench: $(VENV)/.installed-all
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) gradebook.db test-artifacts _site
