"""Typical wrong answers for notebook 01, applied to the solution by the grading round trip."""

from tests.grading.course import Variant
from tests.grading.exercises import Alternative, Requirement

ASSIGNMENT = "01_eigendecomposition"

VARIANTS = [
    # Exercise 1: products with a diagonal matrix
    Variant("nb01_ex1_answer", "scale_rows scales the columns (transposed broadcast)",
            {"return d[:, np.newaxis] * A": "return A * d[np.newaxis, :]"}),
    Variant("nb01_ex1_answer", "builds the dense diag(d) (fine for n = 3, impossible for n = 10**6)",
            {"return d * v": "return np.diag(d) @ v"}),
    Variant("nb01_ex1_answer", "calls the course's own implementation",
            {"return A * d[np.newaxis, :]": "return linalg.scale_columns(A, d)"}),
    # Exercise 2: diagonal solve
    Variant("nb01_ex2_answer", "multiplies by d instead of dividing",
            {"return b / d\n": "return b * d\n"}),
    Variant("nb01_ex2_answer", "divides a matrix right-hand side along the wrong axis",
            {"return b / d[:, np.newaxis]": "return b / d"}),
    Variant("nb01_ex2_answer", "no check for a zero on the diagonal",
            {'raise ValueError("diag(d) is singular: d has a zero entry")': "pass"}),
    # Exercise 3: rotation and orthogonal solve
    Variant("nb01_ex3_answer", "the lecture's clockwise matrix (minus sign below the diagonal)",
            {"return np.array([[c, -s], [s, c]])": "return np.array([[c, s], [-s, c]])"}),
    Variant("nb01_ex3_answer", "solves with numpy.linalg.solve instead of the transpose",
            {"return U.T @ B": "return np.linalg.solve(U, B)"}),
    Variant("nb01_ex3_answer", "multiplies by U instead of its transpose",
            {"return U.T @ B": "return U @ B"}),
    # Exercise 4: eigenpairs, largest first
    Variant("nb01_ex4_answer", "reverses the eigenvalues but not the eigenvector columns",
            {"return values[::-1], vectors[:, ::-1]": "return values[::-1], vectors"}),
    Variant("nb01_ex4_answer", "returns eigenvectors as rows (transposed)",
            {"return values[::-1], vectors[:, ::-1]": "return values[::-1], vectors[:, ::-1].T"}),
    Variant("nb01_ex4_answer", "keeps eigh's ascending order",
            {"return values[::-1], vectors[:, ::-1]": "return values, vectors"}),
    # Exercise 5: sampling a Gaussian
    Variant("nb01_ex5_answer", "uses the eigenvalues instead of their square roots (unnormalised)",
            {"np.sqrt(np.clip(values, 0, None))": "np.clip(values, 0, None)"}),
    Variant("nb01_ex5_answer", "multiplies z by A instead of A transposed",
            {"return mean + z @ gaussian_factor(cov).T": "return mean + z @ gaussian_factor(cov)"}),
    Variant("nb01_ex5_answer", "uses the Cholesky factor",
            {"values, vectors = np.linalg.eigh(cov)": "values, vectors = np.linalg.eigh(cov)\n    return np.linalg.cholesky(cov)"}),
    # Exercise 6: rank-k approximation
    Variant("nb01_ex6_answer", "keeps the k smallest eigenpairs (eigh's order)",
            {"top_values = values[::-1][:k]": "top_values = values[:k]",
             "top_vectors = vectors[:, ::-1][:, :k]": "top_vectors = vectors[:, :k]"}),
    Variant("nb01_ex6_answer", "off by one: keeps k + 1 eigenpairs",
            {"top_values = values[::-1][:k]": "top_values = values[::-1][:k + 1]",
             "top_vectors = vectors[:, ::-1][:, :k]": "top_vectors = vectors[:, ::-1][:, :k + 1]"}),
    Variant("nb01_ex6_answer", "no check of k's range",
            {'raise ValueError(f"k must be between 0 and {C.shape[0]}")': "pass"}),
    # Exercise 7: the error curve
    Variant("nb01_ex7_answer", "sums the discarded eigenvalues instead of their squares",
            {"np.sqrt(np.sum(wine_values[k:] ** 2))": "np.sqrt(np.sum(wine_values[k:]))"}),
    Variant("nb01_ex7_answer", "off by one in the tail of discarded eigenvalues",
            {"np.sqrt(np.sum(wine_values[k:] ** 2))": "np.sqrt(np.sum(wine_values[k + 1:] ** 2))"}),
]

# What each exercise's text asks, and which checks and wrong variants go with it (tests/grading/exercises.py).
REQUIREMENTS = {
    "nb01_ex1": [
        Requirement("Do **not** build `np.diag(d)` or any other\n$n \\times n$ array",
                    checks=["diag_matvec with n = 10**6", "scale_rows with n = 10**6", "scale_columns with n = 10**6",
                            "Your code built a dense n x n matrix: with n = 10**6 it does not fit in memory."],
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
                    variants=["calls the course's own implementation"]),
    ],
}
CONTEXT = {
    "nb01_ex1": ["### Exercise 1: products with a diagonal matrix (3 points)",
                 "Write the three functions below using only the diagonal vector `d`.",
                 "the hidden tests use $n = 10^6$."],
}
ALTERNATIVES = [
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
]
