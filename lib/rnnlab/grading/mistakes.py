"""The common mistakes, each written as a small function that recomputes one step the wrong way.

Each ``*_mistakes`` function returns ``{description: {quantity: array}}``: what every known mistake
would have produced for every intermediate quantity (``a, h`` for the RNN; ``f, i, c_tilde, c, o, h``
for the LSTM; ``r, z, h_tilde, h`` for the GRU). :func:`rnnlab.grading.check_close` compares a wrong
answer against them and names the one that matches.

The wrong cells are written out here independently of :mod:`rnnlab.cells` (one switch per mistake in
a small private cell function), so a diagnosis never depends on the code it is diagnosing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..functions import sigmoid
from ..params import GRUParams, LSTMParams, RNNParams

Variant = dict[str, np.ndarray]


def _linear(W: np.ndarray, h: np.ndarray, x: np.ndarray, b: np.ndarray, how: dict) -> np.ndarray:
    """:math:`W [h, x] + b`, or one of its common misreadings selected by ``how``."""
    H = h.shape[-1]
    W_h, W_x = W[:, :H], W[:, H:]
    if how.get("order") == "xh":  # [x, h]: the first D columns read x
        D = x.shape[-1]
        W_x, W_h = W[:, :D], W[:, D:]
    if how.get("transpose"):
        W_h = W_h.T
    bias = 0.0 if how.get("no_bias") else b
    return h @ W_h.T + x @ W_x.T + bias


def _rnn(x: np.ndarray, h_prev: np.ndarray, W: np.ndarray, b: np.ndarray, **how: object) -> Variant:
    a = _linear(W, h_prev, x, b, how)
    act = {"sigmoid": sigmoid, "none": lambda v: v}.get(how.get("act"), np.tanh)
    return {"a": a, "h": act(a)}


def _lstm(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, p: LSTMParams, **how: object) -> Variant:
    gate, squash = (np.tanh, sigmoid) if how.get("swap") else (sigmoid, np.tanh)
    f = gate(_linear(p.W_f, h_prev, x, p.b_f, how))
    i = gate(_linear(p.W_i, h_prev, x, p.b_i, how))
    c_tilde = squash(_linear(p.W_c, h_prev, x, p.b_c, how))
    c = i * c_prev + f * c_tilde if how.get("f_i_swapped") else f * c_prev + i * c_tilde
    o = gate(_linear(p.W_o, h_prev, x, p.b_o, how))
    h = o * c if how.get("raw_c") else o * squash(c)
    return {"f": f, "i": i, "c_tilde": c_tilde, "c": c, "o": o, "h": h}


def _gru(x: np.ndarray, h_prev: np.ndarray, p: GRUParams, z_weights: str, reset: str, **how: object) -> Variant:
    gate, squash = (np.tanh, sigmoid) if how.get("swap") else (sigmoid, np.tanh)
    r = gate(_linear(p.W_r, h_prev, x, p.b_r, how))
    z = gate(_linear(p.W_z, h_prev, x, p.b_z, how))
    if reset == "before":
        h_tilde = squash(_linear(p.W_h, r * h_prev, x, p.b_h, how))
    elif reset == "after":
        b_hn = 0.0 if p.b_hn is None else p.b_hn
        recurrent = _linear(p.W_h, h_prev, np.zeros_like(x), 0.0, how) + b_hn
        h_tilde = squash(_linear(p.W_h, np.zeros_like(h_prev), x, p.b_h, how) + r * recurrent)
    else:  # the reset gate left out
        h_tilde = squash(_linear(p.W_h, h_prev, x, p.b_h, how))
    keep = z if z_weights == "old" else 1.0 - z
    return {"r": r, "z": z, "h_tilde": h_tilde, "h": keep * h_prev + (1.0 - keep) * h_tilde}


def _batched(x: np.ndarray, *states: np.ndarray) -> list[np.ndarray]:
    """Broadcast a step's input and states to a common batch, as the cells do."""
    arrays = [np.asarray(a, dtype=np.float64) for a in (x, *states)]
    batch = {a.shape[0] for a in arrays if a.ndim == 2}
    if batch:
        B = batch.pop()
        arrays = [np.broadcast_to(a, (B, a.shape[-1])) if a.ndim == 1 else a for a in arrays]
    return arrays


# --- one function per mistake ------------------------------------------------------------------------

SWAP = "sigmoid and tanh swapped (the gates use sigmoid, the candidate and the output squashing use tanh)"
ORDER = "[x, h] concatenated instead of [h, x] (W's first H columns multiply h_prev, the last D multiply x)"
NO_BIAS = "a missing bias (the + b term was left out)"
TRANSPOSE = "a transposed weight matrix (the block of W acting on h_prev was used as W.T)"


def rnn_mistakes(x: object, h_prev: object, W: object, b: object) -> dict[str, Variant]:
    """What the common plain-RNN mistakes produce for ``a`` and ``h`` (shapes as in :func:`rnnlab.rnn_step`)."""
    p = RNNParams(W, b)
    x, h_prev = _batched(x, h_prev)
    args = (x, h_prev, p.W, p.b)
    return {
        "sigmoid used instead of tanh": _rnn(*args, act="sigmoid"),
        "the tanh left out (h = a)": _rnn(*args, act="none"),
        ORDER: _rnn(*args, order="xh"),
        NO_BIAS: _rnn(*args, no_bias=True),
        TRANSPOSE: _rnn(*args, transpose=True),
    }


def lstm_mistakes(x: object, h_prev: object, c_prev: object, p: LSTMParams) -> dict[str, Variant]:
    """What the common LSTM mistakes produce for ``f, i, c_tilde, c, o, h``."""
    args = (*_batched(x, h_prev, c_prev), p)
    return {
        SWAP: _lstm(*args, swap=True),
        "c used where tanh(c) belongs (h = o * c instead of o * tanh(c))": _lstm(*args, raw_c=True),
        "f and i swapped in the cell update (c = i * c_prev + f * c_tilde)": _lstm(*args, f_i_swapped=True),
        ORDER: _lstm(*args, order="xh"),
        NO_BIAS: _lstm(*args, no_bias=True),
        TRANSPOSE: _lstm(*args, transpose=True),
    }


def gru_mistakes(
    x: object, h_prev: object, p: GRUParams, *, z_weights: str = "old", reset: str = "before"
) -> dict[str, Variant]:
    """What the common GRU mistakes produce for ``r, z, h_tilde, h`` under the given convention."""
    x, h_prev = _batched(x, h_prev)
    other_z = "new" if z_weights == "old" else "old"
    other_reset = "after" if reset == "before" else "before"
    keep = "h_prev" if z_weights == "old" else "h_tilde"
    variants: dict[str, Callable[[], Variant]] = {
        f"the other z convention (with z_weights={z_weights!r}, z multiplies {keep}; this result is the "
        f"z_weights={other_z!r} one: is the z_weights argument used?)": lambda: _gru(x, h_prev, p, other_z, reset),
        f"the reset gate applied {other_reset} instead of {reset} the matrix product": lambda: _gru(
            x, h_prev, p.replace(b_hn=None), z_weights, other_reset
        ),
        "the reset gate not applied at all (h_prev used instead of r * h_prev)": lambda: _gru(
            x, h_prev, p, z_weights, "none"
        ),
        SWAP: lambda: _gru(x, h_prev, p, z_weights, reset, swap=True),
        ORDER: lambda: _gru(x, h_prev, p, z_weights, reset, order="xh"),
        NO_BIAS: lambda: _gru(x, h_prev, p, z_weights, reset, no_bias=True),
        TRANSPOSE: lambda: _gru(x, h_prev, p, z_weights, reset, transpose=True),
    }
    return {description: make() for description, make in variants.items()}
