"""How far back a gradient reaches: the sweep behind the vanishing-gradient figures of chapters 02 to 04.

For a loss that reads only the last state, :math:`L = u \\cdot h_T`, :func:`state_gradient_norms` returns
:math:`\\lVert \\partial L / \\partial s_{T-k} \\rVert` for :math:`k = 1, \\dots, T - 1`, where the state
:math:`s` is :math:`h` for the RNN and the GRU and the pair :math:`(h, c)` for the LSTM.
"""

from __future__ import annotations

import numpy as np

from .params import GRUParams, LSTMParams, RNNParams
from .sequence_gru import gru_backward, gru_forward
from .sequence_lstm import lstm_backward, lstm_forward
from .sequence_rnn import rnn_backward, rnn_forward


def _tail_gradient(p: object, xs: np.ndarray, start: tuple[np.ndarray, ...], u: np.ndarray) -> np.ndarray:
    """:math:`\\partial L / \\partial s_{\\text{start}}` for ``L = u . h_T``, running the cell over ``xs`` only.

    Restarting the forward pass at the state ``start`` and back-propagating the last step's gradient ``u``
    gives the gradient with respect to that state exactly (the backward pass's ``dh0`` / ``dc0``).
    Returns one vector: ``dh`` (H,), or ``[dh, dc]`` (2H,) for the LSTM.
    """
    if isinstance(p, LSTMParams):
        tail, _, cache = lstm_forward(xs, start[0], start[1], p)
        dhs = np.zeros_like(tail)
        dhs[-1] = u
        _, _, dh, dc = lstm_backward(dhs, cache)
        return np.concatenate([dh.ravel(), dc.ravel()])
    forward, backward = (gru_forward, gru_backward) if isinstance(p, GRUParams) else (rnn_forward, rnn_backward)
    tail, cache = forward(xs, start[0], p)
    dhs = np.zeros_like(tail)
    dhs[-1] = u
    return backward(dhs, cache)[2].ravel()


def state_gradient_norms(p: RNNParams | LSTMParams | GRUParams, xs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """:math:`\\lVert \\partial L / \\partial s_{T-k} \\rVert` for :math:`k = 1 .. T-1`, with :math:`L = u \\cdot h_T`.

    Parameters
    ----------
    p : RNNParams, LSTMParams or GRUParams, with hidden size H and input size D
    xs : array (T, 1, D), one sequence, time-major
    u : array (H,), the direction the loss reads the last state in

    Returns
    -------
    array (T - 1,): entry ``k - 1`` is the norm for the state ``k`` steps before the last one.
    """
    if not isinstance(p, RNNParams | LSTMParams | GRUParams):
        raise TypeError(f"p: expected RNNParams, LSTMParams or GRUParams, got {type(p).__name__}")
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 3 or xs.shape[1] != 1 or xs.shape[2] != p.input_size:
        raise ValueError(f"xs: expected shape (T, 1, {p.input_size}), got {xs.shape}")
    u = np.asarray(u, dtype=float)
    if u.shape != (p.hidden_size,):
        raise ValueError(f"u: expected shape ({p.hidden_size},), got {u.shape}")
    if isinstance(p, LSTMParams):
        hs, cs, _ = lstm_forward(xs, None, None, p)
        states = list(zip(hs, cs, strict=True))
    else:
        hs, _ = (gru_forward if isinstance(p, GRUParams) else rnn_forward)(xs, None, p)
        states = [(h,) for h in hs]
    T = len(xs)
    return np.array([np.linalg.norm(_tail_gradient(p, xs[T - k :], states[T - k - 1], u)) for k in range(1, T)])
