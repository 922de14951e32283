"""rnnlab.book.code_lines, which pages use to quote the library's code beside an equation: it returns the
lines exactly as they are in the source, refuses a line that is missing or ambiguous, and every line a
chapter quotes is in the library's current source (so a page cannot drift from the code it explains)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import jupytext
import pytest

from rnnlab import cells
from rnnlab.book import code_lines
from rnnlab.cells import affine_backward, lstm_step_backward

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9]*.md"))


def test_returns_the_source_lines_with_their_comments_under_a_header():
    text = code_lines(lstm_step_backward, "do = dh * tanh_c", "dc = dc + dh * o * (1.0 - tanh_c**2)")
    header, *lines = text.splitlines()
    assert header == "# rnnlab/cells/lstm.py, lstm_step_backward", header
    source = [line.strip() for line in inspect.getsource(lstm_step_backward).splitlines()]
    assert all(line in source for line in lines), f"{lines} not verbatim in the source"
    assert lines[0] == "do = dh * tanh_c  # h = o * tanh(c)", lines[0]


def test_a_line_must_match_a_whole_line_of_code():
    with pytest.raises(ValueError, match="not in the source of lstm_step_backward"):
        code_lines(lstm_step_backward, "do = dh * tanh_c + 1")
    with pytest.raises(ValueError, match="not in"):
        code_lines(lstm_step_backward, "do = dh")  # a prefix is not the line
    with pytest.raises(ValueError, match="at least one"):
        code_lines(affine_backward)


def test_a_line_that_occurs_twice_is_refused():
    def twice(x):
        y = x + 1
        y = x + 1  # the same code again
        return y

    with pytest.raises(ValueError, match="2 times"):
        code_lines(twice, "y = x + 1")


def quoted(chapter: Path) -> list[tuple[str, list[str]]]:
    """Every ``code_lines(function, "line", ...)`` call in the chapter's code cells: (function name, lines)."""
    calls = []
    for cell in jupytext.read(chapter).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "code_lines":
                function, *lines = node.args
                calls.append((function.id, [ast.literal_eval(line) for line in lines]))
    return calls


def test_every_line_a_chapter_quotes_is_in_the_librarys_source():
    calls = [(chapter.name, call) for chapter in CHAPTERS for call in quoted(chapter)]
    assert any(name.startswith("09_") for name, _ in calls), "chapter 09 quotes the step backwards"
    for name, (function, lines) in calls:
        assert hasattr(cells, function), f"{name} quotes {function}, which rnnlab.cells does not export"
        code_lines(getattr(cells, function), *lines)  # raises, naming the line, if it is gone
