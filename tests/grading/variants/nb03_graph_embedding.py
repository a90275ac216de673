"""Typical wrong answers for notebook 03, applied to the solution by the grading round trip."""

from tests.grading.course import Variant

ASSIGNMENT = "03_graph_embedding"

VARIANTS = [
    # Exercise 1: the centring matrix
    Variant("nb03_ex1_answer", "divides by n - 1 (confuses centring with the unbiased variance)",
            {"return np.eye(n) - ones / n": "return np.eye(n) - ones / (n - 1)"}),
    Variant("nb03_ex1_answer", "forgets the identity: returns the averaging matrix (1/n) 1 1^T",
            {"return np.eye(n) - ones / n": "return ones / n"}),
    Variant("nb03_ex1_answer", "forgets the 1/n",
            {"return np.eye(n) - ones / n": "return np.eye(n) - ones"}),
    # Exercise 2: double centring
    Variant("nb03_ex2_answer", "forgets the factor -1/2",
            {"return -0.5 * H @ D2 @ H": "return H @ D2 @ H"}),
    Variant("nb03_ex2_answer", "centres only one side (removes the column means, not the row means)",
            {"return -0.5 * H @ D2 @ H": "return -0.5 * H @ D2"}),
    Variant("nb03_ex2_answer", "wrong sign: +1/2",
            {"return -0.5 * H @ D2 @ H": "return 0.5 * H @ D2 @ H"}),
    # Exercise 3: classical MDS
    Variant("nb03_ex3_answer", "double-centres the distances, not the squared distances",
            {"B = -0.5 * H @ (D ** 2) @ H": "B = -0.5 * H @ D @ H"}),
    Variant("nb03_ex3_answer", "takes the smallest eigenvalues (eigh sorts them increasing)",
            {"order = np.argsort(eigenvalues)[::-1][:k]": "order = np.argsort(eigenvalues)[:k]"}),
    Variant("nb03_ex3_answer", "returns the eigenvectors without the square roots of the eigenvalues",
            {"return eigenvectors[:, order] * np.sqrt(np.maximum(eigenvalues[order], 0.0))":
             "return eigenvectors[:, order]"}),
    # Exercise 4: the three Laplacians
    Variant("nb03_ex4_answer", "random walk: divides the columns instead of the rows",
            {"return L / d[:, None]": "return L / d[None, :]"}),
    Variant("nb03_ex4_answer", "symmetric: D^-1 on both sides instead of D^-1/2",
            {"d_inv_sqrt = 1.0 / np.sqrt(d)": "d_inv_sqrt = 1.0 / d"}),
    Variant("nb03_ex4_answer", "W - D instead of D - W",
            {"L = np.diag(d) - W": "L = W - np.diag(d)"}),
    Variant("nb03_ex4_answer", "no error for an unknown kind (returns None)",
            {"raise ValueError(f\"kind must be": "return None\n    (f\"kind must be"}),
    # Exercise 5: components from the spectrum
    Variant("nb03_ex5_answer", "counts the non-zero eigenvalues",
            {"return int(np.sum(eigenvalues < tol))": "return int(np.sum(eigenvalues > tol))"}),
    Variant("nb03_ex5_answer", "uses the spectrum of W instead of the Laplacian",
            {"eigenvalues = np.linalg.eigvalsh(L)": "eigenvalues = np.linalg.eigvalsh(W)"}),
    Variant("nb03_ex5_answer", "off by one: does not count the always-present zero eigenvalue",
            {"return int(np.sum(eigenvalues < tol))": "return int(np.sum(eigenvalues < tol)) - 1"}),
    # Exercise 6: one step of spectral clustering
    Variant("nb03_ex6_answer", "takes the largest eigenvalues of L_sym",
            {"U = eigenvectors[:, :k]": "U = eigenvectors[:, -k:]"}),
    Variant("nb03_ex6_answer", "does not normalise the rows",
            {"return U / np.linalg.norm(U, axis=1, keepdims=True)": "return U"}),
    Variant("nb03_ex6_answer", "drops the first eigenvector, as Laplacian eigenmaps do (wrong for clustering)",
            {"U = eigenvectors[:, :k]": "U = eigenvectors[:, 1:k + 1]"}),
]
