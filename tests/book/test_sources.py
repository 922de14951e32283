"""Every page has one source: the MyST Markdown notebook authors edit is what the book and nbval read.

A chapter (chapters/NN_name.md) and an nbgrader source notebook (solutions/<a>/<a>.md) are each paired by
jupytext with the .ipynb beside it (chapters/jupytext.toml, solutions/jupytext.toml). The book, nbval,
nbgrader and Binder read the .ipynb, which also keeps the outputs; these tests prove that its cells are
exactly the Markdown source's, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9]*.md"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.md"))
SOURCES = CHAPTERS + SOLUTIONS
FIX = "run `make notebooks` (chapters) or `make exercises` (solutions) to sync the pair"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_notebook_has_a_markdown_source_and_back():
    notebooks = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*/*.ipynb"))
    assert notebooks, "no notebooks found"
    unpaired = [name(nb) for nb in notebooks if not nb.with_suffix(".md").is_file()]
    assert not unpaired, f"notebooks without their MyST Markdown source: {unpaired}"
    orphans = [name(md) for md in SOURCES if not md.with_suffix(".ipynb").is_file()]
    assert not orphans, f"Markdown sources without their notebook: {orphans}; {FIX}"
    # the public copy of the course has no solutions/ (instructors.md, "The two repositories")
    for folder in ["chapters"] + (["solutions"] if (ROOT / "solutions").is_dir() else []):
        config = (ROOT / folder / "jupytext.toml").read_text()
        assert re.search(r'^formats = "ipynb,md:myst"$', config, re.M), f"{folder}/jupytext.toml: {config}"


@pytest.mark.parametrize("source", SOURCES, ids=name)
def test_the_notebook_holds_exactly_the_sources_cells(source):
    """Writing the .ipynb's cells as MyST Markdown gives the source file byte for byte (jupytext's round trip
    is lossless for these pages: every cell, its type, text, tags and nbgrader metadata)."""
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    from_notebook = jupytext.writes(notebook, fmt="md:myst")
    text = source.read_text()
    if from_notebook != text:
        diff = "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                from_notebook.splitlines(keepends=True),
                fromfile=name(source),
                tofile=name(source.with_suffix(".ipynb")) + " (as Markdown)",
                n=1,
            )
        )
        pytest.fail(f"{name(source)} and its notebook differ; {FIX}.\n{diff[:6000]}")


@pytest.mark.parametrize("source", SOURCES, ids=name)
def test_reading_the_source_gives_the_notebooks_cells(source):
    """The other direction: jupytext's reading of the source has the notebook's cells, metadata included
    (nbgrader's grade_id, points, locked, solution: what the Create Assignment toolbar writes)."""
    ours = jupytext.read(source)
    theirs = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert len(ours.cells) == len(theirs.cells), f"{name(source)}: {len(ours.cells)} vs {len(theirs.cells)} cells"
    for k, (mine, stored) in enumerate(zip(ours.cells, theirs.cells, strict=True)):
        where = f"{name(source)}, cell {k}"
        assert mine.cell_type == stored.cell_type, f"{where}: {mine.cell_type} vs {stored.cell_type}"
        assert mine.source == stored.source, f"{where}: source\n{mine.source!r}\nvs notebook\n{stored.source!r}"
        kept = {key: value for key, value in stored.metadata.items() if key != "execution"}
        assert dict(mine.metadata) == kept, f"{where}: metadata {dict(mine.metadata)} vs notebook {kept}; {FIX}"


@pytest.mark.parametrize("source", SOLUTIONS, ids=name)
def test_every_graded_or_locked_cell_keeps_its_nbgrader_metadata_in_the_text(source):
    notebook = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    graded = [c for c in notebook.cells if "nbgrader" in c.metadata]
    assert graded, f"{name(source)}: no nbgrader cells"
    text = source.read_text()
    for cell in graded:
        assert f"grade_id: {cell.metadata.nbgrader.grade_id}" in text or (
            f'"grade_id": "{cell.metadata.nbgrader.grade_id}"' in text
        ), f"{name(source)}: {cell.metadata.nbgrader.grade_id} is not in the Markdown source"


def test_the_book_reads_the_notebook_not_the_markdown_twin():
    """Sphinx would see two files for one page; _config.yml excludes the Markdown twin of every chapter."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "chapters/[0-9]*.md" in config["exclude_patterns"], config["exclude_patterns"]
    assert config["execute"]["execute_notebooks"] == "off", "the book shows the committed, nbval-checked outputs"
    toc = (ROOT / "_toc.yml").read_text()
    for chapter in CHAPTERS:
        assert f"file: chapters/{chapter.stem}\n" in toc, f"{name(chapter)} is not in _toc.yml"
    assert not (ROOT / "chapters" / "references.ipynb").exists()


def widget_views_and_state(chapter: Path) -> tuple[list[str], dict[str, dict]]:
    """The model ids of the widget outputs stored in a chapter, and the widget state it embeds."""
    notebook = json.loads(chapter.with_suffix(".ipynb").read_text())
    state = notebook["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    views = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    return views, state


def reachable(roots: list[str], state: dict[str, dict]) -> set[str]:
    """Every model a view needs: the roots and the models their state names as ``IPY_MODEL_<id>``."""
    seen, stack = set(), list(roots)
    while stack:
        model = stack.pop()
        if model in seen or model not in state:
            continue
        seen.add(model)
        stack += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[model]))
    return seen


@pytest.mark.parametrize("chapter", CHAPTERS, ids=name)
def test_every_stored_widget_view_has_its_state_and_nothing_else_is_embedded(chapter):
    """A widget output renders (in the book, and in JupyterLab before the kernel runs) only if the notebook
    embeds its model's state: chapter 08's explainer, the progress bars of chapters 05 and 07. A model no
    stored view needs (a widget the page closed) is dead weight every reader's browser would load."""
    views, state = widget_views_and_state(chapter)
    missing = [model for model in views if model not in state]
    assert not missing, f"{name(chapter)}: widget views without state {missing}; re-run `make notebooks`"
    unused = sorted(set(state) - reachable(views, state))
    assert not unused, f"{name(chapter)}: {len(unused)} embedded widget models no view uses; `make notebooks`"


def test_chapter_08_embeds_its_explainer():
    views, state = widget_views_and_state(ROOT / "chapters" / "08_explore_the_gates.md")
    expected = "two: the explainer and the Jacobian view"
    assert len(views) == 2, f"chapter 08 stores {len(views)} widget views, expected {expected}"
    needed = {state[model]["model_name"] for model in reachable(views, state)}
    assert {"FloatSliderModel", "ToggleButtonsModel", "HTMLModel"} <= needed, sorted(needed)
