"""Where the grading runs: a Dask ``LocalCluster`` started inside the command, or an existing Dask cluster.

``make grade`` starts one worker process per core on this machine (``LocalCluster``, scheduler and
workers on 127.0.0.1 only) and stops it at the end. With ``--scheduler tcp://host:8786`` (``SCHEDULER=`` in
make) it submits to a cluster started elsewhere (``dask scheduler`` and ``dask worker``, dask-jobqueue on a
batch system, dask-kubernetes); see instructors.md, "Grading at scale".
"""

from __future__ import annotations

import importlib.util
import logging
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dask

#: Dask re-runs a task whose worker died; after this many such re-runs a third death marks it erred, and the
#: student is reported ("grader process died"). Student code cannot kill a worker (it runs in the grading
#: child's sandboxed kernels), so a task that keeps killing workers points at the machine, not at more
#: retries. (An external scheduler reads distributed.scheduler.allowed-failures from its own config.)
ALLOWED_FAILURES = 2
WORKER_WAIT = 120  # seconds to wait for the first worker of an external cluster


class ClusterError(RuntimeError):
    """The Dask cluster could not be reached, or has no workers."""


def has_dashboard() -> bool:
    """Dask's dashboard needs bokeh; without it the cluster runs the same, without a dashboard."""
    return importlib.util.find_spec("bokeh") is not None


@contextmanager
def connect(
    workers: int, scheduler: str | None, say: Callable[[str], None], dashboard: bool = False
) -> Iterator[object]:
    """A ``distributed.Client`` for the run: a local cluster of ``workers`` processes, or the one at ``scheduler``.

    Parameters
    ----------
    workers : int
        Worker processes of the local cluster (one thread each); ignored with ``scheduler``.
    scheduler : str or None
        The address of an existing cluster's scheduler, e.g. ``tcp://10.0.0.5:8786``.
    say : callable
        Prints one line for the instructor (where the grading runs, the dashboard).
    dashboard : bool
        Start the local cluster's dashboard. Its bokeh server's periodic updates cost about 6 s of CPU in a
        20 s run of 24 notebooks on 2 cores (measured), so it is off unless asked for.
    """
    from distributed import Client, LocalCluster

    settings = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES, "distributed.worker.daemon": False}
    with dask.config.set(settings):
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0" if dashboard and has_dashboard() else None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
            where = f"a local Dask cluster of {workers} worker processes"
        else:
            cluster = None
            try:
                client = Client(scheduler, timeout="30s")
            except OSError as error:
                raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error
            where = f"the Dask cluster at {scheduler}"
        try:
            if scheduler is not None:
                try:
                    client.wait_for_workers(1, timeout=WORKER_WAIT)
                except TimeoutError as error:
                    raise ClusterError(f"the Dask cluster at {scheduler} has no workers after {WORKER_WAIT} s "
                                       "(start some with: dask worker " + scheduler + ")") from error  # fmt: skip
                threads = sum(client.nthreads().values())
                where += f" ({len(client.nthreads())} workers, {threads} threads)"
            say(f"grading on {where}")
            if dashboard_up(client.dashboard_link):
                say(f"Dask dashboard: {client.dashboard_link}")
            elif scheduler is None and not dashboard:
                say("no Dask dashboard (ask for one with --dashboard, make grade DASHBOARD=1)")
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def dashboard_up(link: str | None) -> bool:
    """True when the scheduler's dashboard answers at ``link`` (a scheduler started without one does not)."""
    if not link:
        return False
    try:
        with urllib.request.urlopen(link, timeout=3) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False
