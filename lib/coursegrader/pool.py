"""Run one grading worker per core, hand each a student at a time, and keep the class moving.

A worker is a child process (``coursegrader.worker``) in its own session. If a student takes longer
than ``student_timeout`` seconds in total, or their code kills the worker, the parent kills the worker
and everything it started (the student's kernel included), records that student's problem and starts
a fresh worker for the rest of the class.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import psutil

from .contracts import StudentOutcome, Task, WorkerSpec
from .course import WorkArea

__all__ = ["Task", "Worker", "run_pool"]


@dataclass
class Worker:
    """A running worker process and the task it is working on."""

    slot: int
    process: subprocess.Popen
    results: object  # the read end of the result pipe, as a text file
    task: Task | None = None
    started: float = 0.0


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
    psutil.wait_procs(family, timeout=10)


def is_stopped(pid: int) -> bool:
    """True if the process is stopped (SIGSTOP): it will never finish on its own."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_STOPPED
    except psutil.NoSuchProcess:
        return False


def start_worker(slot: int, spec: WorkerSpec, scratch: Path, command: list[str] | None = None) -> Worker:
    """Start worker number ``slot`` with its own work area under ``scratch``.

    ``command`` replaces ``python -m coursegrader.worker`` (tests use a fake worker).
    """
    area = WorkArea(scratch / f"worker-{slot}")
    (area.source / spec.assignment).mkdir(parents=True, exist_ok=True)
    spec_file = area.root / "spec.json"
    spec_file.write_text(json.dumps(replace(spec, work_area=str(area.root)).to_json()))
    read_end, write_end = os.pipe()
    log = open(area.root / "worker.log", "ab")  # noqa: SIM115 - lives as long as the worker
    process = subprocess.Popen(
        [*(command or [sys.executable, "-m", "coursegrader.worker"]), str(spec_file), str(write_end)],
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=log,
        pass_fds=(write_end,),
        start_new_session=True,
        text=True,
    )
    os.close(write_end)
    log.close()
    return Worker(slot, process, os.fdopen(read_end, "r"))


def stop_worker(worker: Worker, selector: selectors.BaseSelector) -> None:
    """Kill a worker and its children and forget its pipe."""
    kill_tree(worker.process.pid)
    try:
        worker.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    selector.unregister(worker.results)
    worker.results.close()
    if worker.process.stdin:
        try:
            worker.process.stdin.close()
        except OSError:
            pass


def run_pool(
    tasks: list[Task],
    spec: WorkerSpec,
    scratch: Path,
    workers: int,
    student_timeout: float,
    on_result: Callable[[Task, StudentOutcome], None],
    command: list[str] | None = None,
    timeout_status: str = "timed out",
) -> None:
    """Grade every task on ``workers`` processes; call ``on_result(task, result)`` as each student ends.

    ``result`` is the worker's report, or ``StudentOutcome(id, problem=reason)`` when the parent had to
    stop the student (``timeout_status``, ``"grader process died"``, ``"grader process stopped"``).
    An exception raised by ``on_result`` stops the whole run (every worker is killed) and propagates.
    """
    pending = deque(tasks)
    selector = selectors.DefaultSelector()
    running: dict[int, Worker] = {}
    next_slot = 0

    def launch() -> None:
        nonlocal next_slot
        worker = start_worker(next_slot, spec, scratch, command)
        next_slot += 1
        running[worker.slot] = worker
        selector.register(worker.results, selectors.EVENT_READ, worker)

    def assign(worker: Worker) -> None:
        if not pending:
            worker.task = None
            return
        worker.task = pending.popleft()
        worker.started = time.monotonic()
        line = json.dumps(worker.task.to_json())
        try:
            worker.process.stdin.write(line + "\n")
            worker.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the worker is gone: the next poll notices it

    def replace_worker(worker: Worker, problem: str) -> None:
        task = worker.task
        stop_worker(worker, selector)
        del running[worker.slot]
        if task is not None:
            on_result(task, StudentOutcome(task.student, problem=problem))
        if pending:
            launch()

    for _ in range(min(workers, len(tasks))):
        launch()
    for worker in list(running.values()):
        assign(worker)

    try:
        while any(worker.task is not None for worker in running.values()):
            for key, _ in selector.select(timeout=0.5):
                worker = key.data
                line = worker.results.readline()
                if not line:  # EOF: the worker exited
                    if worker.task is not None:
                        replace_worker(worker, "grader process died")
                    continue
                result = StudentOutcome.from_json(json.loads(line))
                if result.fatal:  # the worker stops; its student is reported with the reason
                    replace_worker(worker, result.fatal)
                    continue
                task = worker.task
                worker.task = None
                on_result(task, result)
                assign(worker)
            now = time.monotonic()
            for worker in list(running.values()):
                if worker.task is None:
                    continue
                if now - worker.started > student_timeout:
                    replace_worker(worker, timeout_status)
                elif worker.process.poll() is not None:
                    replace_worker(worker, "grader process died")
                elif is_stopped(worker.process.pid):
                    replace_worker(worker, "grader process stopped")
            for worker in list(running.values()):
                if worker.task is None and pending:
                    assign(worker)
    finally:
        for worker in list(running.values()):
            if worker.process.stdin:
                try:
                    worker.process.stdin.close()
                except OSError:
                    pass
            stop_worker(worker, selector)
        selector.close()
