"""Helpers for the notebooks' test cells (all notebooks).

Test cells stay short and read like a sentence::

    import course_utils.checks as check
    check.shape(scores, (150, 2), name="scores")
    check.close_up_to_sign(U, U_ref, name="eigenvectors")
    with check.forbid("numpy.linalg.inv"):
        x = solve_orthogonal(U, b)

Every helper raises ``AssertionError`` with a message meant for a student:
what was expected, what was found (the numbers in full, to a sensible
precision), and where possible a hint at the usual mistake ("did you
transpose?"). Nothing here knows any exercise's answer: test cells compute
their own reference values. Every check takes ``name=``, the words that say
which case failed; ``with check.case("a graph with an isolated node"):`` names
a whole case, so that an exception raised by the student's code inside it
says which case raised it.

The class grader (``tools/classgrading``) runs test cells in its own process
and the student's code in a sandboxed kernel; there the helpers work unchanged
on the plain data the student's functions return, and :func:`forbid` is
enforced inside the student's kernel (see :data:`_backend`).
"""

from contextlib import contextmanager
import importlib
import sys

import numpy as np

# Kept at import time so that a submission that rebinds the builtin cannot
# turn failed checks into passes.
_Failure = AssertionError

__all__ = [
    "case",
    "that",
    "is_array",
    "is_int",
    "is_float",
    "shape",
    "close",
    "close_up_to_sign",
    "close_up_to_rotation",
    "equal",
    "raises",
    "forbid",
    "rel_error",
    "numerical_gradient",
    "gradient",
]


def _fail(message):
    raise _Failure(message)


def _describe(x):
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    described = getattr(type(x), "_describe_for_student", None)   # the class grader's handle on an object
    if described is not None:
        return described(x)
    kind = type(x)
    module = kind.__module__
    qualified = kind.__name__ if module in ("builtins", "__main__") else f"{module.split('.')[0]}.{kind.__name__}"
    return f"a {qualified}"


def format_number(x):
    """One number in full, to 10 significant digits: ``5.123456789``, ``-3``, ``inf``, ``(1+2j)``, ``True``."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (complex, np.complexfloating)):
        return f"({format_number(x.real)}{'+' if x.imag >= 0 else '-'}{format_number(abs(x.imag))}j)"
    try:
        value = float(x)
    except (TypeError, ValueError):
        return repr(x)
    if np.isnan(value) or np.isinf(value):
        return str(value)
    text = f"{value:.10g}"
    return text if any(c in text for c in ".en") else text + ".0"   # 3.0 stays visibly a float


def format_value(x, max_entries=12):
    """A scalar in full, or a small array written out (rounded to 10 significant digits)."""
    arr = np.asarray(x)
    if arr.ndim == 0:
        return format_number(arr[()]) if arr.dtype.kind in "biufc" else repr(x)
    if arr.size <= max_entries and arr.dtype.kind in "biufc":
        def nested(a):
            return "[" + ", ".join(nested(row) if a.ndim > 1 else format_number(row) for row in a) + "]"
        return nested(arr)
    return f"an array of shape {arr.shape}"


def describe_argument(x):
    """How a test names an input in a message: small values written out, arrays by shape."""
    if isinstance(x, np.ndarray):
        if x.size <= 6 and x.dtype.kind in "biufc":
            return format_value(x)
        return f"array of shape {x.shape}"
    if isinstance(x, (list, tuple)):
        if len(x) <= 6 and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in x):
            return repr(type(x)(format_number(v) for v in x)).replace("'", "")
        return f"{type(x).__name__} of length {len(x)}"
    if isinstance(x, (bool, int, float, complex, np.number)):
        return format_number(x)
    if isinstance(x, str):
        return repr(x) if len(x) <= 40 else f"a string of length {len(x)}"
    if x is None:
        return "None"
    return _describe(x)


def describe_call(func, args, kwargs):
    """``diag_solve(array of shape (3,), [1, 0])``: which call a message is about."""
    label = getattr(func, "__name__", "your function")
    parts = [describe_argument(a) for a in args] + [f"{k}={describe_argument(v)}" for k, v in kwargs.items()]
    return f"{label}({', '.join(parts)})"


@contextmanager
def case(label):
    """Name one case of a test: an exception that the student's code raises inside says which case it was.

    ``NotImplementedError`` (an unanswered exercise) and failed checks pass through unchanged.
    """
    try:
        yield
    except (_Failure, NotImplementedError):
        raise
    except Exception as exc:
        raise _Failure(f"while testing {label}: your code raised {_exception_text(exc)}") from None


def _exception_text(exc):
    text = str(exc).strip()
    name = getattr(exc, "student_type_name", None) or type(exc).__name__
    return f"{name}: {text}" if text else name


def that(condition, name):
    """Fail with ``name`` (a sentence saying what should hold) unless ``condition`` is true."""
    if not condition:
        _fail(name if name.rstrip().endswith((".", "?", "!")) else name + ".")


def is_int(x, name="your answer"):
    """Check that ``x`` is a Python ``int`` (not a bool, not a NumPy integer)."""
    if x is None:
        _fail(f"{name} is None: did you forget to `return` it?")
    if type(x) is not int:
        hint = " Convert it with int(...)." if isinstance(x, (np.integer, np.floating)) else ""
        _fail(f"{name} should be a Python int, but it is {_describe(x)}.{hint}")


def is_float(x, name="your answer"):
    """Check that ``x`` is a Python ``float`` (not a NumPy scalar or a 0-d array)."""
    if x is None:
        _fail(f"{name} is None: did you forget to `return` it?")
    if type(x) is not float:
        hint = " Convert it with float(...)." if isinstance(x, (np.number, np.ndarray, int)) else ""
        _fail(f"{name} should be a Python float, but it is {_describe(x)}.{hint}")


def is_array(x, name="your answer", ndim=None):
    """Check that ``x`` is a NumPy array (of ``ndim`` dimensions, if given)."""
    if x is None:
        _fail(f"{name} is None: did you forget to `return` it?")
    if not isinstance(x, np.ndarray):
        _fail(f"{name} should be a NumPy array, but it is {_describe(x)}.")
    if ndim is not None and x.ndim != ndim:
        _fail(f"{name} should be a {ndim}-D array, but it has {x.ndim} dimensions (shape {x.shape}).")


def shape(x, expected, name="your answer"):
    """Check the shape of ``x``, and say so when it is the transpose of the one expected."""
    expected = tuple(expected)
    if x is None:
        _fail(f"{name} is None: did you forget to `return` it?")
    got = np.shape(x)
    if got == expected:
        return
    message = f"{name}: expected shape {expected}, got {got}"
    if len(got) == len(expected) and got == expected[::-1]:
        message += ": did you transpose?"
    elif len(got) != len(expected):
        message += f" ({len(got)}-D instead of {len(expected)}-D)"
        if int(np.prod(got)) == int(np.prod(expected)):
            message += ": the right number of entries, arranged differently; check your reshape/ravel"
    _fail(message + ".")


def rel_error(actual, expected):
    """Largest relative error, ``max |a - e| / max(|a| + |e|, tiny)``, as printed in gradient checks."""
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    return float(np.max(np.abs(a - e) / np.maximum(np.abs(a) + np.abs(e), 1e-12)))


def _numeric(x, name):
    if x is None:
        _fail(f"{name} is None: did you forget to `return` it?")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic objects
        _fail(f"{name} could not be turned into a NumPy array ({exc}).")
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        _fail(f"{name} should hold numbers, but it is {_describe(x)}.")
    return arr


def close(actual, expected, name="your answer", rtol=1e-7, atol=1e-9):
    """Check that ``actual`` equals ``expected`` to a tolerance, with the shape checked first."""
    a = _numeric(actual, name)
    e = np.asarray(expected)
    shape(a, e.shape, name=name)
    if np.iscomplexobj(a) and not np.iscomplexobj(e):
        if np.max(np.abs(a.imag), initial=0.0) > atol:
            _fail(f"{name} has complex entries where real numbers were expected.")
        a = a.real
    if not np.all(np.isfinite(a)) and not np.array_equal(np.isfinite(a), np.isfinite(e)):
        _fail(f"{name} contains NaN or infinite values where finite numbers were expected.")
    if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        return
    diff = np.abs(a - e)
    diff = np.where(np.isnan(diff), np.inf, diff)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    message = (
        f"{name} is not close enough to the expected value: largest difference {format_number(diff[worst])}{where} "
        f"(expected {format_number(e[worst])}, got {format_number(a[worst])}; "
        f"tolerance rtol={rtol:g}, atol={atol:g})."
    )
    if 1 < a.size <= 12:
        message += f" Expected {format_value(e)}, got {format_value(a)}."
    if a.ndim == 2 and a.shape[0] == a.shape[1] and np.allclose(a.T, e, rtol=rtol, atol=atol):
        message += " Your answer equals the transpose of the expected one."
    elif e.size and np.allclose(-a, e, rtol=rtol, atol=atol):
        message += " Your answer has the opposite sign."
    _fail(message)


def equal(actual, expected, name="your answer"):
    """Exact equality, for integers, labels and other discrete answers."""
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        a = np.asarray(actual)
        shape(a, np.shape(expected), name=name)
        e = np.asarray(expected)
        if not np.array_equal(a, e):
            differ = np.atleast_1d(a != e)
            bad = int(np.sum(differ))
            message = f"{name}: {bad} of {a.size} entries differ from the expected ones"
            if a.ndim:
                first = tuple(int(i) for i in np.argwhere(a != e)[0])
                message += (f"; the first at index {first}: expected {format_number(e[first])}, "
                            f"got {format_number(a[first])}")
            if 1 < a.size <= 12:
                message += f" (expected {format_value(e)}, got {format_value(a)})"
            _fail(message + ".")
        return
    if actual != expected:
        _fail(f"{name}: expected {_show(expected)}, got {_show(actual)}.")


def _show(x):
    if isinstance(x, (bool, int, float, complex, np.number)):
        return format_number(x)
    return repr(x) if not isinstance(x, np.ndarray) else format_value(x)


def close_up_to_sign(actual, expected, name="your answer", axis=0, rtol=1e-6, atol=1e-8):
    """Compare vectors that are only defined up to sign (eigenvectors, singular vectors).

    With ``axis=0`` each *column* is a vector (as ``numpy.linalg.eigh``
    returns them); with ``axis=1`` each row is. A single 1-D vector is
    compared as a whole.
    """
    a = _numeric(actual, name).astype(float)
    e = np.asarray(expected, dtype=float)
    shape(a, e.shape, name=name)
    if a.ndim == 1:
        signs = np.sign(a @ e) or 1.0
    else:
        signs = np.sign(np.sum(a * e, axis=axis, keepdims=True))
        signs[signs == 0] = 1.0
    try:
        close(a * signs, e, name=f"{name} (after matching signs)", rtol=rtol, atol=atol)
    except _Failure as failure:
        message = str(failure)
        if a.ndim == 2 and a.shape[0] == a.shape[1]:
            other = 1 - axis
            flipped = np.sign(np.sum(a.T * e, axis=axis, keepdims=True))
            flipped[flipped == 0] = 1.0
            if np.allclose(a.T * flipped, e, rtol=rtol, atol=atol):
                kind = "columns" if axis == 0 else "rows"
                message += f" The vectors should be the {kind}; yours are the {('columns', 'rows')[other]}."
        _fail(message)


def close_up_to_rotation(actual, expected, name="your embedding", atol=1e-6):
    """Compare two point sets that may differ by a rotation or reflection (embeddings).

    Finds the orthogonal matrix ``R`` minimising ``||actual @ R - expected||``
    (orthogonal Procrustes) and then compares; translation and scale are not
    forgiven.
    """
    from scipy.linalg import orthogonal_procrustes

    a = _numeric(actual, name).astype(float)
    e = np.asarray(expected, dtype=float)
    shape(a, e.shape, name=name)
    rotation, _ = orthogonal_procrustes(a, e)
    close(a @ rotation, e, name=f"{name} (after the best rotation)", rtol=0, atol=atol)


def raises(exception, func, *args, match=None, name=None, **kwargs):
    """Check that ``func(*args, **kwargs)`` raises ``exception`` (with ``match`` in its message).

    ``name`` says which case this is; the message also names the call and its inputs.
    """
    label = describe_call(func, args, kwargs)
    if name:
        label = f"{label} ({name})"
    try:
        func(*args, **kwargs)
    except exception as exc:
        if match is not None and match.lower() not in str(exc).lower():
            _fail(f"{label} raised {exception.__name__} as it should, but its message {str(exc)!r} "
                  f"does not mention {match!r}.")
        return
    except NotImplementedError:
        raise
    except Exception as exc:
        _fail(f"{label} should raise {exception.__name__}, but raised {_exception_text(exc)}")
    _fail(f"{label} should raise {exception.__name__}, but it returned normally.")


def _resolve(dotted):
    module_name, _, attribute = dotted.rpartition(".")
    module = importlib.import_module(module_name)
    return module, attribute, getattr(module, attribute)


# The class grader runs test cells in its own process and the student's code in a sandboxed kernel; it
# sets this to an object whose ``forbid(names, reason)`` context manager makes the *kernel* block the
# names while the student's functions run. None: everything runs in this process (a notebook, nbgrader).
_backend = None


@contextmanager
def forbid(*dotted_names, reason="this exercise asks you to compute it yourself"):
    """Make library routines unusable inside the ``with`` block.

    ``with check.forbid("numpy.linalg.inv"):`` replaces ``numpy.linalg.inv``
    (and any name in the notebook bound to the same function, as after
    ``from numpy.linalg import inv``) by a function that fails the test with
    a clear message. Everything is restored when the block ends.
    """
    if _backend is not None:
        with _backend.forbid(dotted_names, reason):
            yield
        return
    patches = []  # (namespace, key, original)

    def blocker_for(name):
        def blocked(*args, **kwargs):
            _fail(f"Your code called {name}, which is not allowed here: {reason}.")

        return blocked

    main_namespace = vars(sys.modules["__main__"])
    try:
        for dotted in dotted_names:
            module, attribute, original = _resolve(dotted)
            blocked = blocker_for(dotted)
            patches.append((vars(module), attribute, original))
            setattr(module, attribute, blocked)
            for key, value in list(main_namespace.items()):
                if value is original:
                    patches.append((main_namespace, key, original))
                    main_namespace[key] = blocked
        yield
    finally:
        for namespace, key, original in reversed(patches):
            namespace[key] = original


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of the scalar function ``f`` at ``x`` (any shape).

    ``x`` is perturbed in place one entry at a time and restored.
    """
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)
    flat_g = grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + h
        f_plus = f(x)
        flat_x[i] = saved - h
        f_minus = f(x)
        flat_x[i] = saved
        flat_g[i] = (f_plus - f_minus) / (2 * h)
    return grad


def gradient(analytic, f, x, name="your gradient", tol=1e-5, h=1e-6):
    """Check an analytic gradient against central differences of ``f`` at ``x``.

    Prints the relative error (as CS231n does) and fails above ``tol``.
    """
    numeric = numerical_gradient(f, np.array(x, dtype=float, copy=True), h=h)
    a = _numeric(analytic, name)
    shape(a, numeric.shape, name=name)
    error = rel_error(a, numeric)
    print(f"{name}: relative error against finite differences = {error:.2e}")
    if not error <= tol:
        _fail(f"{name} does not match the finite-difference gradient: relative error {error:.2e} > {tol:g}.")
