"""Write the unexecuted sources of chapters 05-07 (then execute them with `make notebooks` or nbconvert).

Usage: .venv/bin/python tools/build_chapters_b.py [05 06 07] [--markdown-only]
(--markdown-only updates the prose of already executed notebooks and keeps their outputs.)
Each chapter's cells live in tools/chapters_b/chNN.py as a list CELLS of ("md" | "code", text, tags).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(__file__).resolve().parent / "chapters_b"
RUFF = Path(sys.executable).with_name("ruff")
TARGETS = {"05": "05_lstm_vs_gru", "06": "06_conventions", "07": "07_applications"}


def formatted(code: str) -> str:
    """Code formatted by ruff to 88 columns, so that it fits the book's text column."""
    command = [str(RUFF), "format", "--line-length", "88", "--stdin-filename", "cell.py", "-"]
    result = subprocess.run(command, input=code, capture_output=True, text=True, check=True)
    return result.stdout.strip("\n")


def build(number: str, write: bool = True) -> Path | nbformat.NotebookNode:
    spec = importlib.util.spec_from_file_location(f"ch{number}", SOURCES / f"ch{number}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cells = []
    for kind, text, *tags in module.CELLS:
        text = text.strip("\n")
        cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(formatted(text))
        if tags and tags[0]:
            cell.metadata["tags"] = list(tags[0])
        cells.append(cell)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    if not write:
        return notebook
    path = ROOT / "chapters" / f"{TARGETS[number]}.ipynb"
    nbformat.write(notebook, path)
    return path


def update_markdown(number: str) -> Path:
    """Replace only the markdown cells of an executed notebook, keeping its code cells and outputs."""
    path = ROOT / "chapters" / f"{TARGETS[number]}.ipynb"
    executed = nbformat.read(path, as_version=4)
    fresh = build(number, write=False)
    kinds = [cell.cell_type for cell in executed.cells]
    if kinds != [cell.cell_type for cell in fresh.cells]:
        raise SystemExit(f"{path}: cells were added or removed; rebuild and re-execute instead")
    for old, new in zip(executed.cells, fresh.cells, strict=True):
        if old.cell_type == "markdown":
            old.source = new.source
        elif old.source != new.source:
            raise SystemExit(f"{path}: a code cell changed; rebuild and re-execute instead")
    nbformat.write(executed, path)
    return path


if __name__ == "__main__":
    markdown_only = "--markdown-only" in sys.argv
    numbers = [a for a in sys.argv[1:] if not a.startswith("--")] or sorted(TARGETS)
    for number in numbers:
        print(update_markdown(number) if markdown_only else build(number))
