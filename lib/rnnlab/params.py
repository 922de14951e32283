"""Parameter records for the three cells, with random initialisation and shape validation.

Every weight matrix acts on the concatenation ``[h_prev, x]``, so it has shape ``(H, H + D)``; its
first ``H`` columns multiply ``h_prev`` and the last ``D`` columns multiply ``x``. Every bias has
shape ``(H,)``. Arrays are float64 and read-only: a params object never changes after it is made.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

import numpy as np

from ._checks import as_float_array, check_shape, frozen

P = TypeVar("P", bound="_Params")


@dataclasses.dataclass(frozen=True, eq=False)
class _Params:
    """Shared behaviour: validation, sizes, random init, conversion helpers."""

    kind: ClassVar[str] = ""
    weight_names: ClassVar[tuple[str, ...]] = ()
    bias_names: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        first = self.weight_names[0]
        W = as_float_array(first, getattr(self, first))
        if W.ndim != 2 or W.shape[0] < 1 or W.shape[1] <= W.shape[0]:
            raise ValueError(
                f"{first}: expected shape (H, H + D) with H >= 1 and D >= 1 acting on [h_prev, x], got {W.shape}"
            )
        H, D = W.shape[0], W.shape[1] - W.shape[0]
        for name in self.weight_names:
            array = as_float_array(name, getattr(self, name))
            check_shape(name, array, [(H, H + D)])
            object.__setattr__(self, name, frozen(array))
        for name in self.bias_names:
            value = getattr(self, name)
            if value is None and name in self._optional():
                continue
            array = as_float_array(name, value)
            check_shape(name, array, [(H,)])
            object.__setattr__(self, name, frozen(array))

    def __eq__(self, other: object) -> bool:
        """Same type and the same numbers in every field (the generated ``==`` would compare arrays to a bool)."""
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = self.arrays(), other.arrays()
        return mine.keys() == theirs.keys() and all(np.array_equal(mine[name], theirs[name]) for name in mine)

    __hash__ = None  # it holds numpy arrays, which are not hashable either

    @classmethod
    def _optional(cls) -> tuple[str, ...]:
        return ()

    @property
    def hidden_size(self) -> int:
        """``H``, the size of the hidden state."""
        return int(getattr(self, self.weight_names[0]).shape[0])

    @property
    def input_size(self) -> int:
        """``D``, the size of one input vector."""
        W = getattr(self, self.weight_names[0])
        return int(W.shape[1] - W.shape[0])

    def arrays(self) -> dict[str, np.ndarray]:
        """The fields that hold arrays, by name (optional fields that are ``None`` are left out)."""
        names = self.weight_names + self.bias_names
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def replace(self: P, **changes: Any) -> P:
        """Return a copy with some fields replaced (validated like a new object)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def zeros_like(cls: type[P], other: P) -> P:
        """A params object of the same shapes filled with zeros (a gradient accumulator)."""
        return cls(**{name: np.zeros_like(array) for name, array in other.arrays().items()})

    @classmethod
    def random(cls: type[P], input_size: int, hidden_size: int, seed: int = 0) -> P:
        """Draw every entry from ``uniform(-1/sqrt(H), 1/sqrt(H))``, PyTorch's default initialisation.

        Parameters
        ----------
        input_size : int
            ``D``, the size of one input vector.
        hidden_size : int
            ``H``, the size of the hidden state.
        seed : int
            Seed for ``numpy.random.default_rng``; the same seed gives the same weights.
        """
        D = _positive_int("input_size", input_size)
        H = _positive_int("hidden_size", hidden_size)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(H)
        fields = {name: rng.uniform(-bound, bound, (H, H + D)) for name in cls.weight_names}
        fields |= {name: rng.uniform(-bound, bound, H) for name in cls.bias_names if name not in cls._optional()}
        return cls(**fields)

    @classmethod
    def from_torch(cls: type[P], module: Any) -> P:
        """Copy the weights of a PyTorch ``nn.*Cell`` or one-layer ``nn.*`` (see :mod:`rnnlab.interop`)."""
        from . import interop

        return interop.from_torch(cls, module)

    def to_torch(self) -> Any:
        """Return the matching float64 PyTorch ``nn.*Cell`` holding these weights (see :mod:`rnnlab.interop`)."""
        from . import interop

        return interop.to_torch(self)


@dataclasses.dataclass(frozen=True, eq=False)
class RNNParams(_Params):
    """Weights of the plain (Elman) RNN cell, :math:`h_t = \\tanh(W [h_{t-1}, x_t] + b)`.

    Parameters
    ----------
    W : array (H, H + D)
    b : array (H,)
    """

    W: np.ndarray
    b: np.ndarray
    kind: ClassVar[str] = "rnn"
    weight_names: ClassVar[tuple[str, ...]] = ("W",)
    bias_names: ClassVar[tuple[str, ...]] = ("b",)


@dataclasses.dataclass(frozen=True, eq=False)
class LSTMParams(_Params):
    """Weights of the LSTM cell: forget ``f``, input ``i``, candidate ``c`` and output ``o`` blocks.

    Parameters
    ----------
    W_f, W_i, W_c, W_o : array (H, H + D)
    b_f, b_i, b_c, b_o : array (H,)
    """

    W_f: np.ndarray
    b_f: np.ndarray
    W_i: np.ndarray
    b_i: np.ndarray
    W_c: np.ndarray
    b_c: np.ndarray
    W_o: np.ndarray
    b_o: np.ndarray
    kind: ClassVar[str] = "lstm"
    weight_names: ClassVar[tuple[str, ...]] = ("W_f", "W_i", "W_c", "W_o")
    bias_names: ClassVar[tuple[str, ...]] = ("b_f", "b_i", "b_c", "b_o")


@dataclasses.dataclass(frozen=True, eq=False)
class GRUParams(_Params):
    """Weights of the GRU cell: reset ``r``, update ``z`` and candidate ``h`` blocks.

    Parameters
    ----------
    W_r, W_z, W_h : array (H, H + D)
    b_r, b_z, b_h : array (H,)
    b_hn : array (H,) or None
        The bias added to the recurrent candidate term *inside* the reset gate, used only with
        ``reset="after"`` (PyTorch's ``b_hn``). ``None`` means zero.
    """

    W_r: np.ndarray
    b_r: np.ndarray
    W_z: np.ndarray
    b_z: np.ndarray
    W_h: np.ndarray
    b_h: np.ndarray
    b_hn: np.ndarray | None = None
    kind: ClassVar[str] = "gru"
    weight_names: ClassVar[tuple[str, ...]] = ("W_r", "W_z", "W_h")
    bias_names: ClassVar[tuple[str, ...]] = ("b_r", "b_z", "b_h", "b_hn")

    @classmethod
    def _optional(cls) -> tuple[str, ...]:
        return ("b_hn",)


GATES_PER_KIND = {"rnn": 1, "gru": 3, "lstm": 4}


def count_params(kind: str, input_size: int, hidden_size: int) -> int:
    """Number of trainable numbers in one cell, with one bias per gate.

    .. math:: n = G \\,\\bigl(H (H + D) + H\\bigr), \\qquad G = 1 \\text{ (RNN)}, 3 \\text{ (GRU)}, 4 \\text{ (LSTM)}

    PyTorch keeps two biases per gate (``b_ih`` and ``b_hh``), so its count is ``G * H`` larger.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
    input_size : int
        ``D``.
    hidden_size : int
        ``H``.
    """
    if not isinstance(kind, str):
        raise TypeError(f"kind: expected one of 'rnn', 'lstm', 'gru', got {type(kind).__name__} {kind!r}")
    if kind not in GATES_PER_KIND:
        raise ValueError(f"kind: expected one of 'rnn', 'lstm', 'gru', got {kind!r}")
    D = _positive_int("input_size", input_size)
    H = _positive_int("hidden_size", hidden_size)
    return GATES_PER_KIND[kind] * (H * (H + D) + H)


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value}")
    return int(value)
