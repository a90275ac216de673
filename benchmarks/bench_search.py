"""course_utils.search against FAISS and hnswlib on clustered 64-d vectors (notebook 06, section 6).

    python benchmarks/bench_search.py [--n 100000] [--queries 1000] [--hnsw-n 20000 100000] [--repeats 7]

Everything runs in this one process, on ONE thread for every library: FAISS is limited with
``faiss.omp_set_num_threads(1)``, hnswlib with ``num_threads=1``, NumPy's BLAS (which course_utils' exact,
IVF and PQ search use for their matrix products) with ``threadpoolctl.threadpool_limits(1)``, numba runs
single-threaded code. The machine may be shared, so each search is run ``--repeats`` times, ours and theirs
interleaved, and the figures are medians; the spread (smallest-largest ratio over the repetitions) is printed.
Times are CPU time of this process (``time.process_time``: with one thread each it is the work done, and
other jobs on the machine change it much less than wall-clock time); the wall-clock ratio is printed beside.

Data: ``--n`` vectors from 1000 Gaussian clusters in 64 dimensions (``sklearn.datasets.make_blobs``) and
``--queries`` further points of the same clusters as queries; the true 10 nearest neighbours come from FAISS's
exact ``IndexFlatL2``. Printed, for each pair of settings (ours / theirs with the same parameters):

* exact search: ids equal to FAISS's (fraction of entries), largest distance difference, QPS ratio;
* IVF (``IVFIndex`` vs ``IndexIVFFlat``, nlist 256, nprobe 1-32): recall@10 and QPS at the same nprobe
  (the k-means differ: our recall is reported beside FAISS's)          target: QPS >= 1.0x, recall not lower;
* PQ (``PQIndex`` vs ``IndexPQ``, nbits 8, m 8 and 16): recall@10 and QPS     target: QPS >= 0.6x, equal recall;
* HNSW (``HNSWIndex`` vs ``hnswlib``, M 16, ef_construction 100) on the first N vectors for each N of
  ``--hnsw-n``: build times (``--build-repeats`` each, interleaved), then recall@10 and QPS of both for
  ef_search 10-240; at equal recall means: for each recall level both curves reach (below recall 1, where
  they saturate), the best QPS of the settings reaching it      target: QPS >= 0.8x at equal recall, build
  <= 1.5x;
* the compiled IVF and PQ searches against their step-by-step NumPy versions (``search_numpy``): the
  fraction of equal ids and the largest distance difference.

A recall@10 vs queries-per-second plot of all curves is saved to ``--plot``.
"""

import argparse
import os
from pathlib import Path
import time

import faiss
import hnswlib
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from course_utils.search import FlatIndex, HNSWIndex, IVFIndex, PQIndex, recall_at_k  # noqa: E402

K = 10


def clock():
    return time.process_time(), time.perf_counter()


def since(start):
    cpu, wall = start
    return time.process_time() - cpu, time.perf_counter() - wall


def race(ours, theirs, repeats):
    """Run ours() and theirs() ``repeats`` times, interleaved; returns their results and timing summary."""
    times = {"ours": [], "theirs": []}
    results = {}
    for r in range(repeats):
        for name, run in ((("ours", ours), ("theirs", theirs)) if r % 2 == 0 else
                          (("theirs", theirs), ("ours", ours))):
            start = clock()
            results[name] = run()
            times[name].append(since(start))
    return results["ours"], results["theirs"], Timing(times["ours"], times["theirs"])


class Timing:
    """Medians of CPU and wall times of two interleaved series, and the spread of their ratio."""

    def __init__(self, ours, theirs):
        self.ours_cpu = float(np.median([t[0] for t in ours]))
        self.theirs_cpu = float(np.median([t[0] for t in theirs]))
        self.ours_wall = float(np.median([t[1] for t in ours]))
        self.theirs_wall = float(np.median([t[1] for t in theirs]))
        ratios = [b[0] / a[0] for a, b in zip(ours, theirs)]           # their time / ours = our speed-up
        self.spread = (min(ratios), max(ratios))

    def speed(self):
        """Our speed over theirs (QPS ratio) from the median CPU times, and from the median wall times."""
        return self.theirs_cpu / self.ours_cpu, self.theirs_wall / self.ours_wall

    def slowness(self):
        """Our time over theirs (build-time ratio), CPU and wall."""
        return self.ours_cpu / self.theirs_cpu, self.ours_wall / self.theirs_wall

    def spread_text(self, invert=False):
        low, high = (1 / self.spread[1], 1 / self.spread[0]) if invert else self.spread
        return f"{low:.2f}-{high:.2f}"


def verdict(ok):
    return "MET" if ok else "NOT MET"


EF_GRID = (10, 15, 20, 30, 40, 60, 80, 120, 160, 240)
RECALL_LEVELS = (0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999)


def best_qps(curve, level):
    """The highest QPS among the (recall, qps) points whose recall is at least ``level``."""
    return max(q for r, q in curve if r >= level)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--hnsw-n", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--build-repeats", type=int, default=2)
    parser.add_argument("--parts", nargs="+", default=["exact", "ivf", "pq", "hnsw"],
                        choices=["exact", "ivf", "pq", "hnsw"], help="which comparisons to run (exact always runs: "
                        "it gives the true neighbours)")
    parser.add_argument("--plot", default=str(Path(__file__).resolve().parent / "output" / "bench_search.png"))
    args = parser.parse_args()

    faiss.omp_set_num_threads(1)
    threadpool_limits(1)
    print("threads: 1 everywhere (faiss.omp_set_num_threads(1), hnswlib num_threads=1, BLAS via threadpoolctl)")
    print(f"FAISS {faiss.__version__}; {args.repeats} interleaved repetitions per search, medians of CPU time; "
          f"load average before: {os.getloadavg()[0]:.2f}")

    data, _ = make_blobs(n_samples=args.n + args.queries, n_features=64, centers=1000, cluster_std=10.0,
                         center_box=(-20, 20), random_state=0)
    data = data.astype(np.float32)
    X, Q = data[: args.n], data[args.n:]
    print(f"data: {args.n} x 64 clustered vectors (1000 clusters), {args.queries} queries, k = {K}")
    curves = {}
    met = {}

    # warm the compiled code up (compiled once, then loaded from numba's cache): not part of any timing
    warm = IVFIndex(64, nlist=4)
    warm.train(X[:500])
    warm.add(X[:500])
    warm.search(Q[:2], K)
    warm = PQIndex(64, m=8, nbits=8, n_iter=1)
    warm.train(X[:500])
    warm.add(X[:500])
    warm.search(Q[:2], K)
    warm = HNSWIndex(64, M=16, ef_construction=100)
    warm.add(X[:200])
    warm.search(Q[:2], K)

    # --- exact ---------------------------------------------------------------------------------------------------
    theirs = faiss.IndexFlatL2(64)
    theirs.add(X)
    ours = FlatIndex(64)
    ours.add(X)
    (d, i), (true_d, true_i), timing = race(lambda: ours.search(Q, K), lambda: theirs.search(Q, K), args.repeats)
    cpu, wall = timing.speed()
    print("\nexact search (FlatIndex vs IndexFlatL2)")
    print(f"  ids equal to FAISS's: {np.mean(i == true_i):.4%} of entries; recall@10 {recall_at_k(i, true_i):.4f}; "
          f"largest distance difference {np.max(np.abs(d - true_d)):.2e} (relative "
          f"{np.max(np.abs(d - true_d) / np.maximum(true_d, 1e-6)):.1e})")
    print(f"  QPS ours {len(Q) / timing.ours_cpu:9.0f}   FAISS {len(Q) / timing.theirs_cpu:9.0f}   ratio {cpu:.2f}x "
          f"(spread {timing.spread_text()}; wall-clock {wall:.2f}x)   [no target]")
    curves["exact (ours)"] = [(1.0, len(Q) / timing.ours_cpu)]
    curves["exact (FAISS)"] = [(1.0, len(Q) / timing.theirs_cpu)]

    # --- IVF -----------------------------------------------------------------------------------------------------
    if "ivf" in args.parts:
        ivf_part(args, X, Q, true_i, curves, met)
    if "pq" in args.parts:
        pq_part(args, X, Q, true_i, curves, met)
    if "hnsw" in args.parts:
        for n_h in args.hnsw_n:
            hnsw_part(args, X, Q, min(n_h, args.n), curves, met)
    finish(args, curves, met)


def ivf_part(args, X, Q, true_i, curves, met):
    nlist = 256
    ours = IVFIndex(64, nlist=nlist)
    start = clock()
    ours.train(X)
    ours.add(X)
    build_ours = since(start)[0]
    theirs = faiss.IndexIVFFlat(faiss.IndexFlatL2(64), 64, nlist)
    start = clock()
    theirs.train(X)
    theirs.add(X)
    build_theirs = since(start)[0]
    print(f"\nIVF, nlist {nlist} (IVFIndex vs IndexIVFFlat)   train+add: ours {build_ours:.1f} s, FAISS "
          f"{build_theirs:.1f} s (CPU)")
    print("  nprobe  recall ours  recall FAISS    QPS ours  QPS FAISS  ratio (spread)   wall   target: >= 1.0x, "
          "recall not lower")
    curves["IVF (ours)"], curves["IVF (FAISS)"] = [], []
    ivf_ok = []
    for nprobe in (1, 2, 4, 8, 16, 32):
        ours.nprobe = theirs.nprobe = nprobe
        (_, i_ours), (_, i_theirs), timing = race(lambda: ours.search(Q, K), lambda: theirs.search(Q, K),
                                                  args.repeats)
        r_ours, r_theirs = recall_at_k(i_ours, true_i), recall_at_k(i_theirs, true_i)
        cpu, wall = timing.speed()
        ok = cpu >= 1.0 and r_ours >= r_theirs - 0.001
        ivf_ok.append(ok)
        curves["IVF (ours)"].append((r_ours, len(Q) / timing.ours_cpu))
        curves["IVF (FAISS)"].append((r_theirs, len(Q) / timing.theirs_cpu))
        print(f"  {nprobe:6d}  {r_ours:11.4f}  {r_theirs:12.4f}  {len(Q) / timing.ours_cpu:10.0f}  "
              f"{len(Q) / timing.theirs_cpu:9.0f}  {cpu:5.2f}x ({timing.spread_text()})  {wall:5.2f}x  {verdict(ok)}")
    met["IVF: QPS >= 1.0x FAISS at nprobe 1-32, recall not lower"] = all(ivf_ok)
    ours.nprobe = 8
    d_fast, i_fast = ours.search(Q, K)
    d_slow, i_slow = ours.search_numpy(Q, K)
    print(f"  compiled search vs search_numpy (nprobe 8): ids equal {np.mean(i_fast == i_slow):.4%}, largest "
          f"distance difference {np.max(np.abs(d_fast - d_slow)):.1e}")



def pq_part(args, X, Q, true_i, curves, met):
    print("\nPQ, nbits 8 (PQIndex vs IndexPQ)")
    print("   m  recall ours  recall FAISS    QPS ours  QPS FAISS  ratio (spread)   wall  train+add ours / FAISS "
          "(s)   target: >= 0.6x, equal recall")
    curves["PQ (ours)"], curves["PQ (FAISS)"] = [], []
    pq_ok = []
    for m in (8, 16):
        ours = PQIndex(64, m=m, nbits=8)
        start = clock()
        ours.train(X)
        ours.add(X)
        t_ours = since(start)[0]
        theirs = faiss.IndexPQ(64, m, 8)
        start = clock()
        theirs.train(X)
        theirs.add(X)
        t_theirs = since(start)[0]
        (_, i_ours), (_, i_theirs), timing = race(lambda: ours.search(Q, K), lambda: theirs.search(Q, K),
                                                  args.repeats)
        r_ours, r_theirs = recall_at_k(i_ours, true_i), recall_at_k(i_theirs, true_i)
        cpu, wall = timing.speed()
        ok = cpu >= 0.6 and r_ours >= r_theirs - 0.01
        pq_ok.append(ok)
        curves["PQ (ours)"].append((r_ours, len(Q) / timing.ours_cpu))
        curves["PQ (FAISS)"].append((r_theirs, len(Q) / timing.theirs_cpu))
        print(f"  {m:2d}  {r_ours:11.4f}  {r_theirs:12.4f}  {len(Q) / timing.ours_cpu:10.0f}  "
              f"{len(Q) / timing.theirs_cpu:9.0f}  {cpu:5.2f}x ({timing.spread_text()})  {wall:5.2f}x  "
              f"{t_ours:8.1f} / {t_theirs:.1f}              {verdict(ok)}")
        d_fast, i_fast = ours.search(Q[:100], K)
        d_slow, i_slow = ours.search_numpy(Q[:100], K)
        print(f"      compiled search vs search_numpy (100 queries): ids equal {np.mean(i_fast == i_slow):.4%}, "
              f"largest distance difference {np.max(np.abs(d_fast - d_slow)):.1e}")
    met["PQ: QPS >= 0.6x FAISS at m 8 and 16, equal recall (within 0.01)"] = all(pq_ok)



def hnsw_part(args, X, Q, n_h, curves, met):
    Xh = X[:n_h]
    exact_h = faiss.IndexFlatL2(64)
    exact_h.add(Xh)
    true_h = exact_h.search(Q, K)[1]
    builds = {"ours": [], "theirs": []}
    for r in range(args.build_repeats):
        for name in (("ours", "theirs") if r % 2 == 0 else ("theirs", "ours")):
            start = clock()
            if name == "ours":
                ours = HNSWIndex(64, M=16, ef_construction=100)
                ours.add(Xh)
            else:
                theirs = hnswlib.Index(space="l2", dim=64)
                theirs.init_index(max_elements=n_h, M=16, ef_construction=100, random_seed=0)
                theirs.set_num_threads(1)
                theirs.add_items(Xh, np.arange(n_h), num_threads=1)
            builds[name].append(since(start))
    build = Timing(builds["ours"], builds["theirs"])
    slow_cpu, slow_wall = build.slowness()
    met[f"HNSW {n_h}: build time <= 1.5x hnswlib"] = slow_cpu <= 1.5
    print(f"\nHNSW on {n_h} vectors, M 16, ef_construction 100 (HNSWIndex vs hnswlib)")
    print(f"  build time (median of {args.build_repeats}, CPU): ours {build.ours_cpu:.2f} s, hnswlib "
          f"{build.theirs_cpu:.2f} s -> ratio {slow_cpu:.2f}x (spread {build.spread_text(invert=True)}; "
          f"wall-clock {slow_wall:.2f}x)  [target <= 1.5x: {verdict(slow_cpu <= 1.5)}]")
    print("  ef_search  recall ours  recall hnswlib    QPS ours  QPS hnswlib  ratio same ef (spread)   wall")
    ours_curve, theirs_curve = [], []
    for ef in EF_GRID:
        ours.ef_search = ef
        theirs.set_ef(ef)
        (_, i_ours), i_theirs, timing = race(lambda: ours.search(Q, K),
                                             lambda: theirs.knn_query(Q, k=K, num_threads=1)[0], args.repeats)
        r_ours = recall_at_k(i_ours, true_h)
        r_theirs = recall_at_k(i_theirs.astype(np.int64), true_h)
        ours_curve.append((r_ours, len(Q) / timing.ours_cpu))
        theirs_curve.append((r_theirs, len(Q) / timing.theirs_cpu))
        cpu, wall = timing.speed()
        print(f"  {ef:9d}  {r_ours:11.4f}  {r_theirs:14.4f}  {len(Q) / timing.ours_cpu:10.0f}  "
              f"{len(Q) / timing.theirs_cpu:11.0f}  {cpu:5.2f}x ({timing.spread_text()})  {wall:5.2f}x")
    # equal recall: at each level, the best QPS of the settings whose recall reaches it (as ann-benchmarks
    # plots it); only levels that both curves reach and neither has saturated at (recall 1 everywhere)
    top = min(max(r for r, _ in ours_curve), max(r for r, _ in theirs_curve))
    low = max(min(r for r, _ in ours_curve), min(r for r, _ in theirs_curve))
    levels = [level for level in RECALL_LEVELS if low <= level < top] or [low]
    print("  recall >=   best QPS ours   best QPS hnswlib   ratio   target >= 0.8x")
    hnsw_ok = []
    for level in levels:
        q_ours = best_qps(ours_curve, level)
        q_theirs = best_qps(theirs_curve, level)
        hnsw_ok.append(q_ours / q_theirs >= 0.8)
        print(f"  {level:9.3f}  {q_ours:14.0f}  {q_theirs:17.0f}  {q_ours / q_theirs:5.2f}x   "
              f"{verdict(hnsw_ok[-1])}")
    met[f"HNSW {n_h}: QPS >= 0.8x hnswlib at equal recall"] = all(hnsw_ok)
    curves[f"HNSW {n_h} (ours)"] = ours_curve
    curves[f"HNSW {n_h} (hnswlib)"] = theirs_curve

    

def finish(args, curves, met):
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    print("targets:")
    for name, ok in met.items():
        print(f"  {name}: {verdict(ok)}")

    # --- plot ----------------------------------------------------------------------------------------------------
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colours = {"exact": "k", "IVF": "C0", "PQ": "C1", "HNSW": "C2"}
    for name, points in curves.items():
        recall, qps = np.array(sorted(points)).T
        family = name.split()[0]
        ours_curve = "(ours)" in name
        ax.plot(qps, recall, marker="o" if ours_curve else "s", ls="-" if ours_curve else "--",
                color=colours[family], label=name, alpha=1.0 if ours_curve else 0.6)
    ax.set_xscale("log")
    ax.set_xlabel("queries per second (one thread, CPU time, log scale)")
    ax.set_ylabel("recall@10")
    ax.set_title(f"recall vs speed: {args.n} clustered 64-d vectors", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(args.plot, dpi=120)
    print(f"\nrecall-vs-QPS plot saved to {args.plot}")


if __name__ == "__main__":
    main()
