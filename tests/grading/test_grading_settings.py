"""The grading settings of nbgrader_config.py, proved with the real nbgrader on notebook 01.

* a Python warning printed to stderr inside a passing test cell does not zero it (IgnorePattern);
* a graded cell the student deleted is put back from the gradebook and graded (add_missing_cells);
* graded cells the student moved are still graded where they are;
* a cell that runs too long is stopped by the per-cell timeout, costing only that exercise.

Only the cell that must time out has a short limit (``timeout_func`` in the test course's config, keyed on a
marker line); every honest cell has ten minutes, so the verdict does not depend on the machine's speed.
"""

import nbformat
import pytest

from tests.grading.class_hostile import MAY_TIME_OUT, TIMEOUT_CONFIG
from tests.grading.course import Course, answered, cells_by_id

ASSIGNMENT = "01_eigendecomposition"


def full_marks(scores):
    return {name: top for name, (_, top) in scores.items()}


@pytest.mark.slow
def test_warnings_deleted_and_moved_cells_and_timeouts(tmp_path):
    course = Course(tmp_path / "course", [ASSIGNMENT])
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write(TIMEOUT_CONFIG)
    student, solution = course.student_notebook(ASSIGNMENT), course.solution_notebook(ASSIGNMENT)
    correct = answered(student, solution)

    warns = nbformat.from_dict(correct)
    answer = cells_by_id(warns)["nb01_ex1_answer"]
    answer.source = answer.source.replace(
        "    return d * v",
        "    import warnings\n    warnings.warn('a harmless warning from the answer', UserWarning)\n"
        "    np.log(np.zeros(1))  # NumPy's RuntimeWarning: divide by zero\n    return d * v")
    course.submit("warns", ASSIGNMENT, warns)

    deleted = nbformat.from_dict(correct)
    deleted.cells = [cell for cell in deleted.cells if cell.metadata.get("nbgrader", {}).get("grade_id")
                     not in ("nb01_ex2_visible", "nb01_ex2_hidden", "nb01_ex6_hidden")]
    course.submit("deleted", ASSIGNMENT, deleted)

    moved = nbformat.from_dict(correct)
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in moved.cells]
    tail = moved.cells.pop(ids.index("nb01_ex7_visible"))
    moved.cells.append(tail)  # the visible test of exercise 7 moved to the very end
    course.submit("moved", ASSIGNMENT, moved)

    slow = nbformat.from_dict(correct)
    answer = cells_by_id(slow)["nb01_ex4_answer"]
    answer.source = MAY_TIME_OUT + "import time\ntime.sleep(10**6)\n" + answer.source   # the def never runs
    course.submit("slow", ASSIGNMENT, slow)

    course.nbgrader("autograde", ASSIGNMENT, "--create")
    scores = course.scores(ASSIGNMENT)
    expected = full_marks(scores["warns"])

    got = {name: score for name, (score, _) in scores["warns"].items()}
    assert got == expected, "a warning on stderr cost points"
    got = {name: score for name, (score, _) in scores["deleted"].items()}
    assert got == expected, "deleted graded cells must be restored and graded"
    got = {name: score for name, (score, _) in scores["moved"].items()}
    assert got == expected, "moved graded cells must still be graded"
    got = {name: score for name, (score, _) in scores["slow"].items()}
    assert got["nb01_ex4_visible"] == got["nb01_ex4_hidden"] == 0
    others = {name: score for name, score in got.items() if not name.startswith("nb01_ex4")}
    assert others == {name: top for name, top in expected.items() if not name.startswith("nb01_ex4")}, \
        "a timed-out cell must cost only its own exercise"
