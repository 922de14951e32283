"""Strict conversion of a student's answer to a float64 array.

Only plain data is accepted: a numpy array of real numbers (exactly ``np.ndarray``, not a subclass),
a Python or numpy real number, or (nested) lists and tuples of those. Anything else, including objects
that define ``__eq__``, ``__array__`` or ``__float__`` to look like numbers, is rejected with a message
saying what was received and what to return instead.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._guard import ORIGINAL_NUMPY

_array = ORIGINAL_NUMPY["array"]
_isfinite = ORIGINAL_NUMPY["isfinite"]
_argwhere = ORIGINAL_NUMPY["argwhere"]
_all = ORIGINAL_NUMPY["all"]

_SCALAR_TYPES = (int, float, np.integer, np.floating)


def describe(value: object) -> str:
    """A short description of what was received, for error messages."""
    if type(value) is np.ndarray:
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    if value is None:
        return "None (did the function forget to `return` its result?)"
    return f"an object of type {type(value).__name__}"


def as_answer(name: str, value: object) -> np.ndarray:
    """Return ``value`` as a new float64 array, or raise ``AssertionError`` explaining why it is not one.

    Parameters
    ----------
    name : str
        The quantity's name, used in the message.
    value : object
        What the student's code produced.

    Returns
    -------
    array of float64, a copy (the student's object is never used again)
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    if _unanswered(value):
        raise NotImplementedError(f"{name}: not answered yet; replace every ... by your answer")
    _check_plain(name, value, depth=0)
    try:
        array = _array(value, dtype=np.float64)
    except ValueError:
        raise AssertionError(
            f"{name}: expected a rectangular array of numbers, received {describe(value)} whose rows have "
            "different lengths"
        ) from None
    if not _all(_isfinite(array)):
        bad = tuple(int(i) for i in _argwhere(~_isfinite(array))[0])
        raise AssertionError(
            f"{name}: expected finite numbers, received {array[bad]} at index {list(bad)}; "
            "look for a division by zero or an exp() that overflowed"
        )
    return array


def _check_plain(name: str, value: object, depth: int) -> None:
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype == object or value.dtype == bool or not np.issubdtype(value.dtype, np.number):
            raise AssertionError(f"{name}: expected an array of real numbers, received {describe(value)}")
        if np.issubdtype(value.dtype, np.complexfloating):
            raise AssertionError(f"{name}: expected real numbers, received {describe(value)}")
        return
    if kind is bool or isinstance(value, (bool, np.bool_)):
        raise AssertionError(f"{name}: expected a number, received the boolean {value!r}")
    if isinstance(value, _SCALAR_TYPES) and (kind in (int, float) or kind.__module__ == "numpy"):
        return
    if kind in (list, tuple):
        if depth > 4:
            raise AssertionError(f"{name}: expected an array of numbers, received lists nested too deeply")
        for item in value:
            _check_plain(name, item, depth + 1)
        return
    if isinstance(value, numbers.Number):
        raise AssertionError(
            f"{name}: expected a real number, received {describe(value)} ({value!r}); use float values"
        )
    raise AssertionError(
        f"{name}: expected a numpy array of real numbers (or a list of numbers), received {describe(value)}. "
        "Return the numbers themselves, e.g. the result of np.tanh(...), not a custom object."
    )


def _unanswered(value: object) -> bool:
    """True for the ``...`` placeholders the student notebooks start with."""
    if value is Ellipsis:
        return True
    return type(value) in (list, tuple) and any(_unanswered(item) for item in value)
