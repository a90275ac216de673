"""Manifold learning estimators (notebooks 03 and 04).

Graph embeddings of notebook 03 live here; t-SNE (notebook 04) lives in
``course_utils.tsne`` and is re-exported as ``manifold.TSNE`` so that the
course mirrors ``sklearn.manifold``.
"""


def __getattr__(name):
    if name == "TSNE":
        from course_utils.tsne import TSNE

        return TSNE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
