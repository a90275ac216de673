"""Grades and feedback in the shapes a learning-management system imports.

* :func:`canvas_csv` writes the gradebook in the layout of a Canvas gradebook CSV (what Canvas exports and
  imports back: *Grades > Import*): the columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
  ``Section``, then one column per assignment, and a second row ``Points Possible`` with each assignment's
  maximum. Students are named "Last, First" (their id when the gradebook has no name); ``ID`` is the
  student's ``lms_user_id`` from nbgrader's gradebook (Canvas's numeric user id, when known), ``SIS User
  ID`` and ``SIS Login ID`` are nbgrader's student id. An assignment column is headed by its name, or by
  ``name (Canvas id)`` when ``canvas_ids`` gives the Canvas assignment's id, which makes Canvas match the
  column to that assignment rather than create a new one. Each score is nbgrader's total for the
  assignment: autograded and manual points, minus the late penalty.
* :func:`nbgrader_csv` writes nbgrader's own grade export (the columns and values of ``nbgrader export``'s
  CSV plugin), but as real CSV: nbgrader's plugin joins the fields with commas unquoted, so a student id or
  name holding a comma, a quote or a line break would shift or split that row.
* :func:`feedback_for_upload` copies every student's feedback page into one folder (and a zip of it),
  each file named by a pattern (default ``{student}__{assignment}.html``, the naming ``zip_collect`` reads
  back), so that an LMS bulk upload can match each file to its student.
"""

import csv
import io
from pathlib import Path
import shutil
import zipfile

from .text import safe

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"


def _name(student):
    if student.last_name or student.first_name:
        return ", ".join(part for part in (student.last_name, student.first_name) if part)
    return student.id


NBGRADER_COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                    "raw_score", "late_submission_penalty", "score", "max_score")


def nbgrader_csv(gradebook):
    """The text of nbgrader's grade export (see the module docstring): a row per assignment and student, 0 for
    a student with no submission."""
    from nbgrader.api import MissingEntry

    out = io.StringIO()
    writer = csv.writer(out)          # the excel dialect: a field holding \r or \n is quoted
    writer.writerow(NBGRADER_COLUMNS)
    for assignment in gradebook.assignments:
        for student in gradebook.students:
            row = {"assignment": assignment.name, "duedate": assignment.duedate, "student_id": student.id,
                   "last_name": student.last_name, "first_name": student.first_name, "email": student.email,
                   "max_score": assignment.max_score}
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0)
            else:
                penalty = submission.late_submission_penalty
                row.update(timestamp=submission.timestamp, raw_score=submission.score,
                           late_submission_penalty=penalty, score=max(0.0, submission.score - (penalty or 0)))
            writer.writerow(["" if row[key] is None else str(row[key]) for key in NBGRADER_COLUMNS])
    return out.getvalue()


def canvas_csv(gradebook, assignment_ids, canvas_ids=None):
    """The text of a Canvas gradebook CSV for ``assignment_ids`` (see the module docstring)."""
    canvas_ids = canvas_ids or {}
    assignments = [gradebook.find_assignment(a) for a in assignment_ids]
    out = io.StringIO()
    writer = csv.writer(out)          # the excel dialect: a field holding \r or \n is quoted
    headers = [f"{a.name} ({canvas_ids[a.name]})" if a.name in canvas_ids else a.name for a in assignments]
    writer.writerow(list(CANVAS_COLUMNS) + headers)
    writer.writerow([POINTS_POSSIBLE, "", "", "", ""] + [f"{a.max_score:g}" for a in assignments])
    for student in sorted(gradebook.students, key=lambda s: s.id):
        row = [_name(student), student.lms_user_id or "", student.id, student.id, ""]
        for assignment in assignments:
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except Exception:
                row.append("")            # no submission: left blank (Canvas keeps what it has)
                continue
            row.append(f"{submission.score - (submission.late_submission_penalty or 0):g}")
        writer.writerow(row)
    return out.getvalue()


def feedback_for_upload(gradebook, course_root, assignment_ids, folder, pattern="{student}__{assignment}.html"):
    """Copy each student's feedback into ``folder/<assignment>/`` named by ``pattern``, and zip each folder.

    ``pattern`` may use ``{student}``, ``{assignment}``, ``{notebook}`` and ``{lms_user_id}``. Returns the zips.
    """
    course_root, folder = Path(course_root), Path(folder)
    zips = []
    for assignment_id in assignment_ids:
        target = folder / assignment_id
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        assignment = gradebook.find_assignment(assignment_id)
        for submission in gradebook.assignment_submissions(assignment_id):
            student = gradebook.find_student(submission.student_id)
            for notebook in assignment.notebooks:
                page = course_root / "feedback" / student.id / assignment_id / f"{notebook.name}.html"
                if not page.is_file() or page.is_symlink():
                    continue
                name = pattern.format(student=student.id, assignment=assignment_id, notebook=notebook.name,
                                      lms_user_id=student.lms_user_id or student.id)
                if "/" in name or name in ("", ".", ".."):
                    raise ValueError(f"the feedback name {safe(name)!r} is not a file name")
                shutil.copyfile(page, target / name)
        archive = folder / f"{assignment_id}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(target.iterdir()):
                zipped.write(path, path.name)
        zips.append(archive)
    return zips
