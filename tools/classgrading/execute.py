"""nbgrader's Execute preprocessor, with the grader deciding every score (the rest of the pipeline is nbgrader's).

:class:`TrustedExecute` replaces ``Execute`` in nbgrader's autograde pipeline. It walks the submitted
notebook (after nbgrader has restored every test cell from the gradebook):

* every cell that is **not** a graded test runs in the student's sandboxed kernel
  (:class:`~classgrading.sandbox.SandboxKernelManager`), as in plain nbgrader, with a per-cell time limit
  and an output limit;
* every **graded test cell** runs in this process (:class:`~classgrading.runner.TestRunner`), from the
  plan's source, on the recorded context and on the student's names fetched as plain data through the
  :class:`~classgrading.bridge.Bridge`. Its outputs (what the test printed, and its error if it failed)
  are written here; nbgrader's ``SaveAutoGrades`` then scores them by its own rule (an error scores 0).
  Test code never runs in the student's kernel, so nothing there - patched checks, hooks, transformers,
  replaced messages, a planted module - can touch the verdict, and the hidden tests' source and
  reference values are never in the kernel to be read;
* **a dead or hung kernel** (``os._exit``, a crash, the memory limit, a loop that ignores the interrupt)
  costs the cell where it happened; a new kernel is started and the cells that succeeded before are
  replayed silently, then grading goes on; after ``max_restarts`` the rest is not run;
* a **deadline** for the whole submission: cells after it are not run.

What happened to each cell is kept in :attr:`TrustedExecute.events` for the report.
"""

import asyncio
import math
from pathlib import Path
import shutil
import tempfile
import time
import uuid

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from . import bridge as bridge_module
from .bridge import SandboxFiles, StudentCodeProblem
from course_utils.polling import SlicedPolling
from .runner import TestRunner
from .sandbox import Sandbox, SandboxKernelManager

KERNEL_SIDE = "\n".join(Path(__file__).with_name(name).read_text() for name in ("wire.py", "kernel_side.py"))
INSTALL_SOURCE = f'''
def __grader_define():
    import sys, types
    module = types.ModuleType("__grader__")
    exec(compile({KERNEL_SIDE!r}, "<grader kernel side>", "exec"), module.__dict__)
    sys.modules["__grader__"] = module
__grader_define()
del __grader_define
'''


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])


def grade_id(cell, index):
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"


class TrustedExecute(SlicedPolling, Execute):
    """nbgrader's ``Execute``: student cells in a sandboxed kernel, test cells here (see the module docstring)."""

    output_limit = Integer(2_000_000, help="bytes of output one cell may produce").tag(config=True)
    max_restarts = Integer(3, help="kernel restarts per notebook before the rest is given up").tag(config=True)
    answer_timeout = Integer(15, help="seconds the kernel has to answer the grader between cells").tag(config=True)

    # Set by the worker process before grading (one submission at a time per process).
    sandbox = Sandbox()
    plans = {}                 # assignment id -> plan.Plan
    cgroups = None             # cgroups layout or None
    scratch = None             # a grader-only folder for this process
    deadline = None            # time.monotonic() after which nothing more is run
    allowed_texts = ()         # texts of the student version (the stubs' messages): not hidden from feedback
    events = []
    # Checking exercises (tests/grading): other versions of answer cells, each graded on the exercise's test
    # cells in a copy of the namespace its answer cell started from, after the notebook itself is graded.
    variants = []              # [{"key", "cell": answer grade_id, "source", "tests": [test grade_ids]}]
    variant_results = {}       # key -> {test grade_id: points}

    # ------------------------------------------------------------------ kernel
    def create_kernel_manager(self):
        folder = Path(tempfile.mkdtemp(prefix="k", dir=self.scratch or tempfile.gettempdir()))
        group = None
        if self.cgroups is not None and self.sandbox.enabled:
            from .cgroups import GroupLimits
            limits = self.sandbox.limits
            group = self.cgroups.create(f"k{uuid.uuid4().hex[:10]}", GroupLimits(
                memory=limits.memory, pids=limits.processes, cpus=limits.cpus))
        self.km = SandboxKernelManager(kernel_name="python3", config=self.config)
        self.km.prepare(self.sandbox, str(folder), group)
        self._kernel_folders.append((folder, group))
        return self.km

    async def _start_kernel(self):
        import subprocess
        self.create_kernel_manager()
        await self.async_start_new_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await self.async_start_new_kernel_client()
        reply = await self._request("", silent=False, timeout=self.startup_timeout, kind="kernel_info")
        if reply is not None and "language_info" in reply["content"]:
            self.nb.metadata["language_info"] = reply["content"]["language_info"]
        if self.sandbox.enabled:
            root, folder = f"/proc/{self.km.sandbox_pid}/root", ("tmp", ".grader")
        else:
            exchange = Path(self.km.scratch) / "exchange"
            root, folder = "/", exchange.parts[1:]
        reply = await self._request(INSTALL_SOURCE, timeout=max(60, self.answer_timeout))
        installed = None
        if reply is not None and reply["content"]["status"] == "ok":
            reply = await self._request("", timeout=max(60, self.answer_timeout), user_expressions={
                "installed": f"__import__('sys').modules['__grader__'].install({'/' + '/'.join(folder)!r})"})
            installed = reply and reply["content"].get("user_expressions", {}).get("installed", {}).get("status")
        if installed != "ok":
            raise RuntimeError("the grader's helper could not be installed in the kernel")
        self.files = SandboxFiles(root, folder)
        self._generation += 1

    async def _stop_kernel(self):
        if getattr(self, "files", None) is not None:
            self.files.close()
            self.files = None
        km = self.km
        if km is not None:
            try:
                await self._async_cleanup_kernel()
            except Exception:  # the kernel may be half dead; its process group is killed regardless
                pass
            if km.group is not None:
                km.group.kill()
        self.km = None
        self.kc = None

    async def _request(self, code, silent=True, timeout=None, user_expressions=None, kind="execute"):
        """Send one request and return its reply (None if the kernel did not answer in time or died)."""
        if kind == "kernel_info":
            msg_id = self.kc.kernel_info()
        else:
            msg_id = self.kc.execute(code, silent=silent, store_history=False,
                                     user_expressions=user_expressions or {}, stop_on_error=False)
        deadline = time.monotonic() + (timeout or self.answer_timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=min(1.0, remaining)))
            except Exception:  # queue.Empty
                if not await ensure_async(self.km.is_alive()):
                    return None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def _alive(self):
        return self.km is not None and self.kc is not None and await ensure_async(self.km.is_alive())

    async def _responsive(self):
        return await self._alive() and await self._request("", kind="kernel_info") is not None

    async def _restart_and_replay(self, reason, index):
        """New kernel, then the cells that succeeded before ``index`` again, silently. False if given up."""
        self._restarts += 1
        self.events.append({"cell": grade_id(self.nb.cells[index], index), "kind": "kernel restarted",
                            "detail": reason})
        await self._stop_kernel()
        if self._restarts > self.max_restarts:
            return False
        try:
            await self._start_kernel()
        except Exception as error:
            self.events.append({"cell": grade_id(self.nb.cells[index], index), "kind": "kernel start failed",
                                "detail": str(error)[:300]})
            return False
        for earlier in self._succeeded:
            cell = self.nb.cells[earlier]
            await self._snapshot_if_varied(cell, earlier)
            reply = await self._request(cell.source, timeout=self._cell_timeout(cell))
            if reply is None:
                if not await self._alive():
                    return await self._restart_and_replay("the kernel died while earlier cells were replayed",
                                                          index)
                break
        return True

    def _cell_timeout(self, cell):
        """Seconds ``cell`` may take: ``timeout_func(cell)`` if configured, else ``Execute.timeout``; never past
        the submission's deadline. (For a test cell, this is the budget of all the student's code it calls.)"""
        timeout = (self.timeout_func(cell) if self.timeout_func is not None else None) or self._timeout_setting \
            or 10**6
        if self.deadline is not None:
            timeout = min(timeout, max(1, math.ceil(self.deadline - time.monotonic()) + 1))
        return int(timeout)

    # ------------------------------------------------------------------ the student's code, for a test
    async def _serve(self, number, seconds, cell, budget):
        """Ask the kernel to carry out request ``number`` within ``seconds`` (called for the bridge)."""
        if self._broken:
            raise StudentCodeProblem(f"the kernel could not go on ({self._broken})", ename="KernelDied")
        expression = f"__import__('sys').modules['__grader__'].serve({int(number)})"
        reply = await self._request("", timeout=seconds, user_expressions={"r": expression})
        if reply is not None:
            return
        if not await self._alive():
            self._broken = "the kernel died"
            self.events.append({"cell": cell, "kind": "kernel died", "detail": "during a test"})
            raise StudentCodeProblem("your code stopped the kernel while this test ran it (os._exit, exit(), a "
                                     "crash, or the memory limit)", ename="KernelDied")
        self.events.append({"cell": cell, "kind": "timeout", "detail": f"no answer within {seconds:.0f} s"})
        await ensure_async(self.km.interrupt_kernel())
        if not await self._responsive():
            self._broken = "the kernel hung and did not answer an interrupt"
        raise StudentCodeProblem(f"your code did not finish within the time limit of this test "
                                 f"({budget:.0f} s for the test cell)", ename="TimeoutError")

    async def _run_test(self, cell, index):
        loop = asyncio.get_running_loop()
        gid = grade_id(cell, index)
        started = time.monotonic()
        budget = self._cell_timeout(cell)

        def serve(number, seconds):
            future = asyncio.run_coroutine_threadsafe(self._serve(number, seconds, gid, budget), loop)
            return future.result()

        def remaining():
            return budget - (time.monotonic() - started)

        bridge = bridge_module.Bridge(self.files, serve, remaining, self._generation, None)
        outputs, passed = await loop.run_in_executor(None, self.runner.run, gid, bridge)
        cell.outputs = outputs
        cell.execution_count = None
        return passed

    # ------------------------------------------------------------------ checking exercises
    async def _snapshot_if_varied(self, cell, index):
        gid = grade_id(cell, index)
        if gid in {v["cell"] for v in self.variants}:
            await self._request("", user_expressions={
                "s": f"__import__('sys').modules['__grader__'].snapshot({gid!r})"})

    async def _grade_variants(self):
        loop = asyncio.get_running_loop()
        points = {grade_id(c, i): float(c.metadata.get("nbgrader", {}).get("points") or 0)
                  for i, c in enumerate(self.nb.cells)}
        index_of = {grade_id(c, i): i for i, c in enumerate(self.nb.cells)}
        for variant in self.variants:
            if self._broken or not await self._alive():
                reason, self._broken = self._broken or "the kernel had stopped", None
                if not await self._restart_and_replay(reason, index_of.get(variant["cell"], 0)):
                    break
            budget = self._cell_timeout(self.nb.cells[index_of[variant["tests"][0]]])

            def serve(number, seconds, gid=variant["key"], budget=budget):
                future = asyncio.run_coroutine_threadsafe(self._serve(number, seconds, gid, budget), loop)
                return future.result()

            def one(variant=variant, serve=serve, budget=budget):
                started = time.monotonic()

                def remaining():
                    return budget - (time.monotonic() - started)

                setup = bridge_module.Bridge(self.files, serve, remaining, self._generation, None)
                from .runner import GradingBackend
                setup.forbid_state = GradingBackend()
                try:
                    setup.request({"op": "exec_variant", "base": variant["cell"], "label": variant["key"],
                                   "source": variant["source"]}, label=f"the answer of {variant['key']}")
                except Exception:      # an answer cell that raises: its tests find what it defined before
                    pass
                runner = self.runner.for_variant(variant["tests"][0])
                scores = {}
                for gid in variant["tests"]:
                    started = time.monotonic()
                    bridge = bridge_module.Bridge(self.files, serve, remaining, self._generation, None)
                    bridge.namespace = variant["key"]
                    _, passed = runner.run(gid, bridge)
                    scores[gid] = points.get(gid, 0.0) if passed else 0.0
                return scores

            self.variant_results[variant["key"]] = await loop.run_in_executor(None, one)

    # ------------------------------------------------------------------ outputs
    def on_cell_executed(self, **kwargs):
        self._last_reply = kwargs.get("execute_reply")
        super().on_cell_executed(**kwargs)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = sum(len(str(value)) for value in (content.get("text"), content.get("data"), content.get("traceback"),
                                                 content.get("evalue")) if value)
        self._cell_bytes += size
        if self._cell_bytes > self.output_limit:
            if not self._limit_hit:
                self._limit_hit = True
                outs.append(error_output("OutputLimitExceeded",
                                         f"the cell printed more than {self.output_limit} bytes; the rest was "
                                         "dropped and the cell was stopped"))
                if self.km is not None:
                    asyncio.ensure_future(ensure_async(self.km.interrupt_kernel()))
            return None
        return super().output(outs, msg, display_id, cell_index)

    # ------------------------------------------------------------------ the loop
    def preprocess(self, nb, resources=None, km=None):
        from nbclient import NotebookClient

        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        assignment = (resources or {}).get("nbgrader", {}).get("assignment")
        plan = self.plans.get(assignment)
        if plan is None:
            raise RuntimeError(f"no grading plan for assignment {assignment!r}")
        self.runner = TestRunner(plan, self.allowed_texts)
        self._timeout_setting = self.timeout
        self._kernel_folders = []
        self._generation = 0
        try:
            run_sync(self._execute_all)()
        finally:
            self.timeout = self._timeout_setting
            for folder, group in self._kernel_folders:
                if group is not None:
                    group.remove()
                shutil.rmtree(folder, ignore_errors=True)
        self.set_widgets_metadata()
        return self.nb, self.resources

    async def _execute_all(self):
        self._restarts = 0
        self._succeeded = []
        self._broken = None
        gave_up = False
        await self._start_kernel()
        try:
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code":
                    continue
                late = self.deadline is not None and time.monotonic() > self.deadline
                if gave_up or late:
                    why = "the kernel died or hung too often" if gave_up else "the submission's time limit was reached"
                    if late and not gave_up:
                        self.events.append({"cell": grade_id(cell, index), "kind": "deadline", "detail": why})
                        gave_up = True
                    cell.outputs = [error_output("NotRun", f"not run: {why}")]
                    continue
                if not cell.source.strip() and grade_id(cell, index) not in self.runner.plan.tests:
                    continue
                if not await self._alive() and not await self._restart_and_replay(
                        "the kernel had stopped before this cell", index):
                    gave_up = True
                    cell.outputs = [error_output("NotRun", "not run: the kernel died or hung too often")]
                    continue
                await self._snapshot_if_varied(cell, index)
                gave_up = not await self._run_cell(cell, index)
            if self.variants and not gave_up:
                await self._grade_variants()
        finally:
            await self._stop_kernel()

    async def _run_cell(self, cell, index):
        """Execute one cell. False if grading of this notebook must stop."""
        if grade_id(cell, index) in self.runner.plan.tests:
            await self._run_test(cell, index)
            if self._broken:
                reason, self._broken = self._broken, None
                return await self._restart_and_replay(reason, index)
            return True
        self._cell_bytes, self._limit_hit, self._last_reply = 0, False, None
        status, recover = "error", None
        self.timeout = self._cell_timeout(cell)
        timeout_func, self.timeout_func = self.timeout_func, None      # self.timeout holds this cell's limit
        try:
            await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1,
                                          store_history=True)
            content = (self._last_reply or {}).get("content", {})
            status = content.get("status", "error")
            if content.get("ename") == self.error_on_timeout.get("ename"):
                self.events.append({"cell": grade_id(cell, index), "kind": "timeout",
                                    "detail": f"no reply within {self.timeout:.0f} s"})
                if not await self._responsive():
                    recover = "the kernel did not come back after the timeout's interrupt"
        except DeadKernelError:
            cell.outputs.append(error_output("KernelDied", "the kernel stopped while running this cell "
                                             "(os._exit, exit(), a crash, or the memory limit)"))
            self.events.append({"cell": grade_id(cell, index), "kind": "kernel died", "detail": ""})
            recover = "the kernel died"
        except CellTimeoutError as error:
            cell.outputs.append(error_output("CellTimeoutError", f"no reply within {self.timeout:.0f} s"))
            self.events.append({"cell": grade_id(cell, index), "kind": "timeout", "detail": str(error)[:200]})
            recover = "the kernel hung and did not answer an interrupt"
        finally:
            self.timeout_func = timeout_func
        if self._limit_hit:
            self.events.append({"cell": grade_id(cell, index), "kind": "output limit",
                                "detail": f"more than {self.output_limit} bytes"})
            # Whether the interrupt stopped the cell or came after it had finished depends on timing; so that
            # the grade does not, the cell counts as failed and the kernel is replaced without it.
            recover = recover or "the cell exceeded the output limit"
        if status == "ok" and recover is None:
            self._succeeded.append(index)
        if recover is not None:
            return await self._restart_and_replay(recover, index)
        return True
