"""Bring one student's autograded work into the course: files into ``grading/``, scores into the gradebook.

Scores are recomputed here from the autograded notebook with nbgrader's own rule
(``nbgrader.utils.determine_grade``: an error or anything on stderr scores 0) against the points
stored in the *course* gradebook, so no number a student's code could have written into a worker's
gradebook file is trusted. Each student is written in one database transaction: a crash leaves either
the old grades or the new ones, never a mix, and re-grading replaces rows instead of adding them.

Re-grading replaces the automatic scores and keeps the ones given by hand in formgrader, unless the answer
they judged changed (then the cell is pending again, and the old score is named in the student's log).
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import Comment, Grade, Gradebook, Student, SubmittedAssignment, SubmittedNotebook
from nbgrader.plugins import LateSubmissionPlugin

from .collect import replace_folder
from .course import Course, WorkArea
from .gradebook import StudentGrades, student_grades
from .hiding import grade_id


def prune_gradebook(source: Path, destination: Path, assignment_id: str, course_id: str) -> None:
    """Copy the course gradebook for workers, keeping only ``assignment_id`` and no student data.

    A student's code runs unsandboxed next to this file, so it holds nothing they should not see: no
    other student's grades, no other assignment's hidden tests. ``VACUUM`` drops the deleted pages.
    """
    shutil.copyfile(source, destination)
    with Gradebook(f"sqlite:///{destination}", course_id=course_id) as gradebook:
        others = [a.name for a in gradebook.assignments if a.name != assignment_id]
    connection = sqlite3.connect(destination)
    with connection:
        for table in ("grade", "comment", "submitted_notebook", "submitted_assignment", "student"):
            connection.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    connection.close()
    with Gradebook(f"sqlite:///{destination}", course_id=course_id) as gradebook:
        for name in others:
            gradebook.remove_assignment(name)
    connection = sqlite3.connect(destination)
    connection.execute("VACUUM")
    connection.close()


def cell_scores(notebook_path: Path | None, max_scores: dict[str, float]) -> dict[str, float | None]:
    """Score of every grade cell (by grade_id) in an autograded notebook; 0 where it is absent.

    ``None`` means "needs a human" (a written answer). ``notebook_path=None`` (missing, malformed or
    ungradable notebook) scores every cell 0.
    """
    scores: dict[str, float | None] = dict.fromkeys(max_scores, 0.0)
    if notebook_path is None:
        return scores
    seen = set()
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in max_scores or grade_id in seen or not utils.is_grade(cell):
            continue
        seen.add(grade_id)
        trusted = copy.deepcopy(cell)
        trusted.metadata.nbgrader["points"] = max_scores[grade_id]
        try:
            score, _ = utils.determine_grade(trusted)
        except ValueError:  # partial credit above the maximum: not something a test cell prints
            score = 0.0
        scores[grade_id] = None if score is None else min(max(float(score), 0.0), max_scores[grade_id])
    return scores


def find_or_create_submission(gradebook: Gradebook, assignment_id: str, student_id: str) -> SubmittedAssignment:
    """The student's submission, created (with a row per graded cell) inside the open transaction."""
    session = gradebook.db
    student = session.get(Student, student_id)
    if student is None:
        student = Student(id=student_id)
        session.add(student)
    assignment = gradebook.find_assignment(assignment_id)
    submission = (
        session.query(SubmittedAssignment)
        .filter(SubmittedAssignment.assignment_id == assignment.id, SubmittedAssignment.student_id == student_id)
        .one_or_none()
    )
    if submission is None:
        submission = SubmittedAssignment(assignment=assignment, student=student)
        session.add(submission)
    present = {nb.notebook_id for nb in submission.notebooks}
    for notebook in assignment.notebooks:
        if notebook.id in present:
            continue
        submitted = SubmittedNotebook(notebook=notebook, assignment=submission)
        rows = [submitted]
        rows += [Grade(cell_id=cell.id, notebook=submitted) for cell in notebook.grade_cells + notebook.task_cells]
        rows += [Comment(cell_id=cell.id, notebook=submitted) for cell in notebook.solution_cells + notebook.task_cells]
        session.add_all(rows)
    return submission


def solution_sources(notebook_path: Path | None) -> dict[str, str]:
    """``{grade_id: source}`` of every solution (answer) cell of a notebook; empty if there is no such file."""
    if notebook_path is None or not notebook_path.exists():
        return {}
    cells = nbformat.read(notebook_path, as_version=4).cells
    return {c.metadata.nbgrader["grade_id"]: c.source for c in cells if utils.is_solution(c) and grade_id(c)}


def changed_answers(before: dict[str, str], after: dict[str, str], graded: list[str]) -> set[str]:
    """The graded cells whose hand-given score no longer applies, because the answer it judged changed.

    A written answer (a graded solution cell) is judged on its own text; a test cell on every answer cell of
    its notebook (the code it ran). With nothing to compare against (``before`` empty), everything changed.

    Parameters
    ----------
    before, after : dict of str to str
        :func:`solution_sources` of the notebook the hand-given scores were given on, and of the new one.
    graded : list of str
        The notebook's graded cells.

    Returns
    -------
    set of str
    """
    if not before:
        return set(graded)
    changed = set()
    for gid in graded:
        written = gid in before or gid in after
        if (before.get(gid) != after.get(gid)) if written else (before != after):
            changed.add(gid)
    return changed


def is_blank(submitted: Path, stubs: dict[str, str], zero_point: set[str]) -> bool:
    """True when no answer cell of the handed-in notebook differs from the released stub (0-point cells aside).

    Parameters
    ----------
    submitted : Path
        The notebook as handed in.
    stubs : dict of str to str
        ``{grade_id: released source}`` of the notebook's solution cells (from the gradebook).
    zero_point : set of str
        Graded cells worth no points (the name cell), which do not count as an attempt.
    """
    answers = solution_sources(submitted)
    return all(answers.get(gid, stub).strip() == stub.strip() for gid, stub in stubs.items() if gid not in zero_point)


def released_stubs(course: Course, assignment_id: str, notebook: str) -> dict[str, str]:
    """``{grade_id: source}`` of the solution cells as released (nbgrader stores the stub in the gradebook)."""
    with course.open_gradebook() as gradebook:
        notebook_row = gradebook.find_notebook(notebook, assignment_id)
        names = {cell.name for cell in notebook_row.solution_cells}
        return {cell.name: cell.source for cell in notebook_row.source_cells if cell.name in names}


def write_scores(
    course: Course,
    assignment_id: str,
    student_id: str,
    scores: dict[str, dict[str, float | None]],
    changed: dict[str, set[str]] | None = None,
    submitted_at: datetime | None = None,
    due: datetime | None = None,
    plugin: LateSubmissionPlugin | None = None,
) -> tuple[StudentGrades, list[str]]:
    """Write ``scores[notebook][grade_id]`` as auto scores, in one transaction.

    Returns the student's grades as the gradebook now holds them (late penalties set anew with ``plugin``,
    :func:`coursegrader.gradebook.student_grades`) and notes for the student's log.

    Hand-given (manual) scores are kept, except on cells in ``changed[notebook]`` (the answer they judged
    changed, :func:`changed_answers`): those are cleared, the old score named in the notes. A cell needs
    manual grading only when it has neither score; a cell worth 0 points never does (its score is 0).
    ``submitted_at`` (naive UTC) becomes the submission's timestamp; ``due``, if given, the assignment's
    due date.
    """
    changed = changed or {}
    notes = []
    with course.open_gradebook() as gradebook:
        session = gradebook.db
        try:
            with session.no_autoflush:
                submission = find_or_create_submission(gradebook, assignment_id, student_id)
            session.flush()
            session.expire_all()
            if due is not None:
                submission.assignment.duedate = due
            submission.timestamp = submitted_at
            for submitted in submission.notebooks:
                notebook = submitted.notebook
                names = {cell.id: cell.name for cell in notebook.grade_cells + notebook.task_cells}
                notebook_scores = scores.get(notebook.name, {})
                for grade in submitted.grades:
                    name = names[grade.cell_id]
                    grade.auto_score = notebook_scores.get(name, 0.0)
                    if not grade.max_score:
                        grade.auto_score = 0.0
                    if grade.manual_score is not None and name in changed.get(notebook.name, set()):
                        notes.append(
                            f"{notebook.name}/{name}: the answer changed since it was graded by hand; "
                            f"the manual score {grade.manual_score:g} was cleared (grade it again)"
                        )
                        grade.manual_score = None
                        grade.extra_credit = None
                    grade.needs_manual_grade = grade.auto_score is None and grade.manual_score is None
            grades = student_grades(submission, plugin)
            session.commit()
        except Exception:
            session.rollback()
            raise
    return grades, notes


def publish_files(course: Course, assignment_id: str, student_id: str, work_area: Path | None) -> None:
    """Replace the student's autograded notebooks in ``grading/`` by this run's (feedback is made afterwards)."""
    final = course.autograded / student_id / assignment_id
    staging = course.autograded / f".staging-{student_id}" / assignment_id
    if staging.parent.exists():
        shutil.rmtree(staging.parent)
    staging.mkdir(parents=True)
    produced = None if work_area is None else WorkArea(work_area).autograded / student_id / assignment_id
    if produced is not None and produced.is_dir():
        for path in produced.iterdir():
            if path.is_file():
                shutil.copyfile(path, staging / path.name)
    replace_folder(staging, final)
    shutil.rmtree(staging.parent)
