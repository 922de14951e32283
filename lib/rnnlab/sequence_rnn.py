"""The plain RNN over a whole sequence: forward, and backpropagation through time."""

from __future__ import annotations

import dataclasses

import numpy as np

from ._gate_blocks import stacked, unstacked
from ._sequence_checks import flat, previous_states, reduce_like, sequence_preamble, upstream
from .params import RNNParams

_ORDER = ("",)  # one block: W itself


@dataclasses.dataclass
class RNNCache:
    """What :func:`rnn_backward` needs from the forward pass."""

    p: RNNParams
    xs: np.ndarray
    h0: np.ndarray
    h0_shared: bool
    hs: np.ndarray


def rnn_forward(xs: object, h0: object, p: RNNParams, *, dtype: object = np.float64) -> tuple[np.ndarray, RNNCache]:
    """Run the plain RNN over a sequence, :math:`h_t = \\tanh(U h_{t-1} + V x_t + b)`, :math:`W = [U \\mid V]`.

    The input projection :math:`V x_t + b` is computed for every step in one matrix product.

    Parameters
    ----------
    xs : array (T, B, D), time-major inputs
    h0 : array (B, H) or (H,) or None (zeros)
    p : RNNParams
    dtype : numpy.float64 (default) or numpy.float32, working precision (see :func:`rnnlab.gru_forward`)

    Returns
    -------
    hs : array (T, B, H), the state after every step
    cache : RNNCache for :func:`rnn_backward`
    """
    xs, [(h0, shared)] = sequence_preamble(xs, p, RNNParams, {"h0": h0}, dtype)
    T, B, _ = xs.shape
    H = p.hidden_size
    W_h, W_x, b = stacked(p, _ORDER, xs.dtype)
    W_hT, W_xT = W_h.T.copy(), W_x.T.copy()
    a_x = (flat(xs) @ W_xT + b).reshape(T, B, H)
    hs = np.empty((T, B, H), xs.dtype)
    h = h0
    for t in range(T):
        h = np.tanh(a_x[t] + h @ W_hT, out=hs[t])
    return hs, RNNCache(p=p, xs=xs, h0=h0, h0_shared=shared, hs=hs)


def rnn_backward(dhs: object, cache: RNNCache) -> tuple[RNNParams, np.ndarray, np.ndarray]:
    """Backpropagation through time for :func:`rnn_forward`.

    .. math::
        \\delta h_t = \\frac{\\partial L}{\\partial h_t} + U^\\top \\delta a_{t+1}, \\qquad
        \\delta a_t = \\delta h_t \\odot (1 - h_t^2)

    Parameters
    ----------
    dhs : array (T, B, H), :math:`\\partial L / \\partial h_t` from outside the recurrence
    cache : RNNCache

    Returns
    -------
    grads : RNNParams of gradients
    dxs : array (T, B, D)
    dh0 : array shaped like the ``h0`` given to the forward pass
    """
    if not isinstance(cache, RNNCache):
        raise TypeError(f"cache: expected the RNNCache returned by rnn_forward, got {type(cache).__name__}")
    p, xs, hs = cache.p, cache.xs, cache.hs
    dhs = upstream(dhs, hs.shape).astype(hs.dtype, copy=False)
    H = p.hidden_size
    W = p.W.astype(hs.dtype)
    W_h, W_x = W[:, :H], W[:, H:]  # views of W, not stacked() copies: numpy's product differs in the last bit
    das = np.empty_like(hs)
    dh_next = np.zeros_like(cache.h0)
    for t in reversed(range(len(hs))):
        dh = dhs[t] + dh_next
        das[t] = dh * (1.0 - hs[t] ** 2)
        dh_next = das[t] @ W_h
    dW_h = flat(das).T @ flat(previous_states(cache.h0, hs))
    dW_x = flat(das).T @ flat(xs)
    grads = unstacked(RNNParams, _ORDER, dW_h, dW_x, flat(das).sum(axis=0))
    return grads, das @ W_x, reduce_like(dh_next, cache.h0_shared)
