"""The test suite's wall time by part, each part run on its own with the suite's settings (3 xdist workers).

    python benchmarks/suite_times.py            # every part
    python benchmarks/suite_times.py unit nbval  # some parts
    python benchmarks/suite_times.py all         # the whole suite in one pytest run, as `make test` runs it
    python benchmarks/suite_times.py --load 4 all  # ... while 4 CPU hogs (stress-ng --cpu 4) load the machine

Parts: unit (tests/unit and the static checks of notebooks and requirements), nbval (every solution
notebook re-executed), grading (the real grading runs: round trips, the class grader and its mechanisms,
dask, LMS export), browser (JupyterLab in Chromium), site (the course website, its browser test and audit).
Run back to back, the parts overlap less than in `make test`, so their sum is above the whole suite's time.
Each part's CPU time (user + system, of the processes it started and waited for) is printed beside its wall time: the
suite is bound by CPU when that is close to twice the wall time on 2 cores.
With --load N, N processes that only burn CPU run beside the tests for the whole measurement (Debian's
``stress-ng --cpu N`` where it is installed, else N busy Python processes), at the tests' own priority: no
verdict may depend on speed, so the parts must pass as they do on a quiet machine, only slower.
Prints each part's pytest summary line and keeps its whole output in test-artifacts/suite_times/PART.log (the
failures' tracebacks, pytest's --durations); exits 1 if a part failed.
"""

import argparse
from contextlib import contextmanager
import os
from pathlib import Path
import resource
import shutil
import subprocess
import sys
import time

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "test-artifacts" / "suite_times"
PARTS = {
    "unit": ["tests/unit", "tests/test_notebook_structure.py", "tests/test_notebooks_generated.py",
             "tests/grading/test_requirements.py"],
    "nbval": ["solutions"],
    "grading": ["tests/grading", "--deselect", "tests/grading/test_requirements.py"],
    "browser": ["tests/browser"],
    "site": ["tests/site"],
    "all": [],
}
BUSY_LOOP = "while True: pass"


@contextmanager
def cpu_load(hogs):
    """``hogs`` processes that keep a core busy each, for as long as the block runs."""
    if not hogs:
        yield "none"
        return
    if shutil.which("stress-ng"):
        processes = [subprocess.Popen(["stress-ng", "--cpu", str(hogs), "--timeout", "0", "--quiet"])]
        how = f"stress-ng --cpu {hogs}"
    else:
        processes = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(hogs)]
        how = f"{hogs} busy Python processes"
    try:
        yield how
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", metavar="PART",
                        help=f"parts to run, of {', '.join(PARTS)} (default: every part but all)")
    parser.add_argument("--load", type=int, default=0, metavar="N", help="run N CPU hogs beside the tests")
    args = parser.parse_args(argv)
    unknown = [name for name in args.parts if name not in PARTS]
    if unknown:
        parser.error(f"unknown part {', '.join(unknown)}: the parts are {', '.join(PARTS)}")
    if args.load < 0:
        parser.error(f"--load must be 0 or more, not {args.load}")
    names = args.parts or [name for name in PARTS if name != "all"]
    with cpu_load(args.load) as how:
        print(f"load: {how}", flush=True)
        failed = run_parts(names)
    return 1 if failed else 0


def run_parts(names):
    total = total_cpu = 0.0
    failed = []
    LOGS.mkdir(parents=True, exist_ok=True)
    # as `make test` runs it: this interpreter's bin/ first on PATH (nbgrader calls alembic from PATH)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    for name in names:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", *PARTS[name]], cwd=ROOT,
                             env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        total, total_cpu = total + seconds, total_cpu + cpu
        log = LOGS / f"{name}.log"
        log.write_text(run.stdout + run.stderr)
        last = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"{name:8s} {seconds:7.1f} s wall {cpu:7.1f} s CPU   {last}  ({log.relative_to(ROOT)})",
              flush=True)
        if run.returncode != 0:
            failed.append(name)
    print(f"{'sum':8s} {total:7.1f} s wall {total_cpu:7.1f} s CPU")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
