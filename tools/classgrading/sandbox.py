"""Run a student's kernel inside a bubblewrap sandbox, with resource limits.

The kernel that executes a submission is started by :class:`SandboxKernelManager`,
a jupyter_client kernel manager whose launch command is

    bwrap <namespaces> <read-only system> <read-only Python> <read-only course_utils/ and data/>
          <private /tmp> <the submission's working folder, writable> <the kernel's socket folder, writable>
          -- prlimit --as=<memory> --fsize=<file size> --core=0 -- python -m ipykernel_launcher -f <connection file>

whatever the notebook's kernelspec says. Inside the sandbox the repository is
reduced to ``course_utils/``, ``data/`` (and the virtual environment when it
lives in the repository): ``solutions/``, the gradebook, ``submitted/`` and
``autograded/`` of everybody (this student included) are simply absent. The
kernel has no network (``--unshare-net``), so it talks to the grader over
ZeroMQ's ``ipc`` transport (Unix sockets in a folder that only this kernel and
the grader see), cannot see or signal other processes (``--unshare-pid``),
runs as an unprivileged user id without capabilities in its own user
namespace, and dies with the grader (``--die-with-parent``).
"""

from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
import subprocess
import sys

from jupyter_client.manager import AsyncKernelManager
from traitlets import Any

ROOT = Path(__file__).resolve().parents[2]

# Environment of the student's kernel (everything else is cleared). BLAS and
# numba use one thread: N graders share the N cores, and a student's code
# cannot take more than its share.
KERNEL_ENV = {
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "MPLCONFIGDIR": "/tmp/matplotlib",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "NBGRADER_EXECUTION": "autograde",
    "TQDM_DISABLE": "1",
}


@dataclass
class Limits:
    """Resource limits of one kernel (bytes)."""

    memory: int = 4 * 2**30          # RLIMIT_AS: address space of every process in the sandbox
    file_size: int = 256 * 2**20     # RLIMIT_FSIZE: largest file the kernel may write
    tmp_size: int = 512 * 2**20      # size of the private /tmp (a tmpfs, so it is memory too)
    open_files: int = 1024           # RLIMIT_NOFILE


@dataclass
class Sandbox:
    """How a kernel is confined: what it sees read-only, and its limits."""

    limits: Limits = field(default_factory=Limits)
    readonly: list = field(default_factory=list)   # extra host paths visible read-only (same path inside)
    enabled: bool = True

    def default_readonly(self):
        """The Python installation and the parts of the repository that student code may read."""
        paths = {sys.base_prefix, sys.prefix, str(ROOT / "course_utils"), str(ROOT / "data")}
        cache = Path.home() / ".cache" / "matplotlib"   # font list, so each kernel need not rebuild it
        if cache.is_dir():
            paths.add(str(cache))
        return sorted(paths | set(map(str, self.readonly)))

    def command(self, inner, cwd, sockets):
        """The full launch command for ``inner`` (the kernel command), with ``cwd`` and ``sockets`` writable."""
        limits = self.limits
        rlimits = ["prlimit", f"--as={limits.memory}", f"--fsize={limits.file_size}", "--core=0",
                   f"--nofile={limits.open_files}", "--"]
        if not self.enabled:
            return rlimits + list(inner)
        argv = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
                "--die-with-parent", "--new-session", "--hostname", "grader"]
        for top in ("usr",):
            argv += ["--ro-bind", f"/{top}", f"/{top}"]
        for link in ("bin", "lib", "lib64", "sbin"):
            target = Path("/") / link
            if target.is_symlink():
                argv += ["--symlink", os.readlink(target), f"/{link}"]
            elif target.is_dir():
                argv += ["--ro-bind", str(target), str(target)]
        # Only the few files of /etc that programs need (no secrets, no host configuration).
        for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "localtime", "mime.types",
                     "fonts", "ssl", "alternatives"):
            path = Path("/etc") / name
            if path.exists():
                argv += ["--ro-bind", str(path), str(path)]
        # The private /tmp comes before the read-only binds: a course (or its virtual environment) that
        # lives under /tmp, as a fresh clone in CI may, is bound on top of it rather than hidden by it.
        argv += ["--proc", "/proc", "--dev", "/dev",
                 "--size", str(limits.tmp_size), "--tmpfs", "/tmp"]
        mpl_cache = Path.home() / ".cache" / "matplotlib"
        for path in self.default_readonly():
            if Path(path).exists() and path != str(mpl_cache):
                argv += ["--ro-bind", path, path]
        if mpl_cache.is_dir():
            argv += ["--ro-bind", str(mpl_cache), "/tmp/matplotlib"]
        # CPU topology, read by OpenBLAS, numba and torch at import time (read-only, no secrets).
        for path in ("/sys/devices/system/cpu",):
            if Path(path).exists():
                argv += ["--ro-bind", path, path]
        argv += ["--bind", str(sockets), str(sockets), "--bind", str(cwd), str(cwd), "--chdir", str(cwd),
                 "--clearenv"]
        env = dict(KERNEL_ENV, PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin")
        for key, value in env.items():
            argv += ["--setenv", key, value]
        return argv + ["--"] + rlimits + list(inner)


def bubblewrap_problem():
    """None if bubblewrap can create the sandbox here, else the reason it cannot (a sentence)."""
    if not shutil.which("bwrap"):
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    if not shutil.which("prlimit"):
        return "prlimit (util-linux) is not installed"
    # The namespaces and mounts the real sandbox uses, around a command that does nothing.
    try:
        result = subprocess.run(["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
                                 "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
                                 "--tmpfs", "/tmp", "/bin/true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not be started: {error}"
    if result.returncode != 0:
        return ("bubblewrap cannot create namespaces on this machine (unprivileged user namespaces disabled, "
                f"or a container that forbids them): {result.stderr.strip()}")
    return None


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that always launches ``python -m ipykernel_launcher`` inside :class:`Sandbox`.

    The notebook's kernelspec is not used to build the command (a submission
    cannot choose what runs). The connection file and the ``ipc`` sockets live in
    ``socket_dir``, a fresh folder per kernel that the grader removes afterwards.
    """

    sandbox = Any(None, allow_none=True, help="the Sandbox; None = the worker's default").tag(config=False)
    socket_dir = Any(None, allow_none=True).tag(config=False)

    def format_kernel_cmd(self, extra_arguments=None):
        inner = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file, *(extra_arguments or [])]
        cwd = self._launch_args.get("cwd") or os.getcwd()
        return self.sandbox.command(inner, cwd=cwd, sockets=self.socket_dir)
