"""What happened in each graded cell: points from the gradebook, failure messages from the autograded notebook.

The gradebook is the only grade store; failure messages are read back from the
notebooks nbgrader wrote to ``autograded/``. Messages of hidden test cells are
redacted so that no line of the hidden test source can reach a student.
"""

from dataclasses import dataclass, field
from pathlib import Path
import re

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n?(.*?)### END HIDDEN TESTS", re.S)
MAX_MESSAGE = 600


@dataclass
class CellOutcome:
    name: str
    kind: str                 # "visible test" | "hidden test" | "written answer" | "graded answer"
    max_score: float
    score: float | None       # manual score if a grader gave one, else the autograder's
    message: str = ""         # why a test failed ("" if it passed or was not a test)


@dataclass
class NotebookOutcome:
    student: str
    assignment: str
    notebook: str
    cells: list = field(default_factory=list)

    @property
    def score(self):
        return sum(cell.score or 0 for cell in self.cells)

    @property
    def max_score(self):
        return sum(cell.max_score for cell in self.cells)


def hidden_lines(source):
    """The lines of the hidden region(s) of a test cell, long enough to be recognisable."""
    lines = []
    for block in HIDDEN.findall(source):
        lines += [line.strip() for line in block.splitlines() if len(line.strip()) >= 8]
    return sorted(set(lines), key=len, reverse=True)


def redact(message, secret_lines):
    """Replace every line of hidden test code in ``message``, and drop message lines that hold a fragment of one."""
    for line in secret_lines:
        if line in message:
            message = message.replace(line, "[hidden test code]")
    kept = []
    for part in message.splitlines():
        fragment = part.strip()
        if len(fragment) >= 8 and any(fragment in line for line in secret_lines):
            part = "[hidden test code]"
        kept.append(part)
    return "\n".join(kept)


def failure_message(cell):
    """The reason a graded code cell failed, from its outputs (what nbgrader's grade is based on)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), ANSI.sub("", str(output.get("evalue", ""))).strip()
            return f"{ename}: {evalue}" if evalue else ename
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            first = ANSI.sub("", output.get("text", "")).strip().splitlines()
            return "wrote to stderr: " + (first[-1] if first else "")
    return ""


def _kind(source_cell):
    if source_cell.cell_type == "markdown":
        return "written answer"
    if source_cell.locked is False and "### BEGIN SOLUTION" in (source_cell.source or ""):
        return "graded answer"
    return "hidden test" if HIDDEN.search(source_cell.source or "") else "visible test"


def notebook_outcome(gradebook, course_root, assignment_id, student_id, notebook_id):
    """Points and failure messages of one student's notebook, in the order of the notebook's cells."""
    import nbformat

    submitted = gradebook.find_submission_notebook(notebook_id, assignment_id, student_id)
    path = Path(course_root) / "autograded" / student_id / assignment_id / f"{notebook_id}.ipynb"
    cells_by_id = {}
    if path.is_file():
        try:
            nb = nbformat.read(path, as_version=4)
            cells_by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        except Exception:
            cells_by_id = {}
    notebook = gradebook.find_notebook(notebook_id, assignment_id)
    # the order of the cells in the student's notebook; cells it lacks go last, by name
    positions = {name: i for i, name in enumerate(cells_by_id) if name}
    order = {cell.name: (positions.get(cell.name, len(positions)), cell.name) for cell in notebook.source_cells}
    sources = {cell.name: cell for cell in notebook.source_cells}
    outcome = NotebookOutcome(student_id, assignment_id, notebook_id)
    for grade in sorted(submitted.grades, key=lambda g: order.get(g.name, (len(order), g.name))):
        source = sources.get(grade.name)
        kind = _kind(source) if source is not None else "visible test"
        if grade.cell.cell_type == "markdown":
            kind = "written answer"
        message = ""
        if kind in ("visible test", "hidden test") and (grade.score or 0) < grade.max_score:
            cell = cells_by_id.get(grade.name)
            message = failure_message(cell) if cell is not None else "not graded (no autograded notebook)"
            if not message and grade.auto_score is not None and grade.auto_score < grade.max_score:
                message = "partial credit"
            if kind == "hidden test":
                message = redact(message, hidden_lines(source.source))
            if len(message) > MAX_MESSAGE:
                message = message[:MAX_MESSAGE].rsplit(" ", 1)[0] + " ..."
                if kind == "hidden test":  # a fragment cut at the end could still be a piece of hidden code
                    message = redact(message, hidden_lines(source.source))
        outcome.cells.append(CellOutcome(grade.name, kind, grade.max_score, grade.score, message))
    return outcome
