"""Waiting for a cell's reply in short slices, so that a reply never goes unnoticed.

nbclient waits for a cell's ``execute_reply`` with a single ``shell_channel.get_msg(timeout=<cell limit>)``.
When the cell creates ipywidgets, that wait sometimes does not wake up although the reply has arrived, and
the cell then takes its whole time limit (jupyter/nbclient#312, still open): harmless for the score, costly
in time, and it turns honest cells into "timeouts". :class:`SlicedPolling` asks for the reply in slices of
at most one second until the cell's own deadline, which is the work-around the issue discusses; everything
else (outputs, timeouts, a dead kernel) is nbclient's own code.

Every notebook of this course has widgets, so every executor of its notebooks uses it: the course's
``nbgrader_config.py`` (plain ``nbgrader autograde`` and the formgrader), the class grader
(``tools/classgrading/execute.py``) and ``tools/build_notebooks.py``.
"""

from queue import Empty
from time import monotonic

from jupyter_core.utils import ensure_async

SLICE = 1.0


class SlicedPolling:
    """Mix into an nbclient ``NotebookClient`` (or nbgrader's ``Execute``) before it."""

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        channel = self.kc.shell_channel
        get_msg = channel.get_msg
        deadline = None if timeout is None else monotonic() + timeout

        async def sliced_get_msg(timeout=None):
            while True:
                left = None if deadline is None else deadline - monotonic()
                if left is not None and left <= 0:
                    raise Empty
                try:
                    return await ensure_async(get_msg(timeout=SLICE if left is None else min(SLICE, left)))
                except Empty:
                    continue

        channel.get_msg = sliced_get_msg
        try:
            return await super()._async_poll_for_reply(msg_id, cell, timeout, task_poll_output_msg,
                                                       task_poll_kernel_alive)
        finally:
            channel.get_msg = get_msg
