"""``python -m coursegrader report --assignment A``: rewrite ``grades*.csv`` and the report from the gradebook.

Run it after grading written answers by hand in nbgrader's formgrader (or after changing the due date or
the late-penalty rule): nothing is re-run, every score is read from ``grading/gradebook.db``.
:func:`write_outputs` is also what ``make grade`` ends with, so both write the same files the same way.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import datetime
from pathlib import Path

from .arguments import course_options, due_date, penalty_rule
from .course import Course, write_atomically
from .gradebook import read_class
from .late import penalty_plugin
from .report import load_results, rows, summary_line, write_csv, write_report


def rule_file(course: Course, assignment_id: str) -> Path:
    """Where the late-penalty rule last given for an assignment is kept, so every later report uses it."""
    return course.grading / f"late-penalty-{assignment_id}.txt"


def late_rule(course: Course, assignment_id: str, rule: str | None) -> str | None:
    """The rule to use: ``rule`` (then remembered), else the remembered one, else None (the course's plugin)."""
    path = rule_file(course, assignment_id)
    if rule is not None:
        penalty_plugin(rule)  # refuse a bad rule before remembering it
        write_atomically(path, rule.strip() + "\n")
        return rule
    return path.read_text().strip() if path.exists() else None


def set_due(course: Course, assignment_id: str, due: datetime) -> None:
    """Store the assignment's due date (naive UTC) in the gradebook, where nbgrader keeps it."""
    with course.open_gradebook() as gradebook:
        gradebook.update_or_create_assignment(assignment_id, duedate=due)


def write_outputs(course: Course, assignment_id: str, *, rule: str | None = None, students: list[str] | None = None,
                  stopped: str | None = None, warnings: list[str] | None = None) -> str:  # fmt: skip
    """Recompute late penalties, write ``grades.csv``, ``grades-<A>.csv``, the report and histogram; return the summary.

    Parameters
    ----------
    course : Course
    assignment_id : str
    rule : str, optional
        A ``--late-penalty`` rule for this and later reports (:func:`late_rule`).
    students : list of str, optional
        The students the summary line is about (those graded in this run); default: every student.
    stopped : str, optional
        Why grading stopped early, put in front of the summary.
    warnings : list of str, optional
        Shown at the top of the report.

    Returns
    -------
    str
        The summary line.
    """
    plugin = penalty_plugin(late_rule(course, assignment_id, rule), course.nbgrader_config())
    grades = read_class(course, assignment_id, plugin)
    results = load_results(course.grading / f"results-{assignment_id}.json")
    report = course.grading / "report.md"
    table = [r for r in rows(grades, results) if r.grades is not None and (students is None or r.student in students)]
    summary = summary_line(table, grades.questions, grades.max_score, report.relative_to(course.root))
    if stopped:
        summary = f"{stopped}; {summary}"
    notebooks = list(dict.fromkeys(q.notebook for q in grades.questions)) or course.notebook_names(assignment_id)
    write_csv(grades, results, notebooks, course.grading / f"grades-{assignment_id}.csv")
    shutil.copyfile(course.grading / f"grades-{assignment_id}.csv", course.grading / "grades.csv")
    write_report(grades, results, summary, report, warnings)
    return summary


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="python -m coursegrader report",
        description="Rewrite grades.csv and the report of one assignment from the gradebook (nothing is re-run).",
    )
    command.add_argument("--due", type=due_date, help="due date, e.g. 2026-12-10T23:59 (local time) or with +01:00")
    command.add_argument(
        "--late-penalty", type=penalty_rule, metavar="RULE", help="none, zero, P%%/hour or P%%/day (remembered)"
    )
    course_options(command)
    return command


def main(argv: list[str]) -> int:
    """Run the command; 0 on success, 2 for a usage problem (unknown assignment, no gradebook, bad rule)."""
    args = parser().parse_args(argv)
    course = Course(args.root.resolve())
    try:
        course.notebook_names(args.assignment)
        if not course.gradebook.exists():
            raise FileNotFoundError(f"no gradebook at {course.gradebook}: grade the class first (make grade)")
        if args.due is not None:
            set_due(course, args.assignment, args.due)
        summary = write_outputs(course, args.assignment, rule=args.late_penalty)
    except FileNotFoundError as error:
        print(f"coursegrader report: {error}", file=sys.stderr)
        return 2
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
