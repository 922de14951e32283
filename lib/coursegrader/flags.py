"""Flag submissions for a human to read: code that reaches into the grader's machinery.

Some attacks cannot be stopped from outside the student's own Python process (rebinding the name
``grading``, writing into a module's ``__dict__``, rewriting how IPython reports errors): the pipeline
grades them like any other notebook, and this scan lists the constructs such attacks need so the
instructor reads those notebooks. Honest work rarely uses any of them in this course; a flag is a
reason to look, not a verdict, and never changes a score.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

PATTERNS = {
    "IPython internals": r"\bget_ipython\b|\bIPython\b|\bInteractiveShell\b",
    "sys.modules": r"\bsys\.modules\b",
    "__dict__": r"__dict__",
    "profiler or tracer hooks": r"\bset(profile|trace)\b",
    "builtins": r"\b__builtins__\b|\bbuiltins\b",
    "ctypes": r"\bctypes\b",
    "process control": r"\bos\._exit\b|\bos\.kill\b|\bsignal\.",
    "rebinds np, numpy, grading or rnnlab": r"(?m)^\s*(np|numpy|grading|rnnlab)\s*=[^=]"
    r"|\b(np|numpy|grading|rnnlab)(\.\w+)+\s*=[^=]|\bsetattr\(\s*(np|numpy|grading|rnnlab)\b",
    "import machinery": r"\bimportlib\b|\b__import__\b",
    "gradebook access": r"\bsqlite3\b|gradebook",
    "subprocesses": r"\bsubprocess\b|\bos\.system\b",
    "custom __eq__": r"def\s+__eq__",
}
COMPILED = {label: re.compile(pattern) for label, pattern in PATTERNS.items()}


def flags(notebook: Path, locked_ids: set[str]) -> list[str]:
    """Labels of the suspicious constructs in the student's own code cells of ``notebook``.

    Cells whose ``grade_id`` is in ``locked_ids`` are skipped: nbgrader replaces their source with the
    original before grading, so what a student typed there never runs.
    """
    found: dict[str, None] = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if isinstance(meta, dict) and meta.get("grade_id") in locked_ids:
            continue
        for label, pattern in COMPILED.items():
            if pattern.search(cell.source):
                found[label] = None
    return list(found)


def locked_grade_ids(solution_notebooks: list[Path]) -> set[str]:
    """grade_ids of the cells nbgrader restores from the gradebook (tests and other locked cells)."""
    ids = set()
    for path in solution_notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade_id") and not meta.get("solution") and (meta.get("locked") or meta.get("grade")):
                ids.add(meta["grade_id"])
    return ids
