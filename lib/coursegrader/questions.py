"""Names of an assignment's questions as the students read them: "Part B: the step in numpy".

Each graded cell belongs to the part whose heading (``## Part B (5 points): the step in numpy``) comes
last before it in the solution notebook; the points in parentheses are dropped from the label. A cell
before any part heading is named by the nearest heading above it, or by its ``grade_id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

PART = re.compile(r"^#{1,6}\s+(Part\s+\w+)\s*(?:\([^)]*\))?\s*[:.\-]?\s*(.*?)\s*$")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$")


@dataclass(frozen=True)
class Question:
    """One graded cell of an assignment.

    Parameters
    ----------
    notebook, grade_id : str
    points : float
        Its maximum score.
    part : str
        The label of the part it belongs to, e.g. ``"Part D: what does r = 0 do?"``.
    by_hand : bool
        True for an answer graded by hand (a graded solution cell: a written answer).
    """

    notebook: str
    grade_id: str
    points: float
    part: str
    by_hand: bool

    @property
    def key(self) -> str:
        """``notebook/grade_id``, unique within the assignment."""
        return f"{self.notebook}/{self.grade_id}"

    @property
    def short_part(self) -> str:
        """``"Part D"`` of ``"Part D: what does r = 0 do?"`` (the whole label when it has no colon)."""
        return self.part.split(":")[0]


def heading_label(line: str) -> str | None:
    """The label a Markdown heading line gives the cells after it, or None for other lines."""
    part = PART.match(line)
    if part:
        number, title = part.groups()
        return f"{number}: {title}" if title else number
    heading = HEADING.match(line)
    return heading.group(1) if heading else None


def part_labels(solution: Path) -> dict[str, tuple[str, bool]]:
    """``{grade_id: (part label, graded by hand)}`` for every graded cell of a solution notebook.

    Parameters
    ----------
    solution : Path
        ``solutions/<assignment>/<notebook>.ipynb``.

    Returns
    -------
    dict of str to (str, bool)
    """
    labels: dict[str, tuple[str, bool]] = {}
    current, is_part = None, False
    for cell in nbformat.read(solution, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not meta.get("solution"):
            for line in cell.source.splitlines():
                label = heading_label(line)
                # a part heading names the cells after it until the next part; a plain heading only until one
                if label and (PART.match(line) or not is_part):
                    current, is_part = label, bool(PART.match(line))
        if meta.get("grade") and meta.get("grade_id"):
            labels[meta["grade_id"]] = (current or meta["grade_id"], bool(meta.get("solution")))
    return labels


def questions(course, assignment_id: str, cells) -> list[Question]:
    """The assignment's graded cells (``register.grade_cells``) with their part labels, in notebook order.

    Parameters
    ----------
    course : coursegrader.course.Course
    assignment_id : str
    cells : list of coursegrader.register.GradeCellInfo

    Returns
    -------
    list of Question
    """
    labels = {nb: part_labels(course.source / assignment_id / f"{nb}.ipynb") for nb in {c.notebook for c in cells}}
    found = []
    for cell in cells:
        part, by_hand = labels[cell.notebook].get(cell.grade_id, (cell.grade_id, False))
        found.append(Question(cell.notebook, cell.grade_id, cell.max_score, part, by_hand))
    return found
