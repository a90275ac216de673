"""The course website (issue 18), built from the committed notebooks as `make site` builds it.

* Nothing between nbgrader's solution or hidden-test markers reaches the site (pages, scripts, search index,
  downloadable notebooks).
* In Debian's Chromium: every page loads without console errors and without asking any other server; every
  internal link, image, stylesheet and script resolves; every figure has alt text that describes it (not a
  file name); the site's search finds a distinctive word of each chapter; axe-core's WCAG 2.1 A/AA audit finds
  no violation. Screenshots go to test-artifacts/site/.
* The same checks pass on a small conforming course (tests/site/fixture_course.py): a check that fails on the
  course's notebooks but passes there fails because of the notebooks, not because of the site.
"""

import re

import nbformat
import pytest

from tests.site import browsing, checks
from tests.site import fixture_course as recipe
from tests.site.conftest import screenshot

pytestmark = [pytest.mark.browser]

ROOT = checks.ROOT
CHAPTERS = checks.load_site_builder().chapter_ids(ROOT)
PAGES = (["index.html", "instructors.html", "contributors.html", "search.html", "genindex.html"]
         + [f"chapters/{chapter}.html" for chapter in CHAPTERS])


def _shot_name(page_path):
    return re.sub(r"[^A-Za-z0-9_-]", "-", page_path.removesuffix(".html"))


def _notebook(kind, chapter, course=ROOT):
    return nbformat.read(course / kind / chapter / f"{chapter}.ipynb", as_version=4)


# --- built without the browser ----------------------------------------------------------------------------------

def test_site_has_a_page_and_a_student_notebook_per_chapter(course_site):
    assert browsing.pages(course_site) == sorted(PAGES)
    for chapter in CHAPTERS:
        offered = (course_site / "notebooks" / f"{chapter}.ipynb").read_bytes()
        assert offered == (ROOT / "notebooks" / chapter / f"{chapter}.ipynb").read_bytes(), \
            f"the download of {chapter} must be the student notebook nbgrader generated"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_solution_or_hidden_test_reaches_the_site(course_site, chapter):
    students = [_notebook("notebooks", other) for other in CHAPTERS]
    authored = [path.read_text() for path in [ROOT / "README.md", *sorted((ROOT / "site").glob("*.md"))]]
    secrets = checks.secret_lines(_notebook("solutions", chapter), students, authored)
    assert secrets, "the solution notebook should have solution regions to protect"
    found = checks.leaks(secrets, checks.published_text(course_site))
    assert not found, "\n".join(f"{kind} text in {name}: {text[:100]!r}" for kind, text, name in found[:20])


def test_the_leak_check_sees_through_markup(tmp_path):
    """A solution line split by syntax highlighting and HTML entities is still found."""
    secret = ("solution", "return d[:, np.newaxis] * A")
    (tmp_path / "page.html").write_text('<pre><span class="k">return</span> <span class="n">d</span>[:, '
                                        '<span>np</span>.newaxis]&#32;&#42; A</pre>')
    assert checks.leaks([secret], checks.published_text(tmp_path)) == [(*secret, "page.html")]


# --- in the browser ----------------------------------------------------------------------------------------------

_VISITS = {}


@pytest.fixture
def visit(site_page, course_site, course_server):
    """Open a page once per test process and record what the tests below check (axe's audit, the slow part,
    only when asked for), so that a page is not loaded again for each of them."""
    def visit_page(page_path, axe_source=None):
        record = _VISITS.get(page_path)
        if record is None or (axe_source and "axe" not in record):
            errors = browsing.open_page(site_page, f"{course_server}/{page_path}")
            screenshot(site_page, _shot_name(page_path))
            record = {
                "load": errors + browsing.link_problems(site_page, course_site, course_server, page_path)
                + [f"asked another server: {url}" for url in site_page.outside_requests],
                "alt": browsing.alt_problems(site_page, page_path),
            }
            if axe_source:
                record["axe"] = browsing.axe_violations(site_page, axe_source)
            _VISITS[page_path] = record
        return record

    return visit_page


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_its_links_resolve_and_the_audit_passes(visit, axe_source, page_path):
    """No console error, no other server asked, every internal link/image/asset found, and no violation of
    axe-core's WCAG 2.1 A and AA rules."""
    record = visit(page_path, axe_source)
    problems = record["load"] + [f"accessibility: {line}" for line in record["axe"]]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page_path", PAGES)
def test_every_image_has_alt_text(visit, page_path):
    """Fails on chapters whose figures are shown with plt.show() instead of plotting.show(alt, fig)."""
    problems = visit(page_path)["alt"]
    assert not problems, f"{len(problems)} images without a description:\n" + "\n".join(problems[:10])


def test_search_finds_a_term_of_every_chapter(site_page, course_server):
    texts = {chapter: "\n".join(cell.source for cell in _notebook("notebooks", chapter).cells
                                if cell.cell_type == "markdown") for chapter in CHAPTERS}
    terms = browsing.distinctive_terms(texts)
    missed = []
    for chapter, term in terms.items():
        assert term, f"{chapter} has no word of its own to search for"
        found = browsing.search_results(site_page, course_server, term)
        if f"chapters/{chapter}.html" not in found:
            missed.append(f"searching {term!r} should find chapters/{chapter}.html, found {found}")
    screenshot(site_page, "search")
    assert not missed, "\n".join(missed)


# --- the conforming fixture course: every check passes -----------------------------------------------------------

def test_fixture_notebook_follows_the_conventions(fixture_course):
    nb = _notebook("solutions", recipe.CHAPTER, fixture_course)
    assert checks.figure_alt_problems(nb) == []
    assert checks.heading_problems(nb) == []
    assert checks.colour_problems(nb) == []
    assert checks.link_text_problems(nb) == []


def test_fixture_site_passes_every_check(site_page, fixture_course, fixture_site, fixture_server, axe_source):
    chapter = recipe.CHAPTER
    solution = _notebook("solutions", chapter, fixture_course)
    student = _notebook("notebooks", chapter, fixture_course)
    secrets = checks.secret_lines(solution, [student])
    texts = checks.published_text(fixture_site)
    assert {text for _, text in secrets} >= {recipe.SECRET_ANSWER,
                                            recipe.SECRET_HIDDEN,
                                            recipe.SECRET_WRITTEN}
    assert checks.leaks(secrets, texts) == []
    page_text = texts[f"chapters/{chapter}.html"]
    assert "raise NotImplementedError" in page_text, "the exercise appears as the student sees it"
    assert page_text.count("Visible tests passed.") == 1, "the visible test's source, and no output of it"
    assert "Interactive control" in page_text, "a widget is replaced by a note"
    problems = []
    for page_path in browsing.pages(fixture_site):
        problems += browsing.open_page(site_page, f"{fixture_server}/{page_path}")
        problems += browsing.link_problems(site_page, fixture_site, fixture_server, page_path)
        problems += browsing.alt_problems(site_page, page_path)
        problems += [f"{page_path}: {v}" for v in browsing.axe_violations(site_page, axe_source)]
        if page_path.startswith("chapters/"):
            screenshot(site_page, "fixture-chapter")
    problems += [f"asked another server: {url}" for url in site_page.outside_requests]
    found = browsing.search_results(site_page, fixture_server, recipe.SEARCH_TERM)
    if f"chapters/{chapter}.html" not in found:
        problems.append(f"search for {recipe.SEARCH_TERM!r} found {found}")
    assert not problems, "\n".join(problems)
