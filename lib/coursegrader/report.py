"""What the instructor reads: ``grades.csv``, the class report (Markdown) and a histogram of totals.

Diagnosed mistakes come from the autograded notebooks' error outputs: the ``rnnlab.grading`` checks end
a failure message with a line ``Likely mistake: ...`` (the format is defined once, in
:mod:`rnnlab.grading.messages`, which the feedback's strict parser also uses; the report reads it
permissively, being for the instructor); calls into the reference implementation and tampering have their
own exception names.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from rnnlab.grading import messages

from .course import write_atomically

NAMED_ERRORS = {
    "ReferenceCallError": "called rnnlab's reference implementation",
    "TamperingError": "replaced numpy or rnnlab.grading functions",
    "CellTimeoutError": "a cell ran past the time limit",
}


@dataclass
class StudentResult:
    """One student's outcome for one assignment."""

    student: str
    notebook_scores: dict[str, float]
    cell_scores: dict[str, float | None]  # "notebook/grade_id" -> score (None: needs a human)
    max_score: float
    problems: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)  # "grade_id: likely mistake"

    @property
    def total(self) -> float:
        return float(sum(self.notebook_scores.values()))

    @property
    def status(self) -> str:
        return "; ".join(self.problems) if self.problems else "ok"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> StudentResult:
        return cls(**data)


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
    return f"{value:g}"


def write_csv(results: list[StudentResult], notebooks: list[str], path: Path) -> None:
    """One row per student: id, score of each notebook, total, max, status."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", *notebooks, "total", "max", "status"])
    for result in sorted(results, key=lambda r: r.student):
        scores = [format_score(result.notebook_scores.get(nb, 0.0)) for nb in notebooks]
        writer.writerow(
            [result.student, *scores, format_score(result.total), format_score(result.max_score), result.status]
        )
    write_atomically(path, buffer.getvalue())


def histogram(results: list[StudentResult], max_score: float, path: Path) -> None:
    """A bar chart of the class's totals, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = [r.total for r in results]
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


def student_line(result: StudentResult) -> str:
    """The student's row in the report's table (tests assert it exactly)."""
    mistakes = "; ".join(f"{m} ({', '.join(qs)})" for m, qs in grouped(result.mistakes).items()) or "-"
    return (
        f"| {result.student} | {format_score(result.total)}/{format_score(result.max_score)} "
        f"| {result.status} | {mistakes} |"
    )


def write_report(
    results: list[StudentResult],
    assignment_id: str,
    cells: list[tuple[str, float]],
    summary: str,
    path: Path,
    warnings: list[str] | None = None,
) -> None:
    """The class report: warnings, summary, histogram, per-question means, frequent mistakes, a line per student."""
    max_score = results[0].max_score if results else 0.0
    image = path.with_name(f"histogram-{assignment_id}.png")
    histogram(results, max_score, image)
    lines = [f"# Grading report: {assignment_id}", ""]
    for warning in warnings or []:
        lines += [f"> {warning}", ""]
    lines += [summary, "", f"![Histogram of totals]({image.name})", ""]
    lines += ["## Per question", "", "| question | points | mean | full marks |", "|---|---|---|---|"]
    for key, points in cells:
        if not points:  # the name cell and other zero-point cells
            continue
        scores = [r.cell_scores.get(key) for r in results]
        known = [s for s in scores if s is not None]
        mean = sum(known) / len(known) if known else 0.0
        full = sum(1 for s in known if s >= points)
        lines.append(f"| {key} | {format_score(points)} | {mean:.2f} | {full}/{len(results)} |")
    counts = Counter(m for r in results for m in grouped(r.mistakes))
    where: dict[str, list[str]] = {}
    for r in results:
        for mistake, questions in grouped(r.mistakes).items():
            where.setdefault(mistake, [])
            where[mistake] += [q for q in questions if q not in where[mistake]]
    lines += ["", "## Most frequent diagnosed mistakes", ""]
    if counts:
        lines += ["| students | likely mistake | in questions |", "|---|---|---|"]
        lines += [f"| {n} | {mistake} | {', '.join(where[mistake])} |" for mistake, n in counts.most_common(15)]
    else:
        lines.append("No diagnosed mistakes.")
    problems = [r for r in results if r.problems]
    lines += ["", "## Problems", ""]
    lines += [f"- {r.student}: {r.status}" for r in problems] or ["None."]
    lines += ["", "## Students", "", "| student | total | status | likely mistakes |", "|---|---|---|---|"]
    lines += [student_line(r) for r in sorted(results, key=lambda r: r.student)]
    write_atomically(path, "\n".join(lines) + "\n")
