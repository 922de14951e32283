"""What the instructor reads: ``grades.csv``, the class report (Markdown), a histogram, the summary line.

Every score here comes from the course gradebook (:mod:`coursegrader.gradebook`): automatic and hand-given
scores together, pending answers shown as pending, late penalties applied. What the gradebook cannot hold
comes from ``grading/results-<assignment>.json`` (:class:`~coursegrader.contracts.StudentResult`): each
student's grading status and diagnosed mistakes.

Diagnosed mistakes come from the autograded notebooks' error outputs: the ``rnnlab.grading`` checks end
a failure message with a line ``Likely mistake: ...`` (the format is defined once, in
:mod:`rnnlab.grading.messages`, which the feedback's strict parser also uses; the report reads it
permissively, being for the instructor); calls into the reference implementation and tampering have their
own exception names.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from rnnlab.grading import messages

from .contracts import StudentResult
from .course import write_atomically
from .gradebook import ClassGrades, StudentGrades
from .questions import Question

NAMED_ERRORS = {
    "ReferenceCallError": "called rnnlab's reference implementation",
    "TamperingError": "replaced numpy or rnnlab.grading functions",
    "CellTimeoutError": "a cell ran past the time limit",
}
BLANK = "blank (nothing attempted)"
MISSING = "missing"
PENDING = "pending"
CSV_COLUMNS = ["total", "pending", "max", "submitted", "late_minutes", "penalty", "final", "status"]


def load_results(path: Path) -> dict[str, StudentResult]:
    """``grading/results-<assignment>.json`` (empty when there is none yet)."""
    if not path.exists():
        return {}
    return {k: StudentResult.from_json(v) for k, v in json.loads(path.read_text()).items()}


def save_results(results: dict[str, StudentResult], path: Path) -> None:
    write_atomically(path, json.dumps({k: v.to_json() for k, v in sorted(results.items())}, indent=1))


def diagnosed_mistakes(notebook_path: Path | None) -> list[str]:
    """``"grade_id: mistake"`` for every graded cell whose error names a likely mistake."""
    if notebook_path is None or not notebook_path.exists():
        return []
    found = []
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not grade_id or not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            mistake = NAMED_ERRORS.get(output.get("ename", "")) or messages.diagnosis(output.get("evalue", ""))
            if mistake:
                found.append(f"{grade_id}: {mistake}")
    return found


def format_score(value: float) -> str:
    return f"{round(value, 6):g}"


@dataclass
class Row:
    """One student's line in every output: their grades (None: no submission) and their grading result."""

    student: str
    grades: StudentGrades | None
    result: StudentResult

    def pending(self, questions: list[Question]) -> list[Question]:
        return self.grades.pending(questions) if self.grades else []

    def waiting(self, questions: list[Question]) -> float:
        """Points of the answers still waiting for a grade by hand."""
        return float(sum(q.points for q in self.pending(questions)))

    @property
    def points(self) -> float:
        return self.grades.points if self.grades else 0.0

    @property
    def final(self) -> float:
        """Points after the late penalty (0 without a submission)."""
        return self.grades.final if self.grades else 0.0

    def status(self, questions: list[Question]) -> str:
        """``ok``, the problems, ``blank (nothing attempted)`` or ``missing``; then what is pending."""
        if self.grades is None:
            parts = [MISSING]
        elif self.result.problems:
            parts = list(self.result.problems)
        else:
            parts = [BLANK if self.result.blank else "ok"]
        waiting = self.pending(questions)
        if waiting:
            parts.append(f"{PENDING}: {', '.join(dict.fromkeys(q.short_part for q in waiting))} (graded by hand)")
        return "; ".join(parts)

    def total_text(self, questions: list[Question], max_score: float) -> str:
        """``14/16``, ``14/16 + 2 pending``, ``12/16 after -2 late``."""
        text = f"{format_score(self.points)}/{format_score(max_score)}"
        waiting = self.waiting(questions)
        if waiting:
            text += f" + {format_score(waiting)} {PENDING}"
        if self.grades and self.grades.penalty:
            text += f" (-{format_score(self.grades.penalty)} late: {format_score(self.grades.final)})"
        return text


def rows(grades: ClassGrades, results: dict[str, StudentResult]) -> list[Row]:
    """Every student with a submission, and every student the gradebook knows without one, by id."""
    students = sorted(set(grades.students) | set(grades.missing))
    return [Row(s, grades.students.get(s), results.get(s) or StudentResult(s)) for s in students]


def write_csv(grades: ClassGrades, results: dict[str, StudentResult], notebooks: list[str], path: Path) -> None:
    """One row per student: id, points per notebook, total, pending points, max, lateness, final, status.

    ``final`` is the total after the late penalty, or ``pending`` while an answer waits for a grade by hand.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", *notebooks, *CSV_COLUMNS])
    for row in rows(grades, results):
        g = row.grades
        waiting = row.waiting(grades.questions)
        final = PENDING if waiting else format_score(row.final)
        writer.writerow([
            row.student,
            *[format_score(g.notebook_points(nb) if g else 0.0) for nb in notebooks],
            format_score(row.points),
            format_score(waiting),
            format_score(grades.max_score),
            g.submitted_at.isoformat(timespec="seconds") + "Z" if g and g.submitted_at else "",
            g.minutes_late if g else 0,
            format_score(g.penalty if g else 0.0),
            final,
            row.status(grades.questions),
        ])  # fmt: skip
    write_atomically(path, buffer.getvalue())


def histogram(totals: list[float], max_score: float, path: Path) -> None:
    """A bar chart of the class's totals, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3.2), dpi=110)
    bins = min(20, max(int(max_score), 1))
    axes.hist(totals, bins=bins, range=(0, max_score), color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"total score (out of {format_score(max_score)})")
    axes.set_ylabel("students")
    axes.set_title(f"{len(totals)} students")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def grouped(mistakes: list[str]) -> dict[str, list[str]]:
    """``{mistake: [questions]}`` from ``"question: mistake"`` strings, in order of first appearance."""
    groups: dict[str, list[str]] = {}
    for item in mistakes:
        question, _, mistake = item.partition(": ")
        groups.setdefault(mistake, [])
        if question not in groups[mistake]:
            groups[mistake].append(question)
    return groups


def student_line(row: Row, grades: ClassGrades) -> str:
    """The student's row in the report's table (tests assert it exactly)."""
    mistakes = "; ".join(f"{m} ({', '.join(qs)})" for m, qs in grouped(row.result.mistakes).items()) or "-"
    return f"| {row.student} | {row.total_text(grades.questions, grades.max_score)} | {row.status(grades.questions)} | {mistakes} |"  # noqa: E501


def by_part(questions: list[Question]) -> dict[str, list[Question]]:
    """The questions worth points, grouped by part, in notebook order."""
    parts: dict[str, list[Question]] = {}
    for q in questions:
        if q.points:
            parts.setdefault(q.part, []).append(q)
    return parts


def stats_line(label: str, asked: list[Question], graded: list[StudentGrades]) -> str:
    """``| label | points | mean | full marks | pending |`` over the students with a submission."""
    points = sum(q.points for q in asked)
    known = []
    for g in graded:
        scores = [g.scores.get(q.key, 0.0) for q in asked]
        if all(s is not None for s in scores):
            known.append(sum(scores))
    mean = f"{sum(known) / len(known):.2f}" if known else "-"
    full = sum(1 for s in known if s >= points - 1e-9)
    return f"| {label} | {format_score(points)} | {mean} | {full}/{len(graded)} | {len(graded) - len(known)} |"


def in_parts(questions_of_mistake: list[str], parts_of: dict[str, str]) -> str:
    """``Part B (rnn_step_example, rnn_step_batch), Part C (...)``: the tests of a mistake, by part."""
    grouped_parts: dict[str, list[str]] = {}
    for gid in questions_of_mistake:
        grouped_parts.setdefault(parts_of.get(gid, gid), []).append(gid)
    return ", ".join(f"{part} ({', '.join(gids)})" for part, gids in grouped_parts.items())


def write_report(grades: ClassGrades, results: dict[str, StudentResult], summary: str, path: Path,
                 warnings: list[str] | None = None) -> None:  # fmt: skip
    """The class report: warnings, summary, histogram, per question, mistakes, lateness, problems, students."""
    table = rows(grades, results)
    submitted = [r for r in table if r.grades is not None]
    graded = [r.grades for r in submitted]
    image = path.with_name(f"histogram-{grades.assignment}.png")
    histogram([g.final for g in graded], grades.max_score, image)
    lines = [f"# Grading report: {grades.assignment}", ""]
    for warning in warnings or []:
        lines += [f"> {warning}", ""]
    lines += [summary, "", f"![Histogram of totals]({image.name})", ""]
    header = ["| question | points | mean | full marks | pending |", "|---|---|---|---|---|"]
    lines += ["## Per question", "", "Means count only the students whose part is fully graded; hand-graded "
              "parts are pending until every answer in them has a score.", "", *header]  # fmt: skip
    parts = by_part(grades.questions)
    for part, asked in parts.items():
        by_hand = " (graded by hand)" if any(q.by_hand for q in asked) else ""
        lines.append(stats_line(part + by_hand, asked, graded))
    lines += ["", "### Per test", "", *header]
    lines += [stats_line(f"{q.short_part}: {q.grade_id}", [q], graded) for asked in parts.values() for q in asked]
    parts_of = {q.grade_id: q.short_part for q in grades.questions}
    counts = Counter(m for r in submitted for m in grouped(r.result.mistakes))
    where: dict[str, list[str]] = {}
    for r in submitted:
        for mistake, asked_in in grouped(r.result.mistakes).items():
            where.setdefault(mistake, [])
            where[mistake] += [q for q in asked_in if q not in where[mistake]]
    lines += ["", "## Most frequent diagnosed mistakes", ""]
    if counts:
        lines += ["| students | likely mistake | in questions |", "|---|---|---|"]
        lines += [f"| {n} | {m} | {in_parts(where[m], parts_of)} |" for m, n in counts.most_common(15)]
    else:
        lines.append("No diagnosed mistakes.")
    late = [r for r in submitted if r.grades.minutes_late]
    lines += ["", "## Late submissions", ""]
    if grades.due is None:
        lines.append("No due date is set (`--due` on `make grade` or `coursegrader report`).")
    else:
        lines.append(f"Due {grades.due.isoformat(timespec='minutes')}Z (UTC).")
        lines += [""] + [
            f"- {r.student}: {r.grades.minutes_late} minutes late, penalty {format_score(r.grades.penalty)}"
            for r in late
        ] if late else ["", "None."]  # fmt: skip
    problems = [r for r in table if r.result.problems or r.grades is None]
    lines += ["", "## Problems", ""]
    lines += [f"- {r.student}: {r.status(grades.questions)}" for r in problems] or ["None."]
    lines += ["", "## Students", "", "| student | total | status | likely mistakes |", "|---|---|---|---|"]
    lines += [student_line(r, grades) for r in table]
    write_atomically(path, "\n".join(lines) + "\n")


def summary_line(table: list[Row], questions: list[Question], max_score: float, report: Path) -> str:
    """``graded 58/60 students; 2 problems: alice (kernel died), ...; 3 pending; mean 11.5/16; report: ...``."""
    ok = [r for r in table if not r.result.problems]
    problems = [r for r in table if r.result.problems]
    text = f"graded {len(ok)}/{len(table)} students"
    if problems:
        listed = ", ".join(f"{r.student} ({'; '.join(r.result.problems)})" for r in problems)
        text += f"; {len(problems)} problem{'s' if len(problems) > 1 else ''}: {listed}"
    blank = sum(1 for r in table if r.result.blank and not r.result.problems)
    if blank:
        text += f"; {blank} blank"
    waiting = sum(1 for r in table if r.pending(questions))
    if waiting:
        text += f"; {waiting} with answers pending hand grading"
    late = sum(1 for r in table if r.grades and r.grades.minutes_late)
    if late:
        text += f"; {late} late"
    if table:
        mean = sum(r.final for r in table) / len(table)
        text += f"; mean {mean:.1f}/{format_score(max_score)}"
    return text + f"; report: {report}"
