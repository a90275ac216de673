"""course_utils.precompile: a read-only install reuses the engines' compiled code (the class grader's sandbox)."""

import os
from pathlib import Path

import numba
from numba.core.caching import UserProvidedCacheLocator
import pytest

from course_utils import precompile


@pytest.fixture
def read_only_package(tmp_path, monkeypatch):
    """A fake package whose __pycache__ holds two functions' compiled code and cannot be written to."""
    package = tmp_path / "site" / "course_utils"
    shipped = package / "__pycache__"
    shipped.mkdir(parents=True)
    for name in ["search._f-10.py311.nbi", "search._f-10.py311.1.nbc", "search._f-10.py311.2.nbc",
                 "tsne._g-20.py311.nbi", "tsne._g-20.py311.1.nbc"]:
        (shipped / name).write_bytes(name.encode())
    monkeypatch.setattr(precompile, "PACKAGE", package)
    monkeypatch.setattr(precompile, "_prepared", False)
    real_writable = precompile._writable
    monkeypatch.setattr(precompile, "_writable", lambda folder: Path(folder) != shipped and real_writable(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))       # numba's user-wide cache folder
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    subpath = UserProvidedCacheLocator.get_suitable_cache_subpath(str(package / "search.py"))
    return shipped, tmp_path / "home-cache" / "numba" / subpath


def test_read_only_package_seeds_the_user_cache_numba_falls_back_to(read_only_package):
    shipped, target = read_only_package
    precompile.prepare_cache()
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in shipped.iterdir())
    assert numba.config.CACHE_DIR == ""                  # numba finds the user-wide folder by itself


def test_entries_compiled_earlier_in_the_user_cache_are_kept(read_only_package):
    shipped, target = read_only_package
    target.mkdir(parents=True)
    (target / "search._f-10.py311.nbi").write_bytes(b"newer index")
    (target / "search._f-10.py311.1.nbc").write_bytes(b"its data")
    precompile.prepare_cache()
    assert (target / "search._f-10.py311.nbi").read_bytes() == b"newer index"
    assert (target / "search._f-10.py311.1.nbc").read_bytes() == b"its data"
    assert not (target / "search._f-10.py311.2.nbc").exists()     # never mixed with the shipped entries
    assert (target / "tsne._g-20.py311.nbi").exists()


def test_without_a_writable_user_cache_a_temporary_folder_is_named(read_only_package, monkeypatch, tmp_path):
    shipped, target = read_only_package
    real_writable = precompile._writable
    monkeypatch.setattr(precompile, "_writable",
                        lambda folder: Path(folder) not in (shipped, target) and real_writable(folder))
    monkeypatch.setattr(precompile.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    precompile.prepare_cache()
    assert numba.config.CACHE_DIR == str(tmp_path / "tmp" / f"course_utils-numba-{os.getuid()}")
    copied = Path(numba.config.CACHE_DIR) / target.name
    assert (copied / "tsne._g-20.py311.1.nbc").exists()


def test_nothing_happens_when_numba_may_write_next_to_the_sources_or_a_cache_dir_is_set(read_only_package,
                                                                                       monkeypatch):
    shipped, target = read_only_package
    monkeypatch.setattr(numba.config, "CACHE_DIR", "/somewhere/chosen")
    precompile.prepare_cache()
    assert not target.exists()
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(precompile, "_writable", lambda folder: True)
    monkeypatch.setattr(precompile, "_prepared", False)
    precompile.prepare_cache()
    assert not target.exists()
