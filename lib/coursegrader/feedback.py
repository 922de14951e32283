"""Feedback pages: nbgrader's feedback template, with the hidden tests taken out and every page checked.

What a page may show is decided in :mod:`coursegrader.hiding` (the boundary at the first hidden test) and
applied by the preprocessors of :mod:`coursegrader.preprocessors.feedback`; :mod:`coursegrader.leaks` checks
the finished HTML. Scores not given yet read "pending".
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader import utils

from .course import write_atomically
from .leaks import find_leaks, typed_lines
from .preprocessors.feedback import FEEDBACK_PREPROCESSORS

PENDING = "pending (graded by hand)"


def score_or_pending(value: object) -> object:
    """The feedback template's ``float`` filter: a score not given yet reads "pending", never 0.0."""
    if value is None:
        return PENDING
    return value if isinstance(value, str) else float(value)


def rounded(value: object, precision: int = 0, method: str = "common") -> object:
    """The feedback template's ``round`` filter, passing :func:`score_or_pending`'s text through."""
    return value if isinstance(value, str) else round(float(value), precision)


class FeedbackWriter:
    """nbgrader's feedback HTML (its ``feedback`` template and ``GetGrades``), with ``HideHiddenTests``.

    The preprocessors are those of :mod:`coursegrader.preprocessors.feedback`.

    One exporter serves every student of a worker, so the templates are compiled once, not per student
    (``nbgrader generate_feedback`` also reuses one exporter for a whole class).
    """

    def __init__(self, config=None) -> None:
        from nbconvert.exporters import HTMLExporter
        from traitlets.config import Config

        templates = Path(utils.__file__).parent / "server_extensions" / "formgrader"
        settings = Config(config or {})
        settings.HTMLExporter.template_name = "feedback"
        settings.HTMLExporter.extra_template_basedirs = [str(templates / "templates")]
        settings.HTMLExporter.extra_template_paths = [
            str(templates / "static" / "node_modules" / "bootstrap" / "dist" / "css")
        ]
        settings.HTMLExporter.default_preprocessors = []
        settings.HTMLExporter.filters = {"float": score_or_pending, "round": rounded}
        self.exporter = HTMLExporter(config=settings)
        for preprocessor in FEEDBACK_PREPROCESSORS:
            self.exporter.register_preprocessor(preprocessor(config=settings), enabled=True)

    def render(self, autograded: Path, *, student: str, assignment: str, db_url: str) -> str:
        """The feedback page (HTML) of the autograded notebook ``autograded``.

        Parameters
        ----------
        autograded : Path
            ``<student>/<assignment>/<notebook>.ipynb`` as nbgrader's autograde wrote it.
        student, assignment : str
        db_url : str
            The gradebook holding the scores, comments and the notebook's trusted cell sources.

        Returns
        -------
        str
        """
        nb = nbformat.read(autograded, as_version=4)
        resources = {
            "metadata": {"name": autograded.stem, "path": str(autograded.parent)},
            "unique_key": autograded.stem,
            "nbgrader": {"student": student, "assignment": assignment, "notebook": autograded.stem, "db_url": db_url},
        }
        page, _ = self.exporter.from_notebook_node(nb, resources)
        return page

    def write(self, autograded: Path, destination: Path, *, student: str, assignment: str, db_url: str) -> None:
        """Render the autograded notebook ``autograded`` to ``destination`` (an ``.html`` file), atomically."""
        write_atomically(destination, self.render(autograded, student=student, assignment=assignment, db_url=db_url))

    def publish(
        self, autograded: Path, destination: Path, *, submitted: Path, secret: list[str], student: str, db_url: str
    ) -> bool:
        """Render a page and keep it only if it shows no hidden-test line; return whether it was kept.

        ``secret`` are the assignment's hidden-test lines (:func:`hidden_lines`); lines the student typed
        in their submitted notebook ``submitted`` are no secret to them. A withheld page is deleted, also
        the one an earlier run left at ``destination``.
        """
        assignment = autograded.parent.name
        page = self.render(autograded, student=student, assignment=assignment, db_url=db_url)
        typed = typed_lines(submitted)
        if find_leaks(page, [line for line in secret if line not in typed]):
            destination.unlink(missing_ok=True)
            return False
        write_atomically(destination, page)
        return True
