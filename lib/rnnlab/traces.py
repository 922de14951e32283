"""Immutable records of every intermediate value of one step (what chapters, tests and the explainer read)."""

from __future__ import annotations

import dataclasses

import numpy as np

from ._checks import frozen


@dataclasses.dataclass(frozen=True, eq=False)
class _Trace:
    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                object.__setattr__(self, field.name, frozen(value))

    def __eq__(self, other: object) -> bool:
        """Same type and the same value in every field (arrays compared entry by entry)."""
        if type(other) is not type(self):
            return NotImplemented
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name))
            if isinstance(getattr(self, f.name), np.ndarray)
            else getattr(self, f.name) == getattr(other, f.name)
            for f in dataclasses.fields(self)
        )

    __hash__ = None  # it holds numpy arrays, which are not hashable either


@dataclasses.dataclass(frozen=True, eq=False)
class RNNTrace(_Trace):
    """One plain-RNN step: input ``x``, previous state ``h_prev``, pre-activation ``a``, new state ``h``.

    Parameters
    ----------
    x : array (D,) or (B, D)
    h_prev, a, h : arrays (H,) or (B, H)
    """

    x: np.ndarray
    h_prev: np.ndarray
    a: np.ndarray
    h: np.ndarray


@dataclasses.dataclass(frozen=True, eq=False)
class LSTMTrace(_Trace):
    """One LSTM step: gates ``f, i, o``, candidate ``c_tilde``, cell ``c`` and hidden state ``h``.

    Parameters
    ----------
    x : array (D,) or (B, D)
    h_prev, c_prev, f, i, c_tilde, c, o, h : arrays (H,) or (B, H)
    """

    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    f: np.ndarray
    i: np.ndarray
    c_tilde: np.ndarray
    c: np.ndarray
    o: np.ndarray
    h: np.ndarray

    @property
    def tanh_c(self) -> np.ndarray:
        """:math:`\\tanh(c_t)`, the squashed cell the output gate reads from."""
        return np.tanh(self.c)


@dataclasses.dataclass(frozen=True, eq=False)
class GRUTrace(_Trace):
    """One GRU step: gates ``r, z``, candidate ``h_tilde``, new state ``h``, and the conventions used.

    Parameters
    ----------
    x : array (D,) or (B, D)
    h_prev, r, z, h_tilde, h : arrays (H,) or (B, H)
    z_weights : {"old", "new"}
    reset : {"before", "after"}
    """

    x: np.ndarray
    h_prev: np.ndarray
    r: np.ndarray
    z: np.ndarray
    h_tilde: np.ndarray
    h: np.ndarray
    z_weights: str
    reset: str
