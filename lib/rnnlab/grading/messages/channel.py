"""The channel that remains: an upper bound, in bits, on what one parsed message can carry.

:func:`channel_bits` is log2 of the number of distinct renderings, summed over forms, each form's count
being the product of its slots' choices (an optional line: absent, or one of its renderings; the
``reveal`` and ``hidden_answer`` line groups exclude each other, as the checks write one or the other).
The slot bounds, in bits (each kind's ``bits``): ``number`` 30.1 (two signs, 9e5 six-digit mantissas, 633
decades), ``count`` 19.9, ``shape``/``index`` 39.9, ``percent1`` 10.0, ``mistake`` 20.1 (10**6 shape hints
with two 3-digit lengths, plus the catalogue and every pair of the engine's sentences), ``description`` 56.7,
``functions`` 46, ``gradients`` 8, ``reference`` 6.2, ``letter`` 4.7, ``bool`` 1; ``tolerance`` and
``threshold`` log2 of the numbers the checks and the source use (1.6 to 3.5); ``name``, ``letters`` and
``value`` log2 of what the source allows (10 to 13 for a name, 14.3 more per integer field of an f-string
name); ``text`` and the left-out lines 0.
"""

from __future__ import annotations

from .allowed import Allowed
from .kinds import _log2

MAX_CHANNEL_BITS = 180


def channel_bits(allowed: Allowed | None = None) -> float:
    """An upper bound on the information one parsed message can carry: log2 of its distinct renderings.

    Parameters
    ----------
    allowed : Allowed, optional

    Returns
    -------
    float
        Bits: ``log2(sum over forms of 2 ** form bits)``.
    """
    allowed = allowed if allowed is not None else Allowed()
    total = sum(2.0 ** form.bits(allowed) for form, _ in allowed.compiled)
    return _log2(total)
