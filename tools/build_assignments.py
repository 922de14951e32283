"""Write the nbgrader source notebooks solutions/<id>/<id>.ipynb from tools/assignments/<id>.py.

Usage: ``python tools/build_assignments.py [ID ...]`` (default: every assignment). Then run
``python -m coursegrader release`` to regenerate exercises/ from them.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ("rnn_step", "lstm_gates", "gru_gates", "lstm_vs_gru", "bptt")

PART = re.compile(r"## Part (\w+) \((\d+) points?")
TOTAL = re.compile(r"; (\d+) points,")

sys.path.insert(0, str(Path(__file__).resolve().parent))


def build(assignment: str) -> Path:
    """Write one source notebook and return its path."""
    from assignments import cells

    cells.reset_ids()
    module = importlib.import_module(f"assignments.{assignment}")
    nb = cells.notebook(module.cells())
    nbformat.validate(nb)
    check_points(assignment, nb)
    path = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def points_by_part(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Points of the graded cells under each "## Part X (n points)" heading, counted from the metadata."""
    parts: dict[str, float] = {}
    part = None
    for cell in nb.cells:
        match = PART.search(cell.source) if cell.cell_type == "markdown" else None
        if match:
            part = match.group(1)
            parts[part] = 0.0
        points = cell.metadata.get("nbgrader", {}).get("points")
        if points and part is not None:
            parts[part] += points
    return parts


def check_points(assignment: str, nb: nbformat.NotebookNode) -> None:
    """Fail if a part's title or the header states points that differ from the graded cells' metadata."""
    for cell in nb.cells:
        for match in PART.finditer(cell.source) if cell.cell_type == "markdown" else []:
            stated, counted = float(match.group(2)), points_by_part(nb)[match.group(1)]
            if stated != counted:
                part = match.group(1)
                raise ValueError(f"{assignment}: Part {part} says {stated:g} points, its tests hold {counted:g}")
    total = sum(points_by_part(nb).values())
    stated_total = TOTAL.search(nb.cells[0].source)
    if stated_total is None or float(stated_total.group(1)) != total:
        raise ValueError(f"{assignment}: the header should state {total:g} points")


def main(argv: list[str]) -> int:
    for assignment in argv or ASSIGNMENTS:
        if assignment not in ASSIGNMENTS:
            print(f"unknown assignment {assignment!r}; expected one of {', '.join(ASSIGNMENTS)}", file=sys.stderr)
            return 2
        print(build(assignment).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
