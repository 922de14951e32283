"""The equations the cells' graphs are made of, written in numpy independently of :mod:`rnnlab.cells`.

Each op computes one equation of the book; its keyword options are the ways students write it differently
(the default is the book's form). Shapes: ``x`` (D,) or (B, D); states and gates (H,) or (B, H);
``W`` (H, H + D); ``b`` (H,).
"""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """:math:`\\sigma(a) = \\tfrac12 (1 + \\tanh(a / 2))`, which never overflows."""
    return 0.5 * np.tanh(0.5 * a) + 0.5


SQUASH = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "identity": lambda a: a,
    "relu": lambda a: np.maximum(a, 0.0),
}


def affine(
    W: np.ndarray,
    b: np.ndarray,
    h: np.ndarray,
    x: np.ndarray,
    *,
    order: str = "hx",
    transpose: bool = False,
    bias: bool = True,
) -> np.ndarray:
    """A gate's pre-activation, :math:`a = W [h, x] + b` (shape (H,) or (B, H)).

    ``order="xh"`` concatenates ``[x, h]``; ``transpose`` uses the square block of ``W`` acting on ``h`` as
    its transpose; ``bias=False`` leaves ``b`` out.
    """
    if transpose:
        H = h.shape[-1]
        W = np.concatenate([W[:, :H].T, W[:, H:]], axis=1)
    v = np.concatenate([h, x] if order == "hx" else [x, h], axis=-1)
    return v @ W.T + b if bias else v @ W.T


def reset_after(
    W: np.ndarray,
    b: np.ndarray,
    b_hn: np.ndarray | None,
    r: np.ndarray,
    h: np.ndarray,
    x: np.ndarray,
    *,
    bias: bool = True,
) -> np.ndarray:
    """The candidate's pre-activation with the reset applied after the product,
    :math:`V_h x + b_h + r \\odot (U_h h + b_{hn})`, with :math:`W_h = [U_h \\mid V_h]`."""
    H = h.shape[-1]
    U_h, V_h = W[:, :H], W[:, H:]
    b_hn = 0.0 if b_hn is None or not bias else b_hn
    return x @ V_h.T + (b if bias else 0.0) + r * (h @ U_h.T + b_hn)


def squash(a: np.ndarray, *, fn: str = "sigmoid", complement: bool = False) -> np.ndarray:
    """A gate or a candidate, :math:`\\sigma(a)` or :math:`\\tanh(a)`; ``complement``: :math:`1 - \\sigma(a)`."""
    value = SQUASH[fn](a)
    return 1.0 - value if complement else value


def gated(gate: np.ndarray, value: np.ndarray, *, use_gate: bool = True) -> np.ndarray:
    """:math:`g \\odot v` (the reset :math:`r \\odot h_{t-1}`, the output :math:`o \\odot \\tanh(c)`)."""
    return gate * value if use_gate else value


CELL_FORMS = {
    "book": lambda f, c_prev, i, c_tilde: f * c_prev + i * c_tilde,
    "gates_exchanged": lambda f, c_prev, i, c_tilde: i * c_prev + f * c_tilde,
    "no_forget_term": lambda f, c_prev, i, c_tilde: i * c_tilde,
    "no_input_term": lambda f, c_prev, i, c_tilde: f * c_prev,
    "no_forget_gate": lambda f, c_prev, i, c_tilde: c_prev + i * c_tilde,
    "no_input_gate": lambda f, c_prev, i, c_tilde: f * c_prev + c_tilde,
    "coupled": lambda f, c_prev, i, c_tilde: f * c_prev + (1.0 - f) * c_tilde,
}


def cell_update(
    f: np.ndarray, c_prev: np.ndarray, i: np.ndarray, c_tilde: np.ndarray, *, form: str = "book"
) -> np.ndarray:
    """The additive cell update, :math:`c_t = f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t`, or one of ``CELL_FORMS``."""
    return CELL_FORMS[form](f, c_prev, i, c_tilde)


def _keep(z: np.ndarray, z_weights: str) -> np.ndarray:
    return z if z_weights == "old" else 1.0 - z


INTERPOLATIONS = {
    "book": lambda keep, old, new: keep * old + (1.0 - keep) * new,
    "no_interpolation": lambda keep, old, new: new,
    "no_old_term": lambda keep, old, new: (1.0 - keep) * new,
    "no_new_term": lambda keep, old, new: keep * old,
    "no_complement": lambda keep, old, new: keep * old + keep * new,
    "new_ungated": lambda keep, old, new: keep * old + new,
}


def interpolate(
    z: np.ndarray, h_prev: np.ndarray, h_tilde: np.ndarray, *, z_weights: str = "old", form: str = "book"
) -> np.ndarray:
    """The GRU's new state, ``"old"``: :math:`z \\odot h_{t-1} + (1 - z) \\odot \\tilde h` (``"new"``: z swapped)."""
    return INTERPOLATIONS[form](_keep(z, z_weights), h_prev, h_tilde)
