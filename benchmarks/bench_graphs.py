"""course_utils' graph embeddings against scikit-learn on a 5000-point Swiss roll (notebook 03).

    python benchmarks/bench_graphs.py [--n-samples 5000] [--repeats 3]

All in this one process, same data, same parameters:

* ``course_utils.manifold.Isomap``             vs ``sklearn.manifold.Isomap``            (n_neighbors=10)
* ``course_utils.manifold.LaplacianEigenmaps`` vs ``sklearn.manifold.SpectralEmbedding`` (kNN graph, 10 neighbours)
* ``course_utils.cluster.SpectralClustering``  vs ``sklearn.cluster.SpectralClustering``  (kNN graph, 10 neighbours,
  6 clusters)

Each pair runs ``repeats`` times, interleaved; the ratio uses the best (shortest) run of each, because the
machine is shared and other work only ever makes a run slower. Printed per method:

* time ratio course_utils / scikit-learn                            target <= 1.5x
* agreement: Procrustes disparity of the two embeddings            target <= 1e-6
  (for clustering: adjusted Rand index between the two labelings; scikit-learn clusters ``D^-1/2 U``, the
  course the row-normalised ``U`` of Ng, Jordan and Weiss, so near 1 rather than exactly 1 is expected;
  and, since several partitions of a roll are about equally good, the normalised cut of each labelling on
  scikit-learn's own affinity graph: the objective both minimise, lower is better),
  and for the embeddings the rank correlation of the first coordinate with the roll's true position.
"""

import argparse
import time

import numpy as np
from scipy.spatial import procrustes
from scipy.stats import spearmanr
from sklearn import cluster as sk_cluster
from sklearn import manifold as sk_manifold
from sklearn.datasets import make_swiss_roll
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import kneighbors_graph

from course_utils import cluster, manifold

N_NEIGHBORS = 10
N_CLUSTERS = 6


def pairs(seed):
    yield ("Isomap",
           lambda X: manifold.Isomap(n_neighbors=N_NEIGHBORS, random_state=seed).fit_transform(X),
           lambda X: sk_manifold.Isomap(n_neighbors=N_NEIGHBORS).fit_transform(X), "embedding")
    yield ("Laplacian eigenmaps",
           lambda X: manifold.LaplacianEigenmaps(n_neighbors=N_NEIGHBORS, random_state=seed).fit_transform(X),
           lambda X: sk_manifold.SpectralEmbedding(n_neighbors=N_NEIGHBORS, affinity="nearest_neighbors",
                                                   random_state=seed).fit_transform(X), "embedding")
    yield ("spectral clustering",
           lambda X: cluster.SpectralClustering(N_CLUSTERS, n_neighbors=N_NEIGHBORS, random_state=seed).fit_predict(X),
           lambda X: sk_cluster.SpectralClustering(N_CLUSTERS, affinity="nearest_neighbors", n_neighbors=N_NEIGHBORS,
                                                   random_state=seed).fit_predict(X), "labels")


def normalized_cut(labels, X):
    """Sum over clusters of cut(A, rest) / vol(A) on scikit-learn's symmetrised kNN connectivity graph."""
    A = kneighbors_graph(X, n_neighbors=N_NEIGHBORS, include_self=True)
    W = 0.5 * (A + A.T)
    degree = np.asarray(W.sum(axis=1)).ravel()
    total = 0.0
    for k in np.unique(labels):
        inside = labels == k
        within = W[inside][:, inside].sum()
        total += (degree[inside].sum() - within) / degree[inside].sum()
    return total


def best_time(fn, X):
    start = time.perf_counter()
    result = fn(X)
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X, position = make_swiss_roll(n_samples=args.n_samples, noise=0.05, random_state=args.seed)
    print(f"Swiss roll: {X.shape[0]} points in 3-D, {N_NEIGHBORS} neighbours, best of {args.repeats} runs each\n")
    print(f"{'method':<22}{'course_utils':>14}{'scikit-learn':>14}{'ratio':>8}   agreement")
    ratios = {}
    for name, ours, theirs, kind in pairs(args.seed):
        ours(X[:300]), theirs(X[:300])                    # warm-up (imports, first-call costs)
        times_ours, times_theirs = [], []
        for _ in range(args.repeats):
            t, result_ours = best_time(ours, X)
            times_ours.append(t)
            t, result_theirs = best_time(theirs, X)
            times_theirs.append(t)
        ratio = min(times_ours) / min(times_theirs)
        ratios[name] = ratio
        if kind == "embedding":
            _, _, disparity = procrustes(result_ours, result_theirs)
            rho = max(abs(spearmanr(result_ours[:, j], position).statistic) for j in range(result_ours.shape[1]))
            agreement = f"Procrustes disparity {disparity:.2e} (target <= 1e-6); |rank corr| with roll position {rho:.3f}"
        else:
            agreement = (f"adjusted Rand vs scikit-learn {adjusted_rand_score(result_ours, result_theirs):.4f}; "
                         f"normalised cut {normalized_cut(result_ours, X):.4f} vs {normalized_cut(result_theirs, X):.4f}")
        print(f"{name:<22}{min(times_ours):>13.3f}s{min(times_theirs):>13.3f}s{ratio:>7.2f}x   {agreement}")
    worst = max(ratios, key=ratios.get)
    verdict = "met" if ratios[worst] <= 1.5 else "NOT met"
    print(f"\nworst time ratio {ratios[worst]:.2f}x ({worst}); target <= 1.5x: {verdict}")


if __name__ == "__main__":
    main()
