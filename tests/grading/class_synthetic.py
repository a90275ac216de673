"""A synthetic class of submissions for the class autograder (tools/autograde_class.py).

``build_class(course)`` writes submissions into ``course.root/submitted/`` and
returns one :class:`Submission` per student with what grading must give:

* for every assignment in solutions/: ``correct`` (full marks) and ``wrong0`` (the
  first typical wrong answer of every exercise, from ``variants/``); for notebook 01
  also ``blank`` (the student version untouched: zero), ``partial`` (the first half
  of the exercises answered: exactly their points), ``wrong1`` and ``wrong2``. A wrong round's exact scores are those of nbgrader's own
  ``nbgrader autograde`` on the same notebook (``expected=None`` here: the test
  computes them with plain nbgrader as the reference);
* hostile submissions to notebook 01 (``class_hostile.py``), each built on the
  correct (or a wrong) answer with one attack, and the exact points it must get.
"""

from dataclasses import dataclass, field
import itertools
import os

import nbformat

from tests.grading.class_hostile import hostile, stub_answer, with_cell  # noqa: F401  (re-exported)
from tests.grading.course import (answered, build_notebooks, cells_by_id, exercise_of, is_answer_cell,
                                  is_autograded_test, variants_for)

NB01 = "01_eigendecomposition"


@dataclass
class Submission:
    student: str
    assignment: str
    why: str
    expected: dict | None         # {test cell id: points}; None: nbgrader's own autograde is the reference
    gradable: bool = True
    flags: tuple = ()             # words the command's summary must print for this student
    files: dict = field(default_factory=dict)   # file name -> notebook node or raw text


def points_of_tests(solution):
    return {gid: float(cell.metadata["nbgrader"]["points"]) for gid, cell in cells_by_id(solution).items()
            if is_autograded_test(cell)}


def exercises(solution):
    ordered = [exercise_of(gid) for gid in points_of_tests(solution)]
    return list(dict.fromkeys(ordered))


def expect(solution, zero=(), zero_cells=()):
    """Full marks except the test cells of the exercises in ``zero`` and the cells in ``zero_cells``."""
    return {gid: (0.0 if exercise_of(gid) in zero or gid in zero_cells else points)
            for gid, points in points_of_tests(solution).items()}


def partially_answered(student_nb, solution_nb, keep):
    nb = nbformat.from_dict(student_nb)
    solution_cells = cells_by_id(solution_nb)
    for gid, cell in cells_by_id(nb).items():
        if is_answer_cell(cell) and exercise_of(gid) in keep:
            cell.source = solution_cells[gid].source
    return nb


def ordinary(assignment_id, student_nb, solution_nb, rounds, full=True):
    """correct, blank, partial and the first ``rounds`` wrong rounds of one assignment (``full=False``:
    correct and the wrong rounds only; the grading round trip already proves each notebook's blank version)."""
    names = exercises(solution_nb)
    half = names[: len(names) // 2]
    subs = [
        Submission(f"nb{assignment_id[:2]}correct", assignment_id, "the solution's answers",
                   expect(solution_nb), files={"": answered(student_nb, solution_nb)}),
        Submission(f"nb{assignment_id[:2]}blank", assignment_id, "the student version, untouched",
                   expect(solution_nb, zero=names), files={"": student_nb}),
        Submission(f"nb{assignment_id[:2]}partial", assignment_id, f"only {', '.join(half)} answered",
                   expect(solution_nb, zero=[n for n in names if n not in half]),
                   files={"": partially_answered(student_nb, solution_nb, half)}),
    ]
    if not full:
        subs = subs[:1]
    by_exercise = {}
    for variant in variants_for(assignment_id):
        by_exercise.setdefault(exercise_of(variant.cell), []).append(variant)
    for i, chosen in enumerate(itertools.zip_longest(*by_exercise.values())):
        if i >= rounds:
            break
        chosen = [v for v in chosen if v]
        subs.append(Submission(f"nb{assignment_id[:2]}wrong{i}", assignment_id,
                               "; ".join(v.why for v in chosen), None,
                               files={"": answered(student_nb, solution_nb, chosen)}))
    return subs


def build_class(course, assignment_ids=None):
    """Write the synthetic class into ``course`` (a tests.grading.course.Course); returns the submissions."""
    assignment_ids = assignment_ids or build_notebooks.assignments()
    subs = []
    for assignment_id in assignment_ids:
        student_nb, solution_nb = course.student_notebook(assignment_id), course.solution_notebook(assignment_id)
        # Notebook 01 gets every kind (and the hostile ones); the others, which take longer to run, the
        # correct answers and one round of wrong ones, so that the test stays a few minutes long.
        subs += ordinary(assignment_id, student_nb, solution_nb, rounds=3 if assignment_id == NB01 else 1,
                         full=assignment_id == NB01)
        if assignment_id == NB01:
            subs += hostile(course, student_nb, solution_nb, expect, exercises, Submission)
    for sub in subs:
        folder = course.root / "submitted" / sub.student / sub.assignment
        if "=>" in sub.files:                       # the assignment folder itself is a link
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(sub.files["=>"], folder)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in sub.files.items():
            if name.startswith("->"):
                os.symlink(content, folder / name[2:])
                continue
            if name.startswith("|"):
                os.mkfifo(folder / name[1:])
                continue
            path = folder / (name or f"{sub.assignment}.ipynb")
            if isinstance(content, str):
                path.write_text(content)
            else:
                nbformat.write(content, path)
    return subs


def write_reference_submissions(root, subs):
    """Copy the submissions whose expected scores come from plain nbgrader into another course at ``root``."""
    for sub in subs:
        if sub.expected is None:
            folder = root / "submitted" / sub.student / sub.assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(sub.files[""], folder / f"{sub.assignment}.ipynb")


