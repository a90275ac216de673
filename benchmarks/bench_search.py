"""course_utils.search against FAISS and hnswlib on clustered 64-d vectors (notebook 06, section 6).

    python benchmarks/bench_search.py [--n 100000] [--queries 1000] [--hnsw-n 20000] [--plot PATH]

Everything runs in this one process, on ONE thread for every library: FAISS is limited with
``faiss.omp_set_num_threads(1)``, hnswlib with ``num_threads=1``, and NumPy's BLAS (which course_utils' exact,
IVF and PQ search use for their matrix products) with ``threadpoolctl.threadpool_limits(1)``. Each search is
timed as the best of ``--repeats`` runs (the machine may be shared; other work only ever slows a run down).

Data: ``--n`` vectors from 1000 Gaussian clusters in 64 dimensions (``sklearn.datasets.make_blobs``) and
``--queries`` further points of the same clusters as queries; the true 10 nearest neighbours come from FAISS's
exact ``IndexFlatL2``. Printed, for each pair of settings (ours / theirs with the same parameters):

* exact search: ids equal to FAISS's (fraction of entries), largest distance difference, QPS ratio;
* IVF (``IVFIndex`` vs ``IndexIVFFlat``, nlist 256, nprobe 1-32): recall@10 and QPS   targets: recall >= 0.9,
  QPS >= 0.3x FAISS at equal settings;
* PQ (``PQIndex`` vs ``IndexPQ``, nbits 8, m 8 and 16): recall@10 and QPS;
* HNSW (``HNSWIndex`` vs ``hnswlib``, M 16, ef_construction 100, ef_search 10-160) on the first ``--hnsw-n``
  vectors, with build times                                              target: recall@10 >= 0.9.

A recall@10 vs queries-per-second plot of all curves is saved to ``--plot``.
"""

import argparse
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


def timed_search(search, Q, repeats):
    best, result = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = search(Q)
        best = min(best, time.perf_counter() - start)
    return result, len(Q) / best


def timed(callable_):
    start = time.perf_counter()
    out = callable_()
    return out, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--hnsw-n", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plot", default=str(Path(__file__).resolve().parent / "output" / "bench_search.png"))
    args = parser.parse_args()

    faiss.omp_set_num_threads(1)
    threadpool_limits(1)
    print("threads: 1 everywhere (faiss.omp_set_num_threads(1), hnswlib num_threads=1, BLAS via threadpoolctl)")

    data, _ = make_blobs(n_samples=args.n + args.queries, n_features=64, centers=1000, cluster_std=10.0,
                         center_box=(-20, 20), random_state=0)
    data = data.astype(np.float32)
    X, Q = data[: args.n], data[args.n:]
    print(f"data: {args.n} x 64 clustered vectors (1000 clusters), {args.queries} queries, k = {K}")
    curves = {}

    # --- exact ---------------------------------------------------------------------------------------------------
    theirs = faiss.IndexFlatL2(64)
    theirs.add(X)
    (true_d, true_i), qps_theirs = timed_search(lambda q: theirs.search(q, K), Q, args.repeats)
    ours = FlatIndex(64)
    ours.add(X)
    (d, i), qps_ours = timed_search(lambda q: ours.search(q, K), Q, args.repeats)
    print("\nexact search (FlatIndex vs IndexFlatL2)")
    print(f"  ids equal to FAISS's: {np.mean(i == true_i):.4%} of entries; recall@10 {recall_at_k(i, true_i):.4f}; "
          f"largest distance difference {np.max(np.abs(d - true_d)):.2e} (relative "
          f"{np.max(np.abs(d - true_d) / np.maximum(true_d, 1e-6)):.1e})")
    print(f"  QPS ours {qps_ours:9.0f}   FAISS {qps_theirs:9.0f}   ratio {qps_ours / qps_theirs:.2f}x")
    curves["exact (ours)"] = [(1.0, qps_ours)]
    curves["exact (FAISS)"] = [(1.0, qps_theirs)]

    # --- IVF -----------------------------------------------------------------------------------------------------
    nlist = 256
    ours = IVFIndex(64, nlist=nlist)
    _, train_ours = timed(lambda: ours.train(X))
    _, add_ours = timed(lambda: ours.add(X))
    theirs = faiss.IndexIVFFlat(faiss.IndexFlatL2(64), 64, nlist)
    _, train_theirs = timed(lambda: theirs.train(X))
    _, add_theirs = timed(lambda: theirs.add(X))
    print(f"\nIVF, nlist {nlist} (IVFIndex vs IndexIVFFlat)   train+add: ours {train_ours + add_ours:.1f} s, "
          f"FAISS {train_theirs + add_theirs:.1f} s")
    print("  nprobe  recall ours  recall FAISS    QPS ours  QPS FAISS  ratio")
    curves["IVF (ours)"], curves["IVF (FAISS)"] = [], []
    for nprobe in (1, 2, 4, 8, 16, 32):
        ours.nprobe = theirs.nprobe = nprobe
        (_, i_ours), q_ours = timed_search(lambda q: ours.search(q, K), Q, args.repeats)
        (_, i_theirs), q_theirs = timed_search(lambda q: theirs.search(q, K), Q, args.repeats)
        r_ours, r_theirs = recall_at_k(i_ours, true_i), recall_at_k(i_theirs, true_i)
        curves["IVF (ours)"].append((r_ours, q_ours))
        curves["IVF (FAISS)"].append((r_theirs, q_theirs))
        flag = "   <- recall >= 0.9" if r_ours >= 0.9 else ""
        print(f"  {nprobe:6d}  {r_ours:11.4f}  {r_theirs:12.4f}  {q_ours:10.0f}  {q_theirs:9.0f}  "
              f"{q_ours / q_theirs:5.2f}x{flag}")

    # --- PQ ------------------------------------------------------------------------------------------------------
    print("\nPQ, nbits 8 (PQIndex vs IndexPQ)")
    print("   m   bytes/vector  recall ours  recall FAISS    QPS ours  QPS FAISS  ratio  train ours / FAISS (s)")
    curves["PQ (ours)"], curves["PQ (FAISS)"] = [], []
    for m in (8, 16):
        ours = PQIndex(64, m=m, nbits=8)
        _, t_ours = timed(lambda: (ours.train(X), ours.add(X)))
        theirs = faiss.IndexPQ(64, m, 8)
        _, t_theirs = timed(lambda: (theirs.train(X), theirs.add(X)))
        (_, i_ours), q_ours = timed_search(lambda q: ours.search(q, K), Q, args.repeats)
        (_, i_theirs), q_theirs = timed_search(lambda q: theirs.search(q, K), Q, args.repeats)
        r_ours, r_theirs = recall_at_k(i_ours, true_i), recall_at_k(i_theirs, true_i)
        curves["PQ (ours)"].append((r_ours, q_ours))
        curves["PQ (FAISS)"].append((r_theirs, q_theirs))
        print(f"  {m:2d}  {m:12d}  {r_ours:11.4f}  {r_theirs:12.4f}  {q_ours:10.0f}  {q_theirs:9.0f}  "
              f"{q_ours / q_theirs:5.2f}x  {t_ours:.1f} / {t_theirs:.1f}")

    # --- HNSW ----------------------------------------------------------------------------------------------------
    n_h = min(args.hnsw_n, args.n)
    Xh = X[:n_h]
    exact_h = faiss.IndexFlatL2(64)
    exact_h.add(Xh)
    true_h = exact_h.search(Q, K)[1]
    HNSWIndex(64, M=16, ef_construction=100).add(Xh[:200])          # compile (or load numba's cache) untimed
    ours = HNSWIndex(64, M=16, ef_construction=100)
    _, build_ours = timed(lambda: ours.add(Xh))
    theirs = hnswlib.Index(space="l2", dim=64)
    theirs.init_index(max_elements=n_h, M=16, ef_construction=100, random_seed=0)
    theirs.set_num_threads(1)
    _, build_theirs = timed(lambda: theirs.add_items(Xh, np.arange(n_h), num_threads=1))
    print(f"\nHNSW on {n_h} vectors, M 16, ef_construction 100 (HNSWIndex vs hnswlib)")
    print(f"  build time: ours {build_ours:.2f} s, hnswlib {build_theirs:.2f} s (ratio {build_ours / build_theirs:.2f}x)")
    print("  ef_search  recall ours  recall hnswlib    QPS ours  QPS hnswlib  ratio")
    curves["HNSW (ours)"], curves["HNSW (hnswlib)"] = [], []
    for ef in (10, 20, 40, 80, 160):
        ours.ef_search = ef
        theirs.set_ef(ef)
        (_, i_ours), q_ours = timed_search(lambda q: ours.search(q, K), Q, args.repeats)
        (i_theirs, _), q_theirs = timed_search(lambda q: theirs.knn_query(q, k=K, num_threads=1), Q, args.repeats)
        r_ours, r_theirs = recall_at_k(i_ours, true_h), recall_at_k(i_theirs.astype(np.int64), true_h)
        curves["HNSW (ours)"].append((r_ours, q_ours))
        curves["HNSW (hnswlib)"].append((r_theirs, q_theirs))
        flag = "   <- recall >= 0.9" if r_ours >= 0.9 else ""
        print(f"  {ef:9d}  {r_ours:11.4f}  {r_theirs:14.4f}  {q_ours:10.0f}  {q_theirs:11.0f}  "
              f"{q_ours / q_theirs:5.2f}x{flag}")

    # --- plot ----------------------------------------------------------------------------------------------------
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colours = {"exact": "k", "IVF": "C0", "PQ": "C1", "HNSW": "C2"}
    for name, points in curves.items():
        recall, qps = np.array(points).T
        family = name.split()[0]
        ours_curve = "(ours)" in name
        ax.plot(qps, recall, marker="o" if ours_curve else "s", ls="-" if ours_curve else "--",
                color=colours[family], label=name, alpha=1.0 if ours_curve else 0.6)
    ax.set_xscale("log")
    ax.set_xlabel("queries per second (one thread, log scale)")
    ax.set_ylabel("recall@10")
    ax.set_title(f"recall vs speed: {args.n} clustered 64-d vectors (HNSW: {n_h})", fontsize=10)
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(args.plot, dpi=120)
    print(f"\nrecall-vs-QPS plot saved to {args.plot}")


if __name__ == "__main__":
    main()
