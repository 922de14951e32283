"""The points an assignment states are the points its graded cells hold (nbgrader's metadata).

Each part's heading says "## Part X (n points)" and the header "...; N points, ..."; a student reads
those, nbgrader counts the ``points`` of the graded cells. They must agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from coursegrader.questions import part_labels

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
STATED_PART = re.compile(r"^#{1,6}\s+(Part\s+\w+)\s*\((\d+(?:\.\d+)?) points?\b", re.M)
STATED_TOTAL = re.compile(r"(\d+(?:\.\d+)?) points, graded")


def graded_points(notebook: nbformat.NotebookNode) -> dict[str, float]:
    return {
        cell.metadata.nbgrader.grade_id: float(cell.metadata.nbgrader.get("points", 0))
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_each_part_states_the_points_of_its_graded_cells(solution):
    notebook = nbformat.read(solution, as_version=4)
    stated = {
        part: float(points)
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for part, points in STATED_PART.findall(cell.source)
    }
    assert stated, f"{solution.stem}: no '## Part X (n points)' heading"
    counted = dict.fromkeys(stated, 0.0)
    for grade_id, points in graded_points(notebook).items():
        part = part_labels(solution)[grade_id][0].split(":")[0]
        if points:
            assert part in counted, f"{solution.stem}: {grade_id} ({points:g} points) is under no part heading"
            counted[part] += points
    wrong = {part: (stated[part], counted[part]) for part in stated if stated[part] != counted[part]}
    assert not wrong, f"{solution.stem}: part -> (stated, held by its tests): {wrong}"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_the_header_states_the_total(solution):
    notebook = nbformat.read(solution, as_version=4)
    total = sum(graded_points(notebook).values())
    header = STATED_TOTAL.search(notebook.cells[0].source)
    assert header, f"{solution.stem}: the header does not state its points: {notebook.cells[0].source[:300]!r}"
    assert float(header.group(1)) == total, f"{solution.stem}: header says {header.group(1)}, tests hold {total:g}"
