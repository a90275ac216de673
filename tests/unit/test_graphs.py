"""course_utils.graphs against scikit-learn, SciPy and the definitions (notebook 03, sections 1-4)."""

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial.distance import cdist
from sklearn.datasets import make_swiss_roll
from sklearn.neighbors import kneighbors_graph, radius_neighbors_graph

from course_utils import graphs


def random_weights(rng, n, density=0.3):
    A = rng.random((n, n)) * (rng.random((n, n)) < density)
    W = np.triu(A, 1)
    return W + W.T


# --- graphs from data -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["connectivity", "distance"])
def test_knn_graph_matches_scikit_learn_and_symmetrises(mode):
    X = np.random.default_rng(0).normal(size=(60, 4))
    directed = kneighbors_graph(X, 5, mode=mode).toarray()
    ours = graphs.knn_graph(X, 5, mode=mode, symmetrize=None)
    assert sparse.issparse(ours)
    np.testing.assert_allclose(ours.toarray(), directed)
    np.testing.assert_allclose(graphs.knn_graph(X, 5, mode=mode).toarray(), np.maximum(directed, directed.T))
    np.testing.assert_allclose(graphs.knn_graph(X, 5, mode=mode, symmetrize="min").toarray(),
                               np.minimum(directed, directed.T))
    np.testing.assert_allclose(graphs.knn_graph(X, 5, mode=mode, symmetrize="mean").toarray(),
                               (directed + directed.T) / 2)
    # every point has at least its own k neighbours
    assert np.all((graphs.knn_graph(X, 5, mode=mode).toarray() > 0).sum(axis=1) >= 5)


def test_knn_graph_with_self_matches_scikit_learn():
    X = np.random.default_rng(1).normal(size=(40, 3))
    reference = kneighbors_graph(X, 6, include_self=True).toarray()
    np.testing.assert_allclose(graphs.knn_graph(X, 6, include_self=True, symmetrize=None).toarray(), reference)


def test_epsilon_graph_is_every_pair_closer_than_epsilon():
    X = np.random.default_rng(2).normal(size=(50, 2))
    D = cdist(X, X)
    A = graphs.epsilon_graph(X, 0.7).toarray()
    expected = ((D <= 0.7) & ~np.eye(50, dtype=bool)).astype(float)
    np.testing.assert_array_equal(A, expected)
    np.testing.assert_allclose(graphs.epsilon_graph(X, 0.7, mode="distance").toarray(),
                               radius_neighbors_graph(X, 0.7, mode="distance").toarray())


def test_gaussian_affinity_dense_and_on_a_graph():
    X = np.random.default_rng(3).normal(size=(30, 3))
    sq = cdist(X, X, "sqeuclidean")
    expected = np.exp(-sq / (2 * 0.8**2))
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(graphs.gaussian_affinity(X, 0.8), expected, rtol=1e-12, atol=1e-14)
    G = graphs.knn_graph(X, 4)
    sparse_W = graphs.gaussian_affinity(X, 0.8, graph=G)
    assert sparse.issparse(sparse_W)
    np.testing.assert_allclose(sparse_W.toarray(), expected * (G.toarray() > 0), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("bad", [0.0, -1.0, "wide"])
def test_gaussian_affinity_rejects_bad_sigma(bad):
    with pytest.raises(ValueError, match="sigma"):
        graphs.gaussian_affinity(np.ones((3, 2)), bad)


def test_knn_graph_rejects_too_many_neighbours_and_nan():
    with pytest.raises(ValueError, match="n_neighbors"):
        graphs.knn_graph(np.random.default_rng(0).normal(size=(5, 2)), 5)
    X = np.ones((5, 2))
    X[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        graphs.knn_graph(X, 2)


# --- Laplacians -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("as_sparse", [False, True])
@pytest.mark.parametrize("kind, normed", [("unnormalized", False), ("symmetric", True)])
def test_laplacian_matches_scipy(as_sparse, kind, normed):
    rng = np.random.default_rng(4)
    W = random_weights(rng, 25)
    W[3, :] = W[:, 3] = 0.0                   # an isolated node
    np.fill_diagonal(W, rng.random(25))      # self-loops: ignored by both
    given = sparse.csr_matrix(W) if as_sparse else W
    ours = graphs.laplacian(given, kind)
    assert sparse.issparse(ours) == as_sparse
    ours = ours.toarray() if as_sparse else ours
    np.testing.assert_allclose(ours, csgraph.laplacian(W, normed=normed), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("as_sparse", [False, True])
def test_random_walk_laplacian_is_d_inverse_l(as_sparse):
    W = random_weights(np.random.default_rng(5), 20, density=0.6)
    d = W.sum(axis=1)
    assert np.all(d > 0)
    expected = np.eye(20) - W / d[:, None]
    ours = graphs.laplacian(sparse.csr_matrix(W) if as_sparse else W, "random_walk")
    np.testing.assert_allclose(ours.toarray() if as_sparse else ours, expected, rtol=1e-12, atol=1e-14)
    # similar to L_sym, so the same spectrum
    L_sym = csgraph.laplacian(W, normed=True)
    np.testing.assert_allclose(np.sort(np.linalg.eigvals(expected).real), np.linalg.eigvalsh(L_sym), atol=1e-10)


@pytest.mark.parametrize("kind", ["unnormalized", "symmetric", "random_walk"])
def test_zero_eigenvalues_count_connected_components(kind):
    rng = np.random.default_rng(6)
    blocks = [random_weights(rng, m, density=0.8) for m in (6, 9, 4)]
    W = np.zeros((19, 19))
    start = 0
    for block in blocks:
        W[start:start + len(block), start:start + len(block)] = block
        start += len(block)
    perm = rng.permutation(19)
    W = W[np.ix_(perm, perm)]
    expected, _ = csgraph.connected_components(W, directed=False)
    assert expected == 3
    eigenvalues = np.linalg.eigvals(graphs.laplacian(W, kind)).real
    assert np.all(eigenvalues > -1e-10)                 # positive semi-definite
    assert int(np.sum(np.abs(eigenvalues) < 1e-9)) == expected
    assert graphs.connected_components(W)[0] == expected


@pytest.mark.parametrize("W, match", [
    (np.ones((3, 4)), "square"),
    (np.array([[0.0, 1.0], [0.0, 0.0]]), "symmetric"),
    (np.array([[0.0, -1.0], [-1.0, 0.0]]), "non-negative"),
    (np.array([[0.0, np.nan], [np.nan, 0.0]]), "NaN"),
])
def test_laplacian_rejects_bad_adjacency(W, match):
    with pytest.raises(ValueError, match=match):
        graphs.laplacian(W)
    with pytest.raises(ValueError, match="kind"):
        graphs.laplacian(np.zeros((2, 2)), kind="normalised")


def test_check_connected_explains_the_fix():
    W = np.zeros((4, 4))
    W[0, 1] = W[1, 0] = W[2, 3] = W[3, 2] = 1.0
    with pytest.raises(ValueError, match=r"2 connected components.*increase n_neighbors"):
        graphs.check_connected(W, method="Isomap")
    graphs.check_connected(np.ones((3, 3)) - np.eye(3), method="Isomap")


# --- centring and geodesics -------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 7])
def test_centering_matrix_is_a_symmetric_idempotent_projection(n):
    H = graphs.centering_matrix(n)
    np.testing.assert_allclose(H, H.T)
    np.testing.assert_allclose(H @ H, H, atol=1e-14)
    np.testing.assert_allclose(H @ np.ones(n), 0.0, atol=1e-14)
    X = np.random.default_rng(n).normal(size=(n, 3))
    np.testing.assert_allclose(H @ X, X - X.mean(axis=0), atol=1e-14)
    with pytest.raises(ValueError, match="n"):
        graphs.centering_matrix(0)


def test_double_center_equals_the_formula_and_the_gram_matrix():
    X = np.random.default_rng(7).normal(size=(12, 3))
    D2 = cdist(X, X, "sqeuclidean")
    H = np.eye(12) - 1 / 12
    np.testing.assert_allclose(graphs.double_center(D2), -0.5 * H @ D2 @ H, atol=1e-12)
    Xc = X - X.mean(axis=0)
    np.testing.assert_allclose(graphs.double_center(D2), Xc @ Xc.T, atol=1e-12)


def test_geodesic_distances_follow_the_roll():
    X, t = make_swiss_roll(n_samples=400, random_state=0)
    G = graphs.knn_graph(X, 8, mode="distance", symmetrize=None)
    ours = graphs.geodesic_distances(G)
    np.testing.assert_allclose(ours, csgraph.shortest_path(G, method="FW", directed=False), rtol=1e-12)
    np.testing.assert_allclose(ours, ours.T)
    assert np.all(ours >= cdist(X, X) - 1e-9)            # a path is never shorter than the straight line
    # against the true distance along the rolled-up sheet (arc length of the spiral, and height)
    arc = 0.5 * (t * np.sqrt(1 + t**2) + np.arcsinh(t))
    along = np.hypot(arc[:, None] - arc[None, :], X[:, None, 1] - X[None, :, 1])
    off_diagonal = ~np.eye(len(X), dtype=bool)
    assert 0.95 < np.median(ours[off_diagonal] / along[off_diagonal]) < 1.1
    straight = np.corrcoef(cdist(X, X)[off_diagonal], along[off_diagonal])[0, 1]
    assert np.corrcoef(ours[off_diagonal], along[off_diagonal])[0, 1] > straight + 0.2


def test_geodesic_distances_unreachable_is_inf():
    W = sparse.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 0], [0, 0, 0]]))
    assert np.isinf(graphs.geodesic_distances(W)[0, 2])
    with pytest.raises(ValueError, match="non-negative"):
        graphs.geodesic_distances(-W)
