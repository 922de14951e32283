"""The templates: every message, or line of one, the checks write, as literal text and typed slots.

``TEMPLATES`` holds them by key (the key says which check writes it; :mod:`.forms` says how they combine
into whole messages). A slot ``{field:kind}`` or ``{field:kind|arg}`` names its kind in ``KINDS``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .kinds import (
    INDEX,
    SHAPE,
    Boolean,
    Count,
    Hidden,
    Ints,
    Kind,
    Number,
    Percent,
    Text,
    Tolerance,
    Value,
)
from .likely import clause
from .received import Description
from .texts import ACCURACY_MISTAKE, GRADIENT_NAMES
from .vocabulary_kinds import Functions, Gradients, Letter, Letters, Mistake, Name, Reference

if TYPE_CHECKING:
    from .allowed import Allowed

KINDS: dict[str, Kind] = {
    "name": Name(),
    "count": Count(),
    "number": Number(),
    "threshold": Percent(0, threshold=True),
    "percent1": Percent(1),
    "shape": Ints(SHAPE, tuple),
    "index": Ints(INDEX, list),
    "bool": Boolean(),
    "letters": Letters(),
    "letter": Letter(),
    "mistake": Mistake(),
    "tolerance": Tolerance(),
    "description": Description(),
    "text": Text(),
    "numbers": Hidden(r"\[[-\[\]\d.e+naif, ]{0,3000}\]"),
    "indices": Hidden(rf"{INDEX}(?:, {INDEX}){{0,99}}"),
    "functions": Functions(),
    "reference": Reference(),
    "gradients": Gradients(),
    "value": Value(),
}


# --- templates --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One typed field of a template; ``arg`` is a ``text`` slot's fixed phrase or a ``value`` slot's format.

    Parameters
    ----------
    name : str
    kind : str
        A key of ``KINDS``.
    arg : str
    """

    name: str
    kind: str
    arg: str = ""


@dataclass(frozen=True)
class Template:
    """A message, or one line of one, as literal text and typed slots.

    Parameters
    ----------
    key : str
        Its name in ``TEMPLATES`` (``source`` for a trusted f-string).
    pieces : tuple of (str or Slot)
    error : str or None
        The exception the check raises with it (None: any).
    shown : bool
        False for lines the feedback leaves out.
    """

    key: str
    pieces: tuple[str | Slot, ...]
    error: str | None = "AssertionError"
    shown: bool = True

    @classmethod
    def of(cls, key: str, text: str, error: str | None = "AssertionError", shown: bool = True) -> Template:
        """A template from text with ``{field:kind}`` or ``{field:kind|arg}`` slots."""
        pieces: list[str | Slot] = []
        for literal, name, spec, _ in string.Formatter().parse(text):
            if literal:
                pieces.append(literal)
            if name is not None:
                kind, _, arg = (spec or "").partition("|")
                pieces.append(Slot(name, kind, arg))
        return cls(key, tuple(pieces), error, shown)

    @property
    def slots(self) -> list[Slot]:
        return [piece for piece in self.pieces if isinstance(piece, Slot)]

    def regex(self, allowed: Allowed, prefix: str) -> str:
        """This template as a regex; every slot a named group ``<prefix><name>``."""
        parts = []
        for piece in self.pieces:
            if isinstance(piece, str):
                parts.append(re.escape(piece))
            else:
                parts.append(f"(?P<{prefix}{piece.name}>{KINDS[piece.kind].pattern(allowed)})")
        return "".join(parts)

    def read(self, match: re.Match, allowed: Allowed, prefix: str) -> dict[str, object]:
        """The typed values of this template's slots in ``match``; raises :class:`RejectedError`."""
        return {s.name: KINDS[s.kind].read(match.group(prefix + s.name), allowed, s.arg) for s in self.slots}

    def render(self, values: Mapping[str, object]) -> str:
        return "".join(
            piece if isinstance(piece, str) else KINDS[piece.kind].show(values[piece.name], piece.arg)
            for piece in self.pieces
        )

    def bits(self, allowed: Allowed) -> float:
        return sum(KINDS[slot.kind].bits(allowed) for slot in self.slots) if self.shown else 0.0


def _templates(*specs: tuple) -> dict[str, Template]:
    return {spec[0]: Template.of(*spec) for spec in specs}


TEMPLATES = _templates(
    # the wrong-value message: a head line, then optional lines in this order
    ("wrong_entry", "entry {index:index} of {name:name} is wrong ({wrong:count} of {size:count} entries differ; "
                    "{tolerance:tolerance})."),
    ("wrong_value", "{name:name} is wrong ({wrong:count} of {size:count} entries differ; {tolerance:tolerance})."),
    ("reveal", "  expected {expected:number}, received {received:number}"),
    ("dump_expected", "  expected {name:name} = {values:numbers}", "AssertionError", False),
    ("dump_received", "  received {name:name} = {values:numbers}", "AssertionError", False),
    ("hidden_answer", "  received {received:number}, which is not the right value (not shown: it is the answer)"),
    ("right_entries", "  these entries are right: {entries:indices}", "AssertionError", False),
    ("likely", clause("{mistake:mistake}") + "."),
    # one-line messages
    ("shape", "{name:name}: expected shape {expected:shape}, received shape {received:shape}. "
              + clause("{hint:mistake}")),
    ("not_finite", "{name:name}: expected finite numbers, received {value:number} at index {index:index}; look for a "
                   "division by zero or an exp() that overflowed"),
    ("not_rectangular", "{name:name}: expected a rectangular array of numbers, received {received:description} "
                        "whose rows have different lengths"),
    ("not_real_array", "{name:name}: expected an array of real numbers, received {received:description}"),
    ("complex", "{name:name}: expected real numbers, received {received:description}"),
    ("boolean", "{name:name}: expected a number, received the boolean {value:bool}"),
    ("too_deep", "{name:name}: expected an array of numbers, received lists nested too deeply"),
    ("not_real_number", "{name:name}: expected a real number, received {received:description} "
                        "({value:text|its value is in your notebook}); use float values"),
    ("not_plain", "{name:name}: expected a numpy array of real numbers (or a list of numbers), received "
                  "{received:description}. Return the numbers themselves, e.g. the result of np.tanh(...), not a "
                  "custom object."),
    ("not_positive", "{name:name}: expected every entry > 0, received {value:number} at index {index:index}"),
    ("choice_type", "{name:name}: expected one letter out of {letters:letters} as a string, received "
                    "{received:description}"),
    ("choice_form", "{name:name}: expected one letter out of {letters:letters}, received "
                    "{received:text|a different answer (your notebook shows it)}"),
    ("choice_wrong", "{name:name}: {answer:letter} is not the right answer; reread the question and the hint above "
                     "it"),
    ("return_count", "{name:name}: expected it to return {n:count} arrays (a tuple), received {received:description}"),
    ("crash", "{name:name} stopped with an error at line {line:count} of its cell. " + clause("{hint:mistake}")),
    ("not_callable", "expected a function to call, received {received:description} "
                     "({value:text|its value is in your notebook})"),
    ("gradients_type", "gru_step_backward: expected a dict of gradients, received {received:description}"),
    ("gradients_missing", f"gru_step_backward: expected the keys {list(GRADIENT_NAMES)}; missing "
                          "{missing:gradients}"),
    ("clipped_type", "{name:name}: expected first a dict of the clipped gradients with the keys {keys:gradients}, "
                     "received {received:description}. " + clause("{mistake:mistake}")),
    ("train_type", "{name:name}: expected a tuple (p, w_out, b_out) with p a GRUParams, received "
                   "{received:description}"),
    ("train_shapes", "{name:name}: expected w_out of shape ({hidden:count},) and a number b_out, received "
                     "{w_shape:shape} and {b_shape:shape}"),
    ("accuracy", "{name:name}: expected an accuracy of at least {at_least:threshold} on new sequences, received "
                 "{score:percent1}. " + clause(ACCURACY_MISTAKE) + "."),
    ("not_answered", "{name:name}: not answered yet; replace every ... by your answer", "NotImplementedError"),
    ("choice_not_answered", "{name:name}: not answered yet; replace ... by one letter out of {letters:letters}",
     "NotImplementedError"),
    ("replaced", "these functions were replaced in this notebook: {functions:functions}. The checks need the "
                 "original numpy and rnnlab.grading; restart the kernel and run the notebook without changing them.",
     "TamperingError"),
    ("profiler", "your function changed the profiler (sys.setprofile); the check cannot trust its result",
     "TamperingError"),
    ("reference", "implement it yourself; {where:reference} was called. This exercise checks your own numpy code, so "
                  "it may not call rnnlab's reference implementation (rnnlab.sigmoid, rnnlab.tanh and the params "
                  "objects are fine).", "ReferenceCallError"),
    ("by_hand_cell", "cell: expected 'rnn', 'lstm' or 'gru', got {cell:text|another value}", "ValueError"),
)  # fmt: skip
