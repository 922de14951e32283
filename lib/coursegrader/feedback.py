"""Feedback pages: nbgrader's feedback template, with the hidden tests taken out and every page checked.

What a page may show is decided in :mod:`coursegrader.hiding` (the boundary at the first hidden test) and
applied by the preprocessors of :mod:`coursegrader.preprocessors.feedback`; :mod:`coursegrader.leaks` checks
the finished HTML. Scores not given yet read "pending".
"""

from __future__ import annotations

import functools
import re
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


#: An ``<img`` tag without ``alt``: nbconvert's accessibility pass gives such images a text (see below).
IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)(?=[\s>/])", re.IGNORECASE)
NO_DESCRIPTION = 'alt="No description has been provided for this image"'


class RememberingHighlight:
    """nbconvert's ``highlight_code`` filter, remembering what it coloured: most cells are alike for a whole class.

    Pygments was about half the cost of a page. The colouring depends only on the source, the language and,
    of the cell's metadata, ``magics_language`` (nbconvert 7 reads nothing else of it); the metadata itself
    differs for every student (execution times), so only that entry is kept.
    """

    def __init__(self, highlight, size: int = 4096) -> None:
        self.highlight = highlight
        self.remembered = functools.lru_cache(maxsize=size)(self.colour)

    def colour(self, source: str, language: str | None, magics: str | None) -> str:
        return self.highlight(source, language, None if magics is None else {"magics_language": magics})

    def __call__(self, source, language=None, metadata=None):
        return self.remembered(source, language, (metadata or {}).get("magics_language"))


def feedback_exporter(config):
    """nbconvert's ``HTMLExporter`` without its BeautifulSoup pass over the finished page.

    That pass (nbconvert 7) parses the whole page, inlined CSS included, to give images without ``alt`` a
    text and to make JupyterLab-template cells focusable; it was a third of the cost of a feedback page.
    nbgrader's feedback template has no JupyterLab cells, and the ``alt`` text is added here with
    :data:`IMAGE_WITHOUT_ALT`, so the page says the same (``tests/coursegrader/test_feedback.py`` compares).
    """
    from nbconvert.exporters import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class FeedbackExporter(HTMLExporter):
        highlighters: dict = {}  # noqa: RUF012 - replaced per instance below

        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node's set-up, as nbconvert 7.17 writes it, then the template
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            highlight = self.filters.get("highlight_code")
            if highlight is None:  # nbconvert makes a new Highlight2HTML per page; one per language is kept here
                if lexer not in self.highlighters:
                    self.highlighters[lexer] = RememberingHighlight(Highlight2HTML(pygments_lexer=lexer, parent=self))
                highlight = self.highlighters[lexer]
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_types)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return IMAGE_WITHOUT_ALT.sub("<img " + NO_DESCRIPTION, page), resources

    exporter = FeedbackExporter(config=config)
    exporter.highlighters = {}
    return exporter


class FeedbackWriter:
    """nbgrader's feedback HTML (its ``feedback`` template and ``GetGrades``), with ``HideHiddenTests``.

    The preprocessors are those of :mod:`coursegrader.preprocessors.feedback`.

    One exporter serves every student of a worker, so the templates are compiled once, not per student
    (``nbgrader generate_feedback`` also reuses one exporter for a whole class).
    """

    def __init__(self, config=None) -> None:
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
        self.exporter = feedback_exporter(settings)
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
