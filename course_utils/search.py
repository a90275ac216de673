"""Vector search: exact, inverted-file, product-quantisation and HNSW indexes (notebook 06, section 6).

Every index follows FAISS's interface, so a student can swap one for FAISS's and compare:

* ``index.add(X)`` stores the rows of ``X`` (``n x d``); their ids are ``0, 1, 2, ...`` in the order added;
* ``index.search(Q, k)`` returns ``(distances, ids)``, both ``(n_queries, k)``: **squared** Euclidean
  distances as ``float32`` in increasing order and ids as ``int64``, padded with distance
  ``numpy.finfo(numpy.float32).max`` and id ``-1`` where fewer than ``k`` vectors can be returned (as FAISS does);
* indexes that learn something from data (:class:`IVFIndex`, :class:`PQIndex`) need ``train(X)`` first.

=================  ==============================================================  ======================
index              idea                                                            FAISS / hnswlib
=================  ==============================================================  ======================
:class:`FlatIndex`  compare the query with every stored vector (exact)             ``IndexFlatL2``
:class:`IVFIndex`   k-means cells; search only the ``nprobe`` cells nearest the     ``IndexIVFFlat``
                    query (inverted file)
:class:`PQIndex`    cut each vector into ``m`` pieces, store the id of the nearest  ``IndexPQ``
                    of ``2**nbits`` centroids per piece (product quantisation)
:class:`HNSWIndex`  greedy walk on a layered proximity graph                       ``hnswlib.Index``,
                                                                                    ``IndexHNSWFlat``
=================  ==============================================================  ======================

The NumPy code is written to be read next to the notebook. The indexes work on blocks of queries at
once so that the arithmetic runs in BLAS. The loops that NumPy cannot express without wasted work are compiled
with numba (cached on disk after the first call, see :mod:`course_utils.precompile`): keeping each query's
``k`` best while scanning the IVF cells and the PQ codes (:meth:`IVFIndex.search`, :meth:`PQIndex.search`;
their step-by-step NumPy versions, :meth:`IVFIndex.search_numpy` and :meth:`PQIndex.search_numpy`, give the
same results and are tested to), and the HNSW graph walk, a loop by nature. Everything runs on one thread
(NumPy's BLAS aside).
"""

import math

from llvmlite import ir
import numba
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic
import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array

from course_utils.precompile import prepare_cache

prepare_cache()      # a read-only install reuses the compiled code in its __pycache__ (see precompile)

__all__ = [
    "squared_distances",
    "top_k",
    "kmeans",
    "assign",
    "recall_at_k",
    "FlatIndex",
    "IVFIndex",
    "PQIndex",
    "HNSWIndex",
]

#: distance FAISS reports for a missing result (with id -1)
MISSING_DISTANCE = np.finfo(np.float32).max

#: Compiled loops that may reorder a floating-point sum (so that it runs in SIMD registers, as BLAS does) and fuse
#: multiply-adds; nothing else (no approximate functions, NaN and infinity behave as usual).
_FAST_SUMS = {"reassoc", "contract", "nsz", "arcp"}


# ---------------------------------------------------------------------------------------------------------------
# Validation and the two building blocks: all squared distances, and the k smallest of each row
# ---------------------------------------------------------------------------------------------------------------

def _check_positive_int(value, name, minimum=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_vectors(X, d, name):
    """A 2-D float32 C-contiguous array of finite values with ``d`` columns (one vector per row)."""
    if X is None:
        raise ValueError(f"{name} must be a 2-D array of vectors, got None")
    if np.ndim(X) == 1:
        raise ValueError(f"{name} must be a 2-D array (one vector per row), got a 1-D array of shape "
                         f"{np.shape(X)}: use X.reshape(1, -1) for a single vector")
    X = check_array(X, dtype=np.float32, order="C", ensure_all_finite=True, input_name=name,
                    ensure_min_samples=1)
    if d is not None and X.shape[1] != d:
        raise ValueError(f"{name} must have d = {d} columns, got {X.shape[1]}")
    return X


def squared_distances(Q, X):
    """All squared Euclidean distances between the rows of ``Q`` and ``X``, shape ``(len(Q), len(X))``.

    Uses :math:`\\lVert q - x\\rVert^2 = \\lVert q\\rVert^2 - 2\\,q\\cdot x + \\lVert x\\rVert^2`, so the bulk of the
    work is one matrix product (as FAISS does); tiny negative values from rounding are clipped to 0.
    """
    Q = np.asarray(Q)
    X = np.asarray(X)
    D = Q @ X.T
    D *= -2
    D += np.einsum("ij,ij->i", Q, Q)[:, None]
    D += np.einsum("ij,ij->i", X, X)[None, :]
    np.maximum(D, 0, out=D)
    return D


def top_k(D, k, ids=None):
    """The ``k`` smallest entries of each row of ``D`` in increasing order: ``(distances, ids)``.

    ``ids`` (optional, same shape as ``D`` or one row for all) maps columns to ids; by default the column
    index is the id. Rows with fewer than ``k`` columns are padded with ``MISSING_DISTANCE`` and ``-1``.
    """
    D = np.asarray(D, dtype=np.float32)
    n, m = D.shape
    distances = np.full((n, k), MISSING_DISTANCE, dtype=np.float32)
    labels = np.full((n, k), -1, dtype=np.int64)
    kk = min(k, m)
    if kk == 0:
        return distances, labels
    if kk < m:
        part = np.argpartition(D, kk - 1, axis=1)[:, :kk]
    else:
        part = np.broadcast_to(np.arange(m), (n, m))
    part_d = np.take_along_axis(D, part, axis=1)
    order = np.argsort(part_d, axis=1, kind="stable")
    cols = np.take_along_axis(part, order, axis=1)
    distances[:, :kk] = np.take_along_axis(part_d, order, axis=1)
    if ids is None:
        labels[:, :kk] = cols
    else:
        ids = np.asarray(ids)
        labels[:, :kk] = ids[cols] if ids.ndim == 1 else np.take_along_axis(ids, cols, axis=1)
    # entries that were themselves padding stay padding
    labels[distances == MISSING_DISTANCE] = -1
    return distances, labels


def _query_blocks(n_queries, n_columns, budget=2**23):
    """Slices of queries whose distance block (queries x columns) holds at most ``budget`` numbers."""
    step = max(1, min(n_queries, budget // max(n_columns, 1)))
    return [slice(start, min(start + step, n_queries)) for start in range(0, n_queries, step)]


@numba.njit(cache=True, inline="always")
def _keep_nearest(dist, ids, size, k, d, i):
    """Put (d, i) into the k nearest found so far, ``dist/ids[:size]`` sorted by (distance, id); returns the size.

    The compiled searches below keep each query's results this way: a candidate farther than the k-th is
    dropped at once, which is the common case; equal distances are ordered by id.
    """
    if size == k:
        if d > dist[k - 1] or (d == dist[k - 1] and i > ids[k - 1]):
            return size
        size -= 1
    pos = size
    while pos > 0 and (dist[pos - 1] > d or (dist[pos - 1] == d and ids[pos - 1] > i)):
        dist[pos] = dist[pos - 1]
        ids[pos] = ids[pos - 1]
        pos -= 1
    dist[pos] = d
    ids[pos] = i
    return size + 1


def assign(X, centroids):
    """Index of the nearest centroid (squared Euclidean distance) for each row of ``X``: the IVF list."""
    X = np.asarray(X, dtype=np.float32)
    centroids = np.asarray(centroids, dtype=np.float32)
    labels = np.empty(len(X), dtype=np.int64)
    centroid_sq = np.einsum("ij,ij->i", centroids, centroids)
    for block in _query_blocks(len(X), len(centroids)):
        # ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2, and ||x||^2 is the same for every centroid
        scores = X[block] @ centroids.T
        scores *= -2
        scores += centroid_sq
        labels[block] = np.argmin(scores, axis=1)
    return labels


def kmeans(X, k, n_iter=20, random_state=0, max_points_per_centroid=256):
    """Lloyd's k-means, as FAISS trains its quantisers: returns the ``(k, d)`` centroids.

    Starts from ``k`` distinct training vectors chosen at random; trains on at most
    ``max_points_per_centroid * k`` of them (FAISS's subsampling); a centroid that loses all its points is
    moved next to the centroid of the largest cluster, which is split in two.
    """
    X = np.asarray(X, dtype=np.float32)
    k = _check_positive_int(k, "k")
    if len(X) < k:
        raise ValueError(f"k-means needs at least k = {k} training vectors, got {len(X)}")
    rng = np.random.default_rng(random_state)
    if max_points_per_centroid and len(X) > k * max_points_per_centroid:
        X = X[rng.choice(len(X), k * max_points_per_centroid, replace=False)]
    centroids = X[rng.choice(len(X), k, replace=False)].copy()
    for _ in range(n_iter):
        labels = assign(X, centroids)
        counts = np.bincount(labels, minlength=k)
        one_hot = sparse.csr_matrix((np.ones(len(X), dtype=np.float32), (labels, np.arange(len(X)))),
                                    shape=(k, len(X)))
        sums = one_hot @ X                                      # row c: the sum of the points of cluster c
        nonempty = counts > 0
        centroids[nonempty] = (sums[nonempty] / counts[nonempty, None]).astype(np.float32)
        for empty in np.flatnonzero(~nonempty):               # split the largest cluster
            big = int(np.argmax(counts))
            jitter = 1e-3 * (np.abs(centroids[big]) + 1e-3) * rng.standard_normal(X.shape[1]).astype(np.float32)
            centroids[empty] = centroids[big] + jitter
            centroids[big] = centroids[big] - jitter
            counts[empty] = counts[big] // 2
            counts[big] -= counts[empty]
    return centroids


def recall_at_k(found_ids, true_ids, k=None):
    """Recall@k: the fraction of the true ``k`` nearest neighbours that the index returned, averaged over queries.

    ``found_ids`` and ``true_ids`` are ``(n_queries, >= k)`` arrays of ids (``k`` defaults to the width of
    ``true_ids``); only the first ``k`` columns of each are used, ``-1`` (padding) never counts as found.
    """
    found = np.asarray(found_ids)
    true = np.asarray(true_ids)
    if found.ndim != 2 or true.ndim != 2:
        raise ValueError(f"found_ids and true_ids must be 2-D arrays, got shapes {found.shape} and {true.shape}")
    if len(found) != len(true):
        raise ValueError(f"found_ids and true_ids must have one row per query, got {len(found)} and {len(true)} rows")
    k = true.shape[1] if k is None else _check_positive_int(k, "k")
    if k > true.shape[1] or k > found.shape[1]:
        raise ValueError(f"k = {k} is larger than the number of ids per query ({found.shape[1]} found, "
                         f"{true.shape[1]} true)")
    found, true = found[:, :k], true[:, :k]
    hits = (found[:, :, None] == true[:, None, :]) & (true[:, None, :] >= 0)
    return float(np.mean(hits.any(axis=1).sum(axis=1) / k))


class _Index:
    """What all indexes share: dimension, count, validation of queries, FAISS-style results."""

    def __init__(self, d):
        self.d = _check_positive_int(d, "d")
        self.ntotal = 0
        self.is_trained = True

    def __len__(self):
        return self.ntotal

    def __repr__(self):
        return f"{type(self).__name__}(d={self.d}, ntotal={self.ntotal})"

    def _check_add(self, X):
        if not self.is_trained:
            raise RuntimeError(f"{type(self).__name__} must be trained before vectors are added: call train(X)")
        return _check_vectors(X, self.d, "X")

    def _check_search(self, Q, k):
        if not self.is_trained:
            raise RuntimeError(f"{type(self).__name__} must be trained (and filled) before searching")
        Q = _check_vectors(Q, self.d, "Q")
        return Q, _check_positive_int(k, "k")


# ---------------------------------------------------------------------------------------------------------------
# Exact search
# ---------------------------------------------------------------------------------------------------------------

class FlatIndex(_Index):
    """Exact search: the query against every stored vector (FAISS's ``IndexFlatL2``).

    Parameters
    ----------
    d : int
        Dimension of the vectors.

    Examples
    --------
    >>> import numpy as np
    >>> index = FlatIndex(2)
    >>> index.add(np.array([[0, 0], [3, 4], [1, 0]]))
    >>> index.search(np.array([[0, 0]]), 2)
    (array([[0., 1.]], dtype=float32), array([[0, 2]]))
    """

    def __init__(self, d):
        super().__init__(d)
        self.vectors = np.empty((0, self.d), dtype=np.float32)

    def add(self, X):
        X = self._check_add(X)
        self.vectors = np.vstack([self.vectors, X])
        self.ntotal = len(self.vectors)

    def reset(self):
        self.vectors = np.empty((0, self.d), dtype=np.float32)
        self.ntotal = 0

    def search(self, Q, k):
        Q, k = self._check_search(Q, k)
        distances = np.full((len(Q), k), MISSING_DISTANCE, dtype=np.float32)
        ids = np.full((len(Q), k), -1, dtype=np.int64)
        for block in _query_blocks(len(Q), self.ntotal):
            distances[block], ids[block] = top_k(squared_distances(Q[block], self.vectors), k)
        return distances, ids


# ---------------------------------------------------------------------------------------------------------------
# Inverted file: a k-means coarse quantiser and one list of vectors per cell
# ---------------------------------------------------------------------------------------------------------------

class IVFIndex(_Index):
    """Inverted file with exact distances inside the cells (FAISS's ``IndexIVFFlat``).

    ``train`` runs k-means to find ``nlist`` centroids (the *coarse quantiser*); ``add`` puts every vector in
    the list of its nearest centroid; ``search`` compares the query with the ``nprobe`` nearest centroids and
    then, exactly, with the vectors of those lists only. ``nprobe = nlist`` is exact search; small ``nprobe``
    is fast and may miss neighbours that lie just across a cell boundary.

    Parameters
    ----------
    d : int
    nlist : int
        Number of cells (k-means centroids).
    nprobe : int, default=1
        Number of cells searched per query (may be changed between searches).
    n_iter : int, default=20
        k-means iterations in ``train``.
    random_state : int, default=0
        Seed of the k-means initialisation and subsampling.
    """

    def __init__(self, d, nlist, nprobe=1, *, n_iter=20, random_state=0):
        super().__init__(d)
        self.nlist = _check_positive_int(nlist, "nlist")
        self.nprobe = _check_positive_int(nprobe, "nprobe")
        self.n_iter = _check_positive_int(n_iter, "n_iter")
        self.random_state = random_state
        self.is_trained = False
        self.centroids = None
        self._lists = [[] for _ in range(self.nlist)]

    def train(self, X):
        X = _check_vectors(X, self.d, "X")
        self.centroids = kmeans(X, self.nlist, n_iter=self.n_iter, random_state=self.random_state)
        self.is_trained = True

    def add(self, X):
        X = self._check_add(X)
        lists = assign(X, self.centroids)
        ids = np.arange(self.ntotal, self.ntotal + len(X))
        order = np.argsort(lists, kind="stable")
        bounds = np.searchsorted(lists[order], np.arange(self.nlist + 1))
        self.list_ids = [np.concatenate([old, ids[order[a:b]]]) if self.ntotal else ids[order[a:b]]
                         for old, a, b in zip(getattr(self, "list_ids", [None] * self.nlist), bounds[:-1], bounds[1:])]
        self.list_vectors = [np.concatenate([old, X[order[a:b]]]) if self.ntotal else X[order[a:b]]
                             for old, a, b in zip(getattr(self, "list_vectors", [None] * self.nlist),
                                                  bounds[:-1], bounds[1:])]
        self.list_sq_norms = [np.einsum("ij,ij->i", v, v) for v in self.list_vectors]
        self.ntotal += len(X)
        self._pack()

    def _pack(self):
        """Store the lists one after the other (list c in rows ``offsets[c]:offsets[c + 1]``) for the compiled
        search; the per-list arrays become views of that storage, so nothing is held twice."""
        self._offsets = np.concatenate([[0], np.cumsum([len(ids) for ids in self.list_ids])]).astype(np.int64)
        self._vectors = np.ascontiguousarray(np.concatenate(self.list_vectors), dtype=np.float32)
        self._sq_norms = np.concatenate(self.list_sq_norms).astype(np.float32)
        self._ids = np.concatenate(self.list_ids).astype(np.int64)
        bounds = list(zip(self._offsets[:-1], self._offsets[1:]))
        self.list_vectors = [self._vectors[a:b] for a, b in bounds]
        self.list_sq_norms = [self._sq_norms[a:b] for a, b in bounds]
        self.list_ids = [self._ids[a:b] for a, b in bounds]

    @property
    def list_sizes(self):
        """Number of vectors in each inverted list."""
        return np.array([len(ids) for ids in self.list_ids]) if self.ntotal else np.zeros(self.nlist, dtype=int)

    def search(self, Q, k):
        """The ``k`` nearest stored vectors of each query among the ``nprobe`` nearest cells: ``(distances, ids)``.

        The steps of :meth:`search_numpy` in one compiled loop (numba), as FAISS's ``IndexIVFFlat`` does them:
        cell by cell, each query that probes the cell is compared with each of its vectors (``||q - x||^2``,
        summed in SIMD registers), and the query's k best so far are kept in a small sorted array; equal
        distances are ordered by id. The cells are the same as :meth:`search_numpy`'s and so are the results,
        up to float32 rounding (the NumPy version expands ``||q||^2 - 2 q.x + ||x||^2``). Small cells make
        NumPy's per-cell matrix products and ``top_k`` tables cost more than the arithmetic.
        """
        Q, k = self._check_search(Q, k)
        nprobe = min(_check_positive_int(self.nprobe, "nprobe"), self.nlist)
        n = len(Q)
        distances = np.full((n, k), MISSING_DISTANCE, dtype=np.float32)
        ids = np.full((n, k), -1, dtype=np.int64)
        if self.ntotal == 0:
            return distances, ids
        # 1. the nprobe nearest cells of every query, and for each cell the queries that probe it
        start, queries_by_cell = _probe_lists(squared_distances(Q, self.centroids), nprobe)
        # 2. each cell's vectors against the queries that probe it, each distance offered to its query's k best
        _scan_cells(Q, start, queries_by_cell, self._offsets, self._vectors, self._ids, distances, ids)
        return distances, ids

    def search_numpy(self, Q, k):
        """:meth:`search` in NumPy, step by step (the version to read): same results, slower on small cells."""
        Q, k = self._check_search(Q, k)
        nprobe = min(_check_positive_int(self.nprobe, "nprobe"), self.nlist)
        n = len(Q)
        # 1. the nprobe nearest cells of every query
        _, probes = top_k(squared_distances(Q, self.centroids), nprobe)
        if self.ntotal == 0:
            return (np.full((n, k), MISSING_DISTANCE, dtype=np.float32), np.full((n, k), -1, dtype=np.int64))
        # 2. cell by cell: the queries that probe it, against its vectors (one matrix product per cell);
        #    each (query, probe) keeps its best k, in slot `rank` of the query's candidate table
        cand_d = np.full((n, nprobe, k), MISSING_DISTANCE, dtype=np.float32)
        cand_i = np.full((n, nprobe, k), -1, dtype=np.int64)
        q_sq = np.einsum("ij,ij->i", Q, Q)
        flat = probes.ravel()
        order = np.argsort(flat, kind="stable")
        bounds = np.searchsorted(flat[order], np.arange(self.nlist + 1))
        for cell in range(self.nlist):
            hits = order[bounds[cell]:bounds[cell + 1]]
            size = len(self.list_ids[cell])
            if len(hits) == 0 or size == 0:
                continue
            queries, ranks = np.divmod(hits, nprobe)
            D = q_sq[queries, None] - 2 * (Q[queries] @ self.list_vectors[cell].T) + self.list_sq_norms[cell]
            np.maximum(D, 0, out=D)
            cand_d[queries, ranks], cand_i[queries, ranks] = top_k(D, k, self.list_ids[cell])
        # 3. merge the nprobe candidate lists of each query
        return top_k(cand_d.reshape(n, -1), k, cand_i.reshape(n, -1))


@numba.njit(cache=True)
def _probe_lists(centroid_distances, nprobe):
    """Each query's ``nprobe`` nearest cells (ties: the lower cell), grouped by cell (a counting sort).

    Returns ``(start, queries)``: the queries that probe cell c are ``queries[start[c]:start[c + 1]]``.
    """
    n, nlist = centroid_distances.shape
    probes = np.empty((n, nprobe), np.int64)
    probe_d = np.empty(nprobe, np.float32)
    start = np.zeros(nlist + 1, np.int64)
    for q in range(n):
        size = 0
        for cell in range(nlist):
            size = _keep_nearest(probe_d, probes[q], size, nprobe, centroid_distances[q, cell], cell)
        for p in range(nprobe):
            start[probes[q, p] + 1] += 1
    for cell in range(nlist):
        start[cell + 1] += start[cell]
    fill = start[:-1].copy()
    queries = np.empty(n * nprobe, np.int64)
    for q in range(n):
        for p in range(nprobe):
            queries[fill[probes[q, p]]] = q
            fill[probes[q, p]] += 1
    return start, queries


@numba.njit(cache=True, fastmath=_FAST_SUMS)
def _scan_cells(Q, start, queries_by_cell, offsets, vectors, ids, out_d, out_i):
    """Offer the distance between every query and every vector of each cell it probes to the query's k best
    (``out_d``/``out_i``, sorted by distance then id; unfilled slots keep ``MISSING_DISTANCE`` and -1).

    Cell-major order keeps a cell's vectors in the cache while its queries are compared with them.
    """
    k = out_d.shape[1]
    sizes = np.zeros(Q.shape[0], np.int64)
    for cell in range(len(offsets) - 1):
        for r in range(start[cell], start[cell + 1]):
            q = queries_by_cell[r]
            size = sizes[q]
            worst = out_d[q, k - 1]
            for x in range(offsets[cell], offsets[cell + 1]):
                s = np.float32(0.0)
                for t in range(Q.shape[1]):
                    diff = vectors[x, t] - Q[q, t]
                    s += diff * diff
                if size < k or s <= worst:
                    size = _keep_nearest(out_d[q], out_i[q], size, k, s, ids[x])
                    worst = out_d[q, k - 1]
            sizes[q] = size


# ---------------------------------------------------------------------------------------------------------------
# Product quantisation
# ---------------------------------------------------------------------------------------------------------------

class PQIndex(_Index):
    """Product quantisation (FAISS's ``IndexPQ``): each vector stored as ``m`` small integers.

    The ``d`` coordinates are cut into ``m`` consecutive pieces of ``d / m``; for each piece k-means learns
    ``2**nbits`` centroids (its *codebook*). A vector is stored as the ids of the nearest centroid of each piece
    (``m`` codes of ``nbits`` bits instead of ``d`` floats: 64 floats = 256 bytes become 8 bytes with
    ``m = 8, nbits = 8``). A query is compared with the *decoded* vectors by table look-up ("asymmetric
    distance"): the squared distance from each query piece to every centroid of its codebook is computed once,
    and the distance to a stored vector is the sum of ``m`` entries of that table.

    Parameters
    ----------
    d : int
    m : int
        Number of pieces (must divide ``d``).
    nbits : int, default=8
        Bits per code, so ``2**nbits`` centroids per piece (at most 16).
    n_iter, random_state : k-means settings.
    """

    def __init__(self, d, m, nbits=8, *, n_iter=20, random_state=0):
        super().__init__(d)
        self.m = _check_positive_int(m, "m")
        self.nbits = _check_positive_int(nbits, "nbits")
        if self.d % self.m:
            raise ValueError(f"m must divide d: d = {self.d} is not a multiple of m = {self.m}")
        if self.nbits > 16:
            raise ValueError(f"nbits must be at most 16, got {self.nbits}")
        self.n_iter = _check_positive_int(n_iter, "n_iter")
        self.random_state = random_state
        self.dsub = self.d // self.m
        self.ksub = 2 ** self.nbits
        self.is_trained = False
        self.codebooks = None                     # (m, ksub, dsub)
        self.codes = np.empty((0, self.m), dtype=np.uint8 if self.nbits <= 8 else np.uint16)

    def _pieces(self, X):
        return X.reshape(len(X), self.m, self.dsub)

    def train(self, X):
        X = _check_vectors(X, self.d, "X")
        if len(X) < self.ksub:
            raise ValueError(f"PQ training needs at least 2**nbits = {self.ksub} vectors, got {len(X)}")
        pieces = self._pieces(X)
        self.codebooks = np.stack([kmeans(pieces[:, j], self.ksub, n_iter=self.n_iter,
                                          random_state=None if self.random_state is None else self.random_state + j)
                                   for j in range(self.m)])
        self.is_trained = True

    def encode(self, X):
        """The ``(n, m)`` codes: for each piece, the id of the nearest centroid of its codebook."""
        if not self.is_trained:
            raise RuntimeError("PQIndex must be trained before encoding: call train(X)")
        pieces = self._pieces(_check_vectors(X, self.d, "X"))
        return np.stack([assign(pieces[:, j], self.codebooks[j]) for j in range(self.m)], axis=1).astype(
            self.codes.dtype)

    def decode(self, codes):
        """The vectors the codes stand for: the chosen centroids of all pieces, concatenated."""
        if not self.is_trained:
            raise RuntimeError("PQIndex must be trained before decoding: call train(X)")
        codes = np.asarray(codes)
        if codes.ndim != 2 or codes.shape[1] != self.m:
            raise ValueError(f"codes must be an (n, m = {self.m}) array, got shape {codes.shape}")
        if codes.size and (codes.min() < 0 or codes.max() >= self.ksub):
            raise ValueError(f"codes must lie in 0 .. {self.ksub - 1}")
        return np.concatenate([self.codebooks[j][codes[:, j]] for j in range(self.m)], axis=1)

    def add(self, X):
        X = self._check_add(X)
        self.codes = np.vstack([self.codes, self.encode(X)])
        self.ntotal = len(self.codes)

    def _tables(self, Q):
        """(n, m, ksub): squared distance of each query's piece j to every centroid of codebook j."""
        pieces = self._pieces(Q)
        return np.stack([squared_distances(pieces[:, j], self.codebooks[j]) for j in range(self.m)], axis=1)

    def search(self, Q, k):
        """The ``k`` stored vectors whose decoded vectors are nearest each query: ``(distances, ids)``.

        The same distance tables and sums as :meth:`search_numpy` (each sum in the same order, so the very
        same float32 distances), in a compiled loop over the codes (numba) that keeps each query's k best as it
        goes, instead of a ``(queries x ntotal)`` block of distances; equal distances are ordered by id.
        """
        Q, k = self._check_search(Q, k)
        distances = np.full((len(Q), k), MISSING_DISTANCE, dtype=np.float32)
        ids = np.full((len(Q), k), -1, dtype=np.int64)
        if self.ntotal:
            _pq_scan(self._tables(Q), self.codes, distances, ids)
        return distances, ids

    def search_numpy(self, Q, k):
        """:meth:`search` in NumPy, step by step (the version to read): same results, several times slower."""
        Q, k = self._check_search(Q, k)
        n = len(Q)
        distances = np.full((n, k), MISSING_DISTANCE, dtype=np.float32)
        ids = np.full((n, k), -1, dtype=np.int64)
        if self.ntotal == 0:
            return distances, ids
        pieces = self._pieces(Q)
        # tables[j] (n x ksub): squared distance of each query's piece j to every centroid of codebook j
        tables = [squared_distances(pieces[:, j], self.codebooks[j]) for j in range(self.m)]
        codes = self.codes.astype(np.intp)
        for block in _query_blocks(n, self.ntotal, budget=2**22):
            D = np.zeros((block.stop - block.start, self.ntotal), dtype=np.float32)
            for j in range(self.m):
                D += tables[j][block][:, codes[:, j]]
            distances[block], ids[block] = top_k(D, k)
        return distances, ids


@numba.njit(cache=True)
def _pq_scan(tables, codes, out_d, out_i):
    """For each query, the k codes with the smallest sums ``sum_j tables[q, j, codes[i, j]]`` (into out_d/out_i).

    Four codes are summed side by side: four independent chains of additions keep the processor busy (one
    chain waits for each addition to finish). Each sum runs over j = 0, 1, ... in order, in float32.
    """
    n_queries, m, _ = tables.shape
    n, k = codes.shape[0], out_d.shape[1]
    for q in range(n_queries):
        table = tables[q]
        best_d, best_i = out_d[q], out_i[q]
        size = 0
        for i in range(0, n - n % 4, 4):
            d0 = d1 = d2 = d3 = np.float32(0.0)
            for j in range(m):
                d0 += table[j, codes[i, j]]
                d1 += table[j, codes[i + 1, j]]
                d2 += table[j, codes[i + 2, j]]
                d3 += table[j, codes[i + 3, j]]
            for offset, d in ((0, d0), (1, d1), (2, d2), (3, d3)):
                if size < k or d <= best_d[k - 1]:
                    size = _keep_nearest(best_d, best_i, size, k, d, i + offset)
        for i in range(n - n % 4, n):
            d = np.float32(0.0)
            for j in range(m):
                d += table[j, codes[i, j]]
            if size < k or d <= best_d[k - 1]:
                size = _keep_nearest(best_d, best_i, size, k, d, i)


# ---------------------------------------------------------------------------------------------------------------
# HNSW: a hierarchy of proximity graphs, searched greedily from the top
# ---------------------------------------------------------------------------------------------------------------

@intrinsic
def _prefetch_row(typingctx, array, row):
    """Ask the processor to start loading row ``row`` of a 2-D array into its cache (LLVM's ``prefetch``).

    Changes no result: the graph walk calls it for the next neighbour while it computes the distance to this
    one, so that the next vector is (nearly) in the cache when its turn comes, as hnswlib does.
    """
    def codegen(context, builder, signature, args):
        array_type, row_type = signature.args
        data = context.make_array(array_type)(context, builder, args[0])
        index = context.cast(builder, args[1], row_type, types.intp)
        pointer = cgutils.get_item_pointer(context, builder, array_type, data,
                                           [index, context.get_constant(types.intp, 0)])
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        prefetch = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]), "llvm.prefetch.p0")
        start = builder.bitcast(pointer, byte_pointer)
        for offset in (0, 64, 128, 192):
            # read (0), keep in all cache levels (3), data cache (1)
            builder.call(prefetch, [builder.gep(start, [ir.Constant(ir.IntType(64), offset)]), ir.Constant(i32, 0),
                                    ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.void(array, row), codegen


@numba.njit(cache=True, fastmath=_FAST_SUMS)      # not inline="always": that would drop the fastmath flags
def _dist(X, i, q):
    """Squared distance between row i of X and q (a sum the compiler may reorder, to use SIMD registers)."""
    s = np.float32(0.0)
    for t in range(X.shape[1]):
        diff = X[i, t] - q[t]
        s += diff * diff
    return s


@numba.njit(cache=True)
def _insert_sorted(dist, ids, size, capacity, d, i):
    """Insert (d, i) into the sorted arrays dist/ids[:size] (dropping the worst when full); returns the size."""
    if size == capacity:
        if d >= dist[size - 1]:
            return size
        size -= 1
    pos = size
    while pos > 0 and dist[pos - 1] > d:
        dist[pos] = dist[pos - 1]
        ids[pos] = ids[pos - 1]
        pos -= 1
    dist[pos] = d
    ids[pos] = i
    return size + 1


@numba.njit(cache=True, inline="always")
def _heap_push(keys, values, size, key, value):
    """Push (key, value) on the binary min-heap ``keys/values[:size]``; returns the new size."""
    pos = size
    while pos > 0:
        parent = (pos - 1) >> 1
        if keys[parent] <= key:
            break
        keys[pos] = keys[parent]
        values[pos] = values[parent]
        pos = parent
    keys[pos] = key
    values[pos] = value
    return size + 1


@numba.njit(cache=True, inline="always")
def _heap_pop(keys, values, size):
    """Remove the smallest key (the root) from the binary min-heap ``keys/values[:size]``; returns the new size."""
    size -= 1
    key = keys[size]
    value = values[size]
    pos = 0
    while True:
        child = 2 * pos + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[pos] = keys[child]
        values[pos] = values[child]
        pos = child
    keys[pos] = key
    values[pos] = value
    return size


@numba.njit(cache=True)
def _search_layer(X, q, entry, entry_d, ef, links, counts, row_of, visited, stamp, out_d, out_i, heaps):
    """Best-first search of one layer from ``entry``: the ``ef`` nearest nodes found, sorted, in out_d/out_i.

    Two binary heaps (scratch space ``heaps``, from :func:`_new_heaps`): the frontier, nodes still to expand,
    nearest on top; and the best ``ef`` found so far, the farthest of them on top (its keys are minus the
    distances). The walk stops when the nearest unexpanded node is farther than the worst of the ``ef``
    results. The layer's link table has one row per node of the layer: row ``row_of[node]`` (the identity on
    layer 0). Returns the number of results.
    """
    cand_d, cand_i, best_key, best_i = heaps
    n_cand = _heap_push(cand_d, cand_i, 0, entry_d, entry)
    n_best = _heap_push(best_key, best_i, 0, -entry_d, entry)
    visited[entry] = stamp
    while n_cand > 0:
        c_d, c = cand_d[0], cand_i[0]
        if n_best == ef and c_d > -best_key[0]:
            break
        n_cand = _heap_pop(cand_d, cand_i, n_cand)
        r = row_of[c]
        n_links = counts[r]
        for t in range(n_links):
            if visited[links[r, t]] != stamp:
                _prefetch_row(X, links[r, t])
        for t in range(n_links):
            nb = links[r, t]
            if visited[nb] == stamp:
                continue
            visited[nb] = stamp
            d = _dist(X, nb, q)
            if n_best < ef or d < -best_key[0]:
                if n_cand == cand_d.shape[0]:          # frontier full (rare): drop what can never be expanded
                    kept = 0
                    for s in range(n_cand):
                        if cand_d[s] < -best_key[0]:
                            kept = _heap_push(cand_d, cand_i, kept, cand_d[s], cand_i[s])
                    n_cand = kept
                n_cand = _heap_push(cand_d, cand_i, n_cand, d, nb)
                n_best = _heap_push(best_key, best_i, n_best, -d, nb)
                if n_best > ef:
                    n_best = _heap_pop(best_key, best_i, n_best)
    n_out = n_best
    for pos in range(n_out - 1, -1, -1):              # the farthest comes off first: fill from the end
        out_d[pos] = -best_key[0]
        out_i[pos] = best_i[0]
        n_best = _heap_pop(best_key, best_i, n_best)
    return n_out


def _new_heaps(ef, max_links):
    """Scratch space of :func:`_search_layer`: the frontier holds at most ``ef`` nodes that can still be
    expanded plus one node's links; the results ``ef`` plus the one being pushed."""
    size = ef + max_links + 1
    return (np.empty(size, np.float32), np.empty(size, np.int64), np.empty(ef + 1, np.float32),
            np.empty(ef + 1, np.int64))


@numba.njit(cache=True)
def _select_neighbours(X, cand_d, cand_i, n_cand, max_links, out):
    """Malkov & Yashunin's heuristic: keep a candidate only if it is nearer to the new node than to every
    neighbour kept so far (so the links point in different directions); returns how many were kept."""
    kept = 0
    for a in range(n_cand):
        ca = cand_i[a]
        good = True
        for b in range(kept):
            if _dist(X, out[b], X[ca]) < cand_d[a]:
                good = False
                break
        if good:
            out[kept] = ca
            kept += 1
            if kept == max_links:
                break
    return kept


@numba.njit(cache=True)
def _connect(X, node, level_links, level_counts, row_of, new, max_links, scratch_d, scratch_i):
    """Add a link node -> new in one layer; if node has too many links, re-select them with the heuristic."""
    r = row_of[node]
    c = level_counts[r]
    if c < max_links:
        level_links[r, c] = new
        level_counts[r] = c + 1
        return
    n = np.int64(0)
    for t in range(c):
        n = _insert_sorted(scratch_d, scratch_i, n, max_links + 1, _dist(X, level_links[r, t], X[node]),
                           level_links[r, t])
    n = _insert_sorted(scratch_d, scratch_i, n, max_links + 1, _dist(X, new, X[node]), new)
    kept = _select_neighbours(X, scratch_d, scratch_i, n, max_links, level_links[r])
    level_counts[r] = kept


@numba.njit(cache=True)
def _greedy_descent(X, q, ep, ep_d, top, bottom, upper_links, upper_counts, upper_row):
    """From layer ``top`` down to (not including) ``bottom``: move to a closer neighbour while there is one."""
    for layer in range(top, bottom, -1):
        changed = True
        while changed:
            changed = False
            r = upper_row[ep]
            for t in range(upper_counts[layer - 1, r]):
                nb = upper_links[layer - 1, r, t]
                d = _dist(X, nb, q)
                if d < ep_d:
                    ep_d = d
                    ep = nb
                    changed = True
    return ep, ep_d


@numba.njit(cache=True)
def _hnsw_insert(X, start, stop, levels, links0, counts0, upper_links, upper_counts, upper_row, entry_point,
                 max_level, M, ef_construction, visited, stamp, heaps):
    """Insert nodes start..stop-1; returns (entry_point, max_level, stamp)."""
    out_d = np.empty(ef_construction, dtype=np.float32)
    out_i = np.empty(ef_construction, dtype=np.int64)
    chosen = np.empty(2 * M, dtype=np.int64)
    scratch_d = np.empty(2 * M + 1, dtype=np.float32)
    scratch_i = np.empty(2 * M + 1, dtype=np.int64)
    identity = np.arange(X.shape[0])
    for node in range(start, stop):
        level = levels[node]
        if entry_point < 0:
            entry_point = node
            max_level = level
            continue
        q = X[node]
        ep = entry_point
        ep_d = _dist(X, ep, q)
        # greedy descent through the layers above the node's own level
        ep, ep_d = _greedy_descent(X, q, ep, ep_d, max_level, level, upper_links, upper_counts, upper_row)
        # on each of the node's layers: ef_construction candidates, M links chosen by the heuristic
        for layer in range(min(level, max_level), -1, -1):
            stamp += 1
            if layer == 0:
                n_out = _search_layer(X, q, ep, ep_d, ef_construction, links0, counts0, identity, visited, stamp,
                                      out_d, out_i, heaps)
                kept = _select_neighbours(X, out_d, out_i, n_out, M, chosen)
                for t in range(kept):
                    links0[node, t] = chosen[t]
                counts0[node] = kept
                for t in range(kept):
                    _connect(X, chosen[t], links0, counts0, identity, node, 2 * M, scratch_d, scratch_i)
            else:
                layer_links = upper_links[layer - 1]
                layer_counts = upper_counts[layer - 1]
                n_out = _search_layer(X, q, ep, ep_d, ef_construction, layer_links, layer_counts, upper_row,
                                      visited, stamp, out_d, out_i, heaps)
                kept = _select_neighbours(X, out_d, out_i, n_out, M, chosen)
                r = upper_row[node]
                for t in range(kept):
                    layer_links[r, t] = chosen[t]
                layer_counts[r] = kept
                for t in range(kept):
                    _connect(X, chosen[t], layer_links, layer_counts, upper_row, node, M, scratch_d, scratch_i)
            ep = out_i[0]
            ep_d = out_d[0]
        if level > max_level:
            max_level = level
            entry_point = node
    return entry_point, max_level, stamp


@numba.njit(cache=True)
def _hnsw_search(X, Q, k, ef, links0, counts0, upper_links, upper_counts, upper_row, entry_point, max_level,
                 visited, stamp, out_dist, out_ids, heaps):
    ef = max(ef, k)
    identity = np.arange(X.shape[0])
    res_d = np.empty(ef, dtype=np.float32)
    res_i = np.empty(ef, dtype=np.int64)
    bottom = np.int64(0)                          # (a variable, not the constant 0: one compiled version)
    for qi in range(Q.shape[0]):
        q = Q[qi]
        ep = entry_point
        ep_d = _dist(X, ep, q)
        # greedy: one nearest node per upper layer
        ep, ep_d = _greedy_descent(X, q, ep, ep_d, max_level, bottom, upper_links, upper_counts, upper_row)
        stamp += 1
        n = _search_layer(X, q, ep, ep_d, ef, links0, counts0, identity, visited, stamp, res_d, res_i, heaps)
        for t in range(min(k, n)):
            out_dist[qi, t] = res_d[t]
            out_ids[qi, t] = res_i[t]
    return stamp


class HNSWIndex(_Index):
    """Hierarchical navigable small world graph (Malkov & Yashunin 2018; hnswlib, FAISS's ``IndexHNSWFlat``).

    Every vector is a node of layer 0; it also appears on layers 1, 2, ... up to a random level drawn with
    :math:`P(\\text{level} \\ge \\ell) = M^{-\\ell}`, so each layer holds about ``1/M`` of the one below. A new
    node descends greedily from the top to its level, then on each of its layers finds ``ef_construction``
    candidates by best-first search and links to ``M`` of them (``2 M`` allowed on layer 0), chosen so that
    the links point in different directions. A query descends the same way and runs a best-first search with a
    list of ``ef_search`` candidates on layer 0: larger ``ef_search`` gives higher recall and fewer queries
    per second.

    Parameters
    ----------
    d : int
    M : int, default=16
        Links per node on the upper layers (``2 M`` on layer 0).
    ef_construction : int, default=200
        Candidate list size while building.
    ef_search : int, default=50
        Candidate list size while searching (at least ``k`` is used).
    random_state : int, default=0
        Seed of the level draws.
    """

    def __init__(self, d, M=16, ef_construction=200, ef_search=50, *, random_state=0):
        super().__init__(d)
        self.M = _check_positive_int(M, "M", minimum=2)
        self.ef_construction = _check_positive_int(ef_construction, "ef_construction")
        self.ef_search = _check_positive_int(ef_search, "ef_search")
        self.random_state = random_state
        self._rng = np.random.default_rng(random_state)
        self.vectors = np.empty((0, self.d), dtype=np.float32)
        self.levels = np.empty(0, dtype=np.int64)
        self.links0 = np.empty((0, 2 * self.M), dtype=np.int32)
        self.counts0 = np.empty(0, dtype=np.int64)
        self.upper_row = np.empty(0, dtype=np.int64)
        self.upper_links = np.empty((0, 0, self.M), dtype=np.int64)
        self.upper_counts = np.empty((0, 0), dtype=np.int64)
        self.entry_point = -1
        self.max_level = 0
        self._stamp = 0

    def add(self, X):
        X = self._check_add(X)
        start, n_new = self.ntotal, len(X)
        new_levels = np.floor(-np.log(1.0 - self._rng.random(n_new)) / math.log(self.M)).astype(np.int64)
        self.vectors = np.vstack([self.vectors, X])
        self.levels = np.concatenate([self.levels, new_levels])
        self.links0 = np.vstack([self.links0, np.full((n_new, 2 * self.M), -1, dtype=np.int32)])
        self.counts0 = np.concatenate([self.counts0, np.zeros(n_new, dtype=np.int64)])
        # upper layers: one row per node whose level is >= 1
        n_rows_old = self.upper_links.shape[1]
        new_rows = np.full(n_new, -1, dtype=np.int64)
        high = new_levels > 0
        new_rows[high] = n_rows_old + np.arange(int(high.sum()))
        self.upper_row = np.concatenate([self.upper_row, new_rows])
        n_layers = int(max(self.levels.max(initial=0), self.upper_links.shape[0]))
        n_rows = n_rows_old + int(high.sum())
        links = np.full((n_layers, n_rows, self.M), -1, dtype=np.int64)
        counts = np.zeros((n_layers, n_rows), dtype=np.int64)
        links[: self.upper_links.shape[0], :n_rows_old] = self.upper_links
        counts[: self.upper_counts.shape[0], :n_rows_old] = self.upper_counts
        self.upper_links, self.upper_counts = links, counts
        visited = np.zeros(len(self.vectors), dtype=np.int32)
        self.entry_point, self.max_level, _ = _hnsw_insert(
            self.vectors, start, start + n_new, self.levels, self.links0, self.counts0, self.upper_links,
            self.upper_counts, self.upper_row, self.entry_point, self.max_level, self.M, self.ef_construction,
            visited, 0, _new_heaps(self.ef_construction, 2 * self.M))
        self.ntotal = len(self.vectors)

    def search(self, Q, k):
        Q, k = self._check_search(Q, k)
        distances = np.full((len(Q), k), MISSING_DISTANCE, dtype=np.float32)
        ids = np.full((len(Q), k), -1, dtype=np.int64)
        if self.ntotal == 0:
            return distances, ids
        visited = np.zeros(self.ntotal, dtype=np.int32)
        ef = max(_check_positive_int(self.ef_search, "ef_search"), k)
        _hnsw_search(self.vectors, Q, k, ef, self.links0, self.counts0, self.upper_links, self.upper_counts,
                     self.upper_row, self.entry_point, self.max_level, visited, 0, distances, ids,
                     _new_heaps(ef, 2 * self.M))
        return distances, ids
