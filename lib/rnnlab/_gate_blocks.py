"""The fused sequence functions' gate blocks: every gate's rows stacked into one matrix, and back.

Stacking the ``G`` gates of a params object gives one recurrent matrix (G*H, H), one input matrix
(G*H, D) and one bias (G*H,), so a step needs one matrix product instead of ``G``. The order of the
blocks is the sequence function's choice (the LSTM puts its three sigmoid gates first).
"""

from __future__ import annotations

import numpy as np

from .params import CellParams


def stacked(p: CellParams, order: tuple[str, ...], dtype: np.dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recurrent (G*H, H), input (G*H, D) and bias (G*H,) blocks of ``p``'s gates, stacked in ``order``.

    Parameters
    ----------
    p : params object
    order : gate names (field suffixes, ``""`` for the plain RNN), e.g. ``("f", "i", "o", "c")``
    dtype : the working precision
    """
    H = p.hidden_size
    W = np.vstack([getattr(p, p.field_names(gate)[0]) for gate in order]).astype(dtype)
    b = np.concatenate([getattr(p, p.field_names(gate)[1]) for gate in order]).astype(dtype)
    return np.ascontiguousarray(W[:, :H]), np.ascontiguousarray(W[:, H:]), b


def unstacked(
    cls: type[CellParams], order: tuple[str, ...], dW_h: np.ndarray, dW_x: np.ndarray, db: np.ndarray, **extra: object
) -> CellParams:
    """The params object ``cls`` whose gates are the row blocks of stacked gradients (inverse of :func:`stacked`).

    Parameters
    ----------
    cls : RNNParams, LSTMParams or GRUParams
    order : the gate order the blocks are stacked in
    dW_h : array (G*H, H)
    dW_x : array (G*H, D)
    db : array (G*H,)
    extra : further fields, e.g. the GRU's ``b_hn``
    """
    H = dW_h.shape[1]
    fields = {}
    for k, gate in enumerate(order):
        rows = slice(k * H, (k + 1) * H)
        W_name, b_name = cls.field_names(gate)
        fields[W_name] = np.hstack([dW_h[rows], dW_x[rows]])
        fields[b_name] = db[rows]
    return cls(**fields, **extra)
