"""What runs on a Dask worker: grade one student sent by the client, and send back what the grading produced.

A Dask task of a grading run calls :func:`grade_on_worker` with the run's :class:`~coursegrader.contracts.WorkerSpec`,
the pristine gradebook's bytes (sent once per worker), the student's :class:`~coursegrader.contracts.Task` and
the student's submitted files. Nothing is read from the instructor's disk, so a worker may run on another
machine (``dask worker``, dask-jobqueue, dask-kubernetes) with the same environment installed.

Each worker process keeps one :class:`~coursegrader.supervisor.GraderProcess` per run and per worker thread
(imports paid once, not per student) in a work area under the worker's local directory. The student's code
runs in that child's sandboxed kernels: a hang, a kill or a stop ends at the child, which is replaced; the
Dask worker lives on. :func:`close_run` (sent to every worker at the end of a run) stops the children and
deletes their work areas.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .contracts import StudentOutcome, Task, WorkerSpec
from .course import WorkArea, notebook_path
from .sandbox.view import library_digest
from .supervisor import GraderProcess

#: ``{(run id, thread id): grader}`` of this worker process; the runs closed on it.
_GRADERS: dict[tuple[str, int], GraderProcess] = {}
_CLOSED: set[str] = set()
_LOCK = threading.Lock()
OTHER_LIBRARY = "this Dask worker's course library differs from the instructor's (install the same rnnlab there)"
LOG_TAIL = 1_000_000  # bytes of a grading child's log sent back to the client


class RunClosedError(RuntimeError):
    """A task of a run that was already closed on this worker (cancelled, never graded)."""


@dataclass(frozen=True)
class Shipment:
    """What a Dask task sends back: the outcome and the autograded notebooks (file name -> bytes)."""

    outcome: StudentOutcome
    autograded: dict[str, bytes] = field(default_factory=dict)


def short_directory() -> Path:
    """Where the work areas go: the system's temporary folder, not the Dask worker's local directory.

    A sandboxed kernel talks over Unix sockets inside its scratch folder, and a socket's path may not be
    longer than 107 bytes: a Dask worker's ``dask-scratch-space/worker-<id>/`` under a deep folder leaves no
    room for it.
    """
    return Path(tempfile.gettempdir())


def grader_for(run_id: str, spec: WorkerSpec, pristine: bytes) -> GraderProcess:
    """This thread's grader of run ``run_id``, set up on first use with its own work area."""
    key = (run_id, threading.get_ident())
    with _LOCK:
        grader = _GRADERS.get(key)
        if grader is None and run_id in _CLOSED:
            raise RunClosedError(run_id)
        if grader is None:
            area = Path(tempfile.mkdtemp(prefix=f"cg-{run_id[:6]}-", dir=short_directory()))
            WorkArea(area).pristine.write_bytes(pristine)
            grader = _GRADERS[key] = GraderProcess(spec, area)
            grader.library_differs = library_digest(list(spec.packages)) != spec.library_sha256
    return grader


def safe_name(name: str) -> str:
    """A file name sent by the client, refused if it could leave the student's folder."""
    path = PurePosixPath(name)
    if len(path.parts) != 1 or name in (".", "..") or "\\" in name:
        raise ValueError(f"refusing the submitted file name {name!r}")
    return name


def grade_on_worker(
    run_id: str, spec: WorkerSpec, pristine: bytes, task: Task, files: dict[str, bytes], timeout: float,
    timeout_status: str,
) -> Shipment:  # fmt: skip
    """Grade one student on this Dask worker (the body of a Dask task).

    Parameters
    ----------
    run_id : str
        The grading run (each run has its own graders and work areas).
    spec : WorkerSpec
    pristine : bytes
        The registered gradebook every student starts from.
    task : Task
    files : dict of str to bytes
        The student's collected submission folder: file name -> content.
    timeout : float
        Seconds the student may take in total.
    timeout_status : str
        The problem reported when they take longer.

    Returns
    -------
    Shipment
    """
    grader = grader_for(run_id, spec, pristine)
    if grader.library_differs:
        return Shipment(StudentOutcome(task.student, problem=OTHER_LIBRARY))
    folder = notebook_path(grader.area.submitted, task.student, spec.assignment, "x").parent
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / safe_name(name)).write_bytes(content)
    try:
        outcome = grader.grade(task, timeout, timeout_status)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    produced = {}
    if outcome.work_area is not None:
        autograded = notebook_path(grader.area.autograded, task.student, spec.assignment, "x").parent
        produced = {p.name: p.read_bytes() for p in sorted(autograded.glob("*")) if p.is_file()}
        shutil.rmtree(autograded.parent, ignore_errors=True)
    return Shipment(outcome, produced)


def close_run(run_id: str) -> list[bytes]:
    """Stop this worker's graders of run ``run_id`` and delete their work areas; the end of each one's log.

    The log holds nbgrader's output and the kernels' own (what a student's code printed to the terminal).
    """
    with _LOCK:
        _CLOSED.add(run_id)
        mine = [key for key in _GRADERS if key[0] == run_id]
        graders = [_GRADERS.pop(key) for key in mine]
    logs = []
    for grader in graders:
        grader.close()
        log = grader.area.root / "worker.log"
        if log.exists():
            with open(log, "rb") as handle:
                handle.seek(max(0, log.stat().st_size - LOG_TAIL))
                logs.append(handle.read())
        shutil.rmtree(grader.area.root, ignore_errors=True)
    return logs
