"""Simulated students for the grading pipeline's tests (see ``kit`` for the shape of a student)."""

from __future__ import annotations

from pathlib import Path

from nbformat import NotebookNode

from . import broken, cheats, honest
from .kit import FileTree, Kit, to_bytes

HONEST = [
    "perfect",
    "blank",
    "concat_xh",
    "sigmoid",
    "forgot_tanh_by_hand",
    "gradient_without_derivative",
    "wrong_choice",
]
CHEATS = [
    "edited_tests", "deleted_tests", "changed_metadata", "loop_in_cell", "stuck", "freeze_grader", "kill_grader",
    "exits", "os_exit", "segfault", "huge_allocation", "patch_numpy", "rebind_grading", "always_equal",
    "calls_reference", "flood", "hide_errors", "leak_hidden_tests",
]  # fmt: skip
BROKEN = ["malformed", "missing"]
STUDENTS = {
    name: getattr(module, name)
    for module, names in ((honest, HONEST), (cheats, CHEATS), (broken, BROKEN))
    for name in names
}


def write_class(kit: Kit, folder: Path, names: list[str] | None = None, roster: dict | None = None) -> Path:
    """Write one sub-folder per simulated student into ``folder`` (the layout ``make grade`` reads).

    ``roster`` maps names to students (default ``STUDENTS``, the rnn_step class).
    """
    roster = STUDENTS if roster is None else roster
    for name in names or list(roster):
        handed_in: NotebookNode | FileTree = roster[name](kit)
        if isinstance(handed_in, NotebookNode):
            handed_in = {f"{kit.notebook_name}.ipynb": to_bytes(handed_in)}
        files = handed_in
        student = folder / name
        student.mkdir(parents=True, exist_ok=True)
        for relative, content in files.items():
            (student / relative).write_bytes(content)
    return folder
