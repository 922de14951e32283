"""The GRU over a whole sequence, under either convention, and backpropagation through time.

The gates are stacked internally in the order ``r, z, h``. With ``reset="after"`` all three recurrent
products are one matrix product per step; with ``reset="before"`` the candidate's recurrent product
must wait for ``r`` (it multiplies ``r * h_prev``), so it is a second, smaller product.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._gate_blocks import stacked, unstacked
from ._sequence_checks import flat, previous_states, reduce_like, sequence_preamble, upstream
from ._step_checks import check_gru_conventions
from .functions import sigmoid_
from .params import GRUParams

_ORDER = ("r", "z", "h")


@dataclasses.dataclass
class GRUCache:
    """What :func:`gru_backward` needs from the forward pass."""

    p: GRUParams
    xs: np.ndarray
    h0: np.ndarray
    h0_shared: bool
    hs: np.ndarray
    gates: np.ndarray  # (T, B, 3H): r, z, h_tilde
    recurrent: np.ndarray  # (T, B, H): r * h_prev ("before") or U_h h_prev + b_hn ("after")
    z_weights: str
    reset: str


def _keep(z: np.ndarray, z_weights: str, out: np.ndarray) -> np.ndarray:
    """The weight ``k`` on the previous state: ``z`` itself ("old") or ``1 - z`` ("new", written to ``out``)."""
    return z if z_weights == "old" else np.subtract(1.0, z, out=out)


def gru_forward(
    xs: object, h0: object, p: GRUParams, *, z_weights: str = "old", reset: str = "before", dtype: object = np.float64
) -> tuple[np.ndarray, GRUCache]:
    """Run the GRU over a sequence (equations and conventions as in :func:`rnnlab.gru_step`).

    .. math:: h_t = k_t \\odot h_{t-1} + (1 - k_t) \\odot \\tilde h_t, \\qquad t = 1, \\dots, T,

    with :math:`k_t = z_t` (``z_weights="old"``) or :math:`1 - z_t` (``"new"``).

    Parameters
    ----------
    xs : array (T, B, D), time-major inputs
    h0 : array (B, H) or (H,) or None (zeros)
    p : GRUParams
    z_weights : {"old", "new"}
    reset : {"before", "after"}
    dtype : numpy.float64 (default) or numpy.float32
        Working precision. The book and the tests use float64; float32 halves the memory traffic for
        speed experiments (the backward pass then also runs in float32; gradients come back as float64
        params).

    Returns
    -------
    hs : array (T, B, H), the state after every step
    cache : GRUCache for :func:`gru_backward`
    """
    xs, [(h0, shared)] = sequence_preamble(xs, p, GRUParams, {"h0": h0}, dtype)
    check_gru_conventions(p, z_weights, reset)
    dtype = xs.dtype
    T, B, _ = xs.shape
    H = p.hidden_size
    W_h, W_x, b = stacked(p, _ORDER, dtype)
    gates = (flat(xs) @ W_x.T + b).reshape(T, B, 3 * H)
    recurrent = np.empty((T, B, H), dtype)
    hs = np.empty((T, B, H), dtype)
    after = reset == "after"
    W_hT = W_h.T.copy() if after else W_h[: 2 * H].T.copy()
    W_nT = W_h[2 * H :].T.copy()
    b_hn = np.zeros(H, dtype) if p.b_hn is None else p.b_hn.astype(dtype)
    rec = np.empty((B, W_hT.shape[1]), dtype)
    rec_n, keep, diff = np.empty((B, H), dtype), np.empty((B, H), dtype), np.empty((B, H), dtype)
    h = h0
    with np.errstate(over="ignore"):
        for t in range(T):
            a = gates[t]
            rz, a_n = a[:, : 2 * H], a[:, 2 * H :]
            np.matmul(h, W_hT, out=rec)
            rz += rec[:, : 2 * H]
            r, z = sigmoid_(rz)[:, :H], rz[:, H:]
            if after:  # h_tilde = tanh(V_h x + b_h + r * (U_h h + b_hn))
                np.add(rec[:, 2 * H :], b_hn, out=recurrent[t])
                np.multiply(r, recurrent[t], out=rec_n)
            else:  # h_tilde = tanh(W_h [r * h, x] + b_h)
                np.multiply(r, h, out=recurrent[t])
                np.matmul(recurrent[t], W_nT, out=rec_n)
            a_n += rec_n
            h_tilde = np.tanh(a_n, out=a_n)
            k = _keep(z, z_weights, out=keep)  # h = k * h_prev + (1 - k) * h_tilde = h_tilde + k * (h_prev - h_tilde)
            np.subtract(h, h_tilde, out=diff)
            diff *= k
            h = np.add(h_tilde, diff, out=hs[t])
    cache = GRUCache(p, xs, h0, shared, hs, gates, recurrent, z_weights, reset)
    return hs, cache


def gru_backward(dhs: object, cache: GRUCache) -> tuple[GRUParams, np.ndarray, np.ndarray]:
    """Backpropagation through time for :func:`gru_forward`.

    With ``k = z`` ("old") or ``k = 1 - z`` ("new"), :math:`h_t = k \\odot h_{t-1} + (1-k) \\odot \\tilde h_t`, so

    .. math::
        \\delta \\tilde h_t = \\delta h_t \\odot (1 - k), \\quad
        \\delta k = \\delta h_t \\odot (h_{t-1} - \\tilde h_t), \\quad
        \\delta h_{t-1} \\mathrel{+}= \\delta h_t \\odot k

    Parameters
    ----------
    dhs : array (T, B, H), :math:`\\partial L / \\partial h_t` from outside the recurrence
    cache : GRUCache

    Returns
    -------
    grads : GRUParams of gradients (``b_hn`` only when the forward pass used it)
    dxs : array (T, B, D)
    dh0 : array shaped like the ``h0`` given to the forward pass
    """
    if not isinstance(cache, GRUCache):
        raise TypeError(f"cache: expected the GRUCache returned by gru_forward, got {type(cache).__name__}")
    p, xs, hs, gates, recurrent = cache.p, cache.xs, cache.hs, cache.gates, cache.recurrent
    dhs = upstream(dhs, hs.shape).astype(hs.dtype, copy=False)
    T, B, H = hs.shape
    W_h, W_x, _ = stacked(p, _ORDER, hs.dtype)
    after = cache.reset == "after"
    sign = 1.0 if cache.z_weights == "old" else -1.0
    h_prevs = previous_states(cache.h0, hs)
    # das: gradients of the pre-activations of r, z, h_tilde (what W_x and the biases see);
    # drec: gradients of the recurrent products (what the U blocks see): equal to das for r and z; for the
    # candidate it is da_n * r ("after") or, with "before", the product's input is r * h_prev instead.
    das = np.empty_like(gates)
    drec = das if not after else np.empty_like(gates)
    keep, dk, d_rh = np.empty((B, H), hs.dtype), np.empty((B, H), hs.dtype), np.empty((B, H), hs.dtype)
    dh_next = np.zeros_like(cache.h0)
    dh_prev = np.empty_like(dh_next)
    for t in reversed(range(T)):
        r, z, h_tilde = gates[t, :, :H], gates[t, :, H : 2 * H], gates[t, :, 2 * H :]
        da_r, da_z, da_n = das[t, :, :H], das[t, :, H : 2 * H], das[t, :, 2 * H :]
        h_prev = h_prevs[t]
        k = _keep(z, cache.z_weights, out=keep)
        dh = np.add(dhs[t], dh_next, out=dh_next)  # dh_t = dL/dh_t + (carried from t+1)
        np.subtract(h_prev, h_tilde, out=dk)  # dk = dh * (h_prev - h_tilde)
        dk *= dh
        np.multiply(dh, 1.0 - k, out=da_n)  # d h_tilde = dh * (1 - k)
        da_n *= 1.0 - h_tilde * h_tilde  # through tanh
        np.multiply(dk, z * (1.0 - z), out=da_z)  # through sigmoid; dz = sign * dk
        if sign < 0:
            np.negative(da_z, out=da_z)
        np.multiply(dh, k, out=dh_prev)  # direct path: dh_prev = dh * k
        if after:  # a_n = V_h x + b_h + r * (U_h h_prev + b_hn)
            np.multiply(da_n, recurrent[t], out=da_r)
            da_r *= r * (1.0 - r)
            drec[t, :, : 2 * H] = das[t, :, : 2 * H]
            np.multiply(da_n, r, out=drec[t, :, 2 * H :])
            dh_prev += drec[t] @ W_h
        else:  # a_n = U_h (r * h_prev) + V_h x + b_h
            np.matmul(da_n, W_h[2 * H :], out=d_rh)
            np.multiply(d_rh, h_prev, out=da_r)
            da_r *= r * (1.0 - r)
            d_rh *= r
            dh_prev += d_rh
            dh_prev += das[t, :, : 2 * H] @ W_h[: 2 * H]
        dh_next, dh_prev = dh_prev, dh_next
    dW_x = flat(das).T @ flat(xs)
    db = flat(das).sum(axis=0)
    if after:
        dW_h = flat(drec).T @ flat(h_prevs)
        extra = {"b_hn": flat(drec[:, :, 2 * H :]).sum(axis=0)}
    else:
        dW_h = np.vstack([flat(das[:, :, : 2 * H]).T @ flat(h_prevs), flat(das[:, :, 2 * H :]).T @ flat(recurrent)])
        extra = {}
    return unstacked(GRUParams, _ORDER, dW_h, dW_x, db, **extra), das @ W_x, reduce_like(dh_next, cache.h0_shared)
