"""A throw-away nbgrader course for the grading tests.

``Course(tmp_path, ["01_eigendecomposition"])`` copies the repository's
nbgrader_config.py and the named solution notebooks into a temporary folder,
generates the student versions there with nbgrader (exactly as instructors
do), and offers submission, autograding and score look-up through nbgrader's
own command line and gradebook API.

Wrong answers are data: each notebook has a module in ``variants/`` with a
``VARIANTS`` list of :class:`Variant`, text substitutions applied to the
solution's answer cells.
"""

from dataclasses import dataclass, field
import importlib
import os
from pathlib import Path
import pkgutil
import shutil
import subprocess
import sys

import nbformat
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402


@dataclass(frozen=True)
class Variant:
    """A typical wrong answer: ``replace`` maps text of the solution's answer cell ``cell`` to the mistake."""

    cell: str
    why: str
    replace: dict = field(default_factory=dict)


def exercise_data(assignment_id):
    """The module ``variants/nbNN_*.py`` whose ASSIGNMENT matches: VARIANTS, ALTERNATIVES, REQUIREMENTS, CONTEXT."""
    from tests.grading import variants as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if getattr(module, "ASSIGNMENT", None) == assignment_id:
            return module
    raise LookupError(f"No wrong variants are defined for {assignment_id}: add tests/grading/variants/ "
                      f"with ASSIGNMENT = {assignment_id!r}.")


def variants_for(assignment_id):
    """The wrong variants of one notebook."""
    return list(exercise_data(assignment_id).VARIANTS)


def alternatives_for(assignment_id):
    """The differently written correct answers of one notebook (tests.grading.exercises.Alternative)."""
    return list(getattr(exercise_data(assignment_id), "ALTERNATIVES", []))


def cells_by_id(nb):
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells
            if "nbgrader" in cell.metadata and "grade_id" in cell.metadata["nbgrader"]}


def is_answer_cell(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("solution"))


def is_autograded_test(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def exercise_of(grade_id):
    """``nb01_ex3_answer`` -> ``nb01_ex3``; test cells ``nb01_ex3_visible``/``_hidden`` share the prefix."""
    return grade_id.rsplit("_", 1)[0]


def answered(student_nb, solution_nb, variants=()):
    """The student notebook with every answer cell filled in from the solution, then ``variants`` applied
    (wrong variants or alternatives: text substitutions ``replace``, or a whole new ``source``)."""
    nb = nbformat.from_dict(student_nb)
    solution_cells = cells_by_id(solution_nb)
    for grade_id, cell in cells_by_id(nb).items():
        if is_answer_cell(cell):
            cell.source = solution_cells[grade_id].source
    ours = cells_by_id(nb)
    for variant in variants:
        if variant.cell not in ours:
            raise KeyError(f"variant {variant.why!r} names a cell {variant.cell!r} that the notebook lacks")
        cell = ours[variant.cell]
        if getattr(variant, "source", None) is not None:
            cell.source = variant.source
        for old, new in variant.replace.items():
            if old not in cell.source:
                raise ValueError(f"variant {variant.why!r}: {old!r} is not in the solution of {variant.cell}")
            cell.source = cell.source.replace(old, new)
    return nb


class Course:
    """A temporary nbgrader course with the given assignments generated from solutions/."""

    def __init__(self, root, assignment_ids):
        self.root = Path(root)
        self.assignment_ids = list(assignment_ids)
        self.db_path = self.root / "gradebook.db"
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "nbgrader_config.py", self.root / "nbgrader_config.py")
        for assignment_id in self.assignment_ids:
            shutil.copytree(ROOT / "solutions" / assignment_id, self.root / "solutions" / assignment_id)
        build_notebooks.generate(self.assignment_ids, course_dir=self.root, db_path=self.db_path)

    def _notebook(self, folder, assignment_id):
        return nbformat.read(self.root / folder / assignment_id / f"{assignment_id}.ipynb", as_version=4)

    def student_notebook(self, assignment_id):
        return self._notebook("notebooks", assignment_id)

    def solution_notebook(self, assignment_id):
        return self._notebook("solutions", assignment_id)

    def submit(self, student, assignment_id, nb=None, text=None, filename=None):
        """Place a submission where nbgrader's ``collect`` would (a notebook, or raw text for broken files)."""
        folder = self.root / "submitted" / student / assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (filename or f"{assignment_id}.ipynb")
        if text is not None:
            path.write_text(text)
        else:
            nbformat.write(nb, path)
        return path

    def nbgrader(self, *args, check=True):
        env = dict(os.environ)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        return subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.db_url=sqlite:///{self.db_path}"],
                              cwd=self.root, env=env, check=check, capture_output=True, text=True)

    def autograde(self, assignment_id):
        """Autograde every submission of the assignment in one nbgrader call."""
        return self.nbgrader("autograde", assignment_id, "--create")

    def scores(self, assignment_id):
        """{student: {grade_id: (score, max_score)}} for the autograded test cells."""
        result = {}
        with Gradebook(f"sqlite:///{self.db_path}") as gradebook:
            for submission in gradebook.assignment_submissions(assignment_id):
                for notebook in submission.notebooks:
                    result[submission.student_id] = {
                        grade.name: (grade.auto_score, grade.max_score)
                        for grade in notebook.grades if grade.cell.cell_type == "code"}
        return result
