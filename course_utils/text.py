"""Counting-based text embeddings: tokens, vocabularies, term-document and term-context matrices (notebook 05).

The pieces, in the order notebook 05 uses them (sections 3-6):

* :func:`tokenize` and :class:`Vocabulary`: text to lowercase word tokens, tokens to integer ids;
* :func:`term_document_matrix`: counts of each term (row) in each document (column), as in
  Jurafsky & Martin's four-play table; its transpose is scikit-learn's document-term matrix;
* :func:`term_context_matrix`: how often two words occur within ``window`` tokens of each other;
* :func:`tfidf`: term frequency times inverse document frequency, ``log10(1 + count) * log10(N / df)``, with
  ``df`` and ``N`` counted in the matrix or given for a larger collection (Jurafsky & Martin's 37 plays);
* :func:`ppmi`: positive pointwise mutual information, ``max(0, log2 p(w, c) / (p(w) p(c)))``;
* :func:`cosine_similarity`: the angle between count (or embedding) vectors;
* :class:`LSI`: latent semantic indexing, the truncated SVD ``X ≈ F G`` of a document-term matrix with
  ``F`` (documents x k) the documents in topic coordinates and ``G`` (k x terms) the topics in terms of words;
* :func:`nearest_neighbours` and :func:`analogy`: the queries every word embedding answers
  (``course_utils.word2vec.Word2Vec`` uses them too).

Matrices of counts are SciPy sparse (CSR): a vocabulary of 20,000 words has 4 x 10^8 word pairs, of which a
corpus of a million tokens fills a few million.
"""

from collections import Counter
from numbers import Integral
import re

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.extmath import svd_flip
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = [
    "TOKEN_PATTERN",
    "tokenize",
    "Vocabulary",
    "term_document_matrix",
    "term_context_matrix",
    "document_frequency",
    "inverse_document_frequency",
    "tfidf",
    "ppmi",
    "cosine_similarity",
    "LSI",
    "nearest_neighbours",
    "analogy",
]

#: A token is a run of letters or digits, with inner apostrophes or hyphens kept ("don't", "know-how").
TOKEN_PATTERN = r"[a-z0-9]+(?:['\-][a-z0-9]+)*"
_TOKEN_RE = re.compile(TOKEN_PATTERN)


def tokenize(text, lowercase=True):
    """Split ``text`` into word tokens (lowercase by default); punctuation is dropped.

    >>> tokenize("A male sovereign; ruler of a kingdom.")
    ['a', 'male', 'sovereign', 'ruler', 'of', 'a', 'kingdom']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if lowercase:
        return _TOKEN_RE.findall(text.lower())
    return re.findall(TOKEN_PATTERN, text, flags=re.IGNORECASE)


def _check_token_lists(documents, name="documents"):
    if isinstance(documents, str):
        raise TypeError(f"{name} must be a list of token lists, got a single str: split it with tokenize() "
                        "and wrap it in a list")
    checked = []
    for i, doc in enumerate(documents):
        if isinstance(doc, str):
            raise TypeError(f"{name}[{i}] is a str; each entry of {name} must be a list of tokens "
                            "(did you forget to tokenize?)")
        checked.append(doc)
    return checked


class Vocabulary:
    """The words of a corpus with their counts, most frequent first, and their integer ids.

    Parameters
    ----------
    documents : iterable of lists of str
        Tokenised text (sentences or documents).
    min_count : int, default=1
        Words seen fewer times are left out.
    max_size : int or None, default=None
        Keep only the ``max_size`` most frequent words.

    Attributes
    ----------
    words : list of str
        The words, by decreasing count (ties in alphabetical order); ``words[i]`` has id ``i``.
    counts : ndarray of int64
        ``counts[i]`` is how often ``words[i]`` occurs.
    index : dict
        Word -> id.

    Examples
    --------
    >>> vocab = Vocabulary([["a", "rose", "is", "a", "rose"]])
    >>> vocab.words, vocab.counts.tolist(), vocab["rose"]
    (['a', 'rose', 'is'], [2, 2, 1], 1)
    >>> vocab.encode(["a", "tulip", "is"]).tolist()     # unknown words are dropped
    [0, 2]
    """

    def __init__(self, documents, min_count=1, max_size=None):
        if not isinstance(min_count, Integral) or min_count < 1:
            raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
        if max_size is not None and (not isinstance(max_size, Integral) or max_size < 1):
            raise ValueError(f"max_size must be None or a positive integer, got {max_size!r}")
        counter = Counter()
        for doc in _check_token_lists(documents):
            counter.update(doc)
        kept = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
        if max_size is not None:
            kept = kept[:max_size]
        self.min_count = min_count
        self.max_size = max_size
        self.words = [w for w, _ in kept]
        self.counts = np.array([c for _, c in kept], dtype=np.int64)
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self.index

    def __iter__(self):
        return iter(self.words)

    def __getitem__(self, word):
        """The id of ``word``; a ``KeyError`` that names it if it is not in the vocabulary."""
        try:
            return self.index[word]
        except KeyError:
            raise KeyError(f"{word!r} is not in the vocabulary ({len(self)} words, min_count={self.min_count})") \
                from None

    def __repr__(self):
        head = ", ".join(self.words[:5])
        return f"Vocabulary({len(self)} words: {head}{', ...' if len(self) > 5 else ''})"

    def encode(self, tokens):
        """Ids of the tokens that are in the vocabulary (the others are dropped), as an int array."""
        index = self.index
        return np.array([index[t] for t in tokens if t in index], dtype=np.int64)


def term_document_matrix(documents, vocabulary):
    """Counts of each vocabulary term (rows) in each document (columns): shape ``(len(vocabulary), n_documents)``.

    This is the orientation of Jurafsky & Martin (a word is a row vector, a document a column vector);
    ``.T`` gives scikit-learn's document-term matrix (``CountVectorizer``). Returns a CSR matrix of int64.
    """
    documents = _check_token_lists(documents)
    rows, cols = [], []
    for j, doc in enumerate(documents):
        ids = vocabulary.encode(doc)
        rows.append(ids)
        cols.append(np.full(len(ids), j, dtype=np.int64))
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    counts = sparse.coo_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)),
                               shape=(len(vocabulary), len(documents)))
    return counts.tocsr()  # duplicates are summed


def term_context_matrix(sentences, vocabulary, window=4):
    """Co-occurrence counts: entry ``(w, c)`` counts the times ``c`` occurs within ``window`` tokens of ``w``.

    Windows do not cross sentence boundaries; words outside the vocabulary are removed first (as word2vec
    does). The matrix is symmetric, of shape ``(len(vocabulary), len(vocabulary))``, CSR of int64.
    """
    if not isinstance(window, Integral) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    sentences = _check_token_lists(sentences, "sentences")
    encoded = [vocabulary.encode(s) for s in sentences]
    ids = np.concatenate(encoded) if encoded else np.zeros(0, dtype=np.int64)
    sentence_of = np.repeat(np.arange(len(encoded)), [len(e) for e in encoded])
    rows, cols = [], []
    for offset in range(1, window + 1):
        same = sentence_of[offset:] == sentence_of[:-offset]
        left, right = ids[:-offset][same], ids[offset:][same]
        rows += [left, right]
        cols += [right, left]
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    n = len(vocabulary)
    return sparse.coo_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(n, n)).tocsr()


def _as_float_matrix(counts, name):
    if sparse.issparse(counts):
        matrix = sparse.csr_matrix(counts, dtype=float)
        values = matrix.data
    else:
        matrix = np.asarray(counts, dtype=float)
        values = matrix
    if matrix.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got {matrix.ndim} dimensions")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if np.any(values < 0):
        raise ValueError(f"{name} must hold counts (non-negative numbers)")
    return matrix


def _documents_containing(matrix):
    if sparse.issparse(matrix):
        return np.asarray((matrix > 0).sum(axis=1)).ravel()
    return (matrix > 0).sum(axis=1)


def document_frequency(counts):
    """For a term-document matrix (terms x documents): in how many documents each term occurs."""
    return _documents_containing(_as_float_matrix(counts, "counts"))


def _collection_frequencies(matrix, document_frequency, n_documents):
    """``(df, N)``: counted in ``matrix`` itself, or a collection's own numbers checked against it."""
    if document_frequency is None and n_documents is None:
        return _documents_containing(matrix), matrix.shape[1]
    if document_frequency is None or n_documents is None:
        raise ValueError("give both document_frequency and n_documents (a collection's numbers), or neither "
                         "(count them in counts)")
    if not isinstance(n_documents, Integral) or isinstance(n_documents, bool) or n_documents < matrix.shape[1]:
        raise ValueError(f"n_documents must be an integer at least the number of documents in counts "
                         f"({matrix.shape[1]}), got {n_documents!r}")
    df = np.asarray(document_frequency)
    if df.shape != (matrix.shape[0],):
        raise ValueError(f"document_frequency must have one entry per term ({matrix.shape[0]}), got shape {df.shape}")
    if not np.issubdtype(df.dtype, np.number) or np.any(df != np.round(df)) or np.any(df < 0) \
            or np.any(df > n_documents):
        raise ValueError(f"document_frequency must hold whole numbers between 0 and n_documents={n_documents}")
    seen_here = _documents_containing(matrix)
    if np.any(df < seen_here):
        term = int(np.flatnonzero(df < seen_here)[0])
        raise ValueError(f"document_frequency[{term}] = {df[term]:g}, but that term occurs in {seen_here[term]} "
                         "documents of counts: the collection's frequency cannot be smaller")
    return df.astype(float), n_documents


def inverse_document_frequency(counts, base=10.0, *, document_frequency=None, n_documents=None):
    """``idf_t = log_base(N / df_t)`` for a term-document matrix (inf for a term in no document).

    By default ``df_t`` and ``N`` are counted in ``counts`` itself. The idf is a property of a whole
    collection, though, and ``counts`` may hold only some of its documents: pass the collection's
    ``document_frequency`` (one entry per term) and its number of documents ``n_documents``, as Jurafsky &
    Martin do with the 37 Shakespeare plays (battle 21, wit 34, fool 36, good 37) for a table of four.
    """
    matrix = _as_float_matrix(counts, "counts")
    df, n = _collection_frequencies(matrix, document_frequency, n_documents)
    with np.errstate(divide="ignore"):
        return np.log(n / df) / np.log(base)


def tfidf(counts, *, sublinear_tf=True, base=10.0, norm=None, document_frequency=None, n_documents=None):
    """tf-idf weights of a term-document matrix (terms x documents), as in Jurafsky & Martin.

    ``w_{t,d} = tf_{t,d} * idf_t`` with ``tf = log_base(1 + count)`` (``sublinear_tf=True``) or the raw count,
    and ``idf_t = log_base(N / df_t)``: a term found in every document gets weight 0. ``df`` and ``N`` are
    counted in ``counts`` unless a collection's ``document_frequency`` and ``n_documents`` are given (see
    :func:`inverse_document_frequency`). With ``norm="l2"`` each document (column) is scaled to unit length.
    The result is sparse if ``counts`` is.

    scikit-learn's ``TfidfTransformer`` works on documents x terms and has other defaults: raw counts as term
    frequency (its ``sublinear_tf=True`` is ``1 + ln(count)``), a smoothed natural-log idf
    ``ln((1 + N) / (1 + df)) + 1`` (``smooth_idf=False`` gives ``ln(N / df) + 1``: the ``+ 1`` keeps a term
    found everywhere), and ``norm="l2"``; the unit tests spell out the correspondence.
    """
    if norm not in (None, "l2"):
        raise ValueError(f"norm must be None or 'l2', got {norm!r}")
    if not base > 1:
        raise ValueError(f"base must be a number greater than 1, got {base!r}")
    matrix = _as_float_matrix(counts, "counts")
    idf = inverse_document_frequency(matrix, base, document_frequency=document_frequency, n_documents=n_documents)
    idf = np.where(np.isfinite(idf), idf, 0.0)         # a term in no document has no count to weight
    if sparse.issparse(matrix):
        tf = matrix.copy()
        if sublinear_tf:
            tf.data = np.log1p(tf.data) / np.log(base)
        weights = sparse.csr_matrix(tf.multiply(idf[:, None]))
        if norm == "l2":
            lengths = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=0)).ravel())
            weights = sparse.csr_matrix(weights.multiply(1.0 / np.where(lengths > 0, lengths, 1.0)[None, :]))
        return weights
    tf = np.log1p(matrix) / np.log(base) if sublinear_tf else matrix
    weights = tf * idf[:, None]
    if norm == "l2":
        lengths = np.linalg.norm(weights, axis=0)
        weights = weights / np.where(lengths > 0, lengths, 1.0)
    return weights


def ppmi(counts, alpha=1.0):
    """Positive pointwise mutual information of a word-context count matrix, in bits.

    ``PPMI(w, c) = max(0, log2 p(w, c) / (p(w) p_alpha(c)))`` with ``p(w, c) = count(w, c) / total``,
    ``p(w)`` the row sums over the total, and the context probabilities smoothed as
    ``p_alpha(c) = count(c)^alpha / sum_c' count(c')^alpha`` (``alpha=0.75`` is Levy et al.'s choice; 1 is plain
    PMI). Pairs never seen get 0. A sparse input gives a sparse output (only observed pairs can be positive).
    """
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha!r}")
    matrix = _as_float_matrix(counts, "counts")
    total = matrix.sum()
    if total <= 0:
        raise ValueError("counts is all zeros: PPMI needs at least one co-occurrence")
    row_p = np.asarray(matrix.sum(axis=1)).ravel() / total
    column_counts = np.asarray(matrix.sum(axis=0)).ravel() ** alpha
    column_p = column_counts / column_counts.sum()
    if sparse.issparse(matrix):
        coo = matrix.tocoo()
        keep = coo.data > 0
        r, c, v = coo.row[keep], coo.col[keep], coo.data[keep]
        pmi = np.log2(v / total / (row_p[r] * column_p[c]))
        positive = pmi > 0
        return sparse.csr_matrix((pmi[positive], (r[positive], c[positive])), shape=matrix.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(matrix / total / np.outer(row_p, column_p))
    return np.where(matrix > 0, np.maximum(pmi, 0.0), 0.0)


def _row_normalise(M):
    if sparse.issparse(M):
        M = sparse.csr_matrix(M, dtype=float)
        lengths = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
        return sparse.csr_matrix(M.multiply(1.0 / np.where(lengths > 0, lengths, 1.0)[:, None]))
    M = np.asarray(M, dtype=float)
    lengths = np.linalg.norm(M, axis=-1, keepdims=True)
    return M / np.where(lengths > 0, lengths, 1.0)


def cosine_similarity(A, B=None):
    """Cosine of the angle between vectors: ``a . b / (|a| |b|)``.

    Two 1-D vectors give a float. 2-D inputs are collections of **row** vectors: the result has entry
    ``(i, j)`` for row i of ``A`` and row j of ``B`` (``B`` defaults to ``A``). A zero vector has similarity 0
    with everything. Sparse inputs are accepted; the result is a dense array.
    """
    if B is None:
        B = A
    if not sparse.issparse(A) and not sparse.issparse(B) and np.ndim(A) == 1 and np.ndim(B) == 1:
        a, b = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
        if a.shape != b.shape:
            raise ValueError(f"the two vectors must have the same length, got {a.shape} and {b.shape}")
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
        return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0
    A = A if sparse.issparse(A) else np.atleast_2d(A)
    B = B if sparse.issparse(B) else np.atleast_2d(B)
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"A and B must have the same number of columns, got {A.shape[1]} and {B.shape[1]}")
    product = _row_normalise(A) @ _row_normalise(B).T
    return product.toarray() if sparse.issparse(product) else np.asarray(product)


class LSI(TransformerMixin, BaseEstimator):
    """Latent semantic indexing: the truncated SVD of a document-term matrix, ``X ≈ F G``.

    ``X`` is N documents x d terms (counts or tf-idf weights). With the top ``k`` singular triplets
    ``X ≈ U_k S_k V_k^T``, the factors are ``F = U_k S_k`` (N x k: each document in topic coordinates, what
    :meth:`transform` returns) and ``G = V_k^T`` (k x d: each topic as a weighting of the terms, stored as
    ``components_``). A new document ``x`` is *folded in* as ``x G^T``: for a training document that is its
    row of ``F``. Like scikit-learn's ``TruncatedSVD`` the data are not centred (centring would destroy
    sparsity, and a zero count should stay "absent").

    Parameters
    ----------
    n_components : int, default=2
        Number of topics k, at most ``min(N, d)``.
    random_state : int, RandomState or None, default=None
        Starting vector of the sparse solver (ARPACK), used when ``X`` is sparse and k < min(N, d) - 1.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        ``G``: the topics in terms of the original features (right singular vectors, as rows).
    singular_values_ : ndarray of shape (n_components,)
        ``s_1 >= s_2 >= ...``.
    n_features_in_ : int

    See Also
    --------
    sklearn.decomposition.TruncatedSVD : the same factorisation (``algorithm="arpack"``).
    sklearn.decomposition.NMF : a factorisation with non-negative ``F`` and ``G``.

    References
    ----------
    S. Deerwester, S. Dumais, G. Furnas, T. Landauer, R. Harshman, "Indexing by latent semantic analysis",
    JASIS 41 (1990).

    Examples
    --------
    >>> X = np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 3.0]])
    >>> lsi = LSI(n_components=2).fit(X)
    >>> np.round(lsi.singular_values_, 4)
    array([3., 3.])
    >>> lsi.transform(X).shape
    (3, 2)
    """

    def __init__(self, n_components=2, *, random_state=None):
        self.n_components = n_components
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=[np.float64, np.float32])
        k = self.n_components
        if not isinstance(k, Integral) or isinstance(k, bool) or not 1 <= k <= min(X.shape):
            raise ValueError(f"n_components must be an integer between 1 and min(n_samples, n_features) = "
                             f"{min(X.shape)}, got {k!r}")
        if sparse.issparse(X) and k < min(X.shape) - 1:
            rng = check_random_state(self.random_state)
            v0 = rng.uniform(-1, 1, min(X.shape))
            U, s, Vt = svds(X, k=k, v0=v0)
            order = np.argsort(s)[::-1]
            U, s, Vt = U[:, order], s[order], Vt[order]
        else:
            dense = X.toarray() if sparse.issparse(X) else X
            U, s, Vt = np.linalg.svd(dense, full_matrices=False)
            U, s, Vt = U[:, :k], s[:k], Vt[:k]
        U, Vt = svd_flip(U, Vt, u_based_decision=False)      # deterministic signs, as TruncatedSVD
        self.components_ = Vt
        self.singular_values_ = s
        return U * s

    def transform(self, X):
        """Fold documents in: ``X G^T`` (N_new x k)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        return np.asarray(X @ self.components_.T)

    def inverse_transform(self, F):
        """Back to term space: ``F G`` (the rank-k reconstruction of the documents)."""
        check_is_fitted(self)
        return np.asarray(F) @ self.components_


def _lookup(words, index, word):
    try:
        return index[word]
    except KeyError:
        raise KeyError(f"{word!r} is not in the vocabulary ({len(words)} words)") from None


def _word_index(words):
    if isinstance(words, Vocabulary):
        return list(words.words), words.index
    words = list(words)
    return words, {w: i for i, w in enumerate(words)}


def nearest_neighbours(vectors, words, query, topn=10, exclude=()):
    """The ``topn`` words whose vectors have the largest cosine with ``query``, as ``[(word, cosine), ...]``.

    ``vectors`` has one row per word of ``words`` (a list or a :class:`Vocabulary`). ``query`` is a word
    (which is then excluded from its own neighbours) or a vector. Words in ``exclude`` are skipped.
    """
    words, index = _word_index(words)
    vectors = np.asarray(vectors, dtype=float)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ValueError(f"vectors must have one row per word: got shape {vectors.shape} for {len(words)} words")
    if not isinstance(topn, Integral) or topn < 1:
        raise ValueError(f"topn must be a positive integer, got {topn!r}")
    skip = {_lookup(words, index, w) for w in exclude}
    if isinstance(query, str):
        skip.add(_lookup(words, index, query))
        query = vectors[index[query]]
    similarities = cosine_similarity(vectors, np.asarray(query, dtype=float)[None, :]).ravel()
    if skip:
        similarities[list(skip)] = -np.inf
    topn = min(topn, len(words) - len(skip))
    best = np.argpartition(-similarities, topn - 1)[:topn] if topn < len(words) else np.arange(len(words))
    best = best[np.lexsort((best, -similarities[best]))][:topn]      # by similarity, ties by id
    return [(words[i], float(similarities[i])) for i in best]


def analogy(vectors, words, a, b, c, topn=1):
    """"``a`` is to ``b`` as ``c`` is to ?": the words nearest to ``b - a + c`` (3CosAdd on unit vectors).

    The three question words are excluded from the answers, as in Mikolov et al. (2013) and gensim. Example:
    ``analogy(W, vocab, "man", "king", "woman")`` should put ``"queen"`` first.
    """
    words, index = _word_index(words)
    unit = _row_normalise(np.asarray(vectors, dtype=float))
    ia, ib, ic = (_lookup(words, index, w) for w in (a, b, c))
    target = unit[ib] - unit[ia] + unit[ic]
    return nearest_neighbours(unit, words, target, topn=topn, exclude=(a, b, c))
