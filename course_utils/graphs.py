"""Graphs from data, graph Laplacians, the centring matrix and geodesic distances (notebook 03, sections 1-4).

Notebook 03 starts either from a *given* network (an adjacency matrix) or from
a data set, from which a neighbour graph is built first. The pieces:

* :func:`knn_graph`, :func:`epsilon_graph`: sparse neighbour graphs (each
  point joined to its ``k`` nearest neighbours, or to every point closer than
  ``epsilon``), with the distances or 1 on the edges;
* :func:`gaussian_affinity`: Gaussian (heat-kernel) weights
  ``w_ij = exp(-||x_i - x_j||^2 / (2 sigma^2))``, on all pairs (dense) or on
  the edges of a neighbour graph (sparse);
* :func:`laplacian`: ``L = D - W``, ``L_sym = D^-1/2 L D^-1/2`` and
  ``L_rw = D^-1 L``, dense or sparse, equal to
  ``scipy.sparse.csgraph.laplacian`` where the two overlap (like SciPy, the
  diagonal of ``W``, self-loops, is ignored);
* :func:`connected_components`: how many pieces the graph has (the number of
  zero eigenvalues of any of the three Laplacians);
* :func:`centering_matrix`: ``H = I - (1/n) 1 1^T``;
* :func:`double_center`: ``B = -1/2 H D2 H`` without forming ``H``;
* :func:`geodesic_distances`: shortest paths along the graph's edges
  (SciPy's ``csgraph.shortest_path``, Dijkstra).
"""

from numbers import Integral, Real

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_array

__all__ = [
    "knn_graph",
    "epsilon_graph",
    "gaussian_affinity",
    "laplacian",
    "degrees",
    "connected_components",
    "check_connected",
    "check_adjacency",
    "centering_matrix",
    "double_center",
    "geodesic_distances",
]

_SYMMETRIZE = ("max", "mean", "min", None)


def _check_data(X, name="X", min_samples=2):
    return check_array(X, dtype=np.float64, ensure_min_samples=min_samples, input_name=name)


def _check_int(value, name, low, high=None):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bounds}, got {value}.")


def _symmetrize(A, how):
    if how is None:
        return A.tocsr()
    if how not in _SYMMETRIZE:
        raise ValueError(f"symmetrize must be one of {_SYMMETRIZE}, got {how!r}.")
    if how == "mean":
        S = 0.5 * (A + A.T)
    elif how == "max":
        S = A.maximum(A.T)
    else:
        S = A.minimum(A.T)
    S = S.tocsr()
    S.eliminate_zeros()
    S.sort_indices()
    return S


def knn_graph(X, n_neighbors=10, *, mode="connectivity", include_self=False, symmetrize="max"):
    """Sparse k-nearest-neighbour graph of the rows of ``X``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_neighbors : int, default=10
        Neighbours per point, at most ``n_samples - 1``.
    mode : {"connectivity", "distance"}, default="connectivity"
        Put 1 or the Euclidean distance on each edge.
    include_self : bool, default=False
        Count each point as its own first neighbour (scikit-learn's
        ``SpectralEmbedding`` does; the Laplacian ignores self-loops anyway).
    symmetrize : {"max", "mean", "min", None}, default="max"
        The relation "j is among i's neighbours" is not symmetric. ``"max"``
        keeps an edge if either end chose the other (the union), ``"min"`` only
        if both did (mutual neighbours), ``"mean"`` averages ``(A + A^T)/2`` (so
        one-sided connectivity edges get 0.5), ``None`` returns the directed
        graph (row i holds i's neighbours).

    Returns
    -------
    A : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
    """
    X = _check_data(X)
    n = X.shape[0]
    _check_int(n_neighbors, "n_neighbors", 1, n - 1 if not include_self else n)
    if mode not in ("connectivity", "distance"):
        raise ValueError(f"mode must be 'connectivity' or 'distance', got {mode!r}.")
    nn = NearestNeighbors(n_neighbors=n_neighbors).fit(X)
    A = nn.kneighbors_graph(X if include_self else None, mode=mode)
    return _symmetrize(A, symmetrize)


def epsilon_graph(X, epsilon, *, mode="connectivity"):
    """Sparse epsilon-ball graph: an edge between every pair closer than ``epsilon`` (symmetric, no self-loops).

    ``mode="distance"`` stores the distances on the edges. A pair of distinct
    points at distance exactly 0 is stored as an explicit zero entry.
    """
    X = _check_data(X)
    if isinstance(epsilon, bool) or not isinstance(epsilon, Real) or not epsilon > 0:
        raise ValueError(f"epsilon must be a positive number, got {epsilon!r}.")
    if mode not in ("connectivity", "distance"):
        raise ValueError(f"mode must be 'connectivity' or 'distance', got {mode!r}.")
    nn = NearestNeighbors(radius=epsilon).fit(X)
    A = nn.radius_neighbors_graph(None, radius=epsilon, mode=mode).tocsr()
    A.sort_indices()
    return A


def gaussian_affinity(X, sigma=1.0, *, graph=None):
    """Gaussian weights ``exp(-||x_i - x_j||^2 / (2 sigma^2))``.

    Without ``graph``: a dense ``n x n`` matrix over all pairs, with zero
    diagonal (no self-loops). With ``graph`` (a sparse neighbour graph, for
    example from :func:`knn_graph`): the same weights, but only on its edges;
    the result is sparse with ``graph``'s pattern.
    """
    X = _check_data(X)
    if isinstance(sigma, bool) or not isinstance(sigma, Real) or not sigma > 0:
        raise ValueError(f"sigma must be a positive number, got {sigma!r}.")
    if graph is None:
        norms = np.einsum("ij,ij->i", X, X)
        sq = norms[:, None] + norms[None, :] - 2.0 * (X @ X.T)
        np.maximum(sq, 0.0, out=sq)
        W = np.exp(-sq / (2.0 * sigma**2))
        np.fill_diagonal(W, 0.0)
        return W
    G = sparse.coo_matrix(graph)
    if G.shape != (X.shape[0], X.shape[0]):
        raise ValueError(f"graph must have shape (n_samples, n_samples) = {(X.shape[0],) * 2}, got {G.shape}.")
    diff = X[G.row] - X[G.col]
    weights = np.exp(-np.einsum("ij,ij->i", diff, diff) / (2.0 * sigma**2))
    weights[G.row == G.col] = 0.0
    W = sparse.csr_matrix((weights, (G.row, G.col)), shape=G.shape)
    W.eliminate_zeros()
    W.sort_indices()
    return W


def check_adjacency(W, *, name="W", require_symmetric=True):
    """Validate a weighted adjacency matrix (dense or SciPy sparse): square, finite, non-negative, symmetric.

    Returns a float64 ndarray or CSR matrix.
    """
    if sparse.issparse(W):
        W = sparse.csr_matrix(W, dtype=np.float64)
        values = W.data
    else:
        W = check_array(W, dtype=np.float64, input_name=name, ensure_min_samples=1)
        values = W
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"{name} must be a square (n x n) adjacency matrix, got shape {W.shape}.")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    if np.any(values < 0):
        raise ValueError(f"{name} must have non-negative edge weights.")
    if require_symmetric:
        asym = abs(W - W.T)
        worst = asym.max() if sparse.issparse(W) else np.max(asym)
        scale = max(float(abs(W).max()), 1.0)
        if worst > 1e-10 * scale:
            raise ValueError(f"{name} must be symmetric (an undirected graph), but |{name} - {name}^T| reaches "
                             f"{float(worst):.3g}; symmetrise it first, e.g. ({name} + {name}.T) / 2 or "
                             f"knn_graph(..., symmetrize='max').")
    return W


def degrees(W):
    """Weighted degrees ``d_i = sum_{j != i} w_ij`` (self-loops ignored, as in SciPy)."""
    if sparse.issparse(W):
        return np.asarray(W.sum(axis=1)).ravel() - W.diagonal()
    W = np.asarray(W, dtype=float)
    return W.sum(axis=1) - np.diag(W)


def laplacian(W, kind="unnormalized", *, return_degrees=False):
    """Graph Laplacian of the symmetric adjacency ``W`` (dense ndarray or SciPy sparse; the result has the same kind).

    * ``"unnormalized"``: ``L = D - W``;
    * ``"symmetric"``: ``L_sym = D^-1/2 L D^-1/2 = I - D^-1/2 W D^-1/2``;
    * ``"random_walk"``: ``L_rw = D^-1 L = I - D^-1 W`` (not symmetric).

    ``D`` is the diagonal matrix of degrees. The diagonal of ``W`` is ignored,
    and an isolated node (degree 0) gets a zero row and column in the
    normalised Laplacians, both as in ``scipy.sparse.csgraph.laplacian``
    (which gives the first two kinds; ``normed=True`` is ``"symmetric"``).
    All three are positive semi-definite (``L_rw`` is similar to ``L_sym``)
    and have as many zero eigenvalues as the graph has connected components.
    """
    if kind not in ("unnormalized", "symmetric", "random_walk"):
        raise ValueError(f"kind must be 'unnormalized', 'symmetric' or 'random_walk', got {kind!r}.")
    W = check_adjacency(W)
    d = degrees(W)
    n = W.shape[0]
    if sparse.issparse(W):
        W = W.copy()
        W.setdiag(0.0)
        W.eliminate_zeros()
        if kind == "unnormalized":
            L = sparse.diags(d) - W
        else:
            isolated = d == 0
            if kind == "symmetric":
                s = np.where(isolated, 0.0, 1.0 / np.sqrt(np.where(isolated, 1.0, d)))
                L = sparse.diags((~isolated).astype(float)) - sparse.diags(s) @ W @ sparse.diags(s)
            else:
                inv = np.where(isolated, 0.0, 1.0 / np.where(isolated, 1.0, d))
                L = sparse.diags((~isolated).astype(float)) - sparse.diags(inv) @ W
        L = L.tocsr()
        L.sort_indices()
    else:
        W = W.copy()
        np.fill_diagonal(W, 0.0)
        if kind == "unnormalized":
            L = np.diag(d) - W
        else:
            isolated = d == 0
            safe = np.where(isolated, 1.0, d)
            if kind == "symmetric":
                s = np.where(isolated, 0.0, 1.0 / np.sqrt(safe))
                L = -(s[:, None] * W * s[None, :])
            else:
                L = -(np.where(isolated, 0.0, 1.0 / safe)[:, None] * W)
            L[np.diag_indices(n)] = (~isolated).astype(float)
    return (L, d) if return_degrees else L


def connected_components(W):
    """``(n_components, labels)`` of the undirected graph with adjacency ``W`` (SciPy's csgraph)."""
    W = W if sparse.issparse(W) else np.asarray(W)
    return csgraph.connected_components(sparse.csr_matrix(W), directed=False)


def check_connected(W, *, method, parameter="n_neighbors"):
    """Raise a ValueError that says how to fix it when the graph ``W`` has more than one connected component."""
    n_pieces, labels = connected_components(W)
    if n_pieces > 1:
        sizes = np.bincount(labels)
        raise ValueError(
            f"{method} needs a connected neighbour graph, but this one falls apart into {n_pieces} connected "
            f"components (sizes {sorted(sizes.tolist(), reverse=True)[:10]}): points in different components have "
            f"no path between them, so no single embedding relates them. Use a larger neighbourhood "
            f"(increase {parameter}) or embed each component separately."
        )


def centering_matrix(n):
    """The centring matrix ``H = I - (1/n) 1 1^T`` (n x n): ``H @ X`` subtracts the column means of ``X``.

    ``H`` is symmetric and idempotent (``H H = H``): the orthogonal projection
    onto the vectors whose entries sum to zero.
    """
    _check_int(n, "n", 1)
    return np.eye(n) - np.full((n, n), 1.0 / n)


def double_center(sq_distances, *, copy=True):
    """``B = -1/2 H D2 H`` for a square matrix of squared distances, computed from row, column and grand means.

    ``(H D2 H)_ij = d2_ij - mean_k d2_kj - mean_k d2_ik + mean_kl d2_kl``;
    with ``copy=False`` the (float64) input is overwritten.
    """
    D2 = np.array(sq_distances, dtype=np.float64, copy=copy)
    if D2.ndim != 2 or D2.shape[0] != D2.shape[1]:
        raise ValueError(f"sq_distances must be a square matrix, got shape {D2.shape}.")
    col_means = D2.mean(axis=0)
    row_means = D2.mean(axis=1)
    grand = col_means.mean()
    D2 -= row_means[:, None]
    D2 -= col_means[None, :]
    D2 += grand
    D2 *= -0.5
    return D2


def geodesic_distances(graph, *, directed=False):
    """Shortest-path (geodesic) distances along the edges of a weighted graph (dense n x n result).

    ``graph`` holds edge lengths (e.g. ``knn_graph(X, k, mode="distance")``);
    a missing edge is "no edge", not length 0. Dijkstra's algorithm from
    ``scipy.sparse.csgraph.shortest_path``; with ``directed=False`` an edge
    stored in one direction only can be walked both ways (the shorter of the
    two lengths counts). Unreachable pairs are ``inf``.
    """
    if sparse.issparse(graph):
        G = sparse.csr_matrix(graph, dtype=np.float64)
        values = G.data
    else:
        G = check_array(graph, dtype=np.float64, input_name="graph")
        values = G
    if G.shape[0] != G.shape[1]:
        raise ValueError(f"graph must be square, got shape {G.shape}.")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("graph must hold finite, non-negative edge lengths.")
    return csgraph.shortest_path(G, method="D", directed=directed)
