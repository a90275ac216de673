"""Typical wrong answers for notebook 01, applied to the solution by the grading round trip."""

from tests.grading.course import Variant

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
