"""How far back a gradient reaches: the sweeps behind the vanishing-gradient figures and the explainer's Jacobian view.

For a loss that reads only the last state, :math:`L = u \\cdot h_T`, :func:`state_gradient_norms` returns
:math:`\\lVert \\partial L / \\partial s_{T-k} \\rVert` for :math:`k = 1, \\dots, T - 1`, where the state
:math:`s` is :math:`h` for the RNN and the GRU and the pair :math:`(h, c)` for the LSTM.
"""

from __future__ import annotations

import numpy as np

from .kinds import kind_of
from .params import CellParams


def _tail_gradient(p: CellParams, xs: np.ndarray, start: tuple[np.ndarray, ...], u: np.ndarray) -> np.ndarray:
    """:math:`\\partial L / \\partial s_{\\text{start}}` for ``L = u . h_T``, running the cell over ``xs`` only.

    Restarting the forward pass at the state ``start`` and back-propagating the last step's gradient ``u``
    gives the gradient with respect to that state exactly (the backward pass's ``dh0`` / ``dc0``).
    Returns one vector: ``dh`` (H,), or ``[dh, dc]`` (2H,) for the LSTM.
    """
    kind = kind_of(p)
    (tail, *_), cache = kind.run(xs, p, start)
    dhs = np.zeros_like(tail)
    dhs[-1] = u
    _, _, dstart = kind.backprop(dhs, cache)
    return np.concatenate([d.ravel() for d in dstart])


def state_gradient_norms(p: CellParams, xs: np.ndarray, u: np.ndarray) -> np.ndarray:
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
    kind = kind_of(p)
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 3 or xs.shape[1] != 1 or xs.shape[2] != p.input_size:
        raise ValueError(f"xs: expected shape (T, 1, {p.input_size}), got {xs.shape}")
    u = np.asarray(u, dtype=float)
    if u.shape != (p.hidden_size,):
        raise ValueError(f"u: expected shape ({p.hidden_size},), got {u.shape}")
    sequences, _ = kind.run(xs, p)
    states = list(zip(*sequences, strict=True))  # states[t]: (h_t,) or (h_t, c_t)
    T = len(xs)
    return np.array([np.linalg.norm(_tail_gradient(p, xs[T - k :], states[T - k - 1], u)) for k in range(1, T)])


def input_jacobian_norms(p: CellParams, xs: np.ndarray, **conventions: str) -> np.ndarray:
    """:math:`\\lVert \\partial h_T / \\partial x_t \\rVert_F` for :math:`t = 1, \\dots, T`: how far x_t moves h_T.

    The Jacobian :math:`J_t = \\partial h_T / \\partial x_t` is (H, D); its row :math:`j` is the gradient of
    :math:`h_{T,j}` with respect to :math:`x_t`. One backward pass over ``H`` copies of the sequence, copy
    :math:`j` starting from :math:`\\delta h_T = e_j`, gives every row at every step at once. The state
    starts at zeros.

    Parameters
    ----------
    p : RNNParams, LSTMParams or GRUParams, with hidden size H and input size D
    xs : array (T, D), one input sequence
    conventions : the GRU's ``z_weights`` and ``reset``

    Returns
    -------
    array (T,): entry ``t - 1`` is the Frobenius norm of :math:`J_t`.
    """
    kind = kind_of(p)
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 2 or xs.shape[1] != p.input_size or len(xs) < 1:
        raise ValueError(f"xs: expected shape (T, {p.input_size}) with T >= 1, got {xs.shape}")
    H = p.hidden_size
    copies = np.repeat(xs[:, None, :], H, axis=1)  # (T, H, D): copy j backpropagates e_j
    (hs, *_), cache = kind.run(copies, p, **conventions)
    dhs = np.zeros_like(hs)
    dhs[-1] = np.eye(H)
    _, dxs, _ = kind.backprop(dhs, cache)  # dxs[t, j] = d h_{T,j} / d x_t
    return np.sqrt(np.sum(dxs**2, axis=(1, 2)))
