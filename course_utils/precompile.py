"""Where numba keeps the engines' compiled code, and how to compile it ahead of time.

The compiled loops of :mod:`course_utils.word2vec`, :mod:`course_utils.search` and :mod:`course_utils.tsne`
are compiled by numba the first time they run (a few seconds) and cached on disk (``cache=True``), so later
runs, in any process, load them in a fraction of a second. Numba keeps the cache next to the sources, in
``course_utils/__pycache__``, when it may write there (an editable install such as the course's
``pip install -e .``), and in the user's cache folder (``~/.cache/numba``) otherwise.

Two helpers:

* ``python -m course_utils.precompile`` compiles every engine once, on tiny inputs of the same types as the
  notebooks', and reports how long it took: run it right after installing (``make install`` can) and no
  notebook waits for compilation at all.
* :func:`prepare_cache` (called by the engine modules when they are imported) lets a *read-only* copy of the
  package use code compiled beforehand. The class grader runs each student's kernel in a sandbox that sees
  ``course_utils/`` read-only and an empty, private ``/tmp`` as its home; numba does not read a cache from a
  folder it cannot write to, so it would compile everything again in every kernel. When the package folder
  is read-only and its ``__pycache__`` holds compiled code, :func:`prepare_cache` copies that code into the
  user cache folder numba falls back to (or, if that is not writable either, into a temporary folder that it
  then names in ``numba.config.CACHE_DIR``). Numba checks each entry against a hash of the source file, the
  numba version and the processor, so a stale or foreign entry is simply recompiled.
"""

import os
from pathlib import Path
import shutil
import sys
import tempfile
import time

__all__ = ["prepare_cache", "precompile"]

PACKAGE = Path(__file__).resolve().parent
#: The modules whose compiled functions are cached (numba names cache files after the module and function).
ENGINE_MODULES = ("word2vec", "search", "tsne")


def _writable(folder):
    """Whether numba could write its cache in ``folder`` (numba's own test: create it, write a file in it)."""
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
        return True
    except OSError:
        return False


def _copy_missing(source, target):
    """Copy each function's cache (its ``.nbi`` index with the ``.nbc`` files it names) that ``target`` lacks.

    A function's index and data files are copied together and only when ``target`` has no index for it, so
    entries compiled earlier in ``target`` are never mixed with the shipped ones.
    """
    for index in source.glob("*.nbi"):
        stem = index.name[:-len(".nbi")]
        if (target / index.name).exists():
            continue
        for data in source.glob(f"{stem}.*.nbc"):
            shutil.copy2(data, target / data.name)
        shutil.copy2(index, target / index.name)       # last: numba reads the index first


_prepared = False


def prepare_cache():
    """Let a read-only package use the compiled code in its ``__pycache__`` (see the module docstring).

    Does nothing when ``NUMBA_CACHE_DIR`` is set or when numba can write next to the sources, and nothing the
    second time. Never raises: if nothing can be copied, numba compiles as usual.
    """
    global _prepared
    if _prepared:
        return
    _prepared = True
    try:
        import numba
        from numba.core.caching import UserProvidedCacheLocator
        from numba.misc.appdirs import AppDirs

        shipped = PACKAGE / "__pycache__"
        if numba.config.CACHE_DIR or _writable(shipped):
            return
        subpath = UserProvidedCacheLocator.get_suitable_cache_subpath(str(PACKAGE / "search.py"))
        user_wide = AppDirs(appname="numba", appauthor=False).user_cache_dir     # where numba looks next
        for base in (user_wide, os.path.join(tempfile.gettempdir(), f"course_utils-numba-{os.getuid()}")):
            target = Path(base) / subpath
            if not _writable(target):
                continue
            if shipped.is_dir():
                _copy_missing(shipped, target)
            if base != user_wide:
                numba.config.CACHE_DIR = base
            return
    except Exception:                     # a convenience only: compiling again is always correct
        return


def precompile(verbose=False):
    """Run every compiled engine once on tiny inputs (types as in the notebooks); returns seconds per engine.

    With a warm cache each step only loads the compiled code; the first time, it compiles and caches it.
    """
    import numpy as np

    from course_utils import search, tsne, word2vec

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 8)).astype(np.float32)
    sentences = [["a", "b", "c", "d", "e"][: 2 + i % 4] for i in range(40)]

    def ivf():
        index = search.IVFIndex(8, nlist=4)
        index.train(X)
        index.add(X)
        index.search(X[:5], 3)

    def pq():
        for nbits in (6, 8):
            index = search.PQIndex(8, m=2, nbits=nbits, n_iter=2)
            index.train(X)
            index.add(X)
            index.search(X[:5], 3)

    def hnsw():
        index = search.HNSWIndex(8, M=4, ef_construction=8)
        index.add(X)
        index.search(X[:5], 3)

    steps = [
        ("word2vec (Word2Vec, numba engine)",
         lambda: word2vec.Word2Vec(vector_size=4, min_count=1, epochs=1, progress=False).fit(sentences)),
        ("search.IVFIndex", ivf),
        ("search.PQIndex", pq),
        ("search.HNSWIndex", hnsw),
        ("tsne.TSNE (Barnes-Hut, 2-D)",
         lambda: tsne.TSNE(perplexity=5, max_iter=250, random_state=0).fit(rng.normal(size=(60, 4)))),
    ]
    seconds = {}
    for name, step in steps:
        started = time.perf_counter()
        step()
        seconds[name] = time.perf_counter() - started
        if verbose:
            print(f"{name}: {seconds[name]:.2f} s")
    return seconds


def main():
    import numba

    started = time.perf_counter()
    print(f"numba {numba.__version__}: compiling (or loading) the engines of course_utils ...")
    precompile(verbose=True)
    location = numba.config.CACHE_DIR or (PACKAGE / "__pycache__" if _writable(PACKAGE / "__pycache__")
                                          else "the user cache folder (~/.cache/numba)")
    print(f"done in {time.perf_counter() - started:.1f} s; compiled code cached in {location}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
