"""Grades that reach the LMS: the late policy of nbgrader_config.py, the Canvas CSV, feedback for bulk upload.

``data/canvas_gradebook_export.csv`` is a Canvas gradebook export written as Canvas lays it out (the five
student columns, assignment columns headed ``name (id)``, a ``Points Possible`` row, read-only totals);
the class grader's Canvas file must have the same layout, so that *Grades > Import* takes it, and hold
nbgrader's totals with the late penalty taken off. The late policy (10 % per started day, nothing after 5
days) is checked against its closed form on submissions on time, 1.5 days late and 10 days late.
"""

import csv
import datetime
import io
from pathlib import Path
import subprocess
import sys
import zipfile

import pytest

from tests.grading.mini import MINI, answers, grade, mini_course  # noqa: F401

pytestmark = pytest.mark.slow
CANVAS_SAMPLE = Path(__file__).with_name("data") / "canvas_gradebook_export.csv"
DUE = datetime.datetime(2027, 1, 20, 12, 0, 0)


def test_late_policy_canvas_csv_and_feedback_for_upload(mini_course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{mini_course / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(MINI, duedate=DUE)
        gradebook.update_or_create_student("l_ontime", first_name="Ada", last_name="Lovelace", lms_user_id="5001")
    late_by = {"l_ontime": datetime.timedelta(hours=-1), "l_late": datetime.timedelta(hours=36),
               "l_very_late": datetime.timedelta(days=10), "l_late_partly": datetime.timedelta(hours=36)}
    subs = {student: answers(mini_course) for student in late_by}
    # late and partly wrong: the penalty is a share of the score earned, not of the points possible
    subs["l_late_partly"] = answers(mini_course, ex1="def double(x):\n    return 3 * np.asarray(x, dtype=float)")
    for student, delay in late_by.items():
        folder = mini_course / "submitted" / student / MINI
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "timestamp.txt").write_text((DUE + delay).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    _, out = grade(mini_course, subs, "--canvas-ids", f"{MINI}=777")

    full = 12.0
    expected_penalty = {"l_ontime": 0.0, "l_late": full * 0.10 * 2, "l_very_late": full}
    with Gradebook(f"sqlite:///{mini_course / 'gradebook.db'}") as gradebook:
        for student, penalty in expected_penalty.items():
            submission = gradebook.find_submission(MINI, student)
            assert submission.score == pytest.approx(full), out
            assert (submission.late_submission_penalty or 0.0) == pytest.approx(penalty), student
        partly = gradebook.find_submission(MINI, "l_late_partly")
        assert 0 < partly.score < full, out
        assert partly.late_submission_penalty == pytest.approx(partly.score * 0.10 * 2)

    ours = list(csv.reader(io.StringIO((mini_course / "grades_canvas.csv").read_text())))
    sample = list(csv.reader(CANVAS_SAMPLE.open()))
    assert ours[0][:5] == sample[0][:5], "the five student columns, named and ordered as Canvas has them"
    assert ours[0][5] == f"{MINI} (777)", "an assignment column is 'name (Canvas id)', as in Canvas's export"
    assert ours[1][0] == sample[1][0] and ours[1][1:5] == ["", "", "", ""]
    assert float(ours[1][5]) == full
    rows = {row[2]: row for row in ours[2:]}
    assert rows["l_ontime"][:5] == ["Lovelace, Ada", "5001", "l_ontime", "l_ontime", ""]
    for student, penalty in expected_penalty.items():
        assert float(rows[student][5]) == pytest.approx(full - penalty), student

    # grades.csv: nbgrader's own export, value for value (these ids need no quoting, so nbgrader's file parses)
    plain = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", "plain_grades.csv"],
                           cwd=mini_course, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr[-3000:]
    with open(mini_course / "plain_grades.csv", newline="") as theirs, \
            open(mini_course / "grades.csv", newline="") as ours_csv:
        assert list(csv.DictReader(ours_csv)) == list(csv.DictReader(theirs))

    upload = mini_course / "feedback_upload"
    names = sorted(p.name for p in (upload / MINI).iterdir())
    assert {f"{s}__{MINI}.html" for s in late_by} <= set(names)
    with zipfile.ZipFile(upload / f"{MINI}.zip") as zipped:
        assert sorted(zipped.namelist()) == names
        page = zipped.read(f"l_late__{MINI}.html").decode()
    assert f"{MINI}: feedback for l_late" in page
