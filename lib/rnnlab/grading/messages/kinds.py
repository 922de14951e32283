"""The slot kinds: how a slot's text is matched, read back (or rejected), shown again, and counted in bits.

This module holds the base :class:`Kind`, the regexes and bit counts the kinds share, and the kinds of
numbers and free text. The kinds drawn from a vocabulary (names, letters, diagnoses, functions) are in
:mod:`.vocabulary_kinds`, the description of a received value in :mod:`.received`; ``KINDS`` in
:mod:`.templates` names them all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .texts import ROUNDING_TEXT, number

if TYPE_CHECKING:
    from .allowed import Allowed


class RejectedError(ValueError):
    """A slot's text is not one this grammar allows."""


INT = r"(?:0|[1-9]\d{0,5})"
NAME_INT = r"-?\d{1,4}"
NUMBER = r"-?(?:inf|nan|\d{1,17}(?:\.\d{1,17})?(?:e[+-]\d{1,3})?)"
SHAPE = r"\((?:\d{1,3}(?:, \d{1,3}){0,3},?)?\)"
INDEX = r"\[(?:\d{1,3}(?:, \d{1,3}){0,3})?\]"
NUMBER_BITS = math.log2(2 * 900_000 * 633 + 4)
COUNT_BITS = math.log2(10**6)
SEQUENCE_BITS = math.log2(sum(1000**k for k in range(5)))


def _alternatives(texts: Iterable[str]) -> str:
    """A regex matching exactly one of ``texts`` (longest first; never matching when there are none)."""
    ordered = sorted(set(texts), key=lambda t: (-len(t), t))
    return "(?:" + "|".join(re.escape(t) for t in ordered) + ")" if ordered else "(?!)"


def _log2(count: float) -> float:
    return math.log2(count) if count > 1 else 0.0


class Kind:
    """One type of slot: its regex, how its text is read (or rejected), how a value is shown, its bits."""

    def pattern(self, allowed: Allowed) -> str:
        raise NotImplementedError

    def read(self, text: str, allowed: Allowed, arg: str) -> object:
        return text

    def show(self, value: object, arg: str) -> str:
        return str(value)

    def bits(self, allowed: Allowed) -> float:
        raise NotImplementedError


class Count(Kind):
    """A number of entries: an integer of at most 6 digits."""

    def pattern(self, allowed):
        return INT

    def read(self, text, allowed, arg):
        return int(text)

    def bits(self, allowed):
        return COUNT_BITS


class Number(Kind):
    """A number, re-rendered with ``SIGNIFICANT`` significant digits."""

    def pattern(self, allowed):
        return NUMBER

    def read(self, text, allowed, arg):
        return float(text)

    def show(self, value, arg):
        return number(value)

    def bits(self, allowed):
        return NUMBER_BITS


class Percent(Kind):
    """A percentage 0-100 with ``decimals`` decimals; a ``threshold`` must be a number of the source."""

    def __init__(self, decimals: int, threshold: bool = False) -> None:
        self.decimals, self.threshold = decimals, threshold

    def pattern(self, allowed):
        return r"(?:100|[1-9]?\d)" + (r"\.\d" if self.decimals else "") + "%"

    def read(self, text, allowed, arg):
        value = float(text[:-1]) / 100
        if value > 1 or (self.threshold and text not in self.allowed_texts(allowed)):
            raise RejectedError(text)
        return value

    def show(self, value, arg):
        return f"{float(value):.{self.decimals}%}"

    def allowed_texts(self, allowed: Allowed) -> set[str]:
        return {self.show(x, "") for x in allowed.numbers if 0 <= x <= 1}

    def bits(self, allowed):
        if self.threshold:
            return _log2(len(self.allowed_texts(allowed)))
        return math.log2(100 * 10**self.decimals + 1)


class Ints(Kind):
    """A shape ``(a, b)`` or an index ``[a, b]``: at most 4 integers of at most 3 digits."""

    def __init__(self, regex: str, kind: type) -> None:
        self.regex, self.kind = regex, kind

    def pattern(self, allowed):
        return self.regex

    def read(self, text, allowed, arg):
        return self.kind(int(n) for n in re.findall(r"\d+", text))

    def show(self, value, arg):
        return str(self.kind(int(n) for n in value))

    def bits(self, allowed):
        return SEQUENCE_BITS


class Boolean(Kind):
    """``True`` or ``False``."""

    def pattern(self, allowed):
        return "(?:True|False)"

    def read(self, text, allowed, arg):
        return text == "True"

    def show(self, value, arg):
        return str(bool(value))

    def bits(self, allowed):
        return 1.0


class Tolerance(Kind):
    """``allowed difference <atol>``, with an ``atol`` the checks use or a number of the source; or rounding."""

    def pattern(self, allowed):
        return f"(?:allowed difference {NUMBER}|{re.escape(ROUNDING_TEXT)})"

    def read(self, text, allowed, arg):
        if text == ROUNDING_TEXT:
            return None
        value = float(text.rsplit(" ", 1)[1])
        if number(value) not in allowed.tolerances:
            raise RejectedError(text)
        return value

    def show(self, value, arg):
        return ROUNDING_TEXT if value is None else f"allowed difference {number(value)}"

    def bits(self, allowed):
        return _log2(len(allowed.tolerances) + 1)


class Value(Kind):
    """A field of a trusted f-string: a number, re-rendered with the field's format, or a literal of the source."""

    def pattern(self, allowed):
        return f"(?:{NUMBER}|{allowed.words_pattern})"

    def read(self, text, allowed, arg):
        return text if re.fullmatch(allowed.words_pattern, text) else float(text)

    def show(self, value, arg):
        if isinstance(value, str):
            return value
        try:
            return format(float(value), arg) if arg else number(value)
        except ValueError:
            return number(value)

    def bits(self, allowed):
        return _log2(2**NUMBER_BITS + allowed.word_count)


class Text(Kind):
    """Anything the student's code chose; read as None and shown as the template's fixed phrase."""

    def pattern(self, allowed):
        return r"(?s:.*?)"

    def read(self, text, allowed, arg):
        return None

    def show(self, value, arg):
        return arg if value is None else str(value)

    def bits(self, allowed):
        return 0.0


class Hidden(Kind):
    """Typed contents of a line the feedback checks but leaves out: nested lists of numbers, or indices."""

    def __init__(self, regex: str) -> None:
        self.regex = regex

    def pattern(self, allowed):
        return self.regex

    def read(self, text, allowed, arg):
        return None

    def bits(self, allowed):
        return 0.0
