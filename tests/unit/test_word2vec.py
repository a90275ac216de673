"""course_utils.word2vec against finite differences, brute-force loops and gensim (notebook 05, sections 8-11)."""

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import approx_fprime

from course_utils import datasets, word2vec
from course_utils.text import Vocabulary
from course_utils.word2vec import Word2Vec


def central_differences(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


# --- the classifier ---------------------------------------------------------------------------------------------

def test_sigmoid_is_the_logistic_function_not_the_lecture_typo():
    x = np.linspace(-30, 30, 101)
    np.testing.assert_allclose(word2vec.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(word2vec.sigmoid(x) + word2vec.sigmoid(-x), 1.0)
    assert word2vec.sigmoid(0.0) == 0.5                        # 1 / (1 - e^0) would divide by zero
    assert np.isfinite(word2vec.sigmoid(np.array([-1000.0, 1000.0]))).all()


def test_loss_of_zero_vectors_is_k_plus_one_times_log_2():
    loss, *_ = word2vec.sgns_loss_and_gradients(np.zeros(4), np.zeros(4), np.zeros((3, 4)))
    assert loss == pytest.approx(4 * np.log(2))


def test_loss_is_the_negative_log_likelihood_by_definition():
    rng = np.random.default_rng(0)
    t, c, n = rng.normal(size=6), rng.normal(size=6), rng.normal(size=(4, 6))
    p_positive = 1 / (1 + np.exp(-t @ c))
    p_negatives = np.exp(-n @ t) / (1 + np.exp(-n @ t))        # P(- | t, n_i) = e^{-x} / (1 + e^{-x})
    loss, *_ = word2vec.sgns_loss_and_gradients(t, c, n)
    assert loss == pytest.approx(-np.log(p_positive) - np.sum(np.log(p_negatives)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gradients_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    t, c, n = rng.normal(size=5), rng.normal(size=5), rng.normal(size=(3, 5))
    _, g_t, g_c, g_n = word2vec.sgns_loss_and_gradients(t, c, n)
    loss = word2vec.sgns_loss_and_gradients
    np.testing.assert_allclose(g_t, central_differences(lambda x: loss(x, c, n)[0], t), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g_c, central_differences(lambda x: loss(t, x, n)[0], c), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g_n, central_differences(lambda x: loss(t, c, x)[0], n), rtol=1e-6, atol=1e-8)
    # and with SciPy's forward differences as a second, independent reference
    np.testing.assert_allclose(g_t, approx_fprime(t, lambda x: loss(x, c, n)[0], 1e-7), rtol=1e-4, atol=1e-5)


def test_batched_gradients_equal_one_pair_at_a_time():
    rng = np.random.default_rng(4)
    T, Cx, N = rng.normal(size=(6, 5)), rng.normal(size=(6, 5)), rng.normal(size=(6, 3, 5))
    batched = word2vec.sgns_loss_and_gradients(T, Cx, N)
    for b in range(6):
        single = word2vec.sgns_loss_and_gradients(T[b], Cx[b], N[b])
        for got, expected in zip(batched, single):
            np.testing.assert_allclose(got[b], expected, rtol=1e-12)
    with pytest.raises(ValueError, match="negatives"):
        word2vec.sgns_loss_and_gradients(T, Cx, N[0])


# --- pairs, noise, subsampling ------------------------------------------------------------------------------------

def pairs_by_loops(ids, window, reduced=None):
    out = []
    for i in range(len(ids)):
        w = window if reduced is None else reduced[i]
        for j in range(max(0, i - w), min(len(ids), i + w + 1)):
            if j != i:
                out.append((ids[i], ids[j]))
    return out


@pytest.mark.parametrize("window", [1, 2, 4])
def test_skipgram_pairs_match_loops(window):
    rng = np.random.default_rng(window)
    ids = rng.integers(0, 50, size=13)
    targets, contexts = word2vec.skipgram_pairs(ids, window)
    assert list(zip(targets, contexts)) == pairs_by_loops(ids, window)
    reduced = rng.integers(1, window + 1, size=13)
    targets, contexts = word2vec.skipgram_pairs(ids, window, reduced)
    assert list(zip(targets, contexts)) == pairs_by_loops(ids, window, reduced)


def test_noise_distribution_is_unigram_to_the_three_quarters():
    counts = np.array([1000, 100, 10, 1])
    p = word2vec.noise_distribution(counts)
    assert p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(p[:-1] / p[1:], 10 ** 0.75)           # ratios shrink from 10 to 5.6
    assert p[-1] > counts[-1] / counts.sum()                          # rare words are boosted
    with pytest.raises(ValueError):
        word2vec.noise_distribution(np.zeros(3))


def test_keep_probabilities_follow_the_word2vec_formula():
    counts = np.array([50_000, 5_000, 500, 5])
    total = counts.sum()
    threshold = 1e-3 * total
    expected = np.minimum(1.0, (np.sqrt(counts / threshold) + 1) * threshold / counts)
    np.testing.assert_allclose(word2vec.keep_probabilities(counts, 1e-3), expected)
    assert word2vec.keep_probabilities(counts, 1e-3)[-1] == 1.0
    np.testing.assert_array_equal(word2vec.keep_probabilities(counts, 0), 1.0)


def test_scatter_add_equals_numpy_add_at_and_damps_very_repeated_rows():
    rng = np.random.default_rng(5)
    M = rng.normal(size=(20, 3)).astype(np.float32)
    rows, values = rng.integers(0, 20, size=50), rng.normal(size=(50, 3))
    expected = M.copy()
    np.add.at(expected, rows, values.astype(np.float32))
    word2vec._scatter_add(M, rows, values, max_repeats=None)
    np.testing.assert_allclose(M, expected, rtol=1e-5, atol=1e-6)
    M = np.zeros((2, 1), dtype=np.float32)
    word2vec._scatter_add(M, np.array([0] * 40 + [1] * 3), np.ones((43, 1)), max_repeats=16)
    np.testing.assert_allclose(M.ravel(), [16.0, 3.0])


def test_compiled_pair_step_is_one_gradient_step():
    """The numba kernel's update of one pair equals W -= lr * dL/dt, C -= lr * dL/dc (from the NumPy formulas)."""
    rng = np.random.default_rng(6)
    W = rng.normal(size=(6, 4)).astype(np.float32)
    C = rng.normal(size=(6, 4)).astype(np.float32)
    target, context, noise, lr = 1, 2, np.array([3, 4, 2, 5]), 0.1      # the 2 among the negatives is skipped
    used = np.array([3, 4, 5])
    loss, g_t, g_c, g_n = word2vec.sgns_loss_and_gradients(W[target].astype(float), C[context].astype(float),
                                                            C[used].astype(float))
    W_expected, C_expected = W.astype(float), C.astype(float)
    W_expected[target] -= lr * g_t
    C_expected[context] -= lr * g_c
    C_expected[used] -= lr * g_n
    got_loss = word2vec._sgd_pair(W, C, target, context, noise, lr, np.zeros(4, dtype=np.float32))
    assert got_loss == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(W, W_expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(C, C_expected, rtol=1e-5, atol=1e-6)


# --- the estimator --------------------------------------------------------------------------------------------------

def topic_corpus(seed=0, n_sentences=1500):
    """Two topics with disjoint words, plus shared function words: words of one topic share contexts."""
    rng = np.random.default_rng(seed)
    topics = [[f"a{i}" for i in range(10)], [f"b{i}" for i in range(10)]]
    glue = ["the", "of", "and"]
    sentences = []
    for s in range(n_sentences):
        words = topics[s % 2]
        sentences.append([rng.choice(words) if rng.random() < 0.7 else rng.choice(glue) for _ in range(12)])
    return sentences


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_words_of_one_topic_end_up_closer(engine):
    model = Word2Vec(vector_size=16, window=3, min_count=1, epochs=3, sample=0, engine=engine,
                     progress=False).fit(topic_corpus())
    within = np.mean([model.similarity(f"a{i}", f"a{j}") for i in range(5) for j in range(5, 10)])
    across = np.mean([model.similarity(f"a{i}", f"b{j}") for i in range(5) for j in range(5)])
    assert within > across + 0.3
    assert model.loss_history_[-1] < model.loss_history_[0]
    for topic in "ab":
        for i in range(3):
            neighbours = {w for w, _ in model.most_similar(f"{topic}{i}", topn=5)}
            assert neighbours <= {f"{topic}{j}" for j in range(10)}, neighbours
    assert model.vectors.shape == (23, 16) and model.vectors.dtype == np.float32
    np.testing.assert_array_equal(model["a0"], model.vectors[model.vocab["a0"]])


@pytest.mark.parametrize("engine", ["numpy", "numba"])
def test_training_is_deterministic_given_the_seed(engine):
    sentences = topic_corpus(n_sentences=200)
    first = Word2Vec(vector_size=8, min_count=1, epochs=1, engine=engine, progress=False).fit(sentences)
    second = Word2Vec(vector_size=8, min_count=1, epochs=1, engine=engine, progress=False).fit(sentences)
    other = Word2Vec(vector_size=8, min_count=1, epochs=1, seed=1, engine=engine, progress=False).fit(sentences)
    np.testing.assert_array_equal(first.vectors, second.vectors)
    assert not np.array_equal(first.vectors, other.vectors)


def test_vocabulary_matches_gensim_and_out_of_vocabulary_words_are_named():
    gensim = pytest.importorskip("gensim")
    sentences = datasets.load_corpus(2000)
    ours = Word2Vec(vector_size=8, epochs=1, engine="numpy", progress=False).fit(sentences)
    reference = gensim.models.Word2Vec(vector_size=8, min_count=5, sg=1, workers=1, epochs=1)
    reference.build_vocab(sentences)
    assert set(ours.vocab.words) == set(reference.wv.index_to_key)
    assert all(ours.vocab.counts[ours.vocab[w]] == reference.wv.get_vecattr(w, "count") for w in ours.vocab.words)
    with pytest.raises(KeyError, match="'qwertyuiop'"):
        ours.most_similar("qwertyuiop")
    with pytest.raises(KeyError, match="'qwertyuiop'"):
        ours.similarity("the", "qwertyuiop")
    with pytest.raises(KeyError, match="'qwertyuiop'"):
        ours["qwertyuiop"]
    assert "qwertyuiop" not in ours and "the" in ours


def test_similarities_agree_with_gensim_trained_on_the_same_text():
    """Cosine similarities between frequent words correlate across the two implementations about as well as
    between two gensim runs with different seeds."""
    gensim = pytest.importorskip("gensim")
    sentences = datasets.load_corpus(12000)
    settings = dict(vector_size=32, window=5, negative=5, min_count=5, epochs=3, sample=1e-3)
    reference = gensim.models.Word2Vec(sentences, sg=1, workers=1, seed=0, **settings)
    reference2 = gensim.models.Word2Vec(sentences, sg=1, workers=1, seed=1, **settings)
    ours = Word2Vec(engine="numba", progress=False, **settings).fit(sentences)
    words = ours.vocab.words[30:230]
    upper = np.triu_indices(len(words), 1)

    def similarities(vectors):
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return (unit @ unit.T)[upper]

    ref = similarities(np.array([reference.wv[w] for w in words]))
    ref2 = similarities(np.array([reference2.wv[w] for w in words]))
    mine = similarities(np.array([ours[w] for w in words]))
    between_gensim_runs = stats.spearmanr(ref, ref2).statistic
    ours_vs_gensim = stats.spearmanr(ref, mine).statistic
    assert ours_vs_gensim > between_gensim_runs - 0.05, (ours_vs_gensim, between_gensim_runs)


def test_progress_bar_can_be_turned_off(capsys):
    sentences = topic_corpus(n_sentences=50)
    Word2Vec(vector_size=4, min_count=1, epochs=1, engine="numpy", progress=False).fit(sentences)
    assert capsys.readouterr().err == ""
    Word2Vec(vector_size=4, min_count=1, epochs=1, engine="numpy", progress=True).fit(sentences)
    assert "word2vec" in capsys.readouterr().err


def test_bad_input_is_explained():
    with pytest.raises(TypeError, match="tokenize"):
        Word2Vec(progress=False).fit("a plain string")
    with pytest.raises(TypeError, match="tokenize"):
        Word2Vec(progress=False).fit(["one sentence as a string"])
    with pytest.raises(ValueError, match="min_count=5"):
        Word2Vec(progress=False).fit([["rare", "words"]])
    for bad in [dict(vector_size=0), dict(window=1.5), dict(negative=-1), dict(learning_rate=0.0),
                dict(sample=-1e-3), dict(engine="cuda")]:
        with pytest.raises(ValueError, match=next(iter(bad))):
            Word2Vec(progress=False, **bad).fit([["a"] * 10])
    with pytest.raises(Exception, match="not fitted"):
        Word2Vec().vectors


def test_parameters_are_stored_unchanged():
    model = Word2Vec(vector_size=7, window=2, seed=3, engine="numpy")
    params = model.get_params()
    assert params["vector_size"] == 7 and params["window"] == 2 and params["seed"] == 3
    assert params["negative"] == 5 and params["min_count"] == 5 and params["epochs"] == 5
    assert params["sample"] == 1e-3 and params["learning_rate"] == 0.025


def test_vocabulary_object_is_shared_with_text():
    model = Word2Vec(vector_size=4, min_count=1, epochs=1, engine="numpy", progress=False).fit([["x", "y", "x"]])
    assert isinstance(model.vocab, Vocabulary) and model.vocab.words == ["x", "y"]


# --- the compiled engine against the formulas ----------------------------------------------------------------------

def test_alias_table_reproduces_the_noise_distribution():
    rng = np.random.default_rng(8)
    p = word2vec.noise_distribution(rng.integers(1, 5000, size=300) ** 2)
    threshold, alias = word2vec.alias_table(p)
    implied = threshold.copy()                          # each bin b: word b below threshold[b], alias[b] above
    np.add.at(implied, alias, 1.0 - threshold)
    np.testing.assert_allclose(implied / len(p), p, rtol=1e-9, atol=1e-15)
    # and drawing as the compiled engine does gives those frequencies (chi-square test at the 0.1% level)
    x = rng.random(400_000) * len(p)
    b = x.astype(int)
    draws = np.where(x - b < threshold[b], b, alias[b])
    counts = np.bincount(draws, minlength=len(p))
    assert stats.chisquare(counts, p * len(draws)).pvalue > 1e-3


def replay_training(W, C, ids, starts, keep, threshold, alias, window, negative, lr_start, lr_end, total, state):
    """One pass of the compiled engine written out in plain Python and float64, from the documented order of
    random draws and updates, with sigmoid and the SGNS gradients of the module's docstring."""
    def draw(state):
        with np.errstate(over="ignore"):           # xorshift64* multiplies modulo 2**64 on purpose
            return word2vec._next_random.py_func(state)

    W, C = W.astype(float), C.astype(float)
    loss, pairs, seen = 0.0, 0, 0
    for s in range(len(starts) - 1):
        sentence = ids[starts[s]:starts[s + 1]]
        lr = lr_start - (lr_start - lr_end) * min(seen / total, 1.0)
        seen += len(sentence)
        kept = []
        for word in sentence:
            state, u = draw(state)
            if u < keep[word]:
                kept.append(word)
        for i, target in enumerate(kept):
            state, u = draw(state)
            reduced = 1 + int(u * window)
            for j in range(max(0, i - reduced), min(len(kept), i + reduced + 1)):
                if j == i:
                    continue
                noise = []
                for _ in range(negative):
                    state, u = draw(state)
                    x = u * len(threshold)
                    b = int(x)
                    noise.append(b if x - b < threshold[b] else alias[b])
                t = W[target].copy()
                grad_t = np.zeros_like(t)
                for word, label in [(kept[j], 1.0)] + [(n, 0.0) for n in noise if n != kept[j]]:
                    p = word2vec.sigmoid(t @ C[word])
                    loss -= np.log(p if label else 1.0 - p)
                    grad_t += (p - label) * C[word]                 # dL/dt
                    C[word] -= lr * (p - label) * t                 # dL/dc (or dL/dn_i) = (sigma - label) t
                W[target] -= lr * grad_t
                pairs += 1
    return W, C, loss, pairs


def test_compiled_training_equals_the_formulas_applied_pair_by_pair():
    rng = np.random.default_rng(9)
    counts = np.array([40, 25, 15, 10, 6, 4])
    ids = rng.choice(6, size=160, p=counts / counts.sum()).astype(np.int64)
    starts = np.array([0, 9, 30, 31, 60, 100, 133, 160], dtype=np.int64)
    keep = word2vec.keep_probabilities(counts, 0.05)
    threshold, alias = word2vec.alias_table(word2vec.noise_distribution(counts))
    W0 = ((rng.random((6, 8)) - 0.5)).astype(np.float32)
    C0 = (0.1 * rng.normal(size=(6, 8))).astype(np.float32)
    W, C = W0.copy(), C0.copy()
    state = np.uint64(123456789)
    loss, pairs, _ = word2vec._train_sentences(W, C, ids, starts, 0, len(starts) - 1, keep, threshold, alias, 3, 4,
                                               0.2, 0.01, 0, len(ids), state)
    W_ref, C_ref, loss_ref, pairs_ref = replay_training(W0, C0, ids, starts, keep, threshold, alias, 3, 4, 0.2,
                                                        0.01, len(ids), state)
    assert pairs == pairs_ref > 200
    assert loss == pytest.approx(loss_ref, rel=1e-4)
    np.testing.assert_allclose(W, W_ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(C, C_ref, rtol=1e-4, atol=1e-5)


def test_encoding_keeps_the_known_words_of_each_sentence():
    sentences = [["a", "b", "zz", "a"], [], ["zz"], ["c", "a"], ("b", "c")]
    model = Word2Vec(vector_size=4, min_count=2, epochs=1, engine="numpy", progress=False).fit(sentences)
    ids, starts = model._encode(sentences)
    expected = [model.vocab.encode(s) for s in sentences]
    np.testing.assert_array_equal(np.diff(starts), [len(e) for e in expected])
    np.testing.assert_array_equal(ids, np.concatenate(expected))
    assert ids.dtype == np.int64 and starts.dtype == np.int64
