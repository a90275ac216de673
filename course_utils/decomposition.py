"""Principal component analysis from scratch (notebook 02, sections 3-8).

The notebook builds PCA twice and this module holds the finished version:

* **eigh of the covariance**: centre the data, form the ``d x d`` sample
  covariance ``C = X_c^T X_c / (n - 1)``, take its eigendecomposition with
  ``eigh`` and sort the eigenpairs by decreasing eigenvalue. The eigenvectors
  are the principal axes, the eigenvalues the variances along them.
* **SVD of the centred data**: ``X_c = U S V^T``. Then
  ``C = V S^2 V^T / (n - 1)``, so the rows of ``V^T`` are the same axes and
  ``S^2 / (n - 1)`` the same variances ("why they agree", section 4).

Which is cheaper depends on the shape. Forming ``C`` costs about ``n d^2``
and decomposing it about ``d^3``; the thin SVD of ``X_c`` costs several
times ``n d^2`` even when ``n >> d``. So for ``n_samples >= n_features``
the covariance route wins (about 10x on a 20000 x 200 matrix), and for wide
data (``d > n``) the SVD does. ``solver="auto"`` chooses by this rule and
records its choice in ``solver_``. The price of the covariance route is
precision in the *smallest* components: squaring the data squares its
condition number, so a component whose variance is below about ``1e-8``
times the largest is resolved better by ``solver="svd"``.

Signs follow scikit-learn (``sklearn.utils.extmath.svd_flip`` with
``u_based_decision=False``, as ``sklearn.decomposition.PCA`` uses since
1.5): in each row of ``components_`` the entry of largest magnitude is
positive. An eigenvector is only defined up to sign (section 5); the rule
makes the output reproducible and comparable with scikit-learn's.
"""

from numbers import Integral, Real

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

__all__ = ["PCA", "flip_signs", "components_for_variance"]

_SOLVERS = ("auto", "eigh", "svd")


def flip_signs(components):
    """Flip each row of ``components`` so that its entry of largest magnitude is positive.

    The same rule as ``sklearn.utils.extmath.svd_flip(u, v, u_based_decision=False)``:
    ties go to the first such entry. Returns the flipped copy and the signs used.
    """
    components = np.asarray(components, dtype=float)
    largest = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(components.shape[0]), largest])
    signs[signs == 0] = 1.0
    return components * signs[:, np.newaxis], signs


def components_for_variance(explained_variance_ratio, fraction):
    """Smallest ``k`` whose first ``k`` ratios add up to *more than* ``fraction`` (scikit-learn's rule).

    ``explained_variance_ratio`` is sorted in decreasing order and sums to 1.
    The result is capped at the number of ratios, so rounding in the
    cumulative sum can never ask for a component that does not exist.
    """
    cumulative = np.cumsum(explained_variance_ratio)
    k = int(np.searchsorted(cumulative, fraction, side="right")) + 1
    return min(k, len(cumulative))


class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Principal component analysis by eigendecomposition of the covariance or by SVD.

    Projects centred data on the directions of largest variance. A drop-in
    for ``sklearn.decomposition.PCA(svd_solver="full")`` on dense data: the
    same scores, explained variances and signs (to rounding).

    Parameters
    ----------
    n_components : int, float or None, default=None
        Number of components to keep. An int between 1 and
        ``min(n_samples, n_features)``; a float strictly between 0 and 1: the
        smallest number of components whose explained variance ratios add up
        to more than this fraction; None: all ``min(n_samples, n_features)``.
    solver : {"auto", "eigh", "svd"}, default="auto"
        ``"eigh"``: eigendecomposition of the ``d x d`` covariance matrix.
        ``"svd"``: thin SVD of the centred ``n x d`` data.
        ``"auto"``: ``"eigh"`` when ``n_samples >= n_features`` (cheaper),
        else ``"svd"``; the choice is stored in ``solver_``.
    whiten : bool, default=False
        Divide the scores by the standard deviation of each component, so
        that each column of ``transform(X)`` has unit variance on the
        training data. ``inverse_transform`` undoes it.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Principal axes, one per row, orthonormal, sorted by decreasing
        variance; the largest-magnitude entry of each row is positive.
        Row k holds the *loadings* of component k on the original features.
    explained_variance_ : ndarray of shape (n_components_,)
        Variance of the data along each axis (the covariance eigenvalues,
        denominator ``n - 1``).
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Fraction of the total variance along each axis.
    singular_values_ : ndarray of shape (n_components_,)
        Singular values of the centred data, ``sqrt((n - 1) * explained_variance_)``.
    mean_ : ndarray of shape (n_features,)
        Per-feature mean of the training data.
    n_components_ : int
        Number of components kept.
    noise_variance_ : float
        Mean of the discarded variances (among the ``min(n_samples, n_features)``
        there are): the noise variance of probabilistic PCA (Tipping & Bishop, 1999).
    solver_ : {"eigh", "svd"}
        The solver used.
    n_samples_ : int
        Number of samples seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    sklearn.decomposition.PCA : the reference implementation (also randomized and sparse solvers).
    sklearn.discriminant_analysis.LinearDiscriminantAnalysis : a supervised linear projection.

    References
    ----------
    K. Pearson, "On lines and planes of closest fit to systems of points in space", Phil. Mag. 2 (1901).
    H. Hotelling, "Analysis of a complex of statistical variables into principal components",
    J. Educ. Psychol. 24 (1933).
    I. T. Jolliffe, *Principal Component Analysis*, 2nd ed., Springer (2002).
    K. P. Murphy, *Probabilistic Machine Learning: An Introduction*, MIT Press (2022), ch. 20.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[2.0, 0.0], [0.0, 1.0], [-2.0, 0.0], [0.0, -1.0]])
    >>> pca = PCA(n_components=1).fit(X)
    >>> pca.components_
    array([[1., 0.]])
    >>> pca.explained_variance_ratio_.round(3)
    array([0.8])
    >>> pca.solver_
    'eigh'
    """

    def __init__(self, n_components=None, *, solver="auto", whiten=False):
        self.n_components = n_components
        self.solver = solver
        self.whiten = whiten

    # --- validation ---------------------------------------------------------------------------------------------

    def _check_parameters(self, n_samples, n_features):
        if not (isinstance(self.solver, str) and self.solver in _SOLVERS):
            raise ValueError(f"solver must be one of {', '.join(repr(s) for s in _SOLVERS)}; got {self.solver!r}.")
        if not isinstance(self.whiten, (bool, np.bool_)):
            raise TypeError(f"whiten must be True or False, got {self.whiten!r}.")
        largest = min(n_samples, n_features)
        n = self.n_components
        if n is None:
            return largest
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, Real):
            raise TypeError(f"n_components must be an int, a float in (0, 1) or None; got {n!r}.")
        if isinstance(n, Integral):
            if n < 1:
                raise ValueError(f"n_components must be at least 1, got {n}.")
            if n > largest:
                raise ValueError(
                    f"n_components={n} is larger than min(n_samples, n_features) = {largest} "
                    f"(n_samples={n_samples}, n_features={n_features}): centred data with this shape has at "
                    f"most {largest} principal components.")
            return int(n)
        if not 0.0 < n < 1.0:
            raise ValueError(f"a float n_components is a fraction of the variance and must be strictly between "
                             f"0 and 1, got {n!r}; pass an int for a number of components.")
        return float(n)

    # --- fitting ------------------------------------------------------------------------------------------------

    def _decompose(self, X_centred):
        """All ``min(n, d)`` axes (rows) and variances, sorted by decreasing variance, signs not yet fixed."""
        n_samples, n_features = X_centred.shape
        rank_bound = min(n_samples, n_features)
        if self.solver_ == "eigh":
            covariance = X_centred.T @ X_centred      # NumPy uses a symmetric rank-k update for X.T @ X
            covariance /= n_samples - 1
            eigenvalues, eigenvectors = linalg.eigh(covariance, check_finite=False, driver="evd")
            order = slice(None, -rank_bound - 1, -1)  # the largest rank_bound, in decreasing order
            variances = eigenvalues[order]
            axes = eigenvectors[:, order].T
            np.maximum(variances, 0.0, out=variances)  # rounding can make a zero eigenvalue slightly negative
        else:
            _, singular_values, axes = linalg.svd(X_centred, full_matrices=False, check_finite=False)
            variances = singular_values**2 / (n_samples - 1)
        return np.ascontiguousarray(axes), np.ascontiguousarray(variances)

    def fit(self, X, y=None):
        """Learn the mean and the principal axes of ``X`` (n_samples, n_features). ``y`` is ignored."""
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2, copy=False)
        n_samples, n_features = X.shape
        requested = self._check_parameters(n_samples, n_features)
        self.solver_ = self.solver
        if self.solver == "auto":
            self.solver_ = "eigh" if n_samples >= n_features else "svd"

        self.mean_ = X.mean(axis=0)
        axes, variances = self._decompose(X - self.mean_)
        axes, _ = flip_signs(axes)

        total = variances.sum()
        ratios = variances / total if total > 0 else np.zeros_like(variances)
        if isinstance(requested, float):
            k = components_for_variance(ratios, requested)
        else:
            k = requested

        self.n_samples_ = n_samples
        self.n_components_ = k
        self.components_ = axes[:k].copy()
        self.explained_variance_ = variances[:k].copy()
        self.explained_variance_ratio_ = ratios[:k].copy()
        self.singular_values_ = np.sqrt(self.explained_variance_ * (n_samples - 1))
        self.noise_variance_ = float(variances[k:].mean()) if k < len(variances) else 0.0
        return self

    # --- using the fit ------------------------------------------------------------------------------------------

    def _whitening_scale(self):
        # Components of (numerically) zero variance would give infinite scores; scikit-learn clips the same way.
        return np.maximum(np.sqrt(self.explained_variance_), np.finfo(np.float64).eps)

    def transform(self, X):
        """Scores of ``X`` on the principal axes: ``(X - mean_) @ components_.T`` (divided by the std if whitening)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = (X - self.mean_) @ self.components_.T
        if self.whiten:
            scores /= self._whitening_scale()
        return scores

    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return its scores (the same as ``fit(X).transform(X)``)."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Map scores (n_samples, n_components_) back to feature space: ``scores @ components_ + mean_``.

        With all components this recovers the data; with fewer it gives the
        best rank-``k`` reconstruction in the least-squares sense.
        """
        check_is_fitted(self)
        X = check_array(X, dtype=np.float64, input_name="X")
        if X.shape[1] != self.n_components_:
            raise ValueError(f"X has {X.shape[1]} columns but this PCA has n_components_={self.n_components_}: "
                             f"inverse_transform expects scores, one column per component.")
        if self.whiten:
            X = X * self._whitening_scale()
        return X @ self.components_ + self.mean_

    @property
    def _n_features_out(self):
        return self.components_.shape[0]
