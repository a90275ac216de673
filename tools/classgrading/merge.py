"""The parent's side: merge one worker's result into the real gradebook, through nbgrader's API.

Only the parent process writes the course's gradebook (SQLite takes one writer at
a time), one submission per transaction, with nbgrader's own ``Gradebook``
objects: the student, the submission (with the timestamp nbgrader read from
``timestamp.txt``), each grade's ``auto_score`` and ``needs_manual_grade``, each
answer's ``auto_comment`` and the notebook's late penalty -- exactly the fields
``nbgrader autograde`` writes. Manual scores are never touched.
"""

from pathlib import Path
import shutil


def merge_result(gradebook, result):
    """Write ``result`` (from :func:`classgrading.worker.grade`) into ``gradebook``."""
    assignment_id, student_id = result["assignment"], result["student"]
    gradebook.update_or_create_student(student_id)
    kwargs = {"timestamp": result["timestamp"]} if result["timestamp"] else {}
    submission = gradebook.update_or_create_submission(assignment_id, student_id, **kwargs)
    graded = result["status"] == "graded"
    by_name = {notebook["name"]: notebook for notebook in result["notebooks"]}
    for notebook in submission.notebooks:
        ours = by_name.get(notebook.name)
        grades = {g["name"]: g for g in ours["grades"]} if ours else {}
        comments = {c["name"]: c for c in ours["comments"]} if ours else {}
        notebook.late_submission_penalty = ours["late_penalty"] if ours else None
        for grade in notebook.grades:
            ours_grade = grades.get(grade.name)
            grade.auto_score = ours_grade["auto_score"] if ours_grade else 0
            if graded and ours_grade:
                # nbgrader's rule (SaveAutoGrades): review what a grader already scored or the autograder could not
                grade.needs_manual_grade = bool(ours_grade["needs_manual_grade"]) or grade.manual_score is not None \
                    or grade.auto_score is None
            else:
                grade.needs_manual_grade = False
        for comment in notebook.comments:
            ours_comment = comments.get(comment.name)
            comment.auto_comment = ours_comment["auto_comment"] if ours_comment else None
    gradebook.db.commit()


def install_autograded(result, course_root):
    """Move the autograded folder from the worker's scratch course into ``autograded/`` of the course."""
    dest = Path(course_root) / "autograded" / result["student"] / result["assignment"]
    if dest.exists():
        shutil.rmtree(dest)
    if result["autograded"]:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(result["autograded"], dest)
        shutil.rmtree(result["autograded"], ignore_errors=True)
    return dest
