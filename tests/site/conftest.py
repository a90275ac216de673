"""Fixtures of the site's tests: the built site (the course's, and a small conforming fixture course), a local
HTTP server for it, and Debian's Chromium driven by Playwright (the browser fixtures of tests/browser/).

A site is built once per input state, whichever xdist worker asks first: the build lives in
``test-artifacts/site-builds/<name>/`` with a stamp of everything it was built from (a hash of the notebooks,
README.md and site/), under a file lock, so the other worker waits and reuses it.
"""

import contextlib
import fcntl
import functools
import hashlib
import http.server
from pathlib import Path
import shutil
import threading

import pytest

from tests.conftest import _unavailable
from tests.site.checks import ROOT, load_site_builder

BUILDS = ROOT / "test-artifacts" / "site-builds"
SCREENSHOTS = ROOT / "test-artifacts" / "site"
AXE = ROOT / "site" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 900}


def inputs_digest(course):
    """A hash of every file a site build reads."""
    digest = hashlib.sha256()
    course = Path(course)
    files = sorted(course.glob("solutions/*/*.ipynb")) + sorted(course.glob("notebooks/*/*.ipynb"))
    files += [course / "README.md", ROOT / "README.md"]
    files += sorted(p for p in (ROOT / "site").rglob("*") if p.is_file() and "node_modules" not in p.parts)
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(path.anchor)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def locked(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_build(name, course):
    """Build the site of ``course`` into test-artifacts/site-builds/<name>/ unless it is current; return it."""
    out = BUILDS / name
    stamp = BUILDS / f"{name}.stamp"
    with locked(BUILDS / f"{name}.lock"):
        digest = inputs_digest(course)
        if not (out.is_dir() and stamp.is_file() and stamp.read_text() == digest):
            stamp.unlink(missing_ok=True)
            load_site_builder().build(course=course, out=out)
            stamp.write_text(digest)
    return out


@pytest.fixture(scope="session")
def course_site():
    """The site of this repository's notebooks, as `make site` builds it."""
    return shared_build("course", ROOT)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` on a free port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="session")
def course_server(course_site):
    with serve(course_site) as base:
        yield base


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.is_file():
        _unavailable(f"axe-core is not installed ({AXE.relative_to(ROOT)}; run `npm ci --prefix site`, "
                     "as .ci/run does): the accessibility audit needs it")
    return AXE.read_text()


@pytest.fixture
def site_page(browser):  # noqa: F811  (the browser fixture imported above)
    """A fresh tab that may load pages of 127.0.0.1 only; requests elsewhere are blocked and recorded."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(30_000)
    outside = []

    def block(route):
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(("http://127.0.0.1:", "data:", "blob:")), block)
    tab = context.new_page()
    tab.outside_requests = outside
    try:
        yield tab
    finally:
        context.close()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.fixture(scope="session")
def fixture_course():
    """The conforming one-chapter course (tests/site/fixture_course.py), made once per version of its recipe."""
    from tests.site import fixture_course as recipe

    folder = BUILDS / "fixture-course"
    stamp = BUILDS / "fixture-course.stamp"
    digest = hashlib.sha256(Path(recipe.__file__).read_bytes()
                            + (ROOT / "course_utils" / "plotting.py").read_bytes()
                            + (ROOT / "nbgrader_config.py").read_bytes()).hexdigest()
    with locked(BUILDS / "fixture-course.lock"):
        if not (stamp.is_file() and stamp.read_text() == digest):
            stamp.unlink(missing_ok=True)
            shutil.rmtree(folder, ignore_errors=True)
            recipe.make_course(folder)
            stamp.write_text(digest)
    return folder


@pytest.fixture(scope="session")
def fixture_site(fixture_course):
    return shared_build("fixture", fixture_course)


@pytest.fixture(scope="session")
def fixture_server(fixture_site):
    with serve(fixture_site) as base:
        yield base
