"""Typical wrong answers for notebook 02, applied to the solution by the grading round trip."""

from tests.grading.course import Variant

ASSIGNMENT = "02_pca"

VARIANTS = [
    # Exercise 1: centre a data matrix
    Variant("nb02_ex1_answer", "centres the rows (samples) instead of the columns (features)",
            {"return X - X.mean(axis=0)": "return X - X.mean(axis=1, keepdims=True)"}),
    Variant("nb02_ex1_answer", "subtracts the overall mean of all entries",
            {"return X - X.mean(axis=0)": "return X - X.mean()"}),
    Variant("nb02_ex1_answer", "standardises (divides by the standard deviation) instead of only centring",
            {"return X - X.mean(axis=0)": "return (X - X.mean(axis=0)) / X.std(axis=0)"}),
    # Exercise 2: PCA by eigh of the covariance
    Variant("nb02_ex2_answer", "keeps eigh's ascending order: the k smallest eigenpairs",
            {"order = np.argsort(eigenvalues)[::-1][:k]": "order = np.argsort(eigenvalues)[:k]"}),
    Variant("nb02_ex2_answer", "takes rows of the eigenvector matrix instead of its columns",
            {"return eigenvectors[:, order].T, eigenvalues[order]": "return eigenvectors[order], eigenvalues[order]"}),
    Variant("nb02_ex2_answer", "does not centre the data before forming the covariance",
            {"centred = X - X.mean(axis=0)": "centred = X"}),
    Variant("nb02_ex2_answer", "divides by n instead of n - 1",
            {"/ (X.shape[0] - 1)": "/ X.shape[0]"}),
    # Exercise 3: PCA by the SVD of the centred data
    Variant("nb02_ex3_answer", "returns U instead of the scores U S",
            {"return U[:, :k] * s[:k], Vt[:k]": "return U[:, :k], Vt[:k]"}),
    Variant("nb02_ex3_answer", "takes the columns of V^T instead of its rows",
            {"return U[:, :k] * s[:k], Vt[:k]": "return U[:, :k] * s[:k], Vt[:, :k].T"}),
    Variant("nb02_ex3_answer", "does not centre the data",
            {"centred = X - X.mean(axis=0)": "centred = X"}),
    # Exercise 4: variance explained and the smallest k
    Variant("nb02_ex4_answer", "off by one: returns the index of the component, not the number of components",
            {"k = int(np.argmax(cumulative >= target)) + 1": "k = int(np.argmax(cumulative >= target))"}),
    Variant("nb02_ex4_answer", "strictly more than the target instead of at least",
            {"cumulative >= target": "cumulative > target"}),
    Variant("nb02_ex4_answer", "does not normalise: the eigenvalues themselves as ratios",
            {"ratios = eigenvalues / eigenvalues.sum()": "ratios = eigenvalues"}),
    # Exercise 5: reconstruction and its error
    Variant("nb02_ex5_answer", "forgets to add the mean back",
            {"X_hat = scores @ components + mean": "X_hat = scores @ components"}),
    Variant("nb02_ex5_answer", "projects the uncentred data",
            {"scores = (X - mean) @ components.T": "scores = X @ components.T"}),
    Variant("nb02_ex5_answer", "averages over every entry instead of summing over features per sample",
            {"error = float(np.mean(np.sum((X - X_hat) ** 2, axis=1)))": "error = float(np.mean((X - X_hat) ** 2))"}),
]
