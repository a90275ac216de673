"""Diagonal and orthogonal matrix helpers, eigendecomposition and low-rank approximation.

Serves notebook 01 (eigendecomposition review): "Diagonal matrices",
"Orthogonal matrices", "Eigendecomposition", "A Gaussian from independent
normals" and "Low-rank approximation".

A diagonal matrix ``D = diag(d)`` is stored as its diagonal ``d``: every
operation below is O(n) in memory and time, so it works for n far too large
for a dense n x n array.
"""

import numpy as np
from sklearn.utils import check_array, check_random_state

__all__ = [
    "diag_matvec",
    "scale_rows",
    "scale_columns",
    "diag_solve",
    "rotation_matrix",
    "solve_orthogonal",
    "is_orthogonal",
    "is_normal",
    "sorted_eigh",
    "gaussian_factor",
    "sample_gaussian",
    "low_rank_approximation",
]


def _vector(x, name):
    x = check_array(x, ensure_2d=False, dtype="numeric", input_name=name)
    if x.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array (the diagonal), got shape {x.shape}.")
    return x


def _matrix(A, name, square=False):
    A = check_array(A, dtype="numeric", input_name=name)
    if square and A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {A.shape}.")
    return A


def _same_length(d, n, what):
    if d.shape[0] != n:
        raise ValueError(f"the diagonal has {d.shape[0]} entries but {what} has {n}; they must match.")


def diag_matvec(d, v):
    """Return ``diag(d) @ v`` as the elementwise product ``d * v``."""
    d, v = _vector(d, "d"), _vector(v, "v")
    _same_length(d, v.shape[0], "v")
    return d * v


def scale_rows(d, A):
    """Return ``diag(d) @ A``: row i of ``A`` multiplied by ``d[i]``."""
    d, A = _vector(d, "d"), _matrix(A, "A")
    _same_length(d, A.shape[0], "A's number of rows")
    return d[:, np.newaxis] * A


def scale_columns(A, d):
    """Return ``A @ diag(d)``: column j of ``A`` multiplied by ``d[j]``."""
    A, d = _matrix(A, "A"), _vector(d, "d")
    _same_length(d, A.shape[1], "A's number of columns")
    return A * d[np.newaxis, :]


def diag_solve(d, b):
    """Solve ``diag(d) @ x = b`` for ``x`` (``b`` a vector or a matrix with one column per system)."""
    d = _vector(d, "d")
    b = check_array(b, ensure_2d=False, dtype="numeric", input_name="b")
    _same_length(d, b.shape[0], "b")
    if np.any(d == 0):
        raise ValueError("diag(d) is singular: d has a zero entry, so the system has no unique solution.")
    return b / d if b.ndim == 1 else b / d[:, np.newaxis]


def rotation_matrix(theta):
    """The 2 x 2 matrix that rotates a column vector counter-clockwise by ``theta`` radians.

    ``[[cos t, -sin t], [sin t, cos t]]``: the minus sign sits *above* the
    diagonal. (Its transpose rotates clockwise.)
    """
    theta = float(theta)
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def solve_orthogonal(U, B):
    """Solve ``U @ X = B`` for an orthogonal ``U``: the inverse is the transpose, so ``X = U.T @ B``."""
    U = _matrix(U, "U", square=True)
    B = check_array(B, ensure_2d=False, dtype="numeric", input_name="B")
    if B.shape[0] != U.shape[0]:
        raise ValueError(f"U is {U.shape[0]} x {U.shape[0]} but B has {B.shape[0]} rows; they must match.")
    if not is_orthogonal(U):
        raise ValueError("U is not orthogonal (U.T @ U differs from the identity); use numpy.linalg.solve.")
    return U.T @ B


def is_orthogonal(U, atol=1e-10):
    """True when ``U.T @ U`` equals the identity up to rounding (``atol``)."""
    U = _matrix(U, "U", square=True)
    return bool(np.allclose(U.T @ U, np.eye(U.shape[0]), rtol=0, atol=atol))


def is_normal(A, atol=1e-10):
    """True when ``A @ A.T`` equals ``A.T @ A`` up to rounding (a normal matrix)."""
    A = _matrix(A, "A", square=True)
    return bool(np.allclose(A @ A.T, A.T @ A, rtol=0, atol=atol))


def sorted_eigh(A, descending=True):
    """Eigenvalues and orthonormal eigenvectors (columns) of a real symmetric matrix, sorted.

    ``numpy.linalg.eigh`` returns them in ascending order; PCA and low-rank
    approximation want the largest first.
    """
    A = _matrix(A, "A", square=True)
    if not np.allclose(A, A.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(A).max())):
        raise ValueError("A must be symmetric for eigh; use numpy.linalg.eig for a general matrix.")
    eigenvalues, eigenvectors = np.linalg.eigh(A)
    if descending:
        eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]
    return eigenvalues, eigenvectors


def gaussian_factor(cov):
    """Return ``A = U @ diag(sqrt(lambda))`` from ``cov = U diag(lambda) U^T``, so that ``A @ A.T == cov``.

    If ``z`` has independent standard normal entries, ``mean + A @ z`` is
    distributed as N(mean, cov).
    """
    cov = _matrix(cov, "cov", square=True)
    eigenvalues, eigenvectors = sorted_eigh(cov)
    scale = max(1.0, float(np.abs(eigenvalues).max()))
    if eigenvalues.min() < -1e-10 * scale:
        raise ValueError("cov must be positive semi-definite: it has a negative eigenvalue "
                         f"({eigenvalues.min():.3g}).")
    return eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))


def sample_gaussian(mean, cov, n_samples, random_state=None):
    """Draw ``n_samples`` rows from N(mean, cov) by transforming independent standard normals."""
    mean = _vector(mean, "mean")
    factor = gaussian_factor(cov)
    if factor.shape[0] != mean.shape[0]:
        raise ValueError(f"mean has {mean.shape[0]} entries but cov is {factor.shape[0]} x {factor.shape[0]}.")
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    rng = check_random_state(random_state)
    z = rng.standard_normal((int(n_samples), mean.shape[0]))
    return mean + z @ factor.T


def low_rank_approximation(A, k):
    """Best rank-``k`` approximation of ``A`` in the Frobenius and spectral norms (Eckart-Young).

    Keeps the ``k`` largest singular values of the SVD. For a symmetric
    positive semi-definite matrix (a covariance) these are its ``k`` largest
    eigenvalues, and the result is ``U_k diag(lambda_k) U_k^T``.
    """
    A = _matrix(A, "A")
    if int(k) != k or not 0 <= k <= min(A.shape):
        raise ValueError(f"k must be an integer between 0 and {min(A.shape)} for a matrix of shape {A.shape}, "
                         f"got {k!r}.")
    k = int(k)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return (U[:, :k] * s[:k]) @ Vt[:k]
