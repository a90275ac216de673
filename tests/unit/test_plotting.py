"""course_utils.plotting.show: a figure is displayed with its text alternative, and a missing one is refused."""

import base64

import matplotlib
import matplotlib.pyplot as plt
import pytest

from course_utils import plotting

matplotlib.use("Agg")


def test_show_displays_the_png_with_its_alt_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    alt = "A straight line rising from 1 to 3 over three points."
    plotting.show(alt, fig)
    (bundle,), options = shown[0]
    assert options["raw"] and options["metadata"] == {"image/png": {"alt": alt}}
    assert bundle["text/plain"] == alt
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number), "the figure should be closed, so the inline backend does not draw it again"


@pytest.mark.parametrize("alt", ["", "figure", None, "a plot of it"])
def test_show_refuses_an_empty_or_token_alt_text(alt):
    fig = plt.figure()
    with pytest.raises(ValueError, match="alt should describe the figure"):
        plotting.show(alt, fig)
    plt.close(fig)


def test_matrix_heatmap_labels_its_axes_and_its_colour_bar():
    fig, ax = plt.subplots()
    plotting.matrix_heatmap(ax, [[1.0, -0.5], [-0.5, 1.0]], labels=["a", "b"], axis_label="feature",
                            value_label="correlation")
    bar_axes = [other for other in fig.axes if other is not ax]
    assert ax.get_xlabel() == ax.get_ylabel() == "feature"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert len(bar_axes) == 1 and "correlation" in (bar_axes[0].get_ylabel(), bar_axes[0].get_xlabel())
    plt.close(fig)
