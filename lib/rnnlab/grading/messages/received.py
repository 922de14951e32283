"""What a message says of a received value: :func:`describe` for the checks, and the ``description`` slot.

Only a value's type and size, never its contents; a type name outside ``KNOWN_TYPES`` and a dtype outside
numpy's own names are read back as fixed phrases (the student's code chose them).
"""

from __future__ import annotations

import builtins
import re
import types
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .kinds import INT, SEQUENCE_BITS, SHAPE, Kind, RejectedError, _log2
from .texts import UNKNOWN_DTYPE, UNKNOWN_TYPE

_NDARRAY = np.ndarray  # captured: a notebook that rebinds np.ndarray must not change what describe() says


@dataclass(frozen=True)
class Described:
    """What a message says of a received value: see :func:`describe`.

    Parameters
    ----------
    kind : {"array", "list", "tuple", "none", "object"}
    shape : tuple of int
        An array's shape.
    dtype : str or None
        An array's dtype (None: one this page does not name).
    length : int
        A list's or tuple's length.
    type_name : str or None
        An object's type (None: one this page does not name).
    """

    kind: str
    shape: tuple[int, ...] = ()
    dtype: str | None = None
    length: int = 0
    type_name: str | None = None

    def __str__(self) -> str:
        if self.kind == "array":
            dtype = f"dtype {self.dtype}" if self.dtype is not None else UNKNOWN_DTYPE
            return f"an array of shape {self.shape} and {dtype}"
        if self.kind in ("list", "tuple"):
            return f"a {self.kind} of length {self.length}"
        if self.kind == "none":
            return "None (did the function forget to `return` its result?)"
        return f"an object of type {self.type_name}" if self.type_name is not None else UNKNOWN_TYPE


def describe(value: object) -> Described:
    """A short description of a received value, for messages (its type and size, never its contents).

    Parameters
    ----------
    value : object
        What the student's code produced.

    Returns
    -------
    Described
        ``str()`` of it is the text, e.g. ``an array of shape (3,) and dtype float64``.
    """
    if type(value) is _NDARRAY:
        return Described("array", shape=tuple(int(n) for n in value.shape), dtype=str(value.dtype))
    if isinstance(value, (list, tuple)):
        return Described("list" if isinstance(value, list) else "tuple", length=len(value))
    if value is None:
        return Described("none")
    return Described("object", type_name=type(value).__name__)


KNOWN_TYPES = frozenset(
    [name for name, value in vars(builtins).items() if isinstance(value, type)]
    + [value.__name__ for value in vars(types).values() if isinstance(value, type)]
    + [kind.__name__ for kind in set(np.sctypeDict.values())]
    + ["ndarray", "matrix", "MaskedArray", "memmap", "recarray", "ufunc", "function", "generator", "method",
       "builtin_function_or_method", "dict_keys", "dict_values", "dict_items", "list_iterator", "tuple_iterator",
       "range_iterator", "Fraction", "Decimal", "deque", "defaultdict", "OrderedDict", "Counter", "RNNParams",
       "LSTMParams", "GRUParams", "RNNTrace", "LSTMTrace", "GRUTrace", "Tensor", "Parameter", "DataFrame", "Series"]
)  # fmt: skip
KNOWN_DTYPES = frozenset(str(np.dtype(kind)) for kind in set(np.sctypeDict.values()))
_TEXT_DTYPE = r"[<>|=]?[SUV]\d{1,3}"  # strings, bytes, void: 5 * 3 * 1110 texts
_DESCRIPTIONS = (
    (rf"an array of shape ({SHAPE}) and dtype ([^\n]{{1,40}}?)", "array"),
    (rf"an array of shape ({SHAPE}) and {re.escape(UNKNOWN_DTYPE)}", "array"),
    (rf"a (list|tuple) of length ({INT})", "sequence"),
    (re.escape("None (did the function forget to `return` its result?)"), "none"),
    (re.escape(UNKNOWN_TYPE), "object"),
    (r"an object of type ((?s:.+?))", "object"),
)


@lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern, tuple[tuple[re.Pattern, str], ...]]:
    """``_TEXT_DTYPE`` and ``_DESCRIPTIONS`` compiled (when first needed: only parse reads descriptions)."""
    return re.compile(_TEXT_DTYPE), tuple((re.compile(pattern), kind) for pattern, kind in _DESCRIPTIONS)


class Description(Kind):
    """What :func:`describe` says; unknown type and dtype names become fixed phrases."""

    def pattern(self, allowed):
        return "(?:" + "|".join(pattern for pattern, _ in _DESCRIPTIONS) + ")"

    def read(self, text, allowed, arg):
        text_dtype, descriptions = _compiled()
        for regex, kind in descriptions:
            match = regex.fullmatch(text)
            if match is None:
                continue
            if kind == "array":
                dtype = match.group(2) if match.lastindex == 2 else None
                known = dtype in KNOWN_DTYPES or (dtype is not None and text_dtype.fullmatch(dtype))
                shape = tuple(int(n) for n in re.findall(r"\d+", match.group(1)))
                return Described("array", shape=shape, dtype=dtype if known else None)
            if kind == "sequence":
                return Described(match.group(1), length=int(match.group(2)))
            if kind == "none":
                return Described("none")
            name = match.group(1) if match.lastindex else None
            return Described("object", type_name=name if name in KNOWN_TYPES else None)
        raise RejectedError(text)

    def bits(self, allowed):
        dtypes = len(KNOWN_DTYPES) + 5 * 3 * 1110 + 1
        return _log2(2**SEQUENCE_BITS * dtypes + 2 * 10**6 + 1 + len(KNOWN_TYPES) + 1)
