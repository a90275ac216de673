"""Real grading round trip with nbgrader, for every notebook in solutions/.

For each assignment a temporary course is generated from solutions/ and
these submissions are autograded in one ``nbgrader autograde`` call:

* ``stub``: the student version untouched: it must earn 0 autograded points;
* ``correct``: the student version with the solution's answers: full marks;
* ``wrongN``: the solution with the N-th typical wrong answer of every
  exercise applied at once (exercises are scored cell by cell): each
  exercise that received a wrong answer must lose points;
* ``altN``: the solution with the N-th differently written correct answer of
  every exercise (``ALTERNATIVES`` in ``variants/``): full marks.
"""

import itertools

import pytest

from tests.grading.course import (Course, alternatives_for, answered, build_notebooks, cells_by_id, exercise_of,
                                  is_answer_cell, is_autograded_test, variants_for)

ASSIGNMENTS = build_notebooks.assignments()


def exercise_points(scores, exercise):
    got = sum(score for name, (score, _) in scores.items() if exercise_of(name) == exercise)
    most = sum(top for name, (_, top) in scores.items() if exercise_of(name) == exercise)
    return got, most


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_grading_round_trip(assignment_id, tmp_path):
    course = Course(tmp_path / "course", [assignment_id])
    student, solution = course.student_notebook(assignment_id), course.solution_notebook(assignment_id)
    variants = variants_for(assignment_id)

    answer_exercises = {exercise_of(gid) for gid, cell in cells_by_id(solution).items()
                        if is_answer_cell(cell) and cell.cell_type == "code"}
    tested_exercises = {exercise_of(gid) for gid, cell in cells_by_id(solution).items() if is_autograded_test(cell)}
    assert answer_exercises == tested_exercises, "every code answer needs test cells with the same prefix"
    assert len(tested_exercises) >= 5, f"{assignment_id} has fewer than 5 autograded exercises"
    without_variant = tested_exercises - {exercise_of(v.cell) for v in variants}
    assert not without_variant, f"exercises with no wrong variant to grade: {sorted(without_variant)}"

    rounds = packed_rounds(variants)
    alternative_rounds = packed_rounds(alternatives_for(assignment_id))

    course.submit("stub", assignment_id, student)
    course.submit("correct", assignment_id, answered(student, solution))
    for i, chosen in enumerate(rounds):
        course.submit(f"wrong{i}", assignment_id, answered(student, solution, chosen))
    for i, chosen in enumerate(alternative_rounds):
        course.submit(f"alt{i}", assignment_id, answered(student, solution, chosen))
    result = course.autograde(assignment_id)
    scores = course.scores(assignment_id)

    assert set(scores) == {"stub", "correct", *(f"wrong{i}" for i in range(len(rounds))),
                           *(f"alt{i}" for i in range(len(alternative_rounds)))}, result.stderr
    stub_total = sum(score for score, _ in scores["stub"].values())
    assert stub_total == 0, f"the untouched student version earned {stub_total} points: {scores['stub']}"
    lost = {name: (score, top) for name, (score, top) in scores["correct"].items() if score != top}
    assert not lost, f"the solution lost points in {lost}\n{result.stderr[-3000:]}"
    for i, chosen in enumerate(rounds):
        for variant in chosen:
            got, most = exercise_points(scores[f"wrong{i}"], exercise_of(variant.cell))
            assert got < most, f"wrong answer {variant.why!r} earned full marks ({got}/{most})"
    for i, chosen in enumerate(alternative_rounds):
        for alternative in chosen:
            got, most = exercise_points(scores[f"alt{i}"], exercise_of(alternative.cell))
            assert got == most, f"correct alternative {alternative.why!r} lost points ({got}/{most})"


def packed_rounds(items):
    """Round i holds the i-th item of every exercise (exercises are graded cell by cell, so they do not mix)."""
    by_exercise = {}
    for item in items:
        by_exercise.setdefault(exercise_of(item.cell), []).append(item)
    return [[item for item in chosen if item] for chosen in itertools.zip_longest(*by_exercise.values())]
