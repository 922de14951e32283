"""What every simulated student starts from: the released notebook, and the right answers to copy from.

A simulated student is a small function ``student(kit) -> Notebook | FileTree``: it takes the notebook
nbgrader releases (``kit.released``, a fresh copy each time) and returns the notebook the student hands
in, or a file tree (``{relative path: bytes}``) for submissions that are not a single good notebook.
"""

from __future__ import annotations

import copy
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

FileTree = dict[str, bytes]
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def release(solutions: Path, assignment_id: str) -> dict[str, NotebookNode]:
    """The student versions of ``solutions/<assignment_id>/*.ipynb`` as nbgrader generates them."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from coursegrader.course import put_python_tools_on_path

    put_python_tools_on_path()
    with tempfile.TemporaryDirectory(prefix="students-release-") as work:
        config = Config()
        config.CourseDirectory.root = work
        config.CourseDirectory.source_directory = str(solutions)
        config.CourseDirectory.release_directory = str(Path(work) / "release")
        config.CourseDirectory.db_url = f"sqlite:///{Path(work) / 'gradebook.db'}"
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment_id
        app = GenerateAssignment(coursedir=coursedir, config=config)
        app.log.setLevel(logging.ERROR)
        app.start()
        folder = Path(work) / "release" / assignment_id
        return {path.stem: nbformat.read(path, as_version=4) for path in sorted(folder.glob("*.ipynb"))}


def without_markers(source: str) -> str:
    """A solution cell's source as a student who solved it would write it (markers dropped)."""
    return "\n".join(line for line in source.split("\n") if line.strip() not in MARKERS)


@dataclass
class Kit:
    """The released notebook (copied on every access) and the reference answers by ``grade_id``."""

    notebook_name: str
    _released: NotebookNode
    answers: dict[str, str]

    @property
    def released(self) -> NotebookNode:
        return copy.deepcopy(self._released)

    @classmethod
    def build(cls, solution_path: Path, released: NotebookNode) -> Kit:
        solved = nbformat.read(solution_path, as_version=4)
        answers = {
            cell.metadata["nbgrader"]["grade_id"]: without_markers(cell.source)
            for cell in solved.cells
            if cell.metadata.get("nbgrader", {}).get("solution")
        }
        return cls(solution_path.stem, released, answers)


def cell_index(nb: NotebookNode, grade_id: str) -> int:
    """Index of the cell with this ``grade_id`` (KeyError if the notebook has none)."""
    for index, cell in enumerate(nb.cells):
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return index
    raise KeyError(grade_id)


def answered(kit: Kit, **replacements: str) -> NotebookNode:
    """The released notebook with every answer cell filled in correctly, except ``replacements``.

    ``replacements`` maps a ``grade_id`` to the source the student wrote there instead.
    """
    nb = kit.released
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            grade_id = meta["grade_id"]
            cell.source = replacements.get(grade_id, kit.answers[grade_id])
            if cell.cell_type == "markdown" and grade_id not in replacements:
                cell.source = "Ada Student"
    return nb


def replace_in(kit: Kit, grade_id: str, old: str, new: str, nb: NotebookNode | None = None) -> NotebookNode:
    """The perfect notebook with ``old`` replaced by ``new`` in one answer (which must contain it)."""
    source = kit.answers[grade_id]
    if old not in source:
        raise ValueError(f"the reference answer {grade_id!r} does not contain {old!r}: update the simulated student")
    return answered(kit, **{grade_id: source.replace(old, new)})


def to_bytes(nb: NotebookNode) -> bytes:
    return nbformat.writes(nb).encode()


def throwaway_course(root: Path, source: Path, assignment_id: str):
    """A course in ``root`` holding one assignment of ``source`` (a course root), registered, with its release.

    The course's ``nbgrader_config.py`` comes along (formgrader reads it; every path in it is relative to
    the file), and nbgrader's student version is kept in ``root/release`` for :func:`course_kit`.
    """
    import shutil

    from coursegrader.course import Course
    from coursegrader.register import register

    shutil.copytree(source / "solutions" / assignment_id, root / "solutions" / assignment_id)
    if (source / "nbgrader_config.py").exists():
        shutil.copyfile(source / "nbgrader_config.py", root / "nbgrader_config.py")
    course = Course(root)
    register(course, assignment_id, keep_release=root / "release")
    return course


def course_kit(course, assignment_id: str) -> Kit:
    """The kit of a :func:`throwaway_course`'s assignment (its first notebook)."""
    released = nbformat.read(course.root / "release" / f"{assignment_id}.ipynb", as_version=4)
    return Kit.build(course.source / assignment_id / f"{assignment_id}.ipynb", released)
