"""The explainer's numbers, without any widget: which cells, their weights, one step and a short sequence.

Every value here comes from rnnlab's own step functions, so what the explainer shows is what the
library (and the book) computes.
"""

from __future__ import annotations

import numpy as np

from ..kinds import cell_kind
from ..params import CellParams
from ..traces import GRUTrace, LSTMTrace, RNNTrace

#: The cell picker's choices: value -> label. "both" shows the LSTM and the GRU side by side.
KINDS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU", "both": "LSTM and GRU"}

#: D and H of every cell the explainer shows (the book's 3-D example).
SIZE = 3

Trace = RNNTrace | LSTMTrace | GRUTrace

#: Patterns of the sequence mode; each turns the current input x into a (T, 3) sequence.
SEQUENCE_PATTERNS = ("pulse", "constant", "alternating", "random")
SEQUENCE_LENGTH = 8


def check_kind(kind: object) -> str:
    """Return ``kind`` if it is one of :data:`KINDS`, else raise ``ValueError`` naming the choices.

    The picker's choices are :mod:`rnnlab.kinds`' cells plus ``"both"``, so the message lists ``"both"`` too.
    """
    if kind == "both":
        return kind
    try:
        return cell_kind(kind).name
    except (TypeError, ValueError):
        choices = ", ".join(repr(k) for k in KINDS)
        raise ValueError(f"kind: expected one of {choices}, got {kind!r}") from None


def cells_of(kind: str) -> tuple[str, ...]:
    """The cells a kind shows: ``("lstm", "gru")`` for ``"both"``, else ``(kind,)``."""
    return ("lstm", "gru") if check_kind(kind) == "both" else (kind,)


def random_params(cell: str, seed: int, scale: float) -> CellParams:
    """``Params.random(3, 3, seed)`` of the cell, every array multiplied by ``scale``.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    seed : int
        Seed of :meth:`rnnlab.RNNParams.random` (and the others); the same seed gives the same weights.
    scale : float
        Factor on every weight and bias: 0 switches every gate to one half, large values saturate them.
    """
    cls = cell_kind(cell, name="cell").params
    base = cls.random(SIZE, SIZE, seed=int(seed))
    return cls(**{name: float(scale) * array for name, array in base.arrays().items()})


def cell_step(
    cell: str,
    x: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    params: CellParams,
    *,
    z_weights: str = "old",
    reset: str = "before",
) -> Trace:
    """One step of ``cell`` by rnnlab; ``c_prev`` is read only by the LSTM, the conventions only by the GRU.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    x, h_prev, c_prev : arrays (3,)
    params : the cell's params
    z_weights, reset : the GRU conventions of :func:`rnnlab.gru_step`

    Returns
    -------
    The cell's trace (:class:`rnnlab.RNNTrace`, :class:`rnnlab.LSTMTrace` or :class:`rnnlab.GRUTrace`).
    """
    kind = cell_kind(cell, name="cell")
    if kind.name == "gru":
        return kind.step(x, h_prev, params, z_weights=z_weights, reset=reset)
    states = {"h": h_prev, "c": c_prev}
    return kind.step(x, *(states[name] for name in kind.states), params)


def sequence_inputs(pattern: str, x: np.ndarray, seed: int, length: int = SEQUENCE_LENGTH) -> np.ndarray:
    """A short input sequence made from the current input ``x``.

    Parameters
    ----------
    pattern : {"pulse", "constant", "alternating", "random"}
        ``pulse``: ``x`` at the first step, zeros after (does the cell keep it?); ``constant``: ``x`` at
        every step; ``alternating``: ``x, -x, x, ...``; ``random``: uniform in [-1, 1] drawn with ``seed``.
    x : array (3,)
    seed : int
    length : int
        ``T``, the number of steps.

    Returns
    -------
    xs : array (T, 3)
    """
    if pattern not in SEQUENCE_PATTERNS:
        raise ValueError(f"pattern: expected one of {SEQUENCE_PATTERNS}, got {pattern!r}")
    x = np.asarray(x, dtype=np.float64)
    if pattern == "pulse":
        xs = np.zeros((length, x.size))
        xs[0] = x
        return xs
    if pattern == "constant":
        return np.tile(x, (length, 1))
    if pattern == "alternating":
        signs = (-1.0) ** np.arange(length)
        return signs[:, None] * x
    return np.random.default_rng(int(seed)).uniform(-1.0, 1.0, (length, x.size))


def run_sequence(
    cell: str,
    xs: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    params: CellParams,
    *,
    z_weights: str = "old",
    reset: str = "before",
) -> list[Trace]:
    """Step ``cell`` through ``xs`` (T, 3) from the states ``h0``, ``c0`` (3,); one trace per step."""
    traces: list[Trace] = []
    h, c = h0, c0
    for x in xs:
        trace = cell_step(cell, x, h, c, params, z_weights=z_weights, reset=reset)
        traces.append(trace)
        h = trace.h
        c = trace.c if cell == "lstm" else c
    return traces
