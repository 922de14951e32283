"""Bring one student's autograded work into the course: files into ``grading/``, scores into the gradebook.

Scores are recomputed here from the autograded notebook with nbgrader's own rule
(``nbgrader.utils.determine_grade``: an error or anything on stderr scores 0) against the points
stored in the *course* gradebook, so no number a student's code could have written into a worker's
gradebook file is trusted. Each student is written in one database transaction: a crash leaves either
the old grades or the new ones, never a mix, and re-grading replaces rows instead of adding them.
"""

from __future__ import annotations

import copy
import shutil
import sqlite3
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import Comment, Grade, Gradebook, Student, SubmittedAssignment, SubmittedNotebook

from .collect import replace_folder
from .course import Course


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


def write_scores(
    course: Course, assignment_id: str, student_id: str, scores: dict[str, dict[str, float | None]]
) -> None:
    """Write ``scores[notebook][grade_id]`` as auto scores, in one transaction (manual scores are kept)."""
    with course.open_gradebook() as gradebook:
        session = gradebook.db
        try:
            with session.no_autoflush:
                submission = find_or_create_submission(gradebook, assignment_id, student_id)
            session.flush()
            session.expire_all()
            for submitted in submission.notebooks:
                notebook = submitted.notebook
                names = {cell.id: cell.name for cell in notebook.grade_cells + notebook.task_cells}
                notebook_scores = scores.get(notebook.name, {})
                for grade in submitted.grades:
                    grade.auto_score = notebook_scores.get(names[grade.cell_id], 0.0)
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
            session.commit()
        except Exception:
            session.rollback()
            raise


def publish_files(course: Course, assignment_id: str, student_id: str, work_area: Path | None) -> None:
    """Replace the student's autograded notebooks and feedback in ``grading/`` by this run's."""
    for step, final_root in (("autograded", course.autograded), ("feedback", course.feedback)):
        final = final_root / student_id / assignment_id
        staging = final_root / f".staging-{student_id}" / assignment_id
        if staging.parent.exists():
            shutil.rmtree(staging.parent)
        staging.mkdir(parents=True)
        produced = None if work_area is None else work_area / step / student_id / assignment_id
        if produced is not None and produced.is_dir():
            for path in produced.iterdir():
                if path.is_file():
                    shutil.copyfile(path, staging / path.name)
        replace_folder(staging, final)
        shutil.rmtree(staging.parent)
