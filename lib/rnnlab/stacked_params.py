"""The weights of a stack of ``L`` recurrent layers, each with one or two directions.

``layers[l][0]`` is the forward cell of layer ``l`` and ``layers[l][1]`` its backward cell when the
stack is bidirectional. Layer 0 reads the ``D`` inputs; layer ``l > 0`` reads the layer below's output,
``H`` numbers, or ``2H`` when bidirectional (the forward state first, then the backward one, as PyTorch
concatenates them). Every cell is an ordinary :class:`~rnnlab.RNNParams`, :class:`~rnnlab.LSTMParams` or
:class:`~rnnlab.GRUParams`, so its weights act on ``[h_prev, x]`` as everywhere in the book.

The forward and backward passes are :func:`rnnlab.stacked_forward` and :func:`rnnlab.stacked_backward`;
the PyTorch layout (``weight_ih_l{l}`` and ``weight_ih_l{l}_reverse``) is :mod:`rnnlab.torch_layout`'s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._checks import positive_int
from .kinds import cell_kind
from .params import CellParams
from .torch_layout import TORCH_MODULES, fields_from_torch, torch_kind, torch_suffix, write_torch


@dataclasses.dataclass(frozen=True, eq=False)
class StackedParams:
    """``L`` layers of one kind of cell, one or two directions each (see the module docstring).

    Parameters
    ----------
    layers : sequence of ``L`` sequences of 1 or 2 params objects
        ``layers[l][0]`` runs forward in time; ``layers[l][1]``, if present, runs backward. Every cell has the
        same kind and hidden size ``H``; layer 0's input size is ``D``, layer ``l > 0``'s is ``H`` or
        ``2H`` (bidirectional).
    """

    layers: tuple[tuple[CellParams, ...], ...]

    def __post_init__(self) -> None:
        if isinstance(self.layers, (str, bytes, CellParams)) or not hasattr(self.layers, "__len__"):
            raise TypeError(f"layers: expected a sequence of layers, got {type(self.layers).__name__}")
        layers = tuple(tuple(cells) if isinstance(cells, (list, tuple)) else cells for cells in self.layers)
        if not layers:
            raise ValueError("layers: expected at least one layer, got none")
        first = layers[0][0] if isinstance(layers[0], tuple) and layers[0] else None
        if not isinstance(first, CellParams) or type(first) is CellParams:
            raise TypeError(f"layers[0][0]: expected RNNParams, LSTMParams or GRUParams, got {type(first).__name__}")
        cls, H = type(first), first.hidden_size
        directions = len(layers[0])
        for layer, cells in enumerate(layers):
            if not isinstance(cells, tuple) or len(cells) not in (1, 2) or len(cells) != directions:
                got = f"{len(cells)} cells" if isinstance(cells, tuple) else type(cells).__name__
                raise ValueError(f"layers[{layer}]: expected {directions} cell(s) like layers[0], got {got}")
            expected_input = first.input_size if layer == 0 else directions * H
            for d, cell in enumerate(cells):
                if type(cell) is not cls:
                    expected, got = cls.__name__, type(cell).__name__
                    raise TypeError(f"layers[{layer}][{d}]: expected {expected} like layers[0][0], got {got}")
                if cell.hidden_size != H or cell.input_size != expected_input:
                    raise ValueError(
                        f"layers[{layer}][{d}]: expected H={H} and input size {expected_input}, "
                        f"got H={cell.hidden_size} and input size {cell.input_size}"
                    )
        object.__setattr__(self, "layers", layers)

    def __eq__(self, other: object) -> bool:
        """Same shape of stack and equal cells."""
        if not isinstance(other, StackedParams):
            return NotImplemented
        return len(self.layers) == len(other.layers) and all(
            len(a) == len(b) and all(x == y for x, y in zip(a, b, strict=True))
            for a, b in zip(self.layers, other.layers, strict=True)
        )

    __hash__ = None  # it holds numpy arrays

    @property
    def kind(self) -> str:
        """``"rnn"``, ``"lstm"`` or ``"gru"``."""
        return self.layers[0][0].kind

    @property
    def num_layers(self) -> int:
        """``L``."""
        return len(self.layers)

    @property
    def num_directions(self) -> int:
        """1, or 2 when bidirectional."""
        return len(self.layers[0])

    @property
    def bidirectional(self) -> bool:
        """Whether every layer has a backward cell."""
        return self.num_directions == 2

    @property
    def input_size(self) -> int:
        """``D``, what layer 0 reads."""
        return self.layers[0][0].input_size

    @property
    def hidden_size(self) -> int:
        """``H``, the state size of every cell (the output has ``num_directions * H`` numbers per step)."""
        return self.layers[0][0].hidden_size

    def cells(self) -> list[tuple[int, int, CellParams]]:
        """``(layer, direction, cell)`` in PyTorch's order: index ``layer * num_directions + direction``."""
        return [(layer, d, cell) for layer, cells in enumerate(self.layers) for d, cell in enumerate(cells)]

    @staticmethod
    def cell_name(layer: int, direction: int) -> str:
        """PyTorch's name of one cell's tensors without the weight prefix: ``"l0"``, ``"l1_reverse"``.

        Parameters
        ----------
        layer : int
        direction : int, 0 (forward) or 1 (backward)
        """
        return torch_suffix(layer, reverse=direction == 1)[1:]

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array, named ``"<cell>.<field>"``: ``"l0.W_f"``, ``"l1_reverse.b_hn"``, ..."""
        return {
            f"{self.cell_name(layer, d)}.{name}": array
            for layer, d, cell in self.cells()
            for name, array in cell.arrays().items()
        }

    def replace_arrays(self, changes: Mapping[str, object]) -> StackedParams:
        """A copy with some arrays replaced, named as in :meth:`arrays` (validated like a new object).

        Parameters
        ----------
        changes : dict of ``"<cell>.<field>"`` to array (or None for the GRU's optional ``b_hn``)
        """
        known = [
            f"{self.cell_name(layer, d)}.{field}"
            for layer, d, cell in self.cells()
            for field in cell.weight_names + cell.bias_names
        ]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            example = known[0]
            raise ValueError(f"changes: expected names from StackedParams.arrays() such as {example!r}, got {unknown}")
        layers = []
        for layer, cells in enumerate(self.layers):
            new_cells = []
            for d, cell in enumerate(cells):
                prefix = self.cell_name(layer, d) + "."
                mine = {key[len(prefix) :]: value for key, value in changes.items() if key.startswith(prefix)}
                new_cells.append(cell.replace(**mine) if mine else cell)
            layers.append(tuple(new_cells))
        return StackedParams(tuple(layers))

    @classmethod
    def random(
        cls,
        kind: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        seed: int = 0,
    ) -> StackedParams:
        """Every cell drawn by its ``Params.random`` (PyTorch's initialisation), each from its own seed.

        Parameters
        ----------
        kind : {"rnn", "lstm", "gru"}
        input_size : int, ``D``
        hidden_size : int, ``H``
        num_layers : int, ``L``
        bidirectional : bool
        seed : int, the same seed gives the same weights
        """
        params_cls = cell_kind(kind).params
        D = positive_int("input_size", input_size)
        H = positive_int("hidden_size", hidden_size)
        L = positive_int("num_layers", num_layers)
        directions = 2 if bidirectional else 1
        seeds = np.random.SeedSequence(seed).generate_state(L * directions)
        layers = tuple(
            tuple(
                params_cls.random(D if layer == 0 else directions * H, H, seed=int(seeds[layer * directions + d]))
                for d in range(directions)
            )
            for layer in range(L)
        )
        return cls(layers)

    @classmethod
    def from_torch(cls, module: Any) -> StackedParams:
        """Copy the weights of a PyTorch ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` of any depth and direction.

        The GRU's cells carry ``b_hn``: run them with ``reset="after"`` (PyTorch's equations). rnnlab has no
        dropout: with ``dropout > 0`` the results equal PyTorch's in ``eval()`` mode. ``batch_first`` does
        not change the weights (rnnlab's sequences are always time-major).

        Parameters
        ----------
        module : ``torch.nn.RNN`` (tanh), ``LSTM`` (no projection) or ``GRU``
        """
        kind = torch_kind(module)
        params_cls = cell_kind(kind).params
        fields_from_torch(params_cls, module, layer=0)  # checks the module before reading every layer
        directions = 2 if module.bidirectional else 1
        layers = tuple(
            tuple(params_cls(**fields_from_torch(params_cls, module, layer, d == 1)) for d in range(directions))
            for layer in range(module.num_layers)
        )
        return cls(layers)

    def to_torch(self) -> Any:
        """The float64 ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (time-major) holding these weights.

        Biases go to ``bias_ih``; ``bias_hh`` is zero except the GRU's ``b_hn``, so the GRU module computes
        rnnlab's ``reset="after", z_weights="old"``.
        """
        import torch  # optional dependency, needed only here

        layer_class = getattr(torch.nn, TORCH_MODULES[self.kind][1])
        module = layer_class(
            self.input_size, self.hidden_size, num_layers=self.num_layers, bidirectional=self.bidirectional
        ).double()
        for layer, d, cell in self.cells():
            write_torch(module, cell, torch_suffix(layer, reverse=d == 1))
        return module
