"""One time step of each cell, one function per equation, symbols as in the book.

Shapes: ``x`` is ``(D,)`` or a batch ``(B, D)``; states are ``(H,)`` or ``(B, H)``. A 1-D state with a
batched input (or the reverse) is broadcast over the batch. Every step returns a trace holding
every intermediate value.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_shape
from .functions import affine, concat, sigmoid, tanh
from .params import GRUParams, LSTMParams, RNNParams, _Params
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
    _check_params("p", p, RNNParams)
    x, (h_prev,) = step_inputs(x, {"h_prev": h_prev}, p)
    a, h = rnn_hidden(p, concat(h_prev, x))
    return RNNTrace(x=x, h_prev=h_prev, a=a, h=h)


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
    _check_params("p", p, LSTMParams)
    x, (h_prev, c_prev) = step_inputs(x, {"h_prev": h_prev, "c_prev": c_prev}, p)
    v = concat(h_prev, x)
    f = forget_gate(p, v)
    i = input_gate(p, v)
    c_tilde = candidate_cell(p, v)
    c = cell_state(f, c_prev, i, c_tilde)
    o = output_gate(p, v)
    h = lstm_hidden(o, c)
    return LSTMTrace(x=x, h_prev=h_prev, c_prev=c_prev, f=f, i=i, c_tilde=c_tilde, c=c, o=o, h=h)


# --- the GRU ---------------------------------------------------------------------------------------

Z_WEIGHTS = ("old", "new")
RESET = ("before", "after")


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
    _check_params("p", p, GRUParams)
    check_gru_conventions(p, z_weights, reset)
    x, (h_prev,) = step_inputs(x, {"h_prev": h_prev}, p)
    v = concat(h_prev, x)
    r = reset_gate(p, v)
    z = update_gate(p, v)
    h_tilde = candidate_hidden(p, x, h_prev, r, reset)
    h = gru_hidden(z, h_prev, h_tilde, z_weights)
    return GRUTrace(x=x, h_prev=h_prev, r=r, z=z, h_tilde=h_tilde, h=h, z_weights=z_weights, reset=reset)


# --- validation shared with the sequence functions -------------------------------------------------


def check_gru_conventions(p: GRUParams, z_weights: object, reset: object) -> None:
    """Raise ``ValueError`` for an unknown convention or a ``b_hn`` that the convention would ignore.

    Parameters
    ----------
    p : GRUParams
    z_weights, reset : the conventions requested (see :func:`gru_step`)
    """
    if z_weights not in Z_WEIGHTS:
        raise ValueError(f"z_weights: expected 'old' (h = z*h_prev + (1-z)*h_tilde) or 'new', got {z_weights!r}")
    if reset not in RESET:
        raise ValueError(f"reset: expected 'before' (r*h_prev inside the product) or 'after', got {reset!r}")
    if reset == "before" and p.b_hn is not None:
        raise ValueError(
            "p.b_hn: this bias exists only with reset='after' (PyTorch's layout), but reset='before' was "
            "requested; pass reset='after', or p.replace(b_hn=None) to drop it on purpose"
        )


def _check_params(name: str, p: object, expected: type[_Params]) -> None:
    if not isinstance(p, expected):
        raise TypeError(f"{name}: expected {expected.__name__}, got {type(p).__name__}")


def step_inputs(x: object, states: dict[str, object], p: _Params) -> tuple[np.ndarray, list[np.ndarray]]:
    """Validate one step's input and states against ``p`` and broadcast them to a common batch.

    Parameters
    ----------
    x : array (D,) or (B, D)
    states : dict of name to array (H,) or (B, H), e.g. ``{"h_prev": h_prev}``
    p : params object giving ``D`` and ``H``
    """
    D, H = p.input_size, p.hidden_size
    x = as_float_array("x", x)
    check_shape("x", x, [(D,), (None, D)])
    arrays = []
    for name, value in states.items():
        array = as_float_array(name, value)
        check_shape(name, array, [(H,), (None, H)])
        arrays.append(array)
    batches = {a.shape[0] for a in [x, *arrays] if a.ndim == 2}
    if len(batches) > 1:
        named = zip(["x", *states], [x, *arrays], strict=True)
        sizes = ", ".join(f"{n}: {a.shape[0]}" for n, a in named if a.ndim == 2)
        raise ValueError(f"batch sizes differ ({sizes}); every batched argument needs the same B")
    if batches:
        B = batches.pop()
        x = np.broadcast_to(x, (B, D)) if x.ndim == 1 else x
        arrays = [np.broadcast_to(a, (B, H)) if a.ndim == 1 else a for a in arrays]
    return x, arrays
