"""Grade the synthetic class with tools/autograde_class.py: --jobs 1 against --jobs 2, and against plain execution.

    python benchmarks/bench_autograde.py [ASSIGNMENT ...]    # default: every assignment in solutions/
    python benchmarks/bench_autograde.py --dask [ASSIGNMENT ...]   # also a dask LocalCluster of 1 and 2 workers
    python benchmarks/bench_autograde.py --runs local1,local2 ...  # only these runs (of jobs1, jobs2, local1,
                                                                   # local2, plain); ratios of the ones made

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
``prlimit``), so the hostile notebooks stop there too, and a private /tmp (bubblewrap),
so that what they plant there does not stay on the machine.
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
    # CPU of the run's processes once they have been waited for: its workers and their kernels (a LocalCluster's
    # nannies and workers too, as the run starts them; a remote cluster's workers would not be seen)
    print(f"  {label}: {seconds:.1f} s wall, {cpu:.1f} s CPU of its processes ({cpu / seconds:.2f} cores busy)"
          + (f"; {slowest[0]}" if slowest else ""), flush=True)
    return seconds


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain_execution(course_template, workdir):
    """Every submitted notebook through `jupyter nbconvert --execute`, one at a time; summed seconds.

    Plain execution is not sandboxed: the hostile notebooks really try to read and delete the course they
    were written for (the template, in this benchmark's temporary folder). So every notebook is copied out
    first, and each runs from its copy, with a /tmp and /dev/shm of its own (see below).
    """
    copies = []
    for notebook in sorted((course_template / "submitted").glob("*/*/*.ipynb")):
        if notebook.is_symlink() or not notebook.is_file() or notebook.parent.is_symlink():
            continue
        folder = workdir / "plain" / notebook.parent.relative_to(course_template / "submitted")
        folder.mkdir(parents=True)
        copies.append(folder / notebook.name)
        shutil.copy(notebook, copies[-1])
    # Each notebook runs in a control group of its own (the grader's memory and process limits), which is
    # killed when nbconvert returns: a forking notebook's orphans would otherwise keep running (and, holding
    # nbconvert's output pipes, once kept this benchmark waiting forever).
    sys.path.insert(0, str(ROOT / "tools"))
    from classgrading import cgroups, sandbox

    layout, problem = cgroups.find()
    if layout is None:
        raise SystemExit(f"plain execution needs a control group per notebook: {problem}")
    grader = sandbox.Limits()   # the grader's process and CPU limits; the memory of --memory 3G
    # A private /tmp and /dev/shm (empty tmpfs, gone when nbconvert returns) with only the copies bound in: the
    # hostile notebooks plant files there (h_plant_and_restart writes /tmp/course_utils), and measuring the
    # unprotected baseline must leave nothing on the machine. Everything else is the machine's own view.
    plain = workdir / "plain"
    private = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm",
               "--bind", str(plain), str(plain), "--"]
    limits = cgroups.GroupLimits(memory=3 * 2**30, pids=grader.processes, cpus=grader.cpus)
    total = 0.0
    try:
        for n, copy in enumerate(copies):
            group = layout.create(f"plain-{n}", limits)

            def enter(files=group.procs_files):
                for name in files:
                    with open(name, "w") as handle:
                        handle.write(str(os.getpid()))

            started = time.perf_counter()
            try:
                subprocess.run([*private, "prlimit", f"--as={3 * 2**30}", "--", sys.executable, "-m", "jupyter",
                                "nbconvert",
                                "--to", "notebook", "--execute", "--allow-errors",
                                f"--ExecutePreprocessor.timeout={TIMEOUT}", "--ExecutePreprocessor.kernel_name=python3",
                                "--output", str(copy), str(copy)],
                               cwd=copy.parent, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, preexec_fn=enter, timeout=20 * TIMEOUT)
            except subprocess.TimeoutExpired:
                print(f"  plain execution of {copy.relative_to(workdir)} stopped after {20 * TIMEOUT} s", flush=True)
            total += time.perf_counter() - started
            group.remove()
    finally:
        cgroups.remove_layout(layout)
    return total


RUNS = ("jobs1", "jobs2", "local1", "local2", "plain")


def main(argv):
    runs = ["jobs1", "jobs2", "plain"]
    if "--dask" in argv:
        runs = list(RUNS)
    if "--runs" in argv:
        where = argv.index("--runs")
        runs = argv[where + 1].split(",")
        argv = argv[:where] + argv[where + 2:]
        unknown = set(runs) - set(RUNS)
        if unknown:
            raise SystemExit(f"--runs: unknown {', '.join(sorted(unknown))}; choose from {', '.join(RUNS)}")
    assignment_ids = [a for a in argv if a != "--dask"] or build_notebooks.assignments()
    seconds = {}
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
        for run in runs:
            if run == "plain":
                seconds[run] = plain_execution(course.root, workdir)
                print(f"plain nbconvert --execute, summed: {seconds[run]:7.1f} s; / {CORES} cores = "
                      f"{seconds[run] / CORES:.1f} s", flush=True)
            elif run.startswith("jobs"):
                seconds[run] = grade(course.root, workdir, int(run[4:]))
                print(f"--jobs {run[4:]}: {seconds[run]:7.1f} s", flush=True)
            else:
                seconds[run] = grade(course.root, workdir, scheduler=f"local:{run[5:]}")
                print(f"dask LocalCluster, {run[5:]} worker(s): {seconds[run]:7.1f} s", flush=True)

    def verdict(value, target, at_least):
        return "met" if (value >= target if at_least else value <= target) else "NOT met"

    if {"jobs1", "jobs2"} <= seconds.keys():
        speedup = seconds["jobs1"] / seconds["jobs2"]
        print(f"speed-up --jobs 2 vs --jobs 1: {speedup:.2f}x (target >= 1.8): {verdict(speedup, 1.8, True)}")
    if {"jobs2", "plain"} <= seconds.keys():
        ratio = seconds["jobs2"] / (seconds["plain"] / CORES)
        print(f"--jobs 2 / (plain / cores): {ratio:.2f} (target <= 1.3): {verdict(ratio, 1.3, False)}")
    if {"local1", "local2"} <= seconds.keys():
        scaling = seconds["local1"] / seconds["local2"]
        print(f"dask: 2 workers vs 1: {scaling:.2f}x (target >= 1.8): {verdict(scaling, 1.8, True)}")
    for workers in ("1", "2"):
        if {f"local{workers}", f"jobs{workers}"} <= seconds.keys():
            overhead = seconds[f"local{workers}"] / seconds[f"jobs{workers}"] - 1
            print(f"dask overhead, {workers} worker(s) over --jobs {workers}: {100 * overhead:+.1f} % "
                  f"(target <= 10 %): {verdict(overhead, 0.10, False)}")


if __name__ == "__main__":
    main(sys.argv[1:])
