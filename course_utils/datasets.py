"""Datasets shipped with the course, found from any working directory (all notebooks).

nbgrader executes submissions in ``autograded/<student>/<assignment>/``, so
nothing here depends on the current directory: files are looked up in the
repository's ``data/`` folder next to this package (an editable install), or
in the folder named by the ``COURSE_DATA_DIR`` environment variable.
Nothing is ever downloaded; ``data/README.md`` gives each file's provenance
and licence.
"""

import os
from pathlib import Path

__all__ = ["data_dir", "data_path"]


def data_dir():
    """The folder holding the course's data files."""
    override = os.environ.get("COURSE_DATA_DIR")
    folder = Path(override) if override else Path(__file__).resolve().parent.parent / "data"
    if not folder.is_dir():
        hint = ("COURSE_DATA_DIR points to a folder that does not exist" if override else
                "install the course with `pip install -e .` from a clone of the repository, "
                "or set COURSE_DATA_DIR to its data/ folder")
        raise FileNotFoundError(f"The course data folder {folder} was not found: {hint}.")
    return folder


def data_path(name):
    """Path of the data file ``name`` (relative to ``data/``); a clear error if it is missing."""
    path = data_dir() / name
    if not path.exists():
        available = sorted(p.name for p in data_dir().iterdir() if not p.name.startswith("."))
        raise FileNotFoundError(f"No data file {name!r} in {data_dir()}; available: {', '.join(available)}.")
    return path
