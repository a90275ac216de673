"""Spectral clustering by the normalised cut (notebook 03, section 7).

The Ng-Jordan-Weiss algorithm on a k-nearest-neighbour graph:

1. ``W``: 0/1 weights on the k-nearest-neighbour graph, ``(A + A^T) / 2``;
2. the ``n_clusters`` eigenvectors of ``L_sym = I - D^-1/2 W D^-1/2`` with the
   smallest eigenvalues (a relaxation of the normalised cut of Shi & Malik),
   as the columns of ``U``;
3. each row of ``U`` scaled to unit length;
4. k-means on those rows.

Step 2 uses ARPACK in shift-invert mode on the sparse ``L_sym`` (through
``course_utils.manifold``); step 4 uses scikit-learn's ``KMeans``.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from course_utils import graphs
from course_utils.manifold import _bottom_normalized_laplacian, _neighbour_affinity

__all__ = ["SpectralClustering", "spectral_rows"]


def spectral_rows(W, n_clusters, random_state=None):
    """Steps 2-3: the bottom ``n_clusters`` eigenvectors of ``L_sym`` with each row scaled to unit length."""
    _, U, _ = _bottom_normalized_laplacian(W, n_clusters, random_state)
    norms = np.linalg.norm(U, axis=1, keepdims=True)
    return U / np.where(norms > 0, norms, 1.0)


class SpectralClustering(ClusterMixin, BaseEstimator):
    """Spectral clustering (normalised cut, Ng-Jordan-Weiss) on a k-nearest-neighbour graph.

    Parameters
    ----------
    n_clusters : int, default=8
    n_neighbors : int, default=10
        Neighbours per point in the graph (the point itself counted, as in scikit-learn).
    random_state : int, RandomState instance or None, default=None
        Seeds ARPACK's start vector and k-means.
    n_init : int, default=10
        k-means restarts.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    embedding_ : ndarray of shape (n_samples, n_clusters)
        The row-normalised spectral coordinates that k-means clustered.
    affinity_matrix_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
    n_features_in_ : int

    See Also
    --------
    sklearn.cluster.SpectralClustering : the reference implementation (it
        clusters ``D^-1/2 U`` without the row normalisation by default).

    References
    ----------
    J. Shi and J. Malik, "Normalized cuts and image segmentation", IEEE TPAMI 22 (2000).
    A. Y. Ng, M. I. Jordan and Y. Weiss, "On spectral clustering: analysis and an algorithm", NIPS 14 (2001).

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> X, y = make_moons(n_samples=200, noise=0.05, random_state=0)
    >>> labels = SpectralClustering(n_clusters=2, random_state=0).fit_predict(X)
    >>> labels.shape
    (200,)
    """

    def __init__(self, n_clusters=8, *, n_neighbors=10, random_state=None, n_init=10):
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.random_state = random_state
        self.n_init = n_init

    def fit(self, X, y=None):
        """Cluster the rows of ``X``; the labels are in ``labels_``."""
        for name in ("n_clusters", "n_neighbors", "n_init"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral):
                raise TypeError(f"{name} must be an integer, got {value!r}.")
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}.")
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        n = X.shape[0]
        if self.n_clusters > n:
            raise ValueError(f"n_clusters={self.n_clusters} is too large: there are only n_samples={n} points.")
        if self.n_neighbors > n - 1:
            raise ValueError(f"n_neighbors={self.n_neighbors} must be at most n_samples - 1 = {n - 1}.")
        random_state = check_random_state(self.random_state)
        W = _neighbour_affinity(X, self.n_neighbors, "nearest_neighbors", None)
        n_pieces, _ = graphs.connected_components(W)
        if n_pieces > self.n_clusters:
            raise ValueError(f"The neighbour graph falls apart into {n_pieces} connected components, more than "
                             f"n_clusters={self.n_clusters}: the bottom eigenvectors only tell components apart. "
                             f"Use a larger neighbourhood (increase n_neighbors) or ask for more clusters.")
        self.affinity_matrix_ = W
        seed = random_state.randint(np.iinfo(np.int32).max)
        self.embedding_ = spectral_rows(W, self.n_clusters, seed)
        kmeans = KMeans(n_clusters=self.n_clusters, n_init=self.n_init, random_state=random_state)
        self.labels_ = kmeans.fit_predict(self.embedding_)
        return self
