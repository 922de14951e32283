"""Padded batches of sequences of different lengths: a mask that carries the state through padded steps.

Sequences of lengths :math:`T_b \\le T` are padded to :math:`T` steps; the mask :math:`m_{t,b}` is 1 at a
real step and 0 at a padded one. At a padded step the state is carried unchanged:

.. math:: s_t = m_t \\odot \\text{cell}(s_{t-1}, x_t) + (1 - m_t) \\odot s_{t-1}

for every state (:math:`h`, and :math:`c` for the LSTM), so the state after the last step is each
sequence's state at its own length, wherever the padding is. :func:`masked_forward` runs this with the
cells' step functions, and :func:`masked_backward` is its exact backward pass (checked against finite
differences in ``tests/rnnlab/test_masking.py``). It is a loop over steps, written for clarity, not speed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ._checks import as_float_array
from .kinds import kind_of
from .params import CellParams


def lengths_to_mask(lengths: object, T: int) -> np.ndarray:
    """The mask (T, B) of right-padded sequences: :math:`m_{t,b} = 1` for :math:`t < T_b`, else 0.

    Parameters
    ----------
    lengths : ints (B,), each in ``1..T``
    T : int, the padded length
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer) or lengths.min() < 1 or lengths.max() > T:
        raise ValueError(f"lengths: expected ints in 1..{T}, shape (B,), got {lengths}")
    return (np.arange(T)[:, None] < lengths[None, :]).astype(float)


@dataclasses.dataclass
class MaskedCache:
    """What :func:`masked_backward` needs: the params, the mask and one trace per step."""

    p: CellParams
    mask: np.ndarray
    traces: list[Any]
    conventions: dict[str, str]


def _step(kind: Any, x: np.ndarray, state: tuple[np.ndarray, ...], p: CellParams, conventions: dict) -> Any:
    return kind.step(x, *state, p, **conventions)


def masked_forward(
    xs: object, mask: object, p: CellParams, start: tuple[object, ...] | None = None, **conventions: str
) -> tuple[tuple[np.ndarray, ...], MaskedCache]:
    """Run a cell over a padded batch, carrying the state through the steps where ``mask`` is 0.

    .. math:: s_t = m_t \\odot \\text{cell}(s_{t-1}, x_t) + (1 - m_t) \\odot s_{t-1}

    Parameters
    ----------
    xs : array (T, B, D)
    mask : array (T, B) of 0s and 1s
    p : RNNParams, LSTMParams or GRUParams
    start : tuple or None, ``(h0,)`` or ``(h0, c0)``, each (B, H); None means zeros
    conventions : the GRU's ``z_weights`` and ``reset``

    Returns
    -------
    states : tuple of arrays (T, B, H), ``(hs,)`` or ``(hs, cs)``; at a padded step, the carried state
    cache : MaskedCache for :func:`masked_backward`
    """
    kind = kind_of(p)
    xs = as_float_array("xs", xs)
    mask = as_float_array("mask", mask)
    if xs.ndim != 3 or xs.shape[2] != p.input_size:
        raise ValueError(f"xs: expected shape (T, B, {p.input_size}), got {xs.shape}")
    T, B, _ = xs.shape
    if mask.shape != (T, B) or not np.all((mask == 0) | (mask == 1)):
        raise ValueError(f"mask: expected 0s and 1s of shape {(T, B)}, got shape {mask.shape}")
    H = p.hidden_size
    if start is None:
        state = tuple(np.zeros((B, H)) for _ in kind.states)
    else:
        if len(start) != len(kind.states):
            raise ValueError(f"start: expected {len(kind.states)} states {kind.states}, got {len(start)}")
        state = tuple(np.broadcast_to(as_float_array("start", s), (B, H)).copy() for s in start)
    states = [np.empty((T, B, H)) for _ in kind.states]
    traces = []
    for t in range(T):
        trace = _step(kind, xs[t], state, p, conventions)
        m = mask[t][:, None]
        state = tuple(m * getattr(trace, name) + (1 - m) * old for name, old in zip(kind.states, state, strict=True))
        for seq, s in zip(states, state, strict=True):
            seq[t] = s
        traces.append(trace)
    return tuple(states), MaskedCache(p, mask, traces, dict(conventions))


def masked_backward(dhs: object, cache: MaskedCache) -> tuple[CellParams, np.ndarray, tuple[np.ndarray, ...]]:
    """Backpropagation through time for :func:`masked_forward`.

    At step :math:`t` the gradient :math:`\\delta s_t` splits: :math:`m_t \\odot \\delta s_t` goes into the
    cell's step backward, and :math:`(1 - m_t) \\odot \\delta s_t` passes straight to :math:`s_{t-1}`.

    Parameters
    ----------
    dhs : array (T, B, H), :math:`\\partial L / \\partial h_t` from the loss at every step
    cache : MaskedCache

    Returns
    -------
    grads : params of gradients (summed over steps and batch)
    dxs : array (T, B, D)
    dstart : tuple, ``(dh0,)`` or ``(dh0, dc0)``, each (B, H)
    """
    if not isinstance(cache, MaskedCache):
        raise TypeError(f"cache: expected the MaskedCache returned by masked_forward, got {type(cache).__name__}")
    p, mask = cache.p, cache.mask
    kind = kind_of(p)
    T, B = mask.shape
    dhs = as_float_array("dhs", dhs)
    if dhs.shape != (T, B, p.hidden_size):
        raise ValueError(f"dhs: expected shape {(T, B, p.hidden_size)}, got {dhs.shape}")
    totals = {name: np.zeros_like(a) for name, a in p.arrays().items() if a is not None}
    dxs = np.empty((T, B, p.input_size))
    carried = [np.zeros((B, p.hidden_size)) for _ in kind.states]  # gradient of each state s_t from later steps
    for t in reversed(range(T)):
        m = mask[t][:, None]
        ds = [carried[0] + dhs[t]] + carried[1:]
        into = [m * d for d in ds]
        if kind.name == "lstm":
            grads, dx, dh_prev, dc_prev = kind.step_backward(into[0], into[1], cache.traces[t], p)
            through = [dh_prev, dc_prev]
        else:
            grads, dx, dh_prev = kind.step_backward(into[0], cache.traces[t], p)
            through = [dh_prev]
        for name, g in grads.arrays().items():
            if g is not None:
                totals[name] += g
        dxs[t] = dx
        carried = [(1 - m) * d + back for d, back in zip(ds, through, strict=True)]
    return type(p)(**totals), dxs, tuple(carried)
