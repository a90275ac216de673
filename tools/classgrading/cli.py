"""``python tools/autograde_class.py``: autograde a whole class, in parallel, isolated, with a report.

Run from the course root (where ``nbgrader_config.py`` is)::

    python tools/autograde_class.py                        # every assignment with submissions
    python tools/autograde_class.py 01_eigendecomposition --jobs 2

Reads ``submitted/<student>/<assignment>/``; writes the scores into
``gradebook.db`` (through nbgrader's API), the executed notebooks into
``autograded/``, student feedback into ``feedback/``, ``grades.csv`` (nbgrader's
CSV export) and ``grade_report.html``. The grading plans (what each test may read)
are cached in ``.classgrading/``.
"""

import argparse
import itertools
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
import multiprocessing
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import time

from . import cgroups as cgroups_module
from . import merge
from . import sandbox as sandbox_module
from . import worker
from .text import safe

UNITS = {"k": 2**10, "m": 2**20, "g": 2**30}


def size(text):
    """'4G', '512M', '2000000' -> bytes."""
    text = text.strip().lower().rstrip("ib")
    if text and text[-1] in UNITS:
        return int(float(text[:-1]) * UNITS[text[-1]])
    return int(text)


def parser():
    p = argparse.ArgumentParser(prog="python tools/autograde_class.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("assignments", nargs="*", help="assignment ids (default: every assignment in solutions/ "
                                                  "that has submissions)")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                   help="submissions graded at once (default: the number of cores)")
    p.add_argument("--scheduler", default=None,
                   help="grade on a dask.distributed cluster: tcp://HOST:PORT of its scheduler, or local:N for a "
                        "LocalCluster of N worker processes on this machine (default: --jobs local processes)")
    p.add_argument("--resume", action="store_true",
                   help="grade only the submissions that have no autograded notebook newer than what was submitted "
                        "(after an interrupted run)")
    p.add_argument("--course", default=".", help="course root, with nbgrader_config.py (default: .)")
    p.add_argument("--student", action="append", default=[], help="only this student (repeatable)")
    p.add_argument("--timeout", type=int, default=None,
                   help="seconds a cell may run (default: Execute.timeout of nbgrader_config.py)")
    p.add_argument("--memory", type=size, default=sandbox_module.Limits.memory,
                   help="memory of one submission, all its processes together, and the address space of each "
                        "of them, e.g. 4G (default 4G)")
    p.add_argument("--deadline", type=float, default=900.0,
                   help="seconds one whole submission may take; cells after it are not run (default 900)")
    p.add_argument("--cgroup-parent", default=None,
                   help="a delegated cgroup v2 folder under which each submission gets its own group (default: "
                        "the cgroup tree itself, which needs root)")
    p.add_argument("--no-cgroups", action="store_true",
                   help="limit memory per process only, without a limit on processes and CPU per submission "
                        "(for machines without cgroups; a submission can then use more than its share)")
    p.add_argument("--output-limit", type=size, default=2_000_000,
                   help="bytes of output one cell may produce before it is stopped (default 2M)")
    p.add_argument("--no-sandbox", action="store_true",
                   help="run kernels without bubblewrap (resource limits still apply); only for machines "
                        "where bubblewrap cannot work, and only for trusted submissions")
    p.add_argument("--export", default="grades.csv", help="CSV export of the gradebook ('' to skip)")
    p.add_argument("--canvas", default="grades_canvas.csv",
                   help="the gradebook as a Canvas gradebook CSV, for Grades > Import ('' to skip)")
    p.add_argument("--canvas-ids", default="",
                   help="Canvas assignment ids, e.g. 01_eigendecomposition=1234,02_pca=1235 (columns then match "
                        "those assignments)")
    p.add_argument("--feedback-upload", default="feedback_upload",
                   help="folder of every student's feedback named for an LMS bulk upload, with a zip per "
                        "assignment ('' to skip)")
    p.add_argument("--feedback-pattern", default="{student}__{assignment}.html",
                   help="file name of each feedback page there ({student}, {assignment}, {notebook}, {lms_user_id})")
    p.add_argument("--report", default="grade_report.html", help="HTML grade report ('' to skip)")
    p.add_argument("--no-feedback", action="store_true", help="do not write feedback/")
    p.add_argument("--no-grading", action="store_true",
                   help="grade nothing; rebuild feedback, export and report from the gradebook and autograded/ "
                        "(e.g. after grading written answers by hand)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def solution_assignments(course):
    folder = course / "solutions"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / f"{p.name}.ipynb").is_file())


def find_submissions(course, assignment_ids, students=()):
    """Tasks ``(student, assignment, {file: bytes}, notes)`` for every submission, read without following links,
    and failed results for the submissions that cannot be read."""
    found, skipped = merge.list_submissions(course, assignment_ids, students)
    tasks, failed = [], []
    for student, assignment_id in found:
        try:
            files, notes = merge.read_submission(course, student, assignment_id)
        except OSError as error:
            failed.append(failed_result((student, assignment_id), f"the submission cannot be read: {error}"))
            continue
        tasks.append((student, assignment_id, files, notes))
    for student, assignment_id, why in skipped:
        for one in [assignment_id] if assignment_id is not None else assignment_ids:
            failed.append(failed_result((student, one), why))
    return tasks, failed


def ensure_in_gradebook(course, assignment_ids, db_path):
    """Record assignments the gradebook lacks (fresh clone) with nbgrader generate_assignment, into a scratch
    release folder so that notebooks/ is left alone."""
    from nbgrader.api import Gradebook, MissingEntry

    missing = []
    with Gradebook(f"sqlite:///{db_path}") as gradebook:
        for assignment_id in assignment_ids:
            try:
                if not gradebook.find_assignment(assignment_id).notebooks:
                    missing.append(assignment_id)
            except MissingEntry:
                missing.append(assignment_id)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    for assignment_id in missing:
        if not (course / "solutions" / assignment_id).is_dir():
            raise SystemExit(f"{assignment_id}: not in the gradebook and not in solutions/")
        print(f"recording {assignment_id} in the gradebook (nbgrader generate_assignment)", file=sys.stderr)
        with tempfile.TemporaryDirectory() as release:
            subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment_id, "--force",
                            "--log-level=WARN", f"--CourseDirectory.release_directory={release}",
                            f"--CourseDirectory.db_url=sqlite:///{db_path}"], cwd=course, env=env, check=True)


def build_plans(course, assignment_ids, jobs, timeout):
    """The grading plan of every assignment (cached in .classgrading/), recorded ``jobs`` at a time."""
    from . import plan as plan_module

    def one(assignment_id):
        return assignment_id, plan_module.load_or_build(course, assignment_id, timeout=timeout or 600,
                                                        log=lambda text: print(safe(text), file=sys.stderr))

    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(assignment_ids)))) as pool:
        plans = dict(pool.map(one, assignment_ids))
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for plan, _ in plans.values():
            plan_module.check_against_gradebook(plan, gradebook)
    # the files the plans were read from or written to (a course_utils file edited meanwhile changes the
    # fingerprint, not which plan this run uses)
    return {a: str(path) for a, (_, path) in plans.items()}


def order_by_cost(tasks, course):
    """Longest first (bigger notebooks take longer), so the last submissions do not run alone."""
    def cost(task):
        path = course / "solutions" / task[1] / f"{task[1]}.ipynb"
        return path.stat().st_size if path.is_file() else 0
    return sorted(tasks, key=cost, reverse=True)


def run_pool(tasks, settings, jobs, progress):
    """Grade ``tasks`` with ``jobs`` worker processes; yields each result as it arrives.

    A worker that crashes (which the sandbox and limits should prevent) breaks the pool: a new pool is started
    and the unfinished submissions are resubmitted; a submission in flight during two crashes is given up.
    """
    key = lambda task: (task[0], task[1])  # noqa: E731
    attempts = {key(task): 0 for task in tasks}
    pending = list(tasks)
    context = multiprocessing.get_context("spawn")
    while pending:
        with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(pending))), mp_context=context,
                                 initializer=worker.init, initargs=(settings,)) as pool:
            futures = {pool.submit(worker.grade, task): task for task in pending}
            done = set()
            try:
                for future in as_completed(futures):
                    task = futures[future]
                    done.add(key(task))
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        raise
                    except Exception as error:
                        yield failed_result(task, f"the grading worker failed: {error!r}")
            except BrokenProcessPool:
                pass
            pending = [task for task in pending if key(task) not in done]
            for task in pending:
                attempts[key(task)] += 1
            given_up = [task for task in pending if attempts[key(task)] >= 2]
            for task in given_up:
                yield failed_result(task, "the grading worker crashed twice on this submission")
            pending = [task for task in pending if attempts[key(task)] < 2]


def failed_result(task, reason):
    student, assignment_id = task[0], task[1]
    return {"student": student, "assignment": assignment_id, "status": "failed", "reason": reason, "notes": [],
            "events": [], "timestamp": None, "notebooks": [], "autograded": {}, "seconds": 0.0, "worker": None,
            "log": ""}


def main(argv=None):
    args = parser().parse_args(argv)
    course = Path(args.course).resolve()
    if not (course / "nbgrader_config.py").is_file():
        raise SystemExit(f"{course} has no nbgrader_config.py: run from the course root or pass --course")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    started = time.monotonic()
    assignment_ids = args.assignments or solution_assignments(course)
    db_path = course / "gradebook.db"

    worker.quiet_sqlalchemy()
    results = []
    tasks, unreadable = find_submissions(course, assignment_ids, args.student)
    if not args.assignments:
        assignment_ids = sorted({task[1] for task in tasks} | {r["assignment"] for r in unreadable})
    if not args.no_grading:
        if not tasks and not unreadable:
            print("no submissions found in submitted/<student>/<assignment>/", file=sys.stderr)
        else:
            ensure_in_gradebook(course, assignment_ids, db_path)
            limits = sandbox_module.Limits(memory=args.memory)
            sandbox = sandbox_module.Sandbox(limits=limits)
            if args.no_sandbox:
                sandbox.enabled = False
                print("WARNING: --no-sandbox: student code can read and write everything this user can",
                      file=sys.stderr)
            elif args.scheduler is None or args.scheduler.startswith("local:"):
                problem = sandbox_module.bubblewrap_problem()
                if problem:
                    raise SystemExit(f"cannot isolate student code: {problem}. Install bubblewrap, or pass "
                                     "--no-sandbox for trusted submissions only.")
                if not args.no_cgroups:
                    problem = cgroups_module.check(args.cgroup_parent)
                    if problem:
                        raise SystemExit(f"cannot limit each submission as a whole: {problem}. Pass --no-cgroups "
                                         "to limit each process only.")
            if args.resume:
                tasks, skipped = still_to_grade(course, tasks, db_path)
                print(f"--resume: {skipped} submissions are already graded; {len(tasks)} to go", file=sys.stderr)
            plans = build_plans(course, sorted({t[1] for t in tasks}), args.jobs, args.timeout)
            settings = worker.settings_for(course, plans, timeout=args.timeout, output_limit=args.output_limit,
                                           sandbox=sandbox, cgroups=not args.no_cgroups,
                                           cgroup_parent=args.cgroup_parent, deadline=args.deadline)
            results = grade_all(course, tasks, unreadable, db_path, settings, args)
            cgroups_module.sweep(args.cgroup_parent)
    finish(course, args, assignment_ids, results, tasks, db_path)
    summary(results, args, course, time.monotonic() - started)
    return 0


def grade_all(course, tasks, unreadable, db_path, settings, args):
    """Grade ``tasks`` (on local processes or a dask cluster), merging each result as it arrives."""
    from nbgrader.api import Gradebook
    from tqdm import tqdm

    scratch = Path(tempfile.mkdtemp(prefix="classgrade-"))
    settings.scratch = str(scratch)
    results = []
    ordered = order_by_cost(tasks, course)
    if args.scheduler:
        from .cluster import run_on_cluster
        graded = run_on_cluster(ordered, settings, args.scheduler, failed_result)
    else:
        graded = run_pool(ordered, settings, args.jobs, None)
    try:
        failures = flagged = 0
        bar = tqdm(total=len(tasks) + len(unreadable), unit="submission", desc="autograding", disable=args.quiet,
                   dynamic_ncols=True, mininterval=0.5)
        with Gradebook(f"sqlite:///{db_path}") as gradebook:
            for result in itertools.chain(unreadable, graded):
                try:
                    merge.merge_result(gradebook, result)
                    merge.install_autograded(result, course)
                except Exception as error:
                    result["status"], result["reason"] = "failed", f"could not be recorded: {error!r}"
                results.append(result)
                failures += result["status"] == "failed"
                flagged += bool(result["events"] or result["notes"]) and result["status"] != "failed"
                bar.set_postfix(failed=failures, flagged=flagged, refresh=False)
                bar.update(1)
        bar.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def still_to_grade(course, tasks, db_path):
    """The tasks without an autograded notebook newer than the submission (nbgrader's own rule), and how many
    were skipped."""
    from nbgrader.api import Gradebook, MissingEntry

    left, skipped = [], 0
    with Gradebook(f"sqlite:///{db_path}") as gradebook:
        for task in tasks:
            student, assignment_id = task[0], task[1]
            submitted = course / "submitted" / student / assignment_id
            autograded = course / "autograded" / student / assignment_id
            newest = max((p.lstat().st_mtime for p in submitted.rglob("*")), default=0)
            done = [p for p in autograded.glob("*.ipynb") if p.is_file() and not p.is_symlink()]
            try:
                gradebook.find_submission(assignment_id, student)
                recorded = True
            except MissingEntry:
                recorded = False
            if recorded and done and min(p.stat().st_mtime for p in done) >= newest:
                skipped += 1
            else:
                left.append(task)
    return left, skipped


def finish(course, args, assignment_ids, results, tasks, db_path):
    """Feedback, export and report, each robust to any submission: one failure is reported, never fatal."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db_path}") as gradebook:
        if not args.no_feedback:
            from .feedback import write_feedback
            graded = results or [{"student": t[0], "assignment": t[1], "notes": []} for t in tasks]
            for result in graded:
                try:
                    write_feedback(gradebook, course, result["assignment"], result["student"], result["notes"])
                except Exception as error:
                    print(f"no feedback for {safe(result['student'])}/{safe(result['assignment'])}: "
                          f"{safe(repr(error))}", file=sys.stderr)
        if args.export:
            try:
                from .export import nbgrader_csv
                merge.write_file(course, args.export, nbgrader_csv(gradebook).encode())
            except Exception as error:
                print(f"the CSV export failed: {safe(repr(error))}", file=sys.stderr)
        if args.canvas:
            from .export import canvas_csv
            try:
                ids = dict(item.split("=", 1) for item in args.canvas_ids.split(",") if "=" in item)
                merge.write_file(course, args.canvas, canvas_csv(gradebook, assignment_ids, ids).encode())
            except Exception as error:
                print(f"the Canvas export failed: {safe(repr(error))}", file=sys.stderr)
        if args.feedback_upload and not args.no_feedback:
            from .export import feedback_for_upload
            try:
                feedback_for_upload(gradebook, course, assignment_ids, course / args.feedback_upload,
                                    args.feedback_pattern)
            except Exception as error:
                print(f"the feedback for upload failed: {safe(repr(error))}", file=sys.stderr)
        if args.report:
            from .report import build_report
            try:
                merge.write_file(course, args.report, build_report(gradebook, course, assignment_ids,
                                                                   results).encode())
            except Exception as error:
                print(f"the grade report failed: {safe(repr(error))}", file=sys.stderr)


def summary(results, args, course, seconds):
    out = sys.stdout
    if results:
        failed = [r for r in results if r["status"] == "failed"]
        flagged = [r for r in results if r["status"] != "failed" and (r["events"] or r["notes"])]
        where = f"on the dask cluster {args.scheduler}" if args.scheduler else f"with --jobs {args.jobs}"
        print(f"\nautograded {len(results)} submissions in {seconds:.1f} s {where}: "
              f"{len(results) - len(failed)} graded, {len(failed)} not gradable, {len(flagged)} flagged", file=out)
        for r in failed:
            reason = (r["reason"].strip().splitlines() or [""])[-1]
            print(f"  NOT GRADABLE {safe(r['student'])}/{safe(r['assignment'])}: {safe(reason)}", file=out)
            for note in r["notes"]:
                print(f"      {safe(note)}", file=out)
        for r in flagged:
            items = list(r["notes"]) + [f"{e['kind']} in {e['cell']}" for e in r["events"]]
            print(f"  flagged {safe(r['student'])}/{safe(r['assignment'])}: {safe('; '.join(items))}", file=out)
        timed = sorted((r for r in results if r["seconds"]), key=lambda r: r["seconds"], reverse=True)[:5]
        if timed:
            print("  slowest: " + ", ".join(f"{safe(r['student'])}/{safe(r['assignment'])} {r['seconds']:.1f} s"
                                           for r in timed), file=out)
        by_assignment = {}
        for r in results:
            total = sum((g["auto_score"] or 0) for nb in r["notebooks"] for g in nb["grades"])
            by_assignment.setdefault(r["assignment"], []).append(total)
        for assignment_id, totals in sorted(by_assignment.items()):
            print(f"  {assignment_id}: {len(totals)} submissions, mean autograded score "
                  f"{sum(totals) / len(totals):.2f}", file=out)
    written = ["gradebook.db", "autograded/"] if results else []
    written += [] if args.no_feedback else ["feedback/"] + ([args.feedback_upload + "/"] if args.feedback_upload
                                                             else [])
    written += [p for p in (args.export, args.canvas, args.report) if p]
    print(f"written in {course}: {', '.join(written)}", file=out)
