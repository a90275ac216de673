"""The test suite's wall time by part, each part run on its own with the suite's settings (2 xdist workers).

    python benchmarks/suite_times.py            # every part
    python benchmarks/suite_times.py unit nbval  # some parts

Parts: unit (tests/unit and the static checks of notebooks and requirements), nbval (every solution
notebook re-executed), grading (the real grading runs: round trips, the class grader and its mechanisms,
dask, LMS export), browser (JupyterLab in Chromium), site (the course website, its browser test and audit).
Run back to back, the parts overlap less than in `make test`, so their sum is above the whole suite's time.
Each part's CPU time (user + system, of the processes it started and waited for) is printed beside its wall time: the
suite is bound by CPU when that is close to twice the wall time on 2 cores.
"""

from pathlib import Path
import resource
import subprocess
import sys
import time

ROOT = Path(__file__).resolve().parent.parent
PARTS = {
    "unit": ["tests/unit", "tests/test_notebook_structure.py", "tests/test_notebooks_generated.py",
             "tests/grading/test_requirements.py"],
    "nbval": ["solutions"],
    "grading": ["tests/grading", "--deselect", "tests/grading/test_requirements.py"],
    "browser": ["tests/browser"],
    "site": ["tests/site"],
}


def main(names):
    names = names or list(PARTS)
    total = total_cpu = 0.0
    for name in names:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", *PARTS[name]], cwd=ROOT,
                             capture_output=True, text=True)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        total, total_cpu = total + seconds, total_cpu + cpu
        last = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"{name:8s} {seconds:7.1f} s wall {cpu:7.1f} s CPU   {last}", flush=True)
    print(f"{'sum':8s} {total:7.1f} s wall {total_cpu:7.1f} s CPU")


if __name__ == "__main__":
    main(sys.argv[1:])
