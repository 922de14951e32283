"""Put an assignment into the course gradebook (nbgrader ``generate_assignment``), when it is needed.

Registration stores every graded and locked cell of ``solutions/<id>`` (hidden tests included) in the
gradebook; autograding later restores test cells from there, so a student cannot edit them. The student
version that ``generate_assignment`` writes is thrown away here (``make exercises`` owns ``exercises/``).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory

from .course import Course, put_python_tools_on_path


@dataclass(frozen=True)
class GradeCellInfo:
    """One graded cell of the assignment: which notebook, its ``grade_id`` and its points."""

    notebook: str
    grade_id: str
    max_score: float


def solutions_digest(course: Course, assignment_id: str) -> str:
    """SHA-256 over the assignment's solution notebooks: registration is redone when it changes."""
    digest = hashlib.sha256()
    for name in course.notebook_names(assignment_id):
        digest.update(name.encode())
        digest.update((course.source / assignment_id / f"{name}.ipynb").read_bytes())
    return digest.hexdigest()


def is_registered(course: Course, assignment_id: str) -> bool:
    """True when the gradebook holds this assignment as it is in ``solutions/`` now."""
    marker = course.grading / f".registered-{assignment_id}"
    if not (course.gradebook.exists() and marker.exists()):
        return False
    if marker.read_text().strip() != solutions_digest(course, assignment_id):
        return False
    with course.open_gradebook() as gradebook:
        try:
            notebooks = {nb.name for nb in gradebook.find_assignment(assignment_id).notebooks}
        except MissingEntry:
            return False
    return notebooks == set(course.notebook_names(assignment_id))


def register(course: Course, assignment_id: str, *, force: bool = False, keep_release: Path | None = None) -> bool:
    """Register ``assignment_id`` in the course gradebook if needed; return True if it ran nbgrader.

    ``keep_release``: a folder to copy the student version that nbgrader generated into (tests use it).
    """
    if not force and is_registered(course, assignment_id):
        return False
    put_python_tools_on_path()
    course.grading.mkdir(parents=True, exist_ok=True)
    config = course.nbgrader_config()
    with tempfile.TemporaryDirectory(prefix="coursegrader-release-") as release:
        config.CourseDirectory.release_directory = release
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment_id
        app = GenerateAssignment(coursedir=coursedir, config=config)
        app.log.setLevel(logging.WARNING)
        app.force = True
        app.start()
        if keep_release is not None:
            shutil.copytree(Path(release) / assignment_id, keep_release, dirs_exist_ok=True)
    (course.grading / f".registered-{assignment_id}").write_text(solutions_digest(course, assignment_id) + "\n")
    return True


def grade_cells(course: Course, assignment_id: str) -> list[GradeCellInfo]:
    """Every graded cell of the registered assignment, in notebook order, with its points."""
    cells = []
    with course.open_gradebook() as gradebook:
        assignment = gradebook.find_assignment(assignment_id)
        for notebook in sorted(assignment.notebooks, key=lambda nb: nb.name):
            ordered = [cell for cell in notebook.source_cells]
            position = {cell.name: index for index, cell in enumerate(ordered)}
            for cell in sorted(notebook.grade_cells, key=lambda c: position.get(c.name, 0)):
                cells.append(GradeCellInfo(notebook.name, cell.name, float(cell.max_score)))
    return cells
