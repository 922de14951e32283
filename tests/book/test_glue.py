"""Every number glued into a chapter's prose exists, and every glued number is shown somewhere.

A reference may read another page's value (``{glue:text}`07_applications.ipynb::key```); it must exist there, and
counts as a reading of that page's value.

The book build already fails on a ``{glue}`` reference whose key is missing (``-W``); this check says
which page and key before any build, and adds the other direction: a value glued with
``display=False`` that no sentence, figure or table reads is a leftover of an edit (the prose that
quoted it was rewritten, so the claim it backed is no longer on the page). It reads the chapters'
Markdown sources (the prose) and the executed notebooks (the glued outputs, as myst-nb stores them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "chapters").glob("[0-9]*.md"))

# {glue}`key`, {glue:text}`key:.2f`, {glue:md}`key` ... and ```{glue:figure} key / ```{glue} key
ROLE = re.compile(r"\{glue(?::(?P<kind>\w*))?\}`(?P<key>[^`]+)`")
DIRECTIVE = re.compile(r"^(?:```|:::)\{glue(?::\w*)?\}\s+(?P<key>\S+)", re.MULTILINE)


def references(markdown: str) -> list[str]:
    """The keys the prose reads, in order (a ``{glue:text}`` format spec after ``:`` is dropped)."""
    keys = []
    for m in ROLE.finditer(markdown):
        key = m["key"]
        if m["kind"] == "text" and ":" in key:
            key = key.rsplit(":", 1)[0]
        keys.append(key)
    keys += [m["key"] for m in DIRECTIVE.finditer(markdown)]
    return keys


def glued(notebook: Path) -> dict[str, bool]:
    """Every key the executed notebook glued -> whether its value is also displayed in the cell's output."""
    keys: dict[str, bool] = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            shown = any(not mime.startswith("application/papermill.record/") for mime in output.get("data", {}))
            keys[name] = keys.get(name, False) or shown
    return keys


def test_the_checks_read_what_myst_nb_writes():
    sample = "a {glue:text}`cmp-ratio:.2f` and {glue}`plain` and\n```{glue:figure} fig-key\n:name: x\n```\n"
    assert references(sample) == ["cmp-ratio", "plain", "fig-key"]
    assert family("cmp-add-gru-10-acc") == family("cmp-add-lstm-40-acc") == "cmp-add-*-#-acc"
    assert split(PAGES[0], "07_applications.ipynb::key") == (PAGES[0].parent / "07_applications.ipynb", "key")
    assert any(glued(page.with_suffix(".ipynb")) for page in PAGES), "no glued values found in any chapter"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_glue_reference_resolves(page):
    missing = []
    for reference in references(page.read_text()):
        notebook, key = split(page, reference)
        if not notebook.exists() or key not in glued(notebook):
            missing.append(reference)
    assert not missing, (
        f"{page.name}: the prose reads glued values that the executed notebook does not have: {missing}; "
        f"glue them in a code cell and run `make notebooks PAGES=chapters/{page.name}`"
    )


def family(key: str) -> str:
    """The key with its numbers and cell names blanked: ``lstm_rate_b2``, ``lstm_rate_b0`` and ``gru_rate_b1`` are
    one family, glued in a loop over settings and cells."""
    return re.sub(r"rnn|lstm|gru", "*", re.sub(r"\d+", "#", key))


def split(page: Path, reference: str) -> tuple[Path, str]:
    """The notebook a reference reads from and its key: ``other.ipynb::key`` reads another page's value."""
    if "::" in reference:
        path, key = reference.split("::", 1)
        return (page.parent / path).with_suffix(".ipynb"), key
    return page.with_suffix(".ipynb"), reference


def reads() -> dict[Path, set[str]]:
    """Every notebook -> the keys any page's prose reads from it."""
    found: dict[Path, set[str]] = {}
    for page in PAGES:
        for reference in references(page.read_text()):
            notebook, key = split(page, reference)
            found.setdefault(notebook.resolve(), set()).add(key)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_hidden_glued_value_is_read(page):
    """A value glued in a loop counts as read when the prose reads one member of its family (a table row's
    worth of values glued together, of which a sentence quotes some); any other hidden value must be read."""
    keys = glued(page.with_suffix(".ipynb"))
    read_families = {family(key) for key in reads().get(page.with_suffix(".ipynb").resolve(), set())}
    unread = sorted(key for key, shown in keys.items() if not shown and family(key) not in read_families)
    assert not unread, (
        f"{page.name}: values glued with display=False that no sentence, table or figure reads: {unread}; "
        "quote them in the prose or stop gluing them"
    )
