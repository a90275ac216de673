"""Notebook 01: typical wrong answers (applied to the solution by the grading round trip), what each exercise
asks (its requirements table) and differently written correct answers (see tests/grading/exercises.py)."""

from tests.grading.course import Variant
from tests.grading.exercises import Alternative, Requirement

ASSIGNMENT = "01_eigendecomposition"

DENSE = "Your code built a dense n x n matrix: with n = 10**6 it does not fit in memory."

VARIANTS = [
    # Exercise 1: products with a diagonal matrix
    Variant("nb01_ex1_answer", "scale_rows scales the columns (transposed broadcast)",
            {"return d[:, np.newaxis] * A": "return A * d[np.newaxis, :]"}),
    Variant("nb01_ex1_answer", "builds the dense diag(d) (fine for n = 3, impossible for n = 10**6)",
            {"return d * v": "return np.diag(d) @ v"}),
    Variant("nb01_ex1_answer", "calls the course's own implementation",
            {"return A * d[np.newaxis, :]": "return linalg.scale_columns(A, d)"}),
    Variant("nb01_ex1_answer", "scale_columns scales the rows (d broadcast down the rows)",
            {"return A * d[np.newaxis, :]": "return A * d[:, np.newaxis]"}),
    Variant("nb01_ex1_answer", "converts integer input to floats",
            {"    return d * v\n": "    return np.asarray(d, dtype=float) * v\n"}),
    # Exercise 2: diagonal solve
    Variant("nb01_ex2_answer", "multiplies by d instead of dividing",
            {"return b / d\n": "return b * d\n"}),
    Variant("nb01_ex2_answer", "divides a matrix right-hand side along the wrong axis",
            {"return b / d[:, np.newaxis]": "return b / d"}),
    Variant("nb01_ex2_answer", "no check for a zero on the diagonal",
            {'raise ValueError("diag(d) is singular: d has a zero entry")': "pass"}),
    Variant("nb01_ex2_answer", "builds the dense diag(d) and solves with it",
            {"    if b.ndim == 1:\n        return b / d\n    return b / d[:, np.newaxis]":
             "    return np.diag(1 / d) @ b"}),
    Variant("nb01_ex2_answer", "calls the course's own diag_solve",
            {"    if b.ndim == 1:\n        return b / d\n    return b / d[:, np.newaxis]":
             "    return linalg.diag_solve(d, b)"}),
    # Exercise 3: rotation and orthogonal solve
    Variant("nb01_ex3_answer", "the lecture's clockwise matrix (minus sign below the diagonal)",
            {"return np.array([[c, -s], [s, c]])": "return np.array([[c, s], [-s, c]])"}),
    Variant("nb01_ex3_answer", "solves with numpy.linalg.solve instead of the transpose",
            {"return U.T @ B": "return np.linalg.solve(U, B)"}),
    Variant("nb01_ex3_answer", "multiplies by U instead of its transpose",
            {"return U.T @ B": "return U @ B"}),
    Variant("nb01_ex3_answer", "reads theta in degrees",
            {"c, s = np.cos(theta), np.sin(theta)": "c, s = np.cos(np.radians(theta)), np.sin(np.radians(theta))"}),
    Variant("nb01_ex3_answer", "B @ U: right for a vector B, wrong for a matrix",
            {"return U.T @ B": "return B @ U"}),
    Variant("nb01_ex3_answer", "calls the course's own rotation_matrix",
            {"c, s = np.cos(theta), np.sin(theta)\n    return np.array([[c, -s], [s, c]])":
             "return linalg.rotation_matrix(theta)"}),
    # Exercise 4: eigenpairs, largest first
    Variant("nb01_ex4_answer", "reverses the eigenvalues but not the eigenvector columns",
            {"return values[::-1], vectors[:, ::-1]": "return values[::-1], vectors"}),
    Variant("nb01_ex4_answer", "returns eigenvectors as rows (transposed)",
            {"return values[::-1], vectors[:, ::-1]": "return values[::-1], vectors[:, ::-1].T"}),
    Variant("nb01_ex4_answer", "keeps eigh's ascending order",
            {"return values[::-1], vectors[:, ::-1]": "return values, vectors"}),
    Variant("nb01_ex4_answer", "tests symmetry with exact equality (rejects a matrix symmetric up to rounding)",
            {"if not np.allclose(A, A.T):": "if not np.array_equal(A, A.T):"}),
    Variant("nb01_ex4_answer", "no check of symmetry",
            {'    if not np.allclose(A, A.T):\n        raise ValueError("A must be symmetric")\n': ""}),
    # Exercise 5: sampling a Gaussian
    Variant("nb01_ex5_answer", "uses the eigenvalues instead of their square roots (unnormalised)",
            {"np.sqrt(np.clip(values, 0, None))": "np.clip(values, 0, None)"}),
    Variant("nb01_ex5_answer", "multiplies z by A instead of A transposed",
            {"return mean + z @ gaussian_factor(cov).T": "return mean + z @ gaussian_factor(cov)"}),
    Variant("nb01_ex5_answer", "uses the Cholesky factor",
            {"values, vectors = np.linalg.eigh(cov)": "values, vectors = np.linalg.eigh(cov)\n    return np.linalg.cholesky(cov)"}),
    Variant("nb01_ex5_answer", "does not clip: the square root of a tiny negative eigenvalue is NaN",
            {"np.sqrt(np.clip(values, 0, None))": "np.sqrt(values)"}),
    Variant("nb01_ex5_answer", "raises for any negative eigenvalue, rounding errors included",
            {"if values.min() < -1e-10:": "if values.min() < 0:"}),
    Variant("nb01_ex5_answer", "a threshold of -1e-6 instead of -1e-10 (accepts an eigenvalue of -1e-8)",
            {"if values.min() < -1e-10:": "if values.min() < -1e-6:"}),
    Variant("nb01_ex5_answer", "the symmetric square root U sqrt(Lambda) U^T (A A^T = cov, but its columns are not "
                               "the scaled eigenvectors)",
            {"return vectors * np.sqrt(np.clip(values, 0, None))":
             "return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T"}),
    # Exercise 6: rank-k approximation
    Variant("nb01_ex6_answer", "keeps the k smallest eigenpairs (eigh's order)",
            {"top_values = values[::-1][:k]": "top_values = values[:k]",
             "top_vectors = vectors[:, ::-1][:, :k]": "top_vectors = vectors[:, :k]"}),
    Variant("nb01_ex6_answer", "off by one: keeps k + 1 eigenpairs",
            {"top_values = values[::-1][:k]": "top_values = values[::-1][:k + 1]",
             "top_vectors = vectors[:, ::-1][:, :k]": "top_vectors = vectors[:, ::-1][:, :k + 1]"}),
    Variant("nb01_ex6_answer", "no check of k's range",
            {'raise ValueError(f"k must be between 0 and {C.shape[0]}")': "pass"}),
    Variant("nb01_ex6_answer", "slices the last k with values[-k:] (for k = 0 that keeps everything)",
            {"top_values = values[::-1][:k]": "top_values = values[-k:]",
             "top_vectors = vectors[:, ::-1][:, :k]": "top_vectors = vectors[:, -k:]"}),
    Variant("nb01_ex6_answer", "calls the course's low_rank_approximation",
            {"values, vectors = np.linalg.eigh(C)": "return linalg.low_rank_approximation(C, k)"}),
    # Exercise 7: the error curve
    Variant("nb01_ex7_answer", "sums the discarded eigenvalues instead of their squares",
            {"np.sqrt(np.sum(wine_values[k:] ** 2))": "np.sqrt(np.sum(wine_values[k:]))"}),
    Variant("nb01_ex7_answer", "off by one in the tail of discarded eigenvalues",
            {"np.sqrt(np.sum(wine_values[k:] ** 2))": "np.sqrt(np.sum(wine_values[k + 1:] ** 2))"}),
    Variant("nb01_ex7_answer", "a list instead of a NumPy array",
            {"frobenius_errors = np.array([np.linalg.norm(C - low_rank_covariance(C, k)) for k in range(14)])":
             "frobenius_errors = [np.linalg.norm(C - low_rank_covariance(C, k)) for k in range(14)]"}),
    Variant("nb01_ex7_answer", "the spectral norm instead of the Frobenius norm",
            {"np.linalg.norm(C - low_rank_covariance(C, k))": "np.linalg.norm(C - low_rank_covariance(C, k), 2)"}),
]

# What each exercise's text asks, and which checks and wrong variants go with it (tests/grading/exercises.py).
REQUIREMENTS = {
    "nb01_ex1": [
        Requirement("Do **not** build `np.diag(d)` or any other\n$n \\times n$ array",
                    checks=["diag_matvec with n = 10**6", "scale_rows with n = 10**6", "scale_columns with n = 10**6",
                            DENSE],
                    variants=["builds the dense diag(d) (fine for n = 3, impossible for n = 10**6)"]),
        Requirement("The course's own\n`course_utils.linalg` versions are not allowed here.",
                    checks=["forbid course_utils.linalg.diag_matvec, course_utils.linalg.scale_rows, "
                            "course_utils.linalg.scale_columns"],
                    variants=["calls the course's own implementation"]),
        Requirement("`diag_matvec(d, v)` returns $\\operatorname{diag}(d)\\,v$ for a vector `v` of length $n$",
                    checks=["diag_matvec(d, v)", "diag_matvec with n={_n}"],
                    variants=["builds the dense diag(d) (fine for n = 3, impossible for n = 10**6)"]),
        Requirement("`scale_rows(d, A)` returns $\\operatorname{diag}(d)\\,A$ for an $n \\times m$ array `A`",
                    checks=["scale_rows(d, A)", "scale_rows with A of shape {(_n, _m)}"],
                    variants=["scale_rows scales the columns (transposed broadcast)"]),
        Requirement("`scale_columns(A, d)` returns $A\\,\\operatorname{diag}(d)$ for an $m \\times n$ array `A`",
                    checks=["scale_columns(A, d)", "scale_columns with A of shape {(_m, _n)}"],
                    variants=["scale_columns scales the rows (d broadcast down the rows)"]),
        Requirement("When both are integer arrays, return the exact\ninteger result as an integer array (NumPy's "
                    "`*` does so), not floats.",
                    checks=["{_label} with integer inputs", "{_label} with integer inputs should return an integer array"],
                    variants=["converts integer input to floats"]),
    ],
    "nb01_ex2": [
        Requirement("Write `diag_solve(d, b)`, which solves $\\operatorname{diag}(d)\\,x = b$.",
                    checks=["diag_solve([2, 4, 5], [2, 2, 10])", "diag_solve with n={_n}"],
                    variants=["multiplies by d instead of dividing"]),
        Requirement("an $n \\times m$ matrix whose columns are $m$ separate right-hand sides (then return the\n"
                    "$n \\times m$ matrix of solutions)",
                    checks=["diag_solve with b of shape {(_n, _m)}"],
                    variants=["divides a matrix right-hand side along the wrong axis"]),
        Requirement("If some $d_i = 0$ the matrix is singular: raise a `ValueError` whose message\ncontains the word "
                    "`singular`.",
                    checks=["a zero on the diagonal", "a zero on the diagonal and a matrix b"],
                    variants=["no check for a zero on the diagonal"]),
        Requirement("Work with the vector `d` alone, as in exercise 1: the hidden tests use $n = 10^6$.",
                    checks=["diag_solve with n = 10**6", DENSE],
                    variants=["builds the dense diag(d) and solves with it"]),
        Requirement("`numpy.linalg.solve`,\n`numpy.linalg.inv` and `course_utils.linalg.diag_solve` are not allowed "
                    "here.",
                    checks=["forbid course_utils.linalg.diag_solve, numpy.linalg.solve, numpy.linalg.inv"],
                    variants=["calls the course's own diag_solve"]),
    ],
    "nb01_ex3": [
        Requirement("`rotation_matrix(theta)` returns the $2 \\times 2$ matrix that rotates column vectors "
                    "**counter-clockwise** by\n  `theta` radians.",
                    checks=["R(pi/2) @ [1, 0]", "rotation_matrix({_theta:.3f})", "R(0.4) @ R(0.5) vs R(0.9)"],
                    variants=["the lecture's clockwise matrix (minus sign below the diagonal)",
                              "reads theta in degrees"]),
        Requirement("`solve_orthogonal(U, B)` solves $U X = B$ for an orthogonal $n \\times n$ matrix `U`",
                    checks=["solve_orthogonal(U, b) for U = [[0.6, -0.8], [0.8, 0.6]] and b = (1, 2)",
                            "solve_orthogonal with B of shape {_B.shape}"],
                    variants=["multiplies by U instead of its transpose"]),
        Requirement("where `B` is a vector\n  of length $n$ or an $n \\times m$ matrix",
                    checks=["solve_orthogonal with B of shape {_B.shape}"],
                    variants=["B @ U: right for a vector B, wrong for a matrix"]),
        Requirement("Use the transpose: `inv`, `solve`, `lstsq` and `pinv` (NumPy's or\n  SciPy's) are not allowed "
                    "here.",
                    checks=["forbid numpy.linalg.inv, numpy.linalg.solve, numpy.linalg.lstsq, numpy.linalg.pinv, "
                            "scipy.linalg.inv, scipy.linalg.solve, scipy.linalg.lstsq, scipy.linalg.pinv, "
                            "course_utils.linalg.solve_orthogonal"],
                    variants=["solves with numpy.linalg.solve instead of the transpose"]),
        Requirement("The course's own `course_utils.linalg` versions of both functions are not allowed either.",
                    checks=["forbid course_utils.linalg.rotation_matrix",
                            "forbid numpy.linalg.inv, numpy.linalg.solve, numpy.linalg.lstsq, numpy.linalg.pinv, "
                            "scipy.linalg.inv, scipy.linalg.solve, scipy.linalg.lstsq, scipy.linalg.pinv, "
                            "course_utils.linalg.solve_orthogonal"],
                    variants=["calls the course's own rotation_matrix"]),
    ],
    "nb01_ex4": [
        Requirement("Write `eigh_descending(A)` returning `(eigenvalues, eigenvectors)` of a real symmetric matrix\n"
                    "with the eigenvalues in descending order",
                    checks=["eigenvalues of diag(1, 3, 2)", "eigenvalues for n={_n}"],
                    variants=["keeps eigh's ascending order"]),
        Requirement("and the eigenvectors as the **columns** of a matrix",
                    checks=["eigenvectors of diag(1, 3, 2)", "eigenvectors for n={_n}"],
                    variants=["returns eigenvectors as rows (transposed)"]),
        Requirement("column `i`\nbelonging to eigenvalue `i`",
                    checks=["eigenvectors for n={_n}", "U diag(values) U^T for n={_n}"],
                    variants=["reverses the eigenvalues but not the eigenvector columns"]),
        Requirement("If `A` is not symmetric, raise a `ValueError`.",
                    checks=["a matrix that is not symmetric"],
                    variants=["no check of symmetry"]),
        Requirement("A matrix that is symmetric only up\nto rounding counts as symmetric",
                    checks=["eigenvalues of a matrix symmetric up to rounding",
                            "eigenvectors of a matrix symmetric up to rounding"],
                    variants=["tests symmetry with exact equality (rejects a matrix symmetric up to rounding)"]),
    ],
    "nb01_ex5": [
        Requirement("`gaussian_factor(cov)` returns $A = U\\Lambda^{1/2}$ for a symmetric positive semi-definite "
                    "`cov`",
                    checks=["A @ A.T for cov = diag(4, 9)", "A @ A.T for a {_d} x {_d} covariance",
                            "gaussian_factor(zeros)"],
                    variants=["uses the eigenvalues instead of their square roots (unnormalised)"]),
        Requirement("column\n  $i$ is eigenvector $u_i$ times $\\sqrt{\\lambda_i}$",
                    checks=["off-diagonal of A.T @ A", "column lengths squared of A"],
                    variants=["the symmetric square root U sqrt(Lambda) U^T (A A^T = cov, but its columns are not "
                              "the scaled eigenvectors)"]),
        Requirement("If `cov` has an\n  eigenvalue below $-10^{-10}$ it is not a covariance matrix: raise a "
                    "`ValueError`.",
                    checks=["a matrix with an eigenvalue of -1e-8", "a matrix with an eigenvalue of -1"],
                    variants=["a threshold of -1e-6 instead of -1e-10 (accepts an eigenvalue of -1e-8)"]),
        Requirement("An eigenvalue between\n  $-10^{-10}$ and $0$ is a rounding error of a positive semi-definite "
                    "matrix: treat it as $0$ (clip it before\n  taking the square root).",
                    checks=["A @ A.T for a covariance with an eigenvalue of -1e-12 (clip it to 0 before the square "
                            "root)"],
                    variants=["does not clip: the square root of a tiny negative eigenvalue is NaN",
                              "raises for any negative eigenvalue, rounding errors included"]),
        Requirement("`sample_gaussian(mean, cov, z)` turns `z`, an $n \\times d$ array whose **rows** are "
                    "independent standard\n  normal vectors, into an $n \\times d$ array whose rows are samples of "
                    "$\\mathcal N(\\mu, \\Sigma)$.",
                    checks=["sample_gaussian(mean, cov, z) for z of shape (2, 2)", "|sample - mean| for z = (1, 1)",
                            "covariance produced by sample_gaussian", "sample_gaussian with z of shape {_z.shape}"],
                    variants=["multiplies z by A instead of A transposed"]),
        Requirement("Build $A$ from `eigh`: `cholesky` (NumPy's or SciPy's) and the course's own "
                    "`course_utils.linalg` versions are\nnot allowed here.",
                    checks=["forbid *_forbidden"],
                    variants=["uses the Cholesky factor"]),
    ],
    "nb01_ex6": [
        Requirement("Write `low_rank_covariance(C, k)` returning $C_k = U_k \\Lambda_k U_k^\\top$ built from the $k$ "
                    "eigenpairs of\nthe symmetric positive semi-definite matrix `C` with the **largest** eigenvalues.",
                    checks=["low_rank_covariance(C, 13)", "low_rank_covariance(C, 1)",
                            "low_rank_covariance for n={_n}, k={_k}", "rank of your approximation (n={_n}, k={_k})"],
                    variants=["keeps the k smallest eigenpairs (eigh's order)", "off by one: keeps k + 1 eigenpairs"]),
        Requirement("For $k = 0$ return a matrix of\nzeros",
                    checks=["low_rank_covariance(C, 0) (a matrix of zeros)"],
                    variants=["slices the last k with values[-k:] (for k = 0 that keeps everything)"]),
        Requirement("for $k$ below 0 or above the size of `C` raise a `ValueError`.",
                    checks=["k = 4 for a 3 x 3 matrix", "k = -1"],
                    variants=["no check of k's range"]),
        Requirement("The course's\n`course_utils.linalg.low_rank_approximation` is not allowed here.",
                    checks=["forbid course_utils.linalg.low_rank_approximation"],
                    variants=["calls the course's low_rank_approximation"]),
    ],
    "nb01_ex7": [
        Requirement("`frobenius_errors`: a NumPy array of length 14 whose entry `k` is $\\lVert C - C_k\\rVert_F$",
                    checks=["frobenius_errors", "frobenius_errors[0]", "frobenius_errors[13]"],
                    variants=["a list instead of a NumPy array", "the spectral norm instead of the Frobenius norm"]),
        Requirement("`eckart_young_errors`: a NumPy array of length 14 whose entry `k` is the Eckart–Young "
                    "prediction\n  $\\sqrt{\\sum_{i>k}\\lambda_i^2}$",
                    checks=["eckart_young_errors", "eckart_young_errors[0]"],
                    variants=["sums the discarded eigenvalues instead of their squares",
                              "off by one in the tail of discarded eigenvalues"]),
    ],
}
CONTEXT = {
    "nb01_ex1": ["### Exercise 1: products with a diagonal matrix (3 points)",
                 "Write the three functions below using only the diagonal vector `d`.",
                 "the hidden tests use $n = 10^6$.",
                 "The arguments are NumPy arrays of floats or of integers."],
    "nb01_ex2": ["### Exercise 2: solving a diagonal system (3 points)",
                 "The right-hand side `b` is either a\nvector of length $n$ or"],
    "nb01_ex3": ["### Exercise 3: rotations and orthogonal systems (4 points)"],
    "nb01_ex4": ["### Exercise 4: eigenpairs, largest first (3 points)",
                 "Embedding methods keep the eigenvectors with the **largest** eigenvalues, but `np.linalg.eigh` "
                 "returns them in\nascending order.",
                 "products of floating-point matrices often leave $A - A^\\top$ of the order of\n$10^{-16}$ times the "
                 "entries, so compare with a tolerance (as in section 3), not with `==`."],
    "nb01_ex5": ["### Exercise 5: sampling a Gaussian (4 points)",
                 "(any order of the columns is fine)"],
    "nb01_ex6": ["### Exercise 6: rank-$k$ approximation of a covariance matrix (4 points)"],
    "nb01_ex7": ["### Exercise 7: the error curve (3 points)",
                 "Two routes to the same 14 numbers, for the wine correlation matrix `C` and $k = 0, 1, \\dots, 13$:",
                 ", measured directly\n  (build $C_k$ with your `low_rank_covariance`)",
                 ", from the eigenvalues `wine_values`.",
                 "The plot below draws both."],
}
ALTERNATIVES = [
    # Exercise 1
    Alternative("nb01_ex1_answer", "np.multiply and broadcasting through reshape", source='''def diag_matvec(d, v):
    return np.multiply(d, v)


def scale_rows(d, A):
    return A * d.reshape(-1, 1)


def scale_columns(A, d):
    return A * d.reshape(1, -1)
'''),
    Alternative("nb01_ex1_answer", "einsum", source='''def diag_matvec(d, v):
    return np.einsum("i,i->i", d, v)


def scale_rows(d, A):
    return np.einsum("i,ij->ij", d, A)


def scale_columns(A, d):
    return np.einsum("ij,j->ij", A, d)
'''),
    # Exercise 2
    Alternative("nb01_ex2_answer", "transpose trick for both shapes, zero test with count_nonzero",
                source='''def diag_solve(d, b):
    if np.count_nonzero(d) < d.size:
        raise ValueError("d has a zero, so diag(d) is singular")
    return (b.T / d).T
'''),
    Alternative("nb01_ex2_answer", "multiplies by the reciprocal, reshaped to b's number of dimensions",
                source='''def diag_solve(d, b):
    if not np.all(d != 0):
        raise ValueError("singular diagonal matrix")
    reciprocal = 1.0 / d
    return reciprocal.reshape((-1,) + (1,) * (b.ndim - 1)) * b
'''),
    # Exercise 3
    Alternative("nb01_ex3_answer", "explicit entries and np.transpose", source='''def rotation_matrix(theta):
    return np.array([[np.cos(theta), -np.sin(theta)],
                     [np.sin(theta), np.cos(theta)]])


def solve_orthogonal(U, B):
    return np.transpose(U) @ B
'''),
    Alternative("nb01_ex3_answer", "a complex exponential and np.dot", source='''def rotation_matrix(theta):
    w = np.exp(1j * theta)
    return np.array([[w.real, -w.imag], [w.imag, w.real]])


def solve_orthogonal(U, B):
    return np.dot(U.T, B)
'''),
    # Exercise 4
    Alternative("nb01_ex4_answer", "argsort, and a relative tolerance of its own", source='''def eigh_descending(A):
    A = np.asarray(A, dtype=float)
    if np.abs(A - A.T).max() > 1e-10 * max(1.0, np.abs(A).max()):
        raise ValueError("A is not symmetric")
    values, vectors = np.linalg.eigh(A)
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order]
'''),
    Alternative("nb01_ex4_answer", "scipy.linalg.eigh, np.flip and the opposite signs", source='''import scipy.linalg


def eigh_descending(A):
    if not np.allclose(A, A.T, rtol=1e-8, atol=1e-12):
        raise ValueError("A must equal its transpose")
    values, vectors = scipy.linalg.eigh(A)
    return np.flip(values), -np.flip(vectors, axis=1)
'''),
    # Exercise 5
    Alternative("nb01_ex5_answer", "descending order, np.maximum, samples as (A z^T)^T", source='''def gaussian_factor(cov):
    values, vectors = np.linalg.eigh(cov)
    values, vectors = values[::-1], vectors[:, ::-1]
    if np.any(values < -1e-10):
        raise ValueError("cov has a negative eigenvalue")
    return vectors * np.sqrt(np.maximum(values, 0.0))


def sample_gaussian(mean, cov, z):
    A = gaussian_factor(cov)
    return (A @ z.T).T + mean
'''),
    Alternative("nb01_ex5_answer", "scipy.linalg.eigh, a relative threshold, columns in a loop, einsum",
                source='''import scipy.linalg


def gaussian_factor(cov):
    values, vectors = scipy.linalg.eigh(cov)
    scale = max(1.0, np.abs(values).max())
    if values.min() < -1e-10 * scale:
        raise ValueError("not positive semi-definite")
    A = np.zeros_like(vectors)
    for i, value in enumerate(values):
        A[:, i] = vectors[:, i] * np.sqrt(max(value, 0.0))
    return A


def sample_gaussian(mean, cov, z):
    return mean + np.einsum("ij,nj->ni", gaussian_factor(cov), z)
'''),
    # Exercise 6
    Alternative("nb01_ex6_answer", "a sum of outer products over the largest k", source='''def low_rank_covariance(C, k):
    n = C.shape[0]
    if k < 0 or k > n:
        raise ValueError("k out of range")
    values, vectors = np.linalg.eigh(C)
    result = np.zeros((n, n))
    for i in np.argsort(values)[::-1][:k]:
        result += values[i] * np.outer(vectors[:, i], vectors[:, i])
    return result
'''),
    Alternative("nb01_ex6_answer", "scipy.linalg.eigh with subset_by_index", source='''import scipy.linalg


def low_rank_covariance(C, k):
    n = len(C)
    if not (0 <= k <= n):
        raise ValueError(f"k={k} is outside 0..{n}")
    if k == 0:
        return np.zeros_like(C, dtype=float)
    values, vectors = scipy.linalg.eigh(C, subset_by_index=[n - k, n - 1])
    return vectors @ np.diag(values) @ vectors.T
'''),
    # Exercise 7
    Alternative("nb01_ex7_answer", "a loop with append, and a reversed cumulative sum", source='''errors = []
for k in range(14):
    errors.append(np.linalg.norm(C - low_rank_covariance(C, k), "fro"))
frobenius_errors = np.array(errors)
tail = np.cumsum(wine_values[::-1] ** 2)[::-1]
eckart_young_errors = np.sqrt(np.append(tail, 0.0))
'''),
    Alternative("nb01_ex7_answer", "np.fromiter, and the norm of the tail of eigenvalues", source='''frobenius_errors = np.fromiter(
    (np.sqrt(np.sum((C - low_rank_covariance(C, k)) ** 2)) for k in range(14)), dtype=float)
eckart_young_errors = np.array([np.linalg.norm(wine_values[k:]) for k in range(14)])
'''),
]
