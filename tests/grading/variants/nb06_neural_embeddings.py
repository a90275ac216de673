"""Typical wrong answers for notebook 06, applied to the solution by the grading round trip."""

from tests.grading.course import Variant

ASSIGNMENT = "06_neural_embeddings"

VARIANTS = [
    # Exercise 1: masked mean pooling
    Variant("nb06_ex1_answer", "divides by all positions, padding included",
            {"return summed / counts": "return summed / mask.shape[1]"}),
    Variant("nb06_ex1_answer", "sums the padding vectors in (divides by the real count)",
            {"summed = np.sum(H * mask[:, :, None], axis=1)": "summed = np.sum(H, axis=1)"}),
    Variant("nb06_ex1_answer", "returns the sum, not the mean",
            {"return summed / counts": "return summed"}),
    # Exercise 2: normalisation and cosine similarity
    Variant("nb06_ex2_answer", "dot products of the raw vectors (no normalisation)",
            {"return A_unit @ B_unit.T": "return A @ B.T"}),
    Variant("nb06_ex2_answer", "normalises the columns instead of the rows",
            {"A_unit = A / np.linalg.norm(A, axis=1, keepdims=True)":
             "A_unit = A / np.linalg.norm(A, axis=0, keepdims=True)"}),
    Variant("nb06_ex2_answer", "normalises only A",
            {"B_unit = B / np.linalg.norm(B, axis=1, keepdims=True)": "B_unit = B"}),
    # Exercise 3: exact top-k search
    Variant("nb06_ex3_answer", "plain Euclidean distances instead of squared ones",
            {"D = np.sum((Q[:, None, :] - X[None, :, :]) ** 2, axis=2)":
             "D = np.sqrt(np.sum((Q[:, None, :] - X[None, :, :]) ** 2, axis=2))"}),
    Variant("nb06_ex3_answer", "the k farthest instead of the k nearest",
            {"ids = np.argsort(D, axis=1)[:, :k]": "ids = np.argsort(D, axis=1)[:, ::-1][:, :k]"}),
    Variant("nb06_ex3_answer", "skips the first neighbour, thinking it is the query itself",
            {"ids = np.argsort(D, axis=1)[:, :k]": "ids = np.argsort(D, axis=1)[:, 1:k + 1]"}),
    # Exercise 4: recall@k
    Variant("nb06_ex4_answer", "compares position by position (order matters)",
            {"hits = [len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, true)]":
             "hits = np.sum(found == true, axis=1)"}),
    Variant("nb06_ex4_answer", "counts hits without dividing by k",
            {"return float(np.mean(hits) / k)": "return float(np.mean(hits))"}),
    Variant("nb06_ex4_answer", "uses all found ids, not only the first k",
            {"found = np.asarray(found_ids)[:, :k]": "found = np.asarray(found_ids)"}),
    # Exercise 5: assigning vectors to IVF lists
    Variant("nb06_ex5_answer", "largest dot product instead of smallest distance",
            {"return np.argmin(D, axis=1)": "return np.argmax(X @ centroids.T, axis=1)"}),
    Variant("nb06_ex5_answer", "argmax of the distances",
            {"return np.argmin(D, axis=1)": "return np.argmax(D, axis=1)"}),
    Variant("nb06_ex5_answer", "minimum over the wrong axis (nearest point of each centroid)",
            {"return np.argmin(D, axis=1)": "return np.argmin(D, axis=0)"}),
    # Exercise 6: PQ encode and decode
    Variant("nb06_ex6_answer", "interleaved pieces (coordinates j, j + m, ...) instead of consecutive ones",
            {"pieces = X.reshape(len(X), m, d_sub)": "pieces = X.reshape(len(X), d_sub, m).transpose(0, 2, 1)"}),
    Variant("nb06_ex6_answer", "decodes every piece with the first codebook",
            {"codebooks[j][codes[:, j]] for j in range(m)": "codebooks[0][codes[:, j]] for j in range(m)"}),
    Variant("nb06_ex6_answer", "farthest centroid instead of nearest",
            {"codes[:, j] = np.argmin(D, axis=1)": "codes[:, j] = np.argmax(D, axis=1)"}),
]
