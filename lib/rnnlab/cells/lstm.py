"""The LSTM, one time step: one function per gate and state equation, then the step forward and backward."""

from __future__ import annotations

import numpy as np

from .._step_checks import backward_inputs, check_params, step_inputs
from ..functions import affine, concat, sigmoid, tanh
from ..params import LSTMParams
from ..traces import LSTMTrace
from .affine import affine_backward

# --- the LSTM --------------------------------------------------------------------------------------


def forget_gate(p: LSTMParams, v: np.ndarray) -> np.ndarray:
    """Forget gate, :math:`f_t = \\sigma(W_f [h_{t-1}, x_t] + b_f)`.

    Parameters
    ----------
    p : LSTMParams
    v : array (H + D,) or (B, H + D), the concatenation ``[h_prev, x]``
    """
    return sigmoid(affine(p.W_f, v, p.b_f))


def input_gate(p: LSTMParams, v: np.ndarray) -> np.ndarray:
    """Input gate, :math:`i_t = \\sigma(W_i [h_{t-1}, x_t] + b_i)`.

    Parameters
    ----------
    p : LSTMParams
    v : array (H + D,) or (B, H + D), the concatenation ``[h_prev, x]``
    """
    return sigmoid(affine(p.W_i, v, p.b_i))


def candidate_cell(p: LSTMParams, v: np.ndarray) -> np.ndarray:
    """Candidate cell, :math:`\\tilde c_t = \\tanh(W_c [h_{t-1}, x_t] + b_c)`.

    Parameters
    ----------
    p : LSTMParams
    v : array (H + D,) or (B, H + D), the concatenation ``[h_prev, x]``
    """
    return tanh(affine(p.W_c, v, p.b_c))


def cell_state(f: np.ndarray, c_prev: np.ndarray, i: np.ndarray, c_tilde: np.ndarray) -> np.ndarray:
    """Additive cell update, :math:`c_t = f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t`.

    Parameters
    ----------
    f, c_prev, i, c_tilde : arrays (H,) or (B, H)
    """
    return f * c_prev + i * c_tilde


def output_gate(p: LSTMParams, v: np.ndarray) -> np.ndarray:
    """Output gate, :math:`o_t = \\sigma(W_o [h_{t-1}, x_t] + b_o)`.

    Parameters
    ----------
    p : LSTMParams
    v : array (H + D,) or (B, H + D), the concatenation ``[h_prev, x]``
    """
    return sigmoid(affine(p.W_o, v, p.b_o))


def lstm_hidden(o: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Exposed state, :math:`h_t = o_t \\odot \\tanh(c_t)`.

    Parameters
    ----------
    o, c : arrays (H,) or (B, H)
    """
    return o * tanh(c)


def lstm_step(x: object, h_prev: object, c_prev: object, p: LSTMParams) -> LSTMTrace:
    """One LSTM step.

    .. math::
        f_t &= \\sigma(W_f [h_{t-1}, x_t] + b_f) \\\\
        i_t &= \\sigma(W_i [h_{t-1}, x_t] + b_i) \\\\
        \\tilde c_t &= \\tanh(W_c [h_{t-1}, x_t] + b_c) \\\\
        c_t &= f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t \\\\
        o_t &= \\sigma(W_o [h_{t-1}, x_t] + b_o) \\\\
        h_t &= o_t \\odot \\tanh(c_t)

    Parameters
    ----------
    x : array (D,) or (B, D)
    h_prev, c_prev : arrays (H,) or (B, H)
    p : LSTMParams

    Returns
    -------
    LSTMTrace with ``f, i, c_tilde, c, o, h``, each (H,) or (B, H).
    """
    check_params("p", p, LSTMParams)
    x, (h_prev, c_prev) = step_inputs(x, {"h_prev": h_prev, "c_prev": c_prev}, p)
    v = concat(h_prev, x)
    f = forget_gate(p, v)
    i = input_gate(p, v)
    c_tilde = candidate_cell(p, v)
    c = cell_state(f, c_prev, i, c_tilde)
    o = output_gate(p, v)
    h = lstm_hidden(o, c)
    return LSTMTrace(x=x, h_prev=h_prev, c_prev=c_prev, f=f, i=i, c_tilde=c_tilde, c=c, o=o, h=h)


def lstm_step_backward(
    dh: object, dc: object, trace: LSTMTrace, p: LSTMParams
) -> tuple[LSTMParams, np.ndarray, np.ndarray, np.ndarray]:
    """Backward through one :func:`lstm_step`, given :math:`\\delta h_t` and the cell gradient :math:`\\delta c_t`
    arriving from the next step.

    .. math::
        \\delta o &= \\delta h \\odot \\tanh(c_t), \\qquad
        \\delta c \\mathrel{+}= \\delta h \\odot o_t \\odot (1 - \\tanh^2 c_t) \\\\
        \\delta f &= \\delta c \\odot c_{t-1}, \\quad \\delta i = \\delta c \\odot \\tilde c_t, \\quad
        \\delta \\tilde c = \\delta c \\odot i_t, \\quad \\delta c_{t-1} = \\delta c \\odot f_t

    then through each gate's squashing function and its :math:`W_g [h_{t-1}, x_t] + b_g`.

    Parameters
    ----------
    dh, dc : arrays (H,) or (B, H), shaped like ``trace.h``; ``dc`` is zero at the last step
    trace : LSTMTrace returned by :func:`lstm_step`
    p : LSTMParams the step was run with

    Returns
    -------
    grads : LSTMParams of gradients (summed over the batch)
    dx : array (D,) or (B, D)
    dh_prev, dc_prev : arrays (H,) or (B, H)
    """
    check_params("p", p, LSTMParams)
    dh, dc = backward_inputs(trace, LSTMTrace, "lstm_step", p, {"dh": dh, "dc": dc})
    f, i, c_tilde, o, tanh_c, c_prev = trace.f, trace.i, trace.c_tilde, trace.o, trace.tanh_c, trace.c_prev
    v, H = concat(trace.h_prev, trace.x), p.hidden_size
    do = dh * tanh_c  # h = o * tanh(c)
    dc = dc + dh * o * (1.0 - tanh_c**2)
    da_o = do * o * (1.0 - o)  # o = sigmoid(W_o v + b_o)
    df, di, dc_tilde, dc_prev = dc * c_prev, dc * c_tilde, dc * i, dc * f  # c = f * c_prev + i * c_tilde
    da_c = dc_tilde * (1.0 - c_tilde**2)  # c_tilde = tanh(W_c v + b_c)
    da_i = di * i * (1.0 - i)  # i = sigmoid(W_i v + b_i)
    da_f = df * f * (1.0 - f)  # f = sigmoid(W_f v + b_f)
    fields, dv = {}, 0.0
    for gate, da in (("f", da_f), ("i", da_i), ("c", da_c), ("o", da_o)):
        fields[f"W_{gate}"], fields[f"b_{gate}"], dv_gate = affine_backward(da, getattr(p, f"W_{gate}"), v)
        dv = dv + dv_gate
    dh_prev, dx = dv[..., :H], dv[..., H:]  # v = [h_prev, x]
    return LSTMParams(**fields), dx, dh_prev, dc_prev
