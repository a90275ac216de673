"""course_utils.manifold graph embeddings against scikit-learn, PCA and the definitions (notebook 03)."""

import numpy as np
import pytest
from scipy import sparse
from scipy.linalg import eigh
from scipy.spatial import procrustes
from scipy.spatial.distance import cdist
from sklearn import manifold as sk_manifold
from sklearn.datasets import make_s_curve, make_swiss_roll
from sklearn.decomposition import PCA
from sklearn.utils.estimator_checks import parametrize_with_checks

from course_utils import graphs, manifold
from course_utils.manifold import ClassicalMDS, DiffusionMap, Isomap, LaplacianEigenmaps


def swiss_roll(n, seed=0):
    return make_swiss_roll(n_samples=n, noise=0.05, random_state=seed)


def assert_same_up_to_sign(A, B, atol=1e-8):
    signs = np.sign(np.sum(A * B, axis=0))
    np.testing.assert_allclose(A * signs, B, atol=atol)


# --- classical MDS ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_components", [1, 2, 4])
def test_classical_mds_equals_pca_scores(n_components):
    X = np.random.default_rng(0).normal(size=(80, 6)) @ np.diag([5, 3, 2, 1, 0.5, 0.1]) + 7.0
    ours = ClassicalMDS(n_components).fit(X)
    pca = PCA(n_components).fit(X)
    assert_same_up_to_sign(ours.embedding_, pca.transform(X), atol=1e-9)
    # the eigenvalues of B are (n - 1) times the PCA variances (the sample covariance's eigenvalues)
    np.testing.assert_allclose(ours.eigenvalues_, (80 - 1) * pca.explained_variance_, rtol=1e-10)
    # new points: Gower's formula gives the PCA projection too
    X_new = np.random.default_rng(1).normal(size=(10, 6))
    signs = np.sign(np.sum(ours.embedding_ * pca.transform(X), axis=0))
    np.testing.assert_allclose(ours.transform(X_new) * signs, pca.transform(X_new), atol=1e-9)


def test_classical_mds_precomputed_distances():
    X = np.random.default_rng(2).normal(size=(500, 5))       # above the dense limit: ARPACK
    D = cdist(X, X)
    from_distances = ClassicalMDS(3, dissimilarity="precomputed", random_state=0).fit(D)
    from_data = ClassicalMDS(3, random_state=0).fit(X)
    assert_same_up_to_sign(from_distances.embedding_, from_data.embedding_, atol=1e-8)
    X_new = np.random.default_rng(3).normal(size=(4, 5))
    np.testing.assert_allclose(from_distances.transform(cdist(X_new, X)), from_data.transform(X_new), atol=1e-8)


def test_classical_mds_bad_input():
    with pytest.raises(ValueError, match="n_components"):
        ClassicalMDS(5).fit(np.random.default_rng(0).normal(size=(5, 3)))
    with pytest.raises(ValueError, match="NaN"):
        ClassicalMDS().fit(np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]]))
    with pytest.raises(ValueError, match="square"):
        ClassicalMDS(dissimilarity="precomputed").fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        ClassicalMDS(1, dissimilarity="precomputed").fit(np.array([[0, 1, 2], [1, 0, 1], [0, 1, 0.0]]))


# --- Isomap -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, n_neighbors", [(300, 8), (700, 10)])
def test_isomap_matches_scikit_learn(n, n_neighbors):
    X, _ = swiss_roll(n)
    ours = Isomap(n_neighbors=n_neighbors, random_state=0).fit(X)
    reference = sk_manifold.Isomap(n_neighbors=n_neighbors, path_method="D").fit(X)
    assert procrustes(ours.embedding_, reference.embedding_)[2] <= 1e-6
    np.testing.assert_allclose(ours.dist_matrix_, reference.dist_matrix_, rtol=1e-10)
    X_new, _ = swiss_roll(20, seed=1)
    assert procrustes(ours.transform(X_new), reference.transform(X_new))[2] <= 1e-6
    np.testing.assert_allclose(ours.transform(X[:15]), ours.embedding_[:15], atol=1e-8)


def test_isomap_unrolls_the_swiss_roll():
    X, t = swiss_roll(600)
    arc = 0.5 * (t * np.sqrt(1 + t**2) + np.arcsinh(t))           # position along the spiral
    Y = Isomap(n_neighbors=10).fit_transform(X)
    assert max(abs(np.corrcoef(Y[:, j], arc)[0, 1]) for j in range(2)) > 0.8
    assert max(abs(np.corrcoef(PCA(2).fit_transform(X)[:, j], arc)[0, 1]) for j in range(2)) < 0.4


def test_isomap_disconnected_graph_says_increase_n_neighbors():
    X = np.vstack([np.random.default_rng(0).normal(size=(30, 2)), 100 + np.random.default_rng(1).normal(size=(30, 2))])
    with pytest.raises(ValueError, match=r"2 connected components.*increase n_neighbors"):
        Isomap(n_neighbors=5).fit(X)


@pytest.mark.parametrize("estimator", [Isomap(n_neighbors=5, n_components=30), Isomap(n_neighbors=30)])
def test_isomap_rejects_too_large_parameters(estimator):
    with pytest.raises(ValueError, match="n_components|n_neighbors"):
        estimator.fit(np.random.default_rng(0).normal(size=(30, 3)))


# --- Laplacian eigenmaps ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [300, 1500])
def test_laplacian_eigenmaps_match_spectral_embedding(n):
    X, _ = make_s_curve(n_samples=n, noise=0.05, random_state=0)
    ours = LaplacianEigenmaps(n_components=2, n_neighbors=10, random_state=0).fit(X)
    reference = sk_manifold.SpectralEmbedding(n_components=2, affinity="nearest_neighbors", n_neighbors=10,
                                              random_state=0).fit(X)
    assert procrustes(ours.embedding_, reference.embedding_)[2] <= 1e-6
    np.testing.assert_allclose(np.abs(ours.embedding_), np.abs(reference.embedding_), atol=1e-7)


def test_laplacian_eigenmaps_solve_the_generalised_problem_on_a_given_graph():
    X, _ = swiss_roll(200)
    W = graphs.gaussian_affinity(X, 3.0, graph=graphs.knn_graph(X, 8))
    model = LaplacianEigenmaps(n_components=3, affinity="precomputed").fit(W)
    Wd = W.toarray()
    D = np.diag(Wd.sum(axis=1))
    values, vectors = eigh(D - Wd, D, subset_by_index=[0, 3])      # SciPy's generalised solver, D-normalised
    assert values[0] == pytest.approx(0.0, abs=1e-10)
    np.testing.assert_allclose(model.eigenvalues_, values[1:], rtol=1e-8, atol=1e-12)
    assert_same_up_to_sign(model.embedding_, vectors[:, 1:], atol=1e-8)
    reference = sk_manifold.SpectralEmbedding(n_components=3, affinity="precomputed", random_state=0).fit(W)
    assert procrustes(model.embedding_, reference.embedding_)[2] <= 1e-6
    # the same graph built inside the estimator
    inside = LaplacianEigenmaps(n_components=3, affinity="gaussian", n_neighbors=8, sigma=3.0).fit(X)
    np.testing.assert_allclose(inside.embedding_, model.embedding_, atol=1e-10)


def test_laplacian_eigenmaps_bad_input():
    W = np.zeros((6, 6))
    W[:3, :3] = W[3:, 3:] = 1.0
    with pytest.raises(ValueError, match="2 connected components"):
        LaplacianEigenmaps(1, affinity="precomputed").fit(W)
    with pytest.raises(ValueError, match="symmetric"):
        LaplacianEigenmaps(1, affinity="precomputed").fit(np.triu(np.ones((4, 4)), 1))
    with pytest.raises(ValueError, match="square"):
        LaplacianEigenmaps(1, affinity="precomputed").fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="n_components"):
        LaplacianEigenmaps(5, affinity="precomputed").fit(np.ones((5, 5)))
    with pytest.raises(ValueError, match="NaN"):
        LaplacianEigenmaps(affinity="precomputed").fit(np.full((4, 4), np.nan))


# --- diffusion maps ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_neighbors, alpha", [(None, 0.0), (12, 0.0), (None, 1.0), (12, 0.5)])
def test_diffusion_map_eigenvectors_are_right_eigenvectors_of_p(n_neighbors, alpha):
    X, _ = make_s_curve(n_samples=250, random_state=0)
    model = DiffusionMap(n_components=3, sigma=0.5, n_neighbors=n_neighbors, alpha=alpha, diffusion_time=2).fit(X)
    W = model.affinity_matrix_
    W = W.toarray() if sparse.issparse(W) else W
    P = W / W.sum(axis=1, keepdims=True)
    mu = np.sort(np.linalg.eigvals(P).real)[::-1]
    np.testing.assert_allclose(model.eigenvalues_, mu[1:4], rtol=1e-8)
    np.testing.assert_allclose(P @ model.eigenvectors_, model.eigenvectors_ * model.eigenvalues_, atol=1e-9)
    np.testing.assert_allclose(model.embedding_, model.eigenvectors_ * model.eigenvalues_ ** 2)
    # psi^T D psi = vol(G): the trivial eigenvector would be the constant 1
    d = W.sum(axis=1)
    np.testing.assert_allclose(np.sum(d[:, None] * model.eigenvectors_ ** 2, axis=0), d.sum(), rtol=1e-8)


@pytest.mark.parametrize("t", [1, 3])
def test_diffusion_map_with_all_coordinates_gives_the_diffusion_distances(t):
    """With all n - 1 coordinates the map's distances are D_t(i, j)^2 = sum_l ((P^t)_il - (P^t)_jl)^2 / pi_l."""
    X = np.random.default_rng(3).normal(size=(40, 2))
    model = DiffusionMap(n_components=39, sigma=0.8, n_neighbors=None, diffusion_time=t).fit(X)
    W = model.affinity_matrix_
    d = W.sum(axis=1)
    walk = np.linalg.matrix_power(W / d[:, None], t)
    definition = np.sqrt(np.sum((walk[:, None, :] - walk[None, :, :]) ** 2 / (d / d.sum()), axis=-1))
    np.testing.assert_allclose(cdist(model.embedding_, model.embedding_), definition, atol=1e-9)
    # two coordinates only approximate it, from below
    two = cdist(model.embedding_[:, :2], model.embedding_[:, :2])
    assert np.all(two <= definition + 1e-9) and not np.allclose(two, definition, atol=1e-3)


def test_diffusion_map_density_normalisation():
    X, _ = make_s_curve(n_samples=200, random_state=1)
    kernel = graphs.gaussian_affinity(X, 0.6)
    q = kernel.sum(axis=1)
    model = DiffusionMap(sigma=0.6, n_neighbors=None, alpha=1.0).fit(X)
    np.testing.assert_allclose(model.affinity_matrix_, kernel / np.outer(q, q), rtol=1e-12)


def test_diffusion_map_bad_input():
    X = np.vstack([np.zeros((5, 2)), 50 + np.random.default_rng(0).normal(size=(5, 2))])
    with pytest.raises(ValueError, match="connected components.*sigma"):
        DiffusionMap(n_neighbors=None, sigma=0.5).fit(X)
    with pytest.raises(ValueError, match="alpha"):
        DiffusionMap(alpha=2).fit(X)
    with pytest.raises(ValueError, match="n_components"):
        DiffusionMap(n_components=10, n_neighbors=None).fit(X)


def test_manifold_still_re_exports_tsne():
    from course_utils.tsne import TSNE

    assert manifold.TSNE is TSNE
    with pytest.raises(AttributeError):
        manifold.NotAnEstimator


# --- scikit-learn's estimator checks ----------------------------------------------------------------------------

# The checks below fit on scikit-learn's blob data: a few tight clusters far apart. Their k-nearest-neighbour
# graph falls apart into one component per blob, and the graph embeddings refuse such a graph by design with a
# ValueError that says so (scikit-learn's Isomap instead adds edges between the pieces and warns; its
# SpectralEmbedding warns and returns an embedding that only separates the pieces). The same checks pass for
# ClassicalMDS, which needs no graph. Raising n_neighbors does not help: other checks fit on 10 samples.
_DISCONNECTED_BLOBS = "the check's blob data give a neighbour graph with several components, refused by design"
_GRAPH_CHECKS = ["check_positive_only_tag_during_fit", "check_pipeline_consistency", "check_estimators_pickle",
                 "check_estimators_pickle(readonly_memmap=True)"]
_TRANSFORMER_CHECKS = ["check_transformer_data_not_an_array", "check_transformer_general",
                       "check_transformer_preserve_dtypes", "check_transformer_general(readonly_memmap=True)"]


def expected_failed_checks(estimator):
    if isinstance(estimator, ClassicalMDS):
        return {}
    names = _GRAPH_CHECKS + (_TRANSFORMER_CHECKS if isinstance(estimator, Isomap) else [])
    return {name: _DISCONNECTED_BLOBS for name in names}


@parametrize_with_checks([ClassicalMDS(), Isomap(), LaplacianEigenmaps(n_neighbors=5), DiffusionMap(n_neighbors=5)],
                         expected_failed_checks=expected_failed_checks)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
