"""Cell constructors for the nbgrader source notebooks (solutions/<id>/<id>.ipynb).

Each function returns an nbformat cell with nbgrader's metadata (schema version 3). Cell ids are the
``grade_id`` (or a counter for plain cells), so regenerating a notebook gives the same file.
"""

from __future__ import annotations

import textwrap

import nbformat

_counter = {"n": 0}


def _text(source: str) -> str:
    return textwrap.dedent(source).strip("\n")


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}  # fmt: skip
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _plain_id(prefix: str) -> str:
    _counter["n"] += 1
    return f"{prefix}-{_counter['n']}"


def reset_ids() -> None:
    """Start the plain-cell counter again (call once per notebook)."""
    _counter["n"] = 0


def md(source: str) -> nbformat.NotebookNode:
    """A plain markdown cell (instructions)."""
    return nbformat.v4.new_markdown_cell(_text(source), id=_plain_id("text"))


def locked(grade_id: str, source: str) -> nbformat.NotebookNode:
    """A read-only code cell: imports, the given data, visible checks. nbgrader restores it when grading."""
    cell = nbformat.v4.new_code_cell(_text(source), id=grade_id)
    cell.metadata.update(_nbgrader(grade_id, grade=False, solution=False, locked=True))
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    return cell


def answer(grade_id: str, source: str) -> nbformat.NotebookNode:
    """A code cell the student fills in (its ``### BEGIN SOLUTION`` region becomes a stub)."""
    cell = nbformat.v4.new_code_cell(_text(source), id=grade_id)
    cell.metadata.update(_nbgrader(grade_id, grade=False, solution=True, locked=False))
    return cell


def written(grade_id: str, source: str, points: float | None = None) -> nbformat.NotebookNode:
    """A markdown answer; with ``points`` it is graded by hand (nbgrader's manually graded answer)."""
    cell = nbformat.v4.new_markdown_cell(_text(source), id=grade_id)
    cell.metadata.update(_nbgrader(grade_id, grade=points is not None, solution=True, locked=False, points=points))
    return cell


def test(grade_id: str, points: float, source: str) -> nbformat.NotebookNode:
    """An autograded test cell worth ``points``; its first line is a docstring saying what it checks."""
    source = _text(source)
    if not source.startswith('"""'):
        raise ValueError(f"{grade_id}: a test cell starts with a one-line docstring")
    cell = nbformat.v4.new_code_cell(source, id=grade_id)
    cell.metadata.update(_nbgrader(grade_id, grade=True, solution=False, locked=True, points=points))
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    return cell


def notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """A notebook with the Python 3 kernel nbgrader and Binder expect."""
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


HOW_TO_WORK = """
    **How to work.** Run the cells from the top. Replace each `raise NotImplementedError()` and each `...`
    with your answer, then run the test cell below it. A failing test names the quantity, the entry that
    differs, what was expected, what you gave and the most likely mistake. Write your own code with numpy:
    the tests refuse functions that call rnnlab's reference implementation (`rnnlab.sigmoid`, the params
    objects and the example data are fine to use). Before you submit, restart the kernel and run all cells.
    """


def header(title: str, minutes: str, points: float, overview: str) -> list[nbformat.NotebookNode]:
    """Title, the student's name (an answer cell), and the imports (read-only)."""
    return [
        md(
            "\n\n".join(
                [
                    f"# {title}",
                    f"*About {minutes} minutes; {points:g} points, graded automatically unless a part says otherwise.*",
                    _text(overview),
                    _text(HOW_TO_WORK),
                ]
            )
        ),
        # nbgrader requires a markdown answer cell to be graded; 0 points, so it only carries the name.
        written(
            "student_name",
            points=0,
            source="""
            **Your name:**

            ### BEGIN SOLUTION
            Reference solution
            ### END SOLUTION
            """,
        ),
        locked(
            "imports",
            """
            import numpy as np
            import rnnlab
            from rnnlab import grading

            np.set_printoptions(precision=4, suppress=True)
            """,
        ),
    ]
