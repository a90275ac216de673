"""course_utils.decomposition.PCA against scikit-learn, NumPy and closed forms (notebook 02, sections 3-8)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_wine
from sklearn.decomposition import PCA as SklearnPCA
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.extmath import svd_flip

from course_utils.decomposition import PCA, components_for_variance, flip_signs

RTOL = 1e-8


def scaled_gaussian(rng, n_samples, n_features, offset=5.0):
    """Gaussian data with well separated variances (so every axis is well defined) and a non-zero mean."""
    scales = np.geomspace(10.0, 0.5, n_features)
    rotation = np.linalg.qr(rng.normal(size=(n_features, n_features)))[0]
    return (rng.normal(size=(n_samples, n_features)) * scales) @ rotation + offset


def assert_relatively_close(actual, expected, rtol=RTOL, what=""):
    """Relative to the largest magnitude of the reference: entries near zero are not held to 1e-8 of themselves."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, what
    scale = max(np.max(np.abs(expected)), 1e-300)
    error = np.max(np.abs(actual - expected)) / scale
    assert error <= rtol, f"{what}: relative error {error:.2e} > {rtol:g}"


# --- agreement with scikit-learn --------------------------------------------------------------------------------

@pytest.mark.parametrize("solver", ["eigh", "svd", "auto"])
@pytest.mark.parametrize("shape", [(200, 12), (40, 40), (15, 60)])
@pytest.mark.parametrize("n_components", [None, 3, 0.9])
def test_matches_scikit_learn(solver, shape, n_components):
    rng = np.random.default_rng(sum(shape))
    X = scaled_gaussian(rng, *shape)
    X_new = scaled_gaussian(rng, 7, shape[1])
    ours = PCA(n_components=n_components, solver=solver).fit(X)
    reference = SklearnPCA(n_components=n_components, svd_solver="full").fit(X)

    assert ours.n_components_ == reference.n_components_
    # With n_samples <= n_features the last axis of the centred data has variance 0 and no defined direction.
    k = min(ours.n_components_, min(shape) - 1) if shape[0] <= shape[1] else ours.n_components_
    assert_relatively_close(ours.components_[:k], reference.components_[:k], what="components (signs included)")
    assert_relatively_close(ours.transform(X_new)[:, :k], reference.transform(X_new)[:, :k], what="scores")
    assert_relatively_close(ours.fit_transform(X)[:, :k], reference.transform(X)[:, :k], what="fit_transform")
    assert_relatively_close(ours.explained_variance_ratio_, reference.explained_variance_ratio_, what="ratio")
    assert_relatively_close(ours.explained_variance_, reference.explained_variance_, what="variance")
    # the square root of a rounding-sized eigenvalue is not small: compare the singular values of defined axes
    assert_relatively_close(ours.singular_values_[:k], reference.singular_values_[:k], what="singular values")
    assert_relatively_close(ours.mean_, reference.mean_, rtol=1e-13, what="mean")
    scores = reference.transform(X_new)
    scores[:, k:] = 0.0                        # no weight on an undefined axis
    assert_relatively_close(ours.inverse_transform(scores), reference.inverse_transform(scores),
                            what="inverse_transform")
    assert ours.noise_variance_ == pytest.approx(reference.noise_variance_, rel=RTOL, abs=1e-12)
    assert ours.n_features_in_ == shape[1]
    assert ours.solver_ == (solver if solver != "auto" else ("eigh" if shape[0] >= shape[1] else "svd"))


@pytest.mark.parametrize("solver", ["eigh", "svd"])
def test_whitening_matches_scikit_learn(solver):
    rng = np.random.default_rng(7)
    X = scaled_gaussian(rng, 150, 8)
    ours = PCA(n_components=5, solver=solver, whiten=True).fit(X)
    reference = SklearnPCA(n_components=5, svd_solver="full", whiten=True).fit(X)
    scores = ours.transform(X)
    assert_relatively_close(scores, reference.transform(X), what="whitened scores")
    np.testing.assert_allclose(scores.std(axis=0, ddof=1), 1.0, rtol=1e-10)
    assert_relatively_close(ours.inverse_transform(scores), reference.inverse_transform(scores),
                            what="inverse of whitening")


@pytest.mark.parametrize("solver", ["eigh", "svd"])
def test_digits_and_wine_match_scikit_learn(solver):
    for X in (load_digits().data, load_wine().data):
        ours = PCA(n_components=20 if X.shape[1] > 20 else None, solver=solver).fit(X)
        reference = SklearnPCA(n_components=ours.n_components, svd_solver="full").fit(X)
        assert_relatively_close(ours.transform(X), reference.transform(X), what="scores")
        assert_relatively_close(ours.explained_variance_ratio_, reference.explained_variance_ratio_, what="ratio")
        assert_relatively_close(ours.inverse_transform(ours.transform(X)),
                                reference.inverse_transform(reference.transform(X)), what="reconstruction")


def test_sign_rule_is_scikit_learns_svd_flip():
    rng = np.random.default_rng(3)
    V = rng.normal(size=(6, 9))
    V[2] = -np.abs(V[2])                       # a row whose largest entry is negative must flip
    ours, signs = flip_signs(V)
    _, reference = svd_flip(None, V.copy(), u_based_decision=False)
    np.testing.assert_array_equal(ours, reference)
    assert signs[2] == -1
    assert np.all(ours[np.arange(6), np.argmax(np.abs(ours), axis=1)] > 0)


# --- the mathematics, without scikit-learn ------------------------------------------------------------------------

def test_the_two_solvers_agree_with_each_other_and_with_the_definitions():
    rng = np.random.default_rng(11)
    X = scaled_gaussian(rng, 300, 10)
    by_eigh = PCA(solver="eigh").fit(X)
    by_svd = PCA(solver="svd").fit(X)
    assert_relatively_close(by_eigh.components_, by_svd.components_, what="axes")
    assert_relatively_close(by_eigh.explained_variance_, by_svd.explained_variance_, what="variances")
    # the definitions: orthonormal axes, C v = lambda v with C = np.cov, variances of the scores
    C = np.cov(X, rowvar=False)
    V = by_svd.components_
    np.testing.assert_allclose(V @ V.T, np.eye(10), atol=1e-12)
    np.testing.assert_allclose(C @ V.T, V.T * by_svd.explained_variance_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.var(by_svd.transform(X), axis=0, ddof=1), by_svd.explained_variance_, rtol=1e-9)
    np.testing.assert_allclose(by_svd.explained_variance_ratio_.sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(by_svd.explained_variance_.sum(), np.trace(C), rtol=1e-12)
    assert np.all(np.diff(by_svd.explained_variance_) <= 0)


@pytest.mark.parametrize("solver", ["eigh", "svd"])
def test_all_components_reconstruct_the_data_and_k_components_are_the_best_rank_k(solver):
    rng = np.random.default_rng(5)
    X = scaled_gaussian(rng, 80, 6)
    full = PCA(solver=solver).fit(X)
    np.testing.assert_allclose(full.inverse_transform(full.transform(X)), X, rtol=1e-10, atol=1e-10)
    pca = PCA(n_components=2, solver=solver).fit(X)
    reconstruction = pca.inverse_transform(pca.transform(X))
    # Eckart-Young: the error of the best rank-2 approximation of the centred data is the sum of the rest
    centred = X - X.mean(axis=0)
    singular_values = np.linalg.svd(centred, compute_uv=False)
    assert np.sum((X - reconstruction) ** 2) == pytest.approx(np.sum(singular_values[2:] ** 2), rel=1e-9)
    assert pca.noise_variance_ == pytest.approx(np.mean(singular_values[2:] ** 2) / 79, rel=1e-9)


def test_fraction_of_variance_picks_the_smallest_k_that_exceeds_it():
    ratios = np.array([0.5, 0.3, 0.15, 0.05])
    for fraction, k in [(0.2, 1), (0.5, 2), (0.79, 2), (0.8, 3), (0.949, 3), (0.99, 4)]:
        assert components_for_variance(ratios, fraction) == k
    assert components_for_variance(np.array([0.6, 0.4 - 1e-17]), 0.9999999999999999) == 2   # capped
    X = scaled_gaussian(np.random.default_rng(2), 100, 8)
    pca = PCA(n_components=0.95).fit(X)
    cumulative = np.cumsum(SklearnPCA().fit(X).explained_variance_ratio_)
    assert cumulative[pca.n_components_ - 1] > 0.95 and (pca.n_components_ == 1 or cumulative[pca.n_components_ - 2] <= 0.95)


def test_auto_chooses_the_covariance_for_tall_data_and_the_svd_for_wide_data():
    rng = np.random.default_rng(0)
    assert PCA().fit(rng.normal(size=(50, 5))).solver_ == "eigh"
    assert PCA().fit(rng.normal(size=(20, 20))).solver_ == "eigh"
    assert PCA().fit(rng.normal(size=(5, 50))).solver_ == "svd"
    assert PCA(solver="svd").fit(rng.normal(size=(50, 5))).solver_ == "svd"


def test_float32_and_lists_are_accepted_and_computed_in_float64():
    X = scaled_gaussian(np.random.default_rng(4), 60, 5)
    ours = PCA(n_components=2).fit(X.astype(np.float32))
    assert ours.components_.dtype == np.float64
    reference = PCA(n_components=2).fit(X.astype(np.float32).astype(np.float64))
    np.testing.assert_array_equal(ours.components_, reference.components_)
    assert PCA(n_components=1).fit(X.tolist()).transform(X[:2].tolist()).shape == (2, 1)


def test_constant_data_has_zero_variance_and_no_nan():
    X = np.ones((10, 3))
    pca = PCA().fit(X)
    np.testing.assert_array_equal(pca.explained_variance_, 0.0)
    np.testing.assert_array_equal(pca.explained_variance_ratio_, 0.0)
    assert np.all(np.isfinite(PCA(whiten=True).fit_transform(X)))


# --- bad input ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_and_inf_are_refused(bad, message):
    X = np.ones((5, 3))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=message):
        PCA().fit(X)
    fitted = PCA().fit(np.random.default_rng(0).normal(size=(5, 3)))
    with pytest.raises(ValueError, match=message):
        fitted.transform(X)


def test_one_sample_is_refused():
    with pytest.raises(ValueError, match="1 sample"):
        PCA().fit(np.ones((1, 4)))


@pytest.mark.parametrize("solver", ["eigh", "svd"])
def test_too_many_components_is_refused(solver):
    with pytest.raises(ValueError, match=r"n_components=6 is larger than min\(n_samples, n_features\) = 5"):
        PCA(n_components=6, solver=solver).fit(np.random.default_rng(0).normal(size=(5, 8)))
    with pytest.raises(ValueError, match=r"min\(n_samples, n_features\) = 3"):
        PCA(n_components=4, solver=solver).fit(np.random.default_rng(0).normal(size=(9, 3)))


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, -0.2])
def test_fraction_outside_zero_one_is_refused(fraction):
    with pytest.raises(ValueError, match=r"strictly between 0 and 1"):
        PCA(n_components=fraction).fit(np.ones((5, 3)) + np.eye(5, 3))


@pytest.mark.parametrize("n_components, error", [(0, ValueError), (-2, ValueError), ("2", TypeError),
                                                 (True, TypeError)])
def test_other_bad_n_components_are_refused(n_components, error):
    with pytest.raises(error, match="n_components"):
        PCA(n_components=n_components).fit(np.eye(4))


def test_unknown_solver_and_bad_whiten_are_refused():
    with pytest.raises(ValueError, match=r"solver must be one of 'auto', 'eigh', 'svd'; got 'full'"):
        PCA(solver="full").fit(np.eye(4))
    with pytest.raises(TypeError, match="whiten"):
        PCA(whiten="yes").fit(np.eye(4))


def test_inverse_transform_needs_one_column_per_component():
    pca = PCA(n_components=2).fit(np.random.default_rng(0).normal(size=(10, 4)))
    with pytest.raises(ValueError, match="n_components_=2"):
        pca.inverse_transform(np.ones((3, 4)))


# --- scikit-learn's estimator checks -----------------------------------------------------------------------------
# Every check applies and passes: no expected failures to list.

@parametrize_with_checks([PCA(), PCA(solver="svd"), PCA(n_components=1, solver="eigh", whiten=True)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
