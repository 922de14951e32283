"""The whole pipeline behind ``make grade``: register, collect, check the sandbox, autograde in parallel,
merge, report."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import nbformat

from .collect import Submission, SubmissionsError, collect, open_submissions
from .course import Course, put_python_tools_on_path, sha256, write_atomically
from .feedback import hidden_lines
from .flags import flags, locked_grade_ids
from .merge import cell_scores, prune_gradebook, publish_files, write_scores
from .pool import Task, run_pool
from .register import GradeCellInfo, grade_cells, register
from .report import StudentResult, diagnosed_mistakes, format_score, write_csv, write_report
from .sandbox import Limits, bytes_text
from .sandbox.kernel import remove_tree
from .sandbox.probe import check_sandbox
from .sandbox.view import library_digest

#: Packages outside the Python environment that students' kernels may import (read-only in the sandbox).
PACKAGES = ["rnnlab"]
UNSANDBOXED = (
    "**Graded without a sandbox** (`--unsandboxed`): every student's code ran with the grader's rights, "
    "could read and change any of its files (solutions, gradebook, other students' work) and use the "
    "network. Treat these grades as untrusted."
)


class GradingStoppedError(RuntimeError):
    """A sandbox violation: the grades of students graded after it could not be trusted, so grading stopped."""


@dataclass(frozen=True)
class Settings:
    """How to grade: parallel workers, the per-cell and per-student time limits (seconds), the sandbox."""

    workers: int
    cell_timeout: int = 60
    student_timeout: float = 600.0
    sandbox: bool = True
    limits: Limits = Limits()

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


def load_results(path: Path) -> dict[str, StudentResult]:
    if not path.exists():
        return {}
    return {k: StudentResult.from_json(v) for k, v in json.loads(path.read_text()).items()}


def save_results(results: dict[str, StudentResult], path: Path) -> None:
    write_atomically(path, json.dumps({k: v.to_json() for k, v in sorted(results.items())}, indent=1))


def summary_line(results: list[StudentResult], report: Path) -> str:
    """``graded 58/60 students; 2 problems: alice (kernel died), ...; mean 71.5/100; report: ...``."""
    ok = [r for r in results if not r.problems]
    problems = [r for r in results if r.problems]
    text = f"graded {len(ok)}/{len(results)} students"
    if problems:
        listed = ", ".join(f"{r.student} ({r.status})" for r in sorted(problems, key=lambda r: r.student))
        text += f"; {len(problems)} problem{'s' if len(problems) > 1 else ''}: {listed}"
    if results:
        mean = sum(r.total for r in results) / len(results)
        text += f"; mean {mean:.1f}/{format_score(results[0].max_score)}"
    return text + f"; report: {report}"


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
        self.cells: list[GradeCellInfo] = []
        self.locked = locked_grade_ids(self.solution_notebooks())
        self.done = 0
        self.count = 0
        self.started = time.monotonic()

    def solution_notebooks(self) -> list[Path]:
        return [self.course.source / self.assignment_id / f"{nb}.ipynb" for nb in self.notebooks]

    def max_scores(self, notebook: str) -> dict[str, float]:
        return {c.grade_id: c.max_score for c in self.cells if c.notebook == notebook}

    def finish_safely(self, task: Task, outcome: dict) -> None:
        """``finish_student``, but an unexpected error is this student's problem, never the class's."""
        try:
            self.finish_student(task, outcome)
        except GradingStoppedError:
            raise
        except Exception:  # noqa: BLE001 - record it and carry on with the class
            error = traceback.format_exc()
            self.write_student_log(task.student, {"error": error})
            print(f"{task.student}: could not record the result:\n{error}", file=self.log, flush=True)
            self.finish_student(task, {"problem": "grading error"})

    def finish_student(self, task: Task, outcome: dict) -> None:
        """Merge one student's outcome into the gradebook, ``grading/`` and the stored results."""
        submission = self.submissions[task.student]
        problems = list(submission.problems)
        suspicious = [label for path in submission.notebooks.values() for label in flags(path, self.locked)]
        work_area = Path(outcome["work_area"]) if "work_area" in outcome else None
        if "problem" in outcome:
            problems.append(outcome["problem"])
        if "error" in outcome:
            problems.append("grading error")
        self.write_student_log(task.student, outcome)
        ran = {}
        for item in outcome.get("notebooks", []):
            name = item["notebook"]
            where = "" if len(self.notebooks) == 1 else f" in {name}"
            problems += [problem + where for problem in item["problems"]]
            if item.get("feedback"):
                problems.append(item["feedback"] + where)
            path = work_area / "autograded" / task.student / self.assignment_id / f"{name}.ipynb"
            ran[name] = path if item["ran"] and path.exists() else None
        if "violation" in outcome:
            problems.append("sandbox violation: " + outcome["violation"])
        if suspicious:
            problems.append("flagged for review: " + ", ".join(dict.fromkeys(suspicious)))
        scores = {nb: cell_scores(ran.get(nb), self.max_scores(nb)) for nb in self.notebooks}
        write_scores(self.course, self.assignment_id, task.student, scores)
        publish_files(self.course, self.assignment_id, task.student, work_area)
        result = StudentResult(
            student=task.student,
            notebook_scores={nb: float(sum(s or 0.0 for s in cells.values())) for nb, cells in scores.items()},
            cell_scores={f"{nb}/{gid}": s for nb, cells in scores.items() for gid, s in cells.items()},
            max_score=float(sum(c.max_score for c in self.cells)),
            problems=list(dict.fromkeys(problems)),
            mistakes=[m for nb in self.notebooks for m in diagnosed_mistakes(ran.get(nb))],
        )
        stored = load_results(self.results_path)
        stored[task.student] = result
        save_results(stored, self.results_path)
        self.done += 1
        elapsed = time.monotonic() - self.started
        print(
            f"[{self.done}/{self.count}] {task.student}: {format_score(result.total)}/"
            f"{format_score(result.max_score)} {result.status} ({elapsed:.0f}s)",
            file=self.log,
            flush=True,
        )
        if "violation" in outcome:
            raise GradingStoppedError(
                f"grading stopped after {task.student}: sandbox violation: {outcome['violation']}"
            )

    def run(self, submissions_path: Path) -> str:
        put_python_tools_on_path()
        if register(self.course, self.assignment_id):
            print(f"registered {self.assignment_id} in {self.course.gradebook}", file=self.log, flush=True)
        self.cells = grade_cells(self.course, self.assignment_id)
        scratch = Path(tempfile.mkdtemp(prefix="coursegrader-"))  # 0700: it holds the pristine gradebook
        stopped = None
        try:
            if self.settings.sandbox:
                check_sandbox([self.course.source, self.course.grading, scratch], PACKAGES)
            print(self.settings.describe(), file=self.log, flush=True)
            class_folder = open_submissions(submissions_path, scratch / "unzipped")
            collected = collect(self.course, self.assignment_id, class_folder, self.notebooks)
            self.submissions = {s.student: s for s in collected}
            self.count = len(collected)
            print(
                f"grading {self.count} students of {self.assignment_id} on {self.settings.workers} workers",
                file=self.log,
                flush=True,
            )
            for submission in collected:
                if not submission.notebooks:
                    self.finish_safely(Task(submission.student, []), {})
            tasks = [Task(s.student, sorted(s.notebooks)) for s in collected if s.notebooks]
            if tasks:
                pristine = scratch / "pristine.db"
                prune_gradebook(self.course.gradebook, pristine, self.assignment_id, self.course.course_id)
                spec = {
                    "course_root": str(self.course.root),
                    "assignment": self.assignment_id,
                    "submitted": str(self.course.submitted),
                    "pristine_db": str(pristine),
                    "pristine_sha256": sha256(pristine),
                    "library_sha256": library_digest(PACKAGES),
                    "packages": PACKAGES,
                    "sandbox": self.settings.sandbox,
                    "limits": self.settings.limits.to_json(),
                    "cell_timeout": self.settings.cell_timeout,
                    "cell_order": {
                        nb: cell_order(self.course.source / self.assignment_id / f"{nb}.ipynb") for nb in self.notebooks
                    },
                    "hidden_lines": hidden_lines(self.solution_notebooks()),
                }
                workers = max(1, min(self.settings.workers, len(tasks)))
                timeout_status = f"time limit ({self.settings.student_timeout:g} s per student)"
                run_pool(tasks, spec, scratch, workers, self.settings.student_timeout, self.finish_safely,
                         timeout_status=timeout_status)  # fmt: skip
        except GradingStoppedError as error:
            stopped = str(error)
        finally:
            self.keep_logs(scratch)
            remove_tree(scratch)
        return self.write_outputs(stopped)

    def write_student_log(self, student: str, outcome: dict) -> None:
        """Keep what went wrong for one student in ``grading/logs/<assignment>/<student>.log``."""
        lines = [outcome.get("problem", ""), outcome.get("error", "")]
        for item in outcome.get("notebooks", []):
            lines += [f"== {item['notebook']}: {'; '.join(item['problems']) or 'ok'}", *item.get("log", [])]
        text = "\n".join(line for line in lines if line).strip()
        logs = self.course.grading / "logs" / self.assignment_id
        logs.mkdir(parents=True, exist_ok=True)
        (logs / f"{student}.log").write_text(text + "\n", encoding="utf-8")

    def keep_logs(self, scratch: Path) -> None:
        """Copy the workers' logs (nbgrader's and the kernels' own output) to ``grading/logs/<assignment>``."""
        logs = self.course.grading / "logs" / self.assignment_id
        logs.mkdir(parents=True, exist_ok=True)
        for log in sorted(scratch.glob("worker-*/worker.log")):
            shutil.copyfile(log, logs / f"{log.parent.name}.log")

    def write_outputs(self, stopped: str | None = None) -> str:
        results = list(load_results(self.results_path).values())
        report = self.course.grading / "report.md"
        summary = summary_line(results, report.relative_to(self.course.root))
        if stopped:
            summary = f"{stopped}; {summary}"
        write_csv(results, self.notebooks, self.course.grading / "grades.csv")
        shutil.copyfile(self.course.grading / "grades.csv", self.course.grading / f"grades-{self.assignment_id}.csv")
        cells = [(f"{c.notebook}/{c.grade_id}", c.max_score) for c in self.cells]
        warnings = [] if self.settings.sandbox else [UNSANDBOXED]
        write_report(results, self.assignment_id, cells, summary, report, warnings)
        return summary


def grade(root: Path, assignment_id: str, submissions: Path, settings: Settings, log: TextIO = sys.stderr) -> str:
    """Grade every student in ``submissions``; return the one-line summary."""
    if not submissions.exists():
        raise SubmissionsError(f"submissions path {submissions} does not exist")
    return Grader(Course(root.resolve()), assignment_id, settings, log).run(submissions.resolve())
