"""The comparisons test cells make, with messages a student can act on.

Every failure raises ``AssertionError`` whose message names the quantity and the first wrong index,
gives the expected and received values, and, when a diagnosis is available, the likely mistake.
Passing checks print nothing and emit no warning.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._guard import ORIGINAL_NUMPY, check_untampered
from .convert import as_answer, describe

_abs = ORIGINAL_NUMPY["abs"]
_all = ORIGINAL_NUMPY["all"]
_argwhere = ORIGINAL_NUMPY["argwhere"]
_array = ORIGINAL_NUMPY["array"]
_isclose = ORIGINAL_NUMPY["isclose"]
_round = ORIGINAL_NUMPY["round"]

ROUNDING = 0.005 + 1e-9  # any value within this of the exact one rounds to it at two decimals


def check_close(
    name: str,
    received: object,
    expected: object,
    *,
    atol: float = 1e-6,
    diagnose: Mapping[str, object] | None = None,
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
    diagnose : mapping, optional
        ``{description of a mistake: the value that mistake produces}``; the first one matching
        ``received`` is named in the message.

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
    raise AssertionError(_wrong_value_message(name, got, want, ok, f"allowed difference {atol:g}", mistake, True))


def check_rounded(
    name: str,
    received: object,
    expected: object,
    *,
    diagnose: Mapping[str, object] | None = None,
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
    tolerance = "two decimals are enough: any value within 0.005 of the exact one passes"
    raise AssertionError(_wrong_value_message(name, got, want, ok, tolerance, mistake, reveal))


def check_choice(name: str, received: object, choices: str, *, expected: str | None = None) -> None:
    """Check a multiple-choice answer: one letter of ``choices`` (e.g. ``"ABCD"``), case and spaces ignored.

    Without ``expected`` only the form is checked (the visible part of a test); the hidden part of the
    test passes the right letter, so the notebook the student sees never contains it.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    letters = ", ".join(repr(c) for c in choices)
    if received is Ellipsis:
        raise NotImplementedError(f"{name}: not answered yet; replace ... by one letter out of {letters}")
    if type(received) is not str:
        raise AssertionError(f"{name}: expected one letter out of {letters} as a string, received {describe(received)}")
    answer = received.strip().upper()
    if len(answer) != 1 or answer not in choices:
        raise AssertionError(f"{name}: expected one letter out of {letters}, received {received!r}")
    if expected is not None and answer != expected:
        raise AssertionError(f"{name}: {answer!r} is not the right answer; reread the question and the hint above it")


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
        raise AssertionError(f"{name}: expected every entry > 0, received {got[tuple(index)]!r} at index {index}")
    return got


def check_shape_matches(name: str, got: np.ndarray, want: np.ndarray) -> None:
    """Raise ``AssertionError`` with expected and received shapes, and a hint, if they differ."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    if got.shape == want.shape:
        return
    hint = _shape_hint(got.shape, want.shape)
    raise AssertionError(f"{name}: expected shape {want.shape}, received shape {got.shape}. Likely mistake: {hint}")


def _shape_hint(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    if len(got) == 2 and got == want[::-1]:
        return "the two axes are swapped (a transposed result, or W @ X where X @ W.T was needed for a batch)"
    if int(np.prod(got)) == int(np.prod(want)):
        return "the right number of entries in the wrong layout (an extra or missing axis of length 1?)"
    if len(want) == 2 and len(got) == 1 and got[0] == want[1]:
        return "the batch axis was lost: with a batch of inputs (B, D) the result must be (B, H)"
    if len(want) >= 1 and len(got) == len(want) and got[:-1] == want[:-1] and got[-1] > want[-1]:
        return (
            f"the last axis is too long ({got[-1]} instead of {want[-1]}): was the concatenation [h_prev, x] "
            "returned, or a weight matrix used with the wrong orientation?"
        )
    return "a shape mismatch; print the shapes of every intermediate array to find where they first differ"


def _diagnosis(got: np.ndarray, diagnose: Mapping[str, object] | None, close: object) -> str | None:
    if not diagnose:
        return None
    for description, value in diagnose.items():
        candidate = _array(value, dtype=np.float64)
        if candidate.shape == got.shape and _all(close(got, candidate)):
            return description
    return None


def _wrong_value_message(
    name: str, got: np.ndarray, want: np.ndarray, ok: np.ndarray, tolerance: str, mistake: str | None, reveal: bool
) -> str:
    index = [int(i) for i in _argwhere(~ok)[0]] if got.ndim else []
    where = f"entry {index} of {name}" if index else name
    wrong = int((~ok).sum())
    lines = [f"{where} is wrong ({wrong} of {ok.size} entries differ; {tolerance})."]
    at = tuple(index)
    if reveal:
        lines.append(f"  expected {float(want[at]):.6g}, received {float(got[at]):.6g}")
        if got.size > 1 and got.size <= 24:
            lines.append(f"  expected {name} = {_round(want, 4).tolist()}")
            lines.append(f"  received {name} = {_round(got, 4).tolist()}")
    else:
        lines.append(f"  received {float(got[at]):.6g}, which is not the right value (not shown: it is the answer)")
        right = [[int(i) for i in idx] for idx in _argwhere(ok)] if got.ndim else []
        if right:
            lines.append(f"  these entries are right: {', '.join(str(r) for r in right)}")
    if mistake:
        lines.append(f"Likely mistake: {mistake}.")
    else:
        lines.append(
            "Likely mistake: none of the common ones matches; recompute one entry by hand, term by term, and "
            "compare it with each line of your code."
        )
    return "\n".join(lines)
