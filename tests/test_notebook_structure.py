"""Every notebook has the parts the curriculum requires (objectives, exercises, widgets, summary, references)."""

import json
import re

import pytest

from tests.grading.course import ROOT, build_notebooks, is_answer_cell, is_autograded_test, exercise_of

import nbformat

ASSIGNMENTS = build_notebooks.assignments()


def load(assignment_id):
    return nbformat.read(ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb", as_version=4)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_notebook_has_required_parts(assignment_id):
    nb = load(assignment_id)
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert re.search(r"learning objectives", markdown, re.I), "learning objectives at the start"
    assert re.search(r"^## Summary", markdown, re.M), "a summary section"
    assert re.search(r"^## References", markdown, re.M), "a references section"
    assert "ipywidgets" in code and re.search(r"widgets\.\w+\(", code), "at least one interactive control"
    assert re.search(r"plt\.|plotting\.", code), "plots"

    meta = [cell.metadata.get("nbgrader", {}) for cell in nb.cells]
    written = [m for m, cell in zip(meta, nb.cells) if m.get("grade") and m.get("solution")
               and cell.cell_type == "markdown"]
    assert written, "at least one manually graded written answer"
    tested = {exercise_of(m["grade_id"]) for m, cell in zip(meta, nb.cells) if is_autograded_test(cell)}
    assert len(tested) >= 5, "at least five autograded exercises"
    for cell in nb.cells:
        if is_answer_cell(cell) and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source
        if is_autograded_test(cell) and cell.metadata["nbgrader"]["grade_id"].endswith("_hidden"):
            assert "### BEGIN HIDDEN TESTS" in cell.source


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_points_announced_in_the_text_match_the_test_cells(assignment_id):
    """An exercise heading "(4 points)" promises what its graded cells are worth."""
    nb = load(assignment_id)
    points = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            key = exercise_of(meta["grade_id"])
            points[key] = points.get(key, 0) + meta["points"]
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        heading = re.search(r"^###? .*\((\d+) points?", cell.source, re.M)
        if cell.cell_type == "markdown" and heading and meta.get("grade_id", "").endswith("_text"):
            key = meta["grade_id"][: -len("_text")]
            if key in points:
                assert int(heading.group(1)) == points[key], f"{key}: heading says {heading.group(1)}, cells give {points[key]}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_solution_notebook_is_stored_executed(assignment_id):
    """nbval compares against stored outputs, so every code cell must have been run."""
    nb = json.loads((ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb").read_text())
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    unexecuted = [i for i, c in enumerate(code_cells) if c.get("execution_count") is None]
    assert not unexecuted, f"run `python tools/build_notebooks.py --execute {assignment_id}`: unexecuted code cells"
    errors = [o for c in code_cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, "the solution notebook must run without errors"
    assert "widgets" not in nb["metadata"], "saved widget state is stripped (tools/build_notebooks.py does it)"
