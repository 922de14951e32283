"""Stacked and bidirectional sequences for every cell: forward, and backpropagation through time.

No new cell arithmetic lives here: each cell of the stack runs the fused sequence functions through
:meth:`rnnlab.kinds.CellKind.run` and :meth:`~rnnlab.kinds.CellKind.backprop`. A backward direction runs
them over the reversed sequence, and its states are reversed back to time order.

Initial and final states are stacked as PyTorch stacks them, ``(L * num_directions, B, H)``, cell
``layer * num_directions + direction`` at that index.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._checks import as_float_array, check_shape
from .kinds import CellKind, cell_kind
from .params import CellParams
from .stacked_params import StackedParams


@dataclasses.dataclass
class StackedCache:
    """What :func:`stacked_backward` needs: the params and every cell's own cache, ``caches[layer][direction]``."""

    p: StackedParams
    caches: list[list[Any]]
    T: int
    B: int


def _states_arg(name: str, value: object, shapes: list[tuple[int, ...]]) -> np.ndarray | None:
    """An initial state or a final state's gradient stacked per cell, checked against ``shapes``; or None."""
    if value is None:
        return None
    array = as_float_array(name, value)
    check_shape(name, array, shapes)
    return array


def _per_state(name: str, values: object, kind: CellKind) -> tuple[object, ...]:
    """``values`` as one entry per state name of ``kind`` (None gives None for each)."""
    if values is None:
        return (None,) * len(kind.states)
    if not isinstance(values, (tuple, list)) or len(values) != len(kind.states):
        got = f"{len(values)} entries" if isinstance(values, (tuple, list)) else type(values).__name__
        states = ", ".join(kind.states)
        raise ValueError(f"{name}: expected a tuple of {len(kind.states)} ({states}) for the {kind.title}, got {got}")
    return tuple(values)


def _conventions(kind: CellKind, z_weights: str | None, reset: str | None) -> dict[str, str]:
    """The keywords for the GRU's sequence functions (their defaults where None); none for the other cells."""
    given = {name: value for name, value in (("z_weights", z_weights), ("reset", reset)) if value is not None}
    if given and kind.name != "gru":
        raise ValueError(f"z_weights, reset: these conventions apply to the GRU only, got {given} for {kind.name!r}")
    return given


def stacked_forward(
    xs: object,
    p: StackedParams,
    start: tuple[object, ...] | None = None,
    *,
    z_weights: str | None = None,
    reset: str | None = None,
) -> tuple[np.ndarray, tuple[np.ndarray, ...], StackedCache]:
    """Run ``L`` stacked layers of one or two directions over a sequence.

    With :math:`x^{(0)}_t = x_t`, layer :math:`l` computes, for its forward and backward cells,

    .. math::
        \\overrightarrow{h}^{(l)}_t = \\text{cell}\\bigl(\\overrightarrow{h}^{(l)}_{t-1}, x^{(l)}_t\\bigr), \\qquad
        \\overleftarrow{h}^{(l)}_t = \\text{cell}\\bigl(\\overleftarrow{h}^{(l)}_{t+1}, x^{(l)}_t\\bigr), \\qquad
        x^{(l+1)}_t = \\bigl[\\overrightarrow{h}^{(l)}_t, \\overleftarrow{h}^{(l)}_t\\bigr]

    (one direction: :math:`x^{(l+1)}_t = h^{(l)}_t`). The outputs are the top layer's :math:`x^{(L)}_t`.

    Parameters
    ----------
    xs : array (T, B, D), time-major inputs
    p : StackedParams
    start : tuple or None
        One initial state per name in the cell's states, ``(h0,)`` or ``(h0, c0)`` for the LSTM; each
        ``(L * num_directions, B, H)``, ``(L * num_directions, H)`` (one state for every sequence) or None
        (zeros). None means zeros for all.
    z_weights : {"old", "new"} or None, the GRU's convention (None: :func:`rnnlab.gru_forward`'s default)
    reset : {"before", "after"} or None, the GRU's convention; PyTorch's weights need ``"after"``

    Returns
    -------
    outputs : array (T, B, num_directions * H), the top layer's states in time order, forward half first
    finals : tuple of arrays (L * num_directions, B, H), ``(h_n,)`` or ``(h_n, c_n)``: each cell's last
        state (for a backward cell, its state after reading :math:`x_1`), in PyTorch's order
    cache : StackedCache for :func:`stacked_backward`
    """
    if not isinstance(p, StackedParams):
        raise TypeError(f"p: expected StackedParams, got {type(p).__name__}")
    kind = cell_kind(p.kind)
    conventions = _conventions(kind, z_weights, reset)
    xs = as_float_array("xs", xs)
    if xs.ndim != 3 or xs.shape[2] != p.input_size or 0 in xs.shape:
        raise ValueError(f"xs: expected shape (T, B, {p.input_size}) with T, B >= 1, got {xs.shape}")
    T, B, _ = xs.shape
    n_cells, H, directions = p.num_layers * p.num_directions, p.hidden_size, p.num_directions
    starts = [
        _states_arg(f"start[{k}] ({name}0)", value, [(n_cells, B, H), (n_cells, H)])
        for k, (name, value) in enumerate(zip(kind.states, _per_state("start", start, kind), strict=True))
    ]
    finals = [np.empty((n_cells, B, H)) for _ in kind.states]
    caches: list[list[Any]] = []
    layer_in = xs
    for layer, cells in enumerate(p.layers):
        outs, layer_caches = [], []
        for direction, cell in enumerate(cells):
            k = layer * directions + direction
            cell_start = tuple(None if s is None else s[k] for s in starts)
            seq = layer_in if direction == 0 else layer_in[::-1]
            states, cache = kind.run(seq, cell, cell_start, **conventions)
            for final, state in zip(finals, states, strict=True):
                final[k] = state[-1]
            outs.append(states[0] if direction == 0 else states[0][::-1])
            layer_caches.append(cache)
        caches.append(layer_caches)
        layer_in = outs[0] if directions == 1 else np.concatenate(outs, axis=-1)
    return layer_in, tuple(finals), StackedCache(p, caches, T, B)


def stacked_backward(
    doutputs: object, cache: StackedCache, dfinals: tuple[object, ...] | None = None
) -> tuple[StackedParams, np.ndarray, tuple[np.ndarray, ...]]:
    """Backpropagation through time and down the layers for :func:`stacked_forward`.

    From the top layer down, each cell backpropagates its half of the gradient of its layer's output
    (reversed in time for a backward cell), and the layer below receives the sum over directions:

    .. math::
        \\frac{\\partial L}{\\partial x^{(l)}_t} =
        \\overrightarrow{\\delta x}^{(l)}_t + \\overleftarrow{\\delta x}^{(l)}_t, \\qquad
        \\frac{\\partial L}{\\partial \\overrightarrow{h}^{(l-1)}_t} =
        \\Bigl[\\frac{\\partial L}{\\partial x^{(l)}_t}\\Bigr]_{1:H}

    (the backward cell's state :math:`\\overleftarrow{h}^{(l-1)}_t` receives entries :math:`H+1, \\dots, 2H`).

    Parameters
    ----------
    doutputs : array (T, B, num_directions * H), :math:`\\partial L / \\partial` outputs
    cache : StackedCache from :func:`stacked_forward`
    dfinals : tuple or None
        Gradients of the final states, ``(dh_n,)`` or ``(dh_n, dc_n)``, each (L * num_directions, B, H) or
        None (zero); None means zero for all.

    Returns
    -------
    grads : StackedParams of gradients (GRU cells run with ``reset="after"`` carry ``b_hn``'s)
    dxs : array (T, B, D)
    dstart : tuple, one gradient per initial state, ``(dh0,)`` or ``(dh0, dc0)``, shaped like the ``start``
        given (``(L * num_directions, B, H)`` where it was None)
    """
    if not isinstance(cache, StackedCache):
        raise TypeError(f"cache: expected the StackedCache returned by stacked_forward, got {type(cache).__name__}")
    p = cache.p
    kind = cell_kind(p.kind)
    n_cells, H, directions = p.num_layers * p.num_directions, p.hidden_size, p.num_directions
    d_out = as_float_array("doutputs", doutputs)
    check_shape("doutputs", d_out, [(cache.T, cache.B, directions * H)])
    dlasts = [
        _states_arg(f"dfinals[{k}] (d{name}_n)", value, [(n_cells, cache.B, H)])
        for k, (name, value) in enumerate(zip(kind.states, _per_state("dfinals", dfinals, kind), strict=True))
    ]
    grads: list[list[CellParams]] = [[] for _ in p.layers]
    dstarts: list[list[np.ndarray]] = [[None] * n_cells for _ in kind.states]
    for layer in reversed(range(p.num_layers)):
        d_in = None
        for direction in range(directions):
            k = layer * directions + direction
            dhs = d_out[:, :, direction * H : (direction + 1) * H]
            dhs = np.ascontiguousarray(dhs if direction == 0 else dhs[::-1])
            dlast = None if all(d is None for d in dlasts) else tuple(None if d is None else d[k] for d in dlasts)
            cell_grads, dxs, dstart = kind.backprop(dhs, cache.caches[layer][direction], dlast)
            grads[layer].append(cell_grads)
            for per_state, grad in zip(dstarts, dstart, strict=True):
                per_state[k] = grad
            dxs = dxs if direction == 0 else dxs[::-1]
            d_in = dxs if d_in is None else d_in + dxs
        d_out = d_in
    return (
        StackedParams(tuple(tuple(cells) for cells in grads)),
        d_out,
        tuple(np.stack(per_state) for per_state in dstarts),
    )
