"""The grader's helper inside the student's kernel: it runs the student's code on request and writes back data.

This file is not imported by the grader: its source (after :mod:`classgrading.wire`'s) is executed in the
sandboxed kernel when the kernel starts, into a module registered as ``sys.modules["__grader__"]``.
Test cells never run in the kernel. When a test (running in the grader) needs a name the student
defined, or calls one of the student's functions, the grader writes a request into the kernel's private
exchange folder (``/tmp/.grader``, reached from outside through ``/proc/<pid>/root``) and asks the
kernel to ``serve`` it; the answer is written back as plain data (:mod:`wire`).

Nothing here decides anything. The student's code can replace every function of this module, and then
its answers are whatever bytes it writes: the grader decodes them strictly and compares them with its
own references in its own process. ``forbid`` is the one rule enforced here, inside the kernel.
"""

import builtins
import importlib
import os
import sys
import types
import warnings

import numpy as np

EXCHANGE = "/tmp/.grader"          # set by install(): the kernel's private exchange folder
_objects = {}
_count = [0]
_snapshots = {}        # label -> copy of the notebook's namespace (checking exercises: see snapshot())
_namespaces = {}       # label -> namespace in which a variant of an answer ran
MAX_MESSAGE = 4000


def install(folder):
    global EXCHANGE
    EXCHANGE = folder
    os.makedirs(EXCHANGE, mode=0o700, exist_ok=True)
    return "installed"


def _kind(obj):
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, np.ufunc)) or \
            type(obj).__name__ in ("partial", "method-wrapper", "cython_function_or_method"):
        return "function"
    return "object"


def _handle(obj):
    """A handle for an object that is not plain data (after trying its array form, as NumPy would)."""
    kind = _kind(obj)
    if kind == "object" and hasattr(type(obj), "__array__"):
        try:
            arr = np.asarray(obj)
        except Exception:
            arr = None
        if arr is not None and arr.dtype.kind in ARRAY_KINDS:
            return {"t": "asarray", "value": arr}
    _count[0] += 1
    _objects[_count[0]] = obj
    name = getattr(obj, "__name__", None) if kind in ("function", "class", "module") else None
    if not isinstance(name, str):
        name = type(obj).__qualname__ if isinstance(type(obj).__qualname__, str) else "object"
    return {"t": "handle", "id": _count[0], "kind": kind, "type": name[:200]}


def _encode_value(value):
    """Encode with handles for objects; array-likes become arrays."""
    encoder = _Encoder(make_handle=None)

    def make(x):
        node = _handle(x)
        if node.get("t") == "asarray":
            return encoder.array(node["value"])
        return node

    encoder.make_handle = make
    return encoder


def _exception(exc):
    try:
        message = str(exc)
    except Exception:
        message = "(the exception's message could not be turned into text)"
    mro = []
    for cls in type(exc).__mro__:
        module = getattr(cls, "__module__", "?")
        name = getattr(cls, "__qualname__", "?")
        mro.append([module if isinstance(module, str) else "?", name if isinstance(name, str) else "?"])
    return {"mro": mro[:40], "message": message[:MAX_MESSAGE]}


_LIBRARY_PREFIXES = tuple(sorted({p for p in (sys.prefix, sys.base_prefix, sys.exec_prefix) if p}))


def _is_student_code(filename):
    """Code the student wrote (a notebook cell), as opposed to the Python installation and its packages."""
    if not isinstance(filename, str) or filename.startswith(("<frozen", "<grader")):
        return False
    course_utils = sys.modules.get("course_utils")
    package = os.path.dirname(getattr(course_utils, "__file__", "") or "") if course_utils else ""
    return not filename.startswith(_LIBRARY_PREFIXES) and not (package and filename.startswith(package))


def _resolve(dotted):
    module_name, _, attribute = dotted.rpartition(".")
    module = importlib.import_module(module_name)
    return module, attribute, getattr(module, attribute)


class _Forbidden:
    """Blocks calls of library functions while the student's function runs (like ``check.forbid``)."""

    def __init__(self, dotted_names, reason, violations):
        self.dotted_names, self.reason = list(dotted_names), reason
        self.violations = violations
        self.patches = []
        self.codes = {}
        self.wrappers = {}
        self.objects = {}

    def __enter__(self):
        main = vars(sys.modules["__main__"])
        for dotted in self.dotted_names:
            try:
                module, attribute, original = _resolve(dotted)
            except Exception:
                continue

            def blocked(*args, _name=dotted, **kwargs):
                self.violations.append(_name)
                raise AssertionError(f"Your code called {_name}, which is not allowed here: {self.reason}.")

            self.patches.append((vars(module), attribute, original))
            setattr(module, attribute, blocked)
            for key, value in list(main.items()):
                if value is original:
                    self.patches.append((main, key, original))
                    main[key] = blocked
            self.objects[id(original)] = dotted
            # The code objects that run when the function is called. NumPy's dispatchers run their Python
            # implementation from C; a decorated function (``__wrapped__``) runs its decorator's wrapper,
            # whose code the decorator shares with every function it decorates, so a wrapper counts only
            # when the function it wraps is the forbidden one.
            inner = original
            while getattr(inner, "__wrapped__", None) is not None:
                inner = inner.__wrapped__
            for candidate in (inner, getattr(original, "_implementation", None)):
                code = getattr(candidate, "__code__", None)
                if code is not None:
                    self.codes[code] = dotted
            if inner is not original and getattr(original, "__code__", None) is not None:
                self.wrappers[original.__code__] = (dotted, inner)
            if isinstance(original, type) and "__init__" in vars(original):
                code = getattr(vars(original)["__init__"], "__code__", None)
                if code is not None:
                    self.codes[code] = dotted
        if self.codes or self.objects or self.wrappers:
            self.previous_profile = sys.getprofile()
            sys.setprofile(self._profile)
        return self

    def _profile(self, frame, event, arg):
        # Catches calls, made by the student's own code, through names the patches above cannot reach (a
        # default argument, a closure). Calls made inside libraries are theirs, as with the patches.
        if event == "call" and frame.f_code in self.codes:
            caller = frame.f_back
            if caller is not None and _is_student_code(caller.f_code.co_filename):
                self.violations.append(self.codes[frame.f_code])
        elif event == "call" and frame.f_code in self.wrappers:
            dotted, inner = self.wrappers[frame.f_code]
            caller = frame.f_back
            if caller is not None and _is_student_code(caller.f_code.co_filename) and \
                    any(value is inner for value in frame.f_locals.values()):
                self.violations.append(dotted)
        elif event == "c_call" and id(arg) in self.objects and _is_student_code(frame.f_code.co_filename):
            self.violations.append(self.objects[id(arg)])

    def __exit__(self, *exc):
        if self.codes or self.objects or self.wrappers:
            sys.setprofile(self.previous_profile)
        for namespace, key, original in reversed(self.patches):
            namespace[key] = original
        return False


class _NoForbid:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Gone:
    """Stands for a handle this kernel does not know (it was restarted since)."""


def _call(request, target, violations):
    args, kwargs = list(request.get("args", ())), dict(request.get("kwargs", {}))
    before = {}
    for key, value in list(enumerate(args)) + list(kwargs.items()):
        if type(value) is np.ndarray:
            before[key] = value.copy()
    forbid = request.get("forbid")
    guard = _Forbidden(forbid[0], forbid[1], violations) if forbid else _NoForbid()
    errstate = request.get("errstate") or {}
    warning_filter = request.get("warnings")
    with warnings.catch_warnings():
        if warning_filter:
            warnings.simplefilter("error", getattr(builtins, warning_filter, Warning))
        with np.errstate(**errstate):
            with guard:
                value = target(*args, **kwargs)
    mutated = {}
    for key, old in before.items():
        new = args[key] if isinstance(key, int) else kwargs[key]
        if new.shape == old.shape and not np.array_equal(new, old, equal_nan=True):
            mutated[str(key)] = new
    return value, mutated


def snapshot(label):
    """Keep a copy of the notebook's namespace as it is now (before an answer cell runs), for exec_variant."""
    _snapshots[str(label)] = dict(vars(sys.modules["__main__"]))
    return str(label)


def _exec_variant(request):
    """Run another version of an answer cell in a copy of the namespace it started from (checking exercises)."""
    namespace = dict(_snapshots[request["base"]])
    _namespaces[request["label"]] = namespace
    shell = sys.modules["__main__"].__dict__.get("get_ipython", lambda: None)()
    source = shell.transform_cell(request["source"]) if shell is not None else request["source"]
    exec(compile(source, f"<variant {request['label']}>", "exec"), namespace)
    return None, {}


def _perform(request, violations):
    op = request.get("op")
    if op == "get":
        name = request["name"]
        label = request.get("namespace")
        namespace = _namespaces[label] if label else vars(sys.modules["__main__"])
        if name not in namespace:
            raise NameError(f"name '{name}' is not defined")
        return namespace[name], {}
    if op == "exec_variant":
        return _exec_variant(request)
    target = request.get("target")
    if isinstance(target, _Gone):
        raise LookupError("the object is gone (the kernel was restarted)")
    if op == "call":
        return _call(request, target, violations)
    if op == "getattr":
        return getattr(target, request["name"]), {}
    raise ValueError(f"unknown request {op!r}")


def serve(number):
    """Carry out request ``number`` (a file the grader wrote) and write its answer (plain data)."""
    path = os.path.join(EXCHANGE, f"req-{int(number)}.bin")
    with open(path, "rb") as handle:
        request = decode(handle.read(), handle_factory=lambda h: _objects.get(h.id, _Gone()))
    os.unlink(path)
    violations = []
    try:
        value, mutated = _perform(request, violations)
        answer = {"status": "ok", "value": value, "mutated": mutated, "violations": violations}
    except BaseException as exc:  # noqa: B036 - everything, KeyboardInterrupt and SystemExit included
        answer = {"status": "raised", "exception": _exception(exc), "violations": violations}
    encoder = _encode_value(answer)
    try:
        root = encoder.node(answer)
    except Exception as exc:
        encoder = _encode_value(None)
        root = encoder.node({"status": "unsendable", "exception": _exception(exc), "violations": violations})
    import json
    import struct
    header = json.dumps({"root": root, "blocks": [len(b) for b in encoder.blocks]},
                        separators=(",", ":"), allow_nan=False).encode()
    temporary = os.path.join(EXCHANGE, f"res-{int(number)}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(MAGIC + struct.pack(">Q", len(header)) + header)
        for block in encoder.blocks:
            handle.write(block)
    os.replace(temporary, os.path.join(EXCHANGE, f"res-{int(number)}.bin"))
    return int(number)
