"""Size and time of the student install (`make lab`) and of the full install (`make test`), in fresh venvs.

    python benchmarks/bench_install.py                 # both sets, pip's download cache as it is
    python benchmarks/bench_install.py student         # one set
    python benchmarks/bench_install.py --no-cache      # also time the downloads (pip --no-cache-dir)

For each set it creates a new virtual environment in a temporary folder, times
``pip install -e ".[SET]"`` exactly as the Makefile runs it, and prints the environment's size on disk
(``du``) and the largest distributions (the files each one's RECORD lists). Like the Makefile, pip runs with
``--no-compile``: Python compiles a module's bytecode when it is first imported, so the modules a student never
imports (most of torch's and transformers' Python files) stay uncompiled; the student set's size is also given
after importing everything the six notebooks, JupyterLab and nbgrader's Validate use. For the student set it also checks what `make lab` promises: JupyterLab lists
nbgrader's lab extensions (the Validate button among them) as enabled, and nbgrader's server extension is on.

The target of issue 18: the student install at most half of the former install (2.4 GB, everything in one
set), and the test tools (Playwright, pytest, nbval, openTSNE, Sphinx) absent from it.
"""

import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
FORMER_INSTALL_BYTES = 2.4e9  # `du -sh .venv` of `pip install -e ".[all]"` before the split
NEVER_IN_STUDENT = ["playwright", "pytest", "pytest-xdist", "nbval", "opentsne", "sphinx", "myst-nb"]

# What the six notebooks import (their setup cells), and what JupyterLab and nbgrader's Validate load.
FIRST_USE = """
import numpy, scipy, sklearn, matplotlib.pyplot, ipywidgets, numba
import course_utils.linalg, course_utils.decomposition, course_utils.graphs, course_utils.manifold
import course_utils.cluster, course_utils.information, course_utils.tsne, course_utils.text
import course_utils.word2vec, course_utils.neural, course_utils.search, course_utils.checks
import torch, sentence_transformers, gensim.models, faiss, hnswlib
import jupyterlab, jupyter_server.serverapp, ipykernel.kernelapp, nbgrader.apps, nbgrader.server_extensions.validate_assignment
"""

SIZES_SCRIPT = r"""
import importlib.metadata as md, json, pathlib
rows = []
for dist in md.distributions():
    total = pyc = 0
    for name in dist.files or []:
        try:
            size = pathlib.Path(dist.locate_file(name)).stat().st_size
        except OSError:
            continue
        total += size
        if str(name).endswith(".pyc"):
            pyc += size
    rows.append([dist.metadata["Name"], total, pyc])
print(json.dumps(rows))
"""


def du_bytes(path):
    """Disk usage of a folder, as `du` counts it (allocated blocks)."""
    out = subprocess.run(["du", "-s", "--block-size=1", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def fresh_install(extra, workdir, no_cache):
    venv = Path(workdir) / f"venv-{extra}"
    python = venv / "bin" / "python"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    command = [str(python), "-m", "pip", "install", "--quiet", "--no-compile", "-e", f".[{extra}]"]
    if no_cache:
        command.append("--no-cache-dir")
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"pip failed:\n{run.stdout}\n{run.stderr}")
    seconds = time.perf_counter() - start
    rows = json.loads(subprocess.run([str(python), "-c", SIZES_SCRIPT], capture_output=True, text=True,
                                     check=True).stdout)
    return venv, seconds, du_bytes(venv), sorted(rows, key=lambda row: -row[1])


def after_first_use(venv):
    """Disk usage once a student has run the notebooks: Python then compiles what they import."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([str(venv / "bin" / "python"), "-c", FIRST_USE], check=True, capture_output=True, cwd=ROOT,
                   env=env)
    return du_bytes(venv)


def lab_extensions(venv):
    """(lab extensions listed as enabled, whether nbgrader's server extension is enabled)."""
    jupyter = str(venv / "bin" / "jupyter")
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "JUPYTER_CONFIG_DIR": str(venv / "_jupyter_config"),
           "JUPYTER_DATA_DIR": str(venv / "_jupyter_data"), "HOME": str(venv)}
    labext = subprocess.run([jupyter, "labextension", "list"], capture_output=True, text=True, env=env)
    server = subprocess.run([jupyter, "server", "extension", "list"], capture_output=True, text=True, env=env)
    text = labext.stdout + labext.stderr
    enabled = [line.split()[0] for line in text.splitlines()
               if "nbgrader" in line and "enabled" in line and "OK" in line]
    server_text = server.stdout + server.stderr
    server_ok = any("nbgrader" in line and "enabled" in line for line in server_text.splitlines())
    return enabled, server_ok


def report(extra, venv, seconds, size, rows):
    print(f"\n== .[{extra}]: {size / 1e9:.2f} GB on disk, installed in {seconds:.0f} s")
    names = {row[0].lower().replace("_", "-") for row in rows}
    pyc = sum(row[2] for row in rows)
    print(f"   {len(rows)} distributions; bytecode compiled by pip: {pyc / 1e6:.0f} MB")
    for name, total, _ in rows[:12]:
        print(f"   {total / 1e6:8.1f} MB  {name}")
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", default=["student", "all"], help="extras to install (default: both)")
    parser.add_argument("--no-cache", action="store_true", help="pip --no-cache-dir (downloads included)")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-install-") as workdir:
        for extra in args.sets:
            venv, seconds, size, rows = fresh_install(extra, workdir, args.no_cache)
            names = report(extra, venv, seconds, size, rows)
            results[extra] = (seconds, size)
            if extra == "student":
                used = after_first_use(venv)
                print(f"   after the notebooks' imports have been compiled on first use: {used / 1e9:.2f} GB")
                present = sorted(set(NEVER_IN_STUDENT) & names)
                print(f"   test and site tools in it: {present or 'none'}")
                enabled, server_ok = lab_extensions(venv)
                print(f"   nbgrader lab extensions enabled: {', '.join(enabled) or 'NONE'}; "
                      f"server extension enabled: {server_ok}")
                target = FORMER_INSTALL_BYTES / 2
                verdict = "met" if size <= target else "NOT met"
                print(f"   target (at most half of the former {FORMER_INSTALL_BYTES / 1e9:.1f} GB, "
                      f"{target / 1e9:.1f} GB): {verdict}")
    if {"student", "all"} <= set(results):
        (s_time, s_size), (a_time, a_size) = results["student"], results["all"]
        print(f"\nstudent / full: size {s_size / a_size:.2f}, time {s_time / a_time:.2f}")


if __name__ == "__main__":
    main()
