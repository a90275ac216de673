"""Typical wrong answers, requirements tables and alternative correct answers for notebook 06."""

from tests.grading.course import Variant
from tests.grading.exercises import Alternative, Requirement

ASSIGNMENT = "06_neural_embeddings"

VARIANTS = [
    # Exercise 1: masked mean pooling
    Variant("nb06_ex1_answer", "divides by all positions, padding included",
            {"return summed / counts": "return summed / mask.shape[1]"}),
    Variant("nb06_ex1_answer", "sums the padding vectors in (divides by the real count)",
            {"summed = np.sum(H * mask[:, :, None], axis=1)": "summed = np.sum(H, axis=1)"}),
    Variant("nb06_ex1_answer", "returns the sum, not the mean",
            {"return summed / counts": "return summed"}),
    Variant("nb06_ex1_answer", "averages the first count positions (assumes the real tokens come first)",
            {"summed = np.sum(H * mask[:, :, None], axis=1)":
             "summed = np.stack([H[i, :int(c)].sum(axis=0) for i, c in enumerate(mask.sum(axis=1))])"}),
    Variant("nb06_ex1_answer", "calls course_utils.neural.mean_pool",
            {"summed = np.sum(H * mask[:, :, None], axis=1)\n    counts = mask.sum(axis=1, keepdims=True)\n"
             "    return summed / counts": "return neural.mean_pool(H, mask)"}),
    # Exercise 2: exact top-k search
    Variant("nb06_ex2_answer", "plain Euclidean distances instead of squared ones",
            {"return np.take_along_axis(D, ids, axis=1), ids": "return np.sqrt(np.take_along_axis(D, ids, axis=1)), ids"}),
    Variant("nb06_ex2_answer", "the k farthest instead of the k nearest",
            {"ids = np.argsort(D, axis=1)[:, :k]": "ids = np.argsort(D, axis=1)[:, ::-1][:, :k]"}),
    Variant("nb06_ex2_answer", "skips the first neighbour, thinking it is the query itself",
            {"ids = np.argsort(D, axis=1)[:, :k]": "ids = np.argsort(D, axis=1)[:, 1:k + 1]"}),
    Variant("nb06_ex2_answer", "np.argpartition without a sort (the k nearest, in no particular order)",
            {"ids = np.argsort(D, axis=1)[:, :k]": "ids = np.argpartition(D, k - 1, axis=1)[:, :k]"}),
    Variant("nb06_ex2_answer", "np.argpartition(D, k), which fails for k = n",
            {"ids = np.argsort(D, axis=1)[:, :k]":
             "part = np.argpartition(D, k, axis=1)[:, :k]\n"
             "    ids = np.take_along_axis(part, np.argsort(np.take_along_axis(D, part, axis=1), axis=1), axis=1)"}),
    Variant("nb06_ex2_answer", "does not clip the rounding errors at 0",
            {"    np.maximum(D, 0, out=D)\n": ""}),
    Variant("nb06_ex2_answer", "returns the pair in the wrong order, (ids, distances)",
            {"return np.take_along_axis(D, ids, axis=1), ids": "return ids, np.take_along_axis(D, ids, axis=1)"}),
    Variant("nb06_ex2_answer", "takes the distances from course_utils.tsne.squared_distances",
            {"D = np.sum(Q ** 2, axis=1)[:, None] - 2 * Q @ X.T + np.sum(X ** 2, axis=1)[None, :]":
             "from course_utils.tsne import squared_distances\n"
             "    D = squared_distances(np.vstack([Q, X]))[:len(Q), len(Q):]"}),
    Variant("nb06_ex2_answer", "calls scipy's cdist",
            {"D = np.sum(Q ** 2, axis=1)[:, None] - 2 * Q @ X.T + np.sum(X ** 2, axis=1)[None, :]":
             "from scipy.spatial.distance import cdist\n    D = cdist(Q, X, 'sqeuclidean')"}),
    # Exercise 3: recall@k
    Variant("nb06_ex3_answer", "compares position by position (order matters)",
            {"hits = np.any(true[:, :, None] == found[:, None, :], axis=2) & (true >= 0)":
             "hits = (found == true) & (true >= 0)"}),
    Variant("nb06_ex3_answer", "counts hits without dividing by k",
            {"return float(np.mean(np.sum(hits, axis=1) / k))": "return float(np.mean(np.sum(hits, axis=1)))"}),
    Variant("nb06_ex3_answer", "uses all found ids, not only the first k",
            {"found = np.asarray(found_ids)[:, :k]": "found = np.asarray(found_ids)"}),
    Variant("nb06_ex3_answer", "returns a NumPy float, not a Python float",
            {"return float(np.mean(np.sum(hits, axis=1) / k))": "return np.mean(np.sum(hits, axis=1) / k)"}),
    Variant("nb06_ex3_answer", "counts the padding id -1 as a hit where both rows hold it",
            {"hits = np.any(true[:, :, None] == found[:, None, :], axis=2) & (true >= 0)":
             "hits = np.any(true[:, :, None] == found[:, None, :], axis=2)"}),
    Variant("nb06_ex3_answer", "takes the fraction of the real true ids, not of k",
            {"return float(np.mean(np.sum(hits, axis=1) / k))":
             "return float(np.mean(np.sum(hits, axis=1) / np.sum(true >= 0, axis=1)))"}),
    Variant("nb06_ex3_answer", "calls course_utils.search.recall_at_k",
            {"found = np.asarray(found_ids)[:, :k]": "return search.recall_at_k(found_ids, true_ids, k)\n"
                                                     "    found = np.asarray(found_ids)[:, :k]"}),
    # Exercise 4: assigning vectors to IVF lists
    Variant("nb06_ex4_answer", "largest dot product instead of smallest distance",
            {"return np.argmin(scores, axis=1)": "return np.argmax(X @ centroids.T, axis=1)"}),
    Variant("nb06_ex4_answer", "argmax of the distances",
            {"return np.argmin(scores, axis=1)": "return np.argmax(scores, axis=1)"}),
    Variant("nb06_ex4_answer", "minimum over the wrong axis (nearest point of each centroid)",
            {"return np.argmin(scores, axis=1)": "return np.argmin(scores, axis=0)"}),
    Variant("nb06_ex4_answer", "fills a float array (np.zeros) with the indices",
            {"return np.argmin(scores, axis=1)": "lists = np.zeros(len(X))\n"
                                                  "    lists[:] = np.argmin(scores, axis=1)\n    return lists"}),
    Variant("nb06_ex4_answer", "calls sklearn's pairwise_distances_argmin",
            {"return np.argmin(scores, axis=1)": "from sklearn.metrics import pairwise_distances_argmin\n"
                                                  "    return pairwise_distances_argmin(X, centroids)"}),
    Variant("nb06_ex4_answer", "calls scipy's cdist",
            {"return np.argmin(scores, axis=1)": "from scipy.spatial.distance import cdist\n"
                                                  "    return np.argmin(cdist(X, centroids), axis=1)"}),
    # Exercise 5: IVF search with nprobe
    Variant("nb06_ex5_answer", "probes only the nearest cell, whatever nprobe",
            {"probes = np.argsort(centroid_scores, axis=1)[:, :nprobe]":
             "probes = np.argsort(centroid_scores, axis=1)[:, :1]"}),
    Variant("nb06_ex5_answer", "np.argpartition(scores, nprobe), which fails for nprobe = nlist",
            {"probes = np.argsort(centroid_scores, axis=1)[:, :nprobe]":
             "probes = np.argpartition(centroid_scores, nprobe, axis=1)[:, :nprobe]"}),
    Variant("nb06_ex5_answer", "takes the first k candidates in cell order instead of the k nearest (no merge)",
            {"order = np.argsort(cand_d)[:k]": "order = np.arange(min(k, len(cand_d)))"}),
    Variant("nb06_ex5_answer", "plain Euclidean distances instead of squared ones",
            {"distances[i, :len(order)] = cand_d[order]": "distances[i, :len(order)] = np.sqrt(cand_d[order])"}),
    Variant("nb06_ex5_answer", "returns the candidates' row numbers instead of their stored ids",
            {"ids[i, :len(order)] = cand_ids[order]": "ids[i, :len(order)] = order"}),
    Variant("nb06_ex5_answer", "takes each probed cell's top k with np.argpartition before merging",
            {"cand_ids = np.concatenate([np.asarray(list_ids[c], dtype=np.int64).ravel() for c in probes[i]])":
             "cand_ids = np.concatenate([np.asarray(list_ids[c], dtype=np.int64).ravel()[np.argpartition(\n"
             "            np.sum((np.asarray(list_vectors[c]).reshape(-1, d) - q) ** 2, axis=1), k - 1)[:k]]\n"
             "            for c in probes[i]])",
             "cand_vectors = np.concatenate([np.asarray(list_vectors[c], dtype=float).reshape(-1, d) for c in probes[i]])":
             "cand_vectors = np.concatenate([np.asarray(list_vectors[c], dtype=float).reshape(-1, d)[np.argpartition(\n"
             "            np.sum((np.asarray(list_vectors[c]).reshape(-1, d) - q) ** 2, axis=1), k - 1)[:k]]\n"
             "            for c in probes[i]])"}),
    Variant("nb06_ex5_answer", "pads the distances with 0 (np.zeros) instead of np.inf",
            {"distances = np.full((len(Q), k), np.inf)": "distances = np.zeros((len(Q), k))"}),
    Variant("nb06_ex5_answer", "calls course_utils.search.squared_distances",
            {"cand_d = np.maximum(q @ q - 2 * cand_vectors @ q + np.sum(cand_vectors ** 2, axis=1), 0)":
             "cand_d = search.squared_distances(q[None], cand_vectors)[0]"}),
    # Exercise 6: PQ encode and decode
    Variant("nb06_ex6_answer", "interleaved pieces (coordinates j, j + m, ...) instead of consecutive ones",
            {"pieces = X.reshape(len(X), m, d_sub)": "pieces = X.reshape(len(X), d_sub, m).transpose(0, 2, 1)"}),
    Variant("nb06_ex6_answer", "decodes every piece with the first codebook",
            {"codebooks[j][codes[:, j]] for j in range(m)": "codebooks[0][codes[:, j]] for j in range(m)"}),
    Variant("nb06_ex6_answer", "farthest centroid instead of nearest",
            {"codes[:, j] = np.argmin(scores, axis=1)": "codes[:, j] = np.argmax(scores, axis=1)"}),
    Variant("nb06_ex6_answer", "stores the codes in a float array (np.zeros)",
            {"codes = np.empty((len(X), m), dtype=np.int64)": "codes = np.zeros((len(X), m))",
             "return np.concatenate([codebooks[j][codes[:, j]] for j in range(m)], axis=1)":
             "return np.concatenate([codebooks[j][codes[:, j].astype(int)] for j in range(m)], axis=1)"}),
    Variant("nb06_ex6_answer", "calls course_utils.search.assign",
            {"codes[:, j] = np.argmin(scores, axis=1)": "codes[:, j] = search.assign(pieces[:, j, :], codebooks[j])"}),
    # Exercise 7: PQ distance tables and asymmetric distances
    Variant("nb06_ex7_answer", "tables of plain (not squared) distances",
            {"return np.maximum(tables, 0)": "return np.sqrt(np.maximum(tables, 0))"}),
    Variant("nb06_ex7_answer", "tables with the axes in the order (m, n_q, K)",
            {"return np.maximum(tables, 0)": "return np.maximum(tables, 0).transpose(1, 0, 2)"}),
    Variant("nb06_ex7_answer", "interleaved pieces in the tables",
            {"pieces = Q.reshape(len(Q), m, d_sub)": "pieces = Q.reshape(len(Q), d_sub, m).transpose(0, 2, 1)"}),
    Variant("nb06_ex7_answer", "looks every piece up in the table of piece 0",
            {"distances += tables[:, j, codes[:, j]]": "distances += tables[:, 0, codes[:, j]]"}),
    Variant("nb06_ex7_answer", "averages the table entries instead of summing them",
            {"    return distances\n": "    return distances / m\n"}),
    Variant("nb06_ex7_answer", "builds the tables with course_utils.search.squared_distances",
            {"return np.maximum(tables, 0)":
             "return np.stack([search.squared_distances(pieces[:, j], codebooks[j]) for j in range(m)], axis=1)"}),
    # Exercise 8: the greedy walk
    Variant("nb06_ex8_answer", "treats the padding -1 as a neighbour (X[-1], the last vector)",
            {"        links = links[links >= 0]                        # an array row is padded with -1\n": ""}),
    Variant("nb06_ex8_answer", "moves to the first nearer neighbour, not the nearest",
            {"best = int(np.argmin(d))": "best = int(np.argmax(d < current_d)) if np.any(d < current_d) else 0"}),
    Variant("nb06_ex8_answer", "leaves the entry node out of the path",
            {"path = [current]": "path = []"}),
    Variant("nb06_ex8_answer", "stops after the first move",
            {"        path.append(current)\n": "        path.append(current)\n        break\n"}),
]

# What each exercise's text asks, and which checks and wrong variants go with it (tests/grading/exercises.py).
# The library calls that find nearest centroids, forbidden in exercises 4 and 6 (the tail of their forbid lists).
NEAREST_CENTROID_SHORTCUTS = ("sklearn.metrics.pairwise.pairwise_distances_argmin, "
                              "sklearn.metrics.pairwise.pairwise_distances_argmin_min, "
                              "sklearn.metrics.pairwise_distances_argmin, sklearn.metrics.pairwise_distances_argmin_min, "
                              "sklearn.neighbors.NearestNeighbors, sklearn.neighbors.KDTree, "
                              "sklearn.neighbors.BallTree, faiss.IndexFlatL2, faiss.knn, "
                              "faiss.pairwise_distances, faiss.Kmeans, course_utils.tsne.squared_distances")

REQUIREMENTS = {
    "nb06_ex1": [
        Requirement("Return the `(n_sentences, dim)` array of the means over each sentence's real tokens (mask 1) only",
                    checks=["masked_mean_pool(H_small, mask_small)", "the sentence without padding",
                            "the padded sentence (did you average over the padding too, or divide by n_tokens?)",
                            "masked_mean_pool on {_n} sentences of up to {_t} tokens"],
                    variants=["divides by all positions, padding included",
                              "sums the padding vectors in (divides by the real count)",
                              "returns the sum, not the mean"]),
        Requirement("wherever they stand in the row",
                    checks=["masked_mean_pool with real tokens that are not all at the front"],
                    variants=["averages the first count positions (assumes the real tokens come first)"]),
        Requirement("`course_utils.neural.mean_pool` is not allowed here.",
                    checks=["forbid course_utils.neural.mean_pool"],
                    variants=["calls course_utils.neural.mean_pool"]),
    ],
    "nb06_ex2": [
        Requirement("Return a pair\n`(distances, ids)`, both of shape `(n_q, k)`",
                    checks=["the ids of exact_search(X_line, Q_line, 2)"],
                    variants=["returns the pair in the wrong order, (ids, distances)"]),
        Requirement("for each query the **squared** Euclidean distances to its `k`\nnearest stored vectors",
                    checks=["distances (squared, not plain Euclidean?)",
                            "squared distances for {_nq} queries among {_n} vectors, k = {_k}",
                            "a stored vector's nearest neighbour (itself)", "distance of a vector to itself"],
                    variants=["plain Euclidean distances instead of squared ones",
                              "the k farthest instead of the k nearest"]),
        Requirement("in increasing order",
                    checks=["ids (nearest first?)", "ids for {_nq} queries among {_n} vectors, k = {_k} (nearest first)"],
                    variants=["np.argpartition without a sort (the k nearest, in no particular order)",
                              "the k farthest instead of the k nearest"]),
        Requirement("and their row numbers in `X`",
                    checks=["ids for {_nq} queries among {_n} vectors, k = {_k} (nearest first)"],
                    variants=["skips the first neighbour, thinking it is the query itself"]),
        Requirement("Assume `1 <= k <= n`",
                    checks=["exact_search with k = n: every vector, nearest first"],
                    variants=["np.argpartition(D, k), which fails for k = n"]),
        Requirement("Squared distances are never negative: clip at 0 the tiny negative values that rounding can give.",
                    checks=["squared distances are never negative (did you clip the rounding errors at 0?)"],
                    variants=["does not clip the rounding errors at 0"]),
        Requirement("`scipy.spatial.distance.cdist`,\n`sklearn.metrics.pairwise`, "
                    "`sklearn.neighbors`, FAISS, `course_utils.search` and "
                    "`course_utils.tsne` are\nnot allowed here.",
                    checks=["forbid scipy.spatial.distance.cdist, "
                            "sklearn.metrics.pairwise.euclidean_distances, "
                            "sklearn.metrics.pairwise_distances, "
                            "sklearn.neighbors.NearestNeighbors, faiss.IndexFlatL2, faiss.knn, "
                            "course_utils.search.squared_distances, course_utils.search.top_k, "
                            "course_utils.search.FlatIndex, "
                            "sklearn.metrics.pairwise.pairwise_distances_argmin, "
                            "sklearn.metrics.pairwise.pairwise_distances_argmin_min, "
                            "sklearn.metrics.pairwise_distances_argmin, sklearn.metrics.pairwise_distances_argmin_min, "
                            "sklearn.neighbors.KDTree, sklearn.neighbors.BallTree, "
                            "faiss.pairwise_distances, course_utils.tsne.squared_distances"],
                    variants=["calls scipy's cdist", "takes the distances from course_utils.tsne.squared_distances"]),
    ],
    "nb06_ex3": [
        Requirement("use the first `k` of each",
                    checks=["recall_at_k for {_nq} queries, k = {_k}, {_width} ids per row"],
                    variants=["uses all found ids, not only the first k"]),
        Requirement("Return, as a Python `float`",
                    checks=["recall_at_k([[1, 2]], [[2, 5]], 2)", "recall_at_k for {_nq} queries, k = {_k}"],
                    variants=["returns a NumPy float, not a Python float"]),
        Requirement("the fraction of the true\n`k` nearest neighbours that appear among the first `k` found ids, "
                    "averaged over the queries",
                    checks=["recall_at_k over two queries (a fraction of k per query, then the mean)",
                            "recall_at_k for {_nq} queries, k = {_k}, {_width} ids per row"],
                    variants=["counts hits without dividing by k"]),
        Requirement("The order within\nthe `k` does not matter.",
                    checks=["recall_at_k with the right ids in another order"],
                    variants=["compares position by position (order matters)"]),
        Requirement("never counts as found, not even where both rows hold it; the fraction\nis still taken of `k`.",
                    checks=["recall_at_k where both rows hold the padding id -1 (it never counts, and the fraction "
                            "is of k)"],
                    variants=["counts the padding id -1 as a hit where both rows hold it",
                              "takes the fraction of the real true ids, not of k"]),
        Requirement("`course_utils.search` is not allowed here.",
                    checks=["forbid course_utils.search.recall_at_k"],
                    variants=["calls course_utils.search.recall_at_k"]),
    ],
    "nb06_ex4": [
        Requirement("return the index of the nearest row of\n`centroids` (`nlist x d`) in Euclidean distance",
                    checks=["assign_to_lists(X_points, C_line)",
                            "the lists (nearest centroid by distance, not the largest dot product)",
                            "lists of {_n} vectors among {_nlist} cells in {_d}-D"],
                    variants=["argmax of the distances", "minimum over the wrong axis (nearest point of each centroid)"]),
        Requirement("as an integer array of shape `(n,)`",
                    checks=["assign_to_lists(X_points, C_line)",
                            "the lists of assign_to_lists(X_points, C_line) are integers",
                            "the lists of {_n} vectors are integers"],
                    variants=["fills a float array (np.zeros) with the indices"]),
        Requirement("Beware: the centroids do\nnot all have the same length.",
                    checks=["the lists (nearest centroid by distance, not the largest dot product)",
                            "lists of {_n} vectors among {_nlist} cells in {_d}-D"],
                    variants=["largest dot product instead of smallest distance"]),
        Requirement("`scipy.spatial.distance.cdist`, "
                    "`sklearn.metrics.pairwise`,\n`sklearn.cluster`, `sklearn.neighbors`, "
                    "FAISS, `course_utils.search` and `course_utils.tsne` are not "
                    "allowed\nhere.",
                    checks=["forbid scipy.spatial.distance.cdist, "
                            "sklearn.metrics.pairwise.euclidean_distances, "
                            "sklearn.metrics.pairwise_distances, sklearn.cluster.KMeans, "
                            "course_utils.search.assign, course_utils.search.kmeans, "
                            "course_utils.search.squared_distances, "
                            + NEAREST_CENTROID_SHORTCUTS],
                    variants=["calls scipy's cdist", "calls sklearn's pairwise_distances_argmin"]),
    ],
    "nb06_ex5": [
        Requirement("finds the\n`nprobe` cells whose centroids are nearest to the query",
                    checks=["ids with nprobe = 2 (the stored ids, from the 2 nearest cells, merged, nearest first?)",
                            "ivf_search ids with nlist = {_nlist}, nprobe = {_nprobe}, k = {_k}"],
                    variants=["probes only the nearest cell, whatever nprobe"]),
        Requirement("(`1 <= nprobe <= nlist`)",
                    checks=["ivf_search with nprobe = nlist (exact search)"],
                    variants=["np.argpartition(scores, nprobe), which fails for nprobe = nlist"]),
        Requirement("merges the vectors of those\ncells into one list of candidates and keeps the `k` nearest of them",
                    checks=["ids with nprobe = 2 (the stored ids, from the 2 nearest cells, merged, nearest first?)",
                            "ivf_search ids with nlist = {_nlist}, nprobe = {_nprobe}, k = {_k}"],
                    variants=["takes the first k candidates in cell order instead of the k nearest (no merge)"]),
        Requirement("Return `(distances, ids)`, both of shape `(n_q, k)`: squared Euclidean distances in increasing order",
                    checks=["the ids of ivf_search(Q_ivf, C_ivf, ids_ivf, vectors_ivf, 2, 2)",
                            "squared distances with nprobe = 2",
                            "ivf_search squared distances with nlist = {_nlist}, nprobe = {_nprobe}, k = {_k}"],
                    variants=["plain Euclidean distances instead of squared ones"]),
        Requirement("and the\nids of the vectors as stored in `list_ids` (not row numbers)",
                    checks=["ids with nprobe = 2 (the stored ids, from the 2 nearest cells, merged, nearest first?)",
                            "ivf_search ids with nlist = {_nlist}, nprobe = {_nprobe}, k = {_k}"],
                    variants=["returns the candidates' row numbers instead of their stored ids"]),
        Requirement("Some cells may be empty.",
                    checks=["ivf_search when some probed cells are empty"],
                    variants=["takes each probed cell's top k with np.argpartition before merging"]),
        Requirement("Where the probed cells\nhold fewer than `k` vectors in all, pad the row with distance `np.inf` "
                    "and id `-1`.",
                    checks=["ids with nprobe = 1 (the first query's cell holds one vector: pad with -1)",
                            "squared distances with nprobe = 1 (padded with np.inf)",
                            "ivf_search pads the ids with -1 where the probed cells hold fewer than k vectors",
                            "ivf_search pads the distances with np.inf where the probed cells hold fewer than k vectors"],
                    variants=["pads the distances with 0 (np.zeros) instead of np.inf",
                              "takes each probed cell's top k with np.argpartition before merging"]),
        Requirement("`scipy.spatial.distance.cdist`, `sklearn.metrics.pairwise`, "
                    "`sklearn.neighbors`, FAISS,\n`course_utils.search` and "
                    "`course_utils.tsne` are not allowed here.",
                    checks=["forbid scipy.spatial.distance.cdist, "
                            "sklearn.metrics.pairwise.euclidean_distances, "
                            "sklearn.metrics.pairwise_distances, "
                            "sklearn.neighbors.NearestNeighbors, faiss.IndexIVFFlat, "
                            "faiss.IndexFlatL2, course_utils.search.IVFIndex, "
                            "course_utils.search.squared_distances, course_utils.search.top_k, "
                            "course_utils.search.assign, "
                            "sklearn.metrics.pairwise.pairwise_distances_argmin, "
                            "sklearn.metrics.pairwise.pairwise_distances_argmin_min, "
                            "sklearn.metrics.pairwise_distances_argmin, sklearn.metrics.pairwise_distances_argmin_min, "
                            "sklearn.neighbors.KDTree, sklearn.neighbors.BallTree, faiss.knn, "
                            "faiss.pairwise_distances, course_utils.tsne.squared_distances"],
                    variants=["calls course_utils.search.squared_distances"]),
    ],
    "nb06_ex6": [
        Requirement("piece `j` of a vector is its coordinates `j * d_sub` to `(j + 1) * d_sub - 1`",
                    checks=["the codes (piece j = coordinates j*d_sub ... (j+1)*d_sub - 1, nearest centroid)",
                            "pq_encode with m = {_m}, K = {_k}, d_sub = {_dsub}"],
                    variants=["interleaved pieces (coordinates j, j + m, ...) instead of consecutive ones"]),
        Requirement("`pq_encode(X, codebooks)`: the integer array of shape `(n, m)` whose entry `(i, j)` is the index "
                    "of the\n  centroid of codebook `j` nearest (Euclidean) to piece `j` of row `i` of `X`",
                    checks=["pq_encode(X_pq, books)",
                            "the codes (piece j = coordinates j*d_sub ... (j+1)*d_sub - 1, nearest centroid)",
                            "pq_encode with m = {_m}, K = {_k}, d_sub = {_dsub}",
                            "the codes of pq_encode(X_pq, books) are integers",
                            "the codes of pq_encode with m = {_m} are integers"],
                    variants=["farthest centroid instead of nearest", "stores the codes in a float array (np.zeros)"]),
        Requirement("`pq_decode(codes, codebooks)`: the `(n, m*d_sub)` array of the chosen centroids, piece after "
                    "piece.",
                    checks=["pq_decode(codes_pq, books)", "pq_decode with m = {_m}, K = {_k}, d_sub = {_dsub}",
                            "pq_decode of given codes"],
                    variants=["decodes every piece with the first codebook"]),
        Requirement("`scipy.spatial.distance.cdist`, `sklearn.metrics.pairwise`, "
                    "`sklearn.neighbors`, FAISS, `course_utils.search` "
                    "and\n`course_utils.tsne` are not allowed here.",
                    checks=["forbid scipy.spatial.distance.cdist, "
                            "sklearn.metrics.pairwise.euclidean_distances, "
                            "sklearn.metrics.pairwise_distances, course_utils.search.assign, "
                            "course_utils.search.kmeans, course_utils.search.squared_distances, "
                            "course_utils.search.PQIndex, "
                            + NEAREST_CENTROID_SHORTCUTS],
                    variants=["calls course_utils.search.assign"]),
    ],
    "nb06_ex7": [
        Requirement("the array `T` of shape `(n_q, m, K)`",
                    checks=["pq_distance_tables(Q_adc, books) (shape (n_q, m, K))",
                            "pq_distance_tables with m = {_m}, K = {_k}, d_sub = {_dsub}"],
                    variants=["tables with the axes in the order (m, n_q, K)"]),
        Requirement("whose entry `T[i, j, c]` is the squared Euclidean distance from piece `j` of query `i` to "
                    "centroid `c` of\n  codebook `j`",
                    checks=["the tables (squared distances from each piece of the query to its codebook's centroids)",
                            "pq_distance_tables with m = {_m}, K = {_k}, d_sub = {_dsub}"],
                    variants=["tables of plain (not squared) distances", "interleaved pieces in the tables"]),
        Requirement("the\n  `(n_q, n)` array whose entry `(i, s)` is $\\sum_j T[i, j, \\text{codes}[s, j]]$, the "
                    "squared distance from query\n  `i` to the decoded stored vector `s`",
                    checks=["pq_adc_distances(tables_adc, codes_adc) (one table entry per piece, summed)",
                            "pq_adc_distances of {_nq} queries and {_n} codes with m = {_m}"],
                    variants=["looks every piece up in the table of piece 0",
                              "averages the table entries instead of summing them"]),
        Requirement("`scipy.spatial.distance.cdist`, `sklearn.metrics.pairwise`, FAISS, "
                    "`course_utils.search` and\n`course_utils.tsne` are not allowed here.",
                    checks=["forbid scipy.spatial.distance.cdist, "
                            "sklearn.metrics.pairwise.euclidean_distances, "
                            "sklearn.metrics.pairwise_distances, "
                            "course_utils.search.squared_distances, course_utils.search.PQIndex, "
                            "sklearn.metrics.pairwise.pairwise_distances_argmin, "
                            "sklearn.metrics.pairwise.pairwise_distances_argmin_min, "
                            "sklearn.metrics.pairwise_distances_argmin, sklearn.metrics.pairwise_distances_argmin_min, "
                            "faiss.pairwise_distances, course_utils.tsne.squared_distances"],
                    variants=["builds the tables with course_utils.search.squared_distances"]),
    ],
    "nb06_ex8": [
        Requirement("given either as a list of `n` lists\n(`neighbours[i]` holds the ids of node `i`'s neighbours)",
                    checks=["the path on the small graph given as lists (from node 5: its nearest neighbour is 4, "
                            "not 0)",
                            "the path on the {_form} graph starts at the entry node"],
                    variants=["moves to the first nearer neighbour, not the nearest"]),
        Requirement("or as an `(n, max_degree)` integer array whose row `i`\nholds node `i`'s neighbours padded with "
                    "`-1`",
                    checks=["the path on the small graph given as an array padded with -1",
                            "each step on the {_form} graph goes to the current node's nearest neighbour"],
                    variants=["treats the padding -1 as a neighbour (X[-1], the last vector)"]),
        Requirement("among the current node's neighbours find the one nearest to `q` (squared Euclidean\ndistance)",
                    checks=["the path on the small graph given as lists (from node 5: its nearest neighbour is 4, "
                            "not 0)",
                            "each step on the {_form} graph goes to the current node's nearest neighbour"],
                    variants=["moves to the first nearer neighbour, not the nearest"]),
        Requirement("move there if it is strictly nearer to `q` than the current node, otherwise stop.",
                    checks=["each step on the {_form} graph gets strictly nearer to the query",
                            "the walk on the {_form} graph stops only where no neighbour is nearer to the query",
                            "the path from node 3, which no neighbour beats (just the entry node)"],
                    variants=["stops after the first move"]),
        Requirement("Return the path, the\nlist of the nodes visited, from `entry` to the node where the walk stops.",
                    checks=["the path on the {_form} graph starts at the entry node",
                            "the path from node 3, which no neighbour beats (just the entry node)"],
                    variants=["leaves the entry node out of the path"]),
    ],
}

CONTEXT = {
    "nb06_ex1": ["### Exercise 1: masked mean pooling (3 points)",
                 "Write `masked_mean_pool(token_vectors, attention_mask)`. `token_vectors` is an array of shape\n"
                 "`(n_sentences, n_tokens, dim)` and `attention_mask` an integer array of shape "
                 "`(n_sentences, n_tokens)` of 0s\nand 1s.",
                 "Every sentence has at least one real token. Use NumPy (no loops needed);"],
    "nb06_ex2": ["### Exercise 2: exact top-$k$ search (3 points)",
                 "Write `exact_search(X, Q, k)` for stored vectors `X` (`n x d`) and queries `Q` (`n_q x d`).",
                 "and no ties.",
                 "Compute all the distances with one matrix product, as above, rather than an `(n_q, n, d)` array of\n"
                 "differences (the hidden tests include `n = 5000` with `k = 300`)."],
    "nb06_ex3": ["### Exercise 3: recall@k (3 points)",
                 "Write `recall_at_k(found_ids, true_ids, k)`: both arguments are integer arrays with one row per "
                 "query (they may\nhave more than `k` columns;",
                 "The padding id `-1` (from an index that returned fewer than `k` results, or a\ncollection with "
                 "fewer than `k` vectors)"],
    "nb06_ex4": ["### Exercise 4: assigning vectors to IVF lists (3 points)",
                 "Write `assign_to_lists(X, centroids)`: for each row of `X` (`n x d`)",
                 "Use matrix products as in exercise 2 (the term $\\lVert x\\rVert^2$ is the same\nfor every "
                 "centroid, so it can be left out)."],
    "nb06_ex5": ["### Exercise 5: IVF search with nprobe (4 points)",
                 "An IVF index is given as plain data: `centroids` (`nlist x d`); `list_ids`, a list of `nlist` "
                 "integer arrays,\n`list_ids[c]` holding the ids of the vectors stored in cell `c`; and "
                 "`list_vectors`, a list of `nlist` arrays,\n`list_vectors[c]` (shape `(len(list_ids[c]), d)`) "
                 "holding those vectors, row by row. Write\n`ivf_search(Q, centroids, list_ids, list_vectors, "
                 "nprobe, k)` that, for every query (row of `Q`),",
                 "Assume no ties."],
    "nb06_ex6": ["### Exercise 6: PQ encode and decode (4 points)",
                 "`codebooks` is an array of shape `(m, K, d_sub)`: `codebooks[j]` holds the `K` centroids of piece "
                 "`j`, and",
                 "Write", "(`n x m*d_sub`)"],
    "nb06_ex7": ["### Exercise 7: PQ distance tables and asymmetric distances (4 points)",
                 "With `codebooks` as in exercise 6, write",
                 "`pq_distance_tables(Q, codebooks)`: for queries `Q` (`n_q x m*d_sub`),",
                 "`pq_adc_distances(tables, codes)`: for such tables and the `(n, m)` codes of `n` stored vectors,",
                 "`pq_adc_distances` never sees the codebooks: it works from the tables and the codes alone, as a "
                 "real index\ndoes."],
    "nb06_ex8": ["### Exercise 8: the greedy walk on one layer (4 points)",
                 "Write `greedy_walk(X, neighbours, entry, q)` for vectors `X` (`n x d`), a query `q` (a 1-D array of "
                 "length\n`d`) and a graph on the `n` vectors whose links `neighbours` are",
                 "(the row `[4, 9, -1, -1]`: two neighbours, 4 and 9).",
                 "Starting at\nnode `entry`, repeat:",
                 "Assume no ties."],
}

ALTERNATIVES = [
    # Exercise 1
    Alternative("nb06_ex1_answer", "einsum with the mask as weights", source='''def masked_mean_pool(token_vectors, attention_mask):
    weights = np.asarray(attention_mask).astype(float)
    summed = np.einsum("nt,ntd->nd", weights, np.asarray(token_vectors, dtype=float))
    return summed / weights.sum(axis=1)[:, None]
'''),
    Alternative("nb06_ex1_answer", "a loop over sentences with boolean indexing", source='''def masked_mean_pool(token_vectors, attention_mask):
    H = np.asarray(token_vectors)
    keep = np.asarray(attention_mask) != 0
    return np.array([H[i][keep[i]].mean(axis=0) for i in range(len(H))])
'''),
    Alternative("nb06_ex1_answer", "a batched matrix product", source='''def masked_mean_pool(token_vectors, attention_mask):
    mask = np.asarray(attention_mask, dtype=np.float64)
    total = (mask[:, None, :] @ np.asarray(token_vectors, dtype=np.float64))[:, 0, :]
    return total / np.count_nonzero(mask, axis=1)[:, None]
'''),
    # Exercise 2
    Alternative("nb06_ex2_answer", "a loop over the queries with explicit differences", source='''def exact_search(X, Q, k):
    X = np.asarray(X, dtype=float)
    distances, ids = [], []
    for q in np.asarray(Q, dtype=float):
        d = np.sum((X - q) ** 2, axis=1)
        order = np.argsort(d)[:k]
        distances.append(d[order])
        ids.append(order)
    return np.array(distances), np.array(ids)
'''),
    Alternative("nb06_ex2_answer", "einsum norms, argpartition then a sort of the k", source='''def exact_search(X, Q, k):
    X = np.asarray(X, dtype=np.float64)
    Q = np.asarray(Q, dtype=np.float64)
    D = np.einsum("ij,ij->i", Q, Q)[:, None] + np.einsum("ij,ij->i", X, X)[None, :] - 2.0 * (Q @ X.T)
    D = np.clip(D, 0.0, None)
    if k < D.shape[1]:
        part = np.argpartition(D, k - 1, axis=1)[:, :k]
    else:
        part = np.tile(np.arange(D.shape[1]), (len(D), 1))
    part_d = np.take_along_axis(D, part, axis=1)
    order = np.argsort(part_d, axis=1)
    return np.take_along_axis(part_d, order, axis=1), np.take_along_axis(part, order, axis=1)
'''),
    # Exercise 3
    Alternative("nb06_ex3_answer", "sets per query, the padding removed", source='''def recall_at_k(found_ids, true_ids, k):
    total = 0.0
    for found, true in zip(np.asarray(found_ids)[:, :k].tolist(), np.asarray(true_ids)[:, :k].tolist()):
        total += len((set(found) & set(true)) - {-1}) / k
    return total / len(found_ids)
'''),
    Alternative("nb06_ex3_answer", "np.isin row by row", source='''def recall_at_k(found_ids, true_ids, k):
    found = np.asarray(found_ids)[:, :k]
    true = np.asarray(true_ids)[:, :k]
    fractions = [np.count_nonzero(np.isin(t[t != -1], f)) / k for f, t in zip(found, true)]
    return float(np.mean(fractions))
'''),
    # Exercise 4
    Alternative("nb06_ex4_answer", "the full formula with einsum norms", source='''def assign_to_lists(X, centroids):
    X = np.asarray(X, dtype=float)
    C = np.asarray(centroids, dtype=float)
    D = np.einsum("ij,ij->i", X, X)[:, None] - 2 * X @ C.T + np.einsum("ij,ij->i", C, C)[None, :]
    return D.argmin(axis=1)
'''),
    Alternative("nb06_ex4_answer", "a loop over the centroids keeping the best so far", source='''def assign_to_lists(X, centroids):
    X = np.asarray(X, dtype=float)
    best = np.full(len(X), np.inf)
    lists = np.zeros(len(X), dtype=int)
    for c, centroid in enumerate(np.asarray(centroids, dtype=float)):
        d = np.sum((X - centroid) ** 2, axis=1)
        better = d < best
        best[better] = d[better]
        lists[better] = c
    return lists
'''),
    # Exercise 5
    Alternative("nb06_ex5_answer", "explicit differences, one query at a time, lists of results", source='''def ivf_search(Q, centroids, list_ids, list_vectors, nprobe, k):
    centroids = np.asarray(centroids, dtype=float)
    all_distances, all_ids = [], []
    for q in np.asarray(Q, dtype=float):
        cells = np.argsort(np.sum((centroids - q) ** 2, axis=1))[:nprobe]
        cand_ids, cand_d = [], []
        for c in cells:
            vectors = np.asarray(list_vectors[c], dtype=float).reshape(-1, len(q))
            cand_ids.extend(np.asarray(list_ids[c]).tolist())
            cand_d.extend(np.sum((vectors - q) ** 2, axis=1).tolist())
        order = np.argsort(cand_d)[:k]
        row_d = [cand_d[j] for j in order] + [np.inf] * (k - len(order))
        row_i = [cand_ids[j] for j in order] + [-1] * (k - len(order))
        all_distances.append(row_d)
        all_ids.append(row_i)
    return np.array(all_distances, dtype=float), np.array(all_ids, dtype=int)
'''),
    Alternative("nb06_ex5_answer", "matrix product per query and argpartition", source='''def ivf_search(Q, centroids, list_ids, list_vectors, nprobe, k):
    Q = np.asarray(Q, dtype=float)
    C = np.asarray(centroids, dtype=float)
    scores = (C * C).sum(axis=1) - 2 * Q @ C.T
    if nprobe < len(C):
        probes = np.argpartition(scores, nprobe - 1, axis=1)[:, :nprobe]
    else:
        probes = np.tile(np.arange(len(C)), (len(Q), 1))
    D = np.full((len(Q), k), np.inf)
    I = -np.ones((len(Q), k), dtype=int)
    for i in range(len(Q)):
        vectors = [np.reshape(list_vectors[c], (-1, Q.shape[1])) for c in probes[i]]
        ids = np.hstack([np.ravel(list_ids[c]) for c in probes[i]]).astype(int)
        V = np.vstack(vectors)
        d = np.clip(Q[i] @ Q[i] + (V * V).sum(axis=1) - 2 * V @ Q[i], 0, None)
        best = np.argsort(d)[:k]
        D[i, :len(best)] = d[best]
        I[i, :len(best)] = ids[best]
    return D, I
'''),
    # Exercise 6
    Alternative("nb06_ex6_answer", "explicit differences per piece and a list comprehension for decoding", source='''def pq_encode(X, codebooks):
    X = np.asarray(X, dtype=float)
    m, K, d_sub = np.shape(codebooks)
    codes = np.zeros((len(X), m), dtype=int)
    for j in range(m):
        piece = X[:, j * d_sub:(j + 1) * d_sub]
        d = ((piece[:, None, :] - np.asarray(codebooks)[j][None, :, :]) ** 2).sum(axis=2)
        codes[:, j] = d.argmin(axis=1)
    return codes


def pq_decode(codes, codebooks):
    codebooks = np.asarray(codebooks)
    return np.array([np.concatenate([codebooks[j][c] for j, c in enumerate(row)]) for row in np.asarray(codes)])
'''),
    Alternative("nb06_ex6_answer", "all pieces at once with einsum and fancy indexing", source='''def pq_encode(X, codebooks):
    codebooks = np.asarray(codebooks, dtype=float)
    m, K, d_sub = codebooks.shape
    pieces = np.asarray(X, dtype=float).reshape(-1, m, d_sub)
    scores = np.einsum("jkd,jkd->jk", codebooks, codebooks)[None] - 2 * np.einsum("njd,jkd->njk", pieces, codebooks)
    return scores.argmin(axis=2)


def pq_decode(codes, codebooks):
    codebooks = np.asarray(codebooks, dtype=float)
    m = codebooks.shape[0]
    chosen = codebooks[np.arange(m)[None, :], np.asarray(codes)]
    return chosen.reshape(len(chosen), -1)
'''),
    # Exercise 7
    Alternative("nb06_ex7_answer", "explicit differences and one fancy-indexed look-up", source='''def pq_distance_tables(Q, codebooks):
    codebooks = np.asarray(codebooks, dtype=float)
    m, K, d_sub = codebooks.shape
    pieces = np.asarray(Q, dtype=float).reshape(-1, m, 1, d_sub)
    return ((pieces - codebooks[None]) ** 2).sum(axis=3)


def pq_adc_distances(tables, codes):
    tables = np.asarray(tables)
    codes = np.asarray(codes)
    m = tables.shape[1]
    return tables[:, np.arange(m)[None, :], codes].sum(axis=2)
'''),
    Alternative("nb06_ex7_answer", "matmul per piece and a flattened table with offsets", source='''def pq_distance_tables(Q, codebooks):
    Q = np.asarray(Q, dtype=float)
    codebooks = np.asarray(codebooks, dtype=float)
    m, K, d_sub = codebooks.shape
    T = np.empty((len(Q), m, K))
    for j in range(m):
        piece = Q[:, j * d_sub:(j + 1) * d_sub]
        T[:, j, :] = (piece ** 2).sum(axis=1)[:, None] - 2 * piece @ codebooks[j].T + (codebooks[j] ** 2).sum(axis=1)
    return np.maximum(T, 0.0)


def pq_adc_distances(tables, codes):
    tables = np.asarray(tables, dtype=float)
    n_q, m, K = tables.shape
    flat = tables.reshape(n_q, m * K)
    offsets = np.asarray(codes) + K * np.arange(m)[None, :]
    return flat[:, offsets].sum(axis=2)
'''),
    # Exercise 8
    Alternative("nb06_ex8_answer", "plain Python loops over the neighbours", source='''def greedy_walk(X, neighbours, entry, q):
    X = np.asarray(X, dtype=float)
    q = np.asarray(q, dtype=float)

    def dist(i):
        return float(np.dot(X[i] - q, X[i] - q))

    path = [int(entry)]
    current_d = dist(path[-1])
    while True:
        best, best_d = None, current_d
        for j in neighbours[path[-1]]:
            j = int(j)
            if j < 0:
                continue
            d = dist(j)
            if d < best_d:
                best, best_d = j, d
        if best is None:
            return path
        path.append(best)
        current_d = best_d
'''),
    Alternative("nb06_ex8_answer", "the lists padded into an array first, then a vectorised walk", source='''def greedy_walk(X, neighbours, entry, q):
    X = np.asarray(X, dtype=float)
    q = np.asarray(q, dtype=float)
    if isinstance(neighbours, np.ndarray):
        table = neighbours.astype(int)
    else:
        width = max(1, max(len(row) for row in neighbours))
        table = np.full((len(neighbours), width), -1)
        for i, row in enumerate(neighbours):
            table[i, :len(row)] = row
    path = [int(entry)]
    current_d = np.sum((X[path[-1]] - q) ** 2)
    while True:
        row = table[path[-1]]
        row = row[row >= 0]
        if row.size == 0:
            return path
        d = np.einsum("ij,ij->i", X[row] - q, X[row] - q)
        if d.min() >= current_d:
            return path
        path.append(int(row[np.argmin(d)]))
        current_d = d.min()
'''),
]
