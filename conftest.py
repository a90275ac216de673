"""Shared pytest set-up for the whole suite (unit tests, nbval, grading, browser)."""

import os
from pathlib import Path
import sys

import pytest

from tools.build_notebooks import pin_numerics

ROOT = Path(__file__).resolve().parent

# nbgrader calls `alembic` (and the tests call `jupyter`) from PATH: put this
# interpreter's bin/ first, whether or not the virtual environment is activated.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
# Everything runs offline; libraries must not try the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
# Bytecode caches. Container images often set PYTHONDONTWRITEBYTECODE (this project's CI machines do): then
# no __pycache__ is ever written, and each of the suite's hundreds of processes (kernels, nbgrader runs,
# grading workers, servers) compiles every module it imports from source again: 4 s of notebook 01's 6 s of
# imports, 19 s of torch's. The suite lets Python write the caches, once, into .venv (the grader's sandbox
# mounts it read-only, so kernels read the caches and write nothing).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
# Parallelism comes from the xdist workers and the class autograder's jobs, one thread each: BLAS libraries
# that also start a thread per core would fight over the two cores (OpenBLAS threads spin while they wait).
# On x86-64 the numeric code is the one the stored outputs were made with (see tools/build_notebooks.py).
pin_numerics(os.environ)

# The longest tests start first, so that no worker is left running one of them alone at the end.
_START_FIRST = ("tests/grading/test_roundtrip.py", "tests/grading/test_class_autograde.py", "tests/browser/",
                "tests/site/", "tests/grading/")
# Test modules whose tests share one expensive module-scoped fixture (a whole grading run, a course): all
# their tests go to one xdist worker, so the fixture is built once.
_ONE_WORKER = ("tests/grading/test_roundtrip.py", "tests/grading/test_trusted_grader.py",
               "tests/grading/test_cluster.py", "tests/grading/test_lms_export.py", "tests/site/test_site.py")


@pytest.hookimpl(optionalhook=True)  # optional: `-p no:xdist` runs without xdist
def pytest_xdist_make_scheduler(config, log):
    """Run all cells of one notebook on one xdist worker, in order (they share a kernel).

    Every other test is scheduled on its own, so the slow ones spread over the workers.
    (A custom scheduler rather than xdist_group markers: pytest 9.2 changed how node ids are stored and
    xdist 3.8's --dist loadgroup no longer sees the markers.)
    """
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::", 1)[0]
            return path if path.endswith(".ipynb") or path in _ONE_WORKER else nodeid

    return NotebookScheduling(config, log)


def _start_rank(item):
    nodeid = item.nodeid
    return next((rank for rank, prefix in enumerate(_START_FIRST) if nodeid.startswith(prefix)), len(_START_FIRST))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if type(item).__name__ == "IPyNbCell":
            item.add_marker(pytest.mark.slow)
    items.sort(key=_start_rank)  # stable: a notebook's cells keep their order
