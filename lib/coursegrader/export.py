"""``python -m coursegrader export --format canvas|moodle|csv``: final grades in a file an LMS imports.

Scores are read from the gradebook (:mod:`coursegrader.gradebook`): hand-given scores included, the late
penalty taken off. The students are those of the roster (``--roster roster.csv``, columns ``student_id``,
``name``, ``email``, and optionally ``section``), else every student the gradebook knows; a student with
no submission gets 0 and the status ``missing``. A student with an answer still waiting for a grade by
hand gets an empty cell (an LMS keeps no grade for it) and the summary names them: grade in formgrader,
then export again.

The formats, with the column names their import documentation gives:

- ``canvas``: Canvas's Gradebook import (Grades, Import): ``Student``, ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section``, then one column per assignment, and a ``Points Possible`` row under the
  header, as in Canvas's own export. Canvas matches students on ``ID`` (its own number, empty here),
  ``SIS User ID`` (the roster's student id) or ``SIS Login ID`` (the email). A column whose name matches no
  Canvas assignment creates a new one; to fill an existing one, name it as Canvas's export does
  (``--title rnn_step="Exercise 1 (12345)"``).
- ``moodle``: Moodle's "Import grades: CSV file": ``ID number``, ``First name``, ``Last name``,
  ``Email address``, then per assignment a score column and a feedback column. On import, choose
  "Identify user by": map from ``Email address`` to "Email address" (or ``ID number`` to "ID number"),
  and map each score column to its grade item.
- ``csv``: every detail, for a spreadsheet: id, name, email, and per assignment the points, the points
  pending, the maximum, minutes late, the penalty, the final score and the status.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from .arguments import course_options
from .course import Course, write_atomically
from .gradebook import ClassGrades, read_class
from .report import MISSING, PENDING, Row, StudentResult, format_score, load_results, rows

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "    Points Possible"
MOODLE_COLUMNS = ["ID number", "First name", "Last name", "Email address"]
FORMATS = ("canvas", "moodle", "csv")


class RosterError(ValueError):
    """The roster file cannot be read as a roster."""


@dataclass(frozen=True)
class Person:
    """One student of the roster."""

    student_id: str
    name: str = ""
    email: str = ""
    section: str = ""

    @property
    def first_and_last(self) -> tuple[str, str]:
        """``("Ada", "Lovelace")`` from ``Ada Lovelace`` or ``Lovelace, Ada``."""
        if "," in self.name:
            last, _, first = self.name.partition(",")
            return first.strip(), last.strip()
        first, _, last = self.name.strip().rpartition(" ")
        return (first, last) if first else (last, "")


ID_NAMES = ("student_id", "id", "student id", "sis user id", "id number", "username")


def read_roster(path: Path) -> list[Person]:
    """The students of a roster CSV: a student-id column (``student_id``, ``id``, ...), ``name``, ``email``.

    Raises
    ------
    RosterError
        With what is wrong (no such file, no id column, a repeated id).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RosterError(f"cannot read the roster {path}: {error}") from error
    reader = csv.DictReader(io.StringIO(text))
    columns = {name.strip().lower(): name for name in reader.fieldnames or []}
    id_column = next((columns[n] for n in ID_NAMES if n in columns), None)
    if id_column is None:
        raise RosterError(f"{path}: expected a student id column (student_id), found columns {reader.fieldnames}")

    def value(record: dict, name: str) -> str:
        return (record.get(columns.get(name, ""), "") or "").strip()

    people, seen = [], set()
    for record in reader:
        student = (record.get(id_column) or "").strip()
        if not student:
            continue
        if student in seen:
            raise RosterError(f"{path}: student id {student!r} appears twice")
        seen.add(student)
        people.append(Person(student, value(record, "name"), value(record, "email"), value(record, "section")))
    return people


def students_of(course: Course, roster: list[Person] | None, classes: list[ClassGrades]) -> list[Person]:
    """The roster, else every student the gradebook knows (with the names and emails it holds)."""
    if roster is not None:
        return roster
    with course.open_gradebook() as gradebook:
        known = {s.id: s for s in gradebook.students}
        names = {s.id: " ".join(p for p in (s.first_name, s.last_name) if p) for s in known.values()}
        emails = {s.id: s.email or "" for s in known.values()}
    ids = sorted(set(known) | {s for c in classes for s in c.students})
    return [Person(i, names.get(i, ""), emails.get(i, "")) for i in ids]


@dataclass(frozen=True)
class Cell:
    """One student's result for one assignment, as the export writes it."""

    score: str  # the final score, or "" while pending
    status: str
    row: Row


def table(course: Course, assignments: list[str], roster: list[Person] | None) -> tuple[list[Person], dict]:
    """The students, and ``{assignment: (ClassGrades, {student: Cell})}``."""
    classes = {a: read_class(course, a) for a in assignments}
    people = students_of(course, roster, list(classes.values()))
    cells = {}
    for a, grades in classes.items():
        results = load_results(course.grading / f"results-{a}.json")
        by_student = {r.student: r for r in rows(grades, results)}
        cells[a] = (grades, {p.student_id: cell_of(grades, by_student.get(p.student_id), p.student_id) for p in people})
    return people, cells


def cell_of(grades: ClassGrades, row: Row | None, student: str) -> Cell:
    """A student's export cell from their report row (None: no submission)."""
    if row is None or row.grades is None:
        return Cell("0", MISSING, Row(student, None, StudentResult(student)))
    score = "" if row.waiting(grades.questions) else format_score(row.final)
    return Cell(score, row.status(grades.questions), row)


def canvas(people: list[Person], cells: dict, titles: dict[str, str]) -> list[list[str]]:
    header = CANVAS_COLUMNS + [titles.get(a, a) for a in cells]
    points = [CANVAS_POINTS_ROW, "", "", "", ""] + [format_score(g.max_score) for g, _ in cells.values()]
    body = [[p.name or p.student_id, "", p.student_id, p.email, p.section] + [c[p.student_id].score for _, c in cells.values()]  # noqa: E501
            for p in people]  # fmt: skip
    return [header, points, *body]


def moodle(people: list[Person], cells: dict, titles: dict[str, str]) -> list[list[str]]:
    header = list(MOODLE_COLUMNS)
    for a in cells:
        header += [titles.get(a, a), f"{titles.get(a, a)} feedback"]
    body = []
    for p in people:
        first, last = p.first_and_last
        line = [p.student_id, first, last, p.email]
        for _, by_student in cells.values():
            line += [by_student[p.student_id].score, by_student[p.student_id].status]
        body.append(line)
    return [header, *body]


def plain(people: list[Person], cells: dict, titles: dict[str, str]) -> list[list[str]]:
    header = ["student_id", "name", "email"]
    for a in cells:
        header += [
            f"{a} {column}" for column in ("points", "pending", "max", "late_minutes", "penalty", "final", "status")
        ]
    body = []
    for p in people:
        line = [p.student_id, p.name, p.email]
        for grades, by_student in cells.values():
            c = by_student[p.student_id]
            g = c.row.grades
            waiting = c.row.waiting(grades.questions)
            line += [format_score(c.row.points), format_score(waiting), format_score(grades.max_score),
                     str(g.minutes_late if g else 0), format_score(g.penalty if g else 0.0),
                     c.score if c.score else PENDING, c.status]  # fmt: skip
        body.append(line)
    return [header, *body]


WRITERS = {"canvas": canvas, "moodle": moodle, "csv": plain}


def export(course: Course, assignments: list[str], fmt: str, output: Path, roster: list[Person] | None = None,
           titles: dict[str, str] | None = None) -> str:  # fmt: skip
    """Write the export file; return a one-line summary (students, missing, pending)."""
    people, cells = table(course, assignments, roster)
    lines = WRITERS[fmt](people, cells, titles or {})
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    write_atomically(output, buffer.getvalue())
    missing = sorted({p.student_id for p in people for _, c in cells.values() if c[p.student_id].status == MISSING})
    pending = sorted({p.student_id for p in people for _, c in cells.values() if c[p.student_id].score == ""})
    unknown = sorted({s for g, _ in cells.values() for s in g.students} - {p.student_id for p in people})
    text = f"exported {len(people)} students of {', '.join(assignments)} for {fmt} to {output}"
    if missing:
        text += f"; {len(missing)} missing (0): {', '.join(missing)}"
    if pending:
        text += f"; {len(pending)} pending hand grading (left empty): {', '.join(pending)}"
    if unknown:
        text += f"; graded but not on the roster (left out): {', '.join(unknown)}"
    return text


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(prog="python -m coursegrader export", description=__doc__.split("\n\n")[0])
    command.add_argument("--format", required=True, choices=FORMATS, help="canvas, moodle or csv")
    command.add_argument("--assignment", nargs="+", metavar="ID", help="assignments to export (default: all graded)")
    command.add_argument("--roster", type=Path, help="CSV with student_id, name, email (and section) columns")
    command.add_argument("--output", type=Path, help="the file to write (default: grading/export-<format>.csv)")
    command.add_argument("--title", nargs="+", default=[], metavar="ID=COLUMN", help="column name of an assignment")
    course_options(command, "")
    return command


def main(argv: list[str]) -> int:
    """Run the command; 0 on success, 2 for a usage problem."""
    args = parser().parse_args(argv)
    course = Course(args.root.resolve())
    if not course.gradebook.exists():
        print(f"coursegrader export: no gradebook at {course.gradebook}: grade a class first", file=sys.stderr)
        return 2
    titles = {}
    for item in args.title:
        key, sep, value = item.partition("=")
        if not sep or not value:
            print(f"coursegrader export: --title expects ID=COLUMN, received {item!r}", file=sys.stderr)
            return 2
        titles[key] = value
    with course.open_gradebook() as gradebook:
        graded = sorted(a.name for a in gradebook.assignments if a.submissions)
    assignments = args.assignment or graded
    if not assignments:
        print("coursegrader export: the gradebook holds no graded assignment yet", file=sys.stderr)
        return 2
    try:
        roster = read_roster(args.roster) if args.roster else None
        output = args.output or course.grading / f"export-{args.format}.csv"
        print(export(course, assignments, args.format, output, roster, titles))
    except (RosterError, FileNotFoundError) as error:
        print(f"coursegrader export: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
