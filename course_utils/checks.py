"""Helpers for the notebooks' test cells (all notebooks).

Test cells stay short and read like a sentence::

    import course_utils.checks as check
    check.shape(scores, (150, 2), name="scores")
    check.close_up_to_sign(U, U_ref, name="eigenvectors")
    with check.forbid("numpy.linalg.inv"):
        x = solve_orthogonal(U, b)

Every helper raises ``AssertionError`` with a message meant for a student:
what was expected, what was found, and where possible a hint at the usual
mistake ("did you transpose?"). Nothing here knows any exercise's answer:
test cells compute their own reference values.
"""

from contextlib import contextmanager
import importlib
import sys

import numpy as np

# Kept at import time so that a submission that rebinds the builtin cannot
# turn failed checks into passes.
_Failure = AssertionError

__all__ = [
    "is_array",
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
    return f"a {type(x).__name__}"


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
        f"{name} is not close enough to the expected value: largest difference {diff[worst]:.3g}{where} "
        f"(expected {e[worst]!r:.12}, got {a[worst]!r:.12}; tolerance rtol={rtol:g}, atol={atol:g})."
    )
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
        if not np.array_equal(a, expected):
            bad = int(np.sum(a != np.asarray(expected)))
            _fail(f"{name}: {bad} of {a.size} entries differ from the expected ones.")
        return
    if actual != expected:
        _fail(f"{name}: expected {expected!r}, got {actual!r}.")


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


def raises(exception, func, *args, match=None, **kwargs):
    """Check that ``func(*args, **kwargs)`` raises ``exception`` (with ``match`` in its message)."""
    label = getattr(func, "__name__", "your function")
    try:
        func(*args, **kwargs)
    except exception as exc:
        if match is not None and match.lower() not in str(exc).lower():
            _fail(f"{label} raised {type(exc).__name__} as it should, but its message {str(exc)!r} "
                  f"does not mention {match!r}.")
        return
    except NotImplementedError:
        raise
    except Exception as exc:
        _fail(f"{label} should raise {exception.__name__} here, but raised {type(exc).__name__}: {exc}")
    _fail(f"{label} should raise {exception.__name__} for this input, but it returned normally.")


def _resolve(dotted):
    module_name, _, attribute = dotted.rpartition(".")
    module = importlib.import_module(module_name)
    return module, attribute, getattr(module, attribute)


@contextmanager
def forbid(*dotted_names, reason="this exercise asks you to compute it yourself"):
    """Make library routines unusable inside the ``with`` block.

    ``with check.forbid("numpy.linalg.inv"):`` replaces ``numpy.linalg.inv``
    (and any name in the notebook bound to the same function, as after
    ``from numpy.linalg import inv``) by a function that fails the test with
    a clear message. Everything is restored when the block ends.
    """
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
