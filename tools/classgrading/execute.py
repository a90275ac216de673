"""nbgrader's Execute preprocessor, hardened for a class of untrusted submissions.

:class:`GuardedExecute` replaces ``Execute`` in nbgrader's autograde pipeline
(everything else in the pipeline is nbgrader's own). On top of nbgrader's
behaviour (per-cell timeout with interrupt; an ``execute_reply`` with status
``error`` but no error output, e.g. a hidden traceback, still fails the cell):

* the kernel is started by :class:`~classgrading.sandbox.SandboxKernelManager`
  (bubblewrap, memory and file-size limits), whatever the notebook's kernelspec;
* **output limit**: a cell that produces more than ``output_limit`` bytes of output
  is stopped; the rest of its output is dropped (the grader's memory is safe);
* **dead or hung kernel** (``os._exit``, ``exit()``, a crash, a loop that ignores
  the interrupt): the cell fails, a new kernel is started and the cells that
  succeeded before it are replayed silently, then grading goes on; so such a
  cell costs only its own exercise. After ``max_restarts`` the remaining cells
  are marked as not run;
* **integrity guard** around every graded test cell (:mod:`classgrading.guard`);
* a failed test cell cannot be turned into partial credit by an ``execute_result``
  that the student's code emitted before the failure.

What happened to each cell is kept in :attr:`GuardedExecute.events` for the report.
"""

import ast
import asyncio
from pathlib import Path
import shutil
import tempfile
import time

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from .guard import CHECK_AFTER_TEST_EXPRESSION, CHECK_EXPRESSION, GUARD_SOURCE, INSTALL_EXPRESSION
from .sandbox import Sandbox, SandboxKernelManager

INTEGRITY_ERROR = "GraderIntegrityError"


def error_output(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])


def is_graded_test(cell):
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def grade_id(cell, index):
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index}"


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` with a sandboxed kernel, an output limit, kernel recovery and a guard."""

    output_limit = Integer(2_000_000, help="bytes of output one cell may produce").tag(config=True)
    max_restarts = Integer(3, help="kernel restarts per notebook before the rest is given up").tag(config=True)
    answer_timeout = Integer(15, help="seconds the kernel has to answer the grader between cells").tag(config=True)

    # Set by the worker process before grading (one submission at a time per process).
    sandbox = Sandbox()
    socket_root = None
    events = []

    # ------------------------------------------------------------------ kernel
    def create_kernel_manager(self):
        root = self.socket_root or tempfile.gettempdir()
        sockets = Path(tempfile.mkdtemp(prefix="k", dir=root))
        self.km = SandboxKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "k"),
                                       connection_file=str(sockets / "kernel.json"), config=self.config)
        self.km.sandbox = self.sandbox
        self.km.socket_dir = sockets
        self._socket_dirs.append(sockets)
        return self.km

    async def _start_kernel(self):
        import subprocess
        self.create_kernel_manager()
        await self.async_start_new_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await self.async_start_new_kernel_client()
        reply = await self._request("", silent=False, timeout=self.startup_timeout, kind="kernel_info")
        if reply is not None and "language_info" in reply["content"]:
            self.nb.metadata["language_info"] = reply["content"]["language_info"]
        reply = await self._request(GUARD_SOURCE, timeout=max(60, self.answer_timeout))
        if reply is not None and reply["content"]["status"] == "ok":
            reply = await self._request("", timeout=max(60, self.answer_timeout),
                                        user_expressions={"installed": INSTALL_EXPRESSION})
        installed = reply and reply["content"].get("user_expressions", {}).get("installed", {}).get("status")
        if installed != "ok":
            raise RuntimeError("the grader's integrity guard could not be installed in the kernel")

    async def _stop_kernel(self):
        if self.km is not None:
            try:
                await self._async_cleanup_kernel()
            except Exception:  # the kernel may be half dead; its process group is killed regardless
                pass
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
                                "detail": str(error)})
            return False
        for earlier in self._succeeded:
            cell = self.nb.cells[earlier]
            reply = await self._request(cell.source, timeout=self._get_timeout(cell))
            if reply is None:
                if not await self._alive():
                    return await self._restart_and_replay("the kernel died while earlier cells were replayed",
                                                          index)
                break
        return True

    # ------------------------------------------------------------------ guard
    async def _guard(self, after_test=False):
        expression = CHECK_AFTER_TEST_EXPRESSION if after_test else CHECK_EXPRESSION
        reply = await self._request("", user_expressions={"findings": expression})
        if reply is None:
            return ["the kernel did not answer the grader's integrity check"]
        result = reply["content"].get("user_expressions", {}).get("findings", {})
        if result.get("status") != "ok":
            return ["the grader's integrity guard was removed or broken"]
        try:
            findings = ast.literal_eval(result["data"]["text/plain"])
        except (KeyError, ValueError, SyntaxError):
            return ["the grader's integrity guard answered nonsense"]
        return [str(finding) for finding in findings] if isinstance(findings, list) else \
            ["the grader's integrity guard answered nonsense"]

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
        self._socket_dirs = []
        try:
            run_sync(self._execute_all)()
        finally:
            for folder in self._socket_dirs:
                shutil.rmtree(folder, ignore_errors=True)
        self.set_widgets_metadata()
        return self.nb, self.resources

    async def _execute_all(self):
        self._restarts = 0
        self._succeeded = []
        gave_up = False
        await self._start_kernel()
        try:
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code":
                    continue
                if gave_up:
                    cell.outputs = [error_output("NotRun", "not run: the kernel died or hung too often")]
                    continue
                if not cell.source.strip():
                    continue
                if not await self._alive() and not await self._restart_and_replay(
                        "the kernel had stopped before this cell", index):
                    gave_up = True
                    cell.outputs = [error_output("NotRun", "not run: the kernel died or hung too often")]
                    continue
                gave_up = not await self._run_cell(cell, index)
        finally:
            await self._stop_kernel()

    async def _run_cell(self, cell, index):
        """Execute one cell with the guard around graded tests. False if grading of this notebook must stop."""
        test = is_graded_test(cell)
        findings = await self._guard() if test else []
        self._cell_bytes, self._limit_hit, self._last_reply = 0, False, None
        status, recover = "error", None
        try:
            await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1,
                                          store_history=True)
            content = (self._last_reply or {}).get("content", {})
            status = content.get("status", "error")
            if content.get("ename") == self.error_on_timeout.get("ename"):
                self.events.append({"cell": grade_id(cell, index), "kind": "timeout",
                                    "detail": f"no reply within {self.timeout} s"})
                if not await self._responsive():
                    recover = "the kernel did not come back after the timeout's interrupt"
        except DeadKernelError:
            cell.outputs.append(error_output("KernelDied", "the kernel stopped while running this cell "
                                             "(os._exit, exit(), a crash, or the memory limit)"))
            self.events.append({"cell": grade_id(cell, index), "kind": "kernel died", "detail": ""})
            recover = "the kernel died"
        except CellTimeoutError as error:
            cell.outputs.append(error_output("CellTimeoutError", f"no reply within {self.timeout} s"))
            self.events.append({"cell": grade_id(cell, index), "kind": "timeout", "detail": str(error)[:200]})
            recover = "the kernel hung and did not answer an interrupt"
        if self._limit_hit:
            self.events.append({"cell": grade_id(cell, index), "kind": "output limit",
                                "detail": f"more than {self.output_limit} bytes"})
            # Whether the interrupt stopped the cell or came after it had finished depends on timing; so that
            # the grade does not, the cell counts as failed and the kernel is replaced without it.
            recover = recover or "the cell exceeded the output limit"
        if test and recover is None:
            findings += await self._guard(after_test=True)
        if findings:
            unique = list(dict.fromkeys(findings))
            cell.outputs.append(error_output(INTEGRITY_ERROR, "; ".join(unique)))
            self.events.append({"cell": grade_id(cell, index), "kind": "tampering", "detail": "; ".join(unique)})
        if test and any(out.output_type == "error" for out in cell.outputs):
            # a failed test earns nothing, whatever execute_result the student's code emitted first
            cell.outputs = [out for out in cell.outputs if out.output_type != "execute_result"]
        if status == "ok" and recover is None and not findings:
            self._succeeded.append(index)
        if recover is not None:
            return await self._restart_and_replay(recover, index)
        return True
