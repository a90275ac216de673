"""Shared pytest set-up for the whole suite (unit tests, nbval, grading, browser)."""

import os
from pathlib import Path
import sys

import pytest

ROOT = Path(__file__).resolve().parent

# nbgrader calls `alembic` (and the tests call `jupyter`) from PATH: put this
# interpreter's bin/ first, whether or not the virtual environment is activated.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
# Everything runs offline; libraries must not try the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Keep all cells of one notebook on one xdist worker: they run in one kernel, in order."""
    for item in items:
        if type(item).__name__ == "IPyNbCell":
            item.add_marker(pytest.mark.xdist_group(Path(str(item.fspath)).stem))
            item.add_marker(pytest.mark.slow)
