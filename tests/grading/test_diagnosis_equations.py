"""The equation numbers the diagnoses cite are the ones the book shows.

Sphinx numbers the labelled ``{math}`` blocks of the whole book in one sequence, in the table of contents'
order; this test recomputes that numbering from the sources, so a chapter that gains an equation cannot
leave ``EQUATION_NUMBERS`` citing the wrong one. (Checked once against the built HTML: the ``eqno`` of
``equation-lstm-eq-candidate`` in ``_build/html/chapters/03_lstm.html`` is ``(8)``.)
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from rnnlab.grading.diagnosis.equations import EQUATION_NUMBERS

ROOT = Path(__file__).resolve().parents[2]
MATH_BLOCK = re.compile(r"^```\{math\}\n((?::[a-z]+:.*\n)*)", re.MULTILINE)
DOLLAR_LABEL = re.compile(r"^\$\$.*\$\$ *\(([\w-]+)\)", re.MULTILINE | re.DOTALL)


def pages(entries: list) -> list[str]:
    found = []
    for entry in entries:
        if "file" in entry:
            found.append(entry["file"])
        for key in ("chapters", "sections", "parts"):
            found += pages(entry.get(key, []))
    return found


def book_numbers() -> dict[str, int]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbers: dict[str, int] = {}
    for page in [toc["root"], *pages(toc.get("parts", []))]:
        path = ROOT / f"{page}.md"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        assert not DOLLAR_LABEL.search(text), f"{page}: a labelled $$ equation; count it here too"
        for block in MATH_BLOCK.finditer(text):
            label = re.search(r"^:label: *(\S+)", block.group(1), re.MULTILINE)
            if label:
                numbers[label.group(1)] = len(numbers) + 1
    return numbers


def test_every_cited_equation_has_the_number_the_book_shows() -> None:
    book = book_numbers()
    ours = {label: number for label, number in EQUATION_NUMBERS.items()}
    reference = {label: book.get(label) for label in EQUATION_NUMBERS}
    assert ours == reference, f"ours {ours} vs the book's {reference}"
