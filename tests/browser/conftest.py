"""Fixtures of the browser test: a private JupyterLab server and Debian's Chromium driven by Playwright.

The server runs from the installed course (this interpreter's ``jupyter lab``) on a free local port with a
random token, in a temporary folder holding copies of the notebooks, with its own Jupyter config, data,
runtime, settings and workspace folders so that nothing of the person running the tests leaks in and nothing
of the test leaks out. It is stopped (its whole process group, and the kernels it started) when the test
session (or xdist worker) ends, whether the tests passed or not, and the teardown checks that the port is free
again.

Chromium: ``/usr/bin/chromium`` (Debian's package; ``CHROMIUM_PATH`` overrides). Playwright's own browser
download is not used. Where Chromium is missing the tests are skipped with the reason, except under CI
(``CI`` set), where a missing browser is a failure.
"""

from dataclasses import dataclass
import json
import os
from pathlib import Path
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import CHROMIUM_ARGS, _unavailable  # noqa: F401  (re-exported)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"

# What a student sees on a laptop screen.
VIEWPORT = {"width": 1440, "height": 900}
SERVER_START_TIMEOUT = 90  # seconds; JupyterLab starts in a few seconds, more on a loaded CI machine


# --- the JupyterLab server ----------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_listening(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _descendants(pid):
    """Process ids of all descendants of ``pid`` (the kernels a server started), on Linux via /proc."""
    children = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may contain spaces and parentheses
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stop_server(process, timeout=20):
    """Stop a server started with ``start_new_session=True``, and every kernel it started.

    SIGTERM lets JupyterLab shut its kernels down cleanly; whatever is left after ``timeout`` seconds (the
    server's process group, then each kernel it started: kernels run in their own sessions) gets SIGKILL.
    Returns the ids of processes that could not be stopped (empty when all is well).
    """
    kernels = _descendants(process.pid)
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(10)
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in kernels) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in kernels:
        if _alive(pid):
            _kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    return [pid for pid in kernels if _alive(pid)]


@dataclass
class Lab:
    """A running JupyterLab server: ``url(path)`` builds an authenticated address."""

    port: int
    token: str
    root_dir: Path
    log: Path
    process: subprocess.Popen

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def url(self, path="lab"):
        separator = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{separator}token={self.token}"

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.base}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        """End every notebook session (and its kernel), so that finished tests hold no memory."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def log_tail(self, lines=60):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _jupyter_command():
    jupyter = Path(sys.executable).parent / "jupyter"
    return [str(jupyter)] if jupyter.exists() else [sys.executable, "-m", "jupyter"]


def _write_json(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))


def start_server(home):
    """Start ``jupyter lab`` serving ``home / "lab"`` with its working directory ``home``; return a Lab.

    ``home`` mirrors ``make lab``: the server's working directory holds the course's nbgrader_config.py
    (nbgrader's Validate reads it from there) and the notebooks are served from a folder below it.
    """
    root_dir = home / "lab"
    root_dir.mkdir(exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", home / "nbgrader_config.py")
    settings = home / "jupyter" / "lab-settings"
    # No news or update check (they would try the network) and no toast asking about it.
    _write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})
    # No autosave: a save takes its snapshot of the notebook when it starts and marks the document clean when it
    # ends, so an autosave begun before the last cells ran could land after the test's Ctrl+S and leave a stale
    # file behind a clean tab (seen once in CI). The tests save with Ctrl+S, as a student does before handing in.
    _write_json(settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings",
                {"autosave": False})
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(home / "jupyter" / "config"),
        "JUPYTER_DATA_DIR": str(home / "jupyter" / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "jupyter" / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "jupyter" / "workspaces"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    # The suite sets MPLBACKEND=Agg for itself; a student's kernel has no such variable.
    env.pop("MPLBACKEND", None)
    log = home / "jupyterlab.log"
    last_error = None
    for _attempt in range(3):  # another process may take the free port between our check and the bind
        port, token = free_port(), secrets.token_hex(24)
        command = _jupyter_command() + [
            "lab", "--no-browser", "--ServerApp.open_browser=False",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
            # Nothing that would try the network: no news feed, no update check.
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # lists installed extensions; never asks PyPI
            # A safety net if this process is killed before its teardown runs: an idle server exits.
            "--ServerApp.shutdown_no_activity_timeout=900",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--ServerApp.allow_root=True")  # CI containers run as root
        with open(log, "ab") as out:
            process = subprocess.Popen(command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        lab = Lab(port=port, token=token, root_dir=root_dir, log=log, process=process)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        try:
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    lab.api("status")
                    return lab
                except (urllib.error.URLError, ConnectionError, OSError) as error:
                    last_error = error
                    time.sleep(0.3)
        except BaseException:
            stop_server(process)
            raise
        stop_server(process)
        if f"{port}" not in lab.log_tail(5) or "in use" not in lab.log_tail(5):
            break  # not a lost race for the port: trying again would not help
    raise RuntimeError(f"JupyterLab did not start ({last_error}); its log ends with:\n{lab.log_tail()}")


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory, chromium_executable):
    """One JupyterLab server per test process (xdist worker), started when a browser test first needs it.

    Session-scoped, so that however the scheduler interleaves the browser tests with others a worker
    starts at most one server; always stopped at the end, and its port checked free afterwards.
    """
    home = tmp_path_factory.mktemp("jupyterlab")
    lab = start_server(home)
    try:
        yield lab
    finally:
        survivors = stop_server(lab.process)
        deadline = time.monotonic() + 10
        while port_is_listening(lab.port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not port_is_listening(lab.port), f"port {lab.port} is still in use after stopping JupyterLab"
        assert not survivors, f"processes started by JupyterLab survived its shutdown: {survivors}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, jupyterlab, request):
    """A fresh browser tab (own storage); on failure, a screenshot of what was on screen is saved.

    Afterwards the kernels the test started are shut down (the server itself lives on for the next test).
    """
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    failure_shot = ARTIFACTS / f"FAILED-{name}.png"
    failure_shot.unlink(missing_ok=True)
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(30_000)
    # The course works offline: the page may talk to our server only. Anything else is blocked and reported.
    outside = []

    def block_outside(route):
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(jupyterlab.base + "/"), block_outside)
    tab = context.new_page()
    try:
        yield tab
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            try:
                tab.screenshot(path=str(failure_shot))
            except Exception:  # the page may be gone; the failure itself is what matters
                pass
        context.close()
        jupyterlab.shutdown_kernels()
    assert not outside, f"JupyterLab's page tried to reach other servers: {sorted(set(outside))}"
