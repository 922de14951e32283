"""An author's two ways of editing a page both reach the built book through the documented commands.

In a copy of the book: one chapter is edited as text (its .md), another as JupyterLab saves it (jupytext's
contents manager, the one JupyterLab runs, writing the pair); then `make notebooks` and `make book`, as the
README says. Both edits, prose and a computed output, must be in the built HTML, and each pair in sync.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.sync_contentsmanager import TextFileContentsManager

ROOT = Path(__file__).resolve().parents[2]
BOOK = ["_config.yml", "_toc.yml", "intro.md", "instructors.md", "references.bib", "Makefile", "pyproject.toml",
        "constraints.txt", "_static", "chapters", "exercises", "lib/bookbuild"]  # fmt: skip
STAMPS = ["-o", ".venv/.test", "-o", ".venv/.book"]  # the environment exists: never reinstall from the copy


def copy_of_the_book(target: Path) -> Path:
    (target / "lib").mkdir(parents=True)
    for name in BOOK:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


def make(book: Path, *targets: str) -> None:
    done = subprocess.run(["make", *STAMPS, *targets], cwd=book, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")})  # fmt: skip
    assert done.returncode == 0, f"make {' '.join(targets)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.mark.slow
def test_a_text_edit_and_a_jupyterlab_edit_both_show_up_in_the_built_book(tmp_path):
    book = copy_of_the_book(tmp_path / "book")
    # 1. a text editor: a paragraph and a code cell added to the Markdown source of chapter 06
    text_page = book / "chapters" / "06_conventions.md"
    source = text_page.read_text()
    first_heading = source.index("\n## ")
    text_page.write_text(
        source[:first_heading]
        + "\n\nEdited as text: the paragraph TEXT-EDIT-MARK.\n\n"
        + "```{code-cell} ipython3\nprint('TEXT-CODE', 6 * 7)\n```\n"
        + source[first_heading:]
    )
    # 2. JupyterLab: the notebook of chapter 02 opened and saved through jupytext's contents manager
    lab = TextFileContentsManager(root_dir=str(book))
    model = lab.get("chapters/02_rnn.ipynb")
    notebook = model["content"]
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell("Edited in JupyterLab: LAB-EDIT-MARK."))
    notebook.cells.insert(2, nbformat.v4.new_code_cell("print('LAB-CODE', 6 * 9)"))
    lab.save({"type": "notebook", "content": notebook}, "chapters/02_rnn.ipynb")
    assert "LAB-EDIT-MARK" in (book / "chapters" / "02_rnn.md").read_text(), "JupyterLab did not write the .md"

    make(book, "notebooks", "PAGES=chapters/02_rnn.md chapters/06_conventions.md")
    make(book, "book")

    html = {
        page: (book / "_build" / "html" / "chapters" / f"{page}.html").read_text()
        for page in ("02_rnn", "06_conventions")
    }
    for page, marks in {
        "06_conventions": ("TEXT-EDIT-MARK", "TEXT-CODE 42"),
        "02_rnn": ("LAB-EDIT-MARK", "LAB-CODE 54"),
    }.items():
        for mark in marks:
            assert mark in html[page], f"{mark!r} is not in the built chapters/{page}.html"
    for page in ("02_rnn", "06_conventions"):
        md, ipynb = book / "chapters" / f"{page}.md", book / "chapters" / f"{page}.ipynb"
        assert jupytext.writes(nbformat.read(ipynb, as_version=4), fmt="md:myst") == md.read_text(), f"{page} drifted"
        assert md.stat().st_mtime >= ipynb.stat().st_mtime, f"{page}: the source is older than its notebook"
