"""Regenerate the student notebooks in notebooks/ from the instructor notebooks in solutions/.

    python tools/build_notebooks.py                 # all assignments
    python tools/build_notebooks.py 02_pca          # one assignment
    python tools/build_notebooks.py --execute       # re-run solutions first, storing fresh outputs

``--execute`` runs each solution notebook top to bottom and saves it with its
outputs (nbval compares against them). Generation itself is nbgrader's
``generate_assignment``: solutions are replaced by stubs, hidden tests are
removed, outputs are cleared and graded cells are locked and checksummed.
Run from anywhere; it works in the repository root.
"""

import argparse
import os
from pathlib import Path
import platform
import shutil
import subprocess
import sys

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


# Numerical libraries choose their code for the processor they find: OpenBLAS its kernels (Haswell, SkylakeX,
# Zen, ...), NumPy its SIMD loops (AVX2, or AVX-512 where present), and code of another vector width rounds
# differently; iterative cells (t-SNE above all) turn that into other printed digits. Stored outputs are made,
# and nbval compares them (conftest.py), with one thread per library and the AVX2 code of both, which any
# x86-64 processor of the last decade runs. The class grader hands these variables on to the student's kernel
# (tools/classgrading/sandbox.py, NUMERIC_ENV).
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
X86_NUMERICS = {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"}


def pin_numerics(environ):
    """Set (where unset) the variables above in ``environ``, before any numerical library is loaded."""
    for variable in ONE_THREAD:
        environ.setdefault(variable, "1")
    if platform.machine() in ("x86_64", "AMD64"):
        for variable, value in X86_NUMERICS.items():
            environ.setdefault(variable, value)


def assignments(course_dir=ROOT):
    """Assignment ids: the folders of solutions/ that hold a notebook of the same name."""
    return sorted(p.name for p in (Path(course_dir) / "solutions").iterdir()
                  if (p / f"{p.name}.ipynb").is_file())


def notebook_client(nb, folder, timeout=600):
    """nbclient's NotebookClient for ``nb`` run in ``folder``, waiting for each reply in short slices (a cell
    with widgets can otherwise stall until its time limit: jupyter/nbclient#312)."""
    from nbclient import NotebookClient

    from course_utils.polling import SlicedPolling

    class Client(SlicedPolling, NotebookClient):
        pass

    return Client(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                  resources={"metadata": {"path": str(folder)}})


def execute_in_place(notebook_path, timeout=600):
    """Run a notebook top to bottom in its own folder and save it with its outputs."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    notebook_client(nb, Path(notebook_path).parent, timeout).execute()
    # Saved widget state holds random model ids and copies of the figures; widgets are
    # recreated whenever the notebook runs, so it is not kept (and not handed to students).
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, notebook_path)


def generate(assignment_ids, course_dir=ROOT, db_path=None):
    """nbgrader generate_assignment for each id, in ``course_dir`` (which holds nbgrader_config.py)."""
    env = dict(os.environ)
    # nbgrader runs `alembic` from PATH when it creates a gradebook.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    extra = [f"--CourseDirectory.db_url=sqlite:///{db_path}"] if db_path else []
    for assignment_id in assignment_ids:
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment_id, "--force",
                        "--log-level=WARN", *extra], cwd=course_dir, env=env, check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all in solutions/)")
    parser.add_argument("--execute", action="store_true", help="re-run the solution notebooks first")
    args = parser.parse_args(argv)
    ids = args.assignments or assignments()
    if args.execute:
        pin_numerics(os.environ)      # the stored outputs are what nbval compares against
    for assignment_id in ids:
        if args.execute:
            print(f"executing solutions/{assignment_id}/{assignment_id}.ipynb", flush=True)
            execute_in_place(ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb")
    generate(ids)
    for assignment_id in ids:
        print(f"generated notebooks/{assignment_id}/")
    shutil.rmtree(ROOT / "notebooks" / ".ipynb_checkpoints", ignore_errors=True)


if __name__ == "__main__":
    main()
