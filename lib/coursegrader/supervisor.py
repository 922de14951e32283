"""One grading child process, kept alive across students and stopped the moment a student goes wrong.

Every Dask worker of a grading run (:mod:`coursegrader.remote`) grades through a :class:`GraderProcess`:
a child ``python -m coursegrader.worker`` in its own session that imports nbgrader once and then grades
one student per request. Student code runs in that child's kernels, never in the Dask worker, so
whatever a notebook does (hang, stop or kill the process that runs its kernel, exhaust memory) ends at
the child: if a student takes longer than the time limit in total, or the child dies or is stopped, the
supervisor kills the child and everything it started, reports that student's problem and starts a fresh
child for the next one. The Dask worker itself, and the rest of the class, never notice.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import psutil

from .contracts import StudentOutcome, Task, WorkerSpec
from .course import WorkArea
from .sandbox.watch import is_zombie

DIED = "grader process died"
STOPPED = "grader process stopped"
CANCELLED = "grading cancelled (the run stopped)"
POLL = 0.25  # seconds between looks at a running child


def kill_tree(pid: int) -> None:
    """Kill a process and all its descendants (a kernel runs in a session of its own)."""
    try:
        parent = psutil.Process(pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for process in family:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    # A dead grandchild waiting for init to reap it has ended (psutil's wait_procs waited for the reaping too,
    # the last two seconds of a run).
    deadline = time.monotonic() + 10
    while not all(is_zombie(process.pid) for process in family) and time.monotonic() < deadline:
        time.sleep(0.01)


def is_stopped(pid: int) -> bool:
    """True if the process is stopped (SIGSTOP): it will never finish on its own."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_STOPPED
    except psutil.NoSuchProcess:
        return False


class GraderProcess:
    """A supervised ``coursegrader.worker`` child working in ``area`` (started on first use, restarted after a failure).

    Parameters
    ----------
    spec : WorkerSpec
        The run's settings; its ``work_area`` is set to ``area``.
    area : Path
        This child's own folder (nbgrader's work area, gradebook copies, its log ``worker.log``).
    command : list of str, optional
        Replaces ``python -m coursegrader.worker`` (tests use a fake worker).
    """

    def __init__(self, spec: WorkerSpec, area: Path, command: list[str] | None = None) -> None:
        self.area = WorkArea(area)
        self.spec = replace(spec, work_area=str(area))
        self.command = command or [sys.executable, "-m", "coursegrader.worker"]
        self.process: subprocess.Popen | None = None
        self.results = None  # the read end of the child's private result pipe, as a text file
        self.library_differs = False  # set by coursegrader.remote: this machine's course library is not the client's
        self.closed = False  # after close(): no child is started again
        self.lock = threading.Lock()  # close() may come from another thread than grade()

    def start(self) -> None:
        (self.area.source / self.spec.assignment).mkdir(parents=True, exist_ok=True)
        spec_file = self.area.root / "spec.json"
        spec_file.write_text(json.dumps(self.spec.to_json()))
        read_end, write_end = os.pipe()
        # nbgrader reads an nbgrader_config.py from its current folder and from Jupyter's config folder: the
        # child gets empty ones, so the course's settings are the spec's alone, wherever the worker was started
        # (a `dask worker` started in some other course's folder would otherwise grade with its gradebook).
        quiet = self.area.root / "jupyter-config"
        quiet.mkdir(exist_ok=True)
        with open(self.area.root / "worker.log", "ab") as log:
            self.process = subprocess.Popen(
                [*self.command, str(spec_file), str(write_end)],
                cwd=self.area.root,
                env={**os.environ, "JUPYTER_CONFIG_DIR": str(quiet)},
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=log,
                pass_fds=(write_end,),
                start_new_session=True,
                text=True,
            )
        os.close(write_end)
        self.results = os.fdopen(read_end, "r")

    def grade(self, task: Task, timeout: float, timeout_status: str = "timed out") -> StudentOutcome:
        """Grade one student: the child's answer, or ``StudentOutcome(student, problem=reason)`` if it was stopped.

        Reasons: ``timeout_status`` (more than ``timeout`` seconds in total), :data:`DIED`, :data:`STOPPED`,
        or the child's own ``fatal`` message (it cannot go on, e.g. its pristine gradebook changed).
        """
        with self.lock:
            if self.closed:
                return StudentOutcome(task.student, problem=CANCELLED)
            if self.process is None:
                self.start()
            process, results = self.process, self.results
        try:
            process.stdin.write(json.dumps(task.to_json()) + "\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return self.fail(task, DIED)
        started = time.monotonic()
        with selectors.DefaultSelector() as selector:
            selector.register(results, selectors.EVENT_READ)
            while True:
                if self.closed:
                    return self.fail(task, CANCELLED)
                if selector.select(timeout=POLL):
                    try:
                        line = results.readline()
                    except (OSError, ValueError):  # closed by close() from another thread
                        line = ""
                    if not line:  # EOF: the child exited
                        return self.fail(task, CANCELLED if self.closed else DIED)
                    outcome = StudentOutcome.from_json(json.loads(line))
                    if outcome.fatal:
                        return self.fail(task, outcome.fatal)
                    if outcome.violation:  # the child stops after a violation; the run stops too
                        self.stop()
                    return outcome
                if time.monotonic() - started > timeout:
                    return self.fail(task, timeout_status)
                if process.poll() is not None:
                    return self.fail(task, DIED)
                if is_stopped(process.pid):
                    return self.fail(task, STOPPED)

    def fail(self, task: Task, problem: str) -> StudentOutcome:
        self.stop()
        return StudentOutcome(task.student, problem=problem)

    def stop(self) -> None:
        """Kill the child and its children; the next :meth:`grade` starts a fresh one."""
        with self.lock:
            process, results = self.process, self.results
            self.process = self.results = None
        if process is None:
            return
        kill_tree(process.pid)
        for stream in (process.stdin, results):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        """Stop the child for good: a :meth:`grade` running now ends "cancelled", and no child starts again."""
        self.closed = True
        self.stop()
