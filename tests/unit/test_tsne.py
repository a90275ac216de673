"""course_utils.tsne against scikit-learn, SciPy and finite differences (notebook 04, sections 4-8)."""

import numpy as np
import pytest
from scipy import sparse, stats
from scipy.spatial.distance import pdist, squareform
from scipy.special import rel_entr
from sklearn.datasets import load_digits, make_blobs
from sklearn.manifold import TSNE as SklearnTSNE
from sklearn.manifold import _t_sne as sklearn_tsne      # private helpers, used only as references
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.estimator_checks import parametrize_with_checks

from course_utils import tsne
from course_utils.checks import numerical_gradient
from course_utils.tsne import TSNE


def kl_by_definition(P, Y):
    """KL(P || Q) in nats with Q from SciPy's pdist: independent of the module's own code."""
    kernel = 1.0 / (1.0 + pdist(Y, "sqeuclidean"))
    Q = squareform(kernel) / (2.0 * kernel.sum())
    return float(np.sum(rel_entr(P, Q + np.eye(len(Y)))))      # the diagonal (P_ii = 0) adds nothing


def random_joint_p(rng, n):
    A = rng.random((n, n))
    P = A + A.T
    np.fill_diagonal(P, 0.0)
    return P / P.sum()


# --- P ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("perplexity", [2.0, 5.0, 12.5, 40.0])
def test_each_row_hits_the_target_perplexity(perplexity):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6)) * rng.uniform(0.1, 30)          # scale should not matter
    distances = squareform(pdist(X, "sqeuclidean"))
    off_diagonal = distances[~np.eye(80, dtype=bool)].reshape(80, 79)
    rows, sigmas = tsne.conditional_probabilities(off_diagonal, perplexity)
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(2.0 ** stats.entropy(rows, base=2, axis=1), perplexity, rtol=1e-4)
    # and the rows are the Gaussians of the returned widths
    gaussians = np.exp(-off_diagonal / (2 * sigmas[:, None] ** 2))
    np.testing.assert_allclose(rows, gaussians / gaussians.sum(axis=1, keepdims=True), rtol=1e-8, atol=1e-15)


def test_binary_search_survives_huge_distances_and_ties():
    distances = np.array([[1e6, 1e6 + 1.0, 1e6 + 4.0, 1e6 + 9.0],      # exp(-d) alone would underflow
                          [5.0, 5.0, 5.0, 5.0]])                     # all equally far: uniform
    rows, _ = tsne.conditional_probabilities(distances, 3.0)
    assert np.all(np.isfinite(rows))
    assert 2 ** stats.entropy(rows[0], base=2) == pytest.approx(3.0, rel=1e-4)
    np.testing.assert_allclose(rows[1], 0.25)


def test_exact_p_matches_scikit_learn():
    X = make_blobs(n_samples=120, n_features=8, centers=4, random_state=1)[0]
    ours = tsne.joint_probabilities(X, 15.0)
    reference = sklearn_tsne._joint_probabilities(squareform(pdist(X, "sqeuclidean")), 15.0, 0)
    np.testing.assert_allclose(squareform(ours, checks=False), reference, rtol=1e-4, atol=1e-10)
    np.testing.assert_allclose(ours, ours.T)
    assert ours.sum() == pytest.approx(1.0)
    assert np.all(np.diag(ours) == 0)


def test_nearest_neighbour_p_matches_scikit_learn():
    X = load_digits().data[:300]
    ours = tsne.joint_probabilities_nn(X, 20.0)
    knn = NearestNeighbors(n_neighbors=61).fit(X).kneighbors_graph(mode="distance")
    knn.data **= 2
    reference = sklearn_tsne._joint_probabilities_nn(sparse.csr_matrix(knn), 20.0, 0)
    assert sparse.issparse(ours)
    np.testing.assert_allclose(ours.toarray(), reference.toarray(), rtol=1e-4, atol=1e-10)
    assert ours.sum() == pytest.approx(1.0)


# --- Q, KL, gradient ----------------------------------------------------------------------------------------------

def test_exact_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    P = random_joint_p(rng, 9)
    Y = rng.normal(size=(9, 2))
    _, gradient = tsne.kl_divergence_and_gradient(P, Y)
    numeric = numerical_gradient(lambda Z: kl_by_definition(P, Z), Y.copy(), h=1e-6)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-8)


def test_exaggerated_gradient_in_3d_matches_finite_differences_of_its_objective():
    # With P multiplied by alpha (early exaggeration) the same formula 4 sum_j (p_ij - q_ij) w_ij (y_i - y_j)
    # is the gradient of alpha * sum p_ij log(1 / w_ij) + log Z: only the attraction is scaled.
    rng = np.random.default_rng(3)
    alpha = 12.0
    P = random_joint_p(rng, 7)
    Y = rng.normal(size=(7, 3))

    def objective(Z):
        kernel = 1.0 / (1.0 + pdist(Z, "sqeuclidean"))
        return float(-alpha * np.sum(squareform(P, checks=False) * np.log(kernel)) * 2 + np.log(2 * kernel.sum()))

    _, gradient = tsne.kl_divergence_and_gradient(alpha * P, Y)
    np.testing.assert_allclose(gradient, numerical_gradient(objective, Y.copy()), rtol=1e-5, atol=1e-8)


def test_exact_kl_and_gradient_match_scikit_learn():
    rng = np.random.default_rng(4)
    P = random_joint_p(rng, 30)
    Y = rng.normal(size=(30, 2)) * 2
    kl, gradient = tsne.kl_divergence_and_gradient(P, Y)
    kl_ref, gradient_ref = sklearn_tsne._kl_divergence(Y.ravel(), squareform(P, checks=False), 1, 30, 2)
    assert kl == pytest.approx(kl_ref, rel=1e-10)
    np.testing.assert_allclose(gradient.ravel(), gradient_ref, rtol=1e-8, atol=1e-12)
    assert kl == pytest.approx(kl_by_definition(P, Y), rel=1e-10)


def test_student_t_affinities():
    rng = np.random.default_rng(5)
    Y = rng.normal(size=(6, 2))
    Q, W = tsne.student_t_affinities(Y)
    kernel = squareform(1.0 / (1.0 + pdist(Y, "sqeuclidean")))
    np.testing.assert_allclose(W, kernel)
    np.testing.assert_allclose(Q, kernel / kernel.sum())


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_barnes_hut_is_exact_with_angle_zero(dim):
    rng = np.random.default_rng(6 + dim)
    X = rng.normal(size=(150, 5))
    P = tsne.joint_probabilities_nn(X, 10.0)
    Y = rng.normal(size=(150, dim)) * 5
    kl, gradient = tsne.barnes_hut_kl_gradient(P, Y, angle=0.0)
    kl_ref, gradient_ref = tsne.kl_divergence_and_gradient(P.toarray(), Y)
    assert kl == pytest.approx(kl_ref, rel=1e-10)
    np.testing.assert_allclose(gradient, gradient_ref, rtol=1e-9, atol=1e-12)


def test_barnes_hut_approximation_is_close_at_the_default_angle():
    X = load_digits().data[:400]
    P = tsne.joint_probabilities_nn(X, 30.0)
    Y = SklearnTSNE(random_state=0, max_iter=250).fit_transform(X)
    kl, gradient = tsne.barnes_hut_kl_gradient(P, Y, angle=0.5)
    kl_ref, gradient_ref = tsne.kl_divergence_and_gradient(P.toarray(), Y)
    assert kl == pytest.approx(kl_ref, rel=1e-2)
    assert np.linalg.norm(gradient - gradient_ref) < 0.05 * np.linalg.norm(gradient_ref)


def test_barnes_hut_handles_duplicate_points():
    rng = np.random.default_rng(7)
    Y = np.repeat(rng.normal(size=(20, 2)), 3, axis=0)          # every point three times
    P = sparse.csr_matrix(random_joint_p(rng, 60))
    kl, gradient = tsne.barnes_hut_kl_gradient(P, Y, angle=0.0)
    kl_ref, gradient_ref = tsne.kl_divergence_and_gradient(P.toarray(), Y)
    assert kl == pytest.approx(kl_ref, rel=1e-10)
    np.testing.assert_allclose(gradient, gradient_ref, rtol=1e-9, atol=1e-12)


# --- the estimator -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["exact", "barnes_hut"])
def test_embedding_of_digits_is_as_trustworthy_as_scikit_learns(method):
    X = load_digits().data[:300]
    ours = TSNE(perplexity=20, method=method, random_state=0).fit(X)
    reference = SklearnTSNE(perplexity=20, method=method, random_state=0).fit(X)
    ours_trust = trustworthiness(X, ours.embedding_, n_neighbors=10)
    reference_trust = trustworthiness(X, reference.embedding_, n_neighbors=10)
    assert ours_trust > 0.97
    assert ours_trust >= reference_trust - 0.01
    assert ours.kl_divergence_ <= 1.05 * reference.kl_divergence_


def test_toy_clusters_stay_apart():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    X2 = np.vstack([rng.normal(c, 0.1, (40, 2)) for c in centres])
    X10 = X2 @ rng.normal(size=(2, 10))
    labels = np.repeat([0, 1, 2], 40)
    Y = TSNE(perplexity=20, method="exact", random_state=0).fit_transform(X10)
    neighbours = NearestNeighbors(n_neighbors=6).fit(Y).kneighbors(return_distance=False)
    assert np.mean(labels[neighbours] == labels[:, None]) > 0.99


def test_kl_divergence_attribute_is_the_kl_of_the_embedding():
    X = make_blobs(n_samples=60, n_features=4, centers=3, random_state=0)[0]
    model = TSNE(perplexity=10, method="exact", random_state=0, max_iter=300).fit(X)
    assert model.kl_divergence_ == pytest.approx(kl_by_definition(tsne.joint_probabilities(X, 10), model.embedding_))
    assert model.n_iter_ == 300
    assert model.learning_rate_ == 50.0
    assert model.embedding_.shape == (60, 2)


@pytest.mark.parametrize("method", ["exact", "barnes_hut"])
def test_same_seed_same_embedding_other_seed_other_embedding(method):
    X = make_blobs(n_samples=50, n_features=5, random_state=0)[0]
    a = TSNE(perplexity=8, init="random", method=method, random_state=1, max_iter=250).fit_transform(X)
    b = TSNE(perplexity=8, init="random", method=method, random_state=1, max_iter=250).fit_transform(X)
    c = TSNE(perplexity=8, init="random", method=method, random_state=2, max_iter=250).fit_transform(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_pca_initialisation_is_scikit_learns():
    X = load_digits().data[:100]
    ours = TSNE(max_iter=250, perplexity=10, random_state=0)._initial_embedding(X, np.random.RandomState(0))
    np.testing.assert_allclose(np.std(ours[:, 0]), 1e-4)
    from sklearn.decomposition import PCA
    reference = PCA(n_components=2).fit_transform(X)
    np.testing.assert_allclose(np.abs(ours / ours[:, :1].std()), np.abs(reference / reference[:, :1].std()),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("method", ["exact", "barnes_hut"])
def test_perplexity_too_large_for_the_sample_is_a_clear_error(method):
    X = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match=r"perplexity \(9\.0\) must be less than n_samples - 1 = 9"):
        TSNE(perplexity=9.0, method=method).fit(X)
    TSNE(perplexity=8.5, method=method, max_iter=250).fit(X)      # just below the limit works


@pytest.mark.parametrize("params, error, match", [
    (dict(method="fft"), ValueError, "method"),
    (dict(n_components=4), ValueError, "at most 3"),
    (dict(perplexity=0), ValueError, "perplexity"),
    (dict(perplexity="30"), TypeError, "perplexity"),
    (dict(max_iter=100), ValueError, "max_iter"),
    (dict(learning_rate="fast"), TypeError, "learning_rate"),
    (dict(learning_rate=-1.0), ValueError, "learning_rate"),
    (dict(init="spectral"), ValueError, "init"),
    (dict(init=np.zeros((3, 2))), ValueError, "init has shape"),
    (dict(angle=1.5), ValueError, "angle"),
    (dict(n_components=3, init="pca"), ValueError, "n_features=2"),
])
def test_bad_parameters_are_clear_errors(params, error, match):
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(error, match=match):
        TSNE(perplexity=params.pop("perplexity", 5), **params).fit(X)


def test_exact_method_allows_more_than_three_components():
    X = make_blobs(n_samples=40, n_features=8, random_state=0)[0]
    assert TSNE(n_components=4, perplexity=5, method="exact", max_iter=250).fit_transform(X).shape == (40, 4)


def test_manifold_reexports_tsne():
    from course_utils import manifold

    assert manifold.TSNE is TSNE


@parametrize_with_checks([TSNE(perplexity=2, max_iter=250, method="exact"),
                          TSNE(perplexity=2, max_iter=250, method="barnes_hut")])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


# --- the loops written for 2-D against the general ones -----------------------------------------------------------

@pytest.mark.parametrize("angle", [0.0, 0.5, 0.9])
def test_two_dimensional_barnes_hut_loops_equal_the_general_ones(angle):
    rng = np.random.default_rng(11)
    Y = np.vstack([rng.normal(size=(200, 2)) * 5, rng.normal(size=(100, 2)) * 0.1, np.zeros((3, 2))])
    P = tsne.joint_probabilities_nn(rng.normal(size=(303, 4)), 10.0)
    tree = tsne._build_tree(Y, 1)
    forces, z = tsne._repulsion_2d(Y, *tree, angle)
    forces_ref, z_ref = tsne._repulsion(Y, *tree, angle)
    np.testing.assert_allclose(forces, forces_ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(z, z_ref, rtol=1e-12)
    for compute_error in (True, False):
        attraction, error = tsne._attraction_2d(Y, P.indptr, P.indices, P.data, compute_error)
        attraction_ref, error_ref = tsne._attraction(Y, P.indptr, P.indices, P.data, compute_error)
        np.testing.assert_allclose(attraction, attraction_ref, rtol=1e-12, atol=1e-15)
        assert error == pytest.approx(error_ref, rel=1e-12)

