"""The slot kinds drawn from a vocabulary: the trusted source's names and choices, or the checks' catalogues.

A slot of one of these kinds accepts only a text of its vocabulary (:class:`~.allowed.Allowed` for names,
letters and source diagnoses; :mod:`.catalogue` for the known diagnoses, replaced and reference functions).
"""

from __future__ import annotations

import re

from .catalogue import (
    canonical_functions,
    canonical_gradients,
    engine_sentences,
    known_mistakes,
    reference_functions,
    replaceable,
)
from .kinds import Kind, RejectedError, _alternatives, _log2
from .texts import GRADIENT_NAMES


class Name(Kind):
    """A quantity's name, among those ``Allowed.name_pattern`` matches."""

    def pattern(self, allowed):
        return allowed.name_pattern

    def bits(self, allowed):
        return allowed.name_bits


class Letters(Kind):
    """A multiple-choice check's letters, ``'A', 'B', ...``: a literal of the source."""

    def pattern(self, allowed):
        return r"'[A-Z]'(?:, '[A-Z]'){0,25}"

    def read(self, text, allowed, arg):
        letters = "".join(re.findall(r"[A-Z]", text))
        if letters not in allowed.choices:
            raise RejectedError(text)
        return letters

    def show(self, value, arg):
        return ", ".join(repr(c) for c in value)

    def bits(self, allowed):
        return _log2(len(allowed.choices))


class Letter(Kind):
    """One capital letter among the source's choices."""

    def pattern(self, allowed):
        return "'[A-Z]'"

    def read(self, text, allowed, arg):
        letter = text[1]
        if not any(letter in choices for choices in allowed.choices):
            raise RejectedError(text)
        return letter

    def show(self, value, arg):
        return repr(value)

    def bits(self, allowed):
        return _log2(26)


class Mistake(Kind):
    """A known diagnosis (``Allowed.is_mistake``): one of the catalogue, a pair of the engine's sentences, a
    literal of the source, any of those inside the step, or the shape hint with two lengths."""

    def pattern(self, allowed):
        return r"[^\n]+"

    def read(self, text, allowed, arg):
        if not allowed.is_mistake(text):
            raise RejectedError(text)
        return text

    def bits(self, allowed):
        singles = len(known_mistakes()) + len(allowed.literals)
        pairs = engine_sentences() ** 2
        return _log2(2 * (singles + pairs) + 10**6)


class Functions(Kind):
    """Replaced functions, among those the tamper check watches, in its order."""

    def pattern(self, allowed):
        one = _alternatives(replaceable())
        return f"{one}(?:, {one})*"

    def read(self, text, allowed, arg):
        return canonical_functions(part for part in text.split(", "))

    def show(self, value, arg):
        order = {name: k for k, name in enumerate(replaceable())}
        names = list(dict.fromkeys(value))
        return ", ".join(sorted(names, key=lambda name: order.get(name, len(order))))

    def bits(self, allowed):
        return float(len(replaceable()))


class Reference(Kind):
    """A function of rnnlab's reference modules."""

    def pattern(self, allowed):
        return r"rnnlab\.[a-z_]{1,20}\.[\w<>]{1,60}"

    def read(self, text, allowed, arg):
        if text not in reference_functions():
            raise RejectedError(text)
        return text

    def bits(self, allowed):
        return _log2(len(reference_functions()))


class Gradients(Kind):
    """A list of gradient names, in the order of ``GRADIENT_NAMES``."""

    def pattern(self, allowed):
        one = _alternatives(repr(name) for name in GRADIENT_NAMES)
        return rf"\[(?:{one}(?:, {one})*)?\]"

    def read(self, text, allowed, arg):
        return canonical_gradients(re.findall(r"'(\w+)'", text))

    def show(self, value, arg):
        return str(canonical_gradients(value))

    def bits(self, allowed):
        return float(len(GRADIENT_NAMES))
