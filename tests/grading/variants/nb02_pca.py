"""Notebook 02: typical wrong answers (applied to the solution by the grading round trip), what each exercise
asks (its requirements table) and differently written correct answers (see tests/grading/exercises.py)."""

from tests.grading.course import Variant
from tests.grading.exercises import Alternative, Requirement

ASSIGNMENT = "02_pca"

VARIANTS = [
    # Exercise 1: center a data matrix
    Variant("nb02_ex1_answer", "centres the rows (samples) instead of the columns (features)",
            {"return X - X.mean(axis=0)": "return X - X.mean(axis=1, keepdims=True)"}),
    Variant("nb02_ex1_answer", "subtracts the overall mean of all entries",
            {"return X - X.mean(axis=0)": "return X - X.mean()"}),
    Variant("nb02_ex1_answer", "standardises (divides by the standard deviation) instead of only centring",
            {"return X - X.mean(axis=0)": "return (X - X.mean(axis=0)) / X.std(axis=0)"}),
    Variant("nb02_ex1_answer", "assumes a NumPy array (a nested list has no .mean)",
            {"    X = np.asarray(X, dtype=float)\n": ""}),
    Variant("nb02_ex1_answer", "keeps the dtype of X (float32 in, float32 out)",
            {"X = np.asarray(X, dtype=float)": "X = np.asarray(X)"}),
    Variant("nb02_ex1_answer", "centres X in place",
            {"    return X - X.mean(axis=0)": "    X -= X.mean(axis=0)\n    return X"}),
    # Exercise 2: PCA by eigh of the covariance
    Variant("nb02_ex2_answer", "keeps eigh's ascending order: the k smallest eigenpairs",
            {"order = np.argsort(eigenvalues)[::-1][:k]": "order = np.argsort(eigenvalues)[:k]"}),
    Variant("nb02_ex2_answer", "takes rows of the eigenvector matrix instead of its columns",
            {"return eigenvectors[:, order].T, eigenvalues[order]": "return eigenvectors[order], eigenvalues[order]"}),
    Variant("nb02_ex2_answer", "does not centre the data before forming the covariance",
            {"centered = X - X.mean(axis=0)": "centered = X"}),
    Variant("nb02_ex2_answer", "divides by n instead of n - 1",
            {"/ (X.shape[0] - 1)": "/ X.shape[0]"}),
    Variant("nb02_ex2_answer", "scales each axis by the square root of its variance (not unit vectors)",
            {"return eigenvectors[:, order].T, eigenvalues[order]":
             "return (eigenvectors[:, order] * np.sqrt(eigenvalues[order])).T, eigenvalues[order]"}),
    Variant("nb02_ex2_answer", "takes the axes from np.linalg.svd",
            {"eigenvalues, eigenvectors = np.linalg.eigh(covariance)":
             "_, s, Vt = np.linalg.svd(centered, full_matrices=False)\n"
             "    eigenvalues, eigenvectors = s ** 2 / (X.shape[0] - 1), Vt.T"}),
    # Exercise 3: PCA by the SVD of the centred data
    Variant("nb02_ex3_answer", "returns U instead of the scores U S",
            {"return U[:, :k] * s[:k], Vt[:k]": "return U[:, :k], Vt[:k]"}),
    Variant("nb02_ex3_answer", "takes the columns of V^T instead of its rows",
            {"return U[:, :k] * s[:k], Vt[:k]": "return U[:, :k] * s[:k], Vt[:, :k].T"}),
    Variant("nb02_ex3_answer", "does not centre the data",
            {"centered = X - X.mean(axis=0)": "centered = X"}),
    Variant("nb02_ex3_answer", "flips the components but not the scores",
            {"return U[:, :k] * s[:k], Vt[:k]": "return U[:, :k] * s[:k], -Vt[:k]"}),
    Variant("nb02_ex3_answer", "eigh of X_c^T X_c instead of the SVD",
            {"    U, s, Vt = np.linalg.svd(centered, full_matrices=False)\n    return U[:, :k] * s[:k], Vt[:k]":
             "    values, vectors = np.linalg.eigh(centered.T @ centered)\n    axes = vectors[:, ::-1][:, :k].T\n"
             "    return centered @ axes.T, axes"}),
    # Exercise 4: variance explained and the smallest k
    Variant("nb02_ex4_answer", "off by one: returns the index of the component, not the number of components",
            {"k = int(np.argmax(cumulative >= target - 1e-9)) + 1": "k = int(np.argmax(cumulative >= target - 1e-9))"}),
    Variant("nb02_ex4_answer", "strictly more than the target instead of at least",
            {"cumulative >= target - 1e-9": "cumulative > target"}),
    Variant("nb02_ex4_answer", "does not normalise: the eigenvalues themselves as ratios",
            {"ratios = eigenvalues / eigenvalues.sum()": "ratios = eigenvalues"}),
    Variant("nb02_ex4_answer", "no tolerance: 0.7 + 0.2 does not reach 0.9",
            {"cumulative >= target - 1e-9": "cumulative >= target"}),
    Variant("nb02_ex4_answer", "returns a NumPy integer",
            {"k = int(np.argmax(cumulative >= target - 1e-9)) + 1": "k = np.argmax(cumulative >= target - 1e-9) + 1"}),
    Variant("nb02_ex4_answer", "calls course_utils.decomposition.components_for_variance",
            {"k = int(np.argmax(cumulative >= target - 1e-9)) + 1":
             "from course_utils.decomposition import components_for_variance\n"
             "    k = components_for_variance(ratios, target - 1e-9)"}),
    Variant("nb02_ex4_answer", "no check of the target's range",
            {'raise ValueError(f"target must be strictly between 0 and 1, got {target}")': "pass"}),
    # Exercise 5: reconstruction and its error
    Variant("nb02_ex5_answer", "forgets to add the mean back",
            {"X_hat = scores @ components + mean": "X_hat = scores @ components"}),
    Variant("nb02_ex5_answer", "projects the uncentred data",
            {"scores = (X - mean) @ components.T": "scores = X @ components.T"}),
    Variant("nb02_ex5_answer", "averages over every entry instead of summing over features per sample",
            {"error = float(np.mean(np.sum((X - X_hat) ** 2, axis=1)))": "error = float(np.mean((X - X_hat) ** 2))"}),
    Variant("nb02_ex5_answer", "returns the error as a NumPy float",
            {"error = float(np.mean(np.sum((X - X_hat) ** 2, axis=1)))":
             "error = np.mean(np.sum((X - X_hat) ** 2, axis=1))"}),
    Variant("nb02_ex5_answer", "uses the mean of X instead of the given mean (right only on the training data)",
            {"scores = (X - mean) @ components.T\n    X_hat = scores @ components + mean":
             "scores = (X - X.mean(axis=0)) @ components.T\n    X_hat = scores @ components + X.mean(axis=0)"}),
    Variant("nb02_ex5_answer", "refits scikit-learn's PCA",
            {"scores = (X - mean) @ components.T\n    X_hat = scores @ components + mean":
             "model = SklearnPCA(n_components=len(components), svd_solver='full').fit(X)\n"
             "    X_hat = model.inverse_transform(model.transform(X))"}),
    # Exercise 6: standardise
    Variant("nb02_ex6_answer", "divides by the standard deviation computed with n (ddof=0, as StandardScaler)",
            {"std = X.std(axis=0, ddof=1)": "std = X.std(axis=0)"}),
    Variant("nb02_ex6_answer", "divides without centring",
            {"return (X - X.mean(axis=0)) / std": "return X / std"}),
    Variant("nb02_ex6_answer", "divides by the variance instead of the standard deviation",
            {"std = X.std(axis=0, ddof=1)": "std = X.var(axis=0, ddof=1)"}),
    Variant("nb02_ex6_answer", "no check for a constant column",
            {"    if np.any(std == 0):\n": "    if False:\n"}),
    Variant("nb02_ex6_answer", "standardises X in place",
            {"    return (X - X.mean(axis=0)) / std": "    X -= X.mean(axis=0)\n    X /= std\n    return X"}),
    Variant("nb02_ex6_answer", "calls scipy.stats.zscore",
            {"    return (X - X.mean(axis=0)) / std":
             "    from scipy.stats import zscore\n    return zscore(X, axis=0, ddof=1)"}),
    # Exercise 7: the breast-cancer numbers
    Variant("nb02_ex7_answer", "the variances instead of the fractions of the variance",
            {"ratios_raw = SklearnPCA().fit(cancer_X).explained_variance_ratio_":
             "ratios_raw = SklearnPCA().fit(cancer_X).explained_variance_"}),
    Variant("nb02_ex7_answer", "forgets to standardise",
            {"SklearnPCA().fit(standardize(cancer_X))": "SklearnPCA().fit(cancer_X)"}),
    Variant("nb02_ex7_answer", "off by one: the index of the component that reaches 90%",
            {"k90_raw = int(np.argmax(np.cumsum(ratios_raw) >= 0.9)) + 1":
             "k90_raw = int(np.argmax(np.cumsum(ratios_raw) >= 0.9))"}),
    Variant("nb02_ex7_answer", "NumPy integers instead of Python ints",
            {"k90_standardized = int(np.argmax(np.cumsum(ratios_standardized) >= 0.9)) + 1":
             "k90_standardized = np.argmax(np.cumsum(ratios_standardized) >= 0.9) + 1"}),
    Variant("nb02_ex7_answer", "only the first two components",
            {"ratios_raw = SklearnPCA().fit(cancer_X)": "ratios_raw = SklearnPCA(n_components=2).fit(cancer_X)"}),
]

# What each exercise's text asks, and which checks and wrong variants go with it (tests/grading/exercises.py).
REQUIREMENTS = {
    "nb02_ex1": [
        Requirement("each\n*column* minus its mean",
                    checks=["the column means of center(X_small) (each feature's mean should be 0; did you use "
                            "axis=0?)", "center(X_small)", "center(X) for X of shape {_shape}"],
                    variants=["centres the rows (samples) instead of the columns (features)",
                              "subtracts the overall mean of all entries",
                              "standardises (divides by the standard deviation) instead of only centring"]),
        Requirement("an $n \\times d$ array (or nested list) `X`",
                    checks=["center of a nested list of integers"],
                    variants=["assumes a NumPy array (a nested list has no .mean)"]),
        Requirement("as a float64 array of the same shape (NumPy's default `float`, whatever the numbers in\n`X` "
                    "are: integers and float32 included)",
                    checks=["center(X_small)", "the dtype of center(X) for X of dtype {_dtype.__name__}",
                            "center(X) for X of dtype {_dtype.__name__}"],
                    variants=["keeps the dtype of X (float32 in, float32 out)"]),
        Requirement("Do not modify `X` itself.",
                    checks=["X after calling center(X) (your function should not change its input)"],
                    variants=["centres X in place"]),
    ],
    "nb02_ex2": [
        Requirement("`components`: a $k \\times d$ array whose **rows** are",
                    checks=["components", "components (one per row)", "components for k = 1",
                            "components for n={_n}, d={_d}, k={_k}"],
                    variants=["takes rows of the eigenvector matrix instead of its columns"]),
        Requirement("the $k$ leading unit eigenvectors of the sample\n  covariance",
                    checks=["components for n={_n}, d={_d}, k={_k} (rows)"],
                    variants=["scales each axis by the square root of its variance (not unit vectors)"]),
        Requirement("$C = X_c^\\top X_c / (n - 1)$",
                    checks=["variances (decreasing order; the covariance divides by n - 1)",
                            "variances for n={_n}, d={_d}, k={_k} (largest first? divided by n - 1? centred?)"],
                    variants=["divides by n instead of n - 1",
                              "does not centre the data before forming the covariance"]),
        Requirement("`variances`: the $k$ corresponding eigenvalues, in **decreasing** order.",
                    checks=["variances", "variances (decreasing order; the covariance divides by n - 1)",
                            "variances for n={_n}, d={_d}, k={_k} (largest first? divided by n - 1? centred?)"],
                    variants=["keeps eigh's ascending order: the k smallest eigenpairs"]),
        Requirement("Use `np.linalg.eigh`. Not allowed here: any SVD, `sklearn.decomposition.PCA` and\n"
                    "`course_utils.decomposition.PCA`.",
                    checks=["forbid sklearn.decomposition.PCA, course_utils.decomposition.PCA, numpy.linalg.svd, "
                            "scipy.linalg.svd"],
                    variants=["takes the axes from np.linalg.svd"]),
    ],
    "nb02_ex3": [
        Requirement("`scores`: the $n \\times k$ array $X_c V_k$ of principal component scores",
                    checks=["scores", "scores (the projections X_c V: did you scale U by the singular values?)",
                            "scores {_label}", "scores {_label} (U S, from centred data)"],
                    variants=["returns U instead of the scores U S", "does not centre the data"]),
        Requirement("`components`: the $k \\times d$ array whose rows are the leading principal axes.",
                    checks=["components", "components {_label}", "components {_label} (rows of V^T)"],
                    variants=["takes the columns of V^T instead of its rows"]),
        Requirement("Use `np.linalg.svd` of the centred data",
                    checks=["scores {_label} (U S, from centred data)"],
                    variants=["does not centre the data"]),
        Requirement("Not allowed here: `np.cov`, `eigh` and `eig` (NumPy's or SciPy's),\n"
                    "`sklearn.decomposition.PCA` and `course_utils.decomposition.PCA`.",
                    checks=["forbid sklearn.decomposition.PCA, course_utils.decomposition.PCA, numpy.linalg.eigh, "
                            "numpy.linalg.eig, scipy.linalg.eigh, scipy.linalg.eig, numpy.cov"],
                    variants=["eigh of X_c^T X_c instead of the SVD"]),
        Requirement("Signs are up to you, but `scores` and\n`components` must use the same ones, so that "
                    "`scores == center(X) @ components.T`.",
                    checks=["scores {_label} against center(X) @ components.T (same signs in both?)"],
                    variants=["flips the components but not the scores"]),
    ],
    "nb02_ex4": [
        Requirement("`ratios`: the array of fractions $r_j$ of the total variance (same length as `eigenvalues`)",
                    checks=["ratios for eigenvalues (4, 2, 1, 1)", "ratios for {_d} eigenvalues"],
                    variants=["does not normalise: the eigenvalues themselves as ratios"]),
        Requirement("`k`: the smallest number of components whose fractions add up to **at least** `target`",
                    checks=["k for a target of 0.6", "k for a target of 0.75 (reached exactly by 2 components: "
                            "'at least')", "k for a target of 0.4", "k for {_d} eigenvalues and a target of {_target}",
                            "k for (6, 1, 1) and 0.75", "k for (1, 1, 1, 1) and 0.5"],
                    variants=["off by one: returns the index of the component, not the number of components",
                              "strictly more than the target instead of at least"]),
        Requirement("as a Python `int`.",
                    checks=["k for a target of 0.6", "k for {_d} eigenvalues and a target of {_target}"],
                    variants=["returns a NumPy integer"]),
        Requirement("a cumulative\nfraction that falls short of `target` by less than $10^{-9}$ counts as reaching "
                    "it.",
                    checks=["k for (7, 2, 1) and 0.9 (0.7 + 0.2 falls short of 0.9 by rounding only)",
                            "k for (3, 2, 2, 2, 1) and 0.9 (a tie up to rounding)"],
                    variants=["no tolerance: 0.7 + 0.2 does not reach 0.9"]),
        Requirement("Raise a `ValueError` if\n`target` is not strictly between 0 and 1.",
                    checks=["a target of 1.5", "a target of 0", "a target of 1"],
                    variants=["no check of the target's range"]),
        Requirement("`course_utils.decomposition` is not allowed here.",
                    checks=["forbid course_utils.decomposition.components_for_variance, "
                            "course_utils.decomposition.PCA"],
                    variants=["calls course_utils.decomposition.components_for_variance"]),
    ],
    "nb02_ex5": [
        Requirement("`X_hat` is the $n \\times d$ array of reconstructions $\\hat x_i = \\mu + V_k V_k^\\top "
                    "(x_i - \\mu)$",
                    checks=["X_hat", "X_hat with a mean of (10, 10) (did you add the mean back?)",
                            "X_hat for {_label}"],
                    variants=["forgets to add the mean back", "projects the uncentred data"]),
        Requirement("`error` is the average over the samples of the squared distance $\\lVert x_i - \\hat x_i "
                    "\\rVert^2$",
                    checks=["error (the mean over samples of the squared distances 0, 1, 0, 1)",
                            "error on the training data for {_label} (the mean over samples of the squared "
                            "distances)"],
                    variants=["averages over every entry instead of summing over features per sample"]),
        Requirement("a Python `float`.",
                    checks=["error", "error for {_label}"],
                    variants=["returns the error as a NumPy float"]),
        Requirement("`X` need not be the data the axes were fitted on.",
                    checks=["X_hat for new data, {_label}", "error for new data, {_label}"],
                    variants=["uses the mean of X instead of the given mean (right only on the training data)"]),
        Requirement("`sklearn.decomposition.PCA` and\n`course_utils.decomposition.PCA` are not allowed here.",
                    checks=["forbid sklearn.decomposition.PCA, course_utils.decomposition.PCA"],
                    variants=["refits scikit-learn's PCA"]),
    ],
    "nb02_ex6": [
        Requirement("Return the array of the same shape\nwhose column $j$ is column $j$ of `X` minus its mean, divided "
                    "by its standard deviation computed with $n - 1$",
                    checks=["standardize(X_units)", "standardize(X_units) (each column minus its mean, divided by its "
                            "standard deviation with n - 1)", "standardize(X) for X of shape {_shape}"],
                    variants=["divides by the standard deviation computed with n (ddof=0, as StandardScaler)",
                              "divides without centring",
                              "divides by the variance instead of the standard deviation"]),
        Requirement("so that the covariance of the result is the correlation matrix of `X`.",
                    checks=["the covariance of standardize(X) against the correlation matrix of X, shape {_shape}"],
                    variants=["divides by the standard deviation computed with n (ddof=0, as StandardScaler)"]),
        Requirement("If a column is constant (standard\ndeviation 0) it cannot be scaled to variance 1: raise a "
                    "`ValueError`.",
                    checks=["a constant column (standard deviation 0)"],
                    variants=["no check for a constant column"]),
        Requirement("Do not modify `X` itself.",
                    checks=["X after calling standardize(X) (your function should not change its input)"],
                    variants=["standardises X in place"]),
        Requirement("`sklearn.preprocessing.StandardScaler` and `scipy.stats.zscore` are not allowed here.",
                    checks=["forbid sklearn.preprocessing.StandardScaler, scipy.stats.zscore"],
                    variants=["calls scipy.stats.zscore"]),
    ],
    "nb02_ex7": [
        Requirement("`ratios_raw`: the fractions of the variance explained by all 30 principal components of the "
                    "raw features\n  `cancer_X`, as a NumPy array of length 30 in decreasing order",
                    checks=["ratios_raw", "the sum of ratios_raw (fractions of the total variance add up to 1)",
                            "ratios_raw (fractions of the variance of the raw features, largest first)"],
                    variants=["the variances instead of the fractions of the variance",
                              "only the first two components"]),
        Requirement("`ratios_standardized`: the same for the standardised features",
                    checks=["ratios_standardized",
                            "the sum of ratios_standardized (fractions of the total variance add up to 1)",
                            "ratios_standardized (fractions of the variance of the standardised features, largest "
                            "first)"],
                    variants=["forgets to standardise"]),
        Requirement("`k90_raw` and `k90_standardized`: the smallest number of components that explain at least 90% "
                    "of the variance,\n  for the raw and for the standardised features",
                    checks=["k90_{_label} (the smallest number of components explaining at least 90%)"],
                    variants=["off by one: the index of the component that reaches 90%"]),
        Requirement("each a Python `int`.",
                    checks=["k90_raw", "k90_standardized"],
                    variants=["NumPy integers instead of Python ints"]),
    ],
}
CONTEXT = {
    "nb02_ex1": ["### Exercise 1: centre a data matrix (2 points)",
                 "Write `center(X)` that returns the centred copy $X_c$ of"],
    "nb02_ex2": ["### Exercise 2: PCA by an eigendecomposition of the covariance (4 points)",
                 "Write `pca_eigh(X, k)` for an $n \\times d$ array `X` and $1 \\le k \\le d$. Return "
                 "`(components, variances)`:",
                 "(The sign of each row is up to you; the tests accept either.)"],
    "nb02_ex3": ["### Exercise 3: PCA by the SVD of the centred data (4 points)",
                 "Write `pca_svd(X, k)` for an $n \\times d$ array `X` and $1 \\le k \\le \\min(n, d)$. Return "
                 "`(scores, components)`:",
                 "and the facts above (`full_matrices=False` keeps $U$ at\n$n \\times \\min(n, d)$)."],
    "nb02_ex4": ["### Exercise 4: variance explained and the smallest $k$ for a target (3 points)",
                 "Write `variance_explained(eigenvalues, target)`. `eigenvalues` holds all the eigenvalues of a "
                 "covariance\nmatrix, sorted in decreasing order; `target` is a fraction in $(0, 1)$. Return "
                 "`(ratios, k)`:",
                 "Sums of fractions are not exact in floating point ($0.7 + 0.2$ gives $0.8999999999999999$), so"],
    "nb02_ex5": ["### Exercise 5: reconstruction and its error (3 points)",
                 "Write `reconstruct(X, mean, components)`: for an $n \\times d$ array `X`, a mean vector of length "
                 "$d$ and a\n$k \\times d$ array of orthonormal principal axes (rows), return `(X_hat, error)` where"],
    "nb02_ex6": ["### Exercise 6: standardise the features (3 points)",
                 "Write `standardize(X)` for an $n \\times d$ NumPy array `X` with $n \\ge 2$."],
    "nb02_ex7": ["### Exercise 7: the breast-cancer scree graphs in numbers (3 points)",
                 "Compute, with scikit-learn's `PCA` (imported as `SklearnPCA`) or with your own functions from "
                 "above:",
                 "Your `standardize` and scikit-learn's `StandardScaler` give the same fractions (section 9), so "
                 "either will do."],
}
ALTERNATIVES = [
    # Exercise 1
    Alternative("nb02_ex1_answer", "np.array copy and keepdims", source='''def center(X):
    X = np.array(X, dtype=np.float64)
    return X - np.mean(X, axis=0, keepdims=True)
'''),
    Alternative("nb02_ex1_answer", "a loop over the columns into a new array", source='''def center(X):
    X = np.asarray(X, dtype=float)
    centered = np.empty_like(X)
    for j in range(X.shape[1]):
        centered[:, j] = X[:, j] - X[:, j].mean()
    return centered
'''),
    # Exercise 2
    Alternative("nb02_ex2_answer", "np.cov and slicing from the end", source='''def pca_eigh(X, k):
    X = np.asarray(X, dtype=float)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(X, rowvar=False))
    return eigenvectors[:, ::-1][:, :k].T, eigenvalues[::-1][:k]
'''),
    Alternative("nb02_ex2_answer", "centring with keepdims, the opposite signs", source='''def pca_eigh(X, k):
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    centered = X - X.mean(axis=0, keepdims=True)
    values, vectors = np.linalg.eigh((centered.T @ centered) / (n - 1))
    top = np.argsort(-values)[:k]
    return -vectors[:, top].T, values[top]
'''),
    # Exercise 3
    Alternative("nb02_ex3_answer", "scores by projecting on the axes", source='''def pca_svd(X, k):
    X = np.asarray(X, dtype=float)
    centered = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(centered, full_matrices=False)
    components = Vt[:k]
    return centered @ components.T, components
'''),
    Alternative("nb02_ex3_answer", "scikit-learn's sign rule applied to both", source='''def pca_svd(X, k):
    X = np.asarray(X, dtype=float)
    U, s, Vt = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
    signs = np.sign(Vt[np.arange(k), np.argmax(np.abs(Vt[:k]), axis=1)])
    return U[:, :k] * s[:k] * signs, Vt[:k] * signs[:, None]
'''),
    # Exercise 4
    Alternative("nb02_ex4_answer", "a loop over partial sums divided by the total", source='''def variance_explained(eigenvalues, target):
    if target <= 0 or target >= 1:
        raise ValueError("target must lie strictly between 0 and 1")
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    total = eigenvalues.sum()
    running = 0.0
    for k, value in enumerate(eigenvalues, start=1):
        running += value
        if running / total >= target - 1e-9:
            break
    return eigenvalues / total, k
'''),
    Alternative("nb02_ex4_answer", "np.searchsorted on the cumulative fractions", source='''def variance_explained(eigenvalues, target):
    if not (0.0 < target < 1.0):
        raise ValueError(f"bad target {target}")
    values = np.array(eigenvalues, dtype=float)
    ratios = values / np.sum(values)
    k = int(np.searchsorted(np.cumsum(ratios), target - 1e-9)) + 1
    return ratios, min(k, len(ratios))
'''),
    # Exercise 5
    Alternative("nb02_ex5_answer", "the projection matrix and row norms", source='''def reconstruct(X, mean, components):
    X = np.asarray(X, dtype=float)
    projector = components.T @ components
    X_hat = mean + (X - mean) @ projector
    error = float(np.mean(np.linalg.norm(X - X_hat, axis=1) ** 2))
    return X_hat, error
'''),
    Alternative("nb02_ex5_answer", "a loop over the samples", source='''def reconstruct(X, mean, components):
    X = np.asarray(X, dtype=float)
    X_hat = np.empty_like(X)
    for i, x in enumerate(X):
        z = components @ (x - mean)
        X_hat[i] = mean + components.T @ z
    error = ((X - X_hat) ** 2).sum() / len(X)
    return X_hat, float(error)
'''),
    # Exercise 6
    Alternative("nb02_ex6_answer", "the standard deviation written out", source='''def standardize(X):
    X = np.asarray(X, dtype=float)
    centered = X - X.mean(axis=0)
    std = np.sqrt((centered ** 2).sum(axis=0) / (X.shape[0] - 1))
    if (std == 0).any():
        raise ValueError("a constant column has no scale")
    return centered / std
'''),
    Alternative("nb02_ex6_answer", "np.std with keepdims and a relative tolerance", source='''def standardize(X):
    X = np.asarray(X, dtype=float)
    std = np.std(X, axis=0, ddof=1, keepdims=True)
    if not np.all(std > 1e-12 * np.maximum(1.0, np.abs(X).max(axis=0, keepdims=True))):
        raise ValueError("constant column")
    return np.divide(X - np.mean(X, axis=0, keepdims=True), std)
'''),
    # Exercise 7
    Alternative("nb02_ex7_answer", "the notebook's own functions, StandardScaler", source='''_, variances_raw = pca_eigh(cancer_X, 30)
ratios_raw, k90_raw = variance_explained(variances_raw, 0.9)
_, variances_standardized = pca_eigh(StandardScaler().fit_transform(cancer_X), 30)
ratios_standardized, k90_standardized = variance_explained(variances_standardized, 0.9)
'''),
    Alternative("nb02_ex7_answer", "scikit-learn with StandardScaler and searchsorted", source='''raw_model = SklearnPCA(n_components=30, svd_solver="full").fit(cancer_X)
ratios_raw = raw_model.explained_variance_ratio_
scaled_model = SklearnPCA(n_components=30, svd_solver="full").fit(StandardScaler().fit_transform(cancer_X))
ratios_standardized = scaled_model.explained_variance_ratio_
k90_raw = int(np.searchsorted(np.cumsum(ratios_raw), 0.9)) + 1
k90_standardized = int(np.searchsorted(np.cumsum(ratios_standardized), 0.9)) + 1
'''),
]
