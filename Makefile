# The two commands of the course (see README.md):
#   make lab    install what a student needs into .venv once, then open the course in JupyterLab
#   make test   add the test, benchmark and website tools to .venv once, then run the whole test suite
# A quicker loop for contributors: make test-quick (unit tests, nbval, freshness and leak checks, requirements
# tables; no grading runs, no browser, no website).
# Other targets: install (the student set only), dev (everything, no tests), site (the course website in
# _site/), notebooks (regenerate student versions), bench, clean.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# nbgrader runs `alembic` from PATH when it creates a gradebook.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test test-quick install dev site notebooks bench clean

lab: $(VENV)/.installed-student
	$(BIN)/jupyter lab --notebook-dir=notebooks

test: $(VENV)/.installed-all
	$(BIN)/python -m pytest

QUICK := tests/unit tests/test_notebook_structure.py tests/test_notebooks_generated.py \
         tests/grading/test_requirements.py solutions
test-quick: $(VENV)/.installed-all
	$(BIN)/python -m pytest $(QUICK)

install: $(VENV)/.installed-student

dev: $(VENV)/.installed-all

site: $(VENV)/.installed-site
	$(BIN)/python site/build.py --out _site

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per install set; each is redone when pyproject.toml changes. --no-compile: Python compiles a
# module when it is first imported and caches it, so the many modules nobody imports (most of torch) take no
# bytecode space. (Not where PYTHONDONTWRITEBYTECODE is set, as in many container images: then every process
# compiles its imports again; the test suite lifts it for its own processes, see conftest.py.)
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile -e ".[$*]"
	$(BIN)/python -m course_utils.precompile   # numba compiles the engines once now, not in a notebook
	touch $@

notebooks: $(VENV)/.installed-all
	$(BIN)/python tools/build_notebooks.py

bench: $(VENV)/.installed-all
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) gradebook.db test-artifacts _site
