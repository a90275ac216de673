"""Accessibility of the notebooks themselves (Notebooks for All checklist, WCAG 2.1 AA), for JupyterLab and the
site alike: every figure has a text alternative, one level-1 heading and no skipped levels, colour maps that
colour-blind readers can use, and link text that says where a link goes. The same checks pass on the conforming
fixture notebook (test_site.py::test_fixture_notebook_follows_the_conventions)."""

import nbformat
import pytest

from tests.site import checks

ROOT = checks.ROOT
CHAPTERS = checks.load_site_builder().chapter_ids(ROOT)


def solution(chapter):
    return nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_has_alt_text(chapter):
    problems = checks.figure_alt_problems(solution(chapter))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_one_title_and_no_skipped_heading_levels(chapter):
    problems = checks.heading_problems(solution(chapter))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colour_maps_are_safe_for_colour_blind_readers(chapter):
    problems = checks.colour_problems(solution(chapter))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_link_text_says_where_it_goes(chapter):
    problems = checks.link_text_problems(solution(chapter))
    assert not problems, "\n".join(problems)


def test_the_checks_catch_what_they_are_for():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(cells=[
        new_markdown_cell("## Starts at level 2\n\n#### skips a level\n\n[here](https://example.org)"),
        new_code_cell("plt.scatter(x, y, c=labels, cmap='tab20')\nplt.show()", outputs=[
            new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 480x320>"})]),
    ])
    assert len(checks.figure_alt_problems(nb)) == 2
    assert len(checks.heading_problems(nb)) == 3
    assert checks.colour_problems(nb) == ["cell 1: colour map 'tab20'"]
    assert len(checks.link_text_problems(nb)) == 1
