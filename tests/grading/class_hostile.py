"""Hostile submissions to notebook 01, written as a determined student would, each with its exact points.

Every attack starts from the correct answers (or, where it tries to turn a wrong answer into points,
from a wrong one) and adds one trick. The expected points are those of its honest twin: what the same
answers earn without the trick. So an attack that works shows up as a score above its expectation; an
attack whose only effect is to break the student's own code shows up as exactly the points it should
lose. Where an attack could only be seen from inside the sandbox (reading the grader's environment,
starting more processes than allowed), it sabotages its own answer when it succeeds, so a breach shows
up as a wrong score too.

The groups:

* links and special files as submissions (never followed: not gradable);
* tricks inside the kernel that target the checks, IPython, jupyter_client, NumPy, the grader's helper
  or the hidden tests' values (test cells do not run in the kernel: they change nothing);
* files, links and floods inside the sandbox (private tmpfs with size limits: nothing reaches the host);
* resource attacks: processes, memory of several processes, CPU of children that leave the session,
  reading the grader's environment;
* text that would break the report or forge the summary, and hidden-test data smuggled into messages;
* the attacks the earlier guard handled (loops, memory, exits, edited/deleted/reordered test cells, broken
  files, a foreign kernelspec, attempts on the gradebook and other students' files).
"""

import os

import nbformat

from tests.grading.course import answered, cells_by_id

NB01 = "01_eigendecomposition"
CANARY = "CLASSGRADE_CANARY_7f3a"        # set in the grader's environment by the test
MAY_TIME_OUT = "# may time out\n"        # the test's config gives only cells with this line a short time limit
TIMEOUT_CONFIG = ("\n# The grading tests: only cells marked '# may time out' have a short time limit; every other cell\n"
                  "# has ten minutes, so that no verdict depends on how busy the machine is.\n"
                  "c.Execute.timeout = 600\n"
                  "c.Execute.timeout_func = lambda cell: 10 if '# may time out' in cell.source else 600\n")


def with_cell(nb, gid, before="", after="", source=None):
    nb = nbformat.from_dict(nb)
    cell = cells_by_id(nb)[gid]
    cell.source = before + (cell.source if source is None else source) + after
    return nb


def stub_answer(nb, student_nb, gid):
    """Put back the unanswered stub of one answer cell."""
    return with_cell(nb, gid, source=cells_by_id(student_nb)[gid].source)


SABOTAGE_EX1 = "\n_real_matvec = diag_matvec\ndef diag_matvec(d, v):\n    return _real_matvec(d, v) if not _breach else v\n"

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
try:
    import socket as _socket
    _socket.create_connection(("1.1.1.1", 53), timeout=2)
    _breach.append("network")
except OSError:
    pass
'''

ENVIRON = f'''
import glob as _glob, os as _os
_breach = []
for _path in ["/proc/1/environ", "/proc/self/environ"] + _glob.glob("/proc/[0-9]*/environ"):
    try:
        if b"{CANARY}" in open(_path, "rb").read():
            _breach.append(_path)
    except OSError:
        pass
if "{CANARY}" in str(_os.environ):
    _breach.append("os.environ")
'''

PROCESSES = '''
import os as _os, time as _time
_started, _breach = 0, []
for _ in range(150):
    try:
        _pid = _os.fork()
    except OSError:
        break
    if _pid == 0:
        _time.sleep(30)
        _os._exit(0)
    _started += 1
if _started >= 150:
    _breach.append("150 processes")
'''

MEMORY_CHILDREN = '''
import os as _os, time as _time
_kids, _breach = [], []
for _ in range(5):
    _read, _write = _os.pipe()
    _pid = _os.fork()
    if _pid == 0:
        try:
            open("/proc/self/oom_score_adj", "w").write("1000")   # children volunteer to be killed first
            _block = bytearray(800 * 2**20)
            for _i in range(0, len(_block), 4096):
                _block[_i] = 1
            _os.write(_write, b"1")
            _time.sleep(30)
        finally:
            _os._exit(0)
    _os.close(_write)
    _kids.append((_pid, _read))
_holding = 0
for _pid, _read in _kids:
    if _os.read(_read, 1) == b"1":
        _time.sleep(0.2)
        if _os.waitpid(_pid, _os.WNOHANG) == (0, 0):
            _holding += 1
if _holding == 5:
    _breach.append("4 GB held by 5 processes")
'''

CPU_CHILDREN = '''
import os as _os
for _ in range(4):
    if _os.fork() == 0:
        _os.setsid()
        if _os.fork() == 0:
            _os.setsid()
            import time as _time
            _end = _time.time() + 3
            while _time.time() < _end:       # spin, then wait for ever: the grader must end it
                pass
            while True:
                _time.sleep(60)
        _os._exit(0)
_breach = []
'''

FILES_AND_LINKS = '''
import os as _os
_breach = []
for _target, _name in [("/", "root"), (".", "here1"), (".", "here2"), ("..", "up"), ({course!r}, "course"),
                       ({solutions!r}, "solution.ipynb"), ("/proc/1/root", "init")]:
    try:
        _os.symlink(_target, _name)
    except OSError:
        pass
for _folder in (".", "/tmp", "/dev/shm"):
    try:
        with open(_os.path.join(_folder, "filler.bin"), "wb") as _f:
            for _ in range(700):
                _f.write(b"\\0" * 2**20)
        _breach.append("700 MB written in " + _folder)
    except OSError:
        pass
    finally:
        try:
            _os.unlink(_os.path.join(_folder, "filler.bin"))
        except OSError:
            pass
try:
    _os.makedirs("course_utils", exist_ok=True)
    open("course_utils/__init__.py", "w").write("PLANTED = True\\n")
except OSError:
    pass
'''


def hostile(course, student_nb, solution_nb, expect, exercises, Submission):
    """The hostile submissions (see the module docstring), as ``Submission`` objects."""
    correct = answered(student_nb, solution_nb)
    root = str(course.root)
    everything = exercises(solution_nb)
    subs = []

    def add(student, why, nb, zero=(), zero_cells=(), flags=(), gradable=True, files=None):
        expected = expect(solution_nb, zero, zero_cells) if gradable else expect(solution_nb, everything)
        subs.append(Submission(student, NB01, why, expected, gradable=gradable, flags=flags, files=files or {"": nb}))

    # --- links and special files: never followed
    add("h_link_gradebook", "the notebook is a symbolic link to the course's gradebook", None, gradable=False,
        flags=("NOT GRADABLE", "symbolic link"), files={"->" + f"{NB01}.ipynb": os.path.join(root, "gradebook.db")})
    add("h_link_other", "the notebook is a symbolic link to another student's submitted notebook", None,
        gradable=False, flags=("NOT GRADABLE", "symbolic link"),
        files={"->" + f"{NB01}.ipynb": os.path.join(root, "submitted", "nb01correct", NB01, f"{NB01}.ipynb")})
    add("h_link_folder", "the assignment folder is a symbolic link to another student's folder", None,
        gradable=False, flags=("NOT GRADABLE", "symbolic link"),
        files={"=>": os.path.join(root, "submitted", "nb01correct", NB01)})
    add("h_fifo", "the notebook is a named pipe (reading it would block)", None, gradable=False,
        flags=("NOT GRADABLE",), files={"|" + f"{NB01}.ipynb": ""})
    add("h_symlink_extra", "the correct notebook plus a symlink to the gradebook", None, flags=("symbolic link",),
        files={"": correct, "->gradebook.db": os.path.join(root, "gradebook.db")})

    # --- tricks inside the kernel: test cells do not run there
    zeros1 = with_cell(correct, "nb01_ex1_answer", source=(
        "def diag_matvec(d, v):\n    return np.zeros_like(v)\n\n\ndef scale_rows(d, A):\n    return np.zeros_like(A)\n"
        "\n\ndef scale_columns(A, d):\n    return np.zeros_like(A)\n"))
    patch_checks = ("import builtins\nimport numpy\nimport course_utils.checks as _c\n"
                    "class _Never(Exception):\n    pass\n"
                    "builtins.AssertionError = _Never\n"
                    "_c._fail.__code__ = (lambda message: None).__code__\n"
                    "for _name in dir(_c):\n    if not _name.startswith('__') and callable(getattr(_c, _name)):\n"
                    "        setattr(_c, _name, lambda *a, **k: None)\n")
    add("h_patch_checks", "exercise 1 wrong; AssertionError, every check helper and check._fail's code replaced",
        with_cell(zeros1, "nb01_ex1_answer", after="\n" + patch_checks), zero=["nb01_ex1"])
    wrong2 = with_cell(correct, "nb01_ex2_answer", source="def diag_solve(d, b):\n    return np.zeros_like(b)\n")
    hooks = ("import course_utils.checks as _c\n"
             "def _pass(*a, **k):\n    for _n in ('close', 'equal', 'shape', 'raises', 'forbid'):\n"
             "        setattr(_c, _n, lambda *a, **k: None)\n"
             "get_ipython().events.register('pre_run_cell', _pass)\n"
             "get_ipython().events.register('post_run_cell', _pass)\n"
             "import sys\nget_ipython().showtraceback = lambda *a, **k: None\n"
             "sys.excepthook = lambda *a: None\n"
             "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n")
    add("h_ipython_hooks", "exercise 2 wrong; pre/post_run_cell callbacks patch the checks, tracebacks hidden, "
        "a custom exception handler swallows errors", with_cell(wrong2, "nb01_ex2_answer", after="\n" + hooks),
        zero=["nb01_ex2"])
    wrong3 = with_cell(correct, "nb01_ex3_answer", source=(
        "def rotation_matrix(theta):\n    return np.eye(2)\n\n\ndef solve_orthogonal(U, B):\n    return B\n"))
    session = ("import jupyter_client.session as _s\n_send = _s.Session.send\n"
               "def _always_ok(self, stream, msg_or_type, content=None, *a, **k):\n"
               "    if isinstance(msg_or_type, dict) and msg_or_type.get('content', {}).get('status') == 'error':\n"
               "        msg_or_type['content']['status'] = 'ok'\n"
               "    if isinstance(content, dict) and content.get('status') == 'error':\n"
               "        content['status'] = 'ok'\n"
               "    return _send(self, stream, msg_or_type, content, *a, **k)\n"
               "_s.Session.send = _always_ok\n"
               "import numpy\nimport numpy._core.numeric as _numeric\n"
               "_kept = numpy.allclose, numpy.isclose, numpy.array_equal\n_kept_numeric = _numeric.isclose\n"
               "numpy.allclose = lambda *a, **k: True\nnumpy.isclose = lambda a, b, *x, **k: True\n"
               "numpy.array_equal = lambda *a, **k: True\nnumpy.testing.assert_allclose = lambda *a, **k: None\n"
               "import numpy._core.numeric as _numeric\n_numeric.isclose = lambda *a, **k: True\n")
    restore = ("numpy.allclose, numpy.isclose, numpy.array_equal = _kept\n"
               "_numeric.isclose = _kept_numeric\n")    # so that the student's own later answers work as before
    add("h_session_numpy", "exercise 3 wrong; error replies rewritten as ok in jupyter_client's Session.send, "
        "numpy.allclose/isclose/array_equal and NumPy internals patched while its tests run",
        with_cell(with_cell(wrong3, "nb01_ex3_answer", after="\n" + session), "nb01_ex4_answer",
                  before=restore), zero=["nb01_ex3"])
    impersonate = (
        "class _Anything(np.ndarray):\n    pass\n\n"
        "class _Liar:\n    shape = (3,)\n    def __array__(self, dtype=None, copy=None):\n        return np.zeros(3)\n"
        "    def __eq__(self, other):\n        return True\n    __ne__ = lambda self, other: False\n"
        "    def __array_function__(self, func, types, args, kwargs):\n        return True\n"
        "    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):\n        return np.zeros(3)\n"
        "    def __float__(self):\n        return 0.0\n\n\n"
        "def eigh_descending(A):\n    \"\"\"Objects that claim to equal whatever they are compared with.\"\"\"\n"
        "    return _Liar(), _Liar()\n")
    add("h_impersonate", "exercise 4 answered with objects that impersonate arrays (__array__, "
        "__array_function__, __array_ufunc__, __eq__ always True)",
        with_cell(correct, "nb01_ex4_answer", source=impersonate), zero=["nb01_ex4"])
    peek = ("import sys as _sys\n\ndef _peek(names):\n    frame = _sys._getframe(2)\n    while frame is not None:\n"
            "        for name in names:\n            if name in frame.f_locals:\n                return frame.f_locals[name]\n"
            "            if name in frame.f_globals:\n                return frame.f_globals[name]\n"
            "        frame = frame.f_back\n    import __main__\n    for name in names:\n"
            "        if hasattr(__main__, name):\n            return getattr(__main__, name)\n    return None\n\n\n"
            "def rotation_matrix(theta):\n    c, s = np.cos(theta), np.sin(theta)\n"
            "    return np.array([[c, -s], [s, c]])\n\n\n"
            "def solve_orthogonal(U, B):\n    found = _peek(['_expected', '_X', 'expected'])\n"
            "    return found if found is not None else np.zeros_like(B)\n")
    add("h_read_expected", "exercise 3's solve_orthogonal looks up the test's expected value in the caller's "
        "frames and the notebook's namespace", with_cell(correct, "nb01_ex3_answer", source=peek), zero=["nb01_ex3"])
    replace_helper = ("import sys as _sys, types as _types\n_fake = _types.ModuleType('__grader__')\n"
                      "_fake.serve = lambda number: number\n_sys.modules['__grader__'] = _fake\n")
    add("h_replace_helper", "the grader's helper module in the kernel replaced before exercise 5 (its tests "
        "can no longer reach the answers: they fail)",
        with_cell(correct, "nb01_ex5_answer", before=replace_helper), zero=["nb01_ex5", "nb01_ex6", "nb01_ex7"])
    blank_after = ("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
                   "get_ipython().ast_transformers.append(__import__('ast').NodeTransformer())\n")
    add("h_blank_cells", "nothing answered; an input transformer turns every later cell into `pass`",
        with_cell(student_nb, "nb01_ex1_answer", before=blank_after), zero=everything)
    plant = (FILES_AND_LINKS.format(course=root, solutions=os.path.join(root, "solutions", NB01, f"{NB01}.ipynb"))
             + "import sys as _sys\n_sys.path.insert(0, '.')\n_sys.path.insert(0, '/tmp')\n"
             "import os as _os\n_os.makedirs('/tmp/course_utils', exist_ok=True)\n"
             "open('/tmp/course_utils/__init__.py', 'w').write('')\n"
             "open('/tmp/course_utils/checks.py', 'w').write('def close(*a, **k):\\n    pass\\n')\n")
    add("h_plant_and_restart", "exercise 1 wrong; links, 700 MB files and a fake course_utils planted in the "
        "working folder and /tmp, then the kernel killed at the start of exercise 2's answer",
        with_cell(with_cell(zeros1, "nb01_ex1_answer", after="\n" + plant), "nb01_ex2_answer",
                  before="import os\nos._exit(0)\n"),
        zero=["nb01_ex1", "nb01_ex2"], flags=("kernel died",))

    # --- resources: whole-submission limits
    for student, why, code in [
            ("h_processes", "starts 150 sleeping processes (the submission's process limit stops it)", PROCESSES),
            ("h_memory_children", "five processes of 800 MB each under a 3 GB limit for the submission",
             MEMORY_CHILDREN),
            ("h_cpu_children", "children that leave the session and spin (killed with the submission)", CPU_CHILDREN),
            ("h_environ", "looks for the grader's environment in /proc/1/environ and os.environ", ENVIRON)]:
        add(student, why, with_cell(correct, "nb01_ex1_answer", source=code + "\n" +
                                    cells_by_id(correct)["nb01_ex1_answer"].source + SABOTAGE_EX1))

    # --- text
    mathtext = with_cell(correct, "nb01_ex2_answer", source=(
        "def diag_solve(d, b):\n    raise ValueError(r'$\\unknown{x}$ \\x1b[31m red \\r forged line $\\frac{1}{0')\n"))
    add("h_mathtext", "exercise 2 raises an error whose message is broken mathtext with escapes", mathtext,
        zero=["nb01_ex2"])
    smuggle = with_cell(correct, "nb01_ex4_answer", source=(
        "import sys as _sys\n\ndef eigh_descending(A):\n"
        "    frames, frame = [], _sys._getframe(1)\n    while frame is not None:\n"
        "        frames.append(repr(sorted(frame.f_locals))[:300] + repr(frame.f_code.co_filename))\n"
        "        frame = frame.f_back\n"
        "    raise ValueError('smuggled: ' + repr(A.tolist()) + ' | '.join(frames) + ' | '.join(In[-5:]))\n"))
    add("h_leak", "exercise 4 raises an error holding its input, the caller frames and the cells run so far",
        smuggle, zero=["nb01_ex4"])
    add("h_ansi\x1b[31m\rNOT GRADABLE forged", "a student folder name with ANSI escapes and a carriage return",
        correct)

    # --- what the earlier guard handled
    # (MAY_TIME_OUT marks the cells whose time limit the test makes short; every other cell has minutes)
    add("h_loop", "an infinite loop at the top of exercise 2's answer (stopped by the cell time limit)",
        with_cell(correct, "nb01_ex2_answer", before=MAY_TIME_OUT + "while True:\n    pass\n"), zero=["nb01_ex2"],
        flags=("timeout",))
    add("h_loop_noint", "a loop that ignores the interrupt in exercise 3's answer (kernel replaced)",
        with_cell(correct, "nb01_ex3_answer", before=MAY_TIME_OUT +
                  "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"),
        zero=["nb01_ex3"], flags=("kernel restarted",))
    die = ("\n_solve_diag = diag_solve\n\n\ndef diag_solve(d, b):\n    import os\n    if len(d) > 3:\n"
           "        os._exit(1)\n    return _solve_diag(d, b)\n")
    add("h_die_in_test", "diag_solve kills the kernel on the hidden tests' inputs only",
        with_cell(correct, "nb01_ex2_answer", after=die), zero_cells=["nb01_ex2_hidden"], flags=("kernel died",))
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
    fake_cell = nbformat.from_dict(zeros1)
    fake_cell.cells.insert(5, nbformat.v4.new_code_cell("print('Visible tests passed.')", metadata={"nbgrader": {
        "grade": True, "grade_id": "nb01_bonus", "points": 100, "locked": True, "solution": False,
        "schema_version": 3}}))
    add("h_fake_test", "exercise 1 wrong, plus a cell claiming to be a graded test worth 100 points", fake_cell,
        zero=["nb01_ex1"], flags=("not part of the assignment",))
    add("h_not_json", "a notebook file that is not JSON", None, gradable=False, flags=("NOT GRADABLE",),
        files={"": '{"cells": [ this is not json'})
    add("h_renamed", "the correct notebook saved under another name", None, flags=("graded as",),
        files={f"{NB01} (1).ipynb": correct})
    foreign = nbformat.from_dict(correct)
    foreign.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    add("h_kernelspec", "the correct answers with the kernelspec set to another kernel", foreign)
    readable = [os.path.join(root, "gradebook.db"), os.path.join(root, "solutions", NB01, f"{NB01}.ipynb"),
                os.path.join(root, "submitted", "nb01correct", NB01, f"{NB01}.ipynb"),
                os.path.join(root, "nbgrader_config.py"), os.path.join(root, ".classgrading")]
    writable = [os.path.join(root, "gradebook.db"),
                os.path.join(root, "submitted", "nb01blank", NB01, f"{NB01}.ipynb"),
                os.path.join(root, "autograded", "nb01blank", NB01, "planted.txt"),
                os.path.join(root, "feedback", "planted.txt")]
    breach = BREACH.format(readable=readable, writable=writable, gradebook=os.path.join(root, "gradebook.db"),
                           course=root)
    add("h_breakout", "reads and writes the gradebook, solutions/, other students' files; deletes the course; "
        "opens a network connection",
        with_cell(correct, "nb01_ex1_answer", source=breach + "\n" +
                  cells_by_id(correct)["nb01_ex1_answer"].source + SABOTAGE_EX1))
    return subs
