"""The ``Likely mistake:`` clause, defined once: how a check's message names its diagnosis, and how it is read back.

The checks end a failure message with ``Likely mistake: <diagnosis>`` (a line of its own after a wrong
value, the end of the line of a shape, crash or accuracy message): :data:`LIKELY` and :func:`clause` are
what every template of :mod:`.templates` writes it with. :func:`likely_mistake` and :func:`diagnosis` read
it back for the instructor's report (:mod:`coursegrader.report`), permissively: the report reads every
message, parsed by the feedback's strict :func:`~.parsing.parse` or not. Writer and reader live here
together so they cannot drift apart; ``tests/grading/test_likely_mistake.py`` round-trips every message that
names a mistake.
"""

from __future__ import annotations

import re

LIKELY = "Likely mistake:"
NO_DIAGNOSIS = "none of the common ones matches"
_CLAUSE = re.compile(rf"{re.escape(LIKELY)}\s*(.+?)\.?\s*$", re.MULTILINE)


def clause(mistake: str) -> str:
    """``Likely mistake: <mistake>``, as the messages write it (a template passes its ``{slot:mistake}``).

    Parameters
    ----------
    mistake : str
        The diagnosis, or a template slot standing for it.

    Returns
    -------
    str
    """
    return f"{LIKELY} {mistake}"


def likely_mistake(text: str) -> str | None:
    """The text after the first ``Likely mistake:`` of a message, to the end of its line (permissive).

    For the instructor's report, which reads every message, parsed or not.

    Parameters
    ----------
    text : str

    Returns
    -------
    str or None
        Without a final period; None when there is no such line.
    """
    match = _CLAUSE.search(text or "")
    return match.group(1).strip() if match else None


def diagnosis(text: str) -> str | None:
    """The likely mistake a message names, unless it says that none of the common ones matches.

    Parameters
    ----------
    text : str

    Returns
    -------
    str or None
    """
    mistake = likely_mistake(text)
    return mistake if mistake and NO_DIAGNOSIS not in mistake else None
