"""The forms a message of the checks takes: which templates, in which order, and what each form can carry.

A message is one template of ``TEMPLATES`` (the key says which check writes it), or a *wrong value*
message: a head line (``wrong_entry`` or ``wrong_value``) followed, in this order and each at most once, by
the optional lines ``reveal``, ``dump_expected``, ``dump_received``, ``hidden_answer``, ``right_entries``
and ``likely``; the lines ``reveal`` to ``dump_received`` and the lines ``hidden_answer`` and
``right_entries`` exclude each other (a check writes one or the other). The trusted test source adds its
own forms (:class:`~.allowed.Allowed`). Only the feedback's parser needs forms: this module is loaded with
:mod:`.allowed`, never by the checks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .kinds import RejectedError, _log2
from .templates import TEMPLATES, Template

if TYPE_CHECKING:
    from .allowed import Allowed

WRONG_HEADS = ("wrong_entry", "wrong_value")
WRONG_TAILS = ("reveal", "dump_expected", "dump_received", "hidden_answer", "right_entries", "likely")
SINGLE = tuple(key for key in TEMPLATES if key not in WRONG_HEADS + WRONG_TAILS)


@dataclass(frozen=True)
class Form:
    """A message's shape: a first line, then optional lines in a fixed order.

    Parameters
    ----------
    head : Template
    tails : tuple of Template
    exclusive : tuple of tuple of str
        Groups of tail keys: lines of at most one group may appear (a check writes one or the other).
    """

    head: Template
    tails: tuple[Template, ...] = ()
    exclusive: tuple[tuple[str, ...], ...] = ()

    def regex(self, allowed: Allowed) -> re.Pattern:
        text = self.head.regex(allowed, "h_")
        text += "".join(f"(?P<t{i}>\n{tail.regex(allowed, f't{i}_')})?" for i, tail in enumerate(self.tails))
        return re.compile(text)

    def check_exclusive(self, present: set[str]) -> None:
        """Raise :class:`RejectedError` if lines of two exclusive groups are ``present``."""
        if sum(1 for group in self.exclusive if present & set(group)) > 1:
            raise RejectedError(", ".join(sorted(present)))

    def bits(self, allowed: Allowed) -> float:
        """log2 of this form's distinct renderings (a shown optional line: absent, or one of its renderings)."""

        def choices(keys: Iterable[str]) -> float:
            return math.prod(1 + 2.0 ** t.bits(allowed) for t in self.tails if t.key in keys and t.shown)

        grouped = {key for group in self.exclusive for key in group}
        groups = sum(choices(group) for group in self.exclusive) - max(len(self.exclusive) - 1, 0)
        free = choices(t.key for t in self.tails if t.key not in grouped)
        return self.head.bits(allowed) + _log2(groups * free)


WRONG_EXCLUSIVE = (("reveal", "dump_expected", "dump_received"), ("hidden_answer", "right_entries"))
FORMS = tuple(
    Form(TEMPLATES[head], tuple(TEMPLATES[t] for t in WRONG_TAILS), WRONG_EXCLUSIVE) for head in WRONG_HEADS
) + tuple(Form(TEMPLATES[key]) for key in SINGLE)
