"""Grade the synthetic class with tools/autograde_class.py: --jobs 1 against --jobs 2, and against plain execution.

    python benchmarks/bench_autograde.py [ASSIGNMENT ...]    # default: every assignment in solutions/
    python benchmarks/bench_autograde.py --dask [ASSIGNMENT ...]   # also a dask LocalCluster of 1 and 2 workers

The class is the one the test suite grades (tests/grading/class_synthetic.py and class_hostile.py):
correct, blank, partial and wrong submissions of every notebook, and notebook
01's hostile submissions (infinite loops, memory bombs, os._exit, forks, ...). Each
run starts from its own fresh copy of the course, so both runs do the same work;
the grading plans (one recording per assignment, amortised over a class) are built
once beforehand and their time is printed separately.

Printed: wall time with --jobs 1 and --jobs 2, the speed-up, and the ratio of
the --jobs 2 time to plain execution of the same notebooks (`jupyter nbconvert
--execute`, one after another, summed and divided by the 2 cores), which is
what grading would cost with no nbgrader, no sandbox and no trusted test runner.
Plain execution gets the same per-cell time limit and memory limit (through
``prlimit``), so the hostile notebooks stop there too.
Targets (issue 14): speed-up >= 1.8 on 2 cores; total <= 1.3x plain execution / cores.
With --dask (issue 19): a LocalCluster of 2 workers >= 1.8x one worker; dask's overhead per submission, the
LocalCluster of 2 against --jobs 2, <= 10 %.
"""

import os
from pathlib import Path
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

from tests.grading.class_synthetic import build_class  # noqa: E402
from tests.grading.course import Course, build_notebooks  # noqa: E402

TIMEOUT = 30          # seconds per cell, for both the class autograder and plain execution
MEMORY = "3G"
CORES = 2


def copy_course(source, dest):
    """A copy of the course that keeps the submissions' symbolic links and named pipes as they are."""
    def special(folder, names):
        return [n for n in names if not (Path(folder) / n).is_symlink() and (Path(folder) / n).exists()
                and not (Path(folder) / n).is_file() and not (Path(folder) / n).is_dir()]

    shutil.copytree(source, dest, symlinks=True, ignore=special)
    for fifo in Path(source).rglob("*"):
        if fifo.is_fifo():
            os.mkfifo(dest / fifo.relative_to(source))


def grade(course_template, workdir, jobs=None, scheduler=None):
    label = f"jobs{jobs}" if scheduler is None else scheduler.replace(":", "")
    course = workdir / label
    copy_course(course_template, course)
    where = ["--jobs", str(jobs)] if scheduler is None else ["--scheduler", scheduler]
    started, cpu_before = time.perf_counter(), children_cpu()
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "autograde_class.py"), *where,
                          "--timeout", str(TIMEOUT), "--memory", MEMORY, "--quiet"],
                         cwd=course, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - started, children_cpu() - cpu_before
    if run.returncode != 0:
        raise SystemExit(f"autograde_class.py {' '.join(where)} failed:\n{run.stderr[-3000:]}")
    slowest = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("slowest")]
    # CPU of every process the run waited for (workers, kernels); a dask cluster's workers are not the
    # run's children, so for --scheduler only the parent's share is seen
    print(f"  {label}: {seconds:.1f} s wall, {cpu:.1f} s CPU of its processes ({cpu / seconds:.2f} cores busy)"
          + (f"; {slowest[0]}" if slowest else ""), flush=True)
    return seconds


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain_execution(course_template, workdir):
    """Every submitted notebook through `jupyter nbconvert --execute`, one at a time; summed seconds.

    Nothing isolates plain execution: the hostile notebooks really try to read and delete the course they
    were written for (the template, in this benchmark's temporary folder). So every notebook is copied out
    first, and each runs from its copy.
    """
    copies = []
    for notebook in sorted((course_template / "submitted").glob("*/*/*.ipynb")):
        if notebook.is_symlink() or not notebook.is_file() or notebook.parent.is_symlink():
            continue
        folder = workdir / "plain" / notebook.parent.relative_to(course_template / "submitted")
        folder.mkdir(parents=True)
        copies.append(folder / notebook.name)
        shutil.copy(notebook, copies[-1])
    total = 0.0
    for copy in copies:
        folder = copy.parent
        started = time.perf_counter()
        subprocess.run(["prlimit", f"--as={3 * 2**30}", "--", sys.executable, "-m", "jupyter", "nbconvert",
                        "--to", "notebook", "--execute", "--allow-errors", f"--ExecutePreprocessor.timeout={TIMEOUT}",
                        "--ExecutePreprocessor.kernel_name=python3", "--output", str(copy), str(copy)],
                       cwd=folder, capture_output=True, text=True)
        total += time.perf_counter() - started
    return total


def main(argv):
    dask = "--dask" in argv
    assignment_ids = [a for a in argv if a != "--dask"] or build_notebooks.assignments()
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        workdir = Path(tmp)
        course = Course(workdir / "template", assignment_ids)
        subs = build_class(course, assignment_ids)
        print(f"synthetic class: {len(subs)} submissions of {', '.join(assignment_ids)}", flush=True)
        started = time.perf_counter()
        sys.path.insert(0, str(ROOT / "tools"))
        from classgrading.cli import build_plans
        build_plans(course.root, assignment_ids, CORES, TIMEOUT)
        print(f"grading plans of {len(assignment_ids)} assignments (once per assignment, cached): "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        one = grade(course.root, workdir, 1)
        print(f"--jobs 1: {one:7.1f} s", flush=True)
        two = grade(course.root, workdir, 2)
        print(f"--jobs 2: {two:7.1f} s", flush=True)
        if dask:
            dask_one = grade(course.root, workdir, scheduler="local:1")
            print(f"dask LocalCluster, 1 worker: {dask_one:7.1f} s", flush=True)
            dask_two = grade(course.root, workdir, scheduler="local:2")
            print(f"dask LocalCluster, 2 workers: {dask_two:7.1f} s", flush=True)
        plain = plain_execution(course.root, workdir)
        print(f"plain nbconvert --execute, summed: {plain:7.1f} s; / {CORES} cores = {plain / CORES:.1f} s")
    speedup = one / two
    ratio = two / (plain / CORES)
    print(f"speed-up --jobs 2 vs --jobs 1: {speedup:.2f}x (target >= 1.8): {'met' if speedup >= 1.8 else 'NOT met'}")
    print(f"--jobs 2 / (plain / cores): {ratio:.2f} (target <= 1.3): {'met' if ratio <= 1.3 else 'NOT met'}")
    if dask:
        scaling, overhead = dask_one / dask_two, dask_two / two - 1
        print(f"dask: 2 workers vs 1: {scaling:.2f}x (target >= 1.8): {'met' if scaling >= 1.8 else 'NOT met'}")
        print(f"dask overhead over --jobs 2: {100 * overhead:+.1f} % (target <= 10 %): "
              f"{'met' if overhead <= 0.10 else 'NOT met'}")


if __name__ == "__main__":
    main(sys.argv[1:])
