"""course_utils.tsne.TSNE against scikit-learn's Barnes-Hut t-SNE (and openTSNE) on the digits (notebook 04).

    python benchmarks/bench_tsne.py [--seeds 0 1 2] [--repeats 2]

All runs are in this one process, on the 1797 x 64 digits, with the same
perplexity (30), initialisation and seed for course_utils and scikit-learn
(default ``method="barnes_hut"``, ``angle=0.5``, all cores). The main
configuration is ``init="pca"`` with seed 0 (PCA makes the seed irrelevant);
``init="random"`` with each of ``--seeds`` shows how much KL and
trustworthiness move from run to run. In every configuration course_utils and
scikit-learn run ``repeats`` times each (interleaved); the time ratio uses the
best (shortest) run of each over all configurations, because the machine is
shared and other work only ever makes a run slower.

Printed, per configuration and overall:

* time ratio course_utils / scikit-learn          target <= 1.0x
* final KL divergence as each library reports it  target: ours at most 2% above scikit-learn's
  (and, as a common yardstick, the exact KL(P || Q) of every embedding against
  the same sparse P, scikit-learn's, with the exact Q over all pairs)
* trustworthiness, 10 neighbours                  target: ours no more than 0.005 below

course_utils compiles its Barnes-Hut loops with numba on first use (and
caches them on disk); a warm-up fit runs before any timing, so compile time
is not counted. openTSNE (FFT interpolation by default, and its Barnes-Hut)
is timed and scored beside them as a stronger anchor; its optimiser uses its
own defaults (learning rate n / 12), so its figures are for context.
"""

import argparse
import os
import time
import warnings

import numpy as np
from scipy.spatial.distance import pdist
from sklearn.datasets import load_digits
from sklearn.manifold import TSNE as SklearnTSNE
from sklearn.manifold import _t_sne as sklearn_tsne
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors

from course_utils.tsne import TSNE

PERPLEXITY = 30.0


def exact_kl(P_sparse, Y):
    """KL(P || Q) in nats over P's stored pairs, with the exact Q (all pairs)."""
    kernel_sum = 2.0 * np.sum(1.0 / (1.0 + pdist(Y, "sqeuclidean")))
    P = P_sparse.tocoo()
    diff = Y[P.row] - Y[P.col]
    q = 1.0 / (1.0 + np.sum(diff * diff, axis=1)) / kernel_sum
    return float(np.sum(P.data * np.log(P.data / q)))


def reference_p(X):
    k = min(len(X) - 1, int(3 * PERPLEXITY + 1))
    knn = NearestNeighbors(n_neighbors=k).fit(X).kneighbors_graph(mode="distance")
    knn.data **= 2
    return sklearn_tsne._joint_probabilities_nn(knn, PERPLEXITY, 0)


def runners(init, seed):
    """(name, fit, timed) for each implementation; fit(X) returns (embedding, reported KL)."""
    yield "course_utils", lambda X: _fit_ours(X, init, seed), True
    yield "scikit-learn", lambda X: _fit_sklearn(X, init, seed), True
    try:
        import openTSNE  # noqa: F401
    except ImportError:
        return
    yield "openTSNE fft", lambda X: _fit_opentsne(X, init, seed, "fft"), False
    yield "openTSNE bh", lambda X: _fit_opentsne(X, init, seed, "bh"), False


def _fit_ours(X, init, seed):
    model = TSNE(perplexity=PERPLEXITY, init=init, random_state=seed)
    return model.fit_transform(X), model.kl_divergence_


def _fit_sklearn(X, init, seed):
    model = SklearnTSNE(perplexity=PERPLEXITY, init=init, random_state=seed)
    return model.fit_transform(X), model.kl_divergence_


def _fit_opentsne(X, init, seed, method):
    import openTSNE

    embedding = openTSNE.TSNE(perplexity=PERPLEXITY, initialization=init, random_state=seed,
                              negative_gradient_method=method, n_jobs=os.cpu_count()).fit(X)
    return np.asarray(embedding), float(embedding.kl_divergence)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per seed and implementation")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)

    X = load_digits().data
    P = reference_p(X)
    print(f"digits: {X.shape[0]} points x {X.shape[1]} features, perplexity {PERPLEXITY:g}, init='pca'; "
          f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}")
    print("warm-up: one untimed course_utils fit first, so numba compilation (or loading its disk cache) "
          "is not in the timings")
    TSNE(perplexity=10, max_iter=250, random_state=0).fit(X[:200])

    configurations = [("pca", 0)] + [("random", seed) for seed in args.seeds]
    best = {}
    rows = []
    for init, seed in configurations:
        results = {}
        for _ in range(args.repeats):
            for name, fit, timed in runners(init, seed):
                if not timed and name in results:
                    continue                    # openTSNE: one run per configuration is enough for context
                start = time.perf_counter()
                Y, reported_kl = fit(X)
                elapsed = time.perf_counter() - start
                best[name] = min(best.get(name, np.inf), elapsed)
                if name not in results or elapsed < results[name][0]:
                    results[name] = (elapsed, reported_kl, Y)
        for name, (elapsed, reported_kl, Y) in results.items():
            rows.append(dict(init=init, seed=seed, name=name, time=elapsed / results["scikit-learn"][0],
                             reported=reported_kl, exact=exact_kl(P, Y),
                             trust=trustworthiness(X, Y, n_neighbors=10)))

    print(f"\n{'init':<6} {'seed':>4}  {'implementation':<14} {'time / sklearn':>14} {'reported KL':>12} "
          f"{'exact KL':>9} {'trust@10':>9}")
    for row in rows:
        print(f"{row['init']:<6} {row['seed']:>4}  {row['name']:<14} {row['time']:>13.2f}x {row['reported']:>12.4f} "
              f"{row['exact']:>9.4f} {row['trust']:>9.4f}")

    def figure(name, column, init="pca"):
        return float(np.mean([row[column] for row in rows if row["name"] == name and row["init"] == init]))

    ratio = best["course_utils"] / best["scikit-learn"]
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (the machine is shared: ratios are measured under load)")
    print(f"time: best of {args.repeats * len(configurations)} runs each (numba compiled before timing)")
    print(f"  course_utils / scikit-learn: {ratio:.2f}x (target <= 1.0x): {'MET' if ratio <= 1.0 else 'NOT MET'}")
    for name in best:
        if name.startswith("openTSNE"):
            print(f"  {name} / scikit-learn: {best[name] / best['scikit-learn']:.2f}x")
    for init in ["pca", "random"]:
        label = "init='pca', seed 0" if init == "pca" else f"init='random', mean over seeds {args.seeds}"
        kl_ours, kl_ref = figure("course_utils", "reported", init), figure("scikit-learn", "reported", init)
        exact_ours, exact_ref = figure("course_utils", "exact", init), figure("scikit-learn", "exact", init)
        trust_ours, trust_ref = figure("course_utils", "trust", init), figure("scikit-learn", "trust", init)
        change = kl_ours / kl_ref - 1.0
        print(f"{label}:")
        print(f"  reported KL: course_utils {kl_ours:.4f}, scikit-learn {kl_ref:.4f} ({100 * change:+.2f}%; "
              f"target: at most +2%): {'MET' if change <= 0.02 else 'NOT MET'}")
        print(f"  exact KL against the same P: course_utils {exact_ours:.4f}, scikit-learn {exact_ref:.4f} "
              f"({100 * (exact_ours / exact_ref - 1):+.2f}%)")
        print(f"  trustworthiness@10: course_utils {trust_ours:.4f}, scikit-learn {trust_ref:.4f} "
              f"(difference {trust_ours - trust_ref:+.4f}; target >= -0.005): "
              f"{'MET' if trust_ours >= trust_ref - 0.005 else 'NOT MET'}")
        for name in best:
            if name.startswith("openTSNE"):
                print(f"    {name}: reported KL {figure(name, 'reported', init):.4f}, exact KL "
                      f"{figure(name, 'exact', init):.4f}, trustworthiness {figure(name, 'trust', init):.4f}")


if __name__ == "__main__":
    main()
