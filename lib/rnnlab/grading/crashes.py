"""Hints for the errors students' functions most often stop with, and the line of their cell that raised it.

An error raised inside a student's function (a shape mismatch from joining a batch along the wrong axis,
a transposed product, a misspelled name, a ``None`` used as an array) is re-raised by the checks as an
``AssertionError`` that names the line and the likely fix; the original error stays chained to it, so the
notebook still shows the student's own traceback. Errors not listed here propagate unchanged.
"""

from __future__ import annotations

import types

from .messages import texts

#: (error class, words its message contains, hint); the first match wins.
CRASHES: tuple[tuple[type[BaseException], tuple[str, ...], str], ...] = (
    (ValueError, ("concatenation axis", "same number of dimensions"), texts.CRASH_CONCATENATE),
    (ValueError, ("matmul", "not aligned", "mismatch in its core dimension"), texts.CRASH_MATMUL),
    (ValueError, ("could not broadcast input array",), texts.CRASH_ASSIGN),
    (ValueError, ("could not be broadcast",), texts.CRASH_BROADCAST),
    (ValueError, ("values to unpack",), texts.CRASH_UNPACK),
    (ValueError, ("truth value of an array",), texts.CRASH_TRUTH),
    (UnboundLocalError, (), texts.CRASH_UNBOUND),
    (NameError, (), texts.CRASH_NAME),
    (TypeError, ("NoneType",), texts.CRASH_NONE),
    (TypeError, ("object is not callable",), texts.CRASH_NOT_CALLABLE),
    (
        TypeError,
        ("positional argument", "required argument", "arguments but", "to a scalar index"),
        texts.CRASH_ARGUMENTS,
    ),
    (TypeError, ("'list'", "can't multiply sequence"), texts.CRASH_SEQUENCE),
    (AttributeError, (), texts.CRASH_ATTRIBUTE),
    (KeyError, (), texts.CRASH_KEY),
    (IndexError, (), texts.CRASH_INDEX),
)
CAUGHT = tuple(dict.fromkeys(kind for kind, _, _ in CRASHES))


def crash_hint(error: BaseException) -> str | None:
    """The hint for ``error``, or None when it is not one of the common crashes."""
    message = str(error)
    for kind, words, hint in CRASHES:
        if isinstance(error, kind) and (not words or any(word in message for word in words)):
            return hint
    return None


def student_line(error: BaseException, code: types.CodeType | None) -> int | None:
    """The line of the student's cell (the file ``code`` was compiled from) where ``error`` last passed."""
    if code is None:
        return None
    line, trace = None, error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == code.co_filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    return line
