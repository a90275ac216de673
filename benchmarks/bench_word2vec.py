"""course_utils.word2vec.Word2Vec against gensim's skip-gram on the course corpus, in one process.

    python benchmarks/bench_word2vec.py                # full corpus (about 1.75 million tokens), 5 epochs, 3 runs
    python benchmarks/bench_word2vec.py --sentences 20000 --epochs 2 --repeats 1     # a quick smoke run

Both models get the same tokenised sentences and the same settings: skip-gram with negative sampling,
vector_size=100, window=5, negative=5, min_count=5, epochs=5, sample=1e-3, learning rate 0.025 decaying to
1e-4, one worker/thread. The two are trained ``--repeats`` times, interleaved (gensim, ours, gensim, ours, ...),
run r with seed r for both; the machine may be shared, so the ratio is of the medians and the spread (smallest
and largest run) is printed too. Throughput is words per second of CPU time of this process (gensim's worker
and job threads included): with one worker each that is the work done, and other jobs on the machine change it
much less than wall-clock time, whose ratio is printed beside. Printed, with whether each target is met:

* throughput: words per second of ours over gensim's (target >= 1.0x), gensim timed around ``train`` alone
  (its vocabulary is built beforehand, untimed), ours around the whole ``fit`` (vocabulary included); our
  numba engine is warmed up first on a few sentences so that its one-off compilation is not counted (the
  compilation itself is measured by ``bench_first_use.py``);
* Spearman correlation of cosine similarities with human judgements, WordSim-353 and SimLex-999 (the copies
  bundled in gensim's test data), on the word pairs both words of which are in the (shared) vocabulary, mean
  over the runs (target: ours within 0.02 of gensim's); the spread between gensim's own runs (seeds) is printed
  as the yardstick of what 0.02 means;
* accuracy on gensim's ``questions-words.txt`` analogies restricted to the vocabulary (for context).

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


def spread(values):
    return f"median {np.median(values):.3f}, range {min(values):.3f}-{max(values):.3f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=None, help="use only the first N sentences")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs of each (seeds 0, 1, ...)")
    parser.add_argument("--engine", default="numba", choices=["numba", "numpy"])
    args = parser.parse_args(argv)

    import gensim
    from gensim.models import KeyedVectors
    from gensim.models import Word2Vec as GensimWord2Vec
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    logging.getLogger("gensim").setLevel(logging.ERROR)
    sentences = datasets.load_corpus(args.sentences)
    n_tokens = sum(len(s) for s in sentences)
    settings = dict(vector_size=100, window=5, negative=5, min_count=5, epochs=args.epochs, sample=1e-3)
    print(f"corpus: {len(sentences)} sentences, {n_tokens} tokens (WordNet 3.0 lemmas and glosses)")
    print(f"settings: skip-gram, negative sampling, {settings}, learning rate 0.025 -> 1e-4, one worker")
    print(f"gensim {gensim.__version__}; our engine: {args.engine}; {args.repeats} interleaved runs each; "
          f"load average before: {os.getloadavg()[0]:.2f}")

    # ours: warm up the compiled kernel (cached on disk after its first compilation)
    if args.engine == "numba":
        Word2Vec(min_count=1, epochs=1, progress=False).fit(sentences[:50])
    words_trained = args.epochs * n_tokens
    rates = {"gensim": [], "ours": [], "gensim wall": [], "ours wall": []}
    scores = {"gensim": [], "ours": []}
    for seed in range(args.repeats):
        # gensim: vocabulary first, then time train() alone
        reference = GensimWord2Vec(sg=1, hs=0, workers=1, seed=seed, alpha=0.025, min_alpha=1e-4, **settings)
        reference.build_vocab(sentences)
        cpu, wall = time.process_time(), time.perf_counter()
        reference.train(sentences, total_examples=reference.corpus_count, epochs=reference.epochs)
        rates["gensim"].append(words_trained / (time.process_time() - cpu))
        rates["gensim wall"].append(words_trained / (time.perf_counter() - wall))
        # ours: time fit(), vocabulary included
        ours = Word2Vec(learning_rate=0.025, min_learning_rate=1e-4, seed=seed, engine=args.engine, progress=False,
                        **settings)
        cpu, wall = time.process_time(), time.perf_counter()
        ours.fit(sentences)
        rates["ours"].append(words_trained / (time.process_time() - cpu))
        rates["ours wall"].append(words_trained / (time.perf_counter() - wall))
        assert set(ours.vocab.words) == set(reference.wv.index_to_key), "the two vocabularies differ"
        ours_kv = KeyedVectors(vector_size=ours.vector_size)
        ours_kv.add_vectors(ours.vocab.words, ours.vectors)
        scores["gensim"].append(evaluate(reference.wv)[:4])
        scores["ours"].append(evaluate(ours_kv)[:4])
        print(f"  run {seed}: gensim {rates['gensim'][-1]:,.0f} words/s, ours {rates['ours'][-1]:,.0f} words/s (CPU); "
              f"WordSim-353 {scores['gensim'][-1][0]:.3f} / {scores['ours'][-1][0]:.3f}, "
              f"SimLex-999 {scores['gensim'][-1][1]:.3f} / {scores['ours'][-1][1]:.3f} (gensim / ours)")

    print(f"\nvocabulary: {len(ours.vocab)} words (identical in both models); load average after: "
          f"{os.getloadavg()[0]:.2f}")
    ratios = np.array(rates["ours"]) / np.array(rates["gensim"])
    ratio = np.median(rates["ours"]) / np.median(rates["gensim"])
    wall_ratio = np.median(rates["ours wall"]) / np.median(rates["gensim wall"])
    print(f"throughput (CPU time): gensim {np.median(rates['gensim']):,.0f} words/s, ours "
          f"{np.median(rates['ours']):,.0f} words/s (medians of {args.repeats}) -> ratio {ratio:.2f}x (per run: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; wall-clock {wall_ratio:.2f}x)  "
          f"[target >= 1.0x: {'MET' if ratio >= 1.0 else 'NOT MET'}]")

    vocabulary = set(ours.vocab.words)
    for column, name, path in [(0, "WordSim-353", "wordsim353.tsv"), (1, "SimLex-999", "simlex999.txt")]:
        g = [row[column] for row in scores["gensim"]]
        o = [row[column] for row in scores["ours"]]
        difference = np.mean(o) - np.mean(g)
        ok = difference >= -0.02
        print(f"{name} Spearman on {pairs_in_vocabulary(gensim_test_file(path), vocabulary)} in-vocabulary pairs: "
              f"gensim mean {np.mean(g):.3f} ({spread(g)}), ours mean {np.mean(o):.3f} ({spread(o)}), difference "
              f"{difference:+.3f} (|difference| <= 0.02: {'yes' if abs(difference) <= 0.02 else 'no'})  "
              f"[target: ours no more than 0.02 below gensim: {'MET' if ok else 'NOT MET'}]")
    g = [100 * row[2] for row in scores["gensim"]]
    o = [100 * row[2] for row in scores["ours"]]
    print(f"analogies (questions-words.txt, {scores['gensim'][0][3]} questions with all four words in the "
          f"vocabulary): gensim {np.mean(g):.1f}%, ours {np.mean(o):.1f}% (difference {np.mean(o) - np.mean(g):+.1f} "
          f"points; for context)")

    print("\nnearest neighbours, last run (ours | gensim):")
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
