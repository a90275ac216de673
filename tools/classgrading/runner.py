"""Test cells run here, in the grader's process, on the trusted context and the student's plain data.

:class:`TestRunner` executes one graded test cell's source (from the plan, never from the submission)
in a fresh namespace whose every missing name is resolved by the plan (:meth:`Plan.kind_of`): the
notebook's own values from the recorded context, the student's names through the :class:`Bridge`, and
what earlier test cells bound. The verdict is whether that code finishes without an exception; the
cell's outputs - what the test printed, and the error if it failed - are written here, so nbgrader's own
rule (an error output scores zero) turns them into points. Nothing the student's code produces is
executed, displayed as an output of its own, or trusted to say whether it passed.

For hidden tests, every text that came from the student's kernel (an exception message, a string value,
a type name) is removed from the message: hidden-test feedback says which case failed and with which
numbers, never the test's source and never text the student's code chose.
"""

import builtins
from contextlib import contextmanager, redirect_stdout
import importlib
import io
import pickle
import traceback

import numpy as np
from nbformat.notebooknode import NotebookNode

from .bridge import StudentCodeProblem, StudentRaised

MAX_TEST_OUTPUT = 20_000
REDACTED = "[text from your code]"


class GradingBackend:
    """What ``course_utils.checks`` consults while a test runs here: the open ``check.forbid`` blocks."""

    def __init__(self):
        self.blocks = []

    @contextmanager
    def forbid(self, names, reason):
        self.blocks.append((list(names), reason))
        try:
            yield
        finally:
            self.blocks.pop()

    def active(self):
        if not self.blocks:
            return None
        names = [name for block, _ in self.blocks for name in block]
        return [list(dict.fromkeys(names)), self.blocks[-1][1]]

    def reason_for(self, name):
        for names, reason in reversed(self.blocks):
            if name in names:
                return reason
        return "this exercise asks you to compute it yourself"


class _Namespace(dict):
    """A test cell's globals: names it does not bind come from the plan's sources, on first use."""

    def __init__(self, lookup):
        super().__init__()
        self._lookup = lookup
        self._resolved = {}

    def __missing__(self, name):
        value = self._lookup(name, self)        # KeyError: a builtin, or undefined
        self[name] = value
        self._resolved[name] = id(value)
        return value


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def stream_output(text):
    return NotebookNode(output_type="stream", name="stdout", text=text)


def redact(message, texts, allowed=()):
    """``message`` with every text that came from the student's code (and its repr) taken out, except the
    ``allowed`` ones (the stub's own message, which every student has)."""
    variants = set()
    for text in texts:
        if text in allowed:
            continue
        # as sent, and stripped (checks.py shows an exception's message stripped: a message that ends in
        # whitespace, or was cut by the kernel's size limit just after a space, is shown without it)
        for form in (text, text.strip()):
            variants.add(form)
            variants.add(repr(form)[1:-1])
            variants.add(repr(form))
    for text in sorted((v for v in variants if len(v) >= 3), key=len, reverse=True):
        message = message.replace(text, REDACTED)
    return message


class TestRunner:
    """Runs the test cells of one submission's notebook, in order, remembering what they bind."""

    def __init__(self, plan, allowed_texts=()):
        self.plan = plan
        self.allowed_texts = frozenset(allowed_texts)
        self.layer = {}              # name -> (position of the test cell that bound it, value)
        self.layer_before = {}       # grade_id -> the layer as it was before that test cell (checking exercises)
        self._arrays = {}            # context key -> read-only array (shared between test cells)

    def context_value(self, grade_id, name, namespace):
        key = self.plan.context.get(grade_id, {}).get(name)
        if key is None:
            raise NameError(f"name '{name}' is not defined (the notebook's own cells do not define it before "
                            "this test)")
        kind, payload = self.plan.values[key]
        if kind == "module":
            return importlib.import_module(payload)
        if kind == "redefine":
            exec(compile(payload, f"<notebook definition of {name}>", "exec"), namespace)
            return dict.__getitem__(namespace, name)
        if kind == "missing":
            raise NameError(f"name '{name}' cannot be used by this test: {payload}")
        if key in self._arrays:
            return self._arrays[key]
        value = pickle.loads(payload)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False       # shared by every test cell: a test must copy before changing
            self._arrays[key] = value
        return value

    def run(self, grade_id, bridge, hidden_override=None):
        """Run the test cell ``grade_id``; returns its outputs (a list of nbformat output nodes) and whether
        it passed."""
        import course_utils.checks as checks

        test = self.plan.tests[grade_id]
        hidden = test.hidden if hidden_override is None else hidden_override
        self.layer_before.setdefault(grade_id, dict(self.layer))

        def lookup(name, namespace):
            kind = self.plan.kind_of(name, test.position, self.layer)
            if kind is None:
                raise KeyError(name)
            if kind == "test":
                return self.layer[name][1]
            if kind == "answer":
                return bridge.get(name)
            return self.context_value(grade_id, name, namespace)

        namespace = _Namespace(lookup)
        namespace["__builtins__"] = builtins
        namespace["__name__"] = "__main__"
        printed = io.StringIO()
        backend = GradingBackend()
        bridge.forbid_state = backend
        previous, checks._backend = checks._backend, backend
        error = None
        try:
            with redirect_stdout(printed):
                exec(compile(test.source, f"<{grade_id}>", "exec"), namespace)
        except BaseException as exc:  # noqa: B036 - the verdict: any exception fails the test
            error = exc
        finally:
            checks._backend = previous
        for name, value in namespace.items():
            if name.startswith("__") or namespace._resolved.get(name) == id(value):
                continue
            self.layer[name] = (test.position, value)
        outputs = []
        text = printed.getvalue()
        if text:
            outputs.append(stream_output(text[:MAX_TEST_OUTPUT]))
        if error is not None:
            ename, evalue = describe(error)
            if hidden:
                evalue = redact(evalue, bridge.texts, self.allowed_texts)
            outputs.append(error_output(ename, evalue))
        return outputs, error is None


    def for_variant(self, first_test):
        """A runner that starts from this one's state just before ``first_test`` (to run a variant's tests)."""
        other = TestRunner(self.plan, self.allowed_texts)
        other.layer = dict(self.layer_before.get(first_test, self.layer))
        other._arrays = self._arrays
        return other


def describe(error):
    """The error output's name and message: what failed, never a traceback of the test's code."""
    if isinstance(error, StudentRaised):
        return error.student_type_name, str(error)
    if isinstance(error, StudentCodeProblem):
        return error.student_type_name, str(error)
    if isinstance(error, (AssertionError, NameError, NotImplementedError)):
        return type(error).__name__, str(error)
    # an error of the test's own code on the student's data (a wrong type, say): its type and message,
    # and the line of the test where it happened
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f"line {f.lineno}" for f in reversed(frames) if f.filename.startswith("<nb")), "")
    return type(error).__name__, f"{error}" + (f" (in the test, {where})" if where else "")
