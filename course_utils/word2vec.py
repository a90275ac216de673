"""Word2vec: skip-gram with negative sampling, SGNS (notebook 05, sections 8-11).

The pieces, in the order notebook 05 builds them:

1. :func:`skipgram_pairs`: (target, context) pairs from a window around each word; with ``reduced=True``
   each target draws its own window size in ``1..window``, so near words are sampled more often than far ones.
2. :func:`noise_distribution`: negatives are drawn from the unigram distribution raised to the power 3/4.
3. :func:`keep_probabilities`: frequent words are randomly dropped ("subsampling", threshold ``sample``).
4. :func:`sgns_loss_and_gradients`: the classifier ``P(+ | t, c) = sigma(t . c)`` with the logistic function
   ``sigma(x) = 1 / (1 + e^{-x})`` (the lecture notes write ``1 - e^{-x}`` in the denominator: erratum 4),
   its loss ``-log sigma(t . c) - sum_i log sigma(-t . n_i)`` and the gradients
   ``dL/dt = (sigma(t.c) - 1) c + sum_i sigma(t.n_i) n_i``, ``dL/dc = (sigma(t.c) - 1) t``,
   ``dL/dn_i = sigma(t.n_i) t``.
5. :class:`Word2Vec`: the training loop (stochastic gradient descent with a learning rate that decays linearly
   to ``min_learning_rate``), nearest neighbours, similarities and analogies.

Two training engines compute the same updates. ``engine="numpy"`` takes shuffled mini-batches of pairs and
applies all their gradients at once (the loop that notebook 05 writes out by hand): every line is the formula
above. ``engine="numba"`` (the default, used in the notebook and by the benchmark against gensim) walks through
the text one pair at a time as the original C program does, compiled with numba (cached on disk after the first
call, which compiles in a few seconds; see :mod:`course_utils.precompile`). It is the same SGD step, tested
against the formulas pair by pair, with three things that make it as fast as gensim: dot products summed in
SIMD registers (float32, as BLAS does), negatives drawn from an :func:`alias_table` in O(1), and the loss
accumulated as a product of likelihoods with a logarithm now and then instead of one per word.

References: T. Mikolov, I. Sutskever, K. Chen, G. Corrado, J. Dean, "Distributed representations of words and
phrases and their compositionality", NeurIPS 2013; D. Jurafsky, J. H. Martin, *Speech and Language Processing*,
3rd ed. draft, ch. 6.
"""

import math
from numbers import Integral, Real
import time

import numba
import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from tqdm.auto import tqdm

from course_utils.text import Vocabulary, analogy, cosine_similarity, nearest_neighbours

from course_utils.precompile import prepare_cache

prepare_cache()      # a read-only install reuses the compiled code in its __pycache__ (see precompile)

__all__ = [
    "sigmoid",
    "skipgram_pairs",
    "noise_distribution",
    "keep_probabilities",
    "alias_table",
    "sgns_loss_and_gradients",
    "Word2Vec",
]


def sigmoid(x):
    """The logistic function ``1 / (1 + e^{-x})`` (erratum 4: a plus sign), computed without overflow."""
    return expit(x)


def skipgram_pairs(ids, window, reduced_windows=None):
    """(target, context) pairs of positions within ``window`` of each other in one token sequence.

    ``ids`` is a 1-D array of word ids. Returns two arrays ``(targets, contexts)`` of ids, ordered by target
    position, then by context position. If ``reduced_windows`` is given (one integer in ``1..window`` per
    token) token i only pairs with contexts at most ``reduced_windows[i]`` away.

    >>> skipgram_pairs(np.array([10, 11, 12]), window=1)
    (array([10, 11, 11, 12]), array([11, 10, 12, 11]))
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D sequence of word ids, got shape {ids.shape}")
    if not isinstance(window, Integral) or window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    n = len(ids)
    limit = np.full(n, window) if reduced_windows is None else np.asarray(reduced_windows)
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    positions = np.arange(n)[:, None] + offsets[None, :]
    valid = (positions >= 0) & (positions < n) & (np.abs(offsets)[None, :] <= limit[:, None])
    target_positions = np.broadcast_to(np.arange(n)[:, None], positions.shape)[valid]
    return ids[target_positions], ids[positions[valid]]


def noise_distribution(counts, power=0.75):
    """Negative-sampling distribution: ``P_n(w) = count(w)^power / sum_v count(v)^power``.

    Raising to 3/4 flattens the unigram distribution: rare words are drawn more often than their frequency.
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 1 or counts.size == 0 or np.any(counts < 0) or counts.sum() <= 0:
        raise ValueError("counts must be a non-empty 1-D array of non-negative counts, not all zero")
    weights = counts ** power
    return weights / weights.sum()


def keep_probabilities(counts, sample=1e-3):
    """Probability of keeping each occurrence of a word when subsampling frequent words.

    With ``f = count / total`` and threshold ``s = sample``, a word is kept with probability
    ``min(1, (sqrt(f / s) + 1) * s / f)`` (the formula of the word2vec C code and gensim); ``sample=0`` keeps
    everything.
    """
    counts = np.asarray(counts, dtype=float)
    if sample == 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1.0) * threshold / counts)


def sgns_loss_and_gradients(target, context, negatives):
    """Loss of the SGNS classifier for one positive pair and its negatives, with the gradients.

    Parameters
    ----------
    target : ndarray of shape (d,) or (B, d)
        The target word's embedding ``t`` (a batch of B of them).
    context : ndarray of shape (d,) or (B, d)
        The observed context word's vector ``c``.
    negatives : ndarray of shape (k, d) or (B, k, d)
        The vectors ``n_1 ... n_k`` of the sampled noise words.

    Returns
    -------
    loss : float or ndarray of shape (B,)
        ``-log sigma(t . c) - sum_i log sigma(-t . n_i)``.
    grad_target, grad_context, grad_negatives : ndarrays shaped like the inputs
        The partial derivatives of the loss.
    """
    dtype = np.result_type(target, context, negatives, np.float32)   # float32 stays float32 (the training)
    t = np.asarray(target, dtype=dtype)
    c = np.asarray(context, dtype=dtype)
    n = np.asarray(negatives, dtype=dtype)
    if t.shape != c.shape or n.ndim != t.ndim + 1 or n.shape[:-2] != t.shape[:-1] or n.shape[-1] != t.shape[-1]:
        raise ValueError(f"expected target and context of shape (d,) or (B, d) and negatives of shape (k, d) or "
                         f"(B, k, d); got {t.shape}, {c.shape} and {n.shape}")
    positive_score = np.sum(t * c, axis=-1)                         # t . c
    negative_scores = np.einsum("...kd,...d->...k", n, t)          # t . n_i
    loss = -log_expit(positive_score) - np.sum(log_expit(-negative_scores), axis=-1)
    positive_error = sigmoid(positive_score) - 1.0                  # d loss / d (t . c)
    negative_error = sigmoid(negative_scores)                       # d loss / d (t . n_i)
    grad_target = positive_error[..., None] * c + np.einsum("...k,...kd->...d", negative_error, n)
    grad_context = positive_error[..., None] * t
    grad_negatives = negative_error[..., None] * t[..., None, :]
    return loss, grad_target, grad_context, grad_negatives


#: In a mini-batch, a word whose vector receives more than this many gradients has their sum scaled down to
#: this many steps' worth (see :func:`_scatter_add`).
MAX_REPEATS = 16


def _scatter_add(M, rows, values, max_repeats=MAX_REPEATS):
    """``M[rows[i]] += values[i]`` for every i, repeated rows adding up (as ``np.add.at``, but faster).

    The repeated rows are summed by a sparse matrix product: ``S @ values`` with ``S[u, i] = 1`` when
    ``rows[i]`` is the u-th distinct row. Pair-by-pair SGD would apply the repeated updates one after the other,
    each seeing the effect of the previous ones; a mini-batch applies them all to the same old vector. For a
    very frequent word (dozens of times in one batch, as a negative) that overshoots and can diverge, so a row
    seen ``r > max_repeats`` times gets its summed update multiplied by ``max_repeats / r``.
    """
    unique_rows, position, repeats = np.unique(rows, return_inverse=True, return_counts=True)
    n = len(rows)
    S = sparse.csr_matrix((np.ones(n, dtype=M.dtype), (position, np.arange(n))), shape=(len(unique_rows), n))
    update = S @ values.astype(M.dtype, copy=False)
    if max_repeats is not None:
        update *= np.minimum(1.0, max_repeats / repeats)[:, None].astype(M.dtype)
    M[unique_rows] += update


# ---------------------------------------------------------------------------------------------------------------
# The pair-by-pair engine, compiled with numba
# ---------------------------------------------------------------------------------------------------------------

def alias_table(probabilities):
    """Walker's alias table (Vose's construction): draw from ``probabilities`` in O(1) per draw.

    Returns ``(threshold, alias)``: draw ``u`` uniform in [0, 1), let ``x = u * n`` and ``b = floor(x)``; the
    word is ``b`` if ``x - b < threshold[b]``, else ``alias[b]``. Each of the n bins holds the probability
    mass 1/n, shared between at most two words, so every word gets exactly its probability (up to rounding):
    ``P(w) = (threshold[w] + sum of (1 - threshold[b]) over the bins b with alias[b] = w) / n``. The compiled
    engine draws its negatives this way instead of by binary search in the cumulative distribution (the same
    distribution; about 15 times fewer memory accesses per draw with a vocabulary of 30,000 words).
    """
    p = np.asarray(probabilities, dtype=float)
    n = len(p)
    scaled = p * (n / p.sum())
    threshold = np.ones(n)
    alias = np.arange(n, dtype=np.int64)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s, big = small.pop(), large[-1]
        threshold[s], alias[s] = scaled[s], big          # bin s: word s below scaled[s], word `big` above
        scaled[big] -= 1.0 - scaled[s]                   # `big` gave that much of its mass to bin s
        if scaled[big] < 1.0:
            small.append(large.pop())
    return threshold, alias


#: The compiled loops may reorder floating-point sums (so that dot products run in SIMD registers) and fuse
#: multiply-adds; nothing else (no approximate exp or log, NaN and infinity behave as usual).
_FAST_SUMS = {"reassoc", "contract", "nsz", "arcp"}


@numba.njit(cache=True, inline="always")
def _next_random(state):
    """xorshift64*: returns (new state, a float in [0, 1))."""
    state ^= state >> np.uint64(12)
    state ^= state << np.uint64(25)
    state ^= state >> np.uint64(27)
    value = state * np.uint64(2685821657736338717)
    return state, (value >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True, fastmath=_FAST_SUMS)
def _sgd_step(t, C, context, noise_ids, learning_rate, grad_target):
    """One SGD step for the target vector ``t`` (a row of W, changed in place) and the pair's context row.

    Returns the pair's likelihood ``sigma(t.c) * prod_i sigma(-t.n_i)`` (its loss is minus its log: the caller
    multiplies likelihoods and takes a logarithm only now and then, which is cheaper than one per word). The
    target's gradient is accumulated over the positive and all negatives before ``t`` changes, and each context
    vector is updated with the target vector as it was before the step (the C program's order). A negative
    equal to the context word is skipped.
    """
    d = t.shape[0]
    for i in range(d):
        grad_target[i] = 0.0
    likelihood = 1.0
    for k in range(noise_ids.shape[0] + 1):
        if k == 0:
            word, label = context, 1.0
        else:
            word, label = noise_ids[k - 1], 0.0
            if word == context:
                continue
        c = C[word]
        score = np.float32(0.0)
        for i in range(d):
            score += t[i] * c[i]
        e = math.exp(-abs(score))                     # sigma(score) without overflow
        probability = 1.0 / (1.0 + e) if score >= 0 else e / (1.0 + e)
        likelihood *= max(probability if k == 0 else 1.0 - probability, 1e-30)
        step = np.float32(learning_rate * (label - probability))   # -learning rate * dL / d score
        for i in range(d):
            grad_target[i] += step * c[i]
            c[i] += step * t[i]
    for i in range(d):
        t[i] += grad_target[i]
    return likelihood


@numba.njit(cache=True)
def _sgd_pair(W, C, target, context, noise_ids, learning_rate, grad_target):
    """One SGD step on the pair (target, context) with the given negatives; returns the pair's loss."""
    return -math.log(_sgd_step(W[target], C, context, noise_ids, learning_rate, grad_target))


@numba.njit(cache=True)
def _train_sentences(W, C, ids, starts, first, last, keep, noise_threshold, noise_alias, window, negative,
                     lr_start, lr_end, words_before, words_total, state):
    """Train on sentences ``first..last-1`` (token ids ``ids[starts[s]:starts[s + 1]]``).

    Returns (loss sum, number of pairs, random state). The learning rate at a sentence is
    ``lr_start - (lr_start - lr_end) * words_seen / words_total``. Random numbers are drawn in this order: one
    per token (subsampling), one per kept target (its window), one per negative (from the alias table).
    """
    d = W.shape[1]
    n_words = noise_threshold.shape[0]
    grad_target = np.zeros(d, dtype=W.dtype)
    noise_ids = np.zeros(negative, dtype=np.int64)
    kept = np.zeros(1024, dtype=np.int64)
    loss_sum = 0.0
    likelihood = 1.0                                  # product of the pairs' likelihoods since the last log
    n_pairs = 0
    words_seen = words_before
    for s in range(first, last):
        progress = min(words_seen / words_total, 1.0)
        learning_rate = lr_start - (lr_start - lr_end) * progress
        begin, end = starts[s], starts[s + 1]
        words_seen += end - begin
        if end - begin > kept.shape[0]:
            kept = np.zeros(end - begin, dtype=np.int64)
        n = 0
        for p in range(begin, end):                       # subsample frequent words
            state, u = _next_random(state)
            if u < keep[ids[p]]:
                kept[n] = ids[p]
                n += 1
        for i in range(n):
            state, u = _next_random(state)
            reduced = 1 + int(u * window)                  # this target's window: 1..window
            lo, hi = max(0, i - reduced), min(n, i + reduced + 1)
            t = W[kept[i]]
            for j in range(lo, hi):
                if j == i:
                    continue
                for k in range(negative):
                    state, u = _next_random(state)
                    x = u * n_words
                    b = int(x)
                    noise_ids[k] = b if x - b < noise_threshold[b] else noise_alias[b]
                likelihood *= _sgd_step(t, C, kept[j], noise_ids, learning_rate, grad_target)
                if likelihood < 1e-100:                    # a pair's likelihood is >= 1e-180: no underflow
                    loss_sum -= math.log(likelihood)
                    likelihood = 1.0
                n_pairs += 1
    loss_sum -= math.log(likelihood)
    return loss_sum, n_pairs, state


# ---------------------------------------------------------------------------------------------------------------
# The estimator
# ---------------------------------------------------------------------------------------------------------------

class Word2Vec(BaseEstimator):
    """Skip-gram with negative sampling (word2vec), trained by stochastic gradient descent.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the embeddings.
    window : int, default=5
        Largest distance between a target and a context word; each target draws its window in ``1..window``.
    negative : int, default=5
        Number of noise words per positive pair (k).
    min_count : int, default=5
        Words seen fewer times are removed from the text before training.
    epochs : int, default=5
        Passes over the text.
    sample : float, default=1e-3
        Subsampling threshold for frequent words (0 turns subsampling off).
    learning_rate : float, default=0.025
        Initial step size; it decays linearly to ``min_learning_rate`` over the whole training.
    seed : int, default=0
        Seed of the initial vectors, the subsampling, the windows and the negatives.
    min_learning_rate : float, default=1e-4
        Final step size.
    engine : {"numba", "numpy"}, default="numba"
        ``"numba"``: pair by pair, compiled (fast); ``"numpy"``: shuffled mini-batches of ``batch_size``
        pairs (no compilation, slower).
    batch_size : int, default=1024
        Pairs per mini-batch of the NumPy engine.
    progress : bool, default=True
        Show a tqdm progress bar while training.

    Attributes
    ----------
    vocabulary_ : course_utils.text.Vocabulary
        The words kept (``min_count``), most frequent first; also available as ``vocab``.
    vectors_ : ndarray of shape (n_words, vector_size), float32
        The target ("input") embeddings ``W``, one row per word: the word vectors (also ``vectors``).
    context_vectors_ : ndarray of shape (n_words, vector_size), float32
        The context ("output") vectors ``C``.
    loss_history_ : ndarray of shape (n_chunks,)
        Mean loss per positive pair over successive chunks of training.
    n_pairs_ : int
        Positive pairs seen in training.
    train_seconds_ : float
        Wall-clock training time (for throughput; varies between runs).

    See Also
    --------
    gensim.models.Word2Vec : the reference implementation (``sg=1``).
    course_utils.text.ppmi : the count-based matrix that SGNS implicitly factorises (Levy & Goldberg, 2014).

    References
    ----------
    T. Mikolov et al., "Distributed representations of words and phrases and their compositionality", 2013.

    Examples
    --------
    >>> sentences = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 50
    >>> model = Word2Vec(vector_size=8, min_count=1, epochs=2, engine="numpy", progress=False).fit(sentences)
    >>> model.vectors.shape, model.vocab.words
    ((4, 8), ['sat', 'the', 'cat', 'dog'])
    """

    def __init__(self, vector_size=100, window=5, negative=5, min_count=5, epochs=5, sample=1e-3,
                 learning_rate=0.025, seed=0, *, min_learning_rate=1e-4, engine="numba", batch_size=1024,
                 progress=True):
        self.vector_size = vector_size
        self.window = window
        self.negative = negative
        self.min_count = min_count
        self.epochs = epochs
        self.sample = sample
        self.learning_rate = learning_rate
        self.seed = seed
        self.min_learning_rate = min_learning_rate
        self.engine = engine
        self.batch_size = batch_size
        self.progress = progress

    # -- parameters and input ---------------------------------------------------------------------------------

    def _check_parameters(self):
        def integer(name, low):
            value = getattr(self, name)
            if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")

        for name, low in [("vector_size", 1), ("window", 1), ("negative", 1), ("min_count", 1), ("epochs", 1),
                          ("batch_size", 1)]:
            integer(name, low)
        for name in ("learning_rate", "min_learning_rate", "sample"):
            value = getattr(self, name)
            if not isinstance(value, Real) or isinstance(value, bool) or not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a non-negative number, got {value!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate!r}")
        if self.engine not in ("numba", "numpy"):
            raise ValueError(f"engine must be 'numba' or 'numpy', got {self.engine!r}")

    def _encode(self, sentences):
        """Ids of the kept words, concatenated, and the start of each sentence (``starts[-1] == len(ids)``)."""
        index = self.vocabulary_.index
        lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
        # every token at once (-1: not in the vocabulary), then each sentence's count of kept tokens
        all_ids = np.fromiter((index.get(token, -1) for sentence in sentences for token in sentence),
                              dtype=np.int64, count=int(lengths.sum()))
        known = all_ids >= 0
        kept_before = np.concatenate([[0], np.cumsum(known)])
        ends = np.cumsum(lengths)
        return all_ids[known], kept_before[np.concatenate([[0], ends])]

    # -- training ------------------------------------------------------------------------------------------------

    def fit(self, sentences, y=None):
        """Learn the vocabulary and the embeddings from ``sentences``, an iterable of token lists."""
        self._check_parameters()
        if isinstance(sentences, str):
            raise TypeError("sentences must be an iterable of token lists, got a str: tokenize it first")
        sentences = list(sentences)
        for i, sentence in enumerate(sentences):
            if isinstance(sentence, str) or not hasattr(sentence, "__iter__"):
                raise TypeError(f"sentences[{i}] is a {type(sentence).__name__}; each sentence must be a list of "
                                "tokens (did you forget to tokenize?)")
            if not hasattr(sentence, "__len__"):               # a generator of tokens: read it once
                sentences[i] = list(sentence)
        self.vocabulary_ = Vocabulary(sentences, min_count=self.min_count)
        if len(self.vocabulary_) == 0:
            raise ValueError(f"no word occurs min_count={self.min_count} times or more: the vocabulary is empty")
        ids, starts = self._encode(sentences)
        rng = np.random.default_rng(self.seed)
        n_words, d = len(self.vocabulary_), self.vector_size
        W = ((rng.random((n_words, d)) - 0.5) / d).astype(np.float32)   # as word2vec.c and gensim
        C = np.zeros((n_words, d), dtype=np.float32)
        keep = keep_probabilities(self.vocabulary_.counts, self.sample)
        noise = noise_distribution(self.vocabulary_.counts)
        total = self.epochs * len(ids)
        losses, n_pairs = [], 0
        started = time.perf_counter()
        if self.engine == "numba":
            noise_table = alias_table(noise)
        else:
            noise_cdf = np.cumsum(noise)
            noise_cdf /= noise_cdf[-1]
        with tqdm(total=total, unit="word", unit_scale=True, disable=not self.progress,
                  desc="word2vec") as bar:
            for epoch in range(self.epochs):
                if self.engine == "numba":
                    pairs, epoch_losses = self._epoch_numba(W, C, ids, starts, keep, noise_table, epoch, total, rng,
                                                            bar)
                else:
                    pairs, epoch_losses = self._epoch_numpy(W, C, ids, starts, keep, noise_cdf, epoch, total, rng,
                                                            bar)
                n_pairs += pairs
                losses += epoch_losses
        self.train_seconds_ = time.perf_counter() - started
        self.vectors_, self.context_vectors_ = W, C
        self.loss_history_ = np.array(losses)
        self.n_pairs_ = int(n_pairs)
        return self

    def _learning_rate(self, progress):
        return self.learning_rate - (self.learning_rate - self.min_learning_rate) * min(progress, 1.0)

    def _epoch_numba(self, W, C, ids, starts, keep, noise_table, epoch, total, rng, bar, chunk_words=100_000):
        state = np.uint64(rng.integers(1, 2**63))
        n_sentences = len(starts) - 1
        losses, pairs, first = [], 0, 0
        words_before = epoch * len(ids)
        while first < n_sentences:
            last = int(np.searchsorted(starts, starts[first] + chunk_words, side="left"))
            last = min(max(last, first + 1), n_sentences)
            loss, n, state = _train_sentences(W, C, ids, starts, first, last, keep, *noise_table, self.window,
                                              self.negative, self.learning_rate, self.min_learning_rate,
                                              words_before, total, state)
            state = np.uint64(state)                      # numba returns it as a Python int
            words = int(starts[last] - starts[first])
            words_before += words
            bar.update(words)
            if n:
                losses.append(loss / n)
            pairs += n
            first = last
        return pairs, losses

    def _epoch_numpy(self, W, C, ids, starts, keep, noise_cdf, epoch, total, rng, bar):
        n_tokens = len(ids)
        sentence_of = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
        kept = rng.random(n_tokens) < keep[ids]                          # subsample frequent words
        kept_ids, kept_sentence = ids[kept], sentence_of[kept]
        reduced = rng.integers(1, self.window + 1, size=len(kept_ids))   # each target's own window
        targets, contexts = [], []
        for offset in range(1, self.window + 1):                         # pairs at distance `offset`
            same = kept_sentence[offset:] == kept_sentence[:-offset]
            left = np.flatnonzero(same & (reduced[:-offset] >= offset))          # target left, context right
            right = np.flatnonzero(same & (reduced[offset:] >= offset)) + offset  # target right, context left
            targets += [kept_ids[left], kept_ids[right]]
            contexts += [kept_ids[left + offset], kept_ids[right - offset]]
        targets, contexts = np.concatenate(targets), np.concatenate(contexts)
        order = rng.permutation(len(targets))
        targets, contexts = targets[order], contexts[order]
        n_pairs, losses, d = len(targets), [], W.shape[1]
        chunk = max(1, n_pairs // 20)
        chunk_loss, chunk_count, reported = 0.0, 0, 0
        for start in range(0, n_pairs, self.batch_size):
            t_ids = targets[start:start + self.batch_size]
            c_ids = contexts[start:start + self.batch_size]
            noise = np.searchsorted(noise_cdf, rng.random((len(t_ids), self.negative)), side="right")
            learning_rate = self._learning_rate((epoch + start / n_pairs) / self.epochs)
            loss, g_t, g_c, g_n = sgns_loss_and_gradients(W[t_ids], C[c_ids], C[noise])
            g_n[noise == c_ids[:, None]] = 0.0         # a negative equal to the context word is skipped
            _scatter_add(W, t_ids, -learning_rate * g_t)
            _scatter_add(C, np.concatenate([c_ids, noise.ravel()]),
                         -learning_rate * np.concatenate([g_c, g_n.reshape(-1, d)]))
            chunk_loss += float(loss.sum())
            chunk_count += len(t_ids)
            if chunk_count >= chunk or start + self.batch_size >= n_pairs:
                losses.append(chunk_loss / chunk_count)
                chunk_loss, chunk_count = 0.0, 0
                done = int(n_tokens * min(start + self.batch_size, n_pairs) / n_pairs)
                bar.update(done - reported)
                reported = done
        bar.update(n_tokens - reported)
        return n_pairs, losses

    # -- queries -------------------------------------------------------------------------------------------------

    @property
    def vectors(self):
        """The word vectors (``vectors_``): row i belongs to ``vocab.words[i]``."""
        check_is_fitted(self, "vectors_")
        return self.vectors_

    @property
    def vocab(self):
        """The vocabulary (``vocabulary_``): ``vocab.words``, ``vocab.counts``, ``vocab["word"]`` -> id."""
        check_is_fitted(self, "vocabulary_")
        return self.vocabulary_

    def __contains__(self, word):
        return hasattr(self, "vocabulary_") and word in self.vocabulary_

    def __getitem__(self, word):
        """The vector of ``word``; a ``KeyError`` naming the word if it is not in the vocabulary."""
        return self.vectors[self._id(word)]

    def _id(self, word):
        vocab = self.vocab
        if word not in vocab:
            raise KeyError(f"{word!r} is not in the vocabulary of this Word2Vec model ({len(vocab)} words seen "
                           f"at least min_count={self.min_count} times)")
        return vocab.index[word]

    def similarity(self, a, b):
        """Cosine similarity of the vectors of words ``a`` and ``b``."""
        return cosine_similarity(self.vectors[self._id(a)], self.vectors[self._id(b)])

    def most_similar(self, word, topn=10):
        """The ``topn`` nearest words by cosine, ``[(word, cosine), ...]``; ``word`` may also be a vector."""
        if isinstance(word, str):
            self._id(word)
        return nearest_neighbours(self.vectors, self.vocab, word, topn=topn)

    def analogy(self, a, b, c, topn=1):
        """"``a`` is to ``b`` as ``c`` is to ?" by ``b - a + c`` (e.g. man : king :: woman : ?)."""
        for word in (a, b, c):
            self._id(word)
        return analogy(self.vectors, self.vocab, a, b, c, topn=topn)
