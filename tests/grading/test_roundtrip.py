"""The grading round trip of every notebook, with the class grader (tools/classgrading) as instructors run it.

One run of the class grader's workers (``--jobs 2``) grades, for every notebook (``exercise_check.py``):

* ``correct``, the student version with the solution's answers: full marks;
* every wrong variant of ``variants/`` (each in the kernel of ``correct``, in a copy of the namespace its
  answer cell started from): the exercise it belongs to must lose points;
* every alternative correct answer (the same way): the exercise must keep all its points;
* the student version's untouched answer cell of every exercise (the same way): the exercise earns nothing
  (an exercise with several answer cells must at least lose points when one of them is left untouched).

For notebooks 01 and 02, the student version untouched (``stub``: it must earn 0 autograded points), the
first wrong variant and the first alternative of every exercise are also graded as full submissions from
scratch (``stub``, ``wrong0``, ``alt0``): the points of each exercise equal the ones the variant earned in
``correct``'s kernel, which shows that the shortcut grades as a submission would; and plain
``nbgrader autograde``, run beside it on ``correct``, ``wrong0`` and ``alt0``, gives the same points.
(The untouched notebooks of 03-06 are graded by that shortcut only; their own cells also run without any
answer when the grading plan is recorded, and the browser test runs them as a student first opens them.)
"""

import os
from pathlib import Path
import shutil
import subprocess
import sys
import threading

import pytest

from tests.grading import exercise_check
from tests.grading.course import answered, build_notebooks, cells_by_id, exercise_of, is_answer_cell, \
    is_autograded_test

ASSIGNMENTS = build_notebooks.assignments()
FULL_ROUNDS = ("01_eigendecomposition", "02_pca")


def exercise_points(scores, exercise, points):
    got = sum(scores[name] or 0 for name in points if exercise_of(name) == exercise)
    most = sum(top for name, top in points.items() if exercise_of(name) == exercise)
    return got, most


def plain_nbgrader(root, assignment_ids, out):
    """Plain `nbgrader autograde` on the full rounds, in its own copy of the course (the reference)."""
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    for assignment_id in assignment_ids:
        out.append(subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment_id, "--create",
                                   f"--CourseDirectory.db_url=sqlite:///{root}/gradebook.db"],
                                  cwd=root, env=env, capture_output=True, text=True))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("roundtrip")
    reference = root / "plain"
    reference.mkdir()
    results = exercise_check.grade_assignments(root, ASSIGNMENTS, jobs=2, full_rounds=FULL_ROUNDS,
                                               before_grading=lambda course: _start_reference(course, reference))
    _REFERENCE["thread"].join()
    results["_plain"] = _plain_scores(reference / "course")
    return results


_REFERENCE = {}


def _start_reference(course, reference):
    """Copy the generated course, add the full rounds as submissions, and start plain nbgrader on them."""
    import nbformat

    copy = reference / "course"
    shutil.copytree(course.root, copy, ignore=shutil.ignore_patterns("submitted", ".classgrading"))
    for assignment_id in FULL_ROUNDS:
        student, solution = course.student_notebook(assignment_id), course.solution_notebook(assignment_id)
        wrong, alternatives = exercise_check.first_rounds(assignment_id)
        for name, nb in (("correct", answered(student, solution)), ("wrong0", answered(student, solution, wrong)),
                         ("alt0", answered(student, solution, alternatives))):
            folder = copy / "submitted" / name / assignment_id
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{assignment_id}.ipynb")
    runs = []
    _REFERENCE["runs"] = runs
    _REFERENCE["thread"] = threading.Thread(target=plain_nbgrader, args=(copy, FULL_ROUNDS, runs))
    _REFERENCE["thread"].start()


def _plain_scores(course_root):
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gradebook:
        for assignment_id in FULL_ROUNDS:
            for submission in gradebook.assignment_submissions(assignment_id):
                found[(assignment_id, submission.student_id)] = {
                    g.name: g.auto_score for nb in submission.notebooks for g in nb.grades}
    return found


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_grading_round_trip(graded, assignment_id):
    data = graded[assignment_id]
    course, results, items = data["course"], data["results"], data["items"]
    solution = course.solution_notebook(assignment_id)
    points = exercise_check.points(solution)

    answer_exercises = {exercise_of(gid) for gid, cell in cells_by_id(solution).items()
                        if is_answer_cell(cell) and cell.cell_type == "code"}
    tested_exercises = {exercise_of(gid) for gid, cell in cells_by_id(solution).items() if is_autograded_test(cell)}
    assert tested_exercises <= answer_exercises, "every autograded exercise needs an answer cell with its prefix"
    assert len(tested_exercises) >= 5, f"{assignment_id} has fewer than 5 autograded exercises"
    kinds = {kind: {exercise_of(item.cell) for k, item in items.values() if k == kind} for kind in ("wrong", "alt")}
    assert not tested_exercises - kinds["wrong"], f"exercises with no wrong variant: {tested_exercises - kinds['wrong']}"
    assert not tested_exercises - kinds["alt"], f"exercises with no alternative: {tested_exercises - kinds['alt']}"
    assert not tested_exercises - {exercise_of(item.cell) for k, item in items.values() if k == "stub"}
    answer_cells = {}
    for key, (kind, item) in items.items():
        if kind == "stub":
            answer_cells.setdefault(exercise_of(item.cell), []).append(key)

    correct_result = results["correct"]
    assert correct_result["status"] == "graded", correct_result["reason"] + correct_result["log"][-3000:]
    correct = exercise_check.scores(results["correct"])
    lost = {name: (correct[name], top) for name, top in points.items() if correct[name] != top}
    assert not lost, f"the solution lost points in {lost}: {results['correct']['log'][-3000:]}"

    variants = results["correct"]["variants"]
    problems = []
    for key, (kind, item) in items.items():
        if key not in variants:
            problems.append(f"{item.why!r} was not graded")
            continue
        got, most = exercise_points(variants[key], exercise_of(item.cell), points)
        if kind == "wrong" and got >= most:
            problems.append(f"wrong answer {item.why!r} earned full marks ({got}/{most})")
        if kind == "alt" and got != most:
            problems.append(f"correct alternative {item.why!r} lost points ({got}/{most})")
        if kind == "stub" and most and (got >= most if len(answer_cells[exercise_of(item.cell)]) > 1 else got):
            problems.append(f"{item.why} earned {got}/{most}")
    assert not problems, "\n".join(problems)

    if assignment_id in FULL_ROUNDS:
        assert results["stub"]["status"] == "graded", results["stub"]["reason"] + results["stub"]["log"][-3000:]
        stub = exercise_check.scores(results["stub"])
        assert sum(stub[name] or 0 for name in points) == 0, f"the untouched student version earned points: {stub}"
        for exercise, keys in answer_cells.items():
            if len(keys) == 1:
                cells = [gid for gid in points if exercise_of(gid) == exercise]
                assert {gid: stub[gid] for gid in cells} == {gid: variants[keys[0]][gid] for gid in cells}, \
                    f"{exercise}: the untouched notebook and its untouched answer in correct's kernel differ"
        wrong, alternatives = exercise_check.first_rounds(assignment_id)
        key_of = {(kind, item.cell, item.why): key for key, (kind, item) in items.items()}
        plain = graded["_plain"]
        for name, chosen, kind in (("wrong0", wrong, "wrong"), ("alt0", alternatives, "alt")):
            assert results[name]["status"] == "graded", results[name]["reason"]
            full = exercise_check.scores(results[name])
            for item in chosen:
                exercise = exercise_of(item.cell)
                cells = [gid for gid in points if exercise_of(gid) == exercise]
                in_kernel = variants[key_of[(kind, item.cell, item.why)]]
                assert {gid: full[gid] for gid in cells} == {gid: in_kernel[gid] for gid in cells}, \
                    f"{item.why!r}: graded from scratch and in the correct submission's kernel differ"
            reference = plain.get((assignment_id, name))
            assert reference is not None, f"plain nbgrader did not grade {name}: {_REFERENCE['runs']}"
            assert {gid: reference[gid] for gid in points} == {gid: full[gid] for gid in points}, \
                f"{name}: the class grader and plain nbgrader disagree"
        reference = plain[(assignment_id, "correct")]
        assert {gid: reference[gid] for gid in points} == {gid: correct[gid] for gid in points}
