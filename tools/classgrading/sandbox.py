"""Run a student's kernel inside a bubblewrap sandbox, with limits for the whole submission.

The kernel that executes a submission is started by :class:`SandboxKernelManager`, a jupyter_client kernel
manager whose launch command is, whatever the notebook's kernelspec says,

    sh -c '<join the submission's cgroup>; exec "$@"' -- bwrap <namespaces> <read-only system and Python>
        <read-only course_utils/ and data/> <private tmpfs: /tmp, /dev/shm, /home/student (the working folder)>
        -- prlimit --as=<memory> --fsize=<file size> --core=0 -- python -P -m ipykernel_launcher -f /tmp/kernel.json

started with an empty environment (so nothing of the grader's environment reaches the sandbox, not even
through ``/proc/1/environ``). Inside, the repository is reduced to ``course_utils/`` and ``data/``:
``solutions/``, the gradebook, ``submitted/``, ``autograded/`` and ``feedback/`` of everybody are absent.
Everything the kernel can write is a private, size-limited tmpfs that disappears with it: no file it
writes ever reaches the grader's disk, and the working folder is neither nbgrader's output folder nor on
``sys.path`` (``python -P``). The kernel has no network; it binds its ZeroMQ sockets as Unix sockets in
its private ``/tmp``, and the grader connects to them through ``/proc/<pid>/root`` (as it reaches the
exchange folder, :mod:`classgrading.bridge`). It runs as an unprivileged user id without capabilities in
its own user, pid, mount, network, IPC and UTS namespaces, is pid 1 of its pid namespace (so when it
stops, every process it started stops too), and dies with the grader (``--die-with-parent``).

Limits: per process (``prlimit``) the address space, file size, open files and no core dumps; per
submission (:mod:`classgrading.cgroups`) memory, processes and CPU; and the tmpfs sizes.
"""

from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import select
import shutil
import signal
import subprocess
import sys
import time

from jupyter_client.manager import AsyncKernelManager
from traitlets import Any

ROOT = Path(__file__).resolve().parents[2]
INSIDE_IP = "/tmp/kernel-socket"
INSIDE_CONNECTION = "/tmp/kernel.json"
HOME = "/home/student"

# Environment of the student's kernel (nothing else). BLAS and numba use one thread: N graders share the
# N cores, and a student's code cannot take more than its share.
KERNEL_ENV = {
    "HOME": HOME,
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
    "PYTHONSAFEPATH": "1",
    "PYTHONNOUSERSITE": "1",
    "NBGRADER_EXECUTION": "autograde",
    "TQDM_DISABLE": "1",
}
# Variables that choose which machine code numerical libraries run (OpenBLAS's kernel for this CPU, MKL's
# reproducibility mode, NumPy's and numba's CPU features). The kernel gets the grader's values: the hidden
# tests recompute references in the grader, and a t-SNE run in the kernel on another BLAS kernel rounds
# differently and ends elsewhere (a machine that sets OPENBLAS_CORETYPE=Haswell on an AVX-512 CPU did that).
NUMERIC_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS",
               "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES", "NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES")


def kernel_env():
    """The student's kernel's whole environment."""
    env = dict(KERNEL_ENV, PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin")
    env.update({name: os.environ[name] for name in NUMERIC_ENV if name in os.environ})
    return env


@dataclass
class Limits:
    """Resource limits of one kernel (bytes)."""

    memory: int = 4 * 2**30          # RLIMIT_AS of every process, and the cgroup memory of the whole submission
    file_size: int = 256 * 2**20     # RLIMIT_FSIZE: largest file the kernel may write
    tmp_size: int = 512 * 2**20      # each private tmpfs (/tmp, /dev/shm, the working folder): memory too
    open_files: int = 1024           # RLIMIT_NOFILE
    processes: int = 64              # processes and threads of the whole submission (cgroup pids)
    cpus: float = 1.0                # cores the whole submission may use at once (cgroup cpu)


@dataclass
class Sandbox:
    """How a kernel is confined: what it sees read-only, and its limits."""

    limits: Limits = field(default_factory=Limits)
    readonly: list = field(default_factory=list)   # extra host paths visible read-only (same path inside)
    enabled: bool = True

    def default_readonly(self):
        """The Python installation and the parts of the repository that student code may read."""
        paths = {sys.base_prefix, sys.prefix, str(ROOT / "course_utils"), str(ROOT / "data")}
        return sorted(paths | set(map(str, self.readonly)))

    def rlimits(self):
        limits = self.limits
        return [shutil.which("prlimit") or "/usr/bin/prlimit", f"--as={limits.memory}",
                f"--fsize={limits.file_size}", "--core=0", f"--nofile={limits.open_files}", "--"]

    def command(self, inner, connection_file, info_fd):
        """The bwrap command line around ``inner`` (the kernel command, run inside)."""
        limits = self.limits
        argv = [shutil.which("bwrap") or "/usr/bin/bwrap", "--unshare-all", "--unshare-user",
                "--uid", "65534", "--gid", "65534", "--die-with-parent", "--new-session", "--as-pid-1",
                "--hostname", "grader", "--info-fd", str(info_fd)]
        argv += ["--ro-bind", "/usr", "/usr"]
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
        size = str(limits.tmp_size)
        # The private tmpfs come before the read-only binds: a course (or its virtual environment) under
        # /tmp, as a fresh clone in CI may be, is bound on top of them rather than hidden.
        argv += ["--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm",
                 "--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", HOME]
        for path in self.default_readonly():
            if Path(path).exists():
                argv += ["--ro-bind", path, path]
        mpl_cache = Path.home() / ".cache" / "matplotlib"   # font list, so each kernel need not rebuild it
        if mpl_cache.is_dir():
            argv += ["--ro-bind", str(mpl_cache), "/tmp/matplotlib"]
        # CPU topology, read by OpenBLAS, numba and torch at import time (read-only, no secrets).
        if Path("/sys/devices/system/cpu").exists():
            argv += ["--ro-bind", "/sys/devices/system/cpu", "/sys/devices/system/cpu"]
        argv += ["--ro-bind", str(connection_file), INSIDE_CONNECTION, "--chdir", HOME, "--clearenv"]
        for key, value in kernel_env().items():
            argv += ["--setenv", key, value]
        return argv + ["--"] + self.rlimits() + list(inner)


def bubblewrap_problem():
    """None if bubblewrap can create the sandbox here, else the reason it cannot (a sentence)."""
    if not shutil.which("bwrap"):
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    if not shutil.which("prlimit"):
        return "prlimit (util-linux) is not installed"
    # The namespaces and mounts the real sandbox uses, around a command that does nothing.
    try:
        result = subprocess.run(["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
                                 "--die-with-parent", "--as-pid-1", "--ro-bind", "/", "/", "--proc", "/proc",
                                 "--dev", "/dev", "--tmpfs", "/tmp", "/bin/true"],
                                capture_output=True, text=True, timeout=30, env={})
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not be started: {error}"
    if result.returncode != 0:
        return ("bubblewrap cannot create namespaces on this machine (unprivileged user namespaces disabled, "
                f"or a container that forbids them): {result.stderr.strip()}")
    return None


def _read_info(fd, timeout):
    """bwrap's JSON (with the sandbox's child pid), written on ``--info-fd`` once the sandbox is up."""
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
            try:
                return json.loads(data.decode())
            except ValueError:
                continue
    finally:
        os.close(fd)
    return None


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that always launches ``python -P -m ipykernel_launcher`` inside :class:`Sandbox`.

    The notebook's kernelspec is not used to build the command (a submission cannot choose what runs).
    ``scratch`` is a grader-only folder for the connection file and bwrap's own log.
    """

    sandbox = Any(None, allow_none=True).tag(config=False)
    scratch = Any(None, allow_none=True).tag(config=False)
    group = Any(None, allow_none=True).tag(config=False)      # the submission's cgroup (cgroups.Group)
    sandbox_pid = Any(None, allow_none=True).tag(config=False)

    def format_kernel_cmd(self, extra_arguments=None):
        connection = INSIDE_CONNECTION if self.sandbox.enabled else self.connection_file
        return [sys.executable, "-P", "-m", "ipykernel_launcher", "-f", connection, *(extra_arguments or [])]

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        read_end, write_end = os.pipe()
        os.set_inheritable(write_end, True)
        if self.sandbox.enabled:
            command = self.sandbox.command(kernel_cmd, self.connection_file, write_end)
        else:
            command = self.sandbox.rlimits() + list(kernel_cmd)
        # bwrap dies with the grading worker (and the sandbox with bwrap: --die-with-parent), so a worker that is
        # killed leaves no kernel behind
        setpriv = shutil.which("setpriv")
        if setpriv:
            command = [setpriv, "--pdeathsig", "KILL", "--", *command]
        if self.group is not None:
            joins = "; ".join(f'echo $$ > "{path}" || exit 97' for path in self.group.procs_files)
            command = ["/bin/sh", "-c", f'{joins}; exec "$@"', "sh", *command]
        log = open(Path(self.scratch) / "sandbox.log", "ab")
        env = {} if self.sandbox.enabled else dict(kernel_env(), PATH=os.environ.get("PATH", "/usr/bin:/bin"),
                                                   PYTHONPATH=str(ROOT))
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                       cwd=self.scratch, pass_fds=(write_end,), start_new_session=True)
        finally:
            os.close(write_end)
            log.close()
        provisioner = self.provisioner
        provisioner.process, provisioner.pid = process, process.pid
        try:
            provisioner.pgid = os.getpgid(process.pid)
        except OSError:
            provisioner.pgid = None
        if self.sandbox.enabled:
            info = _read_info(read_end, timeout=60)
            if not info or "child-pid" not in info:
                process.kill()
                raise RuntimeError("the sandbox could not be started: "
                                   + (Path(self.scratch) / "sandbox.log").read_text(errors="replace")[-500:])
            self.sandbox_pid = int(info["child-pid"])
            # The kernel binds its sockets in its private /tmp; the grader reaches them from outside.
            self.ip = f"/proc/{self.sandbox_pid}/root{INSIDE_IP}"
        else:
            os.close(read_end)
            self.sandbox_pid = process.pid

    async def _async_signal_kernel(self, signum):
        # The kernel is pid 1 of its own namespace, in another session: signal it, not bwrap.
        if self.sandbox_pid:
            try:
                os.kill(self.sandbox_pid, signum)
            except ProcessLookupError:
                pass
        else:
            await super()._async_signal_kernel(signum)

    async def _async_interrupt_kernel(self):
        await self._async_signal_kernel(signal.SIGINT)

    async def _async_kill_kernel(self, restart=False):
        await self._async_signal_kernel(signal.SIGKILL)
        if self.group is not None:
            self.group.kill()
        await super()._async_kill_kernel(restart=restart)

    def prepare(self, sandbox, scratch, group):
        """Set the sandbox and its folders, before the kernel is started."""
        self.sandbox, self.scratch, self.group = sandbox, scratch, group
        self.transport = "ipc"
        self.ip = INSIDE_IP if sandbox.enabled else str(Path(scratch) / "kernel-socket")
        self.connection_file = str(Path(scratch) / "kernel.json")
