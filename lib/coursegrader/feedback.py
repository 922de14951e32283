"""Feedback a student can read without learning the hidden tests.

nbgrader's autograde restores every test cell from the gradebook, hidden tests included, so the
autograded notebook (and the HTML feedback nbgrader makes from it) shows them. ``HideHiddenTests`` runs
before the HTML export: it replaces each hidden region with a one-line note and shortens the error
output of test cells to the error's name and message (an IPython traceback quotes the test's source
around the failing line). ``find_leaks`` then reads the finished HTML as text and lists any line of
hidden-test source still in it (for instance printed by a student's code); the worker deletes such a
feedback file instead of handing it out.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader import utils
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor

BEGIN = "BEGIN HIDDEN TESTS"
END = "END HIDDEN TESTS"
NOTE = "# (hidden tests ran here; their code is not shown)"
MIN_LEAK_CHARS = 12
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def split_hidden(source: str) -> tuple[list[str], list[str]]:
    """(visible lines with each hidden region replaced by ``NOTE``, the hidden lines)."""
    visible, hidden, inside = [], [], False
    for line in source.split("\n"):
        if BEGIN in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            visible.append(indent + NOTE)
        elif END in line:
            inside = False
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    return visible, hidden


class HideHiddenTests(NbGraderPreprocessor):
    """Replace hidden-test regions by a note and keep only the last line of test cells' tracebacks."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        if BEGIN in cell.source:
            cell.source = "\n".join(split_hidden(cell.source)[0])
        if utils.is_grade(cell) or utils.is_locked(cell):
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{ANSI.sub('', output.ename)}: {ANSI.sub('', output.evalue)}"]
        return cell, resources


FEEDBACK_PREPROCESSORS = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]


def hidden_lines(solution_notebooks: list[Path]) -> list[str]:
    """Lines that appear only inside hidden-test regions of these notebooks (stripped, long enough)."""
    hidden, elsewhere = set(), set()
    for path in solution_notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            visible, secret = split_hidden(cell.source)
            hidden.update(line.strip() for line in secret)
            elsewhere.update(line.strip() for line in visible)
    return sorted(line for line in hidden - elsewhere if len(line) >= MIN_LEAK_CHARS)


def html_text(page: str) -> str:
    """The text a reader sees in an HTML page (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def find_leaks(page: str, secret_lines: list[str]) -> list[str]:
    """The lines of ``secret_lines`` found in the HTML ``page``, as displayed or in its raw source."""
    texts = (html_text(page), html.unescape(page))
    return [line for line in secret_lines if any(line in text for text in texts)]


class FeedbackWriter:
    """nbgrader's feedback HTML (its ``feedback`` template and preprocessors, plus ``HideHiddenTests``).

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
        self.exporter = HTMLExporter(config=settings)
        for preprocessor in FEEDBACK_PREPROCESSORS:
            self.exporter.register_preprocessor(preprocessor(config=settings), enabled=True)

    def write(self, autograded: Path, destination: Path, *, student: str, assignment: str, db_url: str) -> None:
        """Render the autograded notebook ``autograded`` to ``destination`` (an ``.html`` file)."""
        nb = nbformat.read(autograded, as_version=4)
        resources = {
            "metadata": {"name": autograded.stem, "path": str(autograded.parent)},
            "unique_key": autograded.stem,
            "nbgrader": {"student": student, "assignment": assignment, "notebook": autograded.stem, "db_url": db_url},
        }
        page, _ = self.exporter.from_notebook_node(nb, resources)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(page, encoding="utf-8")
