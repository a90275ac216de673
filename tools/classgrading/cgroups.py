"""Limits for a whole submission, whatever number of processes it starts: one control group per kernel.

A submission's kernel and every process it starts share one cgroup with a memory limit (all of them
together, files in its private tmpfs included), a limit on the number of processes and threads, and a CPU
quota (at most ``cpus`` cores together, so that a submission that forks busy children cannot slow the one
graded beside it by more than that). When the kernel is stopped, everything left in its group is killed.

Two layouts are supported: cgroup v2 (one unified tree, the grader needs a writable parent group with
the ``memory``, ``pids`` and ``cpu`` controllers enabled for its children, e.g. as root or in a
systemd-delegated slice: ``--cgroup-parent``), and cgroup v1 (one tree per controller under
``/sys/fs/cgroup/<controller>``, as root). :func:`find` says which one works here, or why none does.
"""

from dataclasses import dataclass
import os
from pathlib import Path
import signal
import time
import uuid

V1_CONTROLLERS = ("memory", "pids", "cpu")
CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass
class GroupLimits:
    memory: int = 4 * 2**30      # bytes, for all processes of the submission together
    pids: int = 64               # processes and threads
    cpus: float = 1.0            # cores


class _Layout:
    def __init__(self, parents, version):
        self.parents, self.version = parents, version     # v1: {controller: dir}; v2: {"unified": dir}

    def create(self, name, limits):
        folders, by = [], {}
        try:
            for controller, parent in self.parents.items():
                folder = parent / name
                folder.mkdir()
                folders.append(folder)
                by[controller] = folder
            if self.version == 2:
                folder = folders[0]
                (folder / "memory.max").write_text(str(limits.memory))
                swap = folder / "memory.swap.max"
                if swap.exists():
                    swap.write_text("0")
                (folder / "pids.max").write_text(str(limits.pids))
                (folder / "cpu.max").write_text(f"{int(limits.cpus * 100000)} 100000")
            else:
                (by["memory"] / "memory.limit_in_bytes").write_text(str(limits.memory))
                memsw = by["memory"] / "memory.memsw.limit_in_bytes"
                if memsw.exists():
                    try:
                        memsw.write_text(str(limits.memory))
                    except OSError:
                        pass
                (by["pids"] / "pids.max").write_text(str(limits.pids))
                (by["cpu"] / "cpu.cfs_period_us").write_text("100000")
                (by["cpu"] / "cpu.cfs_quota_us").write_text(str(int(limits.cpus * 100000)))
        except OSError:
            for folder in folders:
                _remove(folder)
            raise
        return Group(folders, self.version)


class Group:
    """One submission's control group (in every controller's tree for v1)."""

    def __init__(self, folders, version):
        self.folders, self.version = folders, version

    @property
    def procs_files(self):
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def pids(self):
        found = set()
        for folder in self.folders:
            try:
                found.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return found

    def memory_peak(self):
        for folder in self.folders:
            for name in ("memory.peak", "memory.max_usage_in_bytes"):
                try:
                    return int((folder / name).read_text())
                except (OSError, ValueError):
                    continue
        return None

    def kill(self, wait=5.0):
        """SIGKILL every process of the group (until none is left or ``wait`` seconds pass)."""
        if self.version == 2 and (self.folders[0] / "cgroup.kill").exists():
            try:
                (self.folders[0] / "cgroup.kill").write_text("1")
            except OSError:
                pass
        deadline = time.monotonic() + wait
        while True:
            left = self.pids()
            if not left or time.monotonic() > deadline:
                return not left
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def remove(self):
        self.kill()
        for folder in self.folders:
            _remove(folder)


def _remove(folder):
    for _ in range(50):
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


def _writable(folder):
    return folder.is_dir() and os.access(folder, os.W_OK)


def find(parent=None):
    """(layout, None) if per-submission groups can be made here, else (None, the reason as a sentence)."""
    if parent:
        parent = Path(parent)
        if not _writable(parent):
            return None, f"the cgroup parent {parent} is not a writable folder"
        controllers = (parent / "cgroup.subtree_control").read_text().split() \
            if (parent / "cgroup.subtree_control").exists() else []
        missing = [c for c in V1_CONTROLLERS if c not in controllers]
        if missing:
            return None, f"{parent} does not enable {', '.join(missing)} for its children (cgroup.subtree_control)"
        layout = _Layout({"unified": parent / f"classgrade-{os.getpid()}-{uuid.uuid4().hex[:6]}"}, 2)
    elif (CGROUP_ROOT / "cgroup.controllers").exists():
        own = Path("/proc/self/cgroup").read_text().strip().splitlines()[-1].split(":", 2)[-1]
        base = CGROUP_ROOT / own.lstrip("/")
        available = (CGROUP_ROOT / "cgroup.controllers").read_text().split()
        if not all(c in available for c in V1_CONTROLLERS) or not _writable(CGROUP_ROOT):
            return None, ("cgroup v2 is mounted but this user cannot create groups with the memory, pids and cpu "
                          "controllers; run as root, or pass --cgroup-parent with a delegated group "
                          f"(this process is in {base})")
        layout = _Layout({"unified": CGROUP_ROOT / f"classgrade-{os.getpid()}-{uuid.uuid4().hex[:6]}"}, 2)
    elif all(_writable(CGROUP_ROOT / c) for c in V1_CONTROLLERS):
        tag = f"classgrade-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        layout = _Layout({c: CGROUP_ROOT / c / tag for c in V1_CONTROLLERS}, 1)
    else:
        return None, ("no cgroup tree with the memory, pids and cpu controllers is writable here (run as root, or "
                      "pass --cgroup-parent with a delegated cgroup v2 group)")
    # the run's own group, under which each kernel gets one
    try:
        for controller, folder in layout.parents.items():
            folder.mkdir(exist_ok=True)
            if layout.version == 2:
                (folder / "cgroup.subtree_control").write_text("+memory +pids +cpu")
    except OSError as error:
        return None, f"cannot create a control group ({error})"
    return layout, None


def check(parent=None):
    """None if each submission can get its own control group here, else the reason (a sentence)."""
    layout, problem = find(parent)
    if layout is not None:
        try:
            layout.create("probe", GroupLimits()).remove()
        except OSError as error:
            problem = f"cannot set the limits of a control group ({error})"
        remove_layout(layout)
    return problem


def sweep(parent=None):
    """Remove the trees of grading processes that are gone (killed workers leave them behind)."""
    bases = [Path(parent)] if parent else [CGROUP_ROOT] + [CGROUP_ROOT / c for c in V1_CONTROLLERS]
    for base in bases:
        for folder in base.glob("classgrade-*") if base.is_dir() else []:
            try:
                pid = int(folder.name.split("-")[1])
            except (IndexError, ValueError):
                continue
            if not Path(f"/proc/{pid}").exists():
                version = 2 if (base / "cgroup.controllers").exists() or parent else 1
                remove_layout(_Layout({base.name: folder}, version))


def remove_layout(layout):
    for folder in layout.parents.values():
        for child in list(folder.iterdir()) if folder.is_dir() else []:
            if child.is_dir():
                Group([child], layout.version).remove()
        _remove(folder)
