"""Typical wrong answers for notebook 05, applied to the solution by the grading round trip."""

from tests.grading.course import Variant

ASSIGNMENT = "05_text_embeddings"

VARIANTS = [
    # Exercise 1: LSI factors and folding in
    Variant("nb05_ex1_answer", "F without the singular values (U_k instead of U_k S_k)",
            {"F = U[:, :k] * s[:k]": "F = U[:, :k]"}),
    Variant("nb05_ex1_answer", "G transposed (V_k, d x k, instead of V_k^T: the roles of erratum 6 swapped)",
            {"G = Vt[:k]\n": "G = Vt[:k].T\n", "return x @ G.T": "return x @ G"}),
    Variant("nb05_ex1_answer", "keeps the k smallest singular values",
            {"F = U[:, :k] * s[:k]": "F = U[:, -k:] * s[-k:]", "G = Vt[:k]\n": "G = Vt[-k:]\n"}),
    # Exercise 2: cosine similarity
    Variant("nb05_ex2_answer", "dot products without normalising",
            {"return unit @ unit.T": "return A @ A.T"}),
    Variant("nb05_ex2_answer", "normalises the columns instead of the rows (wrong axis)",
            {"lengths = np.linalg.norm(A, axis=1, keepdims=True)": "lengths = np.linalg.norm(A, axis=0, keepdims=True)"}),
    Variant("nb05_ex2_answer", "divides by zero for a row of zeros",
            {"unit = A / np.where(lengths > 0, lengths, 1.0)": "unit = A / lengths"}),
    # Exercise 3: tf-idf
    Variant("nb05_ex3_answer", "raw counts as term frequency (no log)",
            {"return np.log10(1 + counts) * idf[:, np.newaxis]": "return counts * idf[:, np.newaxis]"}),
    Variant("nb05_ex3_answer", "document frequency counted along the wrong axis",
            {"np.count_nonzero(counts, axis=1)": "np.count_nonzero(counts, axis=0)"}),
    Variant("nb05_ex3_answer", "natural logarithm in the idf",
            {"np.log10(n_documents / document_frequency[seen])": "np.log(n_documents / document_frequency[seen])"}),
    # Exercise 4: PPMI
    Variant("nb05_ex4_answer", "PMI without the clipping at zero",
            {"np.maximum(np.log2(ratio), 0.0)": "np.log2(ratio)"}),
    Variant("nb05_ex4_answer", "natural logarithm: nats instead of bits",
            {"np.maximum(np.log2(ratio), 0.0)": "np.maximum(np.log(ratio), 0.0)"}),
    Variant("nb05_ex4_answer", "context probabilities from the row sums (wrong axis)",
            {"p_context = p_joint.sum(axis=0, keepdims=True)": "p_context = p_joint.sum(axis=1, keepdims=True).T"}),
    # Exercise 5: the noise distribution
    Variant("nb05_ex5_answer", "not renormalised after raising to the power",
            {"return weights / weights.sum()": "return weights"}),
    Variant("nb05_ex5_answer", "ignores the power argument (always 3/4)",
            {"** power": "** 0.75"}),
    Variant("nb05_ex5_answer", "normalises first and raises afterwards (does not sum to 1)",
            {"return weights / weights.sum()": "return (np.asarray(counts, dtype=float) / np.sum(counts)) ** power"}),
    # Exercise 6: SGNS loss and gradients
    Variant("nb05_ex6_answer", "the lecture's sigmoid 1 / (1 - e^-x) (erratum 4)",
            {"word2vec.sigmoid": "lecture_sigmoid",
             "    positive_score = t @ c": "    lecture_sigmoid = lambda x: 1 / (1 - np.exp(-x))\n    positive_score = t @ c"}),
    Variant("nb05_ex6_answer", "gradient of the positive pair with sigma(t.c) instead of sigma(t.c) - 1",
            {"positive_error = word2vec.sigmoid(positive_score) - 1.0": "positive_error = word2vec.sigmoid(positive_score)"}),
    Variant("nb05_ex6_answer", "grad_t forgets the negatives",
            {"grad_t = positive_error * c + negative_errors @ negatives": "grad_t = positive_error * c"}),
    # Exercise 7: lookup and row sum
    Variant("nb05_ex7_answer", "bag of words marks presence instead of counting",
            {"np.bincount(np.asarray(ids, dtype=int), minlength=vocab_size).astype(float)":
             "(np.bincount(np.asarray(ids, dtype=int), minlength=vocab_size) > 0).astype(float)"}),
    Variant("nb05_ex7_answer", "repeated words counted once",
            {"return W[ids].sum(axis=0)": "return W[np.unique(ids)].sum(axis=0)"}),
    Variant("nb05_ex7_answer", "mean of the rows instead of their sum",
            {"return W[ids].sum(axis=0)": "return W[ids].mean(axis=0)"}),
]
