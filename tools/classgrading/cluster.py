"""Grading on a dask.distributed cluster: each submission is one dask task on a worker of the cluster.

``--scheduler tcp://HOST:PORT`` uses a running cluster; ``--scheduler local:N`` starts a ``LocalCluster`` of
N worker processes on this machine (what the tests use). Only this module imports dask, and only then.

* Every worker of the cluster gets the grading settings once, through a worker plugin (also the ones that
  join later): the course's config, a snapshot of the gradebook, the plans; it builds its own scratch
  course, its own control groups and its sandboxed kernels exactly as a local worker does
  (:func:`classgrading.worker.init`). A task is the submission's bytes; its result is data. The parent alone
  merges results into the gradebook, each as it arrives.
* A worker must grade one submission at a time (one thread per worker process): ``dask worker --nthreads 1``.
* A worker that dies while it grades (killed, out of memory) has its task moved to another worker by the
  scheduler, up to ``distributed.scheduler.allowed-failures`` times (``ALLOWED_FAILURES`` here, for local
  clusters; the scheduler's own setting otherwise): at the next death the submission is reported as not
  gradable. A task's
  result is merged once: dask hands each finished task to the client once.
* A scheduler that disappears stops the run with a message; what was merged stays merged, and
  ``--resume`` grades what is missing.
"""

import uuid

ALLOWED_FAILURES = 2        # retries of a submission whose worker died; it is given up at the 3rd death
# A dask worker samples the stack of the thread that runs its task every 10 ms (its statistical profiler): for
# a task that grades a whole notebook that is pure overhead. Local clusters switch it off; workers started by
# hand are told to in the README (DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False).
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


def _plugin(settings):
    from distributed import WorkerPlugin

    class Settings(WorkerPlugin):
        """Prepares each worker (now and when it joins) for grading."""

        name = "classgrading-settings"

        def __init__(self, settings):
            self.settings = settings

        def setup(self, worker):
            from . import worker as grading_worker

            grading_worker.init(self.settings)

    return Settings(settings)


def _grade(task):
    from . import worker as grading_worker

    return grading_worker.grade(task)


def _client(scheduler):
    import dask
    from distributed import Client, LocalCluster

    if scheduler.startswith("local:"):
        workers = int(scheduler.split(":", 1)[1])
        dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                         "distributed.worker.daemon": False, **WORKER_CONFIG})
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               memory_limit=0, silence_logs=40)
        return Client(cluster), cluster
    return Client(scheduler, timeout="30s"), None


def run_on_cluster(tasks, settings, scheduler, failed_result):
    """Grade ``tasks`` on the cluster; yields each result as it arrives (see the module docstring)."""
    from distributed import as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    client, cluster = _client(scheduler)
    try:
        client.register_plugin(_plugin(settings), name="classgrading-settings")
        futures = {}
        for task in tasks:
            key = f"grade-{task[0]}-{task[1]}-{uuid.uuid4().hex[:8]}"
            futures[client.submit(_grade, task, key=key, pure=False, retries=0)] = task
        for future in as_completed(futures):
            task = futures[future]
            try:
                yield future.result()
            except KilledWorker:
                yield failed_result(task, "the grading worker died while grading this submission, every time "
                                          "it was tried (the scheduler's distributed.scheduler.allowed-failures "
                                          "retries)")
            except (FutureCancelledError, OSError, TimeoutError) as error:
                raise SystemExit(f"the dask scheduler {scheduler} went away ({type(error).__name__}); the results "
                                 "received so far are in the gradebook: run again with --resume to grade the rest")
            except Exception as error:
                yield failed_result(task, f"the grading worker failed: {error!r}")
            finally:
                future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
