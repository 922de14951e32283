"""Input validation shared by every public function.

Each helper turns user input into a float64 array and raises an error that names the argument,
what was received and what was expected, so a learner can fix the call without reading our code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def as_float_array(name: str, value: object) -> np.ndarray:
    """Return ``value`` as a float64 array, or raise ``TypeError``/``ValueError`` naming ``name``."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__} {value!r}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__} ({error})") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name}: expected an array of numbers, got an array of dtype {array.dtype}")
    if array.dtype == bool or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name}: expected real numbers, got an array of dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name}: expected finite numbers, got {array[bad]} at index {bad}")
    return array


def check_shape(name: str, array: np.ndarray, expected: Sequence[tuple[int | None, ...]]) -> None:
    """Raise ``ValueError`` unless ``array.shape`` matches one of ``expected`` (``None`` = any size)."""
    for shape in expected:
        if len(shape) == array.ndim and all(s is None or s == a for s, a in zip(shape, array.shape, strict=True)):
            return
    wanted = " or ".join(_describe(shape) for shape in expected)
    raise ValueError(f"{name}: expected shape {wanted}, got {tuple(array.shape)}")


def frozen(array: np.ndarray) -> np.ndarray:
    """Return a read-only copy of ``array`` so records built from it stay immutable."""
    array = np.array(array, dtype=np.float64, copy=True)
    array.setflags(write=False)
    return array


def _describe(shape: tuple[int | None, ...]) -> str:
    inner = ", ".join("B" if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int, or raise ``TypeError`` (not an int) / ``ValueError`` (below 1) naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value}")
    return int(value)
