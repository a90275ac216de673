"""Execute every solution notebook (or those named) and print its wall time against its target.

    python benchmarks/notebook_times.py [ASSIGNMENT ...]

Targets come from the issues: a notebook must run well under a minute on two
cores so that a class of submissions can be autograded. Nothing is written
back: the notebooks are executed in memory.
"""

from pathlib import Path
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = {
    "01_eigendecomposition": 20,
    "02_pca": 20,
    "03_graph_embedding": 30,
    "04_tsne": 30,
    "05_text_embeddings": 60,
    "06_neural_embeddings": 60,
}


def run(assignment_id):
    path = ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
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
