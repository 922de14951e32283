"""The LSTM over a whole sequence: forward with fused gate products, and backpropagation through time.

Internally the four gates are stacked in the order ``f, i, o, c`` so that the three sigmoid gates are
one contiguous block; the public :class:`LSTMParams` keeps one field per gate.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._sequence_checks import flat, initial_state, previous_states, reduce_like, sequence_inputs, upstream
from .functions import sigmoid
from .params import LSTMParams

_ORDER = ("f", "i", "o", "c")


@dataclasses.dataclass
class LSTMCache:
    """What :func:`lstm_backward` needs from the forward pass."""

    p: LSTMParams
    xs: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    shared: tuple[bool, bool]
    hs: np.ndarray
    cs: np.ndarray
    gates: np.ndarray  # (T, B, 4H): f, i, o, c_tilde after their squashing functions
    tanh_cs: np.ndarray


def _stacked(p: LSTMParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recurrent (4H, H), input (4H, D) and bias (4H,) blocks stacked in the order f, i, o, c."""
    H = p.hidden_size
    W = np.vstack([getattr(p, f"W_{g}") for g in _ORDER])
    return W[:, :H], W[:, H:], np.concatenate([getattr(p, f"b_{g}") for g in _ORDER])


def lstm_forward(xs: object, h0: object, c0: object, p: LSTMParams) -> tuple[np.ndarray, np.ndarray, LSTMCache]:
    """Run the LSTM over a sequence (equations as in :func:`rnnlab.lstm_step`).

    Parameters
    ----------
    xs : array (T, B, D), time-major inputs
    h0, c0 : arrays (B, H) or (H,) or None (zeros)
    p : LSTMParams

    Returns
    -------
    hs, cs : arrays (T, B, H), hidden and cell state after every step
    cache : LSTMCache for :func:`lstm_backward`
    """
    xs = sequence_inputs(xs, p, LSTMParams)
    T, B, _ = xs.shape
    H = p.hidden_size
    h0, h_shared = initial_state("h0", h0, B, H)
    c0, c_shared = initial_state("c0", c0, B, H)
    W_h, W_x, b = _stacked(p)
    W_hT = W_h.T.copy()
    gates = (flat(xs) @ W_x.T + b).reshape(T, B, 4 * H)
    hs, cs, tanh_cs = np.empty((T, B, H)), np.empty((T, B, H)), np.empty((T, B, H))
    h, c = h0, c0
    for t in range(T):
        a = gates[t]
        a += h @ W_hT
        a[:, : 3 * H] = sigmoid(a[:, : 3 * H])
        np.tanh(a[:, 3 * H :], out=a[:, 3 * H :])
        f, i, o, c_tilde = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        c = np.add(f * c, i * c_tilde, out=cs[t])
        h = np.multiply(o, np.tanh(c, out=tanh_cs[t]), out=hs[t])
    cache = LSTMCache(p, xs, h0, c0, (h_shared, c_shared), hs, cs, gates, tanh_cs)
    return hs, cs, cache


def lstm_backward(dhs: object, cache: LSTMCache) -> tuple[LSTMParams, np.ndarray, np.ndarray, np.ndarray]:
    """Backpropagation through time for :func:`lstm_forward`.

    .. math::
        \\delta c_t = \\delta c_{t+1} \\odot f_{t+1} + \\delta h_t \\odot o_t \\odot (1 - \\tanh^2 c_t)

    Parameters
    ----------
    dhs : array (T, B, H), :math:`\\partial L / \\partial h_t` from outside the recurrence
    cache : LSTMCache

    Returns
    -------
    grads : LSTMParams of gradients
    dxs : array (T, B, D)
    dh0, dc0 : arrays shaped like the ``h0`` and ``c0`` given to the forward pass
    """
    p, xs, hs, cs, gates = cache.p, cache.xs, cache.hs, cache.cs, cache.gates
    dhs = upstream(dhs, hs.shape)
    H = p.hidden_size
    W_h, W_x, _ = _stacked(p)
    c_prevs = previous_states(cache.c0, cs)
    das = np.empty_like(gates)
    dh_next, dc_next = np.zeros_like(cache.h0), np.zeros_like(cache.c0)
    for t in reversed(range(len(hs))):
        f, i, o, c_tilde = gates[t, :, :H], gates[t, :, H : 2 * H], gates[t, :, 2 * H : 3 * H], gates[t, :, 3 * H :]
        dh = dhs[t] + dh_next
        dc = dc_next + dh * o * (1.0 - cache.tanh_cs[t] ** 2)
        da = das[t]
        da[:, :H] = dc * c_prevs[t] * f * (1.0 - f)
        da[:, H : 2 * H] = dc * c_tilde * i * (1.0 - i)
        da[:, 2 * H : 3 * H] = dh * cache.tanh_cs[t] * o * (1.0 - o)
        da[:, 3 * H :] = dc * i * (1.0 - c_tilde**2)
        dc_next = dc * f
        dh_next = da @ W_h
    dW_h = flat(das).T @ flat(previous_states(cache.h0, hs))
    dW_x = flat(das).T @ flat(xs)
    db = flat(das).sum(axis=0)
    fields = {}
    for k, g in enumerate(_ORDER):
        rows = slice(k * H, (k + 1) * H)
        fields[f"W_{g}"] = np.hstack([dW_h[rows], dW_x[rows]])
        fields[f"b_{g}"] = db[rows]
    h_shared, c_shared = cache.shared
    return LSTMParams(**fields), das @ W_x, reduce_like(dh_next, h_shared), reduce_like(dc_next, c_shared)
