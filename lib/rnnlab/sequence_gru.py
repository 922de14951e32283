"""The GRU over a whole sequence, under either convention, and backpropagation through time.

The gates are stacked internally in the order ``r, z, h``. With ``reset="after"`` all three recurrent
products are one matrix product per step; with ``reset="before"`` the candidate's recurrent product
must wait for ``r`` (it multiplies ``r * h_prev``), so it is a second, smaller product.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._sequence_checks import flat, initial_state, previous_states, reduce_like, sequence_inputs, upstream
from .cells import check_gru_conventions
from .functions import sigmoid
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
    recurrent: np.ndarray  # (T, B, H): r * h_prev ("before") or W_hh h_prev + b_hn ("after")
    z_weights: str
    reset: str


def _stacked(p: GRUParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recurrent (3H, H), input (3H, D) and bias (3H,) blocks stacked in the order r, z, h."""
    H = p.hidden_size
    W = np.vstack([p.W_r, p.W_z, p.W_h])
    return W[:, :H], W[:, H:], np.concatenate([p.b_r, p.b_z, p.b_h])


def gru_forward(
    xs: object, h0: object, p: GRUParams, *, z_weights: str = "old", reset: str = "before"
) -> tuple[np.ndarray, GRUCache]:
    """Run the GRU over a sequence (equations and conventions as in :func:`rnnlab.gru_step`).

    Parameters
    ----------
    xs : array (T, B, D), time-major inputs
    h0 : array (B, H) or (H,) or None (zeros)
    p : GRUParams
    z_weights : {"old", "new"}
    reset : {"before", "after"}

    Returns
    -------
    hs : array (T, B, H), the state after every step
    cache : GRUCache for :func:`gru_backward`
    """
    xs = sequence_inputs(xs, p, GRUParams)
    check_gru_conventions(p, z_weights, reset)
    T, B, _ = xs.shape
    H = p.hidden_size
    h0, shared = initial_state("h0", h0, B, H)
    W_h, W_x, b = _stacked(p)
    gates = (flat(xs) @ W_x.T + b).reshape(T, B, 3 * H)
    recurrent = np.empty((T, B, H))
    hs = np.empty((T, B, H))
    after = reset == "after"
    W_hT = W_h.T.copy() if after else W_h[: 2 * H].T.copy()
    W_nT = W_h[2 * H :].T.copy()
    b_hn = np.zeros(H) if p.b_hn is None else p.b_hn
    h = h0
    for t in range(T):
        a = gates[t]
        rec = h @ W_hT
        rz = a[:, : 2 * H]
        rz += rec[:, : 2 * H]
        rz[:] = sigmoid(rz)
        r, z = a[:, :H], a[:, H : 2 * H]
        if after:
            np.add(rec[:, 2 * H :], b_hn, out=recurrent[t])
            a[:, 2 * H :] += r * recurrent[t]
        else:
            np.multiply(r, h, out=recurrent[t])
            a[:, 2 * H :] += recurrent[t] @ W_nT
        h_tilde = np.tanh(a[:, 2 * H :], out=a[:, 2 * H :])
        keep = z if z_weights == "old" else 1.0 - z
        h = np.add(h_tilde, keep * (h - h_tilde), out=hs[t])
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
    p, xs, hs, gates, recurrent = cache.p, cache.xs, cache.hs, cache.gates, cache.recurrent
    dhs = upstream(dhs, hs.shape)
    H = p.hidden_size
    W_h, W_x, _ = _stacked(p)
    after = cache.reset == "after"
    sign = 1.0 if cache.z_weights == "old" else -1.0
    h_prevs = previous_states(cache.h0, hs)
    das = np.empty_like(gates)  # gradients of the pre-activations r, z and h_tilde
    dn_recurrent = np.empty_like(hs)  # gradient of the candidate's recurrent term (its W_hh product)
    dh_next = np.zeros_like(cache.h0)
    for t in reversed(range(len(hs))):
        r, z, h_tilde = gates[t, :, :H], gates[t, :, H : 2 * H], gates[t, :, 2 * H :]
        h_prev = h_prevs[t]
        keep = z if sign > 0 else 1.0 - z
        dh = dhs[t] + dh_next
        dh_tilde = dh * (1.0 - keep)
        dz = sign * dh * (h_prev - h_tilde)
        da_n = das[t, :, 2 * H :]
        np.multiply(dh_tilde, 1.0 - h_tilde**2, out=da_n)
        if after:
            dr = da_n * recurrent[t]
            np.multiply(da_n, r, out=dn_recurrent[t])
            dh_prev = dh * keep
        else:
            d_rh = da_n @ W_h[2 * H :]
            dr = d_rh * h_prev
            dh_prev = dh * keep + d_rh * r
        das[t, :, :H] = dr * r * (1.0 - r)
        das[t, :, H : 2 * H] = dz * z * (1.0 - z)
        if after:
            dh_prev += das[t, :, : 2 * H] @ W_h[: 2 * H] + dn_recurrent[t] @ W_h[2 * H :]
        else:
            dh_prev += das[t, :, : 2 * H] @ W_h[: 2 * H]
        dh_next = dh_prev
    dW_x = flat(das).T @ flat(xs)
    db = flat(das).sum(axis=0)
    dW_rz = flat(das[:, :, : 2 * H]).T @ flat(h_prevs)
    n_source = h_prevs if after else recurrent
    dW_nn = flat(dn_recurrent if after else das[:, :, 2 * H :]).T @ flat(n_source)
    dW_h = np.vstack([dW_rz, dW_nn])
    fields = {}
    for k, g in enumerate(_ORDER):
        rows = slice(k * H, (k + 1) * H)
        fields[f"W_{g}"] = np.hstack([dW_h[rows], dW_x[rows]])
        fields[f"b_{g}"] = db[rows]
    if after:
        fields["b_hn"] = flat(dn_recurrent).sum(axis=0)
    return GRUParams(**fields), das @ W_x, reduce_like(dh_next, cache.h0_shared)
