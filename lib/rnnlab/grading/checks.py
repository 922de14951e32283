"""The comparisons test cells make, with messages a student can act on.

Every failure raises ``AssertionError`` whose message names the quantity and the first wrong index,
gives the expected and received values, and, when a diagnosis is available, the likely mistake.
Passing checks print nothing and emit no warning, and compute no diagnosis: ``diagnose`` may be a
function, called only once the comparison has failed (the step and sequence checks pass the diagnosis
engine, :mod:`rnnlab.grading.diagnosis`, this way).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from . import messages
from ._guard import ORIGINAL_NUMPY, check_untampered
from .convert import as_answer, describe

_abs = ORIGINAL_NUMPY["abs"]
_all = ORIGINAL_NUMPY["all"]
_argwhere = ORIGINAL_NUMPY["argwhere"]
_array = ORIGINAL_NUMPY["array"]
_isclose = ORIGINAL_NUMPY["isclose"]
_round = ORIGINAL_NUMPY["round"]

ROUNDING = 0.005 + 1e-9  # any value within this of the exact one rounds to it at two decimals

#: a check's ``diagnose``: ``{mistake: value}``, or a function of the received array called on a failure
Diagnose = Mapping[str, object] | Callable[[np.ndarray], str | None] | None


def check_close(
    name: str,
    received: object,
    expected: object,
    *,
    atol: float = 1e-6,
    diagnose: Diagnose = None,
) -> None:
    """Check that ``received`` equals ``expected`` entry by entry, within ``atol`` (plus ``1e-6`` relative).

    Parameters
    ----------
    name : str
        The quantity, as the student knows it (e.g. ``"h"`` or ``"lstm_step(...)[1] (c)"``).
    received : array-like
        The student's value; converted strictly (see :func:`rnnlab.grading.convert.as_answer`).
    expected : array-like
        The reference value.
    atol : float
        Absolute tolerance.
    diagnose : mapping or callable, optional
        ``{description of a mistake: the value that mistake produces}``, the first one matching
        ``received`` named in the message; or ``diagnose(received) -> description or None``, called
        only on a failure.

    Raises
    ------
    AssertionError
        With the quantity, first wrong index, expected and received values and the likely mistake.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    got = as_answer(name, received)
    want = _array(expected, dtype=np.float64)
    check_shape_matches(name, got, want)
    ok = _isclose(got, want, rtol=1e-6, atol=atol)
    if _all(ok):
        return
    mistake = _diagnosis(got, diagnose, lambda a, b: _isclose(a, b, rtol=1e-6, atol=max(atol, 1e-9)))
    raise AssertionError(_wrong_value_message(name, got, want, ok, atol, mistake, True))


def check_rounded(
    name: str,
    received: object,
    expected: object,
    *,
    diagnose: Diagnose = None,
    reveal: bool = False,
) -> None:
    """Check a by-hand answer: every entry must be within 0.005 of the exact value (two-decimal rounding).

    The message says which entries are wrong and the likely mistake, but (unless ``reveal``) not the
    right value, so a graded by-hand answer cannot be copied from it.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    got = as_answer(name, received)
    want = _array(expected, dtype=np.float64)
    check_shape_matches(name, got, want)
    ok = _abs(got - want) <= ROUNDING
    if _all(ok):
        return
    mistake = _diagnosis(got, diagnose, lambda a, b: _abs(a - b) <= ROUNDING)
    raise AssertionError(_wrong_value_message(name, got, want, ok, None, mistake, reveal))


def check_choice(name: str, received: object, choices: str, *, expected: str | None = None) -> None:
    """Check a multiple-choice answer: one letter of ``choices`` (e.g. ``"ABCD"``), case and spaces ignored.

    Without ``expected`` only the form is checked (the visible part of a test); the hidden part of the
    test passes the right letter, so the notebook the student sees never contains it.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    if received is Ellipsis:
        raise NotImplementedError(messages.build("choice_not_answered", name=name, letters=choices))
    if type(received) is not str:
        raise AssertionError(messages.build("choice_type", name=name, letters=choices, received=describe(received)))
    answer = received.strip().upper()
    if len(answer) != 1 or answer not in choices:
        raise AssertionError(messages.build("choice_form", name=name, letters=choices, received=repr(received)))
    if expected is not None and answer != expected:
        raise AssertionError(messages.build("choice_wrong", name=name, answer=answer))


def check_array(name: str, received: object, shape: tuple[int, ...], *, positive: bool = False) -> np.ndarray:
    """Check that ``received`` is an array of real numbers with the given shape (and, optionally, all > 0).

    Returns the converted float64 array.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    got = as_answer(name, received)
    check_shape_matches(name, got, np.zeros(shape))
    if positive and not _all(got > 0):
        index = [int(i) for i in _argwhere(~(got > 0))[0]]
        raise AssertionError(messages.build("not_positive", name=name, value=float(got[tuple(index)]), index=index))
    return got


def check_shape_matches(name: str, got: np.ndarray, want: np.ndarray) -> None:
    """Raise ``AssertionError`` with expected and received shapes, and a hint, if they differ."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    if got.shape == want.shape:
        return
    hint = _shape_hint(got.shape, want.shape)
    raise AssertionError(messages.build("shape", name=name, expected=want.shape, received=got.shape, hint=hint))


def _shape_hint(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    if len(got) == 2 and got == want[::-1]:
        return messages.HINT_SWAPPED
    if int(np.prod(got)) == int(np.prod(want)):
        return messages.HINT_LAYOUT
    if len(want) == 2 and len(got) == 1 and got[0] == want[1]:
        return messages.HINT_BATCH
    if len(want) >= 1 and len(got) == len(want) and got[:-1] == want[:-1] and got[-1] > want[-1]:
        return messages.HINT_LONG.format(got=got[-1], want=want[-1])
    return messages.HINT_OTHER


def once(diagnose: Callable[[], str | None]) -> Callable[[np.ndarray], str | None]:
    """A check's lazy ``diagnose``: runs ``diagnose`` at the first failure, then remembers its answer."""
    found: list[str | None] = []

    def named(got: np.ndarray) -> str | None:
        if not found:
            found.append(diagnose())
        return found[0]

    return named


def _diagnosis(got: np.ndarray, diagnose: Diagnose, close: object) -> str | None:
    if callable(diagnose):
        return diagnose(got)
    if not diagnose:
        return None
    for description, value in diagnose.items():
        candidate = _array(value, dtype=np.float64)
        if candidate.shape == got.shape and _all(close(got, candidate)):
            return description
    return None


def _wrong_value_message(
    name: str,
    got: np.ndarray,
    want: np.ndarray,
    ok: np.ndarray,
    atol: float | None,
    mistake: str | None,
    reveal: bool,
) -> str:
    """The wrong-value message (see :mod:`rnnlab.grading.messages`); ``atol`` None: two-decimal rounding."""
    index = [int(i) for i in _argwhere(~ok)[0]] if got.ndim else []
    counts = {"name": name, "wrong": int((~ok).sum()), "size": int(ok.size), "tolerance": atol}
    parts: list[tuple[str, dict]] = [("wrong_entry", {"index": index, **counts}) if index else ("wrong_value", counts)]
    at = tuple(index)
    if reveal:
        parts.append(("reveal", {"expected": float(want[at]), "received": float(got[at])}))
        if got.size > 1 and got.size <= 24:
            parts.append(("dump_expected", {"name": name, "values": _round(want, 4).tolist()}))
            parts.append(("dump_received", {"name": name, "values": _round(got, 4).tolist()}))
    else:
        parts.append(("hidden_answer", {"received": float(got[at])}))
        right = [[int(i) for i in idx] for idx in _argwhere(ok)] if got.ndim else []
        if right:
            parts.append(("right_entries", {"entries": ", ".join(str(r) for r in right)}))
    parts.append(("likely", {"mistake": mistake or messages.NO_DIAGNOSIS_TEXT}))
    return messages.compose(*parts)
