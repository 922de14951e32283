"""Strict conversion of a student's answer to a float64 array.

Only plain data is accepted: a numpy array of real numbers (exactly ``np.ndarray``, not a subclass),
a Python or numpy real number, or (nested) lists and tuples of those. Anything else, including objects
that define ``__eq__``, ``__array__`` or ``__float__`` to look like numbers, is rejected with a message
saying what was received and what to return instead.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import messages
from ._guard import ORIGINAL_NUMPY
from .messages import describe

__all__ = ["as_answer", "describe"]

_array = ORIGINAL_NUMPY["array"]
_isfinite = ORIGINAL_NUMPY["isfinite"]
_argwhere = ORIGINAL_NUMPY["argwhere"]
_all = ORIGINAL_NUMPY["all"]

_SCALAR_TYPES = (int, float, np.integer, np.floating)


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
        raise NotImplementedError(messages.build("not_answered", name=name))
    _check_plain(name, value, depth=0)
    try:
        array = _array(value, dtype=np.float64)
    except ValueError:
        raise AssertionError(messages.build("not_rectangular", name=name, received=describe(value))) from None
    if not _all(_isfinite(array)):
        bad = tuple(int(i) for i in _argwhere(~_isfinite(array))[0])
        raise AssertionError(messages.build("not_finite", name=name, value=float(array[bad]), index=list(bad)))
    return array


def _check_plain(name: str, value: object, depth: int) -> None:
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype == object or value.dtype == bool or not np.issubdtype(value.dtype, np.number):
            raise AssertionError(messages.build("not_real_array", name=name, received=describe(value)))
        if np.issubdtype(value.dtype, np.complexfloating):
            raise AssertionError(messages.build("complex", name=name, received=describe(value)))
        return
    if kind is bool or isinstance(value, (bool, np.bool_)):
        raise AssertionError(messages.build("boolean", name=name, value=bool(value)))
    if isinstance(value, _SCALAR_TYPES) and (kind in (int, float) or kind.__module__ == "numpy"):
        return
    if kind in (list, tuple):
        if depth > 4:
            raise AssertionError(messages.build("too_deep", name=name))
        for item in value:
            _check_plain(name, item, depth + 1)
        return
    if isinstance(value, numbers.Number):
        raise AssertionError(
            messages.build("not_real_number", name=name, received=describe(value), value=messages.safe_repr(value))
        )
    raise AssertionError(messages.build("not_plain", name=name, received=describe(value)))


def _unanswered(value: object) -> bool:
    """True for the ``...`` placeholders the student notebooks start with."""
    if value is Ellipsis:
        return True
    return type(value) in (list, tuple) and any(_unanswered(item) for item in value)
