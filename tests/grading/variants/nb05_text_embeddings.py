"""Notebook 05: typical wrong answers, what each exercise's text asks, and differently written correct answers.

The grading round trip applies every wrong variant (each must lose points) and every alternative (each must earn
full points) with the real nbgrader; ``tests/grading/test_requirements.py`` checks the tables against the
exercise texts and test cells (format: ``tests/grading/exercises.py``).
"""

from tests.grading.course import Variant
from tests.grading.exercises import Alternative, Requirement

ASSIGNMENT = "05_text_embeddings"

# --- Exercise 1: LSI factors and folding in ---------------------------------------------------------------------
EX1_SMALLEST = "keeps the k smallest singular values"
EX1_NO_S = "F without the singular values (U_k instead of U_k S_k)"
EX1_G_TRANSPOSED = "G transposed (V_k, d x k, instead of V_k^T: the roles of erratum 6 swapped)"
EX1_NO_RANGE = "no check of k's range"
EX1_FOLD_NO_T = "fold_in multiplies by G instead of its transpose"
EX1_FOLD_G_FIRST = "fold_in as G @ x (right for one document, wrong for the rows of a matrix)"
EX1_LSI = "calls the course's own LSI"

# --- Exercise 2: cosine similarity --------------------------------------------------------------------------------
EX2_DOT = "dot products without normalising"
EX2_COLUMNS = "normalises the columns instead of the rows (wrong axis)"
EX2_DIVIDES = "divides by zero for a row of zeros"
EX2_NAN_TO_NUM = "divides by zero, then turns the nan into 0 (np.nan_to_num)"
EX2_SELF_ONE = "gives a row of zeros similarity 1 with itself"
EX2_SKLEARN = "calls scikit-learn's cosine_similarity"

# --- Exercise 3: tf-idf with a collection's document frequencies ----------------------------------------------
EX3_RAW_TF = "raw counts as term frequency (no log)"
EX3_NATURAL = "natural logarithm in the idf"
EX3_OWN_DF = "counts the document frequency over the columns of counts (ignores the collection's numbers)"
EX3_COLUMNS_N = "the number of columns of counts as N instead of n_documents"
EX3_TRANSPOSED = "returns documents x terms (transposed)"
EX3_DIVIDES = "divides by a zero document frequency (inf times 0 is nan)"
EX3_NAN_TO_NUM = "turns the inf of a zero document frequency into 0 afterwards, dividing by zero on the way"
EX3_COURSE = "calls course_utils.text.tfidf"

# --- Exercise 4: PPMI ------------------------------------------------------------------------------------------
EX4_NO_CLIP = "PMI without the clipping at zero"
EX4_NATURAL = "natural logarithm: nats instead of bits"
EX4_ROWS = "context probabilities from the row sums (wrong axis)"
EX4_ALPHA = "context probabilities smoothed with alpha = 0.75"
EX4_LAPLACE = "adds one to every count (Laplace smoothing), so unseen pairs take part"
EX4_LOG_ZERO = "takes log2 of every entry and masks afterwards (log of 0 and 0 / 0 on the way)"
EX4_COURSE = "calls course_utils.text.ppmi"

# --- Exercise 5: lookup and row sum ---------------------------------------------------------------------------
EX5_PRESENCE = "bag of words marks presence instead of counting"
EX5_SHORT = "bag_of_words has length max(ids) + 1 instead of vocab_size (no minlength)"
EX5_UNIQUE = "repeated words counted once"
EX5_MEAN = "mean of the rows instead of their sum"
EX5_COUNT_VECTOR = "embed_bag builds the count vector with bag_of_words and multiplies it by W"
EX5_ONE_HOT = "embed_bag sums one-hot rows of np.eye and multiplies by W"
EX5_ADD_AT = "embed_bag counts into np.zeros(V) with np.add.at, then multiplies by W"
EX5_FLOAT_IDS = "no int dtype: an empty list becomes a float array that cannot index W"

# --- Exercise 6: the noise distribution -------------------------------------------------------------------------
EX6_NOT_NORMALISED = "not renormalised after raising to the power"
EX6_FIXED_POWER = "ignores the power argument (always 3/4)"
EX6_WRONG_ORDER = "normalises first and raises afterwards (does not sum to 1)"
EX6_NO_POWER = "the unigram distribution (no power at all)"
EX6_COURSE = "calls the course's own noise_distribution"

# --- Exercise 7: the SGNS loss and its gradients ----------------------------------------------------------------
EX2_NEURAL = "calls course_utils.neural.cosine_similarity"
EX3_IDF = "takes the idf from course_utils.text.inverse_document_frequency"
EX7_LECTURE = "the lecture's sigmoid 1 / (1 - e^-x) (erratum 4)"
EX7_POSITIVE_SIGN = "gradient of the positive pair with sigma(t.c) instead of sigma(t.c) - 1"
EX7_NO_NEGATIVES = "grad_t forgets the negatives"
EX7_GRAD_N_T = "grad_negatives transposed (d x k)"
EX7_ARRAY_LOSS = "returns the loss as a one-element array"
EX7_NAIVE_LOG = "takes the log of a computed sigmoid (0 for t.c = 40, inf for t.c = -800)"
EX7_LOG1P_EXP = "log1p(exp(-x)): right for t.c = 40, overflows to inf for t.c = -800"
EX7_COURSE = "calls the course's own sgns_loss_and_gradients"

VARIANTS = [
    # Exercise 1
    Variant("nb05_ex1_answer", EX1_NO_S, {"F = U[:, :k] * s[:k]": "F = U[:, :k]"}),
    Variant("nb05_ex1_answer", EX1_G_TRANSPOSED, {"G = Vt[:k]\n": "G = Vt[:k].T\n", "return x @ G.T": "return x @ G"}),
    Variant("nb05_ex1_answer", EX1_SMALLEST,
            {"F = U[:, :k] * s[:k]": "F = U[:, -k:] * s[-k:]", "G = Vt[:k]\n": "G = Vt[-k:]\n"}),
    Variant("nb05_ex1_answer", EX1_NO_RANGE,
            {'raise ValueError(f"k must be between 1 and {min(X.shape)}, got {k}")': "pass"}),
    Variant("nb05_ex1_answer", EX1_FOLD_NO_T, {"return x @ G.T": "return x @ G"}),
    Variant("nb05_ex1_answer", EX1_FOLD_G_FIRST, {"return x @ G.T": "return G @ x"}),
    Variant("nb05_ex1_answer", EX1_LSI,
            {"    U, s, Vt = np.linalg.svd(X, full_matrices=False)\n    F = U[:, :k] * s[:k]\n    G = Vt[:k]\n":
             "    lsi = text.LSI(n_components=k)\n    F = lsi.fit_transform(X)\n    G = lsi.components_\n"}),
    # Exercise 2
    Variant("nb05_ex2_answer", EX2_DOT, {"return unit @ unit.T": "return A @ A.T"}),
    Variant("nb05_ex2_answer", EX2_COLUMNS,
            {"lengths = np.linalg.norm(A, axis=1, keepdims=True)": "lengths = np.linalg.norm(A, axis=0, keepdims=True)"}),
    Variant("nb05_ex2_answer", EX2_DIVIDES, {"unit = A / np.where(lengths > 0, lengths, 1.0)": "unit = A / lengths"}),
    Variant("nb05_ex2_answer", EX2_NAN_TO_NUM,
            {"unit = A / np.where(lengths > 0, lengths, 1.0)": "unit = np.nan_to_num(A / lengths)"}),
    Variant("nb05_ex2_answer", EX2_SELF_ONE,
            {"return unit @ unit.T": "result = unit @ unit.T\n    np.fill_diagonal(result, 1.0)\n    return result"}),
    Variant("nb05_ex2_answer", EX2_NEURAL,
            {"    A = np.asarray(A, dtype=float)\n":
             "    from course_utils import neural\n    return neural.cosine_similarity(A)\n"}),
    Variant("nb05_ex2_answer", EX2_SKLEARN,
            {"    A = np.asarray(A, dtype=float)\n":
             "    from sklearn.metrics.pairwise import cosine_similarity\n    return cosine_similarity(A)\n"}),
    # Exercise 3
    Variant("nb05_ex3_answer", EX3_RAW_TF,
            {"return np.log10(1 + counts) * idf[:, np.newaxis]": "return counts * idf[:, np.newaxis]"}),
    Variant("nb05_ex3_answer", EX3_NATURAL,
            {"np.log10(n_documents / document_frequency[seen])": "np.log(n_documents / document_frequency[seen])"}),
    Variant("nb05_ex3_answer", EX3_OWN_DF,
            {"    document_frequency = np.asarray(document_frequency, dtype=float)\n":
             "    document_frequency = np.count_nonzero(counts, axis=1).astype(float)\n"
             "    n_documents = counts.shape[1]\n"}),
    Variant("nb05_ex3_answer", EX3_COLUMNS_N,
            {"np.log10(n_documents / document_frequency[seen])":
             "np.log10(counts.shape[1] / document_frequency[seen])"}),
    Variant("nb05_ex3_answer", EX3_TRANSPOSED,
            {"return np.log10(1 + counts) * idf[:, np.newaxis]": "return (np.log10(1 + counts) * idf[:, np.newaxis]).T"}),
    Variant("nb05_ex3_answer", EX3_DIVIDES,
            {"    idf = np.zeros(counts.shape[0])\n    seen = document_frequency > 0\n"
             "    idf[seen] = np.log10(n_documents / document_frequency[seen])\n":
             "    idf = np.log10(n_documents / document_frequency)\n"}),
    Variant("nb05_ex3_answer", EX3_NAN_TO_NUM,
            {"    idf = np.zeros(counts.shape[0])\n    seen = document_frequency > 0\n"
             "    idf[seen] = np.log10(n_documents / document_frequency[seen])\n":
             "    idf = np.nan_to_num(np.log10(n_documents / document_frequency), posinf=0.0)\n"}),
    Variant("nb05_ex3_answer", EX3_IDF,
            {"    idf = np.zeros(counts.shape[0])\n    seen = document_frequency > 0\n"
             "    idf[seen] = np.log10(n_documents / document_frequency[seen])\n":
             "    idf = text.inverse_document_frequency(counts, document_frequency=document_frequency,\n"
             "                                          n_documents=n_documents)\n"
             "    idf = np.where(np.isfinite(idf), idf, 0.0)\n"}),
    Variant("nb05_ex3_answer", EX3_COURSE,
            {"    counts = np.asarray(counts, dtype=float)\n":
             "    return text.tfidf(counts, document_frequency=document_frequency, n_documents=n_documents)\n"}),
    # Exercise 4
    Variant("nb05_ex4_answer", EX4_NO_CLIP, {"np.maximum(np.log2(ratio), 0.0)": "np.log2(ratio)"}),
    Variant("nb05_ex4_answer", EX4_NATURAL, {"np.maximum(np.log2(ratio), 0.0)": "np.maximum(np.log(ratio), 0.0)"}),
    Variant("nb05_ex4_answer", EX4_ROWS,
            {"p_context = p_joint.sum(axis=0, keepdims=True)": "p_context = p_joint.sum(axis=1, keepdims=True).T"}),
    Variant("nb05_ex4_answer", EX4_ALPHA,
            {"p_context = p_joint.sum(axis=0, keepdims=True)":
             "p_context = counts.sum(axis=0, keepdims=True) ** 0.75 / np.sum(counts.sum(axis=0) ** 0.75)"}),
    Variant("nb05_ex4_answer", EX4_LAPLACE,
            {"    counts = np.asarray(counts, dtype=float)\n": "    counts = np.asarray(counts, dtype=float) + 1.0\n"}),
    Variant("nb05_ex4_answer", EX4_LOG_ZERO,
            {"    result = np.zeros_like(counts)\n    seen = counts > 0\n"
             "    ratio = p_joint[seen] / (p_word * p_context)[seen]\n"
             "    result[seen] = np.maximum(np.log2(ratio), 0.0)\n    return result\n":
             "    pmi = np.log2(p_joint / (p_word * p_context))\n"
             "    return np.where(counts > 0, np.maximum(pmi, 0.0), 0.0)\n"}),
    Variant("nb05_ex4_answer", EX4_COURSE, {"    counts = np.asarray(counts, dtype=float)\n": "    return text.ppmi(counts)\n"}),
    # Exercise 5
    Variant("nb05_ex5_answer", EX5_PRESENCE,
            {"np.bincount(np.asarray(ids, dtype=int), minlength=vocab_size).astype(float)":
             "(np.bincount(np.asarray(ids, dtype=int), minlength=vocab_size) > 0).astype(float)"}),
    Variant("nb05_ex5_answer", EX5_SHORT, {", minlength=vocab_size).astype(float)": ").astype(float)"}),
    Variant("nb05_ex5_answer", EX5_UNIQUE, {"return W[ids].sum(axis=0)": "return W[np.unique(ids)].sum(axis=0)"}),
    Variant("nb05_ex5_answer", EX5_MEAN, {"return W[ids].sum(axis=0)": "return W[ids].mean(axis=0)"}),
    Variant("nb05_ex5_answer", EX5_COUNT_VECTOR,
            {"    ids = np.asarray(ids, dtype=int)\n    return W[ids].sum(axis=0)":
             "    return bag_of_words(ids, W.shape[0]) @ W"}),
    Variant("nb05_ex5_answer", EX5_ONE_HOT,
            {"return W[ids].sum(axis=0)": "return np.eye(W.shape[0])[ids].sum(axis=0) @ W"}),
    Variant("nb05_ex5_answer", EX5_ADD_AT,
            {"    ids = np.asarray(ids, dtype=int)\n    return W[ids].sum(axis=0)":
             "    ids = np.asarray(ids, dtype=int)\n    counts = np.zeros(W.shape[0])\n    np.add.at(counts, ids, 1)\n"
             "    return counts @ W"}),
    Variant("nb05_ex5_answer", EX5_FLOAT_IDS,
            {"    ids = np.asarray(ids, dtype=int)\n    return W[ids].sum(axis=0)":
             "    ids = np.asarray(ids)\n    return W[ids].sum(axis=0)"}),
    # Exercise 6
    Variant("nb05_ex6_answer", EX6_NOT_NORMALISED, {"return weights / weights.sum()": "return weights"}),
    Variant("nb05_ex6_answer", EX6_FIXED_POWER, {"** power": "** 0.75"}),
    Variant("nb05_ex6_answer", EX6_WRONG_ORDER,
            {"return weights / weights.sum()": "return (np.asarray(counts, dtype=float) / np.sum(counts)) ** power"}),
    Variant("nb05_ex6_answer", EX6_NO_POWER,
            {"weights = np.asarray(counts, dtype=float) ** power": "weights = np.asarray(counts, dtype=float)"}),
    Variant("nb05_ex6_answer", EX6_COURSE,
            {"    weights = np.asarray(counts, dtype=float) ** power\n    return weights / weights.sum()":
             "    return word2vec.noise_distribution(counts, power)"}),
    # Exercise 7
    Variant("nb05_ex7_answer", EX7_LECTURE,
            {"    positive_score = t @ c": "    lecture_sigmoid = lambda x: 1 / (1 - np.exp(-x))\n    positive_score = t @ c",
             "loss = np.logaddexp(0.0, -positive_score) + np.sum(np.logaddexp(0.0, negative_scores))":
             "loss = -np.log(lecture_sigmoid(positive_score)) - np.sum(np.log(lecture_sigmoid(-negative_scores)))",
             "word2vec.sigmoid": "lecture_sigmoid"}),
    Variant("nb05_ex7_answer", EX7_POSITIVE_SIGN,
            {"positive_error = word2vec.sigmoid(positive_score) - 1.0": "positive_error = word2vec.sigmoid(positive_score)"}),
    Variant("nb05_ex7_answer", EX7_NO_NEGATIVES,
            {"grad_t = positive_error * c + negative_errors @ negatives": "grad_t = positive_error * c"}),
    Variant("nb05_ex7_answer", EX7_GRAD_N_T,
            {"grad_negatives = np.outer(negative_errors, t)": "grad_negatives = np.outer(t, negative_errors)"}),
    Variant("nb05_ex7_answer", EX7_ARRAY_LOSS, {"return float(loss), grad_t": "return np.array([loss]), grad_t"}),
    Variant("nb05_ex7_answer", EX7_NAIVE_LOG,
            {"loss = np.logaddexp(0.0, -positive_score) + np.sum(np.logaddexp(0.0, negative_scores))":
             "loss = -np.log(word2vec.sigmoid(positive_score)) - np.sum(np.log(word2vec.sigmoid(-negative_scores)))"}),
    Variant("nb05_ex7_answer", EX7_LOG1P_EXP,
            {"loss = np.logaddexp(0.0, -positive_score) + np.sum(np.logaddexp(0.0, negative_scores))":
             "loss = np.log1p(np.exp(-positive_score)) + np.sum(np.log1p(np.exp(negative_scores)))"}),
    Variant("nb05_ex7_answer", EX7_COURSE,
            {"    positive_score = t @ c\n":
             "    loss, grad_t, grad_c, grad_negatives = word2vec.sgns_loss_and_gradients(t, c, negatives)\n"
             "    return float(loss), grad_t, grad_c, grad_negatives\n    positive_score = t @ c\n"}),
]

# What each exercise's text asks, and which checks and wrong variants go with it (tests/grading/exercises.py).
REQUIREMENTS = {
    "nb05_ex1": [
        Requirement("`lsi_factors(X, k)` returns the pair `(F, G)` of the rank-$k$ truncated SVD of the "
                    "$N \\times d$ array `X`",
                    checks=["F @ G (should be the rank-2 SVD approximation)", "F @ G for k={_k}",
                            "G @ G.T (the rows of G are orthonormal)"],
                    variants=[EX1_SMALLEST, EX1_NO_S]),
        Requirement("`F` $= U_k S_k$ of shape $(N, k)$ and `G` $= V_k^\\top$ of shape $(k, d)$",
                    checks=["F for X of shape (8, 10), k = 2", "F for X of shape {(_n, _d)}, k={_k}",
                            "G for X of shape (8, 10), k = 2", "G for X of shape {(_n, _d)}, k={_k}",
                            "column lengths of F (the k largest singular values)"],
                    variants=[EX1_NO_S, EX1_G_TRANSPOSED]),
        Requirement("for the $k$ **largest** singular\n  values.",
                    checks=["column lengths of F (the k largest singular values)"],
                    variants=[EX1_SMALLEST]),
        Requirement("For $k < 1$ or $k > \\min(N, d)$ raise a `ValueError`.",
                    checks=["k = 0 is too small", "k = 4 is larger than min(N, d) = 3"],
                    variants=[EX1_NO_RANGE]),
        Requirement("`fold_in(x, G)` places new documents in topic coordinates: $x\\,G^\\top$ for a single "
                    "document `x` (length $d$,\n  result length $k$)",
                    checks=["fold_in(X[0], G)", "fold_in of one document"],
                    variants=[EX1_FOLD_NO_T]),
        Requirement("or for the rows of an $M \\times d$ array (result $M \\times k$).",
                    checks=["fold_in of the training documents (an M x d array)"],
                    variants=[EX1_FOLD_G_FIRST]),
        Requirement("Do not call `course_utils.text.LSI` or scikit-learn's `TruncatedSVD`",
                    checks=["forbid course_utils.text.LSI, sklearn.decomposition.TruncatedSVD"],
                    variants=[EX1_LSI]),
    ],
    "nb05_ex2": [
        Requirement("Write `cosine_similarities(A)`, which returns the $n \\times n$ matrix of cosine similarities "
                    "between the **rows**\nof the $n \\times m$ array `A`: entry $(i, j)$ is $\\cos(a_i, a_j)$.",
                    checks=["cosine_similarities of the 4 x 4 play counts", "cos(fool, wit)",
                            "cosines of (1, 0) and (0, 2)", "cosine_similarities of a {_n} x {_m} array",
                            "cos((1, 2), (3, -1))"],
                    variants=[EX2_DOT, EX2_COLUMNS]),
        Requirement("A row of zeros has no direction: give it similarity 0 with every row (itself included)",
                    checks=["similarities of a zero row (with every row, itself included)",
                            "similarities with a zero row"],
                    variants=[EX2_SELF_ONE, EX2_DIVIDES]),
        Requirement("without dividing by zero.",
                    checks=["cosine_similarities divided by zero for a row of zeros"],
                    variants=[EX2_NAN_TO_NUM, EX2_DIVIDES]),
        Requirement("Do not call scikit-learn's `cosine_similarity`, SciPy's `cdist` or `pdist`, or the course's "
                    "`cosine_similarity`\n(in `course_utils.text` and `course_utils.neural`).",
                    checks=["forbid sklearn.metrics.pairwise.cosine_similarity, course_utils.text.cosine_similarity, "
                            "course_utils.neural.cosine_similarity, scipy.spatial.distance.cdist, "
                            "scipy.spatial.distance.pdist"],
                    variants=[EX2_SKLEARN, EX2_NEURAL]),
    ],
    "nb05_ex3": [
        Requirement("`document_frequency[t]` is the number of documents of the whole collection that\ncontain "
                    "term $t$, and `n_documents` is the size of that collection; the columns of `counts` may be "
                    "only some of\nits documents (for the plays: four columns, `n_documents = 37`).",
                    checks=["weight of 'battle' in Henry V (13 times; in 21 of the 37 plays)",
                            "weights in Twelfth Night (book: 0, 0, 0.021, 0.044)",
                            "tfidf_weights of a {_terms} x {_docs} count array, N = {_N}"],
                    variants=[EX3_OWN_DF, EX3_COLUMNS_N]),
        Requirement("Return the array of weights $w_{t,d}$ above, of the shape of `counts`, with $N =$ "
                    "`n_documents` and\n$\\mathrm{df}_t =$ `document_frequency[t]`.",
                    checks=["tfidf_weights of the 4 x 4 play counts", "weights of 'good' (in all 37 plays)",
                            "weight of 'battle' in Henry V (13 times; in 21 of the 37 plays)",
                            "tfidf_weights of a {_terms} x {_docs} count array, N = {_N}"],
                    variants=[EX3_RAW_TF, EX3_TRANSPOSED, EX3_OWN_DF]),
        Requirement("Use base-10 logarithms.",
                    checks=["weight of 'battle' in Henry V (13 times; in 21 of the 37 plays)",
                            "tfidf_weights of a {_terms} x {_docs} count array, N = {_N}"],
                    variants=[EX3_NATURAL]),
        Requirement("A term with document frequency 0 has no idf: give its row weight 0 (no `nan`, no `inf`, no "
                    "warning).",
                    checks=["weights of a term with document frequency 0",
                            "tfidf_weights divided by zero or took log(0): {_error}"],
                    variants=[EX3_DIVIDES, EX3_NAN_TO_NUM]),
        Requirement("Do not call `course_utils.text.tfidf`, `course_utils.text.inverse_document_frequency` or "
                    "scikit-learn's tf-idf\nclasses.",
                    checks=["forbid course_utils.text.tfidf, course_utils.text.inverse_document_frequency, "
                            "sklearn.feature_extraction.text.TfidfTransformer, "
                            "sklearn.feature_extraction.text.TfidfVectorizer"],
                    variants=[EX3_COURSE, EX3_IDF]),
    ],
    "nb05_ex4": [
        Requirement("Write `ppmi_matrix(counts)` for a dense word-by-context count array: return the array of\n"
                    "$\\mathrm{PPMI}(w, c)$ in **bits**.",
                    checks=["ppmi_matrix([[2, 0], [0, 2]])", "PPMI of the first pair",
                            "PPMI of a pair seen less often than chance", "ppmi_matrix of a {_shape} count array"],
                    variants=[EX4_NO_CLIP, EX4_NATURAL, EX4_ROWS]),
        Requirement("Use plain $P(c)$, with no $\\alpha$.",
                    checks=["ppmi_matrix of a {_shape} count array"],
                    variants=[EX4_ALPHA]),
        Requirement("Entries whose count is 0 are 0",
                    checks=["PPMI of the pairs never seen", "ppmi_matrix of a {_shape} count array"],
                    variants=[EX4_LAPLACE]),
        Requirement("and so are whole rows or columns of zeros (no `nan`, no warnings).",
                    checks=["ppmi_matrix divided by zero or took log(0): {_error}"],
                    variants=[EX4_LOG_ZERO]),
        Requirement("Do not call `course_utils.text.ppmi`.",
                    checks=["forbid course_utils.text.ppmi"],
                    variants=[EX4_COURSE]),
    ],
    "nb05_ex5": [
        Requirement("`bag_of_words(ids, vocab_size)` returns the count vector of length `vocab_size` of the word "
                    "ids in `ids`",
                    checks=["bag_of_words([1, 3, 1], 4)", "bag_of_words of {_n} ids", "bag_of_words([], 5)",
                            "bag_of_words of one word (its one-hot vector)"],
                    variants=[EX5_SHORT]),
        Requirement("(a list or array of integers, repeats allowed): entry $k$ is how many times $k$ occurs.",
                    checks=["bag_of_words of {_n} ids", "bag_of_words of a Python list"],
                    variants=[EX5_PRESENCE]),
        Requirement("`embed_bag(ids, W)` returns $\\mathbf v^\\top W$ for that count vector",
                    checks=["embed_bag([2], W)", "embed_bag([1, 3, 1], W)", "embed_bag of {_n} ids",
                            "embed_bag of a Python list"],
                    variants=[EX5_UNIQUE, EX5_MEAN]),
        Requirement("**without** building it or any one-hot\n  vector: look the rows up and add them, each as often "
                    "as it occurs.",
                    checks=["embed_bag of {_n} ids when the rows of W they do not name hold nan", "forbid numpy.bincount"],
                    variants=[EX5_COUNT_VECTOR, EX5_ONE_HOT, EX5_ADD_AT]),
        Requirement("An empty `ids` gives a vector of zeros of\n  length $m$.",
                    checks=["embed_bag([]) (empty document)"],
                    variants=[EX5_FLOAT_IDS, EX5_MEAN]),
        Requirement("the rows of `W` that `ids` does not name hold `nan`, which any\nproduct with a count or "
                    "one-hot vector spreads to the result ($0 \\times$ `nan` is `nan`)",
                    checks=["embed_bag of {_n} ids when the rows of W they do not name hold nan"],
                    variants=[EX5_ONE_HOT, EX5_ADD_AT]),
        Requirement("and `np.bincount` is\nnot allowed inside `embed_bag`.",
                    checks=["forbid numpy.bincount"],
                    variants=[EX5_COUNT_VECTOR]),
    ],
    "nb05_ex6": [
        Requirement("Write `noise_distribution(counts, power=0.75)`, returning the probabilities $P_n(w)$ above for "
                    "the array of word\ncounts `counts`",
                    checks=["noise_distribution([1, 16])", "noise_distribution of 50 random counts", "equal counts"],
                    variants=[EX6_NO_POWER, EX6_WRONG_ORDER]),
        Requirement("with `power` in place of $3/4$ when it is given.",
                    checks=["noise_distribution with power=1 (the unigram distribution)",
                            "noise_distribution with power=0 (uniform)"],
                    variants=[EX6_FIXED_POWER]),
        Requirement("The result has the length of `counts` and sums to 1.",
                    checks=["the sum of noise_distribution of 50 random counts"],
                    variants=[EX6_NOT_NORMALISED, EX6_WRONG_ORDER]),
        Requirement("Do not call `course_utils.word2vec.noise_distribution`.",
                    checks=["forbid course_utils.word2vec.noise_distribution"],
                    variants=[EX6_COURSE]),
    ],
    "nb05_ex7": [
        Requirement("Return the tuple `(loss, grad_t, grad_c, grad_negatives)`: the loss $L$ above (a float, not an "
                    "array)",
                    checks=["loss for zero vectors with k = 2", "loss with d={_d}, k={_k}",
                            "the loss with d={_d}, k={_k} is a single number, not an array"],
                    variants=[EX7_ARRAY_LOSS, EX7_LECTURE]),
        Requirement("and its\ngradients with the shapes of `t`, `c` and `negatives`.",
                    checks=["grad_t", "grad_c", "grad_negatives", "grad_t with d={_d}, k={_k}",
                            "grad_c with d={_d}, k={_k}", "grad_negatives with d={_d}, k={_k}",
                            "grad_c for a {_label} classifier"],
                    variants=[EX7_POSITIVE_SIGN, EX7_NO_NEGATIVES, EX7_GRAD_N_T]),
        Requirement("Use the correct sigmoid (`word2vec.sigmoid` or your own).",
                    checks=["loss for zero vectors with k = 2", "loss with d={_d}, k={_k}"],
                    variants=[EX7_LECTURE]),
        Requirement("The loss must be accurate to a relative error of $10^{-6}$ however confident the scores: for\n"
                    "$\\mathbf t\\cdot\\mathbf c = -800$ the term $-\\log\\sigma(\\mathbf t\\cdot\\mathbf c)$ is $800$, "
                    "not `inf`, and for\n$\\mathbf t\\cdot\\mathbf c = 40$ it is $4.2 \\times 10^{-18}$, not $0$",
                    checks=["loss for t.c = -800 and one negative with t.n = 0 (800 + log 2, not inf)",
                            "loss for a {_label} classifier (t.c = {_score:g}, t.n = {-_score:g})"],
                    variants=[EX7_NAIVE_LOG, EX7_LOG1P_EXP]),
        Requirement("Do not call `course_utils.word2vec.sgns_loss_and_gradients`.",
                    checks=["forbid course_utils.word2vec.sgns_loss_and_gradients"],
                    variants=[EX7_COURSE]),
    ],
}

CONTEXT = {
    "nb05_ex1": ["### Exercise 1: LSI factors and folding in (4 points)",
                 "Since $G$ has orthonormal\n  rows, folding in a training document gives back its row of $F$.",
                 "`np.linalg.svd` does the hard part.", "which\ndo all of it for you."],
    "nb05_ex2": ["### Exercise 2: cosine similarity (3 points)"],
    "nb05_ex3": ["### Exercise 3: tf-idf with a collection's document frequencies (3 points)",
                 "Write `tfidf_weights(counts, document_frequency, n_documents)` for a term-document array `counts` "
                 "(terms in\nrows, documents in columns)."],
    "nb05_ex4": ["### Exercise 4: PPMI (3 points)"],
    "nb05_ex5": ["### Exercise 5: lookup and row sum (3 points)",
                 "The hidden tests check the \"without\" in two ways:"],
    "nb05_ex6": ["### Exercise 6: the noise distribution (3 points)"],
    "nb05_ex7": ["### Exercise 7: the SGNS loss and its gradients (4 points)",
                 "Write `sgns_loss_and_gradients(t, c, negatives)` for one positive pair: `t` and `c` are vectors of "
                 "length $d$,\n`negatives` is a $k \\times d$ array whose rows are the noise vectors $\\mathbf n_i$.",
                 "(see \"Computing $\\log\\sigma$ safely\" above)."],
}

ALTERNATIVES = [
    # Exercise 1
    Alternative("nb05_ex1_answer", "eigendecomposition of X^T X instead of the SVD", source='''def lsi_factors(X, k):
    N, d = X.shape
    if k < 1 or k > min(N, d):
        raise ValueError("k out of range")
    values, vectors = np.linalg.eigh(X.T @ X)
    G = vectors[:, ::-1][:, :k].T
    F = X @ G.T
    return F, G


def fold_in(x, G):
    return np.dot(x, G.T)
'''),
    Alternative("nb05_ex1_answer", "full SVD, a diagonal matrix and np.matmul", source='''def lsi_factors(X, k):
    if k < 1 or k > min(np.shape(X)):
        raise ValueError(f"bad k: {k}")
    U, s, Vt = np.linalg.svd(X)
    F = U[:, :k] @ np.diag(s[:k])
    G = Vt[:k, :]
    return F, G


def fold_in(x, G):
    return np.matmul(x, np.transpose(G))
'''),
    Alternative("nb05_ex1_answer", "scipy.linalg.svd and einsum", source='''import scipy.linalg


def lsi_factors(X, k):
    if not 0 < k <= min(X.shape):
        raise ValueError("k must be between 1 and min(N, d)")
    U, s, Vt = scipy.linalg.svd(X, full_matrices=False)
    return U[:, :k] * s[np.newaxis, :k], Vt[:k].copy()


def fold_in(x, G):
    return np.einsum("...d,kd->...k", x, G)
'''),
    # Exercise 2
    Alternative("nb05_ex2_answer", "two loops with explicit norms", source='''def cosine_similarities(A):
    A = np.asarray(A, dtype=float)
    n = A.shape[0]
    result = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            length_i, length_j = np.sqrt(A[i] @ A[i]), np.sqrt(A[j] @ A[j])
            if length_i > 0 and length_j > 0:
                result[i, j] = A[i] @ A[j] / (length_i * length_j)
    return result
'''),
    Alternative("nb05_ex2_answer", "scikit-learn's normalize (allowed: not a cosine function)", source='''from sklearn.preprocessing import normalize


def cosine_similarities(A):
    unit = normalize(np.asarray(A, dtype=float))
    return unit @ unit.T
'''),
    Alternative("nb05_ex2_answer", "np.divide with where= and einsum", source='''def cosine_similarities(A):
    A = np.asarray(A, dtype=float)
    lengths = np.sqrt(np.einsum("ij,ij->i", A, A))[:, np.newaxis]
    unit = np.divide(A, lengths, out=np.zeros_like(A), where=lengths > 0)
    return np.einsum("ik,jk->ij", unit, unit)
'''),
    # Exercise 3
    Alternative("nb05_ex3_answer", "loops over terms and documents", source='''def tfidf_weights(counts, document_frequency, n_documents):
    counts = np.asarray(counts, dtype=float)
    weights = np.zeros(counts.shape)
    for t in range(counts.shape[0]):
        if document_frequency[t] == 0:
            continue
        idf = np.log10(n_documents / document_frequency[t])
        for d in range(counts.shape[1]):
            weights[t, d] = np.log10(1 + counts[t, d]) * idf
    return weights
'''),
    Alternative("nb05_ex3_answer", "np.divide with where= and log1p", source='''def tfidf_weights(counts, document_frequency, n_documents):
    counts = np.asarray(counts, dtype=float)
    df = np.asarray(document_frequency, dtype=float)
    ratio = np.divide(n_documents, df, out=np.ones_like(df), where=df > 0)     # ratio 1: idf 0
    return np.log1p(counts) / np.log(10) * np.log10(ratio)[:, None]
'''),
    Alternative("nb05_ex3_answer", "np.maximum(df, 1) and a mask", source='''def tfidf_weights(counts, document_frequency, n_documents):
    df = np.asarray(document_frequency)
    idf = np.log10(n_documents / np.maximum(df, 1)) * (df > 0)
    return np.log10(1 + np.asarray(counts)) * idf.reshape(-1, 1)
'''),
    # Exercise 4
    Alternative("nb05_ex4_answer", "loops over the entries", source='''def ppmi_matrix(counts):
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    word_totals, context_totals = counts.sum(axis=1), counts.sum(axis=0)
    result = np.zeros(counts.shape)
    for w in range(counts.shape[0]):
        for c in range(counts.shape[1]):
            if counts[w, c] > 0:
                pmi = np.log2(counts[w, c] * total / (word_totals[w] * context_totals[c]))
                result[w, c] = max(pmi, 0.0)
    return result
'''),
    Alternative("nb05_ex4_answer", "expected counts from an outer product, np.divide with where=",
                source='''def ppmi_matrix(counts):
    counts = np.asarray(counts, dtype=float)
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()
    ratio = np.divide(counts, expected, out=np.ones_like(counts), where=counts > 0)
    return np.maximum(np.log2(ratio), 0.0)
'''),
    # Exercise 5
    Alternative("nb05_ex5_answer", "a Counter, and a loop that adds the rows", source='''from collections import Counter


def bag_of_words(ids, vocab_size):
    counts = np.zeros(vocab_size)
    for k, n in Counter(int(i) for i in ids).items():
        counts[k] = n
    return counts


def embed_bag(ids, W):
    total = np.zeros(W.shape[1])
    for k in ids:
        total = total + W[int(k)]
    return total
'''),
    Alternative("nb05_ex5_answer", "np.add.at, and np.unique with its counts", source='''def bag_of_words(ids, vocab_size):
    counts = np.zeros(vocab_size)
    np.add.at(counts, np.asarray(ids, dtype=int), 1)
    return counts


def embed_bag(ids, W):
    unique, repeats = np.unique(np.asarray(ids, dtype=int), return_counts=True)
    return repeats @ W[unique]
'''),
    Alternative("nb05_ex5_answer", "np.take and np.add.reduce", source='''def bag_of_words(ids, vocab_size):
    if len(ids) == 0:
        return np.zeros(vocab_size)
    return np.bincount(ids, minlength=vocab_size)


def embed_bag(ids, W):
    return np.add.reduce(np.take(W, np.asarray(ids, dtype=np.intp), axis=0), axis=0)
'''),
    # Exercise 6
    Alternative("nb05_ex6_answer", "probabilities first, then the power, then renormalised",
                source='''def noise_distribution(counts, power=0.75):
    p = np.asarray(counts, dtype=float) / np.sum(counts)
    q = np.power(p, power)
    return q / q.sum()
'''),
    Alternative("nb05_ex6_answer", "a loop over Python floats", source='''def noise_distribution(counts, power=0.75):
    weights = [float(c) ** power for c in counts]
    total = sum(weights)
    return np.array([w / total for w in weights])
'''),
    # Exercise 7
    Alternative("nb05_ex7_answer", "scipy.special.log_expit and expit", source='''from scipy.special import expit, log_expit


def sgns_loss_and_gradients(t, c, negatives):
    positive = np.dot(t, c)
    negative = np.dot(negatives, t)
    loss = -log_expit(positive) - log_expit(-negative).sum()
    positive_error = expit(positive) - 1
    negative_errors = expit(negative)
    grad_t = positive_error * c + (negative_errors[:, None] * negatives).sum(axis=0)
    grad_c = positive_error * t
    grad_negatives = negative_errors[:, None] * t[None, :]
    return float(loss), grad_t, grad_c, grad_negatives
'''),
    Alternative("nb05_ex7_answer", "a stable formula by cases, in a loop over the negatives", source='''import math


def minus_log_sigmoid(x):
    return math.log1p(math.exp(-x)) if x >= 0 else -x + math.log1p(math.exp(x))


def stable_sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def sgns_loss_and_gradients(t, c, negatives):
    t, c, negatives = np.asarray(t, dtype=float), np.asarray(c, dtype=float), np.asarray(negatives, dtype=float)
    score = float(t @ c)
    loss = minus_log_sigmoid(score)
    grad_t = (stable_sigmoid(score) - 1.0) * c
    grad_c = (stable_sigmoid(score) - 1.0) * t
    grad_negatives = np.zeros(negatives.shape)
    for i, n in enumerate(negatives):
        s = float(t @ n)
        loss += minus_log_sigmoid(-s)
        grad_t = grad_t + stable_sigmoid(s) * n
        grad_negatives[i] = stable_sigmoid(s) * t
    return loss, grad_t, grad_c, grad_negatives
'''),
]
