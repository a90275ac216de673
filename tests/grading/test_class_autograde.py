"""The class autograder (tools/autograde_class.py) on a synthetic class with hostile submissions.

One run of the command on every submission of ``build_class`` for notebook 01 (honest controls: correct,
blank, partial, wrong rounds; and the hostile class of ``class_hostile.py``), on a dask ``LocalCluster`` of
2 worker processes (``--scheduler local:2``; ``test_cluster.py`` shows it gives the scores of ``--jobs 2``;
the round trip grades every notebook with ``--jobs``); then:

* every test cell of every submission has exactly its expected points in the gradebook (no attack earns
  more than its honest twin; the wrong rounds: exactly what nbgrader's own ``nbgrader autograde`` gives
  for the same notebook, run beside it as the reference);
* a student graded before the run (with a manual score) is unchanged; solutions/, notebooks/, submitted/
  and the config are byte for byte unchanged; no file outside the run's own outputs was created in the
  course, nothing planted in the sandbox reached the machine, and no process of a submission is left in
  the run's own control groups (told from those of the other tests that grade beside it by a marker);
* the summary names each submission that was not gradable or was flagged, and why, with every control
  character escaped (a folder name cannot forge a line);
* each student's feedback shows points and messages but no line of hidden test code and no text of the
  student's own code in a hidden test's message;
* grades.csv agrees with the gradebook, and the report is one HTML file with its figures (a failure
  message in broken mathtext does not stop it).
"""

import csv
import hashlib
import html
import os
from pathlib import Path
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid

import pytest

from tests.grading.class_hostile import CANARY, TIMEOUT_CONFIG
from tests.grading.class_synthetic import NB01, build_class, points_of_tests, write_reference_submissions
from tests.grading.course import ROOT, Course, cells_by_id
from tools.classgrading.outcomes import hidden_lines

ASSIGNMENTS = [NB01]
RUN_MARKER = "CLASSGRADE_TEST_RUN"   # in this run's environment only: tells its control groups from other runs'
# what the grader says it writes ("written in ...": gradebook, autograded/, feedback/, feedback_upload/, the
# nbgrader and Canvas exports, the report) and its own work folder
OUTPUTS = ("autograded", "feedback", "feedback_upload", "gradebook.db", "grades.csv", "grades_canvas.csv",
           "grade_report.html", ".classgrading")


def digest(folder):
    h = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def machine_state(path):
    """What is at ``path`` on the machine: None if nothing, else every entry with its size, time and bytes' hash.

    The hostile class plants files in the sandbox's /tmp; the test compares this before and after the run, so a
    folder left there by something else (a benchmark's unsandboxed run) is not taken for a leak, and a planted
    file that overwrote it would be caught.
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return None
    entries = [path, *sorted(path.rglob("*"))] if path.is_dir() and not path.is_symlink() else [path]
    state = []
    for entry in entries:
        info = entry.lstat()
        content = (hashlib.sha256(entry.read_bytes()).hexdigest()
                   if entry.is_file() and not entry.is_symlink() else None)
        state.append((str(entry), info.st_mode, info.st_size, info.st_mtime_ns, content))
    return state


def listing(root):
    """Every path in the course except the run's own outputs (symbolic links listed, never followed)."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        relative = Path(dirpath).relative_to(root)
        if relative.parts and relative.parts[0] in OUTPUTS:
            continue
        for name in dirnames + filenames:
            if not relative.parts and name in OUTPUTS:
                continue
            found.add(str(relative / name))
    return found


def scores_in(db_path):
    from nbgrader.api import Gradebook

    result = {}
    with Gradebook(f"sqlite:///{db_path}") as gradebook:
        for assignment in gradebook.assignments:
            for submission in gradebook.assignment_submissions(assignment.name):
                cells = {}
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        cells[grade.name] = (grade.auto_score, grade.manual_score, grade.needs_manual_grade)
                result[(submission.student_id, assignment.name)] = cells
    return result


def add_earlier_student(db_path):
    """A student graded before this run, with a manual score: the run must leave them alone."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db_path}") as gradebook:
        gradebook.update_or_create_student("earlier", first_name="Ada")
        submission = gradebook.update_or_create_submission(NB01, "earlier")
        for notebook in submission.notebooks:
            for i, grade in enumerate(notebook.grades):
                grade.auto_score = float(i % 2)
                grade.manual_score = 1.0 if grade.cell.cell_type == "markdown" else None
                grade.needs_manual_grade = False
        gradebook.db.commit()


def reference_autograde(root, assignment_ids, out):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    for assignment_id in assignment_ids:
        result = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment_id, "--create",
                                 f"--CourseDirectory.db_url=sqlite:///{root}/gradebook.db"],
                                cwd=root, env=env, capture_output=True, text=True)
        out.append(result)


class RunGroups(threading.Thread):
    """The control groups of one class-grader run, told apart from those of other runs by data.

    Under xdist other tests grade beside this one with the same grader, so "a process in some
    ``classgrade-*`` group" says nothing about this run. Each group is named ``classgrade-PID-...`` after
    the grader process that made it (a worker, or the main process's start-up probe); the group is this
    run's if that process carries ``marker`` (``NAME=value``, set in the run's environment only) in its
    environment. The owners are gone when the run ends, so the groups are collected while it runs: each
    worker keeps its group for its whole life, far longer than the poll's interval.
    """

    def __init__(self, marker):
        super().__init__(daemon=True)
        self.marker = marker.encode() + b"\0"
        self.names, self.seen, self.done = set(), set(), threading.Event()

    def run(self):
        while not self.done.wait(0.1):
            self.collect()
        self.collect()

    def collect(self):
        roots = [Path("/sys/fs/cgroup")] + [Path("/sys/fs/cgroup") / c for c in ("memory", "pids", "cpu")]
        for root in roots:
            for folder in root.glob("classgrade-*") if root.is_dir() else []:
                if folder.name in self.seen:
                    continue
                try:
                    environ = Path(f"/proc/{int(folder.name.split('-')[1])}/environ").read_bytes()
                except (OSError, IndexError, ValueError):
                    continue          # the owner is gone (or not yet readable): looked at again next time
                self.seen.add(folder.name)
                if b"\0" + self.marker in b"\0" + environ:     # a whole NAME=value entry
                    self.names.add(folder.name)

    def stop(self):
        self.done.set()
        self.join()

    def leftover_processes(self):
        """Processes still in one of this run's control groups: pid, state and command line of each."""
        left = []
        for path in Path("/proc").glob("[0-9]*"):
            try:
                # one line per hierarchy, "ID:CONTROLLERS:/PATH"; a kernel's group is under the run's
                folders = {part for line in (path / "cgroup").read_text().splitlines()
                           for part in line.split(":", 2)[-1].split("/")}
                if folders & self.names:
                    state = next(line.split()[1] for line in (path / "status").read_text().splitlines()
                                 if line.startswith("State:"))
                    command = (path / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    left.append(f"{path.name} ({state}) {command[:200]}")
            except (OSError, StopIteration):
                pass
        return left


@pytest.mark.slow
def test_class_autograde_synthetic_class(tmp_path):
    course = Course(tmp_path / "course", ASSIGNMENTS)
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(TIMEOUT_CONFIG)
    reference = tmp_path / "reference"
    shutil.copytree(course.root, reference)
    subs = build_class(course, ASSIGNMENTS)
    assert len(subs) >= 40
    write_reference_submissions(reference, subs)
    db_path = course.root / "gradebook.db"
    add_earlier_student(db_path)
    before = scores_in(db_path)
    untouched = {name: digest(course.root / name) for name in ("solutions", "notebooks", "submitted")}
    config = (course.root / "nbgrader_config.py").read_bytes()
    paths_before = listing(course.root)
    planted_before = machine_state("/tmp/course_utils")

    reference_runs = []
    reference_ids = sorted({s.assignment for s in subs if s.expected is None})
    thread = threading.Thread(target=reference_autograde, args=(reference, reference_ids, reference_runs))
    thread.start()
    started = time.monotonic()
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    env[CANARY] = "the grader's environment must not reach the sandbox"
    env[RUN_MARKER] = uuid.uuid4().hex
    groups = RunGroups(f"{RUN_MARKER}={env[RUN_MARKER]}")
    groups.start()
    try:
        run = subprocess.run([sys.executable, str(ROOT / "tools" / "autograde_class.py"), "--scheduler", "local:2",
                              "--memory", "3G"],
                             cwd=course.root, env=env, capture_output=True, text=True, timeout=1500)
    finally:
        groups.stop()
    seconds = time.monotonic() - started
    thread.join()
    print(f"class autograde: {len(subs)} submissions in {seconds:.1f} s\n{run.stdout}")
    assert run.returncode == 0, run.stderr[-5000:]
    assert "failed=" in run.stderr, "no progress bar with the failure count"

    after = scores_in(db_path)
    reference_scores = scores_in(reference / "gradebook.db")
    problems = []
    for sub in subs:
        points = points_of_tests(course.solution_notebook(sub.assignment))
        got_cells = after.get((sub.student, sub.assignment))
        if got_cells is None:
            problems.append(f"{sub.student!r}: not in the gradebook")
            continue
        got = {name: got_cells[name][0] for name in points}
        if sub.expected is None:
            ref = reference_scores.get((sub.student, sub.assignment))
            assert ref is not None, f"plain nbgrader did not grade {sub.student}: {reference_runs}"
            expected = {name: ref[name][0] for name in points}
            exercise_lost = sum(expected.values()) < sum(points.values())
            assert exercise_lost, f"{sub.student} ({sub.why}) earned full marks from plain nbgrader"
        else:
            expected = sub.expected
        if got != expected:
            diff = {name: (got[name], expected[name]) for name in points if got[name] != expected[name]}
            problems.append(f"{sub.student!r} ({sub.why}): got/expected {diff}")
    assert not problems, "\n".join(problems) + "\n" + run.stdout[-4000:]

    # nobody else changed; nothing outside the run's own output was created, changed or left running
    assert after[("earlier", NB01)] == before[("earlier", NB01)]
    assert {name: digest(course.root / name) for name in untouched} == untouched
    assert (course.root / "nbgrader_config.py").read_bytes() == config
    assert listing(course.root) == paths_before, sorted(listing(course.root) ^ paths_before)
    declared = re.search(r"^written in .*?: (.*)$", run.stdout, re.M)
    assert declared, "the summary does not say what the run wrote"
    declared = {name.rstrip("/") for name in declared.group(1).split(", ")}
    created = {path.name for path in course.root.iterdir()} - {Path(p).parts[0] for p in paths_before}
    assert created - {".classgrading"} == declared, (created, declared)
    for folder in (course.root / "autograded").iterdir():
        for path in folder.rglob("*"):
            assert path.is_dir() or (path.is_file() and not path.is_symlink() and path.suffix == ".ipynb"), path
            assert path.is_dir() or path.stat().st_size < 5 * 2**20, f"{path} is large"
    assert machine_state("/tmp/course_utils") == planted_before, (
        "a file planted in the sandbox's /tmp reached the machine")
    assert groups.names, "the test saw none of the run's control groups (is its marker in the workers' environment?)"
    left = groups.leftover_processes()
    assert not left, "processes of a submission are still running:\n" + "\n".join(left)

    # the summary says what happened to whom, and a folder name cannot forge a line
    assert "\x1b" not in run.stdout and "\r" not in run.stdout
    lines = run.stdout.splitlines()
    for sub in subs:
        shown = sub.student.encode("unicode_escape").decode()
        # the student's lines, each with the notes printed under it (indented further)
        mentioned, inside = [], False
        for line in lines:
            if f" {shown}/" in line:
                mentioned.append(line)
                inside = True
            elif inside and line.startswith("      "):
                mentioned.append(line)
            else:
                inside = False
        mentioned = " ".join(mentioned)
        for flag in sub.flags:
            assert flag in mentioned, f"{sub.student!r}: the summary should say {flag!r}: {mentioned!r}"
        if not sub.gradable:
            assert "NOT GRADABLE" in mentioned

    # feedback: points and messages, never hidden test code, never the student's text in a hidden test
    secrets = set()
    for assignment_id in ASSIGNMENTS:
        for cell in cells_by_id(course.solution_notebook(assignment_id)).values():
            secrets.update(hidden_lines(cell.source))
    for sub in subs:
        page = course.root / "feedback" / sub.student / sub.assignment / f"{sub.assignment}.html"
        text = html.unescape(page.read_text())
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{sub.student}'s feedback shows hidden test code: {leaked[:3]}"
        total = sum(sub.expected.values()) if sub.expected else None
        if total is not None:
            assert re.search(rf"<b>{total:g} / ", page.read_text()), f"{sub.student}: total {total:g} not shown"
    leak = html.unescape((course.root / "feedback" / "h_leak" / NB01 / f"{NB01}.html").read_text())
    hidden_row = re.search(r"nb01_ex4_hidden</td>(.*?)</tr>", leak, re.S).group(1)
    visible_row = re.search(r"nb01_ex4_visible</td>(.*?)</tr>", leak, re.S).group(1)
    assert "smuggled" in visible_row, "a visible test shows the student's own error message"
    assert "smuggled" not in hidden_row and "[text from your code]" in hidden_row, hidden_row

    # export and report
    with open(course.root / "grades.csv", newline="") as handle:
        rows = {(row["student_id"], row["assignment"]): float(row["raw_score"]) for row in csv.DictReader(handle)}
    for sub in subs:
        cells = after[(sub.student, sub.assignment)].values()
        total = sum(manual if manual is not None else (auto or 0) for auto, manual, _ in cells)
        assert rows[(sub.student, sub.assignment)] == pytest.approx(total)
    report = (course.root / "grade_report.html").read_text()
    assert report.count("src='data:image/png;base64,") >= 3 * len(ASSIGNMENTS)
    for assignment_id in ASSIGNMENTS:
        assert f"<h2>{assignment_id}</h2>" in report
    assert "could not be built" not in report
    assert "Most common failure messages" in report and "NotImplementedError" in report
