"""The GRU, one time step: one function per gate and state equation, then the step forward and backward."""

from __future__ import annotations

import numpy as np

from .._step_checks import backward_inputs, check_gru_conventions, check_params, step_inputs
from ..functions import affine, concat, sigmoid, tanh
from ..params import GRUParams
from ..traces import GRUTrace
from .affine import affine_backward

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
        \\text{after:}\\quad \\tilde h_t &= \\tanh(V_h x_t + b_h + r_t \\odot (U_h h_{t-1} + b_{hn}))

    where :math:`W_h = [U_h \\mid V_h]` splits into the block :math:`U_h` (H, H) acting on ``h_prev`` and
    the block :math:`V_h` (H, D) acting on ``x``; "before" is :math:`\\tanh(U_h (r_t \\odot h_{t-1}) + V_h x_t + b_h)`.

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
    U_h, V_h = p.W_h[:, :H], p.W_h[:, H:]
    b_hn = 0.0 if p.b_hn is None else p.b_hn
    return tanh(x @ V_h.T + p.b_h + r * (h_prev @ U_h.T + b_hn))


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
        \\delta r = \\delta a_h \\odot (U_h h_{t-1} + b_{hn})

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
    U_h, V_h = p.W_h[:, :H], p.W_h[:, H:]  # h_tilde = tanh(V_h x + b_h + r * n), n = U_h h_prev + b_hn
    n = h_prev @ U_h.T + (0.0 if p.b_hn is None else p.b_hn)
    dn, dr = da_h * r, da_h * n
    dU_h, db_hn, dh_prev = affine_backward(dn, U_h, h_prev)
    dV_h, db_h, dx = affine_backward(da_h, V_h, x)
    return {"W_h": np.hstack([dU_h, dV_h]), "b_h": db_h, "b_hn": db_hn}, dx, dh_prev, dr


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
