"""Messages as values: built by the checks, parsed strictly and re-rendered for the feedback, read for the report.

The same definitions build the messages in the student's kernel (:func:`build`, :func:`compose`) and
parse them in the feedback (:func:`parse`, :func:`render`), so the checks and the parser cannot drift
apart. The instructor's report reads the likely mistake with :func:`~.likely.diagnosis` (permissive: the
report is for the instructor), defined with the clause it reads in :mod:`.likely`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .kinds import RejectedError
from .templates import TEMPLATES, Template
from .texts import ACCURACY_MISTAKE, MAX_TEXT

if TYPE_CHECKING:
    from .allowed import Allowed
    from .forms import Form


@dataclass(frozen=True)
class Part:
    """One template with its values.

    Parameters
    ----------
    template : Template
    values : dict
        ``{field: typed value}``.
    """

    template: Template
    values: dict = field(default_factory=dict)

    def render(self) -> str:
        return self.template.render(self.values)


@dataclass(frozen=True)
class Message:
    """A parsed (or built) message: its parts, in order.

    Parameters
    ----------
    parts : tuple of Part
    """

    parts: tuple[Part, ...]

    @property
    def key(self) -> str:
        return self.parts[0].template.key

    @property
    def error(self) -> str | None:
        """The exception name the check raises with this message (None: any)."""
        return self.parts[0].template.error

    @property
    def mistake(self) -> str | None:
        """The likely mistake this message names, if any."""
        for part in self.parts:
            for slot in part.template.slots:
                if slot.kind == "mistake":
                    return str(part.values[slot.name])
            if part.template.key == "accuracy":
                return ACCURACY_MISTAKE
        return None


def render(message: Message) -> str:
    """The text of ``message``: its parts, one per line.

    Parameters
    ----------
    message : Message

    Returns
    -------
    str
    """
    return "\n".join(part.render() for part in message.parts)


def build(key: str, **values: object) -> str:
    """The text of the one-line message ``TEMPLATES[key]`` with these slot values (used by the checks).

    Parameters
    ----------
    key : str
        A key of ``TEMPLATES``.
    **values
        The typed value of every slot.

    Returns
    -------
    str
    """
    return render(Message((Part(TEMPLATES[key], values),)))


def compose(*parts: tuple[str, Mapping[str, object]]) -> str:
    """The text of a several-line message: ``(key, values)`` per line, in the order of ``FORMS``.

    Parameters
    ----------
    *parts : tuple of (str, mapping)

    Returns
    -------
    str
    """
    return render(Message(tuple(Part(TEMPLATES[key], dict(values)) for key, values in parts)))


def parse(text: str, allowed: Allowed | None = None) -> Message | None:
    """``text`` as a message of the checks, or None if it is not exactly one.

    Parameters
    ----------
    text : str
        An error's message (``evalue``).
    allowed : Allowed, optional
        What the trusted test source allows as names, choices and diagnoses (default: nothing from a source).

    Returns
    -------
    Message or None
        Its typed values; :func:`render` of it is the text the feedback may show.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    from .allowed import Allowed  # the feedback's side only: the checks, in the student's kernel, never parse

    allowed = allowed if allowed is not None else Allowed()
    for form, regex in allowed.compiled:
        match = regex.fullmatch(text)
        if match is None:
            continue
        try:
            return _read(form, match, allowed)
        except RejectedError:
            continue
    return None


def _read(form: Form, match: re.Match, allowed: Allowed) -> Message:
    present = {tail.key for i, tail in enumerate(form.tails) if match.group(f"t{i}") is not None}
    form.check_exclusive(present)
    parts = [Part(form.head, form.head.read(match, allowed, "h_"))]
    for i, tail in enumerate(form.tails):
        if tail.key in present and tail.shown:
            parts.append(Part(tail, tail.read(match, allowed, f"t{i}_")))
    return Message(tuple(parts))
