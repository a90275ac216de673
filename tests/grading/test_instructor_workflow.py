"""The README's instructor commands, run as written, on a small class in a temporary course."""

from pathlib import Path
import csv
import re
import zipfile

import nbformat
import pytest

from tests.grading.course import ROOT, Course, answered

ASSIGNMENT = "01_eigendecomposition"


def readme_instructor_commands():
    """The `nbgrader ...` lines of the bash blocks in the README's instructor section, in order."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## For instructors", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", section, re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("nbgrader "):
                commands.append(line.split()[1:])
    return commands


@pytest.mark.slow
def test_readme_instructor_commands_collect_grade_feedback_and_export(tmp_path):
    commands = readme_instructor_commands()
    assert [c[0] for c in commands] == ["zip_collect", "autograde", "generate_feedback", "export"]
    course = Course(tmp_path / "course", [ASSIGNMENT])
    student, solution = course.student_notebook(ASSIGNMENT), course.solution_notebook(ASSIGNMENT)

    archive = course.root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms_export.zip", "w") as bundle:
        bundle.writestr(f"alice__{ASSIGNMENT}.ipynb", nbformat.writes(answered(student, solution)))
    nbformat.write(student, archive / f"bob__{ASSIGNMENT}.ipynb")

    for command in commands:
        result = course.nbgrader(*command, check=False)
        assert result.returncode == 0, f"`nbgrader {' '.join(command)}` failed:\n{result.stderr[-3000:]}"

    for who in ("alice", "bob"):
        assert (course.root / "submitted" / who / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
        assert (course.root / "feedback" / who / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    autograded_max = sum(cell.metadata["nbgrader"]["points"] for cell in solution.cells
                         if cell.metadata.get("nbgrader", {}).get("grade")
                         and not cell.metadata["nbgrader"].get("solution"))
    with open(course.root / "grades.csv") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(rows["alice"]["raw_score"]) == autograded_max
    assert float(rows["bob"]["raw_score"]) == 0.0
