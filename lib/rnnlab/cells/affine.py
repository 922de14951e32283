"""The backward of one gate's pre-activation :math:`a = W v + b`, which every step backward uses."""

from __future__ import annotations

import numpy as np

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
