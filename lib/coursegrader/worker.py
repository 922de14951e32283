"""The grading child: a process that autogrades students one at a time in its own work area.

Its supervisor (:class:`coursegrader.supervisor.GraderProcess`, on a Dask worker) starts
``python -m coursegrader.worker SPEC RESULT_FD``, writes one JSON task (:class:`~coursegrader.contracts.Task`)
per line on the child's stdin and reads one JSON result (:class:`~coursegrader.contracts.StudentOutcome`) per
line from the pipe ``RESULT_FD`` (a private pipe: a student's kernel cannot write to it, and whatever it
prints to stdout goes to the child's log). The student's notebooks are already in the work area's
``submitted/``. Each student gets a fresh copy of the registered gradebook, so nothing one student's code
does to a gradebook file can touch another student's grades; the client merges the results.

Every kernel runs in a bubblewrap sandbox (:mod:`coursegrader.sandbox`) unless the instructor asked for
``--unsandboxed``. Whatever the mode, the worker checks after each student that the course library the
kernels import is byte for byte what it was: if not, the sandbox failed (or there was none) and the
grading stops, because every later grade could be wrong.
"""

from __future__ import annotations

# isort: off
from . import _startup  # noqa: F401 - first: skips a slow import (see the module)

# isort: on

import json
import logging
import os
import shutil
import sys
import threading
import time
import traceback
from pathlib import Path

import nbformat
import psutil
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets.config import Config

from .contracts import NotebookOutcome, StudentOutcome, Task, WorkerSpec
from .course import WorkArea, notebook_path, put_python_tools_on_path, sha256
from .preprocessors import CappedExecute, RestoreCellMetadata, SandboxedExecute
from .sandbox import Limits
from .sandbox.kernel import PRELOAD, REPORTS, SandboxReport
from .sandbox.view import library_digest

TIMEOUT_ERROR = "CellTimeoutError"
LEFTOVERS = "processes left behind were killed"


class LogCapture(logging.Handler):
    """Keep nbgrader's log messages of one run, to tell a dead kernel from a broken notebook."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def worker_config(spec: WorkerSpec) -> Config:
    """nbgrader configuration for this worker: course settings, our work area, our safety settings."""
    config = WorkArea(Path(spec.work_area)).configure(Config(spec.nbgrader_config))
    config.Execute.timeout = int(spec.cell_timeout)
    config.Execute.interrupt_on_timeout = True
    # Deleted or renamed test cells come back from the gradebook (see coursegrader.preprocessors.restore_metadata).
    config.RestoreCellMetadata.cell_order = {nb: list(ids) for nb, ids in spec.cell_order.items()}
    config.Autograde.sanitize_preprocessors = [
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
        RestoreCellMetadata,
        OverwriteCells,
        CheckCellMetadata,
    ]
    # nbgrader's list, with its Execute capped as output arrives, and sandboxed unless asked otherwise
    config.Autograde.autograde_preprocessors = [
        SandboxedExecute if spec.sandbox else CappedExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    kernels = config.SandboxedKernelManager
    kernels.scratch_root = str(Path(spec.work_area) / "sb")
    kernels.limits = spec.limits.to_json()
    kernels.packages = list(spec.packages)
    kernels.preload = [*PRELOAD, *spec.preload]
    return config


def diagnose(log_lines: list[str], cell_timeout: int) -> str:
    """A short, instructor-readable reason for a failed autograde run, from nbgrader's log."""
    text = "\n".join(log_lines)
    if "DeadKernelError" in text or "Kernel died" in text:
        return "kernel died"
    if any(
        sign in text
        for sign in ("UnresponsiveKernelError", "became unresponsive", "CellTimeoutError", "Timeout waiting")
    ):
        return f"time limit ({cell_timeout} s per cell)"
    if "nbgrader metadata may be corrupted" in text or "ValidationError" in text:
        return "invalid nbgrader metadata"
    return "grading error"


def error_names(notebook_path: Path) -> set[str]:
    """Names of the errors an executed notebook shows: its error outputs, and tracebacks printed as text."""
    found = set()
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.add(output.get("ename"))
            elif output.get("output_type") == "stream":  # e.g. a multiprocessing child's traceback
                found.update(name for name in ("MemoryError", "BlockingIOError") if name in output.get("text", ""))
    return found


def notebook_problems(
    app_problem: str | None, graded: Path | None, reports: list[SandboxReport], limits: Limits, cell_timeout: int
) -> list[str]:
    """Statuses of one notebook's run, from nbgrader's outcome, the executed notebook and the sandbox."""
    problems: list[str] = []
    for report in reports:
        if report.violation:
            problems.append(f"sandbox violation: {report.violation}")
        if report.limit:
            problems.append(limits.status(report.limit))
    ended = any(r.limit or r.violation for r in reports)  # the sandbox's end explains a dead kernel
    if app_problem and not (app_problem in ("kernel died", "grading error") and ended):
        problems.append(app_problem)
    names = error_names(graded) if graded is not None else set()
    if TIMEOUT_ERROR in names:
        problems.append(f"time limit ({cell_timeout} s per cell)")
    if reports and "MemoryError" in names:
        problems.append(limits.status("memory"))
    if reports and "BlockingIOError" in names:
        problems.append(limits.status("processes"))
    if any(report.leftovers for report in reports):
        problems.append(LEFTOVERS)
    return list(dict.fromkeys(problems))


def run_app(app, capture: LogCapture, cell_timeout: int) -> str | None:
    """Run an nbgrader app; None on success, else a short reason."""
    app.log.addHandler(capture)
    app.log.setLevel(logging.INFO)
    app.log.propagate = False
    try:
        app.start()
    except Exception:  # noqa: BLE001 - any failure is this student's problem, never the class's
        capture.lines.append(traceback.format_exc())
        return diagnose(capture.lines, cell_timeout)
    finally:
        app.log.removeHandler(capture)
    return None


def grade_notebook(spec: WorkerSpec, config: Config, student: str, notebook: str, db_url: str) -> NotebookOutcome:
    """Autograde one notebook of one student; return what happened (the parent writes the feedback)."""
    area = WorkArea(Path(spec.work_area))
    assignment = spec.assignment
    submitted = notebook_path(area.submitted, student, assignment, notebook)
    coursedir = CourseDirectory(config=config)
    coursedir.db_url = db_url
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    coursedir.notebook_id = notebook
    config.SandboxedKernelManager.notebook = str(submitted)  # the student's own copy, for the scratch folder
    capture = LogCapture()
    app = Autograde(coursedir=coursedir, config=config)
    app.force = True
    app.create_student = True
    REPORTS.clear()
    problem = run_app(app, capture, spec.cell_timeout)
    reports = list(REPORTS)
    graded = notebook_path(area.autograded, student, assignment, notebook)
    # A notebook that attacked the process running its kernel is not graded, however far it ran.
    ran = problem is None and graded.exists() and not any(report.violation for report in reports)
    problems = notebook_problems(
        problem or (None if ran else "grading error"), graded if ran else None, reports, spec.limits, spec.cell_timeout
    )
    return NotebookOutcome(notebook, ran, tuple(problems), tuple(capture.lines[-40:]) if not ran else ())


def grade_student(spec: WorkerSpec, config: Config, task: Task) -> StudentOutcome:
    """Autograde every collected notebook of one student in a fresh copy of the registered gradebook."""
    area = WorkArea(Path(spec.work_area))
    student = task.student
    pristine = area.pristine
    if sha256(pristine) != spec.pristine_sha256:
        return StudentOutcome(student, fatal="the worker's pristine gradebook was modified; stopping this worker")
    shutil.rmtree(area.autograded / student, ignore_errors=True)
    database = area.gradebook(student)
    database.parent.mkdir(exist_ok=True)
    shutil.copyfile(pristine, database)
    results = tuple(grade_notebook(spec, config, student, nb, f"sqlite:///{database}") for nb in task.notebooks)
    violation = None
    if library_digest(list(spec.packages)) != spec.library_sha256:
        violation = "the installed course library changed while this student was graded"
    elif sha256(pristine) != spec.pristine_sha256:
        violation = "the worker's pristine gradebook changed while this student was graded"
    return StudentOutcome(student, results, str(area.root), violation=violation)


def die_with_parent() -> None:
    """Kill this child and its kernels once its supervisor is gone (a Dask worker killed mid-run)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        for process in psutil.Process().children(recursive=True):
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def scratch_gradebooks() -> None:
    """Every SQLite database this process opens is a scratch copy: skip the disk syncs of each commit.

    The grading child writes only the per-student copies of the pristine gradebook (:meth:`WorkArea.gradebook`),
    which the client reads back and merges into the course gradebook in a transaction of its own. nbgrader
    commits a few dozen times per notebook, and each commit waited for the disk (a tenth of a notebook's CPU).
    A child that dies mid-write loses nothing: its student is graded again from the pristine copy.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def no_sync(connection, record) -> None:
        if type(connection).__module__.startswith("sqlite3"):
            cursor = connection.cursor()
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")
            cursor.close()


def main(argv: list[str]) -> int:
    die_with_parent()
    scratch_gradebooks()
    spec = WorkerSpec.from_json(json.loads(Path(argv[0]).read_text()))
    results = os.fdopen(int(argv[1]), "w", buffering=1)
    put_python_tools_on_path()
    config = worker_config(spec)
    for line in sys.stdin:
        if not line.strip():
            continue
        task = Task.from_json(json.loads(line))
        try:
            outcome = grade_student(spec, config, task)
        except Exception:  # noqa: BLE001 - report, and keep serving the rest of the class
            outcome = StudentOutcome(task.student, error=traceback.format_exc())
        results.write(json.dumps(outcome.to_json()) + "\n")
        if outcome.fatal or outcome.violation:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
