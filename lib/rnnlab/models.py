"""A small sequence model on top of the cells: [embedding ->] RNN, LSTM or GRU -> dense readout.

.. math::
    e_t = E[w_t] \\;(\\text{tokens only}), \\qquad h_t = \\text{cell}(h_{t-1}, e_t \\text{ or } x_t), \\qquad
    \\hat y = W_y h_T + b_y \\;(\\texttt{readout="last"}) \\text{ or } \\hat y_t = W_y h_t + b_y \\;(\\texttt{"all"})

Parameters live in a dict of float64 arrays (the cell's fields ``W_f, b_f, ...`` plus ``W_y, b_y`` and
``E``), which is what :mod:`rnnlab.train` updates. Forward and backward are rnnlab's sequence functions
(GRU with the default conventions ``z_weights="old", reset="before"``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .kinds import cell_kind
from .params import CellParams


@dataclasses.dataclass(frozen=True)
class SequenceModel:
    """Shapes and wiring of the model; the weights are kept apart, in a dict (see :meth:`init`).

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
    input_size : int, D (the embedding size when ``vocab_size`` is given)
    hidden_size : int, H
    output_size : int, O
    vocab_size : int or None, V; if given, inputs are token ids (T, B) looked up in ``E`` (V, D)
    readout : {"last", "all"}, read out the last state only (B, O) or every state (T, B, O)
    forget_bias : float, added to the LSTM's ``b_f`` at initialisation (1.0 is the common choice)
    """

    kind: str
    input_size: int
    hidden_size: int
    output_size: int = 1
    vocab_size: int | None = None
    readout: str = "last"
    forget_bias: float = 1.0

    def __post_init__(self) -> None:
        cell_kind(self.kind)
        if self.readout not in ("last", "all"):
            raise ValueError(f"readout: expected 'last' or 'all', got {self.readout!r}")
        for name in ("input_size", "hidden_size", "output_size"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name}: expected a positive int, got {getattr(self, name)!r}")

    def init(self, seed: int = 0) -> dict[str, np.ndarray]:
        """Fresh weights: the cell's ``Params.random`` (PyTorch's init), readout uniform, embedding normal."""
        D, H, n_out = self.input_size, self.hidden_size, self.output_size
        params = {name: np.array(a) for name, a in cell_kind(self.kind).params.random(D, H, seed).arrays().items()}
        if self.kind == "lstm":
            params["b_f"] += self.forget_bias
        rng = np.random.default_rng(seed + 1)
        params["W_y"] = rng.uniform(-1, 1, (n_out, H)) / np.sqrt(H)
        params["b_y"] = np.zeros(n_out)
        if self.vocab_size is not None:
            params["E"] = rng.standard_normal((self.vocab_size, D))
        return params

    def cell(self, params: dict[str, np.ndarray]) -> CellParams:
        """The cell's params object (RNNParams, LSTMParams or GRUParams) for the current weights."""
        cls = cell_kind(self.kind).params
        return cls(**{name: params[name] for name in cls.weight_names + cls.bias_names if name in params})

    def embed(self, params: dict[str, np.ndarray], inputs: object) -> np.ndarray:
        """Token ids (T, B) -> vectors (T, B, D); numeric inputs (T, B, D) pass through."""
        if self.vocab_size is None:
            return np.asarray(inputs, dtype=float)
        tokens = np.asarray(inputs)
        if tokens.ndim != 2 or not np.issubdtype(tokens.dtype, np.integer):
            raise ValueError(f"inputs: expected token ids of shape (T, B), got {tokens.dtype} {tokens.shape}")
        if tokens.min() < 0 or tokens.max() >= self.vocab_size:
            raise ValueError(
                f"inputs: expected token ids in [0, {self.vocab_size}), got {tokens.min()}..{tokens.max()}"
            )
        return params["E"][tokens]

    def states(
        self, params: dict[str, np.ndarray], inputs: object, start: tuple[object, ...] | None = None
    ) -> tuple[np.ndarray, Any]:
        """Run the cell over the sequence from ``start``: hidden states (T, B, H) and the cell's cache."""
        (hs, *_), cache = self._run(params, inputs, start)
        return hs, cache

    def _run(self, params: dict[str, np.ndarray], inputs: object, start: tuple[object, ...] | None) -> tuple:
        kind = cell_kind(self.kind)
        if start is not None and (not isinstance(start, (tuple, list)) or len(start) != len(kind.states)):
            got = f"{len(start)} entries" if isinstance(start, (tuple, list)) else type(start).__name__
            raise ValueError(f"start: expected a tuple of {len(kind.states)} states {kind.states} or None, got {got}")
        return kind.run(self.embed(params, inputs), self.cell(params), None if start is None else tuple(start))

    def forward(
        self, params: dict[str, np.ndarray], inputs: object, start: tuple[object, ...] | None = None
    ) -> tuple[np.ndarray, tuple]:
        """Outputs (B, O) for ``readout="last"`` or (T, B, O) for ``"all"``, and a cache for :meth:`backward`.

        ``start`` is the initial state, ``(h0,)`` or ``(h0, c0)``, each (B, H) or (H,); None means zeros.
        """
        outputs, _, cache = self.forward_carry(params, inputs, start)
        return outputs, cache

    def forward_carry(
        self, params: dict[str, np.ndarray], inputs: object, start: tuple[object, ...] | None = None
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...], tuple]:
        """:meth:`forward` that also returns the final state, to start the next piece of a long stream.

        Parameters
        ----------
        params : dict of arrays, as :meth:`init` makes them
        inputs : array (T, B, D), or token ids (T, B) when ``vocab_size`` is given
        start : tuple or None, ``(h0,)`` or ``(h0, c0)`` (LSTM), each (B, H) or (H,); None means zeros

        Returns
        -------
        outputs : as :meth:`forward`
        final : tuple of arrays (B, H), ``(h_T,)`` or ``(h_T, c_T)``, to pass as the next call's ``start``.
            :meth:`backward` gives no gradient for ``start``: a carried-in state is a constant (truncated
            backpropagation through time, :mod:`rnnlab.truncated`).
        cache : for :meth:`backward`
        """
        states, cell_cache = self._run(params, inputs, start)
        hs = states[0]
        read = hs[-1] if self.readout == "last" else hs
        final = tuple(state[-1].copy() for state in states)
        return read @ params["W_y"].T + params["b_y"], final, (inputs, hs, cell_cache)

    def backward(self, params: dict[str, np.ndarray], doutputs: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
        """Gradients of the loss for every entry of ``params``, given ``doutputs`` = dL/d(outputs)."""
        grads, dxs = self.backward_to_inputs(params, doutputs, cache)
        if self.vocab_size is not None:
            grads["E"] = np.zeros_like(params["E"])
            np.add.at(grads["E"], np.asarray(cache[0]), dxs)
        return grads

    def backward_to_inputs(
        self, params: dict[str, np.ndarray], doutputs: np.ndarray, cache: tuple
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The cell's and the readout's gradients, and :math:`\\partial L / \\partial x_t` (T, B, D) for the
        vectors the cell read (the embedded words when ``vocab_size`` is given; ``E`` is not included)."""
        _, hs, cell_cache = cache
        read = hs[-1] if self.readout == "last" else hs
        dflat = doutputs.reshape(-1, self.output_size)
        grads = {"W_y": dflat.T @ read.reshape(-1, self.hidden_size), "b_y": dflat.sum(axis=0)}
        dhs = np.zeros_like(hs)
        if self.readout == "last":
            dhs[-1] = doutputs @ params["W_y"]
        else:
            dhs[:] = doutputs @ params["W_y"]
        cell_grads, dxs, _ = cell_kind(self.kind).backprop(dhs, cell_cache)
        grads |= cell_grads.arrays()
        return grads, dxs

    def loss_and_grads(self, loss_fn: Any) -> Any:
        """A function ``(params, (inputs, targets)) -> (loss, grads)`` for :func:`rnnlab.train.train`."""

        def step(params: dict[str, np.ndarray], batch: tuple[Any, Any]) -> tuple[float, dict[str, np.ndarray]]:
            inputs, targets = batch
            outputs, cache = self.forward(params, inputs)
            loss, doutputs = loss_fn(outputs, targets)
            return loss, self.backward(params, doutputs, cache)

        return step


def n_params(params: dict[str, np.ndarray]) -> int:
    """Total number of trainable numbers in a params dict."""
    return int(sum(a.size for a in params.values()))
