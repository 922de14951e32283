"""The last check before a feedback page is handed out: no line of hidden-test source is in it.

``find_leaks`` reads the finished HTML as text and lists any line of hidden-test source still in it (for
instance printed before the boundary of :mod:`coursegrader.hiding` by code that read the gradebook file);
the page is then withheld.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

from .hiding import split_hidden

MIN_LEAK_CHARS = 12


def hidden_lines(solution_notebooks: list[Path]) -> list[str]:
    """Lines that appear only inside hidden-test regions of these notebooks (stripped, long enough)."""
    hidden, elsewhere = set(), set()
    for path in solution_notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            visible, secret = split_hidden(cell.source)
            hidden.update(line.strip() for line in secret)
            elsewhere.update(line.strip() for line in visible)
    return sorted(line for line in hidden - elsewhere if len(line) >= MIN_LEAK_CHARS)


def typed_lines(notebook: Path) -> set[str]:
    """The stripped lines of every cell of a notebook the student handed in (none if there is no such file)."""
    if not notebook.exists():
        return set()
    return {line.strip() for cell in nbformat.read(notebook, as_version=4).cells for line in cell.source.splitlines()}


def html_text(page: str) -> str:
    """The text a reader sees in an HTML page (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def find_leaks(page: str, secret_lines: list[str]) -> list[str]:
    """The lines of ``secret_lines`` found in the HTML ``page``, as displayed or in its raw source."""
    texts = (html_text(page), html.unescape(page))
    return [line for line in secret_lines if any(line in text for text in texts)]
