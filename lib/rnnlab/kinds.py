"""The one registry of cell kinds: for ``"rnn"``, ``"lstm"`` and ``"gru"``, everything that differs by kind.

Every table keyed by kind and every "expected one of 'rnn', 'lstm', 'gru'" check goes through
:func:`cell_kind` (by name) or :func:`kind_of` (by params object).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from ._checks import as_float_array, positive_int
from .cells import gru_step, gru_step_backward, lstm_step, lstm_step_backward, rnn_step, rnn_step_backward
from .params import CellParams, GRUParams, LSTMParams, RNNParams
from .sequence_gru import gru_backward, gru_forward
from .sequence_lstm import lstm_backward, lstm_forward
from .sequence_rnn import rnn_backward, rnn_forward


@dataclasses.dataclass(frozen=True)
class CellKind:
    """One kind of cell and its functions.

    Parameters
    ----------
    name : {"rnn", "lstm", "gru"}
    title : str, the name the book's figures and tables use ("plain RNN", "LSTM", "GRU")
    params : the params class
    step, step_backward : one step forward (returns a trace) and backward (from that trace)
    forward, backward : the fused sequence functions
    states : the recurrent states' names, ``("h",)`` or ``("h", "c")``; the forward takes one initial
        state per name and returns one sequence of states per name
    """

    name: str
    title: str
    params: type[CellParams]
    step: Callable[..., Any]
    step_backward: Callable[..., Any]
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    states: tuple[str, ...]

    @property
    def gates(self) -> int:
        """``G``, the number of gate blocks (one weight matrix and one bias each): 1, 4 or 3."""
        return len(self.params.weight_names)

    def run(
        self, xs: object, p: CellParams, start: tuple[object, ...] | None = None, **conventions: str
    ) -> tuple[tuple[np.ndarray, ...], Any]:
        """The fused forward pass from ``start`` (zeros if None): every state after every step, and the cache.

        Parameters
        ----------
        xs : array (T, B, D)
        p : params of this kind
        start : one initial state per name in :attr:`states`, each (B, H), (H,) or None
        conventions : the GRU's ``z_weights`` and ``reset``

        Returns
        -------
        states : tuple of arrays (T, B, H): ``(hs,)`` or ``(hs, cs)``
        cache : for :meth:`backprop`
        """
        start = (None,) * len(self.states) if start is None else start
        *states, cache = self.forward(xs, *start, p, **conventions)
        return tuple(states), cache

    def backprop(
        self, dhs: object, cache: Any, dlast: tuple[object, ...] | None = None
    ) -> tuple[CellParams, np.ndarray, tuple[np.ndarray, ...]]:
        """The fused backward pass: the params' gradients, ``dxs`` (T, B, D) and one gradient per initial state.

        Parameters
        ----------
        dhs : array (T, B, H), :math:`\\partial L / \\partial h_t`
        cache : what :meth:`run` returned
        dlast : one gradient per name in :attr:`states` for the *last* state (``h_T``, ``c_T``), each
            (B, H) or None; None (the default) means zero. The one for ``h_T`` is added to ``dhs[-1]``.
        """
        extra = {}
        if dlast is not None:
            if len(dlast) != len(self.states):
                raise ValueError(f"dlast: expected {len(self.states)} gradients {self.states}, got {len(dlast)}")
            dh_last, *others = dlast
            if dh_last is not None:
                dhs = np.array(as_float_array("dhs", dhs))
                dhs[-1] += as_float_array("dlast[0]", dh_last)
            extra = {f"d{name}_last": g for name, g in zip(self.states[1:], others, strict=True) if g is not None}
        grads, dxs, *dstart = self.backward(dhs, cache, **extra)
        return grads, dxs, tuple(dstart)


KINDS: dict[str, CellKind] = {
    kind.name: kind
    for kind in (
        CellKind("rnn", "plain RNN", RNNParams, rnn_step, rnn_step_backward, rnn_forward, rnn_backward, ("h",)),
        CellKind("lstm", "LSTM", LSTMParams, lstm_step, lstm_step_backward, lstm_forward, lstm_backward, ("h", "c")),
        CellKind("gru", "GRU", GRUParams, gru_step, gru_step_backward, gru_forward, gru_backward, ("h",)),
    )
}
NAMES = tuple(KINDS)
_CHOICES = ", ".join(repr(name) for name in NAMES)


def cell_kind(kind: object, name: str = "kind") -> CellKind:
    """The registry entry of ``kind``, or ``TypeError`` / ``ValueError`` naming the argument and the choices.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
    name : the argument's name in the caller, for the message
    """
    if not isinstance(kind, str):
        raise TypeError(f"{name}: expected one of {_CHOICES}, got {type(kind).__name__} {kind!r}")
    if kind not in KINDS:
        raise ValueError(f"{name}: expected one of {_CHOICES}, got {kind!r}")
    return KINDS[kind]


def kind_of(p: object, name: str = "p") -> CellKind:
    """The registry entry of a params object, or ``TypeError`` if ``p`` is not one.

    Parameters
    ----------
    p : RNNParams, LSTMParams or GRUParams
    name : the argument's name in the caller, for the message
    """
    if not isinstance(p, CellParams) or type(p).kind not in KINDS:
        raise TypeError(f"{name}: expected RNNParams, LSTMParams or GRUParams, got {type(p).__name__}")
    return KINDS[type(p).kind]


def count_params(
    kind: str,
    input_size: int,
    hidden_size: int,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
    biases_per_gate: int = 1,
) -> int:
    """Number of trainable numbers in one cell, or in a stack of ``L`` layers of one or two directions.

    .. math::
        n = G \\,\\bigl(H (H + D) + \\beta H\\bigr), \\qquad G = 1 \\text{ (RNN)}, 3 \\text{ (GRU)}, 4 \\text{ (LSTM)}

    for one cell with :math:`\\beta` biases per gate block. rnnlab keeps one (:math:`\\beta = 1`); PyTorch
    keeps two (``b_ih`` and ``b_hh``), so ``biases_per_gate=2`` gives PyTorch's count. A stack adds
    ``num_directions`` cells per layer; layer 0 reads :math:`D` inputs, every layer above reads
    :math:`H \\cdot` ``num_directions``.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
    input_size : int
        ``D``.
    hidden_size : int
        ``H``.
    num_layers : int
        ``L``, the number of stacked layers.
    bidirectional : bool
        Two directions per layer (see :func:`rnnlab.stacked_forward`).
    biases_per_gate : {1, 2}
        1 for rnnlab's params (a GRU's optional ``b_hn`` not counted), 2 for PyTorch's ``nn.*`` modules.
    """
    G = cell_kind(kind).gates
    D = positive_int("input_size", input_size)
    H = positive_int("hidden_size", hidden_size)
    L = positive_int("num_layers", num_layers)
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise TypeError(f"bidirectional: expected True or False, got {type(bidirectional).__name__} {bidirectional!r}")
    if biases_per_gate not in (1, 2) or isinstance(biases_per_gate, bool):
        raise ValueError(f"biases_per_gate: expected 1 (rnnlab) or 2 (PyTorch), got {biases_per_gate!r}")
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(L):
        inputs = D if layer == 0 else directions * H
        total += directions * G * (H * (H + inputs) + biases_per_gate * H)
    return total
