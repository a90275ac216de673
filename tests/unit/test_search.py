"""course_utils.search against FAISS, hnswlib-free exact references and brute force (notebook 06, section 6)."""

import subprocess
import sys

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.datasets import make_blobs

from course_utils import search
from course_utils.search import FlatIndex, HNSWIndex, IVFIndex, PQIndex, recall_at_k

faiss = pytest.importorskip("faiss")
faiss.omp_set_num_threads(1)


@pytest.fixture(scope="module")
def clustered():
    X, _ = make_blobs(n_samples=6000, n_features=16, centers=30, cluster_std=2.0, random_state=0)
    X = X.astype(np.float32)
    Q = X[:150] + np.random.default_rng(1).normal(0, 0.5, (150, 16)).astype(np.float32)
    return X, Q


@pytest.fixture(scope="module")
def exact(clustered):
    X, Q = clustered
    index = faiss.IndexFlatL2(X.shape[1])
    index.add(X)
    return index.search(Q, 10)


def test_package_import_does_not_pull_torch():
    code = "import sys, course_utils, course_utils.search; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- building blocks -------------------------------------------------------------------------------------------

def test_squared_distances_match_scipy():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(7, 5)), rng.normal(size=(9, 5))
    np.testing.assert_allclose(search.squared_distances(A, B), cdist(A, B, "sqeuclidean"), rtol=1e-10, atol=1e-12)
    assert np.all(search.squared_distances(A, A) >= 0)


def test_top_k_sorts_and_pads():
    D = np.array([[3.0, 1.0, 2.0], [0.5, 0.25, 4.0]])
    distances, ids = search.top_k(D, 5)
    np.testing.assert_array_equal(ids, [[1, 2, 0, -1, -1], [1, 0, 2, -1, -1]])
    np.testing.assert_allclose(distances[:, :3], [[1, 2, 3], [0.25, 0.5, 4]])
    assert np.all(distances[:, 3:] == search.MISSING_DISTANCE)
    assert distances.dtype == np.float32 and ids.dtype == np.int64


@pytest.mark.parametrize("found, true, k, expected", [
    ([[1, 2, 3]], [[3, 2, 1]], None, 1.0),
    ([[1, 5, 6], [7, 8, 9]], [[1, 2, 3], [9, 8, 7]], None, (1 / 3 + 1) / 2),
    ([[1, 2, -1]], [[1, 2, 3]], None, 2 / 3),
    ([[2, 1, 9]], [[1, 2, 3]], 2, 1.0),
])
def test_recall_at_k_by_hand(found, true, k, expected):
    assert recall_at_k(np.array(found), np.array(true), k) == pytest.approx(expected)


def test_recall_at_k_rejects_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        recall_at_k(np.array([1, 2]), np.array([[1, 2]]))
    with pytest.raises(ValueError, match="one row per query"):
        recall_at_k(np.zeros((2, 3), int), np.zeros((3, 3), int))
    with pytest.raises(ValueError, match="larger than"):
        recall_at_k(np.zeros((2, 3), int), np.zeros((2, 3), int), k=4)


def test_kmeans_matches_faiss_quality(clustered):
    X, _ = clustered
    ours = search.kmeans(X, 30, n_iter=20, random_state=0)
    km = faiss.Kmeans(X.shape[1], 30, niter=20, seed=0)
    km.train(X)
    ours_inertia = np.sum(np.min(cdist(X, ours, "sqeuclidean"), axis=1))
    faiss_inertia = np.sum(np.min(cdist(X, km.centroids, "sqeuclidean"), axis=1))
    assert ours_inertia <= 1.25 * faiss_inertia


def test_assign_is_the_nearest_centroid():
    rng = np.random.default_rng(3)
    X, C = rng.normal(size=(200, 6)), rng.normal(size=(12, 6))
    np.testing.assert_array_equal(search.assign(X, C), np.argmin(cdist(X, C), axis=1))


# --- the indexes --------------------------------------------------------------------------------------------------

def test_flat_equals_faiss(clustered, exact):
    X, Q = clustered
    index = FlatIndex(X.shape[1])
    index.add(X[:2500])
    index.add(X[2500:])                                   # adding in two parts numbers the vectors on
    distances, ids = index.search(Q, 10)
    np.testing.assert_array_equal(ids, exact[1])
    np.testing.assert_allclose(distances, exact[0], rtol=1e-4, atol=1e-3)
    assert distances.dtype == np.float32 and ids.dtype == np.int64


def test_flat_pads_like_faiss():
    X = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    ours, theirs = FlatIndex(4), faiss.IndexFlatL2(4)
    ours.add(X)
    theirs.add(X)
    d_ours, i_ours = ours.search(X[:2], 5)
    d_theirs, i_theirs = theirs.search(X[:2], 5)
    np.testing.assert_array_equal(i_ours, i_theirs)
    np.testing.assert_allclose(d_ours, d_theirs, rtol=1e-5, atol=1e-5)
    assert FlatIndex(4).search(X[:1], 2)[1].tolist() == [[-1, -1]]


def test_ivf_recall_grows_with_nprobe_and_is_exact_with_all_lists(clustered, exact):
    X, Q = clustered
    index = IVFIndex(X.shape[1], nlist=32, nprobe=1)
    index.train(X)
    index.add(X)
    assert index.list_sizes.sum() == len(X)
    recalls = []
    for nprobe in (1, 4, 32):
        index.nprobe = nprobe
        recalls.append(recall_at_k(index.search(Q, 10)[1], exact[1]))
    assert recalls[0] <= recalls[1] <= recalls[2]
    assert recalls[1] >= 0.9
    index.nprobe = 32
    distances, ids = index.search(Q, 10)
    np.testing.assert_array_equal(ids, exact[1])
    np.testing.assert_allclose(distances, exact[0], rtol=1e-4, atol=1e-3)


def test_ivf_lists_hold_the_vectors_of_their_cell(clustered):
    X, _ = clustered
    index = IVFIndex(X.shape[1], nlist=16)
    index.train(X[:3000])
    index.add(X[:1000])
    index.add(X[1000:2000])
    nearest = np.argmin(cdist(X[:2000], index.centroids), axis=1)
    for cell, ids in enumerate(index.list_ids):
        assert np.all(nearest[ids] == cell)
    assert sorted(np.concatenate(index.list_ids).tolist()) == list(range(2000))


def test_ivf_comparable_to_faiss(clustered, exact):
    X, Q = clustered
    ours = IVFIndex(X.shape[1], nlist=32, nprobe=2)
    ours.train(X)
    ours.add(X)
    quantizer = faiss.IndexFlatL2(X.shape[1])
    theirs = faiss.IndexIVFFlat(quantizer, X.shape[1], 32)
    theirs.train(X)
    theirs.add(X)
    theirs.nprobe = 2
    r_ours = recall_at_k(ours.search(Q, 10)[1], exact[1])
    r_theirs = recall_at_k(theirs.search(Q, 10)[1], exact[1])
    assert r_ours >= r_theirs - 0.05


def test_pq_encode_decode_and_distances(clustered, exact):
    X, Q = clustered
    index = PQIndex(X.shape[1], m=4, nbits=6)
    index.train(X[:3000])
    codes = index.encode(X[:5])
    assert codes.shape == (5, 4) and codes.dtype == np.uint8 and codes.max() < 64
    # each code is the nearest centroid of its piece
    for j in range(4):
        piece = X[:5, 4 * j:4 * (j + 1)]
        np.testing.assert_array_equal(codes[:, j], np.argmin(cdist(piece, index.codebooks[j]), axis=1))
    decoded = index.decode(codes)
    assert decoded.shape == (5, 16)
    index.add(X)
    distances, ids = index.search(Q[:20], 10)
    # the reported distances are the distances to the decoded vectors (asymmetric distance computation)
    reference = cdist(Q[:20], index.decode(index.codes), "sqeuclidean")
    np.testing.assert_allclose(distances, np.take_along_axis(reference, ids, axis=1), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(distances[:, 0], reference.min(axis=1), rtol=1e-4, atol=1e-3)


def test_pq_recall_comparable_to_faiss(clustered, exact):
    X, Q = clustered
    ours = PQIndex(X.shape[1], m=8, nbits=6)
    ours.train(X)
    ours.add(X)
    theirs = faiss.IndexPQ(X.shape[1], 8, 6)
    theirs.train(X)
    theirs.add(X)
    r_ours = recall_at_k(ours.search(Q, 10)[1], exact[1])
    r_theirs = recall_at_k(theirs.search(Q, 10)[1], exact[1])
    assert r_ours >= r_theirs - 0.05
    assert r_ours > 0.3


def test_hnsw_recall_against_exact(clustered, exact):
    X, Q = clustered
    index = HNSWIndex(X.shape[1], M=12, ef_construction=80, ef_search=10)
    index.add(X[:4000])
    index.add(X[4000:])
    assert index.counts0.max() <= 2 * index.M
    low = recall_at_k(index.search(Q, 10)[1], exact[1])
    index.ef_search = 80
    distances, ids = index.search(Q, 10)
    high = recall_at_k(ids, exact[1])
    assert high >= 0.95 and high >= low
    np.testing.assert_allclose(distances, np.take_along_axis(cdist(Q, X, "sqeuclidean"), ids, axis=1),
                               rtol=1e-4, atol=1e-3)
    assert np.all(np.diff(distances, axis=1) >= 0)


def test_hnsw_small_and_empty():
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    index = HNSWIndex(2, M=4, ef_construction=10, ef_search=10)
    assert index.search(X[:1], 3)[1].tolist() == [[-1, -1, -1]]
    index.add(X)
    distances, ids = index.search(X[:2], 8)
    assert ids[0, :6].tolist() == [0, 1, 2, 3, 4, 5] and ids[0, 6:].tolist() == [-1, -1]
    assert distances[1, 0] == 0 and ids[1, 0] == 1


# --- bad input ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: FlatIndex(4), lambda: HNSWIndex(4, M=4, ef_construction=8)])
def test_bad_vectors_are_rejected(make):
    index = make()
    with pytest.raises(ValueError, match="d = 4 columns"):
        index.add(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="1-D"):
        index.add(np.zeros(4))
    with pytest.raises(ValueError, match="NaN|infinity"):
        index.add(np.array([[0, 0, np.nan, 0]]))
    index.add(np.eye(4))
    with pytest.raises(ValueError, match="k must be at least 1"):
        index.search(np.eye(4), 0)
    with pytest.raises(TypeError, match="k must be an integer"):
        index.search(np.eye(4), 2.5)
    with pytest.raises(ValueError, match="Q must have d = 4"):
        index.search(np.eye(3), 1)


def test_bad_parameters_and_untrained_use():
    with pytest.raises(ValueError, match="d must be at least 1"):
        FlatIndex(0)
    with pytest.raises(ValueError, match="m must divide d"):
        PQIndex(10, m=3)
    with pytest.raises(ValueError, match="nbits"):
        PQIndex(8, m=2, nbits=20)
    with pytest.raises(ValueError, match="nlist must be at least 1"):
        IVFIndex(4, nlist=0)
    with pytest.raises(RuntimeError, match="trained"):
        IVFIndex(4, nlist=2).add(np.eye(4))
    with pytest.raises(RuntimeError, match="trained"):
        PQIndex(4, m=2, nbits=2).search(np.eye(4), 1)
    with pytest.raises(ValueError, match="at least k = 8"):
        IVFIndex(4, nlist=8).train(np.eye(4))


# --- the compiled searches against the NumPy ones -----------------------------------------------------------------

def test_keep_nearest_orders_by_distance_then_id():
    dist, ids = np.empty(3, np.float32), np.empty(3, np.int64)
    size = 0
    for d, i in [(5.0, 7), (2.0, 9), (2.0, 3), (9.0, 1), (5.0, 2), (1.0, 8)]:
        size = search._keep_nearest(dist, ids, size, 3, np.float32(d), i)
    assert size == 3
    np.testing.assert_array_equal(dist, [1.0, 2.0, 2.0])
    np.testing.assert_array_equal(ids, [8, 3, 9])


@pytest.mark.parametrize("nlist, nprobe, k", [(16, 1, 10), (16, 3, 5), (16, 16, 20), (40, 7, 1), (8, 2, 600)])
def test_ivf_compiled_search_equals_the_numpy_steps(clustered, nlist, nprobe, k):
    X, Q = clustered
    index = IVFIndex(X.shape[1], nlist=nlist, nprobe=nprobe)
    index.train(X[:3000])
    index.add(X[:500])                                # empty or tiny lists, several adds
    index.add(X[500:2000])
    fast_d, fast_i = index.search(Q, k)
    slow_d, slow_i = index.search_numpy(Q, k)
    assert fast_d.dtype == np.float32 and fast_i.dtype == np.int64
    assert_same_neighbours(X[:2000], Q, (fast_d, fast_i), (slow_d, slow_i))


def assert_same_neighbours(X, Q, fast, slow, rtol=1e-5):
    """The two searches found the same neighbours at the same distances, up to float32 rounding: the
    distances agree, each reported distance is the true one (float64) of the reported id, and the ids are
    equal except between neighbours whose distances tie within rounding."""
    (fast_d, fast_i), (slow_d, slow_i) = fast, slow
    found = fast_i >= 0
    np.testing.assert_array_equal(found, slow_i >= 0)
    # search_numpy expands ||q||^2 - 2 q.x + ||x||^2: its rounding is relative to the norms, not the distance
    scale = rtol * ((Q.astype(np.float64) ** 2).sum(axis=1) + (X.astype(np.float64) ** 2).sum(axis=1).max())
    scale = np.broadcast_to(scale[:, None], slow_d.shape)
    np.testing.assert_array_less(np.abs(fast_d - slow_d)[found], scale[found])
    true = ((Q[:, None, :].astype(np.float64) - X[np.where(found, fast_i, 0)]) ** 2).sum(axis=2)
    np.testing.assert_allclose(fast_d[found], true[found], rtol=rtol, atol=1e-6)
    close_to_another = np.zeros_like(found)
    gaps = np.diff(slow_d, axis=1) <= 2 * scale[:, 1:]
    close_to_another[:, 1:] |= gaps
    close_to_another[:, :-1] |= gaps
    differs = (fast_i != slow_i) & found
    assert not np.any(differs & ~close_to_another), "an id differs where no tie explains it"
    assert np.mean(differs) < 0.01


def test_ivf_compiled_search_pads_and_handles_an_empty_index():
    X = np.random.default_rng(2).normal(size=(40, 3)).astype(np.float32)
    index = IVFIndex(3, nlist=4, nprobe=1)
    index.train(X)
    assert index.search(X[:2], 3)[1].tolist() == [[-1, -1, -1]] * 2
    index.add(X[:6])
    fast, slow = index.search(X[:5], 8), index.search_numpy(X[:5], 8)
    assert_same_neighbours(X[:6], X[:5], fast, slow)
    assert np.all(fast[1][fast[0] == search.MISSING_DISTANCE] == -1)


def lexicographic_top_k(D, k):
    """The k smallest entries of each row, ties broken by the lower column (an independent reference)."""
    rows = [np.lexsort((np.arange(D.shape[1]), row))[:k] for row in D]
    return np.take_along_axis(D, np.array(rows), axis=1), np.array(rows)


@pytest.mark.parametrize("m, nbits", [(4, 4), (8, 6), (2, 8)])
def test_pq_compiled_search_equals_the_table_sums(clustered, m, nbits):
    X, Q = clustered
    index = PQIndex(X.shape[1], m=m, nbits=nbits, n_iter=5)
    index.train(X[:3000])
    index.add(X)
    fast_d, fast_i = index.search(Q, 10)
    slow_d, slow_i = index.search_numpy(Q, 10)
    np.testing.assert_array_equal(fast_d, slow_d)     # each sum in the same order: the same float32 numbers
    # equal codes give equal distances: the compiled search orders ties by id, as the reference below
    tables = index._tables(Q)
    D = np.zeros((len(Q), index.ntotal), dtype=np.float32)
    for j in range(m):
        D += tables[:, j, :][:, index.codes[:, j].astype(np.intp)]
    ref_d, ref_i = lexicographic_top_k(D, 10)
    np.testing.assert_array_equal(fast_d, ref_d)
    np.testing.assert_array_equal(fast_i, ref_i)
    # where no other vector has the same distance, the NumPy steps return the same id
    unique = np.array([[np.sum(row == d) == 1 for d in found] for row, found in zip(D, fast_d)])
    np.testing.assert_array_equal(fast_i[unique], slow_i[unique])


def test_hnsw_heaps_sort_like_numpy():
    rng = np.random.default_rng(4)
    keys = rng.normal(size=50).astype(np.float32)
    heap_k, heap_v = np.empty(50, np.float32), np.empty(50, np.int64)
    size = 0
    for value, key in enumerate(keys):
        size = search._heap_push(heap_k, heap_v, size, key, value)
    popped = []
    while size:
        popped.append(heap_v[0])
        size = search._heap_pop(heap_k, heap_v, size)
    np.testing.assert_array_equal(popped, np.argsort(keys, kind="stable"))


def test_hnsw_with_a_large_ef_is_exact_on_a_small_graph():
    X = np.random.default_rng(5).normal(size=(300, 6)).astype(np.float32)
    index = HNSWIndex(6, M=8, ef_construction=40, ef_search=300)
    index.add(X)
    distances, ids = index.search(X[:30] + 0.01, 12)
    true = cdist(X[:30] + 0.01, X, "sqeuclidean")
    np.testing.assert_array_equal(ids, np.argsort(true, axis=1)[:, :12])
    np.testing.assert_allclose(distances, np.sort(true, axis=1)[:, :12], rtol=1e-4, atol=1e-5)
