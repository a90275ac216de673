"""course_utils.tsne.TSNE against scikit-learn (digits) and openTSNE (20,000 points), one thread each (notebook 04).

    python benchmarks/bench_tsne.py [--seeds 0 1 2] [--repeats 2] [--large-n 20000] [--large-repeats 2]

Everything runs in this one process on ONE thread: numba's loops are single-threaded, scikit-learn's OpenMP and
every BLAS are limited with ``threadpoolctl.threadpool_limits(1)``, openTSNE gets ``n_jobs=1``. The machine
may be shared, so runs are interleaved (ours, theirs, ours, ...) and the figures are medians of CPU time
(``time.process_time``: with one thread it is the work done, and other jobs change it far less than wall-clock
time, which is printed beside); the spread (smallest-largest ratio) is printed too. course_utils compiles its
Barnes-Hut loops with numba on first use (and caches them); a warm-up fit runs before any timing (the
compilation itself is measured by ``bench_first_use.py``).

1. Digits (1797 x 64), perplexity 30, ``method="barnes_hut"``, ``angle=0.5`` for both, scikit-learn's default
   schedule (which ours follows): ``init="pca"`` with seed 0 (the main configuration), and ``init="random"``
   with each of ``--seeds`` (how much KL and trustworthiness move between runs). Targets: time <= 0.7x
   scikit-learn's; final KL (as each reports it) within 1% of scikit-learn's (and, as a common yardstick, the
   exact KL(P || Q) of each embedding against the same sparse P, scikit-learn's, with the exact Q over all
   pairs); trustworthiness (10 neighbours) no more than 0.005 below.

2. ``--large-n`` points (20,000 by default) from a generated Gaussian mixture in 50 dimensions (20 clusters of
   different spreads), perplexity 30: our ``TSNE()`` with its defaults (Barnes-Hut, 1000 iterations) against
   ``openTSNE.TSNE(n_jobs=1)`` with its defaults (at this size: FFT-accelerated interpolation, Annoy neighbours,
   250 + 500 iterations). Both times include the nearest neighbours and P. KL: each embedding's exact
   KL(P || Q) against the same P (ours, from the exact 90 nearest neighbours; Q over all pairs, in blocks).
   Targets: time <= 1.5x openTSNE's at equal KL (ours at most 1% above).
"""

import argparse
import os
import time
import warnings

import numpy as np
from scipy.spatial.distance import cdist, pdist
from sklearn.datasets import load_digits, make_blobs
from sklearn.manifold import TSNE as SklearnTSNE
from sklearn.manifold import _t_sne as sklearn_tsne
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from course_utils import tsne
from course_utils.tsne import TSNE

PERPLEXITY = 30.0


def verdict(ok):
    return "MET" if ok else "NOT MET"


def exact_kl(P_sparse, Y, block=2000):
    """KL(P || Q) in nats over P's stored pairs, with the exact Q (all pairs; the normaliser in blocks)."""
    if len(Y) <= 5000:
        kernel_sum = 2.0 * np.sum(1.0 / (1.0 + pdist(Y, "sqeuclidean")))
    else:
        kernel_sum = 0.0
        for start in range(0, len(Y), block):
            kernel_sum += np.sum(1.0 / (1.0 + cdist(Y[start:start + block], Y, "sqeuclidean")))
        kernel_sum -= len(Y)                                       # the diagonal, w_ii = 1
    P = P_sparse.tocoo()
    diff = Y[P.row] - Y[P.col]
    q = 1.0 / (1.0 + np.sum(diff * diff, axis=1)) / kernel_sum
    return float(np.sum(P.data * np.log(P.data / q)))


def reference_p(X):
    k = min(len(X) - 1, int(3 * PERPLEXITY + 1))
    knn = NearestNeighbors(n_neighbors=k).fit(X).kneighbors_graph(mode="distance")
    knn.data **= 2
    return sklearn_tsne._joint_probabilities_nn(knn, PERPLEXITY, 0)


def timed(fit):
    cpu, wall = time.process_time(), time.perf_counter()
    result = fit()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def interleaved(fits, repeats):
    """Run each of ``fits`` (name -> callable) ``repeats`` times, alternating the order; returns
    name -> list of (result, cpu seconds, wall seconds)."""
    runs = {name: [] for name in fits}
    names = list(fits)
    for r in range(repeats):
        for name in (names if r % 2 == 0 else names[::-1]):
            runs[name].append(timed(fits[name]))
    return runs


def median(runs, column):
    return float(np.median([run[column] for run in runs]))


def spread(ours, theirs):
    ratios = [a[1] / b[1] for a, b in zip(ours, theirs)]
    return f"{min(ratios):.2f}-{max(ratios):.2f}"


def digits_part(args):
    X = load_digits().data
    P = reference_p(X)
    print(f"\n1. digits: {X.shape[0]} points x {X.shape[1]} features, perplexity {PERPLEXITY:g}, Barnes-Hut, "
          f"angle 0.5, {args.repeats} interleaved runs per configuration")
    configurations = [("pca", 0)] + [("random", seed) for seed in args.seeds]
    rows, all_runs = [], {"course_utils": [], "scikit-learn": []}
    for init, seed in configurations:
        def ours():
            model = TSNE(perplexity=PERPLEXITY, init=init, random_state=seed)
            return model.fit_transform(X), model.kl_divergence_

        def theirs():
            model = SklearnTSNE(perplexity=PERPLEXITY, init=init, random_state=seed)
            return model.fit_transform(X), model.kl_divergence_

        runs = interleaved({"course_utils": ours, "scikit-learn": theirs}, args.repeats)
        for name, series in runs.items():
            all_runs[name] += series
            Y, reported = series[0][0]
            rows.append(dict(init=init, seed=seed, name=name, cpu=median(series, 1), wall=median(series, 2),
                             reported=reported, exact=exact_kl(P, Y), trust=trustworthiness(X, Y, n_neighbors=10)))
        ratio = rows[-2]["cpu"] / rows[-1]["cpu"]
        print(f"  init={init!r:9} seed {seed}: course_utils {rows[-2]['cpu']:.2f} s, scikit-learn {rows[-1]['cpu']:.2f} s "
              f"CPU (ratio {ratio:.2f}x, spread {spread(runs['course_utils'], runs['scikit-learn'])}; wall "
              f"{rows[-2]['wall'] / rows[-1]['wall']:.2f}x); KL {rows[-2]['reported']:.4f} / {rows[-1]['reported']:.4f}, "
              f"exact KL {rows[-2]['exact']:.4f} / {rows[-1]['exact']:.4f}, trustworthiness "
              f"{rows[-2]['trust']:.4f} / {rows[-1]['trust']:.4f}")

    def figure(name, column, init):
        return float(np.mean([row[column] for row in rows if row["name"] == name and row["init"] == init]))

    ratio = median(all_runs["course_utils"], 1) / median(all_runs["scikit-learn"], 1)
    wall = median(all_runs["course_utils"], 2) / median(all_runs["scikit-learn"], 2)
    met = {"digits: time <= 0.7x scikit-learn": ratio <= 0.7}
    print(f"  time, median over all {len(all_runs['course_utils'])} runs each: course_utils / scikit-learn "
          f"{ratio:.2f}x CPU (spread {spread(all_runs['course_utils'], all_runs['scikit-learn'])}; wall-clock "
          f"{wall:.2f}x)  [target <= 0.7x: {verdict(ratio <= 0.7)}]")
    for init in ["pca", "random"]:
        label = "init='pca', seed 0" if init == "pca" else f"init='random', mean over seeds {args.seeds}"
        kl_ours, kl_ref = figure("course_utils", "reported", init), figure("scikit-learn", "reported", init)
        exact_ours, exact_ref = figure("course_utils", "exact", init), figure("scikit-learn", "exact", init)
        trust_ours, trust_ref = figure("course_utils", "trust", init), figure("scikit-learn", "trust", init)
        change = kl_ours / kl_ref - 1.0
        kl_ok, trust_ok = change <= 0.01, trust_ours >= trust_ref - 0.005
        met[f"digits {label}: KL within 1%"] = kl_ok
        met[f"digits {label}: trustworthiness"] = trust_ok
        print(f"  {label}:")
        print(f"    reported KL: course_utils {kl_ours:.4f}, scikit-learn {kl_ref:.4f} ({100 * change:+.2f}%; target: "
              f"at most +1%): {verdict(kl_ok)}")
        print(f"    exact KL against the same P: course_utils {exact_ours:.4f}, scikit-learn {exact_ref:.4f} "
              f"({100 * (exact_ours / exact_ref - 1):+.2f}%)")
        print(f"    trustworthiness@10: course_utils {trust_ours:.4f}, scikit-learn {trust_ref:.4f} (difference "
              f"{trust_ours - trust_ref:+.4f}; target >= -0.005): {verdict(trust_ok)}")
    return met


def large_part(args):
    try:
        import openTSNE
    except ImportError:
        print("\n2. skipped: openTSNE is not installed (pip install -e '.[bench]')")
        return {}
    stds = np.linspace(1.0, 4.0, 20)
    X, _ = make_blobs(n_samples=args.large_n, n_features=50, centers=20, cluster_std=stds, center_box=(-10, 10),
                      random_state=0)
    P = tsne.joint_probabilities_nn(X, PERPLEXITY)
    print(f"\n2. {args.large_n} points from a Gaussian mixture in 50-D (20 clusters, spreads 1-4), perplexity "
          f"{PERPLEXITY:g}; openTSNE {openTSNE.__version__}; {args.large_repeats} interleaved runs each")

    def ours():
        model = TSNE(perplexity=PERPLEXITY, random_state=0)
        return model.fit_transform(X)

    def theirs():
        return np.asarray(openTSNE.TSNE(perplexity=PERPLEXITY, n_jobs=1, random_state=0).fit(X))

    runs = interleaved({"course_utils": ours, "openTSNE": theirs}, args.large_repeats)
    kl = {name: exact_kl(P, series[0][0]) for name, series in runs.items()}
    ratio = median(runs["course_utils"], 1) / median(runs["openTSNE"], 1)
    wall = median(runs["course_utils"], 2) / median(runs["openTSNE"], 2)
    change = kl["course_utils"] / kl["openTSNE"] - 1
    print(f"  time (CPU, median): course_utils {median(runs['course_utils'], 1):.1f} s, openTSNE "
          f"{median(runs['openTSNE'], 1):.1f} s -> ratio {ratio:.2f}x (spread "
          f"{spread(runs['course_utils'], runs['openTSNE'])}; wall-clock {wall:.2f}x)  "
          f"[target <= 1.5x: {verdict(ratio <= 1.5)}]")
    print(f"  exact KL against the same P: course_utils {kl['course_utils']:.4f}, openTSNE {kl['openTSNE']:.4f} "
          f"({100 * change:+.2f}%; target: at most +1%): {verdict(change <= 0.01)}")
    return {f"{args.large_n} points: time <= 1.5x openTSNE": ratio <= 1.5,
            f"{args.large_n} points: KL within 1% of openTSNE's": change <= 0.01}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per digits configuration and library")
    parser.add_argument("--large-n", type=int, default=20_000)
    parser.add_argument("--large-repeats", type=int, default=2)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    threadpool_limits(1)
    print(f"one thread everywhere (threadpoolctl, numba single-threaded, openTSNE n_jobs=1); {os.cpu_count()} cores; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    TSNE(perplexity=10, max_iter=250, random_state=0).fit(load_digits().data[:200])     # warm-up (numba)
    met = digits_part(args)
    if not args.skip_large:
        met.update(large_part(args))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    print("targets:")
    for name, ok in met.items():
        print(f"  {name}: {verdict(ok)}")


if __name__ == "__main__":
    main()
