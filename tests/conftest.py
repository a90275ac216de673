"""Fixtures shared by the browser tests of JupyterLab (tests/browser/) and of the website (tests/site/).

One Playwright instance per test process: Playwright's sync API runs its own event loop while it is open, so
a second instance in the same process (a worker that runs tests of both directories) would fail to start.

Chromium: ``/usr/bin/chromium`` (Debian's package; ``CHROMIUM_PATH`` overrides). Playwright's own browser
download is not used. Where Chromium is missing the tests are skipped with the reason, except under CI
(``CI`` set), where a missing browser is a failure.
"""

import os
from pathlib import Path
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def chromium_path():
    """Debian's Chromium, or the browser named by CHROMIUM_PATH; None when absent."""
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium",
                  shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _unavailable(reason):
    """Skip outside CI; under CI the browser test must run, so a missing piece is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser test may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_executable():
    path = chromium_path()
    if path is None:
        _unavailable("Chromium is not installed (/usr/bin/chromium; `apt-get install chromium` on Debian, "
                     "or set CHROMIUM_PATH): the JupyterLab browser test needs it")
    return path


# --- the browser ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser(chromium_executable):
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (it is in the course's `dev` extra)")
    # Assertions wait up to 30 s (Playwright's default is 5 s): CI runs this beside other tests on 2 cores.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


