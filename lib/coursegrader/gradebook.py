"""The course gradebook as the one source of the grades: every CSV, report, export and summary reads it here.

A cell's score is its manual score (given by hand in nbgrader's formgrader) when there is one, else its
automatic score; a cell that has neither and is worth points is **pending** (``None``): an answer waiting
to be graded by hand, never counted as 0. Late penalties are recomputed here from each submission's
timestamp, the assignment's due date and the penalty rule (:mod:`coursegrader.late`), and written back to
the gradebook (``SubmittedNotebook.late_submission_penalty``), so formgrader and ``nbgrader export`` agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from nbgrader.api import MissingEntry
from nbgrader.plugins import LateSubmissionPlugin

from .course import Course
from .late import minutes_late, penalty
from .questions import Question, questions
from .register import grade_cells


@dataclass
class StudentGrades:
    """One student's grades for one assignment, as the gradebook holds them.

    Parameters
    ----------
    student : str
    scores : dict of str to float or None
        ``notebook/grade_id`` -> score; None: pending (graded by hand, not yet).
    submitted_at : datetime or None
        Naive UTC.
    minutes_late : int
    penalty : float
        Points taken off for lateness (all notebooks together).
    """

    student: str
    scores: dict[str, float | None]
    submitted_at: datetime | None = None
    minutes_late: int = 0
    penalty: float = 0.0

    @property
    def points(self) -> float:
        """Points given so far (pending answers not counted), before the late penalty."""
        return float(sum(s for s in self.scores.values() if s is not None))

    def notebook_points(self, notebook: str) -> float:
        return float(sum(s for k, s in self.scores.items() if s is not None and k.split("/")[0] == notebook))

    def pending(self, questions: list[Question]) -> list[Question]:
        """The questions waiting for a grade by hand."""
        return [q for q in questions if q.points and self.scores.get(q.key, 0.0) is None]

    @property
    def final(self) -> float:
        """Points after the late penalty (meaningful once nothing is pending)."""
        return max(self.points - self.penalty, 0.0)


@dataclass
class ClassGrades:
    """Every student's grades for one assignment, and the assignment's questions and due date."""

    assignment: str
    questions: list[Question]
    students: dict[str, StudentGrades]
    due: datetime | None = None
    enrolled: list[str] = field(default_factory=list)  # every student the gradebook knows, submitted or not

    @property
    def max_score(self) -> float:
        return float(sum(q.points for q in self.questions))

    @property
    def missing(self) -> list[str]:
        """Students the gradebook knows who have no submission of this assignment."""
        return sorted(set(self.enrolled) - set(self.students))


def cell_score(grade) -> float | None:
    """A gradebook ``Grade``'s score: manual, else automatic, else None (pending) unless worth 0 points."""
    if grade.manual_score is not None:
        return float(grade.manual_score) + float(grade.extra_credit or 0.0)
    if grade.auto_score is not None:
        return float(grade.auto_score)
    return 0.0 if not grade.max_score else None


def read_class(course: Course, assignment_id: str, plugin: LateSubmissionPlugin | None = None) -> ClassGrades:
    """Read (and, with ``plugin``, re-apply the late penalties of) one assignment's grades.

    Parameters
    ----------
    course : Course
    assignment_id : str
    plugin : LateSubmissionPlugin, optional
        The penalty rule; None keeps the penalties stored in the gradebook.

    Returns
    -------
    ClassGrades

    Raises
    ------
    FileNotFoundError
        When the course has no gradebook or the assignment is not in it.
    """
    if not course.gradebook.exists():
        raise FileNotFoundError(f"no gradebook at {course.gradebook}: grade the class first (make grade)")
    asked = questions(course, assignment_id, grade_cells_or_fail(course, assignment_id))
    students = {}
    with course.open_gradebook() as gradebook:
        assignment = gradebook.find_assignment(assignment_id)
        enrolled = [s.id for s in gradebook.students]
        for submission in assignment.submissions:
            students[submission.student.id] = student_grades(submission, plugin)
        if plugin is not None:
            gradebook.db.commit()
        due = assignment.duedate
    return ClassGrades(assignment_id, asked, students, due, enrolled)


def student_grades(submission, plugin: LateSubmissionPlugin | None) -> StudentGrades:
    """One ``SubmittedAssignment``'s grades; with ``plugin``, its notebooks' late penalties are set anew.

    Each notebook's penalty is the plugin's for the points given so far, between 0 and those points.
    """
    seconds_late = float(submission.total_seconds_late or 0.0)
    scores, total_penalty = {}, 0.0
    for submitted in submission.notebooks:
        own = {f"{submitted.notebook.name}/{g.cell.name}": cell_score(g) for g in submitted.grades}
        scores.update(own)
        if plugin is not None:
            known = float(sum(s for s in own.values() if s is not None))
            submitted.late_submission_penalty = penalty(plugin, submission.student.id, known, seconds_late) or None
        total_penalty += float(submitted.late_submission_penalty or 0.0)
    return StudentGrades(submission.student.id, scores, submission.timestamp, minutes_late(seconds_late), total_penalty)


def grade_cells_or_fail(course: Course, assignment_id: str):
    """``register.grade_cells``, with an instructor-readable error for an assignment not in the gradebook."""
    try:
        return grade_cells(course, assignment_id)
    except MissingEntry:
        raise FileNotFoundError(
            f"assignment {assignment_id!r} is not in the gradebook {course.gradebook}: grade it first (make grade)"
        ) from None
