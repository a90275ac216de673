"""course_utils.linalg against dense NumPy/SciPy computations and closed forms."""

import numpy as np
import pytest
from scipy import linalg as sla

from course_utils import linalg

rng = np.random.default_rng(0)


@pytest.mark.parametrize("n, m", [(1, 1), (5, 3), (3, 5), (40, 40)])
def test_diagonal_products_equal_dense_products(n, m):
    d, v = rng.normal(size=n), rng.normal(size=n)
    A, B = rng.normal(size=(n, m)), rng.normal(size=(m, n))
    np.testing.assert_allclose(linalg.diag_matvec(d, v), np.diag(d) @ v, rtol=1e-14)
    np.testing.assert_allclose(linalg.scale_rows(d, A), np.diag(d) @ A, rtol=1e-14)
    np.testing.assert_allclose(linalg.scale_columns(B, d), B @ np.diag(d), rtol=1e-14)


def test_diagonal_products_scale_to_a_million_entries():
    d = rng.uniform(1, 2, 10**6)
    np.testing.assert_allclose(linalg.diag_solve(d, d), np.ones(10**6))
    np.testing.assert_allclose(linalg.diag_matvec(d, 1 / d), np.ones(10**6))


@pytest.mark.parametrize("shape", [(6,), (6, 2), (6, 6)])
def test_diag_solve_matches_scipy_solve(shape):
    d = rng.uniform(0.5, 2, 6) * rng.choice([-1, 1], 6)
    b = rng.normal(size=shape)
    np.testing.assert_allclose(linalg.diag_solve(d, b), sla.solve(np.diag(d), b), rtol=1e-12)


def test_diag_solve_rejects_a_singular_diagonal():
    with pytest.raises(ValueError, match="singular"):
        linalg.diag_solve([1.0, 0.0], [1.0, 1.0])


@pytest.mark.parametrize("bad, match", [([1.0, np.nan], "NaN"), ([1.0, np.inf], "infinity"),
                                        ([[1.0, 2.0]], "1-D")])
def test_bad_diagonal_is_named(bad, match):
    with pytest.raises(ValueError, match=match):
        linalg.diag_matvec(bad, [1.0, 2.0])


def test_length_mismatch_is_explained():
    with pytest.raises(ValueError, match="must match"):
        linalg.scale_rows([1.0, 2.0], np.ones((3, 2)))


def test_rotation_is_counter_clockwise_and_orthogonal():
    theta = 0.7
    R = linalg.rotation_matrix(theta)
    # Closed form: e_x goes to (cos t, sin t), i.e. counter-clockwise.
    np.testing.assert_allclose(R @ [1.0, 0.0], [np.cos(theta), np.sin(theta)])
    np.testing.assert_allclose(R @ R.T, np.eye(2), atol=1e-15)
    # Agrees with the matrix exponential of the rotation generator.
    np.testing.assert_allclose(R, sla.expm(theta * np.array([[0.0, -1.0], [1.0, 0.0]])), atol=1e-14)
    assert linalg.is_orthogonal(R) and linalg.is_normal(R)


def test_solve_orthogonal_matches_solve_and_rejects_non_orthogonal():
    U, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    B = rng.normal(size=(8, 3))
    np.testing.assert_allclose(linalg.solve_orthogonal(U, B), np.linalg.solve(U, B), atol=1e-12)
    with pytest.raises(ValueError, match="not orthogonal"):
        linalg.solve_orthogonal(np.array([[2.0, 0.0], [0.0, 1.0]]), [1.0, 1.0])


def test_is_normal_distinguishes_normal_from_non_normal():
    B = rng.normal(size=(4, 3))
    assert linalg.is_normal(B @ B.T) and linalg.is_normal(B.T @ B)
    assert not linalg.is_normal(np.array([[2.0, 1.0], [0.0, 3.0]]))


def test_sorted_eigh_is_descending_and_reassembles():
    G = rng.normal(size=(6, 6))
    S = G + G.T
    values, vectors = linalg.sorted_eigh(S)
    np.testing.assert_allclose(values, np.sort(sla.eigvalsh(S))[::-1], rtol=1e-12)
    np.testing.assert_allclose(vectors @ np.diag(values) @ vectors.T, S, atol=1e-12)
    with pytest.raises(ValueError, match="symmetric"):
        linalg.sorted_eigh(np.array([[1.0, 2.0], [0.0, 1.0]]))


def test_gaussian_factor_reproduces_the_covariance_with_orthogonal_columns():
    G = rng.normal(size=(4, 4))
    cov = G @ G.T
    A = linalg.gaussian_factor(cov)
    np.testing.assert_allclose(A @ A.T, cov, atol=1e-12)
    gram = A.T @ A
    np.testing.assert_allclose(gram, np.diag(np.diag(gram)), atol=1e-12)
    with pytest.raises(ValueError, match="positive semi-definite"):
        linalg.gaussian_factor(np.array([[1.0, 2.0], [2.0, 1.0]]))


def test_sample_gaussian_moments_converge():
    cov = np.array([[2.0, 0.8], [0.8, 1.0]])
    mean = np.array([1.0, -2.0])
    x = linalg.sample_gaussian(mean, cov, 200_000, random_state=1)
    # Standard error of a covariance entry at n = 2e5 is below 0.01.
    np.testing.assert_allclose(x.mean(axis=0), mean, atol=0.02)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.03)
    with pytest.raises(ValueError, match="n_samples"):
        linalg.sample_gaussian(mean, cov, 0)


@pytest.mark.parametrize("shape, k", [((7, 7), 3), ((9, 4), 2), ((4, 9), 4), ((5, 5), 0)])
def test_low_rank_approximation_meets_eckart_young(shape, k):
    A = rng.normal(size=shape)
    Ak = linalg.low_rank_approximation(A, k)
    s = sla.svdvals(A)
    assert np.linalg.matrix_rank(Ak, tol=1e-10) == k
    np.testing.assert_allclose(np.linalg.norm(A - Ak), np.sqrt(np.sum(s[k:] ** 2)), rtol=1e-10, atol=1e-12)
    if k < len(s):
        np.testing.assert_allclose(np.linalg.norm(A - Ak, 2), s[k], rtol=1e-10)
    with pytest.raises(ValueError, match="k must be"):
        linalg.low_rank_approximation(A, min(shape) + 1)
