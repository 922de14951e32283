"""Where a course keeps its files, and the nbgrader configuration that points at them."""

from __future__ import annotations

import functools
import hashlib
import json
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
    """Make this interpreter's scripts findable, and let nbgrader create a gradebook without a subprocess.

    To stamp a new gradebook with its schema version, nbgrader runs ``alembic heads`` by name: without the
    scripts on ``PATH``, ``.venv/bin/python -m coursegrader`` (venv not activated) fails on a fresh gradebook;
    with them, it costs a Python start (about 2 s of CPU). :func:`alembic_head` reads the same revision here.
    """
    import nbgrader.api

    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + path
    nbgrader.api.get_alembic_version = alembic_head


@functools.cache
def alembic_head() -> str:
    """The newest revision of nbgrader's gradebook schema: what ``alembic heads`` prints first, read in-process."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    return ScriptDirectory(ALEMBIC_DIR).get_current_head()


#: nbgrader's folders of the course, relative to its root: the one place that names them (``nbgrader_config.py``
#: and :meth:`Course.configure` both take them from here).
LAYOUT = {
    "source_directory": "solutions",
    "release_directory": "exercises",
    "submitted_directory": "grading/submitted",
    "autograded_directory": "grading/autograded",
    "feedback_directory": "grading/feedback",
}
GRADING = "grading"
GRADEBOOK = "grading/gradebook.db"


@dataclass(frozen=True)
class Course:
    """The course's directories, relative to its root (the folder holding ``nbgrader_config.py``).

    ``solutions/`` is nbgrader's source directory, ``exercises/`` its release directory; everything grading
    produces lives under ``grading/`` (git-ignored): ``submitted/``, ``autograded/``, ``feedback/``,
    ``gradebook.db``, ``grades.csv`` and the class report. The folders are those of ``LAYOUT``.
    """

    root: Path

    @property
    def source(self) -> Path:
        return self.root / LAYOUT["source_directory"]

    @property
    def release(self) -> Path:
        return self.root / LAYOUT["release_directory"]

    @property
    def grading(self) -> Path:
        return self.root / GRADING

    @property
    def submitted(self) -> Path:
        return self.root / LAYOUT["submitted_directory"]

    @property
    def autograded(self) -> Path:
        return self.root / LAYOUT["autograded_directory"]

    @property
    def feedback(self) -> Path:
        return self.root / LAYOUT["feedback_directory"]

    @property
    def gradebook(self) -> Path:
        return self.root / GRADEBOOK

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    def configure(self, config: Config) -> Config:
        """Point nbgrader's ``CourseDirectory`` in ``config`` at this course's folders and gradebook; return it."""
        directory = config.CourseDirectory
        directory.root = str(self.root)
        for name, folder in LAYOUT.items():
            setattr(directory, name, folder)
        directory.db_url = self.db_url
        return config

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
        return self.configure(config)

    def nbgrader_settings(self) -> dict:
        """:meth:`nbgrader_config` as plain values (what a grading worker on another machine is sent).

        Raises ``ValueError`` if ``nbgrader_config.py`` sets a value that is not plain data.
        """
        try:
            return json.loads(json.dumps(self.nbgrader_config()))
        except TypeError as error:
            raise ValueError(f"{self.root / 'nbgrader_config.py'} sets a value a grading worker cannot be sent: "
                             f"{error}") from error  # fmt: skip


@dataclass(frozen=True)
class WorkArea:
    """A grading child's own folder, on whichever machine its Dask worker runs: nothing in it is the course's.

    ``submitted/`` (copies of the students' notebooks it is sent), ``pristine.db`` (the registered gradebook
    every student starts from), ``db/<student>.db`` (the copy one student is graded in), and nbgrader's
    ``source/``, ``autograded/`` and ``feedback/`` steps.
    """

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def pristine(self) -> Path:
        return self.root / "pristine.db"

    def gradebook(self, student: str) -> Path:
        """The copy of the registered gradebook one student is graded in."""
        return self.root / "db" / f"{student}.db"

    def configure(self, config: Config) -> Config:
        """Point ``config``'s ``CourseDirectory`` at this work area (the course's own folders are never used)."""
        directory = config.CourseDirectory
        directory.root = str(self.root)
        directory.source_directory = str(self.source)
        directory.submitted_directory = str(self.submitted)
        directory.autograded_directory = str(self.autograded)
        directory.feedback_directory = str(self.feedback)
        return config


def notebook_path(folder: Path, student: str, assignment: str, notebook: str) -> Path:
    """``<folder>/<student>/<assignment>/<notebook>.ipynb``: nbgrader's layout of every per-student step."""
    return folder / student / assignment / f"{notebook}.ipynb"
