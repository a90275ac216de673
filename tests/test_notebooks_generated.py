"""notebooks/ is exactly what nbgrader generates from solutions/, and leaks nothing hidden."""

import json
from pathlib import Path
import re

import nbformat
import pytest

from tests.grading.course import ROOT, build_notebooks

ASSIGNMENTS = build_notebooks.assignments()
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def test_every_solution_has_a_student_version():
    released = sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir() and not p.name.startswith("."))
    assert released == ASSIGNMENTS


@pytest.mark.slow
def test_notebooks_are_regenerated_from_solutions(tmp_path):
    (tmp_path / "solutions").symlink_to(ROOT / "solutions")
    (tmp_path / "nbgrader_config.py").symlink_to(ROOT / "nbgrader_config.py")
    build_notebooks.generate(ASSIGNMENTS, course_dir=tmp_path, db_path=tmp_path / "gradebook.db")
    for assignment_id in ASSIGNMENTS:
        committed = sorted(p.relative_to(ROOT / "notebooks") for p in (ROOT / "notebooks" / assignment_id).rglob("*")
                           if p.is_file())
        fresh = sorted(p.relative_to(tmp_path / "notebooks") for p in (tmp_path / "notebooks" / assignment_id).rglob("*")
                       if p.is_file())
        assert committed == fresh, f"files of notebooks/{assignment_id} differ from a fresh generation"
        for relative in fresh:
            a = json.loads((ROOT / "notebooks" / relative).read_text())
            b = json.loads((tmp_path / "notebooks" / relative).read_text())
            assert a == b, (f"notebooks/{relative} is stale: run `python tools/build_notebooks.py {assignment_id}` "
                            "and commit the result")


def _significant_lines(text):
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 12 and not line.startswith("#"):
            yield line


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_no_hidden_test_or_solution_text_reaches_students(assignment_id):
    solution = (ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb").read_text()
    source = "\n".join("".join(cell["source"]) for cell in json.loads(solution)["cells"])
    student = nbformat.read(ROOT / "notebooks" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    student_sources = ["".join(cell.source) for cell in student.cells]
    student_text = "\n".join(student_sources)
    hidden = [block for block in HIDDEN.findall(source)]
    assert hidden, f"{assignment_id} has no hidden tests"
    for block in hidden:
        for line in _significant_lines(block):
            assert not any(line in s for s in student_sources), f"hidden test line reached students: {line!r}"
    for block in SOLUTION.findall(source):
        for line in _significant_lines(block):
            if line not in source.replace(block, ""):  # lines that also appear outside solutions are not secrets
                assert line not in student_text, f"solution line reached students: {line!r}"
    assert "BEGIN HIDDEN TESTS" not in student_text and "BEGIN SOLUTION" not in student_text
    assert all(not cell.get("outputs") for cell in student.cells), "student notebooks carry no outputs"
    assert "TODO" not in student_text, "no TODO in what students see"
