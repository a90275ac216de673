"""The grader's side of the boundary: what the trusted test code holds of the student's code.

A test cell runs in the grader's own process (:mod:`classgrading.runner`). The student's names reach it
through this module only:

* a student's *variable* arrives as plain data (:mod:`classgrading.wire`): real NumPy arrays and Python
  numbers, decoded strictly, never an object of the student's;
* a student's *function* (or class, or any object that is not plain data) arrives as a proxy. Calling it
  sends the arguments, as plain data, into the sandboxed kernel, where the student's code runs; what it
  returns comes back as plain data (or another proxy). An exception it raises comes back as a new
  exception of the nearest builtin (or NumPy/SciPy) class with the student's message as text: test code
  can catch it (``check.raises``, ``except MemoryError``) but nothing of the student's runs in the grader.

The exchange itself: the grader writes the request into the kernel's private folder, reached from
outside through ``/proc/<pid>/root`` one path component at a time, refusing symbolic links and anything
but regular files (:class:`SandboxFiles`); it asks the kernel to serve it; it reads the answer the same
way, with a size limit. A kernel that dies, hangs or answers nonsense makes the test fail; it never makes
the grader follow, run or believe anything.
"""

import builtins
import errno
import os
import stat
import threading

import numpy as np

from . import wire

MAX_ANSWER_BYTES = 512 * 2**20


class StudentCodeProblem(Exception):
    """The student's code could not answer (kernel died, hung, answered nonsense). ``ename`` names the kind."""

    def __init__(self, message, ename="GradingError"):
        super().__init__(message)
        self.student_type_name = ename


class StudentRaised(Exception):
    """Mixed into the exception raised in the grader for an exception raised by the student's code."""

    student_type_name = "Exception"


_TRUSTED_EXCEPTIONS = {("builtins", name): value for name, value in vars(builtins).items()
                       if isinstance(value, type) and issubclass(value, BaseException)}
_TRUSTED_EXCEPTIONS.update({(module, "LinAlgError"): np.linalg.LinAlgError
                            for module in ("numpy.linalg", "numpy.linalg.linalg", "numpy.linalg._linalg")})
_EXCEPTION_CLASSES = {}


def _student_exception_class(base):
    if base not in _EXCEPTION_CLASSES:
        _EXCEPTION_CLASSES[base] = type(f"Student{base.__name__}", (StudentRaised, base), {})
    return _EXCEPTION_CLASSES[base]


def _plain_name(text):
    return text if isinstance(text, str) and text.isidentifier() and len(text) <= 60 else None


def exception_from(info):
    """The exception to raise in the grader for the student's exception described by ``info`` (plain data)."""
    mro = info.get("mro") if isinstance(info, dict) else None
    message = info.get("message") if isinstance(info, dict) else None
    message = message if isinstance(message, str) else ""
    base = Exception
    for entry in mro if isinstance(mro, list) else []:
        if isinstance(entry, list) and len(entry) == 2 and tuple(entry) in _TRUSTED_EXCEPTIONS:
            base = _TRUSTED_EXCEPTIONS[tuple(entry)]
            break
    own = _plain_name(mro[0][1]) if isinstance(mro, list) and mro and isinstance(mro[0], list) \
        and len(mro[0]) == 2 else None
    if not issubclass(base, Exception):        # SystemExit, KeyboardInterrupt, GeneratorExit
        return StudentCodeProblem(f"your code raised {base.__name__}" + (f": {message}" if message else ""),
                                  ename=base.__name__)
    error = _student_exception_class(base)(message)
    error.student_type_name = own if own and own == base.__name__ else base.__name__
    return error


class SandboxFiles:
    """Files of the kernel's private exchange folder, reached from the grader without following links."""

    def __init__(self, root, folder):
        """``root``: ``/proc/<pid>/root`` of the sandbox (or ``/`` without one); ``folder``: the path of the
        exchange folder below it, as a tuple of names."""
        self.root = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self.folder = tuple(folder)

    def close(self):
        if self.root is not None:
            os.close(self.root)
            self.root = None

    def _folder(self):
        fd = os.dup(self.root)
        try:
            for part in self.folder:
                new = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
                os.close(fd)
                fd = new
            return fd
        except OSError:
            os.close(fd)
            raise

    def write(self, name, data):
        folder = self._folder()
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                         dir_fd=folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        finally:
            os.close(folder)

    def read(self, name, max_bytes=MAX_ANSWER_BYTES):
        """The bytes of a regular file (None if it does not exist); anything else raises StudentCodeProblem."""
        folder = self._folder()
        try:
            try:
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
            except FileNotFoundError:
                return None
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise StudentCodeProblem("the answer was replaced by a symbolic link") from None
                raise
            with os.fdopen(fd, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    raise StudentCodeProblem("the answer is not a regular file")
                if info.st_size > max_bytes:
                    raise StudentCodeProblem(f"the answer is larger than {max_bytes // 2**20} MiB")
                data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise StudentCodeProblem(f"the answer is larger than {max_bytes // 2**20} MiB")
            try:
                os.unlink(name, dir_fd=folder)
            except OSError:
                pass
            return data
        finally:
            os.close(folder)


class _Proxy:
    """Something of the student's, kept in the kernel; only its handle is here."""

    def __init__(self, bridge, handle):
        self._bridge, self._handle = bridge, handle
        self._generation = bridge.generation
        self.__name__ = handle.type_name

    @classmethod
    def _describe_for_student(cls, proxy):
        return f"a {proxy._handle.type_name[:30]} object from your code"

    def __repr__(self):
        return f"<your {self._handle.kind} {self._handle.type_name}>"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)          # NumPy and Python probe special names: not the student's business
        return self._bridge.request({"op": "getattr", "target": self, "name": name},
                                    label=f"{self.__name__}.{name}")["value"]

    def __call__(self, *args, **kwargs):
        return self._bridge.call(self, args, kwargs)


class StudentFunction(_Proxy):
    @classmethod
    def _describe_for_student(cls, proxy):
        return f"the function {proxy._handle.type_name}"


class Bridge:
    """What one test cell uses to reach the student's kernel (made by the executor for each test cell).

    ``serve(number, seconds)`` is the executor's blocking call that asks the kernel to carry out request
    ``number`` and waits at most ``seconds`` (it raises :class:`StudentCodeProblem` when the kernel dies,
    hangs or floods); ``remaining()`` is the time left for this test cell.
    """

    def __init__(self, files, serve, remaining, generation, forbid_state):
        self.files, self.serve, self.remaining = files, serve, remaining
        self.generation = generation
        self.forbid_state = forbid_state        # course_utils.checks' grading backend: the open forbid blocks
        self.texts = []                         # every string that came from the student's kernel
        self.namespace = None                   # checking exercises: the namespace of a variant's answer
        self.counter = 0
        self.lock = threading.Lock()

    # ----------------------------------------------------------------- requests
    def _encode(self, request):
        def make_handle(x):
            if isinstance(x, _Proxy):
                if x._generation != self.generation:
                    raise StudentCodeProblem("an object of your code is gone: the kernel was restarted since")
                return {"t": "handle", "id": x._handle.id, "kind": x._handle.kind, "type": x._handle.type_name}
            raise TypeError(f"a test passed a {type(x).__name__} to the student's code: only plain data can be "
                            "sent (this is a problem of the test, not of the answer)")
        return wire.encode(request, make_handle=make_handle)

    def _proxy(self, handle):
        return StudentFunction(self, handle) if handle.kind in ("function", "class") else _Proxy(self, handle)

    def request(self, request, label):
        with self.lock:
            self.counter += 1
            number = self.counter
        self.files.write(f"req-{number}.bin", self._encode(request))
        seconds = self.remaining()
        if seconds <= 0:
            raise StudentCodeProblem(f"no time was left for {label}")
        self.serve(number, seconds)
        data = self.files.read(f"res-{number}.bin")
        if data is None:
            raise StudentCodeProblem(f"your code gave no answer for {label} (the grader's helper in the kernel "
                                     "was removed or blocked)")
        try:
            answer = wire.decode(data, handle_factory=self._proxy)
        except wire.WireError as error:
            raise StudentCodeProblem(f"the answer for {label} is not plain data: {error}") from None
        if not isinstance(answer, dict) or answer.get("status") not in ("ok", "raised", "unsendable"):
            raise StudentCodeProblem(f"the answer for {label} is malformed")
        self.texts += strings_in(answer.get("value")) + strings_in(answer.get("exception"))
        violations = answer.get("violations")
        if isinstance(violations, list) and violations:
            forbidden = (self.forbid_state.active() or [[]])[0]
            name = violations[0] if violations[0] in forbidden else "a function that is not allowed"
            raise AssertionError(f"Your code called {name}, which is not allowed here: "
                                 f"{self.forbid_state.reason_for(name)}.")
        if answer["status"] == "raised":
            raise exception_from(answer.get("exception"))
        if answer["status"] == "unsendable":
            info = answer.get("exception") or {}
            message = info.get("message") if isinstance(info, dict) else ""
            raise StudentCodeProblem(f"{label} returned something that cannot be graded: {message}")
        return answer

    def get(self, name):
        """The student's value of ``name`` (plain data, or a proxy for a function or object)."""
        try:
            request = {"op": "get", "name": name}
            if self.namespace:
                request["namespace"] = self.namespace
            return self.request(request, label=name)["value"]
        except NameError as error:
            # the grader's own message (the kernel's, which may say anything, is dropped)
            self.texts[:] = [text for text in self.texts if text != str(error)]
            raise NameError(f"name '{name}' is not defined") from None

    def call(self, proxy, args, kwargs):
        from course_utils.checks import describe_call

        label = describe_call(proxy, args, kwargs)
        request = {"op": "call", "target": proxy, "args": list(args), "kwargs": dict(kwargs),
                   "errstate": {k: v for k, v in np.geterr().items()}, "warnings": _warnings_as_errors()}
        forbid = self.forbid_state.active()
        if forbid:
            request["forbid"] = forbid
        answer = self.request(request, label=label)
        mutated = answer.get("mutated") or {}
        if isinstance(mutated, dict):
            for key, new in mutated.items():
                original = args[int(key)] if isinstance(key, str) and key.isdigit() and int(key) < len(args) \
                    else kwargs.get(key)
                if isinstance(original, np.ndarray) and isinstance(new, np.ndarray) and original.flags.writeable \
                        and original.shape == new.shape:
                    np.copyto(original, new, casting="unsafe")
        return answer.get("value")


def strings_in(value, found=None, depth=0):
    """Every string (of 3 or more characters) inside a decoded value: the texts the student's code chose."""
    found = [] if found is None else found
    if depth > 64:
        return found
    if isinstance(value, str):
        if len(value) >= 3:
            found.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            strings_in(key, found, depth + 1)
            strings_in(item, found, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            strings_in(item, found, depth + 1)
    elif isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        for item in value.ravel()[:100_000]:
            strings_in(item.decode("utf-8", "replace") if isinstance(item, bytes) else item, found, depth + 1)
    return found


def _warnings_as_errors():
    """The warning category a test turned into errors around the call (``warnings.simplefilter("error")``)."""
    import warnings

    for action, message, category, module, _ in warnings.filters:
        if action == "error" and (message is None or not message.pattern) and (module is None or not module.pattern):
            return category.__name__ if getattr(builtins, category.__name__, None) is category else "Warning"
        if action in ("ignore", "default", "always", "module", "once"):
            return None
    return None
