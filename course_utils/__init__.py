"""course_utils: the small implementation package behind the Embeddings course.

One module per idea; each module's docstring names the notebook section it
serves.

=================  =====================================================
module             what it holds (notebook)
=================  =====================================================
``linalg``         diagonal and orthogonal helpers, low-rank approximation (01)
``decomposition``  PCA (02)
``graphs``         neighbour graphs, affinities, Laplacians, centring (03)
``manifold``       ClassicalMDS, Isomap, LaplacianEigenmaps, DiffusionMap, TSNE (03, 04)
``tsne``           t-SNE: exact and Barnes-Hut (04; also as ``manifold.TSNE``)
``cluster``        SpectralClustering (03)
``information``    entropy, perplexity, KL divergence, cross-entropy (04)
``text``           tokenising, term-document/context matrices, tf-idf, PPMI, LSI (05)
``word2vec``       skip-gram with negative sampling (05)
``neural``         pooling, the offline sentence model, a small image CNN (06)
``search``         exact, IVF, PQ and HNSW vector indexes (06)
``datasets``       bundled data, found from any working directory
``plotting``       figure helpers shared by the notebooks
``checks``         helpers that the notebooks' test cells use
=================  =====================================================

Submodules are imported on first use (``course_utils.linalg`` or
``from course_utils import linalg``), so ``import course_utils`` is fast and
never imports torch; only ``course_utils.neural`` does.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "checks",
    "cluster",
    "datasets",
    "decomposition",
    "graphs",
    "information",
    "linalg",
    "manifold",
    "neural",
    "plotting",
    "search",
    "text",
    "tsne",
    "word2vec",
}

__all__ = sorted(_SUBMODULES)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
