"""Submissions that are not a good notebook at all: they return a file tree, not a notebook."""

from __future__ import annotations

from .kit import FileTree, Kit, answered, to_bytes


def malformed(kit: Kit) -> FileTree:
    """The notebook file is cut off half-way (not valid JSON)."""
    text = to_bytes(answered(kit))
    return {f"{kit.notebook_name}.ipynb": text[: len(text) // 2]}


def missing(kit: Kit) -> FileTree:
    """The notebook is saved under another name: nothing to grade."""
    return {"my_homework.ipynb": to_bytes(answered(kit))}
