"""``python -m coursegrader feedback --assignment A``: re-make the feedback pages of one assignment.

Run it after grading by hand in nbgrader's formgrader: every student with an autograded notebook under
``grading/autograded/<student>/<A>/`` gets ``grading/feedback/<student>/<A>/<notebook>.html`` again, with
the scores and comments now in the course gradebook, built by :class:`coursegrader.feedback.FeedbackWriter`
(hidden tests reduced to a note, nothing the kernel wrote after the first hidden test shown raw). A page
that would still show a line of the hidden tests (one the student did not type themselves) is withheld:
deleted, and named in the summary.

Do not use ``nbgrader generate_feedback`` for this course: it renders the autograded notebook as it is, and
that notebook holds the hidden tests' code.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .arguments import course_options
from .course import Course, put_python_tools_on_path
from .feedback import FeedbackWriter
from .leaks import hidden_lines


@dataclass
class Outcome:
    """What happened to one student's pages.

    Parameters
    ----------
    student : str
    written : list of str
        Notebooks whose page was written.
    withheld : list of str
        Notebooks whose page was withheld (it showed hidden-test lines).
    failed : list of str
        ``notebook: reason`` for pages that could not be made.
    """

    student: str
    written: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The student's progress line (after ``[k/n]``)."""
        parts = [f"{len(self.written)} page(s) written"] if self.written else []
        if self.withheld:
            parts.append(f"withheld {', '.join(self.withheld)}: it showed hidden-test lines")
        if self.failed:
            parts.append(f"failed {'; '.join(self.failed)}")
        return f"{self.student}: {'; '.join(parts) or 'nothing to do'}"


def parser() -> argparse.ArgumentParser:
    """The command's options."""
    command = argparse.ArgumentParser(
        prog="python -m coursegrader feedback",
        description="Re-make the feedback pages of one assignment (after hand grading), without hidden tests.",
    )
    command.add_argument("--student", nargs="+", metavar="ID", help="only these students (default: every one)")
    course_options(command)
    return command


def autograded_notebooks(course: Course, assignment: str, students: list[str] | None) -> dict[str, list[Path]]:
    """``{student: autograded notebooks}`` for every student (or those asked for) that has any.

    Parameters
    ----------
    course : Course
    assignment : str
    students : list of str or None
        None: every student folder under ``grading/autograded`` (staging folders excluded).

    Returns
    -------
    dict of str to list of Path
        In the order of the students' ids.
    """
    root = course.autograded
    if students is None:
        folders = root.iterdir() if root.is_dir() else []
        students = sorted(p.name for p in folders if p.is_dir() and not p.name.startswith("."))
    found = {}
    for student in students:
        notebooks = sorted((root / student / assignment).glob("*.ipynb"))
        if notebooks:
            found[student] = notebooks
    return found


def remake(writer: FeedbackWriter, course: Course, assignment: str, student: str, notebooks: list[Path],
           secret: list[str]) -> Outcome:  # fmt: skip
    """Re-make one student's pages: write each atomically, or withhold (delete) it if it shows hidden lines.

    Parameters
    ----------
    writer : FeedbackWriter
    course : Course
    assignment, student : str
    notebooks : list of Path
        The student's autograded notebooks.
    secret : list of str
        The hidden-test lines of the assignment (:func:`coursegrader.leaks.hidden_lines`).

    Returns
    -------
    Outcome
    """
    outcome = Outcome(student)
    for notebook in notebooks:
        page_path = course.feedback / student / assignment / f"{notebook.stem}.html"
        submitted = course.submitted / student / assignment / notebook.name
        try:
            kept = writer.publish(notebook, page_path, submitted=submitted, secret=secret, student=student,
                                  db_url=course.db_url)  # fmt: skip
        except Exception as error:  # noqa: BLE001 - one student's broken notebook must not stop the class
            outcome.failed.append(f"{notebook.stem}: {type(error).__name__}: {error}".splitlines()[0])
            traceback.print_exc(file=sys.stderr)
            continue
        (outcome.written if kept else outcome.withheld).append(notebook.stem)
    return outcome


def summary(outcomes: list[Outcome], assignment: str) -> str:
    """One line: how many students got their pages, and who did not."""
    complete = sum(1 for o in outcomes if o.written and not o.withheld and not o.failed)
    line = f"feedback for {assignment}: {complete}/{len(outcomes)} students complete"
    withheld = [o.student for o in outcomes if o.withheld]
    failed = [o.student for o in outcomes if o.failed]
    if withheld:
        line += f"; withheld (hidden-test lines): {', '.join(withheld)}"
    if failed:
        line += f"; failed: {', '.join(failed)}"
    return line + "; pages in grading/feedback/"


def main(argv: list[str]) -> int:
    """Run the command; 0 on success, 1 if a page could not be made, 2 for a usage problem.

    Parameters
    ----------
    argv : list of str
        The options after ``feedback``.

    Returns
    -------
    int
    """
    args = parser().parse_args(argv)
    course = Course(args.root.resolve())
    try:
        names = course.notebook_names(args.assignment)
    except FileNotFoundError as error:
        print(f"coursegrader feedback: unknown assignment: {error}", file=sys.stderr)
        return 2
    students = autograded_notebooks(course, args.assignment, args.student)
    if not students:
        who = f" for {', '.join(args.student)}" if args.student else ""
        print(f"coursegrader feedback: no autograded notebooks of {args.assignment!r}{who} under "
              f"{course.autograded}; grade the class first (make grade)", file=sys.stderr)  # fmt: skip
        return 2
    for student in sorted(set(args.student or []) - set(students)):
        print(f"coursegrader feedback: no autograded notebook of {args.assignment!r} for {student}", file=sys.stderr)
    put_python_tools_on_path()
    secret = hidden_lines([course.source / args.assignment / f"{name}.ipynb" for name in names])
    writer = FeedbackWriter(course.nbgrader_config())
    outcomes = []
    for k, (student, notebooks) in enumerate(students.items(), start=1):
        outcomes.append(remake(writer, course, args.assignment, student, notebooks, secret))
        print(f"[{k}/{len(students)}] {outcomes[-1].line()}", file=sys.stderr, flush=True)
    print(summary(outcomes, args.assignment))
    return 1 if any(o.failed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
