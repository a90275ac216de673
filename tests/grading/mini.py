"""A tiny assignment for testing the class grader's mechanisms: its honest cells take milliseconds.

The assignment ``mini`` has a set-up cell and a handful of one-line exercises, each built to exercise one
mechanism of the trusted grader (tools/classgrading): values the test reads from the notebook's own cells
(never the student's copies), names bound by an earlier test, an instructor's helper function, plain data
both ways (NumPy scalars kept apart from Python ints, sparse matrices, objects whose methods a test calls,
arguments changed in place), ``np.errstate`` and warnings-as-errors around a student call, ``check.forbid``
(direct, through an alias the patches cannot see, and a library's own internal use), a student function that
hangs or kills the kernel inside a test, the per-submission deadline, and the redaction of the student's
text from hidden tests' messages. Time limits apply only to the cells marked ``# may time out``, so no
verdict that uses it depends on the machine's speed. ``mini_course`` is a pytest fixture (one course per
test module); ``grade`` runs the class grader on submissions and returns their points.
"""

import os
from pathlib import Path
import subprocess
import sys
import textwrap

import nbformat
import pytest

from tests.grading.class_hostile import TIMEOUT_CONFIG
from tests.grading.course import ROOT, build_notebooks

MINI = "mini"


def meta(grade_id, grade=False, solution=False, locked=False, points=None):
    data = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        data["points"] = points
    return {"nbgrader": data}


def code(source, **kw):
    return nbformat.v4.new_code_cell(textwrap.dedent(source).strip() + "\n", metadata=meta(**kw))


def markdown(source, **kw):
    return nbformat.v4.new_markdown_cell(textwrap.dedent(source).strip() + "\n", metadata=meta(**kw))


def exercise(n, answer, visible, hidden):
    return [markdown(f"### Exercise {n}\n\nSee the set-up.", grade_id=f"ex{n}_text", locked=True),
            code(answer, grade_id=f"ex{n}_answer", solution=True),
            code(visible, grade_id=f"ex{n}_visible", grade=True, locked=True, points=1),
            code("# Hidden tests\n### BEGIN HIDDEN TESTS\n" + textwrap.dedent(hidden).strip()
                 + "\n### END HIDDEN TESTS\n", grade_id=f"ex{n}_hidden", grade=True, locked=True, points=1)]


SOLUTION = {
    "ex1": """
        def double(x):
            ### BEGIN SOLUTION
            return 2 * np.asarray(x, dtype=float)
            ### END SOLUTION
        """,
    "ex2": """
        def count(values):
            ### BEGIN SOLUTION
            return len(values)
            ### END SOLUTION
        """,
    "ex3": """
        def safe_ratio(a, b):
            ### BEGIN SOLUTION
            return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b != 0)
            ### END SOLUTION
        """,
    "ex4": """
        def solve(A, b):
            ### BEGIN SOLUTION
            Q, R = np.linalg.qr(A)
            return scipy.linalg.solve_triangular(R, Q.T @ b)
            ### END SOLUTION
        """,
    "ex5": """
        class Counter:
            ### BEGIN SOLUTION
            def __init__(self):
                self.n = 0

            def add(self, k):
                self.n += k
                return self.n
            ### END SOLUTION


        def identity_sparse(n):
            ### BEGIN SOLUTION
            return scipy.sparse.identity(n, format="csr")
            ### END SOLUTION


        def normalize_in_place(x):
            ### BEGIN SOLUTION
            x /= np.linalg.norm(x)
            ### END SOLUTION
        """,
    "ex6": """
        def label(k):
            ### BEGIN SOLUTION
            return "small" if k < 10 else "large"
            ### END SOLUTION
        """,
}

TESTS = {
    "ex1": ("""
        check.close(double(DATA), 2 * DATA, name="double(DATA)")
        doubled = double(DATA)
        print("Visible tests passed.")
        """, """
        check.close(doubled, twice(DATA), name="what the visible test computed")
        check.close(double([1, 2]), [2.0, 4.0], name="double of a list")
        """),
    "ex2": ("""
        check.is_int(count([1, 2, 3]), name="count([1, 2, 3])")
        print("Visible tests passed.")
        """, """
        check.equal(count(list(range(7))), 7, name="count of 7 items")
        check.is_int(count(np.arange(4)), name="count of an array")
        """),
    "ex3": ("""
        check.close(safe_ratio(np.array([1.0, 2.0]), np.array([2.0, 0.0])), [0.5, 0.0], name="safe_ratio")
        print("Visible tests passed.")
        """, """
        with np.errstate(all="raise"):
            _r = safe_ratio(np.array([1.0, 0.0]), np.array([0.0, 0.0]))
        check.close(_r, [0.0, 0.0], name="safe_ratio without dividing by zero")
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _r = safe_ratio(np.array([3.0]), np.array([0.0]))
        check.close(_r, [0.0], name="safe_ratio without a warning")
        """),
    "ex4": ("""
        check.close(solve(np.eye(2), np.array([1.0, 2.0])), [1.0, 2.0], name="solve(I, b)")
        print("Visible tests passed.")
        """, """
        _A = np.array([[2.0, 1.0], [1.0, 3.0]])
        with check.forbid("numpy.linalg.solve", "numpy.linalg.inv", "scipy.linalg.solve", "scipy.linalg.cholesky"):
            _x = solve(_A, np.array([1.0, 0.0]))
        check.close(_x, np.linalg.solve(_A, [1.0, 0.0]), name="solve of a 2 x 2 system")
        """),
    "ex5": ("""
        _c = Counter()
        _c.add(2)
        check.equal(_c.add(3), 5, name="Counter().add(2) then add(3)")
        print("Visible tests passed.")
        """, """
        _I = identity_sparse(4)
        check.that(scipy.sparse.issparse(_I) and _I.format == "csr", name="identity_sparse returns a CSR matrix")
        check.close(_I.toarray(), np.eye(4), name="identity_sparse(4)")
        _x = np.array([3.0, 4.0])
        normalize_in_place(_x)
        check.close(_x, [0.6, 0.8], name="the vector after normalize_in_place")
        """),
    "ex6": ("""
        check.equal(label(3), "small", name="label(3)")
        print("Visible tests passed.")
        """, """
        # may time out
        check.equal(label(30), "large", name="label(30)")
        check.equal(label(11), "large", name="label(11)")
        """),
}


def solution_notebook():
    cells = [markdown("# Mini", grade_id="title", locked=True),
             code("""
                 import numpy as np
                 import scipy.linalg
                 import scipy.sparse
                 import course_utils.checks as check

                 DATA = np.arange(6.0)


                 def twice(x):
                     return 2 * np.asarray(x, dtype=float)
                 """, grade_id="setup", locked=True)]
    for n in range(1, 7):
        visible, hidden = TESTS[f"ex{n}"]
        cells += exercise(n, SOLUTION[f"ex{n}"], visible, hidden)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def mini_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("mini") / "course"
    (root / "solutions" / MINI).mkdir(parents=True)
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + TIMEOUT_CONFIG)
    nbformat.write(solution_notebook(), root / "solutions" / MINI / f"{MINI}.ipynb")
    build_notebooks.generate([MINI], course_dir=root, db_path=root / "gradebook.db")
    return root


def answers(course, **replacements):
    """The student version with the solution's answers, where ``exK=source`` replaces exercise K's answer."""
    from tests.grading.course import answered, cells_by_id

    student = nbformat.read(course / "release" / MINI / f"{MINI}.ipynb", as_version=4) \
        if (course / "release").is_dir() else nbformat.read(course / "notebooks" / MINI / f"{MINI}.ipynb",
                                                            as_version=4)
    solution = nbformat.read(course / "solutions" / MINI / f"{MINI}.ipynb", as_version=4)
    nb = answered(student, solution)
    cells = cells_by_id(nb)
    for exercise_id, source in replacements.items():
        cells[f"{exercise_id}_answer"].source = textwrap.dedent(source).strip() + "\n"
    return nb


def grade(course, submissions, *options, check=True, write=True):
    """Write the submissions (unless ``write`` is false), run the class grader on them, and return
    ({student: {cell: points}}, its stdout and stderr)."""
    from nbgrader.api import Gradebook

    for student, nb in submissions.items() if write else ():
        folder = course / "submitted" / student / MINI
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{MINI}.ipynb")
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    students = [arg for s in submissions for arg in ("--student", s)]
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "autograde_class.py"), MINI, "--jobs", "2",
                          "--quiet", *students, *options], cwd=course, env=env, capture_output=True, text=True,
                         timeout=900)
    if check:
        assert run.returncode == 0, run.stderr[-4000:]
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in submissions:
            try:
                submission = gradebook.find_submission(MINI, student)
            except Exception:
                continue
            scores[student] = {g.name: g.auto_score for nb in submission.notebooks for g in nb.grades
                               if g.cell.cell_type == "code"}
    return scores, run.stdout + "\n" + run.stderr


def messages(course, student):
    """Each test cell's error output in the autograded notebook: {cell: 'ename: evalue'}."""
    nb = nbformat.read(course / "autograded" / student / MINI / f"{MINI}.ipynb", as_version=4)
    found = {}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found[gid] = f"{output.ename}: {output.evalue}"
    return found


FULL = {f"ex{n}_{kind}": 1.0 for n in range(1, 7) for kind in ("visible", "hidden")}


def full_except(*cells):
    return {name: (0.0 if name in cells else points) for name, points in FULL.items()}


