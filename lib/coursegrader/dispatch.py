"""The client's side of a grading run: one Dask task per student, each result merged as it arrives.

:func:`grade_class` submits every student (in the order given) to the cluster and hands each outcome to
``on_result`` on the client, one at a time, as the tasks finish: the gradebook is written by this one
process, one transaction per student (:mod:`coursegrader.grade`). A task whose worker died is re-run by
Dask on another worker; after :data:`coursegrader.cluster.ALLOWED_FAILURES` deaths it is reported as
"grader process died". If ``on_result`` raises (a sandbox violation) or the run is interrupted (Ctrl-C),
every task not yet merged is cancelled and the workers' graders are stopped.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .contracts import StudentOutcome, Task, WorkerSpec
from .course import WorkArea, notebook_path
from .remote import Shipment, close_run, grade_on_worker
from .supervisor import DIED


def receive(future: object, task: Task, assignment: str, received: Path) -> StudentOutcome:
    """The outcome of one finished task, its autograded notebooks written under ``received`` (a work area)."""
    from distributed import KilledWorker

    if future.status == "error":
        error = future.exception()
        if isinstance(error, KilledWorker):
            return StudentOutcome(task.student, problem=DIED)
        return StudentOutcome(task.student, error="".join(traceback.format_exception(error)))
    shipment: Shipment = future.result()
    outcome = shipment.outcome
    if outcome.work_area is None:
        return outcome
    folder = notebook_path(WorkArea(received).autograded, task.student, assignment, "x").parent
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in shipment.autograded.items():
        (folder / name).write_bytes(content)
    return replace(outcome, work_area=str(received))


def grade_class(
    client: object,
    spec: WorkerSpec,
    pristine: Path,
    tasks: list[Task],
    files_of: Callable[[Task], dict[str, bytes]],
    on_result: Callable[[Task, StudentOutcome], None],
    received: Path,
    student_timeout: float,
    timeout_status: str,
    on_logs: Callable[[list[bytes]], None],
) -> None:
    """Grade ``tasks`` on the cluster of ``client``; call ``on_result(task, outcome)`` as each student ends.

    Parameters
    ----------
    client : distributed.Client
    spec : WorkerSpec
    pristine : Path
        The registered gradebook (sent once to every worker).
    tasks : list of Task
        In the order they should start.
    files_of : callable
        ``files_of(task)``: the student's submitted files, name -> bytes.
    on_result : callable
        Merges one student; an exception stops the run and propagates.
    received : Path
        A folder of the client where the autograded notebooks arrive.
    student_timeout : float
        Seconds one student may take in total, enforced on the worker.
    timeout_status : str
    on_logs : callable
        Receives the end of every grading child's log (nbgrader's output and the kernels'), however the run ends.
    """
    from distributed import as_completed

    run_id = uuid.uuid4().hex
    gradebook = client.scatter(pristine.read_bytes(), broadcast=True, hash=False)
    futures = {}
    for order, task in enumerate(tasks):
        future = client.submit(grade_on_worker, run_id, spec, gradebook, task, files_of(task), student_timeout,
                               timeout_status, key=f"grade-{task.student}-{run_id}", pure=False,
                               priority=-order)  # fmt: skip
        futures[future] = task
    try:
        for future in as_completed(futures):
            task = futures[future]
            try:
                outcome = receive(future, task, spec.assignment, received)
            finally:
                future.release()
            on_result(task, outcome)
    finally:
        client.cancel(list(futures))
        logs = client.run(close_run, run_id, on_error="ignore")
        on_logs([log for worker_logs in logs.values() if isinstance(worker_logs, list) for log in worker_logs])
