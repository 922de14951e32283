"""The plain RNN, one time step: :math:`h_t = \\tanh(W [h_{t-1}, x_t] + b)`, forward and backward."""

from __future__ import annotations

import numpy as np

from .._step_checks import backward_inputs, check_params, step_inputs
from ..functions import affine, concat, tanh
from ..params import RNNParams
from ..traces import RNNTrace
from .affine import affine_backward

# --- the plain RNN -----------------------------------------------------------------------------


def rnn_hidden(p: RNNParams, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain RNN update, returning the pre-activation and the new state.

    .. math:: a_t = W [h_{t-1}, x_t] + b = U h_{t-1} + V x_t + b, \\qquad h_t = \\tanh(a_t)

    with :math:`W = [U \\mid V]`: :math:`U` (H, H) the columns acting on ``h_prev``, :math:`V` (H, D) those on ``x``.

    Parameters
    ----------
    p : RNNParams
    v : array (H + D,) or (B, H + D), the concatenation ``[h_prev, x]``

    Returns
    -------
    a, h : arrays (H,) or (B, H)
    """
    a = affine(p.W, v, p.b)
    return a, tanh(a)


def rnn_step(x: object, h_prev: object, p: RNNParams) -> RNNTrace:
    """One step of the plain RNN, :math:`h_t = \\tanh(W [h_{t-1}, x_t] + b)`.

    Parameters
    ----------
    x : array (D,) or (B, D)
    h_prev : array (H,) or (B, H)
    p : RNNParams

    Returns
    -------
    RNNTrace with ``x, h_prev, a, h``; ``a`` and ``h`` are (H,) or (B, H).
    """
    check_params("p", p, RNNParams)
    x, (h_prev,) = step_inputs(x, {"h_prev": h_prev}, p)
    a, h = rnn_hidden(p, concat(h_prev, x))
    return RNNTrace(x=x, h_prev=h_prev, a=a, h=h)


def rnn_step_backward(dh: object, trace: RNNTrace, p: RNNParams) -> tuple[RNNParams, np.ndarray, np.ndarray]:
    """Backward through one :func:`rnn_step`, given :math:`\\delta h = \\partial L / \\partial h_t`.

    .. math:: \\delta a = \\delta h \\odot (1 - h_t^2), \\qquad
        \\delta W = \\delta a\\, [h_{t-1}, x_t]^\\top, \\qquad [\\delta h_{t-1}, \\delta x] = W^\\top \\delta a

    Parameters
    ----------
    dh : array (H,) or (B, H), shaped like ``trace.h``
    trace : RNNTrace returned by :func:`rnn_step`
    p : RNNParams the step was run with

    Returns
    -------
    grads : RNNParams of gradients (summed over the batch)
    dx : array (D,) or (B, D), shaped like ``trace.x``
    dh_prev : array (H,) or (B, H), shaped like ``trace.h_prev``
    """
    check_params("p", p, RNNParams)
    (dh,) = backward_inputs(trace, RNNTrace, "rnn_step", p, {"dh": dh})
    H = p.hidden_size
    da = dh * (1.0 - trace.h**2)  # h = tanh(a)
    dW, db, dv = affine_backward(da, p.W, concat(trace.h_prev, trace.x))  # a = W [h_prev, x] + b
    dh_prev, dx = dv[..., :H], dv[..., H:]  # v = [h_prev, x]
    return RNNParams(W=dW, b=db), dx, dh_prev
