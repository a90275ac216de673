"""course_utils.word2vec.Word2Vec against gensim's skip-gram on the course corpus, in one process.

    python benchmarks/bench_word2vec.py                # full corpus (about 1.75 million tokens), 5 epochs
    python benchmarks/bench_word2vec.py --sentences 20000 --epochs 2     # a quick smoke run

Both models get the same tokenised sentences and the same settings: skip-gram with negative sampling,
vector_size=100, window=5, negative=5, min_count=5, epochs=5, sample=1e-3, learning rate 0.025 decaying to
1e-4, one worker/thread. Printed, with whether each target is met:

* throughput: words per second of ours over gensim's (target >= 0.25x), both timed around ``fit``/``train``
  (our numba engine is warmed up first on a few sentences so that its one-off compilation is not counted);
* Spearman correlation of cosine similarities with human judgements, WordSim-353 and SimLex-999 (the copies
  bundled in gensim's test data), on the word pairs both words of which are in the (shared) vocabulary
  (target: ours within 0.05 of gensim's);
* accuracy on gensim's ``questions-words.txt`` analogies restricted to the vocabulary (target: within 5
  points of gensim).

The same evaluation code (gensim's ``KeyedVectors.evaluate_word_pairs`` and ``evaluate_word_analogies``) scores
both models: our vectors are loaded into a ``KeyedVectors``. gensim is a benchmark-only dependency (the
``bench`` extra); the corpus itself loads without it.
"""

import argparse
import logging
import os
import time

import numpy as np

from course_utils import datasets
from course_utils.word2vec import Word2Vec


def gensim_test_file(name):
    from gensim.test.utils import datapath

    path = datapath(name)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{name} is not in gensim's bundled test data ({path})")
    return path


def evaluate(keyed_vectors):
    """(WordSim-353 Spearman, SimLex-999 Spearman, analogy accuracy, number of analogy questions)."""
    wordsim = keyed_vectors.evaluate_word_pairs(gensim_test_file("wordsim353.tsv"), dummy4unknown=False)
    simlex = keyed_vectors.evaluate_word_pairs(gensim_test_file("simlex999.txt"), dummy4unknown=False)
    accuracy, sections = keyed_vectors.evaluate_word_analogies(gensim_test_file("questions-words.txt"),
                                                               restrict_vocab=len(keyed_vectors))
    total = next(s for s in sections if s["section"] == "Total accuracy")
    n_questions = len(total["correct"]) + len(total["incorrect"])
    return wordsim[1].statistic, simlex[1].statistic, accuracy, n_questions, wordsim, simlex


def pairs_in_vocabulary(path, vocabulary):
    """How many word pairs of a similarity file have both words in the vocabulary."""
    n = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.strip().split("\t")
            if line.startswith("#") or len(parts) < 3:
                continue
            n += parts[0].lower() in vocabulary and parts[1].lower() in vocabulary
    return n


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=None, help="use only the first N sentences")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--engine", default="numba", choices=["numba", "numpy"])
    args = parser.parse_args(argv)

    import gensim
    from gensim.models import KeyedVectors
    from gensim.models import Word2Vec as GensimWord2Vec

    logging.getLogger("gensim").setLevel(logging.ERROR)
    sentences = datasets.load_corpus(args.sentences)
    n_tokens = sum(len(s) for s in sentences)
    settings = dict(vector_size=100, window=5, negative=5, min_count=5, epochs=args.epochs, sample=1e-3)
    print(f"corpus: {len(sentences)} sentences, {n_tokens} tokens (WordNet 3.0 lemmas and glosses)")
    print(f"settings: skip-gram, negative sampling, {settings}, learning rate 0.025 -> 1e-4, one worker")
    print(f"gensim {gensim.__version__}; our engine: {args.engine}")

    # gensim: vocabulary first, then time train() alone
    reference = GensimWord2Vec(sg=1, hs=0, workers=1, seed=0, alpha=0.025, min_alpha=1e-4, **settings)
    reference.build_vocab(sentences)
    started = time.perf_counter()
    reference.train(sentences, total_examples=reference.corpus_count, epochs=reference.epochs)
    gensim_seconds = time.perf_counter() - started

    # ours: warm up the compiled kernel (cached on disk after its first compilation), then time fit()
    if args.engine == "numba":
        Word2Vec(min_count=1, epochs=1, progress=False).fit(sentences[:50])
    ours = Word2Vec(learning_rate=0.025, min_learning_rate=1e-4, seed=0, engine=args.engine, progress=False,
                    **settings)
    started = time.perf_counter()
    ours.fit(sentences)
    our_seconds = time.perf_counter() - started

    assert set(ours.vocab.words) == set(reference.wv.index_to_key), "the two vocabularies differ"
    words_trained = args.epochs * n_tokens
    ratio = gensim_seconds / our_seconds
    ours_kv = KeyedVectors(vector_size=ours.vector_size)
    ours_kv.add_vectors(ours.vocab.words, ours.vectors)

    print(f"\nvocabulary: {len(ours.vocab)} words (identical in both models)")
    print(f"throughput: gensim {words_trained / gensim_seconds:,.0f} words/s, ours {words_trained / our_seconds:,.0f} "
          f"words/s -> ratio {ratio:.2f}x  [target >= 0.25x: {'MET' if ratio >= 0.25 else 'NOT MET'}]")

    ws_g, sl_g, acc_g, nq, _, _ = evaluate(reference.wv)
    ws_o, sl_o, acc_o, nq_o, _, _ = evaluate(ours_kv)
    vocabulary = set(ours.vocab.words)
    n_ws = pairs_in_vocabulary(gensim_test_file("wordsim353.tsv"), vocabulary)
    n_sl = pairs_in_vocabulary(gensim_test_file("simlex999.txt"), vocabulary)
    for name, n_pairs, g, o in [("WordSim-353", n_ws, ws_g, ws_o), ("SimLex-999", n_sl, sl_g, sl_o)]:
        ok = o >= g - 0.05
        print(f"{name} Spearman on {n_pairs} in-vocabulary pairs: gensim {g:.3f}, ours {o:.3f} "
              f"(difference {o - g:+.3f})  [target: ours within 0.05 of gensim: {'MET' if ok else 'NOT MET'}]")
    ok = 100 * acc_o >= 100 * acc_g - 5
    print(f"analogies (questions-words.txt, {nq} questions with all four words in the vocabulary): gensim "
          f"{100 * acc_g:.1f}%, ours {100 * acc_o:.1f}% (difference {100 * (acc_o - acc_g):+.1f} points)  "
          f"[target: within 5 points: {'MET' if ok else 'NOT MET'}]")
    assert nq == nq_o

    print("\nnearest neighbours (ours | gensim):")
    for word in ["king", "france", "red", "dog", "music", "run"]:
        if word in ours:
            mine = ", ".join(w for w, _ in ours.most_similar(word, 5))
            theirs = ", ".join(w for w, _ in reference.wv.most_similar(word, topn=5))
            print(f"  {word:>7}: {mine} | {theirs}")
    print("king - man + woman:", ours.analogy("man", "king", "woman", 3), "| gensim:",
          reference.wv.most_similar(positive=["king", "woman"], negative=["man"], topn=3))


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
