"""course_utils.text against scikit-learn, SciPy and brute-force counting (notebook 05, sections 3-6)."""

from collections import Counter

import numpy as np
import pytest
from scipy import sparse
from scipy.spatial.distance import cosine as scipy_cosine_distance
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity as sklearn_cosine
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.estimator_checks import parametrize_with_checks

from course_utils import text
from course_utils.text import LSI, Vocabulary

DOCUMENTS = [
    "A male sovereign; ruler of a kingdom.",
    "The wife or widow of a king; a female sovereign ruler.",
    "A domesticated carnivorous mammal that typically has a long snout.",
    "Feline mammal usually having thick soft fur and no ability to roar: domestic cats.",
    "Don't judge a book by its cover; the know-how of a ruler is not in the crown.",
    "The dog and the cat are domestic animals; the king keeps a dog.",
]


def random_documents(rng, n_documents=40, n_words=30, length=(3, 25)):
    words = [f"w{i}" for i in range(n_words)]
    weights = 1.0 / np.arange(1, n_words + 1)        # Zipf-like: some words in every document
    weights /= weights.sum()
    return [list(rng.choice(words, size=rng.integers(*length), p=weights)) for _ in range(n_documents)]


def identity(tokens):
    return tokens


# --- tokens and vocabulary ---------------------------------------------------------------------------------------

def test_tokenize_lowercases_and_drops_punctuation():
    assert text.tokenize("Don't judge; the KNOW-HOW, 42 times!") == ["don't", "judge", "the", "know-how", "42",
                                                                      "times"]
    assert text.tokenize("Rex Rex", lowercase=False) == ["Rex", "Rex"]
    with pytest.raises(TypeError, match="str"):
        text.tokenize(["not", "a", "string"])


def test_tokenize_agrees_with_scikit_learn_given_the_same_pattern():
    analyzer = CountVectorizer(token_pattern=text.TOKEN_PATTERN, lowercase=True).build_analyzer()
    for doc in DOCUMENTS:
        assert text.tokenize(doc) == analyzer(doc)


def test_vocabulary_counts_order_and_lookup():
    docs = [text.tokenize(d) for d in DOCUMENTS]
    counter = Counter(t for d in docs for t in d)
    vocab = Vocabulary(docs)
    assert dict(zip(vocab.words, vocab.counts.tolist())) == dict(counter)
    assert list(vocab.counts) == sorted(vocab.counts, reverse=True)
    same_count = [w for w in vocab.words if counter[w] == 1]
    assert same_count == sorted(same_count)                                 # ties alphabetical
    assert vocab["a"] == 0 and vocab.words[vocab["king"]] == "king"
    with pytest.raises(KeyError, match="'unicorn'"):
        vocab["unicorn"]
    np.testing.assert_array_equal(vocab.encode(["king", "unicorn", "a"]), [vocab["king"], vocab["a"]])
    assert set(Vocabulary(docs, min_count=2).words) == {w for w, c in counter.items() if c >= 2}
    assert Vocabulary(docs, max_size=3).words == vocab.words[:3]
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary(docs, min_count=0)
    with pytest.raises(TypeError, match="tokenize"):
        Vocabulary(DOCUMENTS)                                               # raw strings, not token lists


# --- term-document and term-context matrices -----------------------------------------------------------------------

def test_term_document_matrix_is_the_transpose_of_count_vectorizer():
    rng = np.random.default_rng(0)
    docs = random_documents(rng)
    vocab = Vocabulary(docs)
    X = text.term_document_matrix(docs, vocab)
    assert sparse.issparse(X) and X.shape == (len(vocab), len(docs))
    reference = CountVectorizer(analyzer=identity, vocabulary=vocab.words).fit_transform(docs)
    np.testing.assert_array_equal(X.toarray(), reference.T.toarray())


def brute_force_cooccurrence(sentences, vocab, window):
    counts = np.zeros((len(vocab), len(vocab)), dtype=int)
    for sentence in sentences:
        kept = [w for w in sentence if w in vocab]
        for i, w in enumerate(kept):
            for j in range(max(0, i - window), min(len(kept), i + window + 1)):
                if j != i:
                    counts[vocab[w], vocab[kept[j]]] += 1
    return counts


@pytest.mark.parametrize("window", [1, 2, 5])
def test_term_context_matrix_counts_pairs_within_the_window(window):
    rng = np.random.default_rng(window)
    sentences = random_documents(rng, n_documents=25)
    vocab = Vocabulary(sentences, min_count=3)                  # rare words are removed before windowing
    M = text.term_context_matrix(sentences, vocab, window=window)
    expected = brute_force_cooccurrence(sentences, vocab, window)
    np.testing.assert_array_equal(M.toarray(), expected)
    assert (M != M.T).nnz == 0


def test_term_context_windows_do_not_cross_sentences():
    vocab = Vocabulary([["a", "b"], ["c"]])
    M = text.term_context_matrix([["a", "b"], ["c"]], vocab, window=3).toarray()
    assert M[vocab["a"], vocab["b"]] == 1 and M[vocab["b"], vocab["c"]] == 0
    with pytest.raises(ValueError, match="window"):
        text.term_context_matrix([["a"]], vocab, window=0)


# --- tf-idf ---------------------------------------------------------------------------------------------------------

def test_tfidf_matches_jurafsky_and_martin_on_the_four_plays():
    counts = np.array([[1, 0, 7, 13], [114, 80, 62, 89], [36, 58, 1, 4], [20, 15, 2, 3]])
    W = text.tfidf(counts)
    # by hand: tf = log10(1 + count), idf = log10(4 / df); "good" is in every play, "battle" in three
    np.testing.assert_allclose(W[1], 0.0)
    np.testing.assert_allclose(W[0], np.log10(1 + counts[0]) * np.log10(4 / 3))
    np.testing.assert_allclose(W[2], np.log10(1 + counts[2]) * np.log10(4 / 4))
    np.testing.assert_allclose(text.inverse_document_frequency(counts), np.log10(4 / np.array([3, 4, 4, 4])))


def test_tfidf_with_the_37_play_document_frequencies_is_jurafsky_and_martins_table():
    counts = np.array([[1, 0, 7, 13], [114, 80, 62, 89], [36, 58, 1, 4], [20, 15, 2, 3]])
    df, n = np.array([21, 37, 36, 34]), 37
    # idf as printed in the book's tf-idf section: battle 0.246, good 0, fool 0.012, wit 0.037
    idf = text.inverse_document_frequency(counts, document_frequency=df, n_documents=n)
    np.testing.assert_allclose(idf, [0.246, 0.0, 0.012, 0.037], atol=5e-4)
    W = text.tfidf(counts, document_frequency=df, n_documents=n)
    # the book's tf-idf weighted table (3 significant digits), and the closed form
    book = np.array([[0.074, 0, 0.22, 0.28], [0, 0, 0, 0], [0.019, 0.021, 0.0036, 0.0083],
                     [0.049, 0.044, 0.018, 0.022]])
    np.testing.assert_allclose(W, book, rtol=0.03, atol=1e-12)
    np.testing.assert_allclose(W, np.log10(1 + counts) * np.log10(n / df)[:, None], rtol=1e-13)
    assert np.all(np.linalg.norm(W, axis=0) > 0), "no play becomes a zero vector"
    sparse_W = text.tfidf(sparse.csr_matrix(counts), document_frequency=list(df), n_documents=n)
    np.testing.assert_allclose(sparse_W.toarray(), W, rtol=1e-13)


def test_tfidf_collection_frequencies_are_checked():
    counts = np.array([[1, 0], [0, 0], [2, 3]])
    np.testing.assert_allclose(text.tfidf(counts, document_frequency=[1, 0, 2], n_documents=5)[1], 0.0)
    with pytest.raises(ValueError, match="both"):
        text.tfidf(counts, document_frequency=[1, 0, 2])
    with pytest.raises(ValueError, match="n_documents"):
        text.tfidf(counts, document_frequency=[1, 0, 2], n_documents=1)
    with pytest.raises(ValueError, match="one entry per term"):
        text.tfidf(counts, document_frequency=[1, 2], n_documents=5)
    with pytest.raises(ValueError, match="whole numbers"):
        text.tfidf(counts, document_frequency=[1, 0, 6], n_documents=5)
    with pytest.raises(ValueError, match="cannot be smaller"):
        text.tfidf(counts, document_frequency=[1, 0, 1], n_documents=5)


def test_scikit_learn_default_tfidf_is_raw_counts_smoothed_idf_and_unit_documents():
    """What the notebook says scikit-learn does differently, checked: TfidfTransformer() on documents x terms is
    count * (ln((1 + N) / (1 + df)) + 1), each document scaled to unit length."""
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = np.array([[1, 0, 7, 13], [114, 80, 62, 89], [36, 58, 1, 4], [20, 15, 2, 3]])
    reference = TfidfTransformer().fit_transform(counts.T).toarray()       # plays x terms
    n, df = counts.shape[1], text.document_frequency(counts)
    by_hand = counts.T * (np.log((1 + n) / (1 + df)) + 1)
    by_hand /= np.linalg.norm(by_hand, axis=1, keepdims=True)
    np.testing.assert_allclose(reference, by_hand, rtol=1e-12)
    ours = text.tfidf(counts, sublinear_tf=False, base=np.e, norm="l2")   # ln(N / df): 0 for "good"
    assert np.allclose(ours[1], 0) and not np.allclose(reference[:, 1], 0)


def test_tfidf_agrees_with_scikit_learn_up_to_its_plus_one_idf():
    """scikit-learn's TfidfVectorizer with norm=None, use_idf=True, smooth_idf=False, sublinear_tf=False computes
    count * (ln(N / df) + 1) on documents x terms; ours with raw counts in base e is count * ln(N / df) on
    terms x documents. So sklearn.T == ours + counts."""
    rng = np.random.default_rng(1)
    docs = random_documents(rng)
    vocab = Vocabulary(docs)
    counts = text.term_document_matrix(docs, vocab)
    reference = TfidfVectorizer(analyzer=identity, vocabulary=vocab.words, norm=None, use_idf=True,
                                smooth_idf=False, sublinear_tf=False).fit_transform(docs)
    ours = text.tfidf(counts, sublinear_tf=False, base=np.e)
    assert sparse.issparse(ours)
    np.testing.assert_allclose(reference.T.toarray(), ours.toarray() + counts.toarray(), rtol=1e-12)


def test_tfidf_sparse_equals_dense_and_l2_normalises_documents():
    rng = np.random.default_rng(2)
    docs = random_documents(rng)
    counts = text.term_document_matrix(docs, Vocabulary(docs))
    dense = text.tfidf(counts.toarray(), norm="l2")
    np.testing.assert_allclose(text.tfidf(counts, norm="l2").toarray(), dense, atol=1e-15)
    lengths = np.linalg.norm(dense, axis=0)
    np.testing.assert_allclose(lengths[lengths > 0], 1.0)
    with pytest.raises(ValueError, match="norm"):
        text.tfidf(counts, norm="l1")
    with pytest.raises(ValueError, match="non-negative"):
        text.tfidf(-np.ones((2, 2)))


# --- PPMI ---------------------------------------------------------------------------------------------------------

def ppmi_by_definition(counts, alpha):
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    out = np.zeros_like(counts)
    context = counts.sum(axis=0) ** alpha
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            if counts[i, j] > 0:
                p_wc = counts[i, j] / total
                p_w = counts[i].sum() / total
                p_c = context[j] / context.sum()
                out[i, j] = max(0.0, np.log2(p_wc / (p_w * p_c)))
    return out


@pytest.mark.parametrize("alpha", [1.0, 0.75])
def test_ppmi_matches_the_definition_dense_and_sparse(alpha):
    rng = np.random.default_rng(3)
    counts = rng.poisson(1.0, size=(12, 9)) * rng.integers(0, 2, size=(12, 9))
    counts[0, 0] = 50                                                   # a strong association
    expected = ppmi_by_definition(counts, alpha)
    np.testing.assert_allclose(text.ppmi(counts, alpha=alpha), expected, atol=1e-12)
    ours_sparse = text.ppmi(sparse.csr_matrix(counts), alpha=alpha)
    assert sparse.issparse(ours_sparse)
    np.testing.assert_allclose(ours_sparse.toarray(), expected, atol=1e-12)
    assert expected.min() == 0.0 and expected.max() > 0


def test_ppmi_rejects_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        text.ppmi(np.ones((2, 2)), alpha=0)
    with pytest.raises(ValueError, match="zeros"):
        text.ppmi(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="NaN"):
        text.ppmi(np.array([[1.0, np.nan]]))


# --- cosine -------------------------------------------------------------------------------------------------------

def test_cosine_similarity_agrees_with_scikit_learn_and_scipy():
    rng = np.random.default_rng(4)
    A, B = rng.normal(size=(7, 5)), rng.normal(size=(4, 5))
    np.testing.assert_allclose(text.cosine_similarity(A, B), sklearn_cosine(A, B), atol=1e-12)
    np.testing.assert_allclose(text.cosine_similarity(A), sklearn_cosine(A), atol=1e-12)
    np.testing.assert_allclose(text.cosine_similarity(sparse.csr_matrix(A), B), sklearn_cosine(A, B), atol=1e-12)
    assert text.cosine_similarity(A[0], B[0]) == pytest.approx(1 - scipy_cosine_distance(A[0], B[0]))
    assert isinstance(text.cosine_similarity(A[0], B[0]), float)
    assert text.cosine_similarity(np.zeros(5), A[0]) == 0.0
    with pytest.raises(ValueError, match="same"):
        text.cosine_similarity(A, rng.normal(size=(2, 3)))


# --- LSI ----------------------------------------------------------------------------------------------------------

@parametrize_with_checks([LSI(n_components=1, random_state=0)])
def test_lsi_follows_the_scikit_learn_api(estimator, check):
    check(estimator)


@pytest.mark.parametrize("as_sparse", [False, True])
def test_lsi_agrees_with_truncated_svd_up_to_sign(as_sparse):
    rng = np.random.default_rng(5)
    docs = random_documents(rng, n_documents=60, n_words=40)
    X = text.tfidf(text.term_document_matrix(docs, Vocabulary(docs))).T.tocsr()   # documents x terms
    X = X if as_sparse else X.toarray()
    lsi = LSI(n_components=5, random_state=0)
    F = lsi.fit_transform(X)
    reference = TruncatedSVD(n_components=5, algorithm="arpack", random_state=0).fit(X)
    np.testing.assert_allclose(lsi.singular_values_, reference.singular_values_, rtol=1e-8)
    signs = np.sign(np.sum(lsi.components_ * reference.components_, axis=1))
    np.testing.assert_allclose(lsi.components_ * signs[:, None], reference.components_, atol=1e-8)
    np.testing.assert_allclose(F * signs, reference.transform(X), atol=1e-8)
    # folding in the training documents gives F back, and F G is the rank-k reconstruction
    np.testing.assert_allclose(lsi.transform(X), F, atol=1e-10)
    dense = X.toarray() if as_sparse else X
    U, s, Vt = np.linalg.svd(dense, full_matrices=False)
    np.testing.assert_allclose(lsi.inverse_transform(F), (U[:, :5] * s[:5]) @ Vt[:5], atol=1e-10)


def test_lsi_rejects_too_many_components():
    with pytest.raises(ValueError, match="n_components"):
        LSI(n_components=4).fit(np.ones((3, 5)))


# --- neighbours and analogies -------------------------------------------------------------------------------------

def test_nearest_neighbours_agree_with_scikit_learn():
    rng = np.random.default_rng(6)
    vectors = rng.normal(size=(50, 8))
    words = [f"w{i}" for i in range(50)]
    got = text.nearest_neighbours(vectors, words, "w3", topn=5)
    index = NearestNeighbors(n_neighbors=6, metric="cosine", algorithm="brute").fit(vectors)
    distances, ids = index.kneighbors(vectors[3:4])
    expected = [(words[i], 1 - d) for i, d in zip(ids[0], distances[0]) if i != 3][:5]
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-12)
    assert "w3" not in [w for w, _ in got]
    assert [w for w, _ in text.nearest_neighbours(vectors, words, vectors[3], topn=1)] == ["w3"]
    with pytest.raises(KeyError, match="'nope'"):
        text.nearest_neighbours(vectors, words, "nope")


def test_analogy_finds_the_parallelogram_and_excludes_the_question_words():
    # man -> king is the same offset as woman -> queen; other words are random distractors
    rng = np.random.default_rng(7)
    royal, female = rng.normal(size=20), rng.normal(size=20)
    man = rng.normal(size=20)
    vectors = np.vstack([man, man + royal, man + female, man + female + royal, rng.normal(size=(30, 20))])
    words = ["man", "king", "woman", "queen"] + [f"x{i}" for i in range(30)]
    vocab_like = Vocabulary([words])
    assert text.analogy(vectors, words, "man", "king", "woman")[0][0] == "queen"
    assert text.analogy(vectors, vocab_like.words, "man", "king", "woman")[0][0] == "queen"
    answers = [w for w, _ in text.analogy(vectors, words, "man", "king", "woman", topn=10)]
    assert not {"man", "king", "woman"} & set(answers)
