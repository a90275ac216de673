"""The grading plan of an assignment: which cells are tests, and what each test may read (trusted data).

Built once per assignment from the instructor's files, never from a submission:

* the **test cells** and their source (the solution notebook's, which must equal what nbgrader recorded in
  the gradebook when it generated the assignment), and which of them hold hidden tests;
* the **answer names**: what the solution's answer cells define (``diag_solve``, ``frobenius_errors``):
  a test that reads one of these asks the student's kernel for it;
* the **context**: the values that the notebook's own (instructor) cells give every other name a test
  reads (``C``, ``np``, ``check``, ``W_friends``), recorded by running those cells - and only those: no
  answer cell, no test - in a fresh kernel. A test reads these, never the student's copies, so a student
  who rebinds ``C`` changes nothing in any test.

For a name read by the test cell at position ``p``, the latest cell before ``p`` that binds it decides
where its value comes from (an instructor cell: the context; an answer cell: the student's kernel; an
earlier test cell: what that test cell bound, kept by :mod:`classgrading.runner`).

The plan is cached on disk (``<course>/.classgrading/``) under a hash of everything it depends on (the
solution notebook, ``course_utils/``, ``data/``, the versions of Python and NumPy): it is a pickle, so
the cache folder must be one that only the instructor can write, as the course folder is.
"""

from dataclasses import dataclass, field
import hashlib
import os
from pathlib import Path
import pickle
import re
import shutil
import symtable
import sys
import tempfile

PLAN_VERSION = 2
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS")
IPYTHON_NAMES = re.compile(r"^(_+|_i+|_i\d+|_\d+|_oh|_dh|In|Out|get_ipython|exit|quit|__\w+__)$")


@dataclass
class TestCell:
    grade_id: str
    position: int          # index of the cell in the solution notebook
    source: str            # plain Python (IPython syntax turned into calls)
    hidden: bool           # holds hidden tests: messages must not show the student's text
    reads: frozenset       # names the cell may look up globally


@dataclass
class Plan:
    assignment_id: str
    notebook_id: str
    tests: dict                                              # grade_id -> TestCell
    answer_bindings: dict = field(default_factory=dict)      # name -> positions of answer cells binding it
    instructor_bindings: dict = field(default_factory=dict)  # name -> positions of instructor cells binding it
    context: dict = field(default_factory=dict)              # grade_id -> {name: key}
    values: dict = field(default_factory=dict)               # key -> ("module", name) | ("pickle", bytes)
    #                                                           | ("redefine", source) | ("missing", why)
    recording_errors: list = field(default_factory=list)     # instructor cells that raised (for the log)

    def kind_of(self, name, position, test_layer):
        """Where ``name`` comes from for a test at ``position``: "instructor", "answer", "test" or None."""
        best = (-1, None)
        for kind, positions in (("instructor", self.instructor_bindings.get(name, ())),
                                ("answer", self.answer_bindings.get(name, ()))):
            for p in positions:
                if p < position and p > best[0]:
                    best = (p, kind)
        if name in test_layer and best[0] < test_layer[name][0] < position:
            best = (test_layer[name][0], "test")
        return best[1]


def python_source(source):
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def bound_names(source):
    """Names a cell binds at the top level (assignments, imports, def, class, for targets, with ... as)."""
    table = symtable.symtable(source, "<cell>", "exec")
    return {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}


def read_names(source):
    """Names a cell may look up globally, at the top level or from its functions, lambdas and comprehensions."""
    names = set()

    def walk(table, top):
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (top or symbol.is_global()):
                names.add(symbol.get_name())
        for child in table.get_children():
            walk(child, False)

    walk(symtable.symtable(source, "<cell>", "exec"), True)
    return names


def cell_kind(cell):
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type != "code":
        return None
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "test"
    return "instructor"


def defining_statement(source, name):
    """The last top-level ``def``/``class`` (or ``name = lambda ...``) statement of ``source`` that binds name."""
    import ast

    found = None
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            found = node
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and \
                any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            found = node
    return ast.unparse(found) if found is not None else None


def fingerprint(course, assignment_id):
    """A hash of everything the plan depends on."""
    import numpy

    h = hashlib.sha256(f"plan {PLAN_VERSION} {sys.version} numpy {numpy.__version__}".encode())
    course = Path(course)
    paths = [course / "solutions" / assignment_id / f"{assignment_id}.ipynb"]
    root = Path(__file__).resolve().parents[2]
    for folder in (root / "course_utils", root / "data"):
        paths += sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in paths:
        h.update(str(path.name).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:24]


RECORDER = r'''
def __recorder_define():
    import pickle, re, sys, types
    shell = get_ipython()
    internal = re.compile(r"^(_+|_i+|_i\d+|_\d+|_oh|_dh|In|Out|get_ipython|exit|quit|__\w+__)$")
    recorder = types.ModuleType("__recorder__")
    state = {"ids": {}}

    def changed():
        now = {k: id(v) for k, v in shell.user_ns.items() if not internal.match(k)}
        out = sorted(k for k, i in now.items() if state["ids"].get(k) != i)
        state["ids"] = now
        return out

    def dump(path, names):
        entries = {}
        for name in names:
            if name not in shell.user_ns:
                continue
            value = shell.user_ns[name]
            if isinstance(value, types.ModuleType):
                entries[name] = ("module", value.__name__)
            elif getattr(value, "__module__", None) == "__main__" and (isinstance(value, type) or callable(value)):
                entries[name] = ("redefine", "")
            else:
                try:
                    entries[name] = ("pickle", pickle.dumps(value, protocol=5))
                except Exception as error:
                    entries[name] = ("missing", f"its value ({type(value).__name__}) cannot be recorded: {error}")
        with open(path, "wb") as handle:
            pickle.dump(entries, handle)
        return len(entries)

    recorder.changed, recorder.dump = changed, dump
    sys.modules["__recorder__"] = recorder
    changed()

__recorder_define()
del __recorder_define
'''


def _needed(plan, nb, reads, position):
    """The names a test at ``position`` reads from the notebook's own cells, with the globals of the
    notebook's functions it uses (they are redefined in the grader, and look their globals up there)."""
    needed, todo = set(), list(reads)
    while todo:
        name = todo.pop()
        if name in needed or IPYTHON_NAMES.match(name) or plan.kind_of(name, position, {}) != "instructor":
            continue
        needed.add(name)
        binder = max(p for p in plan.instructor_bindings[name] if p < position)
        statement = defining_statement(python_source(nb.cells[binder].source), name)
        if statement is not None:
            todo += read_names(statement)
    return needed


def _execute(client, code, timeout, user_expressions=None):
    reply = client.execute_interactive(code, silent=False, store_history=False, timeout=timeout,
                                       user_expressions=user_expressions or {}, output_hook=lambda msg: None)
    return reply["content"]


def _expression(content, key):
    import ast

    result = content.get("user_expressions", {}).get(key, {})
    if result.get("status") != "ok":
        raise RuntimeError(f"the recorder failed: {result}")
    return ast.literal_eval(result["data"]["text/plain"])


def record(nb, assignment_id, notebook_id, timeout=600, log=None):
    """Build the plan of one notebook: run its instructor cells in a fresh kernel and record the context."""
    from jupyter_client.manager import KernelManager

    cells = [(i, cell, cell_kind(cell)) for i, cell in enumerate(nb.cells)]
    plan = Plan(assignment_id, notebook_id, tests={})
    for i, cell, kind in cells:
        if kind in ("answer", "test"):
            source = python_source(cell.source)
            gid = cell.metadata["nbgrader"]["grade_id"]
            if kind == "answer":
                for name in bound_names(source):
                    plan.answer_bindings.setdefault(name, []).append(i)
            else:
                plan.tests[gid] = TestCell(gid, i, source, bool(HIDDEN.search(cell.source)),
                                           frozenset(read_names(source)))
    workdir = tempfile.mkdtemp(prefix="classgrade-record-")
    km = KernelManager(kernel_name="python3")
    env = dict(os.environ, MPLBACKEND="Agg", NBGRADER_EXECUTION="autograde", TQDM_DISABLE="1")
    km.start_kernel(cwd=workdir, env=env)
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        _execute(client, RECORDER, 60)
        for i, cell, kind in cells:
            if kind == "instructor":
                content = _execute(client, cell.source, timeout, {"changed": "__import__('__recorder__').changed()"})
                if content.get("status") != "ok":
                    plan.recording_errors.append(f"cell {i}: {content.get('ename')}: {content.get('evalue')}")
                    content = _execute(client, "", 60, {"changed": "__import__('__recorder__').changed()"})
                for name in _expression(content, "changed"):
                    plan.instructor_bindings.setdefault(name, []).append(i)
            elif kind == "test":
                test = next(t for t in plan.tests.values() if t.position == i)
                wanted = sorted(_needed(plan, nb, test.reads, i))
                path = os.path.join(workdir, f"context-{i}.pkl")
                _execute(client, "", 300, {"n": f"__import__('__recorder__').dump({path!r}, {wanted!r})"})
                with open(path, "rb") as handle:
                    entries = pickle.load(handle)
                os.unlink(path)
                plan.context[test.grade_id] = {}
                for name in wanted:
                    entry = entries.get(name, ("missing", "it is not defined when the notebook's own cells run "
                                                          "without any answer (does it depend on an exercise?)"))
                    if entry[0] == "redefine":
                        source = None
                        for p in sorted((p for p in plan.instructor_bindings[name] if p < i), reverse=True):
                            source = defining_statement(python_source(nb.cells[p].source), name)
                            break
                        entry = ("redefine", source) if source else ("missing", "it is defined in a way the grader "
                                                                                "cannot repeat")
                    key = hashlib.sha256(pickle.dumps(entry)).hexdigest()[:20]
                    plan.values.setdefault(key, entry)
                    plan.context[test.grade_id][name] = key
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)
        shutil.rmtree(workdir, ignore_errors=True)
    if log and plan.recording_errors:
        log(f"{assignment_id}: {len(plan.recording_errors)} of the notebook's own cells raised when run without "
            f"answers (their names cannot be used by tests): {'; '.join(plan.recording_errors)[:1000]}")
    return plan


def check_against_gradebook(plan, gradebook):
    """The test sources must be the ones nbgrader recorded when it generated the assignment."""
    notebook = gradebook.find_notebook(plan.notebook_id, plan.assignment_id)
    recorded = {cell.name: python_source(cell.source) for cell in notebook.source_cells}
    stale = sorted(gid for gid, test in plan.tests.items() if recorded.get(gid) != test.source)
    if stale:
        raise SystemExit(f"{plan.assignment_id}: the test cells {', '.join(stale)} in solutions/ differ from the "
                         "ones in the gradebook: run `nbgrader generate_assignment "
                         f"{plan.assignment_id} --force` (or tools/build_notebooks.py) first")


def load_or_build(course, assignment_id, cache=None, log=None, timeout=600):
    """The plan of ``assignment_id`` (one notebook per assignment, as in this course), from the cache if fresh,
    and the file it is cached in (named by the fingerprint taken before the plan was read or recorded)."""
    import nbformat

    course = Path(course)
    cache = Path(cache) if cache else course / ".classgrading"
    key = fingerprint(course, assignment_id)
    path = cache / f"plan-{assignment_id}-{key}.pkl"
    if path.is_file() and not path.is_symlink():
        with open(path, "rb") as handle:
            return pickle.load(handle), path
    nb = nbformat.read(course / "solutions" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    plan = record(nb, assignment_id, assignment_id, timeout=timeout, log=log)
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"plan-{assignment_id}-*.pkl"):
        old.unlink()
    temporary = path.with_suffix(".tmp")
    with open(temporary, "wb") as handle:
        pickle.dump(plan, handle, protocol=5)
    os.replace(temporary, path)
    return plan, path
