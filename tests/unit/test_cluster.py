"""course_utils.cluster.SpectralClustering against k-means, scikit-learn and the definitions (notebook 03)."""

import numpy as np
import pytest
from scipy.linalg import eigh
from scipy.sparse import csgraph
from sklearn.cluster import KMeans
from sklearn.cluster import SpectralClustering as SklearnSpectralClustering
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from course_utils.cluster import SpectralClustering, spectral_rows

DATASETS = {
    "circles": lambda seed: make_circles(n_samples=600, factor=0.5, noise=0.05, random_state=seed),
    "moons": lambda seed: make_moons(n_samples=600, noise=0.06, random_state=seed),
}


@pytest.mark.parametrize("name", sorted(DATASETS))
@pytest.mark.parametrize("seed", [0, 1])
def test_spectral_clustering_separates_what_k_means_cannot(name, seed):
    X, y = DATASETS[name](seed)
    labels = SpectralClustering(n_clusters=2, n_neighbors=10, random_state=seed).fit_predict(X)
    assert adjusted_rand_score(y, labels) >= 0.99
    k_means = KMeans(n_clusters=2, n_init=10, random_state=seed).fit_predict(X)
    assert adjusted_rand_score(y, k_means) < 0.6


def test_spectral_clustering_agrees_with_scikit_learn_on_blobs():
    X, y = make_blobs(n_samples=500, centers=4, cluster_std=1.0, random_state=3)
    ours = SpectralClustering(n_clusters=4, n_neighbors=10, random_state=0).fit(X)
    reference = SklearnSpectralClustering(n_clusters=4, affinity="nearest_neighbors", n_neighbors=10,
                                          random_state=0).fit_predict(X)
    assert adjusted_rand_score(reference, ours.labels_) >= 0.99
    assert adjusted_rand_score(y, ours.labels_) >= 0.95
    np.testing.assert_array_equal(ours.labels_, ours.fit_predict(X))      # deterministic with a seed


def test_spectral_rows_are_the_bottom_of_l_sym_row_normalised():
    X, _ = make_moons(n_samples=500, noise=0.05, random_state=0)     # above the dense limit: ARPACK
    model = SpectralClustering(n_clusters=3, n_neighbors=8, random_state=0).fit(X)
    W = model.affinity_matrix_.toarray()
    _, U = eigh(csgraph.laplacian(W, normed=True), subset_by_index=[0, 2])
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    R, _, _, _ = np.linalg.lstsq(model.embedding_, U, rcond=None)   # the same subspace: equal up to rotation
    np.testing.assert_allclose(model.embedding_ @ R, U, atol=1e-7)
    np.testing.assert_allclose(R.T @ R, np.eye(3), atol=1e-7)
    np.testing.assert_allclose(np.linalg.norm(model.embedding_, axis=1), 1.0)
    rows = spectral_rows(W, 3, random_state=1)
    R, _, _, _ = np.linalg.lstsq(rows, U, rcond=None)
    np.testing.assert_allclose(rows @ R, U, atol=1e-7)


def test_spectral_clustering_bad_input():
    X = np.vstack([np.random.default_rng(s).normal(size=(20, 2)) + 100 * s for s in range(3)])
    with pytest.raises(ValueError, match=r"3 connected components.*increase n_neighbors"):
        SpectralClustering(n_clusters=2, n_neighbors=5).fit(X)
    labels = SpectralClustering(n_clusters=3, n_neighbors=5, random_state=0).fit_predict(X)
    assert adjusted_rand_score(np.repeat([0, 1, 2], 20), labels) == 1.0    # components are the clusters
    with pytest.raises(ValueError, match="n_neighbors"):
        SpectralClustering(n_clusters=2, n_neighbors=60).fit(X)
    with pytest.raises(ValueError, match="n_clusters"):
        SpectralClustering(n_clusters=61).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        SpectralClustering(n_clusters=2).fit(np.full((20, 2), np.nan))


# The checks fit on blob data whose neighbour graph has one component per blob (at most 3 of them), so with
# n_clusters=3 the graph never has more components than clusters: every check applies and none is tagged.
@parametrize_with_checks([SpectralClustering(n_clusters=3, n_neighbors=5, random_state=0)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
