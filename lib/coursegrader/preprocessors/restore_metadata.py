"""Put back the nbgrader metadata a student changed, before nbgrader's own checks run.

nbgrader's ``OverwriteCells`` restores a test cell's source and points, but a changed ``grade_id`` makes it
drop the id and then fail the whole notebook, and a changed ``grade`` or ``solution`` flag makes the
checksum inconsistent ("Inconsistent checksums"). Either way an honest student who slipped loses every
point. ``RestoreCellMetadata`` rebuilds every cell's nbgrader metadata from the gradebook instead:

- a cell whose ``grade_id`` the gradebook does not know (renamed, invented) becomes an ordinary cell:
  it still runs, it is never graded;
- a repeated ``grade_id`` keeps its metadata on the first cell only;
- a known cell gets back its flags (grade, solution, locked, task), points and id;
- a deleted (or renamed) test cell or other read-only cell is put back, with its original source, after
  the nearest cell that precedes it in the released notebook. nbgrader's own ``add_missing_cells``
  cannot be used: it fails with a ``KeyError`` when the preceding cell is a read-only cell that is
  neither graded nor an answer (nbgrader 0.9.6), and it ignores such cells.
"""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict


class RestoreCellMetadata(NbGraderPreprocessor):
    """Rebuild every cell's ``metadata.nbgrader`` from the gradebook's record of the assignment."""

    cell_order = Dict(help="notebook name -> its grade_ids in the released order (where missing cells go)").tag(
        config=True
    )

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            sources = {cell.name: (cell.cell_type, cell.source) for cell in notebook.source_cells}
            locked = {cell.name: bool(cell.locked) for cell in notebook.source_cells}
            points = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
            tasks = {cell.name: float(cell.max_score) for cell in notebook.task_cells}
            solutions = {cell.name for cell in notebook.solution_cells}
        seen: set[str] = set()
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id not in locked or grade_id in seen:
                if grade_id is not None:
                    self.log.warning(
                        "Cell %r is not in the gradebook (or repeated): grading it as plain code", grade_id
                    )
                del cell.metadata["nbgrader"]
                continue
            seen.add(grade_id)
            restored = {
                "grade_id": grade_id,
                "grade": grade_id in points,
                "solution": grade_id in solutions,
                "locked": locked[grade_id],
                "schema_version": 3,
            }
            if grade_id in points:
                restored["points"] = points[grade_id]
            if grade_id in tasks:
                restored.update(task=True, points=tasks[grade_id])
            if any(meta.get(key) != value for key, value in restored.items() if key != "schema_version"):
                self.log.warning("Restored the nbgrader metadata of cell %r", grade_id)
            cell.metadata["nbgrader"] = restored
        self.put_back_missing(nb, info["notebook"], sources, locked, points, solutions)
        return nb, resources

    def put_back_missing(self, nb, notebook: str, sources: dict, locked: dict, points: dict, solutions: set) -> None:
        """Insert every missing read-only cell where it stood in the released notebook."""
        order = self.cell_order.get(notebook, [])

        def position(grade_id: str) -> int | None:
            for index, cell in enumerate(nb.cells):
                if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                    return index
            return None

        for rank, grade_id in enumerate(order):
            if (
                grade_id not in locked
                or not locked[grade_id]
                or grade_id in solutions
                or position(grade_id) is not None
            ):
                continue
            before = [position(g) for g in reversed(order[:rank])]
            anchor = next((p for p in before if p is not None), -1)
            cell_type, source = sources[grade_id]
            meta = {"grade_id": grade_id, "grade": grade_id in points, "solution": False, "locked": True,
                    "schema_version": 3}  # fmt: skip
            if grade_id in points:
                meta["points"] = points[grade_id]
            make = new_code_cell if cell_type == "code" else new_markdown_cell
            cell = make(source, metadata={"nbgrader": meta, "editable": False, "deletable": False})
            nb.cells.insert(anchor + 1, cell)
            self.log.warning("Put back the missing cell %r", grade_id)
