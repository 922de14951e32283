"""One time step of each cell, one function per equation, symbols as in the book.

Shapes: ``x`` is ``(D,)`` or a batch ``(B, D)``; states are ``(H,)`` or ``(B, H)``. A 1-D state with a
batched input (or the reverse) is broadcast over the batch. Every step returns a trace holding
every intermediate value.
"""

from __future__ import annotations

import numpy as np

from ._step_checks import backward_inputs, check_gru_conventions, check_params, step_inputs
from .functions import affine, concat, sigmoid, tanh
from .params import GRUParams, LSTMParams, RNNParams
from .traces import GRUTrace, LSTMTrace, RNNTrace

# --- the plain RNN -----------------------------------------------------------------------------


def rnn_hidden(p: RNNParams, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plain RNN update, returning the pre-activation and the new state.

    .. math:: a_t = W [h_{t-1}, x_t] + b, \\qquad h_t = \\tanh(a_t)

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


# --- the GRU ---------------------------------------------------------------------------------------


def reset_gate(p: GRUParams, v: np.ndarray) -> np.ndarray:
    """Reset gate, :math:`r_t = \\sigma(W_r [h_{t-1}, x_t] + b_r)`.

    Parameters
    ----------
    p : GRUParams
    v : array (H + D,) or (B, H + D), the concatenation ``[h_prev, x]``
    """
    return sigmoid(affine(p.W_r, v, p.b_r))


def update_gate(p: GRUParams, v: np.ndarray) -> np.ndarray:
    """Update gate, :math:`z_t = \\sigma(W_z [h_{t-1}, x_t] + b_z)`.

    Parameters
    ----------
    p : GRUParams
    v : array (H + D,) or (B, H + D), the concatenation ``[h_prev, x]``
    """
    return sigmoid(affine(p.W_z, v, p.b_z))


def candidate_hidden(p: GRUParams, x: np.ndarray, h_prev: np.ndarray, r: np.ndarray, reset: str) -> np.ndarray:
    """Candidate state; where the reset gate acts is a convention.

    .. math::
        \\text{before:}\\quad \\tilde h_t &= \\tanh(W_h [r_t \\odot h_{t-1}, x_t] + b_h) \\\\
        \\text{after:}\\quad \\tilde h_t &= \\tanh(W_{hx} x_t + b_h + r_t \\odot (W_{hh} h_{t-1} + b_{hn}))

    where :math:`W_h = [W_{hh} \\mid W_{hx}]` splits into the columns acting on ``h`` and on ``x``.

    Parameters
    ----------
    p : GRUParams
    x : array (D,) or (B, D)
    h_prev, r : arrays (H,) or (B, H)
    reset : {"before", "after"}

    Returns
    -------
    array (H,) or (B, H)
    """
    if reset == "before":
        return tanh(affine(p.W_h, concat(r * h_prev, x), p.b_h))
    H = p.hidden_size
    W_hh, W_hx = p.W_h[:, :H], p.W_h[:, H:]
    b_hn = 0.0 if p.b_hn is None else p.b_hn
    return tanh(x @ W_hx.T + p.b_h + r * (h_prev @ W_hh.T + b_hn))


def gru_hidden(z: np.ndarray, h_prev: np.ndarray, h_tilde: np.ndarray, z_weights: str) -> np.ndarray:
    """New state, an interpolation between the old state and the candidate.

    .. math::
        \\text{old:}\\quad h_t &= z_t \\odot h_{t-1} + (1 - z_t) \\odot \\tilde h_t \\\\
        \\text{new:}\\quad h_t &= (1 - z_t) \\odot h_{t-1} + z_t \\odot \\tilde h_t

    Parameters
    ----------
    z, h_prev, h_tilde : arrays (H,) or (B, H)
    z_weights : {"old", "new"}, which of the two terms ``z`` multiplies.

    Returns
    -------
    array (H,) or (B, H)
    """
    keep = z if z_weights == "old" else 1.0 - z
    return keep * h_prev + (1.0 - keep) * h_tilde


def gru_step(x: object, h_prev: object, p: GRUParams, *, z_weights: str = "old", reset: str = "before") -> GRUTrace:
    """One GRU step under an explicit convention.

    .. math::
        r_t &= \\sigma(W_r [h_{t-1}, x_t] + b_r) \\\\
        z_t &= \\sigma(W_z [h_{t-1}, x_t] + b_z) \\\\
        \\tilde h_t &= \\tanh(W_h [r_t \\odot h_{t-1}, x_t] + b_h) \\quad (\\texttt{reset="before"}) \\\\
        h_t &= z_t \\odot h_{t-1} + (1 - z_t) \\odot \\tilde h_t \\quad (\\texttt{z\\_weights="old"})

    See :func:`candidate_hidden` and :func:`gru_hidden` for the other conventions.

    Parameters
    ----------
    x : array (D,) or (B, D)
    h_prev : array (H,) or (B, H)
    p : GRUParams
    z_weights : {"old", "new"}
        ``"old"`` (Cho et al. 2014, PyTorch, Keras, d2l): ``z`` weights the previous state.
        ``"new"`` (Chung et al. 2014, Olah, Wikipedia): ``z`` weights the candidate.
    reset : {"before", "after"}
        ``"before"`` (Cho et al. 2014, Keras ``reset_after=False``): ``r`` scales ``h_prev`` before the
        matrix product. ``"after"`` (PyTorch, cuDNN, Keras' default): ``r`` scales the product.

    Returns
    -------
    GRUTrace with ``r, z, h_tilde, h``, each (H,) or (B, H).
    """
    check_params("p", p, GRUParams)
    check_gru_conventions(p, z_weights, reset)
    x, (h_prev,) = step_inputs(x, {"h_prev": h_prev}, p)
    v = concat(h_prev, x)
    r = reset_gate(p, v)
    z = update_gate(p, v)
    h_tilde = candidate_hidden(p, x, h_prev, r, reset)
    h = gru_hidden(z, h_prev, h_tilde, z_weights)
    return GRUTrace(x=x, h_prev=h_prev, r=r, z=z, h_tilde=h_tilde, h=h, z_weights=z_weights, reset=reset)


def candidate_hidden_backward(
    da_h: np.ndarray, p: GRUParams, x: np.ndarray, h_prev: np.ndarray, r: np.ndarray, reset: str
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Backward through :func:`candidate_hidden` from :math:`\\delta a_h`, the gradient of its pre-activation.

    .. math::
        \\text{before:}\\quad [\\delta (r \\odot h_{t-1}), \\delta x] = W_h^\\top \\delta a_h, \\quad
        \\delta r = \\delta (r \\odot h_{t-1}) \\odot h_{t-1} \\\\
        \\text{after:}\\quad \\delta n = \\delta a_h \\odot r_t, \\quad
        \\delta r = \\delta a_h \\odot (W_{hh} h_{t-1} + b_{hn})

    Parameters
    ----------
    da_h : array (H,) or (B, H)
    p : GRUParams
    x : array (D,) or (B, D)
    h_prev, r : arrays (H,) or (B, H)
    reset : {"before", "after"}

    Returns
    -------
    grads : dict with ``W_h``, ``b_h`` (and ``b_hn`` for ``"after"``)
    dx : array (D,) or (B, D)
    dh_prev : array (H,) or (B, H), the part that flows through the candidate
    dr : array (H,) or (B, H)
    """
    H = p.hidden_size
    if reset == "before":  # h_tilde = tanh(W_h [r * h_prev, x] + b_h)
        dW_h, db_h, dv_h = affine_backward(da_h, p.W_h, concat(r * h_prev, x))
        d_rh, dx = dv_h[..., :H], dv_h[..., H:]
        return {"W_h": dW_h, "b_h": db_h}, dx, d_rh * r, d_rh * h_prev
    W_hh, W_hx = p.W_h[:, :H], p.W_h[:, H:]  # h_tilde = tanh(W_hx x + b_h + r * n), n = W_hh h_prev + b_hn
    n = h_prev @ W_hh.T + (0.0 if p.b_hn is None else p.b_hn)
    dn, dr = da_h * r, da_h * n
    dW_hh, db_hn, dh_prev = affine_backward(dn, W_hh, h_prev)
    dW_hx, db_h, dx = affine_backward(da_h, W_hx, x)
    return {"W_h": np.hstack([dW_hh, dW_hx]), "b_h": db_h, "b_hn": db_hn}, dx, dh_prev, dr


def gru_step_backward(dh: object, trace: GRUTrace, p: GRUParams) -> tuple[GRUParams, np.ndarray, np.ndarray]:
    """Backward through one :func:`gru_step`, under the conventions the trace was computed with.

    With ``z_weights="old"``, :math:`h_t = z_t \\odot h_{t-1} + (1 - z_t) \\odot \\tilde h_t`, so

    .. math::
        \\delta \\tilde h = \\delta h \\odot (1 - z_t), \\quad
        \\delta z = \\delta h \\odot (h_{t-1} - \\tilde h_t), \\quad
        \\delta h_{t-1} \\mathrel{+}= \\delta h \\odot z_t

    (``"new"`` swaps the roles of :math:`z_t` and :math:`1 - z_t`); then through the candidate
    (:func:`candidate_hidden_backward`) and the two gates.

    Parameters
    ----------
    dh : array (H,) or (B, H), shaped like ``trace.h``
    trace : GRUTrace returned by :func:`gru_step`; its ``z_weights`` and ``reset`` are used
    p : GRUParams the step was run with

    Returns
    -------
    grads : GRUParams of gradients (summed over the batch; ``b_hn`` present with ``reset="after"``)
    dx : array (D,) or (B, D)
    dh_prev : array (H,) or (B, H)
    """
    check_params("p", p, GRUParams)
    (dh,) = backward_inputs(trace, GRUTrace, "gru_step", p, {"dh": dh})
    check_gru_conventions(p, trace.z_weights, trace.reset)
    x, h_prev, r, z, h_tilde = trace.x, trace.h_prev, trace.r, trace.z, trace.h_tilde
    v, H = concat(h_prev, x), p.hidden_size
    keep = z if trace.z_weights == "old" else 1.0 - z  # h = keep * h_prev + (1 - keep) * h_tilde
    dh_tilde, dkeep, dh_prev = dh * (1.0 - keep), dh * (h_prev - h_tilde), dh * keep
    dz = dkeep if trace.z_weights == "old" else -dkeep
    da_h = dh_tilde * (1.0 - h_tilde**2)  # h_tilde = tanh(a_h)
    fields, dx, dh_prev_h, dr = candidate_hidden_backward(da_h, p, x, h_prev, r, trace.reset)
    da_z = dz * z * (1.0 - z)  # z = sigmoid(W_z v + b_z)
    da_r = dr * r * (1.0 - r)  # r = sigmoid(W_r v + b_r)
    fields["W_z"], fields["b_z"], dv_z = affine_backward(da_z, p.W_z, v)
    fields["W_r"], fields["b_r"], dv_r = affine_backward(da_r, p.W_r, v)
    dv = dv_z + dv_r  # v = [h_prev, x]
    return GRUParams(**fields), dx + dv[..., H:], dh_prev + dh_prev_h + dv[..., :H]


# --- backward through one step: one chain-rule line per forward equation, in reverse order ----------


def affine_backward(da: np.ndarray, W: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward through :math:`a = W v + b`: :math:`\\delta W = \\delta a\\, v^\\top`, :math:`\\delta b = \\delta a`,
    :math:`\\delta v = W^\\top \\delta a` (weight gradients summed over a batch).

    Parameters
    ----------
    da : array (H,) or (B, H), the gradient of the pre-activation
    W : array (H, N)
    v : array (N,) or (B, N), what ``W`` multiplied

    Returns
    -------
    dW : array (H, N)
    db : array (H,)
    dv : array (N,) or (B, N)
    """
    rows_da, rows_v = np.atleast_2d(da), np.atleast_2d(v)
    return rows_da.T @ rows_v, rows_da.sum(axis=0), da @ W
