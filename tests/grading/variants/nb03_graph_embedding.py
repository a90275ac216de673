"""Typical wrong answers for notebook 03, applied to the solution by the grading round trip, with each exercise's
requirements table and its differently written correct answers (see tests/grading/exercises.py)."""

from tests.grading.course import Variant
from tests.grading.exercises import Alternative, Requirement

ASSIGNMENT = "03_graph_embedding"

VARIANTS = [
    # Exercise 1: double centring
    Variant("nb03_ex1_answer", "forgets the factor -1/2",
            {"return -0.5 * (D2 - row_means - column_means + D2.mean())":
             "return D2 - row_means - column_means + D2.mean()"}),
    Variant("nb03_ex1_answer", "centres only one side (removes the column means, not the row means)",
            {"return -0.5 * (D2 - row_means - column_means + D2.mean())": "return -0.5 * (D2 - column_means)"}),
    Variant("nb03_ex1_answer", "wrong sign: +1/2",
            {"return -0.5 * (D2 - row_means - column_means + D2.mean())":
             "return 0.5 * (D2 - row_means - column_means + D2.mean())"}),
    Variant("nb03_ex1_answer", "forgets to add back the grand mean",
            {"return -0.5 * (D2 - row_means - column_means + D2.mean())":
             "return -0.5 * (D2 - row_means - column_means)"}),
    Variant("nb03_ex1_answer", "does not turn a nested list into an array",
            {"    D2 = np.asarray(D2, dtype=float)\n": ""}),
    Variant("nb03_ex1_answer", "calls the course's own double_center",
            {"return -0.5 * (D2 - row_means - column_means + D2.mean())": "return graphs.double_center(D2)"}),
    # Exercise 2: classical MDS
    Variant("nb03_ex2_answer", "double-centres the distances, not the squared distances",
            {"B = double_center(np.asarray(D, dtype=float) ** 2)": "B = double_center(np.asarray(D, dtype=float))"}),
    Variant("nb03_ex2_answer", "takes the k smallest eigenvalues (eigh sorts them increasing)",
            {"top_values = eigenvalues[::-1][:k]": "top_values = eigenvalues[:k]",
             "top_vectors = eigenvectors[:, ::-1][:, :k]": "top_vectors = eigenvectors[:, :k]"}),
    Variant("nb03_ex2_answer", "returns the eigenvectors without the square roots of the eigenvalues",
            {"return top_vectors * np.sqrt(np.clip(top_values, 0.0, None))": "return top_vectors"}),
    Variant("nb03_ex2_answer", "does not clip negative eigenvalues (NaN coordinates)",
            {"np.sqrt(np.clip(top_values, 0.0, None))": "np.sqrt(top_values)"}),
    Variant("nb03_ex2_answer", "takes the absolute value of negative eigenvalues instead of clipping them",
            {"np.sqrt(np.clip(top_values, 0.0, None))": "np.sqrt(np.abs(top_values))"}),
    Variant("nb03_ex2_answer", "orders the eigenvalues by magnitude instead of by value",
            {"top_values = eigenvalues[::-1][:k]\n    top_vectors = eigenvectors[:, ::-1][:, :k]":
             "order = np.argsort(np.abs(eigenvalues))[::-1][:k]\n    top_values = eigenvalues[order]\n"
             "    top_vectors = eigenvectors[:, order]"}),
    Variant("nb03_ex2_answer", "calls the course's ClassicalMDS",
            {"return top_vectors * np.sqrt(np.clip(top_values, 0.0, None))":
             'return ClassicalMDS(n_components=k, dissimilarity="precomputed").fit_transform(D)'}),
    # Exercise 3: the three Laplacians
    Variant("nb03_ex3_answer", "random walk: divides the columns instead of the rows",
            {"return L / d[:, None]": "return L / d[None, :]"}),
    Variant("nb03_ex3_answer", "symmetric: D^-1 on both sides instead of D^-1/2",
            {"d_inv_sqrt = 1.0 / np.sqrt(d)": "d_inv_sqrt = 1.0 / d"}),
    Variant("nb03_ex3_answer", "W - D instead of D - W",
            {"L = np.diag(d) - W": "L = W - np.diag(d)"}),
    Variant("nb03_ex3_answer", "no error for an unknown kind (returns None)",
            {"raise ValueError(f\"kind must be": "return None\n    (f\"kind must be"}),
    Variant("nb03_ex3_answer", "the wrong default kind",
            {'def graph_laplacian(W, kind="unnormalized"):': 'def graph_laplacian(W, kind="symmetric"):'}),
    Variant("nb03_ex3_answer", "forms D^-1 with a matrix inverse",
            {"return L / d[:, None]": "return np.linalg.inv(np.diag(d)) @ L"}),
    Variant("nb03_ex3_answer", "calls scipy's csgraph.laplacian",
            {"L = np.diag(d) - W": "L = csgraph.laplacian(W)"}),
    # Exercise 4: components from the spectrum
    Variant("nb03_ex4_answer", "counts the non-zero eigenvalues",
            {"return int(np.sum(eigenvalues < tol))": "return int(np.sum(eigenvalues > tol))"}),
    Variant("nb03_ex4_answer", "uses the spectrum of W instead of the Laplacian",
            {"eigenvalues = np.linalg.eigvalsh(L)": "eigenvalues = np.linalg.eigvalsh(W)"}),
    Variant("nb03_ex4_answer", "off by one: does not count the always-present zero eigenvalue",
            {"return int(np.sum(eigenvalues < tol))": "return int(np.sum(eigenvalues < tol)) - 1"}),
    Variant("nb03_ex4_answer", "ignores tol (always compares with 1e-8)",
            {"return int(np.sum(eigenvalues < tol))": "return int(np.sum(eigenvalues < 1e-8))"}),
    Variant("nb03_ex4_answer", "returns a NumPy integer",
            {"return int(np.sum(eigenvalues < tol))": "return np.sum(eigenvalues < tol)"}),
    Variant("nb03_ex4_answer", "counts with a graph search",
            {"return int(np.sum(eigenvalues < tol))": "return int(csgraph.connected_components(W, directed=False)[0])"}),
    # Exercise 5: Isomap
    Variant("nb03_ex5_answer", "hop counts: a connectivity graph instead of edge lengths",
            {'mode="distance"': 'mode="connectivity"'}),
    Variant("nb03_ex5_answer", "directed shortest paths on the one-sided kNN graph",
            {"csgraph.shortest_path(graph, directed=False)": "csgraph.shortest_path(graph)"}),
    Variant("nb03_ex5_answer", "squares the geodesic distances before classical MDS",
            {"return classical_mds(geodesic, k)": "return classical_mds(geodesic ** 2, k)"}),
    Variant("nb03_ex5_answer", "skips the shortest paths (straight-line distances: PCA)",
            {"geodesic = csgraph.shortest_path(graph, directed=False)":
             "geodesic = np.sqrt(np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1))"}),
    Variant("nb03_ex5_answer", "counts each point as its own neighbour",
            {'kneighbors_graph(X, n_neighbors, mode="distance")':
             'kneighbors_graph(X, n_neighbors, mode="distance", include_self=True)'}),
    Variant("nb03_ex5_answer", "calls scikit-learn's Isomap",
            {"return classical_mds(geodesic, k)":
             "return sk_manifold.Isomap(n_neighbors=n_neighbors, n_components=k).fit_transform(X)"}),
    # Exercise 6: diffusion maps
    Variant("nb03_ex6_answer", "keeps the trivial pair (mu_0 = 1, constant psi_0)",
            {"return psi[:, 1:k + 1] * mu[1:k + 1] ** t": "return psi[:, :k] * mu[:k] ** t"}),
    Variant("nb03_ex6_answer", "takes the smallest eigenvalues of K (eigh's increasing order)",
            {"    mu, u = mu[::-1], u[:, ::-1]\n": ""}),
    Variant("nb03_ex6_answer", "returns the unit eigenvectors u of K instead of psi",
            {"psi = u / np.sqrt(d / d.sum())[:, None]": "psi = u"}),
    Variant("nb03_ex6_answer", "psi = D^-1/2 u, not normalised by the stationary distribution",
            {"psi = u / np.sqrt(d / d.sum())[:, None]": "psi = u / np.sqrt(d)[:, None]"}),
    Variant("nb03_ex6_answer", "left eigenvectors D^1/2 u instead of right ones",
            {"psi = u / np.sqrt(d / d.sum())[:, None]": "psi = u * np.sqrt(d / d.sum())[:, None]"}),
    Variant("nb03_ex6_answer", "forgets the t-th power",
            {"return psi[:, 1:k + 1] * mu[1:k + 1] ** t": "return psi[:, 1:k + 1] * mu[1:k + 1]"}),
    Variant("nb03_ex6_answer", "gets the eigenvectors from scikit-learn's spectral_embedding",
            {"    mu, u = np.linalg.eigh(K)\n    mu, u = mu[::-1], u[:, ::-1]\n"
             "    psi = u / np.sqrt(d / d.sum())[:, None]\n":
             "    v = sk_manifold.spectral_embedding(W, n_components=k + 1, drop_first=False, random_state=0)\n"
             "    psi = v * np.sqrt(d.sum())\n"
             "    mu = 1.0 - np.sum(v * ((np.diag(d) - W) @ v), axis=0)\n"}),
    # Exercise 7: Laplacian eigenmaps
    Variant("nb03_ex7_answer", "keeps the trivial constant vector",
            {"return eigenvectors[:, 1:k + 1]": "return eigenvectors[:, :k]"}),
    Variant("nb03_ex7_answer", "takes the largest eigenvalues",
            {"return eigenvectors[:, 1:k + 1]": "return eigenvectors[:, -k:]"}),
    Variant("nb03_ex7_answer", "solves the ordinary problem L v = lambda v (no D)",
            {"scipy.linalg.eigh(D - W, D)": "scipy.linalg.eigh(D - W)"}),
    Variant("nb03_ex7_answer", "rescales the eigenvectors to unit length (loses v^T D v = 1)",
            {"return eigenvectors[:, 1:k + 1]":
             "return eigenvectors[:, 1:k + 1] / np.linalg.norm(eigenvectors[:, 1:k + 1], axis=0)"}),
    Variant("nb03_ex7_answer", "returns the eigenvectors u of L_sym without converting them to v = D^-1/2 u",
            {"eigenvalues, eigenvectors = scipy.linalg.eigh(D - W, D)":
             "d_inv_sqrt = 1.0 / np.sqrt(W.sum(axis=1))\n"
             "    eigenvalues, eigenvectors = np.linalg.eigh(np.eye(len(W)) - d_inv_sqrt[:, None] * W * d_inv_sqrt)"}),
    Variant("nb03_ex7_answer", "calls scikit-learn's SpectralEmbedding",
            {"return eigenvectors[:, 1:k + 1]":
             'return sk_manifold.SpectralEmbedding(n_components=k, affinity="precomputed", '
             'random_state=0).fit_transform(W)'}),
    # Exercise 8: one step of spectral clustering
    Variant("nb03_ex8_answer", "takes the largest eigenvalues of L_sym",
            {"U = eigenvectors[:, :k]": "U = eigenvectors[:, -k:]"}),
    Variant("nb03_ex8_answer", "does not normalise the rows",
            {"return U / np.linalg.norm(U, axis=1, keepdims=True)": "return U"}),
    Variant("nb03_ex8_answer", "drops the first eigenvector, as Laplacian eigenmaps do (wrong for clustering)",
            {"U = eigenvectors[:, :k]": "U = eigenvectors[:, 1:k + 1]"}),
    Variant("nb03_ex8_answer", "normalises the columns instead of the rows",
            {"return U / np.linalg.norm(U, axis=1, keepdims=True)": "return U / np.linalg.norm(U, axis=0, keepdims=True)"}),
    Variant("nb03_ex8_answer", "calls the course's own spectral_rows",
            {"return U / np.linalg.norm(U, axis=1, keepdims=True)":
             "from course_utils.cluster import spectral_rows as course_rows\n    return course_rows(W, k)"}),
]

# What each exercise's text asks, and which checks and wrong variants go with it (tests/grading/exercises.py).
REQUIREMENTS = {
    "nb03_ex1": [
        Requirement("Write `double_center(D2)` that takes an $n \\times n$ NumPy array or nested list of **squared** "
                    "distances",
                    checks=["double_center of a list of lists", "double_center of a {_n} x {_n} matrix"],
                    variants=["does not turn a nested list into an array"]),
        Requirement("and returns the $n \\times n$ array $B = -\\tfrac12 H D^{(2)} H$.",
                    checks=["double_center(squared)",
                            "double_center(squared) (should be the Gram matrix of the centred points)",
                            "double_center of a {_n} x {_n} matrix", "double_center of a list of lists"],
                    variants=["forgets the factor -1/2",
                              "centres only one side (removes the column means, not the row means)",
                              "wrong sign: +1/2", "forgets to add back the grand mean"]),
        Requirement("`course_utils.graphs.double_center` is not allowed here.",
                    checks=["forbid course_utils.graphs.double_center"],
                    variants=["calls the course's own double_center"]),
    ],
    "nb03_ex2": [
        Requirement("Write `classical_mds(D, k)`: given an $n\\times n$ array `D` of distances (**not** squared) and "
                    "an integer $1 \\le k < n$, return the $n \\times k$ embedding $Y = U_k \\Lambda_k^{1/2}$.",
                    checks=["classical_mds(distances, 2)", "classical_mds(distances, 2) against the PCA scores",
                            "classical_mds of {_n} points in {_p}-D, k = {_k}"],
                    variants=["double-centres the distances, not the squared distances",
                              "returns the eigenvectors without the square roots of the eigenvalues"]),
        Requirement("Its columns are the eigenvectors $u_1, \\dots, u_k$ of $B = -\\tfrac12 H D^{(2)} H$ for the $k$ "
                    "**largest** eigenvalues $\\lambda_1 \\ge \\dots \\ge \\lambda_k$, each scaled by "
                    "$\\sqrt{\\lambda_i}$.",
                    checks=["classical_mds of {_n} points in {_p}-D, k = {_k}",
                            "classical_mds of non-Euclidean dissimilarities (negative eigenvalues clipped to 0)"],
                    variants=["takes the k smallest eigenvalues (eigh sorts them increasing)",
                              "orders the eigenvalues by magnitude instead of by value",
                              "returns the eigenvectors without the square roots of the eigenvalues"]),
        Requirement("Clip negative eigenvalues to 0 before the square root: when the distances are not Euclidean, "
                    "some of the $k$ largest eigenvalues can be negative, and their columns are then 0.",
                    checks=["classical_mds of non-Euclidean dissimilarities (negative eigenvalues clipped to 0)"],
                    variants=["does not clip negative eigenvalues (NaN coordinates)",
                              "takes the absolute value of negative eigenvalues instead of clipping them"]),
        Requirement("Work it out yourself: `sklearn.manifold.MDS`, `sklearn.decomposition.PCA` and "
                    "`course_utils.manifold.ClassicalMDS` are not allowed here.",
                    checks=["forbid sklearn.manifold.MDS, sklearn.decomposition.PCA, "
                            "course_utils.manifold.ClassicalMDS"],
                    variants=["calls the course's ClassicalMDS"]),
    ],
    "nb03_ex3": [
        Requirement("It returns $L$ for `kind=\"unnormalized\"` (the default), $L_{\\text{sym}}$ for "
                    "`kind=\"symmetric\"` and $L_{\\text{rw}}$ for `kind=\"random_walk\"`.",
                    checks=["unnormalized Laplacian of the path",
                            "random-walk Laplacian of the path (rows divided by the degrees?)",
                            "diagonal of the symmetric Laplacian", "unnormalized Laplacian, n = {_n}",
                            "symmetric Laplacian, n = {_n}", "random-walk Laplacian, n = {_n}",
                            "graph_laplacian(W) with the default kind"],
                    variants=["random walk: divides the columns instead of the rows",
                              "symmetric: D^-1 on both sides instead of D^-1/2", "W - D instead of D - W",
                              "the wrong default kind"]),
        Requirement("Raise a `ValueError` for any other `kind`, for example `\"normalized\"`, which does not say "
                    "which of the two normalised Laplacians is meant.",
                    checks=["an unknown kind {_kind}"],
                    variants=["no error for an unknown kind (returns None)"]),
        Requirement("Do not form $D^{-1}$ or $D^{-1/2}$ with a matrix inverse (`numpy.linalg.inv` and "
                    "`scipy.linalg.inv` are not allowed): dividing rows (and columns) by the degrees, or by their "
                    "square roots, is enough.",
                    checks=["forbid numpy.linalg.inv, scipy.linalg.inv"],
                    variants=["forms D^-1 with a matrix inverse"]),
        Requirement("`scipy.sparse.csgraph.laplacian` and `course_utils.graphs.laplacian` are not allowed here.",
                    checks=["forbid scipy.sparse.csgraph.laplacian, course_utils.graphs.laplacian"],
                    variants=["calls scipy's csgraph.laplacian"]),
    ],
    "nb03_ex4": [
        Requirement("Write `count_components(W, tol=1e-8)` for a dense symmetric `W` with zero diagonal (isolated "
                    "nodes are allowed: each is a component of its own).",
                    checks=["the value of count_components for pieces of sizes {_sizes}"],
                    variants=["off by one: does not count the always-present zero eigenvalue"]),
        Requirement("Return, as a Python `int` (not a NumPy integer),",
                    checks=["count_components(W_friends)", "count_components for pieces of sizes {_sizes}",
                            "count_components(W, tol=1e-3)"],
                    variants=["returns a NumPy integer"]),
        Requirement("the number of eigenvalues of the unnormalised Laplacian $L = D - W$ that are below `tol`.",
                    checks=["the value of count_components(W_friends)", "count_components without the bridge 5 - 6",
                            "the value of count_components for pieces of sizes {_sizes}",
                            "count_components(W) for two groups joined by an edge of weight 1e-5"],
                    variants=["counts the non-zero eigenvalues", "uses the spectrum of W instead of the Laplacian",
                              "off by one: does not count the always-present zero eigenvalue"]),
        Requirement("A very weak edge makes an eigenvalue small but not zero, so the answer depends on `tol`: with a "
                    "larger `tol`, a nearly disconnected graph counts as several pieces.",
                    checks=["count_components(W, tol=1e-3) for two groups joined by an edge of weight 1e-5"],
                    variants=["ignores tol (always compares with 1e-8)"]),
        Requirement("Use the spectrum, not a graph search: `scipy.sparse.csgraph.connected_components` and "
                    "`course_utils.graphs.connected_components` are not allowed here.",
                    checks=["forbid scipy.sparse.csgraph.connected_components, "
                            "course_utils.graphs.connected_components"],
                    variants=["counts with a graph search"]),
    ],
    "nb03_ex5": [
        Requirement("Write `isomap(X, n_neighbors, k)` for an $n \\times p$ data array `X`, returning the "
                    "$n \\times k$ Isomap embedding in three steps.",
                    checks=["isomap(roll_small, 8, 2)", "isomap(roll_small, 8, 2) against sklearn.manifold.Isomap",
                            "isomap of {_label}, n_neighbors = {_nn}, k = {_k}"],
                    variants=["squares the geodesic distances before classical MDS"]),
        Requirement("1. Build the kNN graph with the Euclidean distances as edge lengths, each point joined to its "
                    "`n_neighbors` nearest *other* points: `kneighbors_graph(X, n_neighbors, mode=\"distance\")` "
                    "from `sklearn.neighbors` does it.",
                    checks=["isomap of {_label}, n_neighbors = {_nn}, k = {_k}",
                            "isomap with n_neighbors = n - 1 (should be the PCA scores)"],
                    variants=["hop counts: a connectivity graph instead of edge lengths",
                              "counts each point as its own neighbour"]),
        Requirement("2. Compute all shortest-path distances along the graph with `scipy.sparse.csgraph.shortest_path`, "
                    "walking every edge in both directions (`directed=False`: \"$j$ is among $i$'s neighbours\" is "
                    "one-sided).",
                    checks=["isomap of {_label}, n_neighbors = {_nn}, k = {_k}",
                            "isomap(roll_small, 8, 2) against sklearn.manifold.Isomap"],
                    variants=["directed shortest paths on the one-sided kNN graph",
                              "skips the shortest paths (straight-line distances: PCA)"]),
        Requirement("3. Embed those distances with your `classical_mds` from Exercise 2.",
                    checks=["isomap with n_neighbors = n - 1 (should be the PCA scores)",
                            "isomap of {_label}, n_neighbors = {_nn}, k = {_k}"],
                    variants=["squares the geodesic distances before classical MDS"]),
        Requirement("`sklearn.manifold.Isomap`, `course_utils.manifold.Isomap` and `course_utils.manifold.ClassicalMDS` "
                    "are not allowed here.",
                    checks=["forbid sklearn.manifold.Isomap, course_utils.manifold.Isomap, "
                            "course_utils.manifold.ClassicalMDS"],
                    variants=["calls scikit-learn's Isomap"]),
    ],
    "nb03_ex6": [
        Requirement("Write `diffusion_map(W, k, t)` for a dense symmetric weight matrix `W` (zero diagonal, every "
                    "degree positive), an integer $1 \\le k < n$ and an integer diffusion time $t \\ge 0$.",
                    checks=["diffusion_map(W_friends, 2, 1)", "diffusion_map with n = {_n}, k = {_k}, t = {_t}",
                            "distances of diffusion_map(W, n - 1, 3) against the diffusion distances, {_label}"],
                    variants=["forgets the t-th power"]),
        Requirement("Return the $n \\times k$ array whose column $j$ is $\\mu_j^t\\,\\psi_j$, for "
                    "$j = 1, \\dots, k$:",
                    checks=["diffusion_map(W_friends, 2, 1) against SpectralEmbedding",
                            "diffusion_map with n = {_n}, k = {_k}, t = {_t}"],
                    variants=["forgets the t-th power"]),
        Requirement("1. take the eigenpairs $(\\mu_j, u_j)$ of $K = D^{-1/2} W D^{-1/2}$ in order of **decreasing** "
                    "$\\mu$, with unit-length $u_j$ as `np.linalg.eigh` returns them;",
                    checks=["diffusion_map with n = {_n}, k = {_k}, t = {_t}",
                            "diffusion_map(W_friends, 2, 1) against SpectralEmbedding"],
                    variants=["takes the smallest eigenvalues of K (eigh's increasing order)"]),
        Requirement("2. turn them into right eigenvectors of $P$ normalised by the stationary distribution, "
                    "$\\psi_j = u_j / \\sqrt{\\pi}$ (entrywise, with $\\pi = d / \\sum_i d_i$), so that $\\psi_0$ is "
                    "the constant 1;",
                    checks=["diffusion_map with n = {_n}, k = {_k}, t = {_t}",
                            "distances of diffusion_map(W, n - 1, 3) against the diffusion distances, {_label}"],
                    variants=["returns the unit eigenvectors u of K instead of psi",
                              "psi = D^-1/2 u, not normalised by the stationary distribution",
                              "left eigenvectors D^1/2 u instead of right ones"]),
        Requirement("3. drop the trivial pair $(\\mu_0 = 1, \\psi_0)$ and scale each of the next $k$ eigenvectors by "
                    "$\\mu_j^t$ ($t = 0$ leaves them as they are).",
                    checks=["degree-weighted column sums of diffusion_map(W_friends, 2, 1) (did you drop the "
                            "constant psi_0?)",
                            "diffusion_map with n = {_n}, k = {_k}, t = {_t}"],
                    variants=["keeps the trivial pair (mu_0 = 1, constant psi_0)", "forgets the t-th power"]),
        Requirement("`course_utils.manifold.DiffusionMap`, `course_utils.manifold.LaplacianEigenmaps`, "
                    "`sklearn.manifold.SpectralEmbedding` and `sklearn.manifold.spectral_embedding` are not allowed "
                    "here.",
                    checks=["forbid course_utils.manifold.DiffusionMap, course_utils.manifold.LaplacianEigenmaps, "
                            "sklearn.manifold.SpectralEmbedding, sklearn.manifold.spectral_embedding"],
                    variants=["gets the eigenvectors from scikit-learn's spectral_embedding"]),
    ],
    "nb03_ex7": [
        Requirement("Write `laplacian_eigenmap(W, k)` for a dense symmetric weight matrix `W` (zero diagonal, "
                    "connected, every degree positive) and an integer $1 \\le k < n$.",
                    checks=["laplacian_eigenmap(W_friends, 2)",
                            "laplacian_eigenmap of a random graph, n = {_n}, k = {_k}"],
                    variants=["keeps the trivial constant vector"]),
        Requirement("Solve the generalised problem $L v = \\lambda D v$ with `scipy.linalg.eigh(L, D)`, which returns "
                    "the eigenvalues in increasing order and eigenvectors normalised so that $v^\\top D v = 1$.",
                    checks=["laplacian_eigenmap of a random graph, n = {_n}, k = {_k}",
                            "laplacian_eigenmap of the S-curve's graph against "
                            "SpectralEmbedding(affinity='nearest_neighbors')",
                            "laplacian_eigenmap(W_friends, 2) against SpectralEmbedding"],
                    variants=["solves the ordinary problem L v = lambda v (no D)", "takes the largest eigenvalues",
                              "returns the eigenvectors u of L_sym without converting them to v = D^-1/2 u"]),
        Requirement("Drop the trivial solution ($\\lambda_0 = 0$ with a constant $v_0$) and return the $n \\times k$ "
                    "array $[v_1, \\dots, v_k]$ of the next $k$ eigenvectors, keeping their $D$-normalisation.",
                    checks=["Y^T D Y for laplacian_eigenmap(W_friends, 2) (should be the identity: v^T D v = 1)",
                            "Y^T D Y for the ring",
                            "laplacian_eigenmap of a random graph, n = {_n}, k = {_k}"],
                    variants=["keeps the trivial constant vector",
                              "rescales the eigenvectors to unit length (loses v^T D v = 1)"]),
        Requirement("The tests compare with `sklearn.manifold.SpectralEmbedding` up to the sign of each column and, "
                    "where an eigenvalue repeats, up to a rotation within its eigenspace.",
                    checks=["laplacian_eigenmap of a ring (a double eigenvalue)"],
                    variants=["keeps the trivial constant vector"]),
        Requirement("`sklearn.manifold.SpectralEmbedding`, `sklearn.manifold.spectral_embedding` and "
                    "`course_utils.manifold.LaplacianEigenmaps` are not allowed here.",
                    checks=["forbid sklearn.manifold.SpectralEmbedding, sklearn.manifold.spectral_embedding, "
                            "course_utils.manifold.LaplacianEigenmaps"],
                    variants=["calls scikit-learn's SpectralEmbedding"]),
    ],
    "nb03_ex8": [
        Requirement("Return the $n \\times k$ array whose columns are the eigenvectors of $L_{\\text{sym}}$ for the "
                    "$k$ smallest eigenvalues, the first one included,",
                    checks=["spectral_rows(W_friends, 2)", "spectral_rows for {_k} groups of sizes {_sizes}"],
                    variants=["takes the largest eigenvalues of L_sym",
                              "drops the first eigenvector, as Laplacian eigenmaps do (wrong for clustering)"]),
        Requirement("with every **row** scaled to unit Euclidean length (steps 1-3 above).",
                    checks=["row lengths (did you normalise the rows?)",
                            "spectral_rows for {_k} groups of sizes {_sizes}"],
                    variants=["does not normalise the rows", "normalises the columns instead of the rows"]),
        Requirement("On a graph made of $k$ groups joined by weak edges, k-means on your rows must recover the "
                    "groups.",
                    checks=["k-means on your rows recovers the groups (ARI)"],
                    variants=["takes the largest eigenvalues of L_sym"]),
        Requirement("`sklearn.manifold.spectral_embedding` and `course_utils.cluster.spectral_rows` are not allowed "
                    "here.",
                    checks=["forbid sklearn.manifold.spectral_embedding, course_utils.cluster.spectral_rows"],
                    variants=["calls the course's own spectral_rows"]),
    ],
}
CONTEXT = {
    "nb03_ex1": ["### Exercise 1: double centring (3 points)",
                 "You do not need $H$ itself: $H D^{(2)} H$ subtracts from every entry its row mean and its column "
                 "mean and adds back the mean of all entries.",
                 "Computed with means this costs $O(n^2)$; two products with the $n \\times n$ matrix $H$ would cost "
                 "$O(n^3)$."],
    "nb03_ex2": ["### Exercise 2: classical MDS (3 points)",
                 "You may call your `double_center` from Exercise 1; `np.linalg.eigh` returns the eigenvalues in "
                 "increasing order."],
    "nb03_ex3": ["### Exercise 3: the three Laplacians (4 points)",
                 "Write `graph_laplacian(W, kind=\"unnormalized\")` for a dense symmetric array `W` with zero diagonal "
                 "and no isolated node (every degree positive)."],
    "nb03_ex4": ["### Exercise 4: count the connected components from the spectrum (3 points)"],
    "nb03_ex5": ["### Exercise 5: Isomap from its pieces (4 points)",
                 "The tests use connected graphs, and compare your embedding with `sklearn.manifold.Isomap` up to the "
                 "sign of each column."],
    "nb03_ex6": ["### Exercise 6: diffusion maps (4 points)",
                 "You may use your `graph_laplacian` from Exercise 3 ($K = I - L_{\\text{sym}}$).",
                 "The tests compare your coordinates, up to the sign of each column, with the eigenvectors of "
                 "`sklearn.manifold.SpectralEmbedding` (which are the $\\psi_j$ up to a constant factor), and check "
                 "that with all $n - 1$ coordinates the Euclidean distances of your map are the diffusion distances."],
    "nb03_ex7": ["### Exercise 7: Laplacian eigenmaps (4 points)",
                 "You may use your `graph_laplacian` from Exercise 3."],
    "nb03_ex8": ["### Exercise 8: one step of spectral clustering (3 points)",
                 "Write `spectral_rows(W, k)` for a dense symmetric adjacency `W` (zero diagonal, every degree "
                 "positive).",
                 "Eigenvectors are only defined up to sign, and up to rotation within a repeated eigenvalue, so the "
                 "tests accept any such version.",
                 "You may use your `graph_laplacian` from Exercise 3."],
}

ALTERNATIVES = [
    # Exercise 1
    Alternative("nb03_ex1_answer", "builds H and multiplies (slower, but correct)", source='''def double_center(D2):
    D2 = np.array(D2, dtype=float)
    n = D2.shape[0]
    H = np.eye(n) - np.ones((n, n)) / n
    return -0.5 * H @ D2 @ H
'''),
    Alternative("nb03_ex1_answer", "centres the columns, then the rows of the result", source='''def double_center(D2):
    B = np.asarray(D2, dtype=np.float64)
    B = B - np.mean(B, axis=0)
    B = B - np.mean(B, axis=1)[:, np.newaxis]
    return -B / 2
'''),
    # Exercise 2
    Alternative("nb03_ex2_answer", "scipy.linalg.eigh with subset_by_index, own centring", source='''def classical_mds(D, k):
    D2 = np.asarray(D, dtype=float) ** 2
    n = len(D2)
    B = -0.5 * (D2 - D2.mean(axis=0) - D2.mean(axis=1)[:, None] + D2.mean())
    values, vectors = scipy.linalg.eigh(B, subset_by_index=[n - k, n - 1])
    values, vectors = values[::-1], vectors[:, ::-1]
    return vectors * np.sqrt(np.maximum(values, 0))
'''),
    Alternative("nb03_ex2_answer", "argsort and a loop over the columns", source='''def classical_mds(D, k):
    B = double_center(np.square(D))
    values, vectors = np.linalg.eigh(B)
    order = np.argsort(-values)[:k]
    Y = np.zeros((len(B), k))
    for column, i in enumerate(order):
        Y[:, column] = vectors[:, i] * np.sqrt(max(values[i], 0.0))
    return Y
'''),
    # Exercise 3
    Alternative("nb03_ex3_answer", "diagonal matrices built from 1/d (no inverse) and a dict",
                source='''def graph_laplacian(W, kind="unnormalized"):
    W = np.asarray(W, dtype=float)
    d = W.sum(axis=0)
    L = np.diag(d) - W
    scale = {"unnormalized": None, "symmetric": np.diag(1 / np.sqrt(d)), "random_walk": np.diag(1 / d)}
    if kind not in scale:
        raise ValueError("unknown kind: " + str(kind))
    if kind == "unnormalized":
        return L
    if kind == "symmetric":
        return scale[kind] @ L @ scale[kind]
    return scale[kind] @ L
'''),
    Alternative("nb03_ex3_answer", "I minus the normalised adjacency", source='''def graph_laplacian(W, kind="unnormalized"):
    W = np.array(W, dtype=float)
    n = W.shape[0]
    d = np.sum(W, axis=1)
    if kind == "symmetric":
        return np.eye(n) - W / np.sqrt(np.outer(d, d))
    if kind == "random_walk":
        return np.eye(n) - W / d.reshape(-1, 1)
    if kind == "unnormalized":
        return np.diag(d) - W
    raise ValueError(f"unknown kind {kind}")
'''),
    # Exercise 4
    Alternative("nb03_ex4_answer", "scipy.linalg.eigvalsh and np.count_nonzero", source='''def count_components(W, tol=1e-8):
    W = np.asarray(W, dtype=float)
    L = -W.copy()
    L[np.diag_indices_from(L)] += W.sum(axis=1)
    return int(np.count_nonzero(scipy.linalg.eigvalsh(L) < tol))
'''),
    Alternative("nb03_ex4_answer", "a Python sum over the eigenvalues", source='''def count_components(W, tol=1e-8):
    A = np.array(W, dtype=float)
    values = np.linalg.eigvalsh(np.diag(A.sum(axis=1)) - A)
    return sum(1 for value in values if value < tol)
'''),
    # Exercise 5
    Alternative("nb03_ex5_answer", "NearestNeighbors and Dijkstra", source='''from sklearn.neighbors import NearestNeighbors


def isomap(X, n_neighbors, k):
    neighbours = NearestNeighbors(n_neighbors=n_neighbors).fit(X)
    lengths = neighbours.kneighbors_graph(mode="distance")
    geodesic = csgraph.shortest_path(lengths, method="D", directed=False)
    return classical_mds(geodesic, k)
'''),
    Alternative("nb03_ex5_answer", "a dense kNN graph built with NumPy, made symmetric, Floyd-Warshall", source='''def isomap(X, n_neighbors, k):
    X = np.asarray(X, dtype=float)
    n = len(X)
    squared = np.sum(X ** 2, axis=1)
    distances = np.sqrt(np.maximum(squared[:, None] + squared[None, :] - 2 * X @ X.T, 0))
    np.fill_diagonal(distances, np.inf)
    nearest = np.argsort(distances, axis=1)[:, :n_neighbors]
    rows = np.repeat(np.arange(n), n_neighbors)
    graph = np.zeros((n, n))
    graph[rows, nearest.ravel()] = distances[rows, nearest.ravel()]
    graph = np.maximum(graph, graph.T)
    return classical_mds(csgraph.shortest_path(graph, method="FW"), k)
'''),
    # Exercise 6
    Alternative("nb03_ex6_answer", "K = I - L_sym from graph_laplacian, top eigenpairs with subset_by_index",
                source='''def diffusion_map(W, k, t):
    W = np.asarray(W, dtype=float)
    n = len(W)
    K = np.eye(n) - graph_laplacian(W, "symmetric")
    mu, u = scipy.linalg.eigh(K, subset_by_index=[n - k - 1, n - 1])
    mu, u = mu[::-1], u[:, ::-1]
    pi = W.sum(axis=1) / W.sum()
    psi = u / np.sqrt(pi)[:, None]
    return psi[:, 1:] * mu[1:] ** t
'''),
    Alternative("nb03_ex6_answer", "the generalised problem W psi = mu D psi, rescaled by the volume",
                source='''def diffusion_map(W, k, t):
    W = np.asarray(W, dtype=float)
    degrees = W.sum(axis=1)
    mu, v = scipy.linalg.eigh(W, np.diag(degrees))
    order = np.argsort(mu)[::-1][1:k + 1]
    return v[:, order] * np.sqrt(degrees.sum()) * np.power(mu[order], t)
'''),
    # Exercise 7
    Alternative("nb03_ex7_answer", "through L_sym: v = D^-1/2 u", source='''def laplacian_eigenmap(W, k):
    W = np.asarray(W, dtype=float)
    values, u = np.linalg.eigh(graph_laplacian(W, "symmetric"))
    return u[:, 1:k + 1] / np.sqrt(W.sum(axis=1))[:, None]
'''),
    Alternative("nb03_ex7_answer", "the top of W v = mu D v with subset_by_index", source='''def laplacian_eigenmap(W, k):
    W = np.asarray(W, dtype=float)
    n = W.shape[0]
    mu, v = scipy.linalg.eigh(W, np.diag(W.sum(axis=1)), subset_by_index=[n - k - 1, n - 2])
    return v[:, ::-1]
'''),
    # Exercise 8
    Alternative("nb03_ex8_answer", "graph_laplacian and scipy.linalg.eigh with subset_by_index", source='''def spectral_rows(W, k):
    L_sym = graph_laplacian(np.asarray(W, dtype=float), "symmetric")
    _, U = scipy.linalg.eigh(L_sym, subset_by_index=[0, k - 1])
    return U / np.sqrt(np.sum(U ** 2, axis=1))[:, None]
'''),
    Alternative("nb03_ex8_answer", "the largest eigenvectors of D^-1/2 W D^-1/2, rows normalised in a loop",
                source='''def spectral_rows(W, k):
    W = np.asarray(W, dtype=float)
    s = 1 / np.sqrt(W.sum(axis=1))
    values, vectors = np.linalg.eigh(s[:, None] * W * s[None, :])
    U = vectors[:, ::-1][:, :k].copy()
    for i in range(len(U)):
        U[i] /= np.linalg.norm(U[i])
    return U
'''),
]
