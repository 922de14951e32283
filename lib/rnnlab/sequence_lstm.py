"""The LSTM over a whole sequence: forward with fused gate products, and backpropagation through time.

Internally the four gates are stacked in the order ``f, i, o, c`` so that the three sigmoid gates are
one contiguous block; the public :class:`LSTMParams` keeps one field per gate.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._gate_blocks import stacked, unstacked
from ._sequence_checks import flat, previous_states, reduce_like, sequence_preamble, upstream
from .functions import sigmoid_
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


def lstm_forward(
    xs: object, h0: object, c0: object, p: LSTMParams, *, dtype: object = np.float64
) -> tuple[np.ndarray, np.ndarray, LSTMCache]:
    """Run the LSTM over a sequence (equations as in :func:`rnnlab.lstm_step`).

    .. math:: c_t = f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t, \\qquad h_t = o_t \\odot \\tanh(c_t)

    Parameters
    ----------
    xs : array (T, B, D), time-major inputs
    h0, c0 : arrays (B, H) or (H,) or None (zeros)
    p : LSTMParams
    dtype : numpy.float64 (default) or numpy.float32, working precision (see :func:`rnnlab.gru_forward`)

    Returns
    -------
    hs, cs : arrays (T, B, H), hidden and cell state after every step
    cache : LSTMCache for :func:`lstm_backward`
    """
    xs, [(h0, h_shared), (c0, c_shared)] = sequence_preamble(xs, p, LSTMParams, {"h0": h0, "c0": c0}, dtype)
    dtype = xs.dtype
    T, B, _ = xs.shape
    H = p.hidden_size
    W_h, W_x, b = stacked(p, _ORDER, dtype)
    W_hT = W_h.T.copy()
    gates = flat(xs) @ W_x.T
    gates += b
    gates = gates.reshape(T, B, 4 * H)
    hs, cs, tanh_cs = (np.empty((T, B, H), dtype) for _ in range(3))
    rec, ic = np.empty((B, 4 * H), dtype), np.empty((B, H), dtype)
    h, c = h0, c0
    with np.errstate(over="ignore"):
        for t in range(T):
            a = gates[t]
            a += np.matmul(h, W_hT, out=rec)
            sigmoid_(a[:, : 3 * H])
            np.tanh(a[:, 3 * H :], out=a[:, 3 * H :])
            f, i, o, c_tilde = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
            c = np.multiply(f, c, out=cs[t])  # c = f * c_prev + i * c_tilde
            c += np.multiply(i, c_tilde, out=ic)
            h = np.multiply(o, np.tanh(c, out=tanh_cs[t]), out=hs[t])  # h = o * tanh(c)
    cache = LSTMCache(p, xs, h0, c0, (h_shared, c_shared), hs, cs, gates, tanh_cs)
    return hs, cs, cache


def lstm_backward(
    dhs: object, cache: LSTMCache, *, dc_last: object = None
) -> tuple[LSTMParams, np.ndarray, np.ndarray, np.ndarray]:
    """Backpropagation through time for :func:`lstm_forward`.

    .. math::
        \\delta c_t = \\delta c_{t+1} \\odot f_{t+1} + \\delta h_t \\odot o_t \\odot (1 - \\tanh^2 c_t)

    Parameters
    ----------
    dhs : array (T, B, H), :math:`\\partial L / \\partial h_t` from outside the recurrence
    cache : LSTMCache
    dc_last : array (B, H) or None
        :math:`\\partial L / \\partial c_T` from outside the recurrence (a loss that reads the final cell
        state, such as the ``c_n`` of :func:`rnnlab.stacked_forward`); None means zero. It starts the
        carried :math:`\\delta c`.

    Returns
    -------
    grads : LSTMParams of gradients
    dxs : array (T, B, D)
    dh0, dc0 : arrays shaped like the ``h0`` and ``c0`` given to the forward pass
    """
    if not isinstance(cache, LSTMCache):
        raise TypeError(f"cache: expected the LSTMCache returned by lstm_forward, got {type(cache).__name__}")
    p, xs, hs, cs, gates = cache.p, cache.xs, cache.hs, cache.cs, cache.gates
    dhs = upstream(dhs, hs.shape).astype(hs.dtype, copy=False)
    T, B, H = hs.shape
    W_h, W_x, _ = stacked(p, _ORDER, hs.dtype)
    c_prevs = previous_states(cache.c0, cs)
    das = np.empty_like(gates)
    dh_next, dc_next = np.zeros_like(cache.h0), np.zeros_like(cache.c0)
    if dc_last is not None:
        dc_next += upstream(dc_last, (B, H), "dc_last")
    dc = np.empty_like(dc_next)
    for t in reversed(range(T)):
        f, i, o, c_tilde = gates[t, :, :H], gates[t, :, H : 2 * H], gates[t, :, 2 * H : 3 * H], gates[t, :, 3 * H :]
        da_f, da_i, da_o, da_c = das[t, :, :H], das[t, :, H : 2 * H], das[t, :, 2 * H : 3 * H], das[t, :, 3 * H :]
        tanh_c = cache.tanh_cs[t]
        dh = np.add(dhs[t], dh_next, out=dh_next)  # dh_t = dL/dh_t + (carried from t+1)
        np.multiply(dh, tanh_c, out=da_o)  # h = o * tanh(c)
        da_o *= o * (1.0 - o)
        np.multiply(dh, o * (1.0 - tanh_c * tanh_c), out=dc)  # dc_t = dc_{t+1} * f_{t+1} + dh * o * tanh'(c)
        dc += dc_next
        np.multiply(dc, c_prevs[t], out=da_f)  # c = f * c_prev + i * c_tilde
        da_f *= f * (1.0 - f)
        np.multiply(dc, c_tilde, out=da_i)
        da_i *= i * (1.0 - i)
        np.multiply(dc, i, out=da_c)
        da_c *= 1.0 - c_tilde * c_tilde
        np.multiply(dc, f, out=dc_next)
        dh_next = das[t] @ W_h
    dW_h = flat(das).T @ flat(previous_states(cache.h0, hs))
    dW_x = flat(das).T @ flat(xs)
    grads = unstacked(LSTMParams, _ORDER, dW_h, dW_x, flat(das).sum(axis=0))
    h_shared, c_shared = cache.shared
    return grads, das @ W_x, reduce_like(dh_next, h_shared), reduce_like(dc_next, c_shared)
