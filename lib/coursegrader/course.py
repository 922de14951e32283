"""Where a course keeps its files, and the nbgrader configuration that points at them."""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

#: Student ids become directory names and database keys: keep them boring.
STUDENT_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a staging file next to ``path``, then rename it: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.staging")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)


def put_python_tools_on_path() -> None:
    """Make this interpreter's scripts findable: nbgrader runs ``alembic`` by name to create a gradebook.

    Without it, ``.venv/bin/python -m coursegrader`` (venv not activated) fails on a fresh gradebook.
    """
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + path


@dataclass(frozen=True)
class Course:
    """The course's directories, relative to its root (the folder holding ``nbgrader_config.py``).

    ``solutions/`` is nbgrader's source directory; everything grading produces lives under ``grading/``
    (git-ignored): ``submitted/``, ``autograded/``, ``feedback/``, ``gradebook.db``, ``grades.csv`` and
    the class report.
    """

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "solutions"

    @property
    def grading(self) -> Path:
        return self.root / "grading"

    @property
    def submitted(self) -> Path:
        return self.grading / "submitted"

    @property
    def autograded(self) -> Path:
        return self.grading / "autograded"

    @property
    def feedback(self) -> Path:
        return self.grading / "feedback"

    @property
    def gradebook(self) -> Path:
        return self.grading / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    def notebook_names(self, assignment_id: str) -> list[str]:
        """Names (without ``.ipynb``) of the assignment's notebooks in ``solutions/``."""
        folder = self.source / assignment_id
        if not folder.is_dir():
            raise FileNotFoundError(f"no assignment {assignment_id!r}: {folder} does not exist")
        names = sorted(path.stem for path in folder.glob("*.ipynb"))
        if not names:
            raise FileNotFoundError(f"assignment {assignment_id!r} has no notebooks in {folder}")
        return names

    @property
    def course_id(self) -> str:
        """The course id of ``nbgrader_config.py`` (nbgrader's ``default_course`` without one)."""
        return self.nbgrader_config().CourseDirectory.get("course_id", "default_course")

    def open_gradebook(self):
        """The course gradebook (``nbgrader.api.Gradebook``), opened with the course's id."""
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, course_id=self.course_id)

    def nbgrader_config(self) -> Config:
        """The course's ``nbgrader_config.py`` (if any), with every path pinned to this course's layout."""
        config = Config()
        config_file = self.root / "nbgrader_config.py"
        if config_file.exists():
            config.merge(PyFileConfigLoader(config_file.name, path=str(self.root)).load_config())
        directory = config.CourseDirectory
        directory.root = str(self.root)
        directory.source_directory = "solutions"
        directory.submitted_directory = str(self.submitted)
        directory.autograded_directory = str(self.autograded)
        directory.feedback_directory = str(self.feedback)
        directory.db_url = self.db_url
        return config
