"""t-SNE, t-distributed stochastic neighbour embedding (notebook 04, sections 5-9).

Also available as ``course_utils.manifold.TSNE``. The pieces, in the order
the notebook builds them:

1. :func:`conditional_probabilities`: for each point i a Gaussian over the
   other points, ``p_{j|i} ∝ exp(-||x_i - x_j||^2 / (2 sigma_i^2))``, with
   ``sigma_i`` found by bisection so that the row's perplexity ``2^H`` equals
   the target (the effective number of neighbours).
2. :func:`joint_probabilities` (all pairs, dense) and
   :func:`joint_probabilities_nn` (only the ``3 * perplexity`` nearest
   neighbours, sparse): the symmetrised ``p_ij = (p_{j|i} + p_{i|j}) / 2N``.
3. :func:`student_t_affinities`: in the embedding, heavy-tailed
   ``q_ij = (1 + ||y_i - y_j||^2)^-1 / sum_{k != l} (1 + ||y_k - y_l||^2)^-1``.
4. :func:`kl_divergence_and_gradient`: the objective ``KL(P || Q)`` (in nats)
   and its gradient ``4 sum_j (p_ij - q_ij)(y_i - y_j)(1 + ||y_i - y_j||^2)^-1``,
   computed densely in NumPy: O(N^2) per step, the formulas in one place.
5. :func:`barnes_hut_kl_gradient`: the same gradient for real sizes. The
   attraction runs along the edges of the sparse P; the repulsion from all
   other points is summarised by a Barnes-Hut tree (a quadtree in 2-D): a
   cell that looks small from point i (width / distance < ``angle``) acts as
   one point of its total mass at its centre of mass. O(N log N) per step;
   the inner loops are compiled with numba (cached on disk after the first
   use, see :mod:`course_utils.precompile`), on one thread. For the usual
   2-D embedding the same loops are also written with the two coordinates
   in local variables (``_repulsion_2d``, ``_attraction_2d``: about twice as
   fast, tested to give the same numbers), and the points walk the tree in
   the tree's own order, so that consecutive walks reuse the cached cells.
6. :class:`TSNE`: gradient descent with momentum and per-coordinate gains,
   early exaggeration of P for the first 250 steps, scikit-learn's API.

The Student-t has one degree of freedom whatever ``n_components`` (as in
van der Maaten & Hinton, 2008); scikit-learn uses ``n_components - 1`` for
3-D and higher.
"""

import math
from numbers import Integral, Real

import numba
import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from course_utils.precompile import prepare_cache

prepare_cache()      # a read-only install reuses the compiled code in its __pycache__ (see precompile)

__all__ = [
    "squared_distances",
    "conditional_probabilities",
    "joint_probabilities",
    "joint_probabilities_nn",
    "student_t_affinities",
    "kl_divergence_and_gradient",
    "barnes_hut_kl_gradient",
    "TSNE",
]


# ---------------------------------------------------------------------------------------------------------------
# High-dimensional similarities: P
# ---------------------------------------------------------------------------------------------------------------

def squared_distances(X):
    """All pairwise squared Euclidean distances, ``||x_i||^2 + ||x_j||^2 - 2 x_i . x_j`` (clipped at 0)."""
    X = np.asarray(X, dtype=float)
    norms = np.einsum("ij,ij->i", X, X)
    distances = norms[:, None] + norms[None, :] - 2.0 * (X @ X.T)
    np.maximum(distances, 0.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    return distances


def conditional_probabilities(sq_distances, perplexity, tol=1e-5, max_iter=200):
    """Gaussian conditionals ``p_{j|i}`` whose rows have the target perplexity.

    Row i of ``sq_distances`` holds the squared distances from point i to its
    candidate neighbours (not to itself). Each row gets a precision
    ``beta_i = 1 / (2 sigma_i^2)`` and ``p_{j|i} ∝ exp(-beta_i d_ij)``; the
    row's entropy H_i falls as beta_i grows, so bisection finds the beta_i
    with ``exp(H_i) = perplexity`` (entropy in nats; ``2^H`` in bits is the
    same number). All rows are searched at once.

    Parameters
    ----------
    sq_distances : ndarray of shape (n_samples, n_candidates)
        Squared distances to the candidate neighbours of each point.
    perplexity : float
        Target effective number of neighbours, below ``n_candidates``.
    tol : float, default=1e-5
        Tolerance on each row's entropy (nats).
    max_iter : int, default=200
        Most bisection steps.

    Returns
    -------
    P : ndarray of shape (n_samples, n_candidates)
        Conditional probabilities, each row summing to 1.
    sigmas : ndarray of shape (n_samples,)
        The Gaussian widths ``sigma_i``.
    """
    d = np.asarray(sq_distances, dtype=float)
    if d.ndim != 2 or d.shape[1] < 2:
        raise ValueError(f"sq_distances must be 2-D with at least 2 candidates per row, got shape {d.shape}.")
    if not perplexity < d.shape[1]:
        raise ValueError(f"perplexity ({perplexity}) must be below the number of candidate neighbours "
                         f"({d.shape[1]}): a row cannot spread over more neighbours than it has.")
    # Subtracting each row's smallest distance cancels in the normalisation and keeps exp() from underflowing.
    d = d - d.min(axis=1, keepdims=True)
    target_entropy = np.log(perplexity)
    n = d.shape[0]
    beta = np.ones(n)
    beta_low = np.zeros(n)
    beta_high = np.full(n, np.inf)
    for _ in range(max_iter):
        P = np.exp(-d * beta[:, None])
        row_sums = P.sum(axis=1)
        P /= row_sums[:, None]
        entropy = np.log(row_sums) + beta * np.sum(P * d, axis=1)   # H = log Z + beta E[d]
        converged = np.abs(entropy - target_entropy) <= tol
        if np.all(converged):
            break
        too_flat = entropy > target_entropy                           # too many neighbours: narrow it
        beta_low = np.where(too_flat, beta, beta_low)
        beta_high = np.where(too_flat, beta_high, beta)
        new_beta = np.where(np.isinf(beta_high), 2.0 * beta, (beta_low + beta_high) / 2.0)
        beta = np.where(converged, beta, new_beta)
    else:                                   # out of steps: return the rows of the last beta tried
        P = np.exp(-d * beta[:, None])
        P /= P.sum(axis=1, keepdims=True)
    return P, np.sqrt(1.0 / (2.0 * beta))


def _check_perplexity(perplexity, n_samples):
    if not perplexity < n_samples - 1:
        raise ValueError(f"perplexity ({perplexity}) must be less than n_samples - 1 = {n_samples - 1}: each point "
                         f"has only {n_samples - 1} neighbours to spread its probability over. Use a smaller "
                         f"perplexity or more samples.")


def joint_probabilities(X, perplexity):
    """Dense symmetric ``P`` with ``p_ij = (p_{j|i} + p_{i|j}) / 2N`` over all pairs (zero diagonal, sum 1)."""
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    _check_perplexity(perplexity, n)
    off_diagonal = ~np.eye(n, dtype=bool)
    distances = squared_distances(X)[off_diagonal].reshape(n, n - 1)
    rows, _ = conditional_probabilities(distances, perplexity)
    conditional = np.zeros((n, n))
    conditional[off_diagonal] = rows.ravel()
    return (conditional + conditional.T) / (2.0 * n)


def joint_probabilities_nn(X, perplexity, n_neighbors=None):
    """Sparse symmetric ``P`` from each point's ``n_neighbors`` nearest neighbours (default ``3 * perplexity``).

    Beyond about three Gaussian widths ``p_{j|i}`` is negligible, so each row
    keeps only its nearest neighbours (found with scikit-learn's
    ``NearestNeighbors``); then ``P = (C + C^T) / sum``. Returns a CSR matrix.
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    _check_perplexity(perplexity, n)
    if n_neighbors is None:
        n_neighbors = min(n - 1, int(3.0 * perplexity + 1))
    distances, neighbours = NearestNeighbors(n_neighbors=n_neighbors).fit(X).kneighbors()
    rows, _ = conditional_probabilities(distances ** 2, perplexity)
    indptr = np.arange(0, n * n_neighbors + 1, n_neighbors)
    conditional = sparse.csr_matrix((rows.ravel(), neighbours.ravel(), indptr), shape=(n, n))
    P = (conditional + conditional.T).tocsr()
    P /= P.sum()
    P.sort_indices()
    return P


# ---------------------------------------------------------------------------------------------------------------
# Low-dimensional similarities Q, the objective and its gradient: the readable exact version
# ---------------------------------------------------------------------------------------------------------------

def student_t_affinities(Y):
    """``Q`` with ``q_ij = w_ij / sum_{k != l} w_kl`` and ``w_ij = 1 / (1 + ||y_i - y_j||^2)`` (zero diagonal).

    Returns ``(Q, W)``: the normalised and the unnormalised kernel.
    """
    W = 1.0 / (1.0 + squared_distances(Y))
    np.fill_diagonal(W, 0.0)
    return W / W.sum(), W


def kl_divergence_and_gradient(P, Y, compute_error=True):
    """``KL(P || Q)`` in nats and its gradient with respect to the embedding ``Y``.

    ``dKL/dy_i = 4 sum_j (p_ij - q_ij) (y_i - y_j) w_ij`` with
    ``w_ij = (1 + ||y_i - y_j||^2)^-1``. In matrix form, with
    ``M = (P - Q) * W``: ``grad = 4 (diag(M 1) Y - M Y)``.

    Parameters
    ----------
    P : ndarray of shape (n_samples, n_samples)
        Symmetric joint probabilities (zero diagonal; during early
        exaggeration they sum to the exaggeration factor).
    Y : ndarray of shape (n_samples, n_components)
        The embedding.
    compute_error : bool, default=True
        Whether to compute the KL divergence (otherwise NaN is returned; the
        optimiser checks it only every 50 steps).

    Returns
    -------
    kl : float
    gradient : ndarray of shape (n_samples, n_components)
    """
    Q, W = student_t_affinities(Y)
    kl = np.nan
    if compute_error:
        positive = P > 0
        kl = float(np.sum(P[positive] * np.log(P[positive] / Q[positive])))
    M = (P - Q) * W
    gradient = 4.0 * (M.sum(axis=1)[:, None] * Y - M @ Y)
    return kl, gradient


# ---------------------------------------------------------------------------------------------------------------
# Barnes-Hut: the same gradient in O(N log N), compiled with numba
# ---------------------------------------------------------------------------------------------------------------

# Layout of the tree's node table: one row per node, float columns then integer ones (see _build_tree).
_COUNT, _START, _FIRST_CHILD, _N_CHILDREN, _DEPTH = range(5)


@numba.njit(cache=True)
def _build_tree(Y, leaf_size):
    """Space-partitioning tree (quadtree in 2-D, octree in 3-D) over the rows of Y.

    Returns ``(order, geometry, links, max_depth)``. Nodes are numbered breadth-first; row ``node`` of
    ``geometry`` holds the node's centre of mass (``dim`` numbers), the centre of its cell (``dim``) and the
    cell's half width; row ``node`` of ``links`` its number of points, where they start in ``order``
    (``order[start:start + count]`` lists them), its first child, its number of children (only non-empty
    children are stored, consecutively) and its depth. Plain loops throughout: they compile faster than NumPy calls.
    """
    n, dim = Y.shape
    n_orthants = 1 << dim
    capacity = 2 * n + 16
    geometry = np.empty((capacity, 2 * dim + 1))
    links = np.zeros((capacity, 5), np.int64)

    root_half = 0.0
    for k in range(dim):
        low, high, total = Y[0, k], Y[0, k], 0.0
        for i in range(n):
            low = min(low, Y[i, k])
            high = max(high, Y[i, k])
            total += Y[i, k]
        geometry[0, k] = total / n
        geometry[0, dim + k] = 0.5 * (low + high)
        root_half = max(root_half, 0.5 * (high - low))
    root_half = root_half * (1.0 + 1e-6) + 1e-12
    geometry[0, 2 * dim] = root_half
    smallest_half = root_half * 2.0 ** -40      # cells stop splitting here (duplicate points)
    order = np.arange(n)
    buffer = np.empty(n, np.int64)
    codes = np.empty(n, np.int64)
    links[0, _COUNT] = n
    bucket_count = np.empty(n_orthants, np.int64)
    bucket_start = np.empty(n_orthants, np.int64)

    n_nodes = 1
    node = 0
    max_depth = 0
    while node < n_nodes:
        s, m = links[node, _START], links[node, _COUNT]
        half = geometry[node, 2 * dim]
        if m <= leaf_size or half < smallest_half:
            node += 1
            continue
        for b in range(n_orthants):
            bucket_count[b] = 0
        for idx in range(s, s + m):
            point = order[idx]
            code = 0
            for k in range(dim):
                if Y[point, k] > geometry[node, dim + k]:
                    code |= 1 << k
            codes[idx] = code
            bucket_count[code] += 1
        position = s
        for b in range(n_orthants):
            bucket_start[b] = position
            position += bucket_count[b]
        for idx in range(s, s + m):      # counting sort of the node's points by orthant
            b = codes[idx]
            buffer[bucket_start[b]] = order[idx]
            bucket_start[b] += 1
        for idx in range(s, s + m):
            order[idx] = buffer[idx]

        if n_nodes + n_orthants > capacity:     # grow the node tables
            capacity = 2 * capacity
            geometry = _grow(geometry, capacity)
            links = _grow(links, capacity)
        links[node, _FIRST_CHILD] = n_nodes
        position = s
        for b in range(n_orthants):
            size = bucket_count[b]
            if size == 0:
                continue
            child = n_nodes
            n_nodes += 1
            links[node, _N_CHILDREN] += 1
            links[child, _COUNT] = size
            links[child, _START] = position
            links[child, _FIRST_CHILD] = 0
            links[child, _N_CHILDREN] = 0
            links[child, _DEPTH] = links[node, _DEPTH] + 1
            max_depth = max(max_depth, links[child, _DEPTH])
            geometry[child, 2 * dim] = 0.5 * half
            for k in range(dim):
                geometry[child, dim + k] = geometry[node, dim + k] + (0.5 * half if (b >> k) & 1 else -0.5 * half)
                total = 0.0
                for idx in range(position, position + size):
                    total += Y[order[idx], k]
                geometry[child, k] = total / size
            position += size
        node += 1
    return order, geometry[:n_nodes], links[:n_nodes], max_depth


@numba.njit(cache=True)
def _grow(a, capacity):
    """A copy of the 2-D array ``a`` with ``capacity`` rows (the new rows zero)."""
    out = np.zeros((capacity, a.shape[1]), a.dtype)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j]
    return out


@numba.njit(cache=True)
def _repulsion(Y, order, geometry, links, max_depth, angle):
    """For each i: ``z_i = sum_j w_ij`` and ``f_i = sum_j w_ij^2 (y_i - y_j)``, far cells summarised.

    A cell that contains ``y_i`` is never summarised (``y_i`` must not repel itself). When
    ``angle * sqrt(dim) <= 1`` no such cell can pass the angle test anyway (``y_i`` and the centre of mass
    are both in the cell, less than ``sqrt(dim)`` widths apart), so the check is skipped.
    """
    n, dim = Y.shape
    forces = np.zeros((n, dim))
    z = np.zeros(n)
    angle_squared = angle * angle
    check_inside = angle * angle * dim > 1.0
    stack = np.empty((max_depth + 2) * (1 << dim), np.int64)
    diff = np.empty(dim)
    force = np.empty(dim)
    Y_in_order = np.empty((n, dim))                 # the points in the tree's order: a leaf's are consecutive
    for p in range(n):
        for k in range(dim):
            Y_in_order[p, k] = Y[order[p], k]
    for p in range(n):                              # neighbouring points one after the other: they walk
        i = order[p]                                # through the same cells, which stay in the cache
        for k in range(dim):
            force[k] = 0.0
        stack[0] = 0
        top = 1
        z_i = 0.0
        while top > 0:
            top -= 1
            node = stack[top]
            if links[node, _N_CHILDREN] == 0:                    # a leaf: its points one by one
                first = links[node, _START]
                for idx in range(first, first + links[node, _COUNT]):
                    if idx == p:
                        continue
                    d2 = 0.0
                    for k in range(dim):
                        diff[k] = Y_in_order[p, k] - Y_in_order[idx, k]
                        d2 += diff[k] * diff[k]
                    w = 1.0 / (1.0 + d2)
                    z_i += w
                    for k in range(dim):
                        force[k] += w * w * diff[k]
                continue
            d2 = 0.0
            inside = check_inside
            half = geometry[node, 2 * dim]
            for k in range(dim):
                diff[k] = Y_in_order[p, k] - geometry[node, k]
                d2 += diff[k] * diff[k]
                if abs(Y_in_order[p, k] - geometry[node, dim + k]) > half:
                    inside = False
            if not inside and 4.0 * half * half < angle_squared * d2:   # far enough: one summary point
                mass = links[node, _COUNT]
                w = 1.0 / (1.0 + d2)
                z_i += mass * w
                for k in range(dim):
                    force[k] += mass * w * w * diff[k]
            else:
                first = links[node, _FIRST_CHILD]
                for c in range(first, first + links[node, _N_CHILDREN]):
                    stack[top] = c
                    top += 1
        z[i] = z_i
        for k in range(dim):
            forces[i, k] = force[k]
    return forces, z


@numba.njit(cache=True)
def _repulsion_2d(Y, order, geometry, links, max_depth, angle):
    """:func:`_repulsion` for a 2-D embedding, the two coordinates held in local variables (faster)."""
    n = Y.shape[0]
    forces = np.zeros((n, 2))
    z = np.zeros(n)
    angle_squared = angle * angle
    check_inside = angle * angle * 2 > 1.0
    stack = np.empty((max_depth + 2) * 4, np.int64)
    Y_in_order = np.empty((n, 2))
    for p in range(n):
        Y_in_order[p, 0], Y_in_order[p, 1] = Y[order[p], 0], Y[order[p], 1]
    for p in range(n):
        i = order[p]
        y0, y1 = Y_in_order[p, 0], Y_in_order[p, 1]
        f0 = f1 = z_i = 0.0
        stack[0] = 0
        top = 1
        while top > 0:
            top -= 1
            node = stack[top]
            if links[node, _N_CHILDREN] == 0:                    # a leaf: its points one by one
                first = links[node, _START]
                for idx in range(first, first + links[node, _COUNT]):
                    if idx == p:
                        continue
                    d0, d1 = y0 - Y_in_order[idx, 0], y1 - Y_in_order[idx, 1]
                    w = 1.0 / (1.0 + d0 * d0 + d1 * d1)
                    z_i += w
                    f0 += w * w * d0
                    f1 += w * w * d1
                continue
            half = geometry[node, 4]
            d0, d1 = y0 - geometry[node, 0], y1 - geometry[node, 1]
            d2 = d0 * d0 + d1 * d1
            inside = check_inside and abs(y0 - geometry[node, 2]) <= half and abs(y1 - geometry[node, 3]) <= half
            if not inside and 4.0 * half * half < angle_squared * d2:   # far enough: one summary point
                mass = links[node, _COUNT]
                w = 1.0 / (1.0 + d2)
                z_i += mass * w
                f0 += mass * w * w * d0
                f1 += mass * w * w * d1
            else:
                first = links[node, _FIRST_CHILD]
                for c in range(first, first + links[node, _N_CHILDREN]):
                    stack[top] = c
                    top += 1
        z[i] = z_i
        forces[i, 0] = f0
        forces[i, 1] = f1
    return forces, z


@numba.njit(cache=True)
def _attraction(Y, indptr, indices, data, compute_error):
    """For each i: ``sum_j p_ij w_ij (y_i - y_j)`` over P's stored entries, and ``sum p_ij log(p_ij / w_ij)``."""
    n, dim = Y.shape
    forces = np.zeros((n, dim))
    diff = np.empty(dim)
    error = 0.0
    for i in range(n):
        for idx in range(indptr[i], indptr[i + 1]):
            j = indices[idx]
            p = data[idx]
            d2 = 0.0
            for k in range(dim):
                diff[k] = Y[i, k] - Y[j, k]
                d2 += diff[k] * diff[k]
            w = 1.0 / (1.0 + d2)
            for k in range(dim):
                forces[i, k] += p * w * diff[k]
            if compute_error and p > 0:
                error += p * math.log(p * (1.0 + d2))
    return forces, error


@numba.njit(cache=True)
def _attraction_2d(Y, indptr, indices, data, compute_error):
    """:func:`_attraction` for a 2-D embedding, the two coordinates held in local variables (faster)."""
    n = Y.shape[0]
    forces = np.zeros((n, 2))
    error = 0.0
    for i in range(n):
        y0, y1 = Y[i, 0], Y[i, 1]
        f0 = f1 = 0.0
        for idx in range(indptr[i], indptr[i + 1]):
            j = indices[idx]
            p = data[idx]
            d0, d1 = y0 - Y[j, 0], y1 - Y[j, 1]
            d2 = d0 * d0 + d1 * d1
            pw = p / (1.0 + d2)
            f0 += pw * d0
            f1 += pw * d1
            if compute_error and p > 0:
                error += p * math.log(p * (1.0 + d2))
        forces[i, 0] = f0
        forces[i, 1] = f1
    return forces, error


def barnes_hut_kl_gradient(P, Y, angle=0.5, compute_error=True, leaf_size=1):
    """``KL(P || Q)`` and its gradient, with the repulsion approximated by a Barnes-Hut tree.

    The gradient splits as ``4 (F_attract - F_repel / Z)``: the attraction
    ``sum_j p_ij w_ij (y_i - y_j)`` needs only P's stored (non-zero) entries,
    the repulsion ``sum_j w_ij^2 (y_i - y_j)`` and ``Z = sum_{i != j} w_ij``
    need all pairs, and a cell of the tree whose width seen from ``y_i`` is
    below ``angle`` counts as one point at its centre of mass. With
    ``angle=0`` the result is exact.

    Parameters
    ----------
    P : scipy.sparse matrix of shape (n_samples, n_samples)
        Symmetric joint probabilities, e.g. from :func:`joint_probabilities_nn`.
    Y : ndarray of shape (n_samples, n_components)
        The embedding, ``n_components`` from 1 to 3.
    angle : float, default=0.5
        Opening angle (theta): larger is faster and rougher.
    compute_error : bool, default=True
        Whether to compute the KL divergence (otherwise NaN is returned).
    leaf_size : int, default=1
        Most points in a leaf of the tree.

    Returns
    -------
    kl : float
        ``sum_ij p_ij log(p_ij / q_ij)`` over P's stored entries (nats).
    gradient : ndarray of shape (n_samples, n_components)
    """
    Y = np.ascontiguousarray(Y, dtype=float)
    if not (sparse.issparse(P) and P.format == "csr"):
        P = sparse.csr_matrix(P)
    tree = _build_tree(Y, leaf_size)
    planar = Y.shape[1] == 2                      # the usual case has loops written for it (same results)
    repulsion, z = (_repulsion_2d if planar else _repulsion)(Y, *tree, float(angle))
    normaliser = z.sum()
    attraction, error = (_attraction_2d if planar else _attraction)(
        Y, P.indptr, P.indices, P.data.astype(float, copy=False), bool(compute_error))
    gradient = 4.0 * (attraction - repulsion / normaliser)
    kl = error + P.data.sum() * np.log(normaliser) if compute_error else np.nan
    return float(kl), gradient


# ---------------------------------------------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------------------------------------------

class TSNE(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """t-distributed Stochastic Neighbour Embedding.

    Finds points ``Y`` in 2-D (or 1-D, 3-D) whose Student-t similarities ``Q``
    match the Gaussian neighbour probabilities ``P`` of the data, by
    minimising ``KL(P || Q)`` with gradient descent: 250 steps of early
    exaggeration (P multiplied by ``early_exaggeration``, momentum 0.5), then
    the rest with momentum 0.8; each coordinate has a gain that grows while
    its gradient keeps its sign (delta-bar-delta). The schedule follows
    scikit-learn's, so the two can be compared on the same data.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the embedding (at most 3 for ``method="barnes_hut"``).
    perplexity : float, default=30.0
        Effective number of neighbours of each point; below ``n_samples - 1``.
    early_exaggeration : float, default=12.0
        Factor on P during the first 250 iterations: clusters form and separate.
    learning_rate : float or "auto", default="auto"
        Step size; ``"auto"`` is ``max(n_samples / early_exaggeration / 4, 50)``.
    max_iter : int, default=1000
        Total number of iterations (at least 250).
    n_iter_without_progress : int, default=300
        Stop when the KL divergence (checked every 50 iterations) has not
        improved for this many iterations after the exaggeration phase
        (-1: never stop early).
    min_grad_norm : float, default=1e-7
        Stop when the gradient norm falls below this.
    init : {"pca", "random"} or ndarray of shape (n_samples, n_components), default="pca"
        Start from the first principal components scaled to standard deviation
        1e-4, from Gaussian noise of that size, or from a given array.
    random_state : int, RandomState instance or None, default=None
        Seeds the random initialisation.
    method : {"barnes_hut", "exact"}, default="barnes_hut"
        ``"exact"``: dense P over all pairs and the O(N^2) NumPy gradient
        (readable, for a few hundred points). ``"barnes_hut"``: sparse P from
        ``3 * perplexity`` nearest neighbours and the O(N log N) tree gradient.
    angle : float, default=0.5
        Barnes-Hut opening angle, between 0 (exact) and 1.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
        The embedding.
    kl_divergence_ : float
        ``KL(P || Q)`` (nats) of the final embedding (with the tree's
        approximation of the normaliser for ``"barnes_hut"``).
    n_iter_ : int
        Number of iterations run (scikit-learn reports the index of the last
        one, i.e. one less).
    learning_rate_ : float
        The learning rate used.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    sklearn.manifold.TSNE : the reference implementation this one stands beside.
    openTSNE.TSNE : FFT-accelerated t-SNE for large data sets.

    References
    ----------
    L. van der Maaten and G. Hinton, "Visualizing data using t-SNE", JMLR 9 (2008).
    L. van der Maaten, "Accelerating t-SNE using tree-based algorithms", JMLR 15 (2014).
    A. C. Belkina et al., "Automated optimized parameters for t-SNE", Nature Communications 10 (2019).

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(n_samples=60, centers=3, n_features=5, random_state=0)
    >>> tsne = TSNE(perplexity=10, method="exact", random_state=0)
    >>> tsne.fit_transform(X).shape
    (60, 2)
    """

    _EXAGGERATION_ITER = 250
    _CHECK_EVERY = 50

    def __init__(self, n_components=2, *, perplexity=30.0, early_exaggeration=12.0, learning_rate="auto",
                 max_iter=1000, n_iter_without_progress=300, min_grad_norm=1e-7, init="pca", random_state=None,
                 method="barnes_hut", angle=0.5):
        self.n_components = n_components
        self.perplexity = perplexity
        self.early_exaggeration = early_exaggeration
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.n_iter_without_progress = n_iter_without_progress
        self.min_grad_norm = min_grad_norm
        self.init = init
        self.random_state = random_state
        self.method = method
        self.angle = angle

    def _check_parameters(self):
        def number(name, low, integer=False, low_inclusive=True):
            value = getattr(self, name)
            kind = Integral if integer else Real
            if isinstance(value, bool) or not isinstance(value, kind):
                raise TypeError(f"{name} must be {'an integer' if integer else 'a number'}, got {value!r}.")
            if value < low or (value == low and not low_inclusive):
                raise ValueError(f"{name} must be {'>=' if low_inclusive else '>'} {low}, got {value!r}.")

        number("n_components", 1, integer=True)
        number("perplexity", 0, low_inclusive=False)
        number("early_exaggeration", 1)
        number("max_iter", self._EXAGGERATION_ITER, integer=True)
        number("n_iter_without_progress", -1, integer=True)
        number("min_grad_norm", 0)
        number("angle", 0)
        if self.angle > 1:
            raise ValueError(f"angle must be between 0 and 1, got {self.angle!r}.")
        if not (isinstance(self.learning_rate, str) and self.learning_rate == "auto"):
            number("learning_rate", 0, low_inclusive=False)
        if self.method not in ("barnes_hut", "exact"):
            raise ValueError(f"method must be 'barnes_hut' or 'exact', got {self.method!r}.")
        if self.method == "barnes_hut" and self.n_components > 3:
            raise ValueError(f"n_components={self.n_components} is too large for method='barnes_hut' (at most 3: "
                             f"the tree splits each cell into 2**n_components parts); use method='exact'.")
        if isinstance(self.init, str):
            if self.init not in ("pca", "random"):
                raise ValueError(f"init must be 'pca', 'random' or an array, got {self.init!r}.")
        elif not isinstance(self.init, np.ndarray):
            raise TypeError(f"init must be 'pca', 'random' or an array, got {type(self.init).__name__}.")

    def _initial_embedding(self, X, random_state):
        n_samples, n_features = X.shape
        if isinstance(self.init, np.ndarray):
            if self.init.shape != (n_samples, self.n_components):
                raise ValueError(f"init has shape {self.init.shape}; expected (n_samples, n_components) = "
                                 f"{(n_samples, self.n_components)}.")
            return np.array(self.init, dtype=float)
        if self.init == "pca":
            if self.n_components > min(n_samples, n_features):
                raise ValueError(f"init='pca' needs n_components <= min(n_samples, n_features), but "
                                 f"n_components={self.n_components}, n_samples={n_samples}, "
                                 f"n_features={n_features}; use init='random'.")
            Y = PCA(n_components=self.n_components, random_state=random_state).fit_transform(X)
            scale = np.std(Y[:, 0])
            return Y / scale * 1e-4 if scale > 0 else np.zeros_like(Y)
        return 1e-4 * random_state.standard_normal((n_samples, self.n_components))

    def fit_transform(self, X, y=None):
        """Fit the embedding to ``X`` (n_samples, n_features) and return it."""
        self._check_parameters()
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        X = np.asarray(X, dtype=np.float64)
        n_samples = X.shape[0]
        _check_perplexity(self.perplexity, n_samples)
        random_state = check_random_state(self.random_state)
        if self.learning_rate == "auto":
            self.learning_rate_ = max(n_samples / self.early_exaggeration / 4.0, 50.0)
        else:
            self.learning_rate_ = float(self.learning_rate)

        if self.method == "exact":
            P = joint_probabilities(X, self.perplexity)

            def objective(P_now, Y, compute_error):
                return kl_divergence_and_gradient(P_now, Y, compute_error)
        else:
            P = joint_probabilities_nn(X, self.perplexity)

            def objective(P_now, Y, compute_error):
                return barnes_hut_kl_gradient(P_now, Y, angle=self.angle, compute_error=compute_error)

        Y = self._initial_embedding(X, random_state)
        n_done = self._gradient_descent(objective, self.early_exaggeration * P, Y, 0, self._EXAGGERATION_ITER,
                                        momentum=0.5, patience=self._EXAGGERATION_ITER)
        n_done = self._gradient_descent(objective, P, Y, n_done, self.max_iter, momentum=0.8,
                                        patience=self.n_iter_without_progress)
        self.kl_divergence_, _ = objective(P, Y, True)
        self.n_iter_ = n_done
        self.embedding_ = Y
        return Y

    def fit(self, X, y=None):
        """Fit the embedding to ``X``; the result is in ``embedding_``."""
        self.fit_transform(X)
        return self

    def _gradient_descent(self, objective, P, Y, first, stop, momentum, patience):
        """Steps ``first .. stop - 1`` of gradient descent with momentum and gains, updating ``Y`` in place.

        Returns the number of iterations done in total. Like scikit-learn,
        the KL divergence is computed only every ``_CHECK_EVERY`` steps, where
        the stopping rules are checked too.
        """
        update = np.zeros_like(Y)
        gains = np.ones_like(Y)
        best_error, best_iter = np.inf, first
        iteration = first
        for iteration in range(first, stop):
            check_now = (iteration + 1) % self._CHECK_EVERY == 0
            error, gradient = objective(P, Y, check_now)
            same_direction = update * gradient < 0.0        # the last step went downhill: speed up
            gains = np.where(same_direction, gains + 0.2, gains * 0.8)
            np.maximum(gains, 0.01, out=gains)
            update = momentum * update - self.learning_rate_ * gains * gradient
            Y += update
            if check_now:
                if error < best_error:
                    best_error, best_iter = error, iteration
                elif patience >= 0 and iteration - best_iter > patience:
                    return iteration + 1
                if np.linalg.norm(gains * gradient) <= self.min_grad_norm:
                    return iteration + 1
        return max(stop, first)

    @property
    def _n_features_out(self):
        return self.embedding_.shape[1]
