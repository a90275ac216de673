"""The class grader on dask.distributed: a LocalCluster gives the scores of local workers; faults lose nothing.

* ``--scheduler local:2`` grades the same submissions as ``--jobs 2`` and every score is the same;
* a dask worker killed (SIGKILL) while it grades: its submission is graded again on a worker, and every
  submission is in the gradebook once, with its right points;
* a scheduler that disappears mid-run: the command stops with a clear message, what was merged stays
  merged, and ``--resume`` grades exactly what is missing.

The tiny assignment of ``mini.py`` keeps this fast; the trusted grading itself is proved on the full
synthetic class in ``test_class_autograde.py``.
"""

import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import psutil
import pytest

from tests.grading.mini import MINI, answers, full_except, grade, mini_course  # noqa: F401

pytestmark = pytest.mark.slow


def submissions(course):
    return {
        "c1": answers(course),
        "c2": answers(course, ex1="def double(x):\n    return 3 * np.asarray(x, dtype=float)"),
        "c3": answers(course, ex4="def solve(A, b):\n    return np.linalg.inv(A) @ b"),
        "c4": answers(course, ex2="def count(values):\n    return np.int64(len(values))"),
        "c5": answers(course),
        "c6": answers(course, ex6="def label(k):\n    return 'small'"),
    }


def forget_grades(course, students):
    """Remove the students' submissions (those it has) from the gradebook, so the next run must grade them all
    again."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            try:
                gradebook.remove_submission(MINI, student)
            except MissingEntry:
                pass


@pytest.fixture(scope="module")
def by_local_workers(mini_course):
    """``submissions()`` graded by ``--jobs 2``, the reference of the dask runs: (submissions, their scores).
    Their grades are then removed from the gradebook, so that each test's run must grade them all again."""
    subs = submissions(mini_course)
    scores, _ = grade(mini_course, subs, "--jobs", "2")
    forget_grades(mini_course, subs)
    return subs, scores


def test_a_local_cluster_gives_the_scores_of_local_workers(mini_course, by_local_workers):
    subs, local = by_local_workers
    forget_grades(mini_course, subs)
    on_dask, out = grade(mini_course, subs, "--scheduler", "local:2")
    assert on_dask == local, out
    assert f"autograded {len(subs)} submissions" in out and "on the dask cluster local:2" in out, out
    assert local["c1"] == local["c5"] == full_except()
    assert local["c2"] == full_except("ex1_visible", "ex1_hidden")


def _kill_a_worker_while_it_grades(parent, killed):
    """SIGKILL the dask worker process whose sandboxed kernel is running (the parent of a kernel's bwrap).

    Only a bwrap that runs a kernel counts, and only its outer process (bwrap forks itself in the new
    namespaces, so the inner one's parent is the outer bwrap): the grader's own start-up probe
    (``bwrap ... /bin/true``, run by the main process) must not be taken for a worker grading. Under load
    that probe lives long enough to be seen, and killing it once failed the run ("bubblewrap cannot
    create namespaces").
    """
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not killed:
        try:
            for child in psutil.Process(parent).children(recursive=True):
                if child.name() == "bwrap" and "ipykernel_launcher" in child.cmdline():
                    worker = child.parent()
                    if worker is not None and worker.pid != parent and worker.name() != "bwrap":
                        os.kill(worker.pid, signal.SIGKILL)
                        killed.append(worker.pid)
                        return
        except psutil.Error:
            pass
        time.sleep(0.2)


def test_a_killed_worker_loses_no_submission(mini_course, by_local_workers):
    from nbgrader.api import Gradebook

    subs, expected = by_local_workers
    forget_grades(mini_course, subs)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    run = subprocess.Popen([sys.executable, str(Path(__file__).parents[2] / "tools" / "autograde_class.py"), MINI,
                            "--scheduler", "local:2", "--quiet", *[a for s in subs for a in ("--student", s)]],
                           cwd=mini_course, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = []
    watcher = threading.Thread(target=_kill_a_worker_while_it_grades, args=(run.pid, killed))
    watcher.start()
    out, err = run.communicate(timeout=1200)
    watcher.join()
    assert killed, "no worker was caught grading"
    assert run.returncode == 0, err[-3000:]
    with Gradebook(f"sqlite:///{mini_course / 'gradebook.db'}") as gradebook:
        found = {s.student_id: {g.name: g.auto_score for nb in s.notebooks for g in nb.grades
                                if g.cell.cell_type == "code"}
                 for s in gradebook.assignment_submissions(MINI) if s.student_id in subs}
    assert found == expected, out
    # the killed worker's submission was graded again and merged once: the run counts each submission once
    assert f"autograded {len(subs)} submissions" in out and f": {len(subs)} graded, 0 not gradable" in out, out


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_that_disappears_stops_the_run_and_resume_finishes_it(mini_course, tmp_path):
    from nbgrader.api import Gradebook

    subs = {f"s{i}": answers(mini_course) for i in range(6)}
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
               DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="2")
    env["PYTHONPATH"] = str(Path(__file__).parents[2] / "tools") + os.pathsep + env.get("PYTHONPATH", "")
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    scheduler = subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([str(bin_dir / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                               "--nworkers", "1", "--no-dashboard", "--memory-limit", "0"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    try:
        for student, nb in subs.items():
            folder = mini_course / "submitted" / student / MINI
            folder.mkdir(parents=True, exist_ok=True)
            import nbformat
            nbformat.write(nb, folder / f"{MINI}.ipynb")
        run = subprocess.Popen([sys.executable, str(Path(__file__).parents[2] / "tools" / "autograde_class.py"),
                                MINI, "--scheduler", f"tcp://127.0.0.1:{port}", "--quiet",
                                *[a for s in subs for a in ("--student", s)]],
                               cwd=mini_course, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # stop the scheduler once two submissions are in the gradebook
        deadline = time.monotonic() + 900
        graded = 0
        while time.monotonic() < deadline and run.poll() is None:
            with Gradebook(f"sqlite:///{mini_course / 'gradebook.db'}") as gradebook:
                graded = sum(1 for s in gradebook.assignment_submissions(MINI) if s.student_id in subs)
            if graded >= 2:
                break
            time.sleep(0.5)
        scheduler.send_signal(signal.SIGKILL)
        out, err = run.communicate(timeout=600)
    finally:
        for process in (scheduler, worker):
            process.kill()
            process.wait()
    assert run.returncode != 0
    assert "went away" in err and "--resume" in err, err[-2000:]
    with Gradebook(f"sqlite:///{mini_course / 'gradebook.db'}") as gradebook:
        kept = {s.student_id for s in gradebook.assignment_submissions(MINI) if s.student_id in subs}
    assert 2 <= len(kept) < len(subs)

    scores, out = grade(mini_course, subs, "--resume", "--jobs", "2", write=False)
    assert f"{len(kept)} submissions are already graded; {len(subs) - len(kept)} to go" in out
    assert all(points == full_except() for points in scores.values())
    shutil.rmtree(mini_course / "autograded", ignore_errors=True)
