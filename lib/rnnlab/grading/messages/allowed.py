"""What a trusted test cell's source allows in a message: the vocabulary of names, choices and diagnoses.

The test cell's own source (from the gradebook, never the student's notebook) adds its string literals
and identifiers as names, and its string literals and f-strings as whole messages (an ``assert``'s
message, for instance); its numbers may be tolerances and thresholds. :attr:`Allowed.compiled` is every
form a message may take for that cell, compiled once per source. Only the feedback's parser and the
channel bound need this module: the package loads it when first used, never for the checks.
"""

from __future__ import annotations

import ast
import math
import re
import string
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .catalogue import is_known_mistake
from .forms import FORMS, Form
from .kinds import NAME_INT, _alternatives, _log2
from .templates import Slot, Template
from .texts import (
    ANONYMOUS,
    CONVENTIONS,
    FIXED_NAMES,
    GRADIENT_NAMES,
    INSIDE_THE_STEP,
    MAX_LITERAL,
    NAME_FORMS,
    TOLERANCES,
    _hint_long,
    number,
)


def _source_format(node: ast.JoinedStr) -> tuple[str | Slot, ...] | None:
    """An f-string's pieces: literal text and ``value`` slots carrying the field's format spec."""
    pieces: list[str | Slot] = []
    for index, part in enumerate(node.values):
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            pieces.append(part.value)
        elif isinstance(part, ast.FormattedValue):
            spec = part.format_spec
            if spec is not None and not all(isinstance(p, ast.Constant) for p in spec.values):
                return None
            arg = "".join(str(p.value) for p in spec.values) if spec is not None else ""
            pieces.append(Slot(f"v{index}", "value", arg))
        else:
            return None
    return tuple(pieces)


@dataclass(frozen=True, eq=False)
class Allowed:
    """What a trusted test cell's source allows in a message: its string literals, identifiers and f-strings.

    Parameters
    ----------
    literals : frozenset of str
    identifiers : frozenset of str
    formats : tuple of tuple
        Each f-string's pieces (literal text and ``value`` slots).
    numbers : frozenset of float
        Its numeric constants (a tolerance or a threshold must be one, or one the checks use).
    """

    literals: frozenset[str] = frozenset()
    identifiers: frozenset[str] = frozenset()
    formats: tuple[tuple[str | Slot, ...], ...] = ()
    numbers: frozenset[float] = frozenset()

    @classmethod
    def from_source(cls, source: str) -> Allowed:
        """What ``source`` (Python code from the gradebook) allows; nothing if it does not parse.

        Parameters
        ----------
        source : str

        Returns
        -------
        Allowed
        """
        return _allowed_from(source)

    @cached_property
    def tolerances(self) -> frozenset[str]:
        """The ``atol`` a wrong-value message may name, as rendered: the checks' own and the source's numbers."""
        return frozenset(number(x) for x in (*TOLERANCES, *self.numbers) if x > 0)

    @cached_property
    def choices(self) -> frozenset[str]:
        """Literals that can be a multiple-choice check's letters."""
        return frozenset(t for t in self.literals if 0 < len(t) <= 26 and re.fullmatch("[A-Z]+", t))

    @cached_property
    def words_pattern(self) -> str:
        words = {*self.identifiers, *self.literals, *(repr(t) for t in self.literals)}
        return _alternatives(w for w in words if "\n" not in w)

    @property
    def word_count(self) -> int:
        return len(self.identifiers) + 2 * len(self.literals)

    @cached_property
    def _functions(self) -> tuple[str, ...]:
        return (*sorted(self.identifiers), *ANONYMOUS)

    @cached_property
    def _conventions(self) -> frozenset[str]:
        return frozenset({*CONVENTIONS, *self.literals})

    @cached_property
    def name_pattern(self) -> str:
        """A regex matching exactly the names a message may use here."""
        fills = {
            "function": _alternatives(self._functions),
            "k": r"\d{1,2}",
            "part": "(?:w_out|b_out)",
            "gradient": _alternatives(repr(name) for name in GRADIENT_NAMES),
            "convention": _alternatives(repr(t) for t in self._conventions),
        }
        forms = []
        for form in NAME_FORMS:
            pieces = string.Formatter().parse(form)
            forms.append("".join(re.escape(lit) + (fills[name] if name else "") for lit, name, _, _ in pieces))
        words = f"(?:{NAME_INT}|{self.words_pattern})"
        for pieces in self.formats:
            forms.append("".join(re.escape(p) if isinstance(p, str) else words for p in pieces))
        fixed = _alternatives(t for t in {*FIXED_NAMES, *self.literals, *self.identifiers} if "\n" not in t)
        return "(?:" + "|".join([*forms, fixed]) + ")"

    @cached_property
    def name_bits(self) -> float:
        words = 2 * 10**4 + self.word_count
        counts = {"function": len(self._functions), "k": 100, "part": 2, "gradient": len(GRADIENT_NAMES),
                  "convention": len(self._conventions)}  # fmt: skip
        total = len(FIXED_NAMES) + len(self.literals) + len(self.identifiers)
        for form in NAME_FORMS:
            total += math.prod(counts[name] for _, name, _, _ in string.Formatter().parse(form) if name)
        total += sum(words ** sum(isinstance(p, Slot) for p in pieces) for pieces in self.formats)
        return _log2(total)

    def is_mistake(self, text: str) -> bool:
        """True if ``text`` is a known diagnosis, a pair of the engine's, a literal of the source, or one of those
        inside the step (``inside the step: <diagnosis>``)."""
        if text in self.literals or is_known_mistake(text) or _hint_long().fullmatch(text):
            return True
        return text.startswith(INSIDE_THE_STEP) and is_known_mistake(text[len(INSIDE_THE_STEP) :])

    @cached_property
    def compiled(self) -> tuple[tuple[Form, re.Pattern], ...]:
        """Every form a message may take here (the checks' own, then the source's f-strings), compiled."""
        forms = list(FORMS)
        for pieces in self.formats:
            forms.append(Form(Template("source", pieces, None)))
        forms += [Form(Template("source", (text,), None)) for text in sorted(self.literals)]
        return tuple((form, form.regex(self)) for form in forms)


def _one_short_line(text: str) -> bool:
    """Only one-line literals of at most ``MAX_LITERAL`` characters may appear in a message."""
    return "\n" not in text and len(text) <= MAX_LITERAL


@lru_cache(maxsize=256)
def _allowed_from(source: str) -> Allowed:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return Allowed()
    inside_fstrings = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    literals, identifiers, formats, numbers = set(), set(), [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            numbers.add(float(node.value))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstrings:
            if _one_short_line(node.value):
                literals.add(node.value)
        elif isinstance(node, ast.Name):
            identifiers.add(node.id)
        elif isinstance(node, ast.Attribute):
            identifiers.add(node.attr)
        elif isinstance(node, ast.arg):
            identifiers.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            identifiers.add(node.name)
        elif isinstance(node, ast.JoinedStr) and id(node) not in inside_fstrings:
            pieces = _source_format(node)
            if pieces is not None and all(_one_short_line(p) for p in pieces if isinstance(p, str)):
                formats.append(pieces)
    return Allowed(frozenset(literals), frozenset(identifiers), tuple(dict.fromkeys(formats)), frozenset(numbers))
