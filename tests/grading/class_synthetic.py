"""A synthetic class of submissions for the class autograder (tools/autograde_class.py).

``build_class(course)`` writes submissions into ``course.root/submitted/`` and
returns one :class:`Submission` per student with what grading must give:

* for every assignment in solutions/: ``correct`` (full marks) and ``wrong0`` (the
  first typical wrong answer of every exercise, from ``variants/``); for notebook 01
  also ``blank`` (the student version untouched: zero), ``partial`` (the first half
  of the exercises answered: exactly their points), ``wrong1`` and ``wrong2``. A wrong round's exact scores are those of nbgrader's own
  ``nbgrader autograde`` on the same notebook (``expected=None`` here: the test
  computes them with plain nbgrader as the reference);
* hostile submissions to notebook 01, each built on the correct answers with one
  attack, and the exact points it must get: an infinite loop (interruptible and
  not), a memory bomb, ``os._exit``, ``sys.exit``, flooding output, edited,
  deleted and reordered test cells, a notebook that is not JSON, a renamed
  notebook, a symlink in the submission, a foreign kernelspec, monkeypatched
  ``AssertionError``/``check``/``numpy``, a hidden traceback, a custom exception
  handler, an input transformer that blanks every later cell, a hidden test's
  source smuggled into an error message, and code that goes for the gradebook,
  the solutions, another student's files and the whole course folder (it sabotages
  its own answer if any attempt succeeds, so a breach shows as a wrong score).
"""

from dataclasses import dataclass, field
import itertools
import os

import nbformat

from tests.grading.course import (answered, build_notebooks, cells_by_id, exercise_of, is_answer_cell,
                                  is_autograded_test, variants_for)

NB01 = "01_eigendecomposition"


@dataclass
class Submission:
    student: str
    assignment: str
    why: str
    expected: dict | None         # {test cell id: points}; None: nbgrader's own autograde is the reference
    gradable: bool = True
    flags: tuple = ()             # words the command's summary must print for this student
    files: dict = field(default_factory=dict)   # file name -> notebook node or raw text


def points_of_tests(solution):
    return {gid: float(cell.metadata["nbgrader"]["points"]) for gid, cell in cells_by_id(solution).items()
            if is_autograded_test(cell)}


def exercises(solution):
    ordered = [exercise_of(gid) for gid in points_of_tests(solution)]
    return list(dict.fromkeys(ordered))


def expect(solution, zero=(), zero_cells=()):
    """Full marks except the test cells of the exercises in ``zero`` and the cells in ``zero_cells``."""
    return {gid: (0.0 if exercise_of(gid) in zero or gid in zero_cells else points)
            for gid, points in points_of_tests(solution).items()}


def partially_answered(student_nb, solution_nb, keep):
    nb = nbformat.from_dict(student_nb)
    solution_cells = cells_by_id(solution_nb)
    for gid, cell in cells_by_id(nb).items():
        if is_answer_cell(cell) and exercise_of(gid) in keep:
            cell.source = solution_cells[gid].source
    return nb


def with_cell(nb, gid, before="", after="", source=None):
    nb = nbformat.from_dict(nb)
    cell = cells_by_id(nb)[gid]
    cell.source = before + (cell.source if source is None else source) + after
    return nb


def stub_answer(nb, student_nb, gid):
    """Put back the unanswered stub of one answer cell."""
    return with_cell(nb, gid, source=cells_by_id(student_nb)[gid].source)


def ordinary(assignment_id, student_nb, solution_nb, rounds, full=True):
    """correct, blank, partial and the first ``rounds`` wrong rounds of one assignment (``full=False``:
    correct and the wrong rounds only; the grading round trip already proves each notebook's blank version)."""
    names = exercises(solution_nb)
    half = names[: len(names) // 2]
    subs = [
        Submission(f"nb{assignment_id[:2]}correct", assignment_id, "the solution's answers",
                   expect(solution_nb), files={"": answered(student_nb, solution_nb)}),
        Submission(f"nb{assignment_id[:2]}blank", assignment_id, "the student version, untouched",
                   expect(solution_nb, zero=names), files={"": student_nb}),
        Submission(f"nb{assignment_id[:2]}partial", assignment_id, f"only {', '.join(half)} answered",
                   expect(solution_nb, zero=[n for n in names if n not in half]),
                   files={"": partially_answered(student_nb, solution_nb, half)}),
    ]
    if not full:
        subs = subs[:1]
    by_exercise = {}
    for variant in variants_for(assignment_id):
        by_exercise.setdefault(exercise_of(variant.cell), []).append(variant)
    for i, chosen in enumerate(itertools.zip_longest(*by_exercise.values())):
        if i >= rounds:
            break
        chosen = [v for v in chosen if v]
        subs.append(Submission(f"nb{assignment_id[:2]}wrong{i}", assignment_id,
                               "; ".join(v.why for v in chosen), None,
                               files={"": answered(student_nb, solution_nb, chosen)}))
    return subs


BREACH = '''
import os as _os, sqlite3 as _sqlite3
_breach = []
for _path in {readable!r}:
    try:
        with open(_path, "rb") as _f:
            _f.read(1)
        _breach.append("read " + _path)
    except OSError:
        pass
for _path in {writable!r}:
    try:
        with open(_path, "ab") as _f:
            _f.write(b"x")
        _breach.append("wrote " + _path)
    except OSError:
        pass
try:
    _con = _sqlite3.connect({gradebook!r})
    _con.execute("UPDATE grade SET auto_score = 100")
    _con.commit()
    _breach.append("gradebook")
except Exception:
    pass
try:
    import shutil as _shutil
    _shutil.rmtree({course!r}, ignore_errors=True)
except Exception:
    pass
if len(_os.listdir("../..")) > 1 or len(_os.listdir("..")) > 1:
    _breach.append("sees other submissions")
'''


def hostile(course, student_nb, solution_nb):
    """Attacks on notebook 01, each with its exact expected points."""
    correct = answered(student_nb, solution_nb)
    root = str(course.root)
    subs = []

    def add(student, why, nb, zero=(), zero_cells=(), flags=(), gradable=True, files=None):
        expected = expect(solution_nb, zero, zero_cells) if gradable else expect(solution_nb, exercises(solution_nb))
        subs.append(Submission(student, NB01, why, expected, gradable=gradable, flags=flags,
                               files=files or {"": nb}))

    add("h_loop", "an infinite loop at the top of exercise 2's answer (stopped by the cell time limit)",
        with_cell(correct, "nb01_ex2_answer", before="while True:\n    pass\n"), zero=["nb01_ex2"],
        flags=("timeout",))
    add("h_loop_noint", "a loop that ignores the interrupt in exercise 3's answer (kernel replaced)",
        with_cell(correct, "nb01_ex3_answer",
                  before="import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"),
        zero=["nb01_ex3"], flags=("kernel restarted",))
    add("h_memory", "a memory bomb inside eigh_descending (the memory limit raises MemoryError)",
        with_cell(correct, "nb01_ex4_answer",
                  source=cells_by_id(correct)["nb01_ex4_answer"].source.replace(
                      '"""\n', '"""\n    _hog = []\n    while True:\n        _hog.append(np.ones(2**24))\n', 1)),
        zero=["nb01_ex4"])
    add("h_os_exit", "os._exit(0) in exercise 5's answer (kernel dies, restarted, earlier cells replayed)",
        with_cell(correct, "nb01_ex5_answer", before="import os\nos._exit(0)\n"), zero=["nb01_ex5"],
        flags=("kernel died",))
    add("h_sys_exit", "sys.exit() in exercise 1's answer",
        with_cell(correct, "nb01_ex1_answer", before="import sys\nsys.exit('bye')\n"), zero=["nb01_ex1"])
    add("h_flood", "prints 20 MB before exercise 7's answer (output limit)",
        with_cell(correct, "nb01_ex7_answer", before="for _ in range(200000):\n    print('x' * 100)\n"),
        zero=["nb01_ex7"], flags=("output limit",))
    edited = stub_answer(stub_answer(correct, student_nb, "nb01_ex1_answer"), student_nb, "nb01_ex2_answer")
    edited = with_cell(edited, "nb01_ex1_visible", source="print('Visible tests passed.')\n")
    edited = with_cell(edited, "nb01_ex1_hidden", source="pass\n")
    edited = with_cell(edited, "nb01_ex2_hidden", source="pass\n")
    add("h_edited_tests", "exercises 1-2 unanswered, their visible and hidden test cells replaced by pass",
        edited, zero=["nb01_ex1", "nb01_ex2"])
    deleted = stub_answer(correct, student_nb, "nb01_ex3_answer")
    deleted.cells = [c for c in deleted.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") not in ("nb01_ex3_visible", "nb01_ex3_hidden")]
    add("h_deleted_tests", "exercise 3 unanswered and its test cells deleted (nbgrader puts them back)",
        deleted, zero=["nb01_ex3"])
    reordered = nbformat.from_dict(correct)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in reordered.cells]
    moved = reordered.cells.pop(ids.index("nb01_ex4_visible"))
    reordered.cells.insert(ids.index("nb01_ex4_answer"), moved)
    add("h_reordered", "exercise 4's visible test moved above its answer (runs before the function exists)",
        reordered, zero_cells=["nb01_ex4_visible"])
    add("h_not_json", "a notebook file that is not JSON", None, gradable=False, flags=("NOT GRADABLE",),
        files={"": '{"cells": [ this is not json'})
    add("h_renamed", "the correct notebook saved under another name", None, flags=("graded as",),
        files={f"{NB01} (1).ipynb": correct})
    add("h_symlink", "the correct notebook plus a symlink to the gradebook", None, flags=("symbolic link",),
        files={"": correct, "->gradebook.db": os.path.join(root, "gradebook.db")})
    foreign = nbformat.from_dict(correct)
    foreign.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    add("h_kernelspec", "the correct answers with the kernelspec set to another kernel", foreign)

    zeros = with_cell(correct, "nb01_ex1_answer", source=(
        "def diag_matvec(d, v):\n    return np.zeros_like(v)\n\n\ndef scale_rows(d, A):\n    return np.zeros_like(A)\n"
        "\n\ndef scale_columns(A, d):\n    return np.zeros_like(A)\n"))
    patch_checks = ("import builtins\nimport numpy\nimport course_utils.checks as _c\n"
                    "class _Never(Exception):\n    pass\n"
                    "builtins.AssertionError = _Never\n"
                    "for _name in dir(_c):\n    if not _name.startswith('__') and callable(getattr(_c, _name)):\n"
                    "        setattr(_c, _name, lambda *a, **k: None)\n"
                    "numpy.allclose = lambda *a, **k: True\nnumpy.testing.assert_allclose = lambda *a, **k: None\n")
    add("h_patch_checks", "exercise 1 wrong, with AssertionError, every check helper and numpy.allclose patched",
        with_cell(zeros, "nb01_ex1_answer", after="\n" + patch_checks), zero=["nb01_ex1"], flags=("tampering",))
    wrong2 = with_cell(correct, "nb01_ex2_answer",
                       source="def diag_solve(d, b):\n    return np.zeros_like(b)\n")
    hide = ("import sys\nget_ipython().showtraceback = lambda *a, **k: None\n"
            "get_ipython()._showtraceback = lambda *a, **k: None\nsys.excepthook = lambda *a: None\n")
    add("h_hide_traceback", "exercise 2 wrong, with the kernel's traceback display replaced",
        with_cell(wrong2, "nb01_ex2_answer", after="\n" + hide), zero=["nb01_ex2"], flags=("tampering",))
    wrong3 = with_cell(correct, "nb01_ex3_answer", source=(
        "def rotation_matrix(theta):\n    return np.eye(2)\n\n\ndef solve_orthogonal(U, B):\n    return B\n"))
    add("h_custom_exc", "exercise 3 wrong, with an IPython custom exception handler that swallows errors",
        with_cell(wrong3, "nb01_ex3_answer",
                  after="\nget_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"),
        zero=["nb01_ex3"], flags=("tampering",))
    blank_after = ("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
                   "get_ipython().ast_transformers.append(__import__('ast').NodeTransformer())\n")
    add("h_blank_cells", "nothing answered; an input transformer turns every later cell into `pass`",
        with_cell(student_nb, "nb01_ex1_answer", before=blank_after), zero=exercises(solution_nb),
        flags=("tampering",))
    leak = with_cell(correct, "nb01_ex4_answer", source=(
        "def eigh_descending(A):\n    raise ValueError('smuggled: ' + ' | '.join(In[-3:]))\n"))
    add("h_leak", "exercise 4 raises an error whose message holds the source of the cells run so far (In)",
        leak, zero=["nb01_ex4"])
    others = [s for s in ("nb01correct", "nb01blank")]
    readable = [os.path.join(root, "gradebook.db"), os.path.join(root, "solutions", NB01, f"{NB01}.ipynb"),
                os.path.join(root, "submitted", others[0], NB01, f"{NB01}.ipynb"),
                os.path.join(root, "nbgrader_config.py")]
    writable = [os.path.join(root, "gradebook.db"),
                os.path.join(root, "submitted", others[1], NB01, f"{NB01}.ipynb"),
                os.path.join(root, "autograded", others[1], NB01, "planted.txt"),
                os.path.join(root, "feedback", "planted.txt")]
    breach = BREACH.format(readable=readable, writable=writable, gradebook=os.path.join(root, "gradebook.db"),
                           course=root)
    sabotaged = cells_by_id(correct)["nb01_ex1_answer"].source.replace(
        "    return d * v\n", "    return d * v if not _breach else v\n")
    add("h_breakout", "reads and writes the gradebook, solutions/, other students' files; deletes the course",
        with_cell(correct, "nb01_ex1_answer", source=breach + "\n" + sabotaged))
    return subs


def build_class(course, assignment_ids=None):
    """Write the synthetic class into ``course`` (a tests.grading.course.Course); returns the submissions."""
    assignment_ids = assignment_ids or build_notebooks.assignments()
    subs = []
    for assignment_id in assignment_ids:
        student_nb, solution_nb = course.student_notebook(assignment_id), course.solution_notebook(assignment_id)
        # Notebook 01 gets every kind (and the hostile ones); the others, which take longer to run, the
        # correct answers and one round of wrong ones, so that the test stays a few minutes long.
        subs += ordinary(assignment_id, student_nb, solution_nb, rounds=3 if assignment_id == NB01 else 1,
                         full=assignment_id == NB01)
        if assignment_id == NB01:
            subs += hostile(course, student_nb, solution_nb)
    for sub in subs:
        folder = course.root / "submitted" / sub.student / sub.assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in sub.files.items():
            if name.startswith("->"):
                os.symlink(content, folder / name[2:])
                continue
            path = folder / (name or f"{sub.assignment}.ipynb")
            if isinstance(content, str):
                path.write_text(content)
            else:
                nbformat.write(content, path)
    return subs


def write_reference_submissions(root, subs):
    """Copy the submissions whose expected scores come from plain nbgrader into another course at ``root``."""
    for sub in subs:
        if sub.expected is None:
            folder = root / "submitted" / sub.student / sub.assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(sub.files[""], folder / f"{sub.assignment}.ipynb")


