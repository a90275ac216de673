"""Manifold learning estimators (notebooks 03 and 04).

The graph embeddings of notebook 03 (sections 3, 5 and 6), with
scikit-learn's interface:

* :class:`ClassicalMDS`: ``B = -1/2 H D2 H`` from squared distances, top
  eigenpairs, ``Y = V Lambda^1/2``; for Euclidean distances these are the PCA
  scores. Out-of-sample points by the same double-centring (Gower's formula).
* :class:`Isomap`: classical MDS on geodesic distances (shortest paths in
  the k-nearest-neighbour graph); out-of-sample points through their
  neighbours' geodesics, as in scikit-learn.
* :class:`LaplacianEigenmaps`: the generalised problem ``L v = lambda D v``,
  smallest eigenvalues, the constant vector dropped.
* :class:`DiffusionMap`: eigenvectors of the Markov matrix ``P = D^-1 W``
  (computed through the symmetric ``K = D^-1/2 W D^-1/2``), scaled by
  ``mu^t`` for diffusion time ``t``.

All graph work is sparse; eigenproblems of sparse matrices are solved with
ARPACK in shift-invert mode (``scipy.sparse.linalg.eigsh``). Isomap and MDS
need the dense matrix of all distances by their nature.

t-SNE (notebook 04) lives in ``course_utils.tsne`` and is re-exported as
``manifold.TSNE`` so that the course mirrors ``sklearn.manifold``.
"""

from numbers import Real
import warnings

import numpy as np
from scipy import linalg, sparse
from scipy.sparse.linalg import eigsh
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from course_utils import graphs
from course_utils.decomposition import flip_signs

__all__ = ["ClassicalMDS", "Isomap", "LaplacianEigenmaps", "DiffusionMap", "TSNE"]

# Below this many nodes the eigenproblems are solved densely (LAPACK): exact, and faster than ARPACK.
_DENSE_LIMIT = 400


def __getattr__(name):
    if name == "TSNE":
        from course_utils.tsne import TSNE

        return TSNE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------------------------

def _check_int(estimator, name, low):
    graphs._check_int(getattr(estimator, name), name, low)


def _check_n_components(n_components, limit, what):
    if n_components > limit:
        raise ValueError(f"n_components={n_components} is too large: {what} gives at most {limit} "
                         f"meaningful coordinates. Choose n_components <= {limit}.")


def _sign_flip(vectors):
    """Make the largest-magnitude entry of each column positive (deterministic eigenvector signs)."""
    return flip_signs(vectors.T)[0].T


def _top_eigenpairs(B, k, random_state):
    """Largest ``k`` eigenpairs of the dense symmetric ``B``, in decreasing order."""
    n = B.shape[0]
    if n <= _DENSE_LIMIT or k >= n - 1:
        values, vectors = linalg.eigh(B, subset_by_index=[n - k, n - 1], overwrite_a=False)
    else:
        v0 = check_random_state(random_state).uniform(-1, 1, n)
        values, vectors = eigsh(B, k=k, which="LA", v0=v0)
    order = np.argsort(values)[::-1]
    return values[order], _sign_flip(vectors[:, order])


def _bottom_normalized_laplacian(W, k, random_state):
    """Smallest ``k`` eigenpairs of ``L_sym`` for the symmetric sparse or dense adjacency ``W``.

    Returns ``(eigenvalues increasing, eigenvectors u of L_sym, degrees)``.
    Large sparse graphs: ARPACK in shift-invert mode around a small negative
    shift (``L_sym + 10^-3 I`` is positive definite, and the eigenvalues
    nearest 0, the ones wanted, become the largest of its inverse).
    """
    L, d = graphs.laplacian(W, kind="symmetric", return_degrees=True)
    n = L.shape[0]
    if n <= _DENSE_LIMIT or k >= n - 1:
        dense = L.toarray() if sparse.issparse(L) else L
        values, vectors = linalg.eigh(dense, subset_by_index=[0, k - 1])
    else:
        v0 = check_random_state(random_state).uniform(-1, 1, n)
        values, vectors = eigsh(sparse.csc_matrix(L), k=k, sigma=-1e-3, which="LM", v0=v0)
    order = np.argsort(values)
    return np.clip(values[order], 0.0, None), vectors[:, order], d


def _neighbour_affinity(X, n_neighbors, affinity, sigma):
    if affinity == "nearest_neighbors":
        # scikit-learn's SpectralEmbedding graph: k neighbours counting the point itself, (A + A^T) / 2.
        return graphs.knn_graph(X, n_neighbors, include_self=True, symmetrize="mean")
    if affinity == "gaussian":
        return graphs.gaussian_affinity(X, sigma, graph=graphs.knn_graph(X, n_neighbors, symmetrize="max"))
    raise ValueError(f"affinity must be 'nearest_neighbors', 'gaussian' or 'precomputed', got {affinity!r}.")


def _check_precomputed_affinity(estimator, X):
    if sparse.issparse(X):
        W = graphs.check_adjacency(X, name="X (the precomputed affinity)")
    else:
        W = graphs.check_adjacency(np.asarray(X, dtype=float) if not hasattr(X, "dtype") else X,
                                   name="X (the precomputed affinity)")
    estimator.n_features_in_ = W.shape[1]
    return W


class _EmbeddingMixin(ClassNamePrefixFeaturesOutMixin):
    @property
    def _n_features_out(self):
        return self.embedding_.shape[1]


# ---------------------------------------------------------------------------------------------------------------
# Classical MDS and Isomap
# ---------------------------------------------------------------------------------------------------------------

class ClassicalMDS(_EmbeddingMixin, TransformerMixin, BaseEstimator):
    """Classical (Torgerson) multidimensional scaling.

    From the squared distances ``D2``, the doubly centred
    ``B = -1/2 H D2 H`` is the Gram matrix of the centred points when the
    distances are Euclidean; its top eigenpairs give ``Y = V Lambda^1/2``,
    which for Euclidean data are the principal component scores (up to sign).

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the embedding, at most ``n_samples - 1``.
    dissimilarity : {"euclidean", "precomputed"}, default="euclidean"
        ``"precomputed"``: ``fit`` takes a symmetric matrix of distances (not
        squared), and ``transform`` the distances from new points to the
        training points.
    random_state : int, RandomState instance or None, default=None
        Start vector of ARPACK (used above 400 samples).

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
    eigenvalues_ : ndarray of shape (n_components,)
        Top eigenvalues of ``B``, decreasing (for Euclidean data,
        ``n_samples - 1`` times the PCA variances, the eigenvalues of the
        sample covariance). Negative values mean the distances are not
        Euclidean; their coordinates are set to 0.
    n_features_in_ : int

    See Also
    --------
    sklearn.decomposition.PCA : the same scores from the data matrix.
    sklearn.manifold.MDS : metric MDS by stress majorisation (SMACOF).

    References
    ----------
    W. S. Torgerson, "Multidimensional scaling: I. Theory and method", Psychometrika 17 (1952).
    J. C. Gower, "Some distance properties of latent root and vector methods used in multivariate
    analysis", Biometrika 53 (1966).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(20, 5))
    >>> ClassicalMDS(n_components=2).fit_transform(X).shape
    (20, 2)
    """

    def __init__(self, n_components=2, *, dissimilarity="euclidean", random_state=None):
        self.n_components = n_components
        self.dissimilarity = dissimilarity
        self.random_state = random_state

    def fit(self, X, y=None):
        """Compute the embedding of ``X`` (data, or distances if ``dissimilarity="precomputed"``)."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """Compute the embedding and return it."""
        _check_int(self, "n_components", 1)
        if self.dissimilarity not in ("euclidean", "precomputed"):
            raise ValueError(f"dissimilarity must be 'euclidean' or 'precomputed', got {self.dissimilarity!r}.")
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        n = X.shape[0]
        if self.dissimilarity == "precomputed":
            if X.shape[0] != X.shape[1]:
                raise ValueError(f"With dissimilarity='precomputed', X must be a square distance matrix; got "
                                 f"shape {X.shape}.")
            if not np.allclose(X, X.T, atol=1e-10 * max(1.0, np.abs(X).max())):
                raise ValueError("With dissimilarity='precomputed', X must be symmetric.")
            D2 = X ** 2
        else:
            self._fit_X = X
            D2 = _squared_distances(X, X)
        _check_n_components(self.n_components, n - 1, f"classical MDS of {n} points")
        self._column_means = D2.mean(axis=0)
        self._grand_mean = self._column_means.mean()
        B = graphs.double_center(D2, copy=False)
        values, vectors = _top_eigenpairs(B, self.n_components, self.random_state)
        self.eigenvalues_ = values
        self._vectors = vectors
        self.embedding_ = vectors * np.sqrt(np.clip(values, 0.0, None))
        return self.embedding_

    def _project(self, D2_new):
        """Gower's formula: centre the new squared distances as B was centred, then project."""
        b = -0.5 * (D2_new - D2_new.mean(axis=1, keepdims=True) - self._column_means[None, :] + self._grand_mean)
        positive = self.eigenvalues_ > 1e-12 * max(1.0, abs(self.eigenvalues_[0]))
        scale = np.where(positive, 1.0 / np.sqrt(np.where(positive, self.eigenvalues_, 1.0)), 0.0)
        return (b @ self._vectors) * scale

    def transform(self, X):
        """Embed new points (data, or their distances to the training points if precomputed)."""
        check_is_fitted(self, "embedding_")
        if self.dissimilarity == "precomputed":
            X = validate_data(self, X, dtype=np.float64, reset=False)
            return self._project(X ** 2)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._project(_squared_distances(X, self._fit_X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.dissimilarity == "precomputed"
        return tags


def _squared_distances(A, B):
    sq = np.einsum("ij,ij->i", A, A)[:, None] + np.einsum("ij,ij->i", B, B)[None, :] - 2.0 * (A @ B.T)
    np.maximum(sq, 0.0, out=sq)
    if A is B:
        np.fill_diagonal(sq, 0.0)
    return sq


class Isomap(_EmbeddingMixin, TransformerMixin, BaseEstimator):
    """Isomap: classical MDS on geodesic distances along the k-nearest-neighbour graph.

    The graph joins each point to its ``n_neighbors`` nearest neighbours, with
    edge lengths equal to the Euclidean distances; shortest paths through it
    approximate distances *along* the manifold; classical MDS turns them into
    coordinates. The same steps as ``sklearn.manifold.Isomap`` (with
    ``path_method="D"``), so the embeddings agree up to sign.

    Parameters
    ----------
    n_neighbors : int, default=5
        Neighbours per point. The graph must be connected: too few neighbours
        raise a ValueError that says so.
    n_components : int, default=2
    random_state : int, RandomState instance or None, default=None
        Start vector of ARPACK (used above 400 samples).

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
    eigenvalues_ : ndarray of shape (n_components,)
    dist_matrix_ : ndarray of shape (n_samples, n_samples)
        Geodesic distances between the training points.
    nbrs_ : sklearn.neighbors.NearestNeighbors
        The fitted neighbour search (used by ``transform``).
    n_features_in_ : int

    See Also
    --------
    sklearn.manifold.Isomap : the reference implementation.

    References
    ----------
    J. B. Tenenbaum, V. de Silva and J. C. Langford, "A global geometric framework for nonlinear
    dimensionality reduction", Science 290 (2000).

    Examples
    --------
    >>> from sklearn.datasets import make_swiss_roll
    >>> X, t = make_swiss_roll(n_samples=300, random_state=0)
    >>> Isomap(n_neighbors=10).fit_transform(X).shape
    (300, 2)
    """

    def __init__(self, n_neighbors=5, n_components=2, *, random_state=None):
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X, y=None):
        """Build the graph, its geodesic distances and their MDS embedding."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        """Fit and return the embedding of the training points."""
        _check_int(self, "n_neighbors", 1)
        _check_int(self, "n_components", 1)
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        n = X.shape[0]
        if self.n_neighbors > n - 1:
            raise ValueError(f"n_neighbors={self.n_neighbors} must be at most n_samples - 1 = {n - 1}.")
        _check_n_components(self.n_components, n - 1, f"Isomap of {n} points")
        self.nbrs_ = NearestNeighbors(n_neighbors=self.n_neighbors).fit(X)
        graph = self.nbrs_.kneighbors_graph(mode="distance")
        graphs.check_connected(graph, method="Isomap")
        self.dist_matrix_ = graphs.geodesic_distances(graph, directed=False)
        D2 = self.dist_matrix_ ** 2
        self._column_means = D2.mean(axis=0)
        self._grand_mean = self._column_means.mean()
        B = graphs.double_center(D2, copy=False)
        values, vectors = _top_eigenpairs(B, self.n_components, self.random_state)
        del B, D2
        self.eigenvalues_ = values
        self._vectors = vectors
        self.embedding_ = vectors * np.sqrt(np.clip(values, 0.0, None))
        return self.embedding_

    def transform(self, X):
        """Embed new points: geodesic distance to every training point through each new point's neighbours."""
        check_is_fitted(self, "embedding_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        distances, indices = self.nbrs_.kneighbors(X)
        geodesic = np.empty((X.shape[0], self.dist_matrix_.shape[0]))
        for i in range(X.shape[0]):
            geodesic[i] = np.min(distances[i][:, None] + self.dist_matrix_[indices[i]], axis=0)
        return ClassicalMDS._project(self, geodesic ** 2)


# ---------------------------------------------------------------------------------------------------------------
# Laplacian eigenmaps and diffusion maps
# ---------------------------------------------------------------------------------------------------------------

class LaplacianEigenmaps(_EmbeddingMixin, BaseEstimator):
    """Laplacian eigenmaps: the bottom of the generalised problem ``L v = lambda D v``, constant vector dropped.

    Minimising ``sum_ij w_ij ||y_i - y_j||^2 = 2 tr(Y^T L Y)`` subject to
    ``Y^T D Y = I`` keeps neighbours close. Solved through
    ``L_sym u = lambda u`` with ``v = D^-1/2 u``; the first solution is the
    constant vector (``lambda = 0``), which carries no information and is
    dropped. Same graph, normalisation and signs as
    ``sklearn.manifold.SpectralEmbedding``.

    Parameters
    ----------
    n_components : int, default=2
    affinity : {"nearest_neighbors", "gaussian", "precomputed"}, default="nearest_neighbors"
        ``"nearest_neighbors"``: 0/1 weights on the k-nearest-neighbour graph,
        symmetrised as ``(A + A^T)/2`` (scikit-learn's choice);
        ``"gaussian"``: heat-kernel weights ``exp(-d^2 / (2 sigma^2))`` on the
        (union) k-nearest-neighbour graph; ``"precomputed"``: ``X`` is the
        symmetric adjacency matrix (dense or sparse).
    n_neighbors : int, default=10
    sigma : float, default=1.0
        Kernel width for ``affinity="gaussian"``.
    random_state : int, RandomState instance or None, default=None
        Start vector of ARPACK.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
        Generalised eigenvectors, normalised so that ``v^T D v = 1``.
    eigenvalues_ : ndarray of shape (n_components,)
        Their eigenvalues (the dropped 0 not included), increasing.
    affinity_matrix_ : sparse matrix of shape (n_samples, n_samples)
    n_features_in_ : int

    See Also
    --------
    sklearn.manifold.SpectralEmbedding : the reference implementation.

    References
    ----------
    M. Belkin and P. Niyogi, "Laplacian eigenmaps for dimensionality reduction and data representation",
    Neural Computation 15 (2003).

    Examples
    --------
    >>> from sklearn.datasets import make_swiss_roll
    >>> X, t = make_swiss_roll(n_samples=300, random_state=0)
    >>> LaplacianEigenmaps(n_neighbors=10).fit_transform(X).shape
    (300, 2)
    """

    def __init__(self, n_components=2, *, affinity="nearest_neighbors", n_neighbors=10, sigma=1.0,
                 random_state=None):
        self.n_components = n_components
        self.affinity = affinity
        self.n_neighbors = n_neighbors
        self.sigma = sigma
        self.random_state = random_state

    def _affinity(self, X):
        _check_int(self, "n_components", 1)
        if self.affinity == "precomputed":
            return _check_precomputed_affinity(self, X)
        _check_int(self, "n_neighbors", 1)
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        if self.n_neighbors > X.shape[0] - 1:
            raise ValueError(f"n_neighbors={self.n_neighbors} must be at most n_samples - 1 = {X.shape[0] - 1}.")
        return _neighbour_affinity(X, self.n_neighbors, self.affinity, self.sigma)

    def fit(self, X, y=None):
        """Compute the embedding of ``X`` (data, or the adjacency if ``affinity="precomputed"``)."""
        W = self._affinity(X)
        n = W.shape[0]
        _check_n_components(self.n_components, n - 1, f"a graph of {n} nodes (after dropping the constant vector)")
        graphs.check_connected(W, method="Laplacian eigenmaps",
                               parameter="n_neighbors" if self.affinity != "precomputed" else "the neighbourhood")
        self.affinity_matrix_ = W
        values, u, d = _bottom_normalized_laplacian(W, self.n_components + 1, self.random_state)
        v = _sign_flip(u / np.sqrt(d)[:, None])
        self.eigenvalues_ = values[1:]
        self.embedding_ = v[:, 1:]
        return self

    def fit_transform(self, X, y=None):
        """Compute the embedding and return it."""
        return self.fit(X).embedding_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = self.affinity == "precomputed"
        tags.input_tags.sparse = self.affinity == "precomputed"
        return tags


class DiffusionMap(_EmbeddingMixin, BaseEstimator):
    """Diffusion maps: the leading non-trivial right eigenvectors of the random walk ``P = D^-1 W``, scaled by ``mu^t``.

    ``P`` and ``K = D^-1/2 W D^-1/2`` are similar matrices (``P = D^-1/2 K
    D^1/2``): they share the eigenvalues ``mu`` and ``K u = mu u`` gives
    ``P psi = mu psi`` with ``psi = D^-1/2 u``. The symmetric ``K`` is what
    is solved (``K = I - L_sym``). The diffusion coordinates of point ``i``
    after ``t`` steps are ``(mu_1^t psi_1(i), ..., mu_k^t psi_k(i))``, with
    ``psi`` normalised by the stationary distribution ``pi = d / sum(d)``
    (``sum_i pi_i psi(i)^2 = 1``). With all ``n - 1`` coordinates, Euclidean
    distances between them are exactly the diffusion distances
    ``D_t(i, j)^2 = sum_l ((P^t)_il - (P^t)_jl)^2 / pi_l``; with
    ``n_components`` of them, an approximation that improves as ``t`` grows.

    Parameters
    ----------
    n_components : int, default=2
    sigma : float, default=1.0
        Width of the Gaussian kernel ``exp(-||x_i - x_j||^2 / (2 sigma^2))``.
    n_neighbors : int or None, default=15
        Keep the kernel only on the edges of the (union) k-nearest-neighbour
        graph (sparse); ``None`` uses all pairs (dense, small data only).
    alpha : float in [0, 1], default=0.0
        Density normalisation of Coifman & Lafon: ``W`` is first replaced by
        ``D^-alpha W D^-alpha``. 0 is the plain random walk, 1 removes the
        effect of the sampling density (Laplace-Beltrami).
    diffusion_time : float, default=1.0
        ``t``: larger values damp the faster-decaying coordinates.
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
    eigenvalues_ : ndarray of shape (n_components,)
        The ``mu``'s of ``P``, decreasing (the trivial ``mu_0 = 1`` not included).
    eigenvectors_ : ndarray of shape (n_samples, n_components)
        The right eigenvectors ``psi`` of ``P``, scaled so that the trivial one is the constant 1.
    affinity_matrix_ : ndarray or sparse matrix of shape (n_samples, n_samples)
    n_features_in_ : int

    References
    ----------
    R. R. Coifman and S. Lafon, "Diffusion maps", Applied and Computational Harmonic Analysis 21 (2006).

    Examples
    --------
    >>> from sklearn.datasets import make_swiss_roll
    >>> X, t = make_swiss_roll(n_samples=300, random_state=0)
    >>> DiffusionMap(sigma=2.0).fit_transform(X).shape
    (300, 2)
    """

    def __init__(self, n_components=2, *, sigma=1.0, n_neighbors=15, alpha=0.0, diffusion_time=1.0,
                 random_state=None):
        self.n_components = n_components
        self.sigma = sigma
        self.n_neighbors = n_neighbors
        self.alpha = alpha
        self.diffusion_time = diffusion_time
        self.random_state = random_state

    def fit(self, X, y=None):
        """Compute the diffusion coordinates of ``X``."""
        _check_int(self, "n_components", 1)
        for name in ("sigma", "diffusion_time"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Real) or value < 0 or (name == "sigma" and
                                                                                        value == 0):
                raise ValueError(f"{name} must be a {'positive' if name == 'sigma' else 'non-negative'} "
                                 f"number, got {value!r}.")
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, Real) or not 0 <= self.alpha <= 1:
            raise ValueError(f"alpha must be a number between 0 and 1, got {self.alpha!r}.")
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        n = X.shape[0]
        _check_n_components(self.n_components, n - 1, f"a graph of {n} nodes (after dropping the constant vector)")
        if self.n_neighbors is None:
            W = graphs.gaussian_affinity(X, self.sigma)
        else:
            _check_int(self, "n_neighbors", 1)
            if self.n_neighbors > n - 1:
                raise ValueError(f"n_neighbors={self.n_neighbors} must be at most n_samples - 1 = {n - 1}.")
            W = graphs.gaussian_affinity(X, self.sigma, graph=graphs.knn_graph(X, self.n_neighbors))
        parameter = "sigma" if self.n_neighbors is None else "n_neighbors or sigma"
        graphs.check_connected(W, method="A diffusion map", parameter=parameter)
        d = graphs.degrees(W)
        if np.any(d <= 1e-300):
            raise ValueError("Some points have (numerically) zero kernel weight to every other point: sigma is too "
                             "small for this data. Increase sigma.")
        if self.alpha > 0:
            scale = d ** -self.alpha
            W = (sparse.diags(scale) @ W @ sparse.diags(scale)).tocsr() if sparse.issparse(W) else \
                scale[:, None] * W * scale[None, :]
        self.affinity_matrix_ = W
        lam, u, d = _bottom_normalized_laplacian(W, self.n_components + 1, self.random_state)
        mu = 1.0 - lam                                   # eigenvalues of K (and of P), decreasing
        psi = u / np.sqrt(d)[:, None]
        psi *= np.sqrt(d.sum())                          # the trivial psi_0 becomes the constant 1
        psi = _sign_flip(psi)
        self.eigenvalues_ = mu[1:]
        self.eigenvectors_ = psi[:, 1:]
        self.embedding_ = self.eigenvectors_ * self.eigenvalues_ ** self.diffusion_time
        return self

    def fit_transform(self, X, y=None):
        """Compute the diffusion coordinates and return them."""
        return self.fit(X).embedding_
