"""Grade every notebook's exercises the way the class grader grades a class, with all their variants.

For each assignment one course is generated from solutions/ (nbgrader, as instructors do) and these
submissions are graded by the class grader's own workers (``tools/classgrading``: sandboxed kernels, test
cells in the grader, nbgrader's Autograde and gradebook):

* ``correct``: the student version with the solution's answers. While this submission's kernel is up,
  every wrong variant and every alternative correct answer of ``variants/``, and the student version's own
  (untouched) answer cell of every exercise, are graded too: the kernel runs that other version of the answer
  cell in a copy of the namespace the answer cell started from, and the exercise's test cells are run on it,
  exactly as for a submission that differs only in that cell;
* optionally, for the ``full_rounds``, full submissions graded from scratch like any other: ``stub`` (the
  student version untouched), ``wrong0`` and ``alt0`` (the first wrong variant / alternative of every
  exercise, in one notebook each), so that a test can show that the shortcut above gives the same points as
  a full grading.

``python -m tests.grading.exercise_check 02_pca`` prints the points of each variant.
"""

from dataclasses import dataclass
import os
from pathlib import Path
import sys

import nbformat

from tests.grading.course import (ROOT, Course, alternatives_for, answered, cells_by_id, exercise_of,
                                  is_answer_cell, is_autograded_test, variants_for)

sys.path.insert(0, str(ROOT / "tools"))


def test_cells(solution):
    """{exercise: [its test cells' ids, in notebook order]}."""
    found = {}
    for gid, cell in cells_by_id(solution).items():
        if is_autograded_test(cell):
            found.setdefault(exercise_of(gid), []).append(gid)
    return found


def points(solution):
    return {gid: float(cell.metadata["nbgrader"]["points"]) for gid, cell in cells_by_id(solution).items()
            if is_autograded_test(cell)}


def variant_source(solution, item):
    """The answer cell's source with a wrong variant or an alternative applied."""
    if getattr(item, "source", None) is not None:
        return item.source
    source = cells_by_id(solution)[item.cell].source
    for old, new in item.replace.items():
        if old not in source:
            raise ValueError(f"{item.why!r}: {old!r} is not in the solution of {item.cell}")
        source = source.replace(old, new)
    return source


@dataclass(frozen=True)
class Untouched:
    """The student version's own answer cell (its stub), graded in place of the solution's."""

    cell: str
    why: str
    source: str


def untouched_answers(student):
    """One :class:`Untouched` per code answer cell of the student version."""
    return [Untouched(gid, f"the untouched answer cell {gid}", cell.source)
            for gid, cell in cells_by_id(student).items() if is_answer_cell(cell) and cell.cell_type == "code"]


def variant_specs(assignment_id, solution, student):
    """The variants to grade with the correct submission: (key, kind, item) and the spec the grader takes;
    kind is "wrong", "alt" or "stub"."""
    tests = test_cells(solution)
    order = list(cells_by_id(solution))
    specs, items = [], {}
    for kind, collection in (("wrong", variants_for(assignment_id)), ("alt", alternatives_for(assignment_id)),
                             ("stub", untouched_answers(student))):
        for n, item in enumerate(collection):
            later_tests = [gid for gid in tests.get(exercise_of(item.cell), [])
                           if order.index(gid) > order.index(item.cell)]
            if kind == "stub" and not later_tests:    # an answer no autograded test reads (graded by hand)
                continue
            key = f"{kind}{n}"
            items[key] = (kind, item)
            specs.append({"key": key, "cell": item.cell, "source": variant_source(solution, item),
                          "tests": tests[exercise_of(item.cell)]})
    return specs, items


def first_rounds(assignment_id):
    """The first wrong variant and the first alternative of every exercise."""
    def first(items):
        chosen = {}
        for item in items:
            chosen.setdefault(exercise_of(item.cell), item)
        return list(chosen.values())
    return first(variants_for(assignment_id)), first(alternatives_for(assignment_id))


def notebook_bytes(nb):
    return nbformat.writes(nb).encode()


def grade_assignments(root, assignment_ids, jobs=2, full_rounds=(), before_grading=None):
    """Grade the submissions above for every assignment; returns {assignment: {"results": {student: result},
    "items": {variant key: (kind, item)}, "course": the course}}. ``before_grading(course)`` is called once the
    course is generated (a test starts its reference grading there)."""
    from classgrading import cli, sandbox, worker

    course = Course(Path(root) / "course", assignment_ids)
    if before_grading is not None:
        before_grading(course)
    tasks, items = [], {}
    for assignment_id in assignment_ids:
        student, solution = course.student_notebook(assignment_id), course.solution_notebook(assignment_id)
        specs, items[assignment_id] = variant_specs(assignment_id, solution, student)
        name = f"{assignment_id}.ipynb"
        tasks.append(("correct", assignment_id, {name: notebook_bytes(answered(student, solution))}, [], specs))
        if assignment_id in full_rounds:
            tasks.append(("stub", assignment_id, {name: notebook_bytes(student)}, [], []))
            wrong, alternatives = first_rounds(assignment_id)
            tasks.append(("wrong0", assignment_id, {name: notebook_bytes(answered(student, solution, wrong))}, [], []))
            tasks.append(("alt0", assignment_id, {name: notebook_bytes(answered(student, solution, alternatives))},
                          [], []))
    plans = cli.build_plans(course.root, assignment_ids, jobs, None)
    settings = worker.settings_for(course.root, plans, sandbox=sandbox.Sandbox(), cgroups=True, deadline=3600.0)
    settings.scratch = str(Path(root))
    results = {}
    for result in cli.run_pool(cli.order_by_cost(tasks, course.root), settings, jobs, None):
        results.setdefault(result["assignment"], {})[result["student"]] = result
    return {a: {"results": results.get(a, {}), "items": items[a], "course": course} for a in assignment_ids}


def scores(result):
    """{graded cell: points} of one graded submission."""
    return {g["name"]: g["auto_score"] for nb in result["notebooks"] for g in nb["grades"]}


if __name__ == "__main__":
    import tempfile

    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        graded = grade_assignments(tmp, sys.argv[1:])
        for assignment_id, data in graded.items():
            correct = data["results"]["correct"]
            for key, cell_points in sorted(correct["variants"].items()):
                kind, item = data["items"][key]
                print(f"{assignment_id} {key:7s} {sum(cell_points.values()):5g} {item.cell}: {item.why}")
