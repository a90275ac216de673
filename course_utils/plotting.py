"""Figure helpers shared by the notebooks (all notebooks).

Small on purpose: each helper draws one kind of picture that several
sections need, on an ``Axes`` the caller provides. :func:`show` displays a
finished figure together with its text alternative: the course site turns it into
the image's ``alt`` attribute, and the notebook keeps it in the output (its
metadata and its plain-text form) for nbconvert and text-only front ends.
JupyterLab 4's image renderer does not read it (it sets no ``alt`` on the
image), so in JupyterLab itself a screen reader gets no text for the figure.
"""

import base64

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse

__all__ = ["use_course_style", "show", "draw_vectors", "covariance_ellipse", "matrix_heatmap"]

MIN_ALT_WORDS = 5


def show(alt, fig=None):
    """Display ``fig`` (default: the current figure) with the text alternative ``alt``, then close it.

    ``alt`` says what the figure shows, in a sentence or two ("Scatter plot of 300 points along a line; the
    colour runs from dark at the lower left to bright at the upper right."). It becomes the image's
    ``alt`` text (in the output's metadata, where nbconvert and the course site read it) and the
    output's plain-text form (what a text-only front end shows). JupyterLab 4 displays the PNG and does not
    read either, so the surrounding text must not rely on the figure alone.
    """
    from IPython.display import display
    from IPython.core.pylabtools import print_figure

    if not isinstance(alt, str) or len(alt.split()) < MIN_ALT_WORDS:
        raise ValueError(f"alt should describe the figure in words (at least {MIN_ALT_WORDS}), got {alt!r}")
    fig = plt.gcf() if fig is None else fig
    png = print_figure(fig, "png", bbox_inches="tight")
    display({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt}, raw=True,
            metadata={"image/png": {"alt": alt}})
    plt.close(fig)


def use_course_style():
    """Small, legible figures with a fixed size, so notebooks look the same everywhere."""
    plt.rcParams.update({
        "figure.figsize": (6.0, 4.0),
        "figure.dpi": 80,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "image.cmap": "viridis",
    })


def draw_vectors(ax, vectors, origin=(0.0, 0.0), colors=None, labels=None, **kwargs):
    """Draw each *column* of the 2 x m array ``vectors`` as an arrow from ``origin``."""
    vectors = np.asarray(vectors, dtype=float).reshape(2, -1)
    colors = colors or [f"C{i}" for i in range(vectors.shape[1])]
    for j in range(vectors.shape[1]):
        ax.annotate("", xy=(origin[0] + vectors[0, j], origin[1] + vectors[1, j]), xytext=origin,
                    arrowprops=dict(arrowstyle="->", color=colors[j], lw=2, **kwargs))
        if labels is not None:
            ax.text(origin[0] + 1.08 * vectors[0, j], origin[1] + 1.08 * vectors[1, j], labels[j],
                    color=colors[j], ha="center", va="center")


def covariance_ellipse(ax, mean, cov, n_std=2.0, **kwargs):
    """Draw the ellipse ``(x - mean)^T cov^-1 (x - mean) = n_std^2`` of a 2-D Gaussian.

    Its axes point along the eigenvectors of ``cov`` with half-lengths
    ``n_std * sqrt(eigenvalue)``.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(np.asarray(cov, dtype=float))
    major = eigenvectors[:, 1]
    angle = np.degrees(np.arctan2(major[1], major[0]))
    width, height = 2 * n_std * np.sqrt(np.clip(eigenvalues[::-1], 0, None))
    kwargs.setdefault("fill", False)
    kwargs.setdefault("lw", 2)
    ellipse = Ellipse(xy=mean, width=width, height=height, angle=angle, **kwargs)
    ax.add_patch(ellipse)
    return ellipse


def matrix_heatmap(ax, M, title=None, vmax=None, cmap="RdBu_r", labels=None, value_label=None, axis_label=None):
    """Show a matrix as a colour map centred on zero, with a colour bar.

    ``labels`` name the rows and columns (the same names for both), ``axis_label`` says what they are (one text for
    both axes, e.g. "feature"), ``value_label`` what the colours mean (the colour bar's label).
    """
    M = np.asarray(M, dtype=float)
    vmax = float(np.abs(M).max()) if vmax is None else vmax
    image = ax.imshow(M, cmap=cmap, vmin=-vmax, vmax=vmax)
    ax.grid(False)
    if labels is not None:
        ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
    if axis_label:
        ax.set_xlabel(axis_label)
        ax.set_ylabel(axis_label)
    if title:
        ax.set_title(title)
    bar = plt.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    if value_label:
        bar.set_label(value_label)
    return image
