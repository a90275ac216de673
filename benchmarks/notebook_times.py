"""Execute every solution notebook (or those named) and print its wall time against its target.

    python benchmarks/notebook_times.py [ASSIGNMENT ...]

Targets come from the issues (15 and 16): notebooks 01-03 under 30 s, 04-06 under 60 s on two
cores, so that a class of submissions can be autograded. The kernels run BLAS, OpenMP and numba on one
thread each, as the test suite and the class grader do (several threads per library on two shared cores
measure contention, not the notebook). Nothing is written back: the notebooks are executed in memory.
"""

import os
from pathlib import Path
import sys
import time

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import nbformat  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from build_notebooks import notebook_client  # noqa: E402

TARGET_SECONDS = {
    "01_eigendecomposition": 30,
    "02_pca": 30,
    "03_graph_embedding": 30,
    "04_tsne": 60,
    "05_text_embeddings": 60,
    "06_neural_embeddings": 60,
}


def run(assignment_id):
    path = ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = notebook_client(nb, path.parent)
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main(names):
    names = names or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    print(f"{'notebook':<24} {'seconds':>8} {'target':>7}  met")
    all_met = True
    for name in names:
        seconds = run(name)
        target = TARGET_SECONDS.get(name)
        met = target is None or seconds < target
        all_met &= met
        print(f"{name:<24} {seconds:8.1f} {target if target else '-':>7}  {'yes' if met else 'NO'}", flush=True)
    print("all targets met" if all_met else "some targets NOT met")


if __name__ == "__main__":
    main(sys.argv[1:])
