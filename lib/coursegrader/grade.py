"""The whole pipeline behind ``make grade``: register, collect, check the sandbox, autograde on a Dask cluster,
merge each student as they finish, report."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

import nbformat
from tqdm import tqdm

from .cluster import connect
from .collect import Submission, SubmissionsError, collect, open_submissions, zip_entry_times
from .contracts import StudentOutcome, StudentResult, Task, WorkerSpec
from .course import Course, notebook_path, put_python_tools_on_path, sha256
from .dispatch import grade_class
from .feedback import FeedbackWriter
from .feedback_command import remake
from .flags import flags, locked_grade_ids
from .journal import Journal, digest, folder_digest
from .late import penalty_plugin
from .leaks import hidden_lines
from .merge import (
    cell_scores,
    changed_answers,
    is_blank,
    prune_gradebook,
    publish_files,
    released_stubs,
    solution_sources,
    write_scores,
)
from .questions import Question, questions
from .register import grade_cells, register
from .report import Row, diagnosed_mistakes, load_results, save_results
from .report_command import late_rule, write_outputs
from .sandbox import Limits, bytes_text
from .sandbox.probe import check_sandbox
from .sandbox.scratch import remove_tree
from .sandbox.view import library_digest

#: Packages outside the Python environment that students' kernels may import (read-only in the sandbox).
PACKAGES = ["rnnlab"]
#: Their modules every exercise imports: imported once per grading process, not once per student.
PRELOAD = ["rnnlab.grading"]
UNSANDBOXED = (
    "**Graded without a sandbox** (`--unsandboxed`): every student's code ran with the grader's rights, "
    "could read and change any of its files (solutions, gradebook, other students' work) and use the "
    "network. Treat these grades as untrusted."
)


class GradingStoppedError(RuntimeError):
    """A sandbox violation: the grades of students graded after it could not be trusted, so grading stopped."""


@dataclass(frozen=True)
class Settings:
    """How to grade: where (local workers or a Dask scheduler), the per-cell and per-student time limits
    (seconds), the sandbox, the due date and late rule; ``restart`` ignores an interrupted run."""

    workers: int
    cell_timeout: int = 60
    student_timeout: float = 600.0
    sandbox: bool = True
    limits: Limits = Limits()
    due: datetime | None = None  # naive UTC (coursegrader.late.parse_due)
    late_penalty: str | None = None  # a --late-penalty rule (coursegrader.late)
    scheduler: str | None = None  # an existing Dask cluster's scheduler address; None: a local cluster
    restart: bool = False
    dashboard: bool = False  # the local cluster's Dask dashboard (an external scheduler has its own)

    def fingerprint(self) -> str:
        """What of these settings decides a grade (not where or how fast the grading runs)."""
        return repr((self.cell_timeout, self.student_timeout, self.sandbox, self.limits, self.due, self.late_penalty))

    def describe(self) -> str:
        if not self.sandbox:
            return "no sandbox (--unsandboxed): student code runs with your rights"
        limits = self.limits
        return (
            f"sandboxed kernels: memory {bytes_text(limits.memory)}, CPU {limits.cpu_seconds} s, "
            f"{limits.processes} processes, files {bytes_text(limits.file_size)}, disk {bytes_text(limits.disk)}"
        )


def cell_order(notebook: Path) -> list[str]:
    """The grade_ids of a solution notebook's cells, in order."""
    cells = nbformat.read(notebook, as_version=4).cells
    return [c.metadata["nbgrader"]["grade_id"] for c in cells if c.metadata.get("nbgrader", {}).get("grade_id")]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Grader:
    """Runs one grading pass for one assignment and keeps the per-student bookkeeping."""

    def __init__(self, course: Course, assignment_id: str, settings: Settings, log: TextIO) -> None:
        self.course = course
        self.assignment_id = assignment_id
        self.settings = settings
        self.log = log
        self.notebooks = course.notebook_names(assignment_id)
        self.results_path = course.grading / f"results-{assignment_id}.json"
        self.submissions: dict[str, Submission] = {}
        self.asked: list[Question] = []  # the graded cells, with their parts
        self.locked = locked_grade_ids(self.solution_notebooks())
        self.secret = hidden_lines(self.solution_notebooks())
        self.feedback_writer: FeedbackWriter | None = None
        self.stubs: dict[str, dict[str, str]] = {}
        self.done = 0
        self.count = 0
        self.started = time.monotonic()
        self.progress: tqdm | None = None
        self.plugin = penalty_plugin(None)
        self.journal: Journal | None = None
        self.digests: dict[str, str] = {}  # student -> digest of the submission being graded

    def solution_notebooks(self) -> list[Path]:
        return [self.course.source / self.assignment_id / f"{nb}.ipynb" for nb in self.notebooks]

    def max_scores(self, notebook: str) -> dict[str, float]:
        return {q.grade_id: q.points for q in self.asked if q.notebook == notebook}

    def finish_safely(self, task: Task, outcome: StudentOutcome) -> None:
        """``finish_student``, but an unexpected error is this student's problem, never the class's."""
        try:
            self.finish_student(task, outcome)
        except GradingStoppedError:
            raise
        except Exception:  # noqa: BLE001 - record it and carry on with the class
            error = traceback.format_exc()
            self.write_student_log(task.student, StudentOutcome(task.student, error=error))
            self.say(f"{task.student}: could not record the result:\n{error}")
            # not recorded as merged: a resumed run grades this student again
            self.finish_student(task, StudentOutcome(task.student, problem="grading error"), record=False)

    def finish_student(self, task: Task, outcome: StudentOutcome, record: bool = True) -> None:
        """Merge one student's outcome into the gradebook, ``grading/`` and the stored results; write feedback.

        ``record``: note the student in the run's journal (before the progress line says they are done).
        """
        submission = self.submissions[task.student]
        problems = list(submission.problems)
        suspicious = [label for path in submission.notebooks.values() for label in flags(path, self.locked)]
        work_area = Path(outcome.work_area) if outcome.work_area is not None else None
        if outcome.problem is not None:
            problems.append(outcome.problem)
        if outcome.error is not None:
            problems.append("grading error")
        ran = {}
        for item in outcome.notebooks:
            problems += [problem + self.where(item.notebook) for problem in item.problems]
            path = notebook_path(outcome.autograded_root, task.student, self.assignment_id, item.notebook)
            ran[item.notebook] = path if item.ran and path.exists() else None
        if outcome.violation is not None:
            problems.append("sandbox violation: " + outcome.violation)
        scores = {nb: cell_scores(ran.get(nb), self.max_scores(nb)) for nb in self.notebooks}
        # hand-given scores stay unless the answer they judged (shown in formgrader: the old autograded copy) changed
        changed = {
            nb: changed_answers(solution_sources(self.autograded(task.student, nb)),
                                solution_sources(submission.notebooks.get(nb)), list(scores[nb]))
            for nb in self.notebooks
        }  # fmt: skip
        grades, notes = write_scores(self.course, self.assignment_id, task.student, scores, changed,
                                     submission.submitted_at, self.settings.due, self.plugin)  # fmt: skip
        publish_files(self.course, self.assignment_id, task.student, work_area)
        problems += self.write_feedback(task.student, [nb for nb in self.notebooks if ran.get(nb)])
        if suspicious:
            problems.append("flagged for review: " + ", ".join(dict.fromkeys(suspicious)))
        self.write_student_log(task.student, outcome, notes)
        result = StudentResult(
            student=task.student,
            problems=list(dict.fromkeys(problems)),
            mistakes=[m for nb in self.notebooks for m in diagnosed_mistakes(ran.get(nb))],
            # every answer as released, and (a notebook whose cells lost their ids aside) nothing scored
            blank=bool(submission.notebooks)
            and grades.points == 0
            and all(self.is_blank(nb, path) for nb, path in submission.notebooks.items()),
            time_source=submission.time_source,
        )
        stored = load_results(self.results_path)
        stored[task.student] = result
        save_results(stored, self.results_path)
        if record:
            self.journal.record(task.student, self.digests[task.student])
        self.report_progress(Row(task.student, grades, result))
        if outcome.violation is not None:
            raise GradingStoppedError(f"grading stopped after {task.student}: sandbox violation: {outcome.violation}")

    def where(self, notebook: str) -> str:
        return "" if len(self.notebooks) == 1 else f" in {notebook}"

    def autograded(self, student: str, notebook: str) -> Path:
        return notebook_path(self.course.autograded, student, self.assignment_id, notebook)

    def is_blank(self, notebook: str, submitted: Path) -> bool:
        if notebook not in self.stubs:
            self.stubs[notebook] = released_stubs(self.course, self.assignment_id, notebook)
        zero = {q.grade_id for q in self.asked if q.notebook == notebook and not q.points}
        return is_blank(submitted, self.stubs[notebook], zero)

    def write_feedback(self, student: str, notebooks: list[str]) -> list[str]:
        """The student's feedback pages from the course gradebook (hand-given scores included); their problems."""
        folder = self.course.feedback / student / self.assignment_id
        if folder.exists():
            shutil.rmtree(folder)
        if not notebooks:
            return []
        if self.feedback_writer is None:
            self.feedback_writer = FeedbackWriter(self.course.nbgrader_config())
        paths = [self.autograded(student, nb) for nb in notebooks]
        outcome = remake(self.feedback_writer, self.course, self.assignment_id, student, paths, self.secret)
        problems = [f"feedback withheld: it contained hidden-test text{self.where(nb)}" for nb in outcome.withheld]
        return problems + [f"feedback failed{self.where(nb.split(':')[0])}" for nb in outcome.failed]

    def say(self, line: str) -> None:
        """One line in the log, above the progress bar when there is one."""
        if self.progress is not None:
            self.progress.write(line, file=self.log)
        else:
            print(line, file=self.log, flush=True)

    def report_progress(self, row: Row) -> None:
        """``[k/n] alice: 14/16 + 2 pending ok (12s, about 1m40s left)``, and the bar moves on."""
        self.done += 1
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.count - self.done)
        total = row.total_text(self.asked, sum(q.points for q in self.asked))
        self.say(
            f"[{self.done}/{self.count}] {row.student}: {total} {row.status(self.asked)} "
            f"({tqdm.format_interval(elapsed)} elapsed, about {tqdm.format_interval(left)} left)"
        )
        if self.progress is not None:
            self.progress.update(1)

    def run(self, submissions_path: Path) -> str:
        put_python_tools_on_path()
        if register(self.course, self.assignment_id):
            self.say(f"registered {self.assignment_id} in {self.course.gradebook}")
        self.asked = questions(self.course, self.assignment_id, grade_cells(self.course, self.assignment_id))
        rule = late_rule(self.course, self.assignment_id, self.settings.late_penalty)
        self.plugin = penalty_plugin(rule, self.course.nbgrader_config())
        scratch = Path(tempfile.mkdtemp(prefix="coursegrader-"))  # 0700: it holds the pristine gradebook
        stopped = None
        graded: list[str] = []
        try:
            if self.settings.sandbox:
                check_sandbox([self.course.source, self.course.grading, scratch], PACKAGES)
            self.say(self.settings.describe())
            class_folder = open_submissions(submissions_path, scratch / "unzipped")
            zip_times = zip_entry_times(submissions_path, scratch / "unzipped") if submissions_path.is_file() else {}
            collected = collect(self.course, self.assignment_id, class_folder, self.notebooks, zip_times)
            self.submissions = {s.student: s for s in collected}
            graded = sorted(self.submissions)
            self.count = len(collected)
            self.journal = Journal(self.course.grading / f"run-{self.assignment_id}.json", self.inputs(),
                                   self.settings.restart)  # fmt: skip
            self.digests = {s.student: self.submission_digest(s) for s in collected}
            todo = [s for s in collected if not self.journal.already_merged(s.student, self.digests[s.student])]
            if len(todo) < len(collected):
                self.say(f"resuming the interrupted run: {len(collected) - len(todo)} of {len(collected)} students "
                         "were already graded and merged (--restart grades everyone again)")  # fmt: skip
            self.count = len(todo)
            self.say(f"grading {self.count} students of {self.assignment_id}")
            self.started = time.monotonic()
            self.progress = tqdm(total=self.count, file=self.log, unit="student", disable=not is_terminal(self.log),
                                 leave=False, dynamic_ncols=True)  # fmt: skip
            for submission in todo:
                if not submission.notebooks:
                    self.finish_safely(Task(submission.student), StudentOutcome(submission.student))
            tasks = [Task(s.student, sorted(s.notebooks)) for s in todo if s.notebooks]
            if tasks:
                self.grade_on_cluster(tasks, scratch)
            self.journal.finish()
        except GradingStoppedError as error:
            stopped = str(error)
            self.journal.finish()
        finally:
            if self.progress is not None:
                self.progress.close()
            remove_tree(scratch)
        warnings = [] if self.settings.sandbox else [UNSANDBOXED]
        return write_outputs(self.course, self.assignment_id, students=graded, stopped=stopped, warnings=warnings)

    def write_student_log(self, student: str, outcome: StudentOutcome, notes: list[str] | None = None) -> None:
        """Keep what went wrong for one student in ``grading/logs/<assignment>/<student>.log``."""
        lines = [outcome.problem or "", outcome.error or "", *(notes or [])]
        for item in outcome.notebooks:
            lines += [f"== {item.notebook}: {'; '.join(item.problems) or 'ok'}", *item.log]
        text = "\n".join(line for line in lines if line).strip()
        logs = self.course.grading / "logs" / self.assignment_id
        logs.mkdir(parents=True, exist_ok=True)
        (logs / f"{student}.log").write_text(text + "\n", encoding="utf-8")

    def keep_logs(self, logs: list[bytes]) -> None:
        """Keep the grading children's logs (nbgrader's and the kernels' output) in ``grading/logs/<assignment>``."""
        folder = self.course.grading / "logs" / self.assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("worker-*.log"):
            old.unlink()
        for number, log in enumerate(logs):
            (folder / f"worker-{number}.log").write_bytes(log)

    def inputs(self) -> str:
        """Digest of what decides the grades besides the submissions: the solutions and the grading settings."""
        solutions = [part for path in self.solution_notebooks() for part in (path.name, path.read_bytes())]
        return digest([self.assignment_id, *solutions, self.settings.fingerprint()])

    def submission_digest(self, submission: Submission) -> str:
        folder = self.course.submitted / submission.student / self.assignment_id
        return folder_digest(folder, str(submission.submitted_at), ",".join(sorted(submission.problems)))

    def submitted_files(self, task: Task) -> dict[str, bytes]:
        """The student's collected folder, as the Dask task carries it to a worker."""
        folder = self.course.submitted / task.student / self.assignment_id
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}

    def grade_on_cluster(self, tasks: list[Task], scratch: Path) -> None:
        """Autograde ``tasks`` on the Dask cluster; each student is merged here as their task ends."""
        pristine = scratch / "pristine.db"
        prune_gradebook(self.course.gradebook, pristine, self.assignment_id, self.course.course_id)
        spec = WorkerSpec(
            assignment=self.assignment_id,
            nbgrader_config=self.course.nbgrader_settings(),
            pristine_sha256=sha256(pristine),
            library_sha256=library_digest(PACKAGES),
            packages=tuple(PACKAGES),
            preload=tuple(PRELOAD),
            sandbox=self.settings.sandbox,
            limits=self.settings.limits,
            cell_timeout=self.settings.cell_timeout,
            cell_order={
                nb: tuple(cell_order(p)) for nb, p in zip(self.notebooks, self.solution_notebooks(), strict=True)
            },
        )
        workers = max(1, min(self.settings.workers, len(tasks)))
        timeout_status = f"time limit ({self.settings.student_timeout:g} s per student)"
        with connect(workers, self.settings.scheduler, self.say, self.settings.dashboard) as client:
            grade_class(client, spec, pristine, tasks, self.submitted_files, self.finish_safely, scratch / "received",
                        self.settings.student_timeout, timeout_status, self.keep_logs)  # fmt: skip


def is_terminal(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal (the progress bar is drawn only there; logs keep the lines)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def grade(root: Path, assignment_id: str, submissions: Path, settings: Settings, log: TextIO = sys.stderr) -> str:
    """Grade every student in ``submissions``; return the one-line summary."""
    if not submissions.exists():
        raise SubmissionsError(f"submissions path {submissions} does not exist")
    return Grader(Course(root.resolve()), assignment_id, settings, log).run(submissions.resolve())
