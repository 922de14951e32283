"""Parameter records for the three cells, with random initialisation and shape validation.

Every weight matrix acts on the concatenation ``[h_prev, x]``, so it has shape ``(H, H + D)``; its
first ``H`` columns multiply ``h_prev`` and the last ``D`` columns multiply ``x``. Every bias has
shape ``(H,)``. Arrays are float64 and read-only: a params object never changes after it is made.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

import numpy as np

from ._checks import as_float_array, check_shape, frozen, positive_int
from .torch_layout import fields_from_torch, torch_cell

P = TypeVar("P", bound="CellParams")


@dataclasses.dataclass(frozen=True, eq=False)
class CellParams:
    """What the three cells' params share: validation, sizes, random init, conversion helpers.

    The public base class of :class:`RNNParams`, :class:`LSTMParams` and :class:`GRUParams`, for type hints
    and ``isinstance`` checks; it has no fields of its own.

    Parameters
    ----------
    **fields : arrays
        A subclass's weights (H, H + D) and biases (H,), named by its ``weight_names`` and ``bias_names``.
    """

    kind: ClassVar[str] = ""
    gates: ClassVar[tuple[str, ...]] = ()  # the gate blocks, as suffixes of the field names
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
        D = positive_int("input_size", input_size)
        H = positive_int("hidden_size", hidden_size)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(H)
        fields = {name: rng.uniform(-bound, bound, (H, H + D)) for name in cls.weight_names}
        fields |= {name: rng.uniform(-bound, bound, H) for name in cls.bias_names if name not in cls._optional()}
        return cls(**fields)

    @classmethod
    def field_names(cls, gate: str) -> tuple[str, str]:
        """The weight and bias fields of one gate block: ``("W_f", "b_f")`` for ``"f"``, ``("W", "b")`` for ``""``.

        Parameters
        ----------
        gate : str, one of :attr:`gates`
        """
        return ("W", "b") if gate == "" else (f"W_{gate}", f"b_{gate}")

    @classmethod
    def from_torch(cls: type[P], module: Any) -> P:
        """Copy the weights of a PyTorch ``nn.*Cell`` or one-layer ``nn.*`` (layout in :mod:`rnnlab.torch_layout`).

        Parameters
        ----------
        module : ``torch.nn.RNNCell | RNN``, ``LSTMCell | LSTM`` or ``GRUCell | GRU``, matching ``cls``
        """
        return cls(**fields_from_torch(cls, module))

    def to_torch(self) -> Any:
        """Return the matching float64 PyTorch ``nn.*Cell`` holding these weights (see :mod:`rnnlab.torch_layout`)."""
        return torch_cell(self)


@dataclasses.dataclass(frozen=True, eq=False)
class RNNParams(CellParams):
    """Weights of the plain (Elman) RNN cell, :math:`h_t = \\tanh(W [h_{t-1}, x_t] + b)`.

    Parameters
    ----------
    W : array (H, H + D)
    b : array (H,)
    """

    W: np.ndarray
    b: np.ndarray
    kind: ClassVar[str] = "rnn"
    gates: ClassVar[tuple[str, ...]] = ("",)
    weight_names: ClassVar[tuple[str, ...]] = ("W",)
    bias_names: ClassVar[tuple[str, ...]] = ("b",)


@dataclasses.dataclass(frozen=True, eq=False)
class LSTMParams(CellParams):
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
    gates: ClassVar[tuple[str, ...]] = ("f", "i", "c", "o")
    weight_names: ClassVar[tuple[str, ...]] = ("W_f", "W_i", "W_c", "W_o")
    bias_names: ClassVar[tuple[str, ...]] = ("b_f", "b_i", "b_c", "b_o")


@dataclasses.dataclass(frozen=True, eq=False)
class GRUParams(CellParams):
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
    gates: ClassVar[tuple[str, ...]] = ("r", "z", "h")
    weight_names: ClassVar[tuple[str, ...]] = ("W_r", "W_z", "W_h")
    bias_names: ClassVar[tuple[str, ...]] = ("b_r", "b_z", "b_h", "b_hn")

    @classmethod
    def _optional(cls) -> tuple[str, ...]:
        return ("b_hn",)
