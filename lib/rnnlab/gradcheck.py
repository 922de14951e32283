"""Finite-difference gradients, the independent reference every backward pass is checked against."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np

from ._checks import as_float_array
from .params import CellParams

Point = TypeVar("Point", np.ndarray, CellParams)


def numerical_gradient(loss: Callable[[np.ndarray], float], x: object, *, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function of one array.

    .. math::
        \\frac{\\partial L}{\\partial x_k} \\approx \\frac{L(x + \\epsilon e_k) - L(x - \\epsilon e_k)}{2 \\epsilon}

    Parameters
    ----------
    loss : callable taking an array shaped like ``x`` and returning a float
    x : array (...)
    eps : float
        Step; with float64, ``1e-6`` balances truncation (``eps**2``) against rounding (``1e-16 / eps``).

    Returns
    -------
    array shaped like ``x``
    """
    x = as_float_array("x", x).copy()
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"eps: expected a positive float, got {type(eps).__name__} {eps!r}")
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps: expected a positive finite step, got {eps!r}")
    grad = np.empty_like(x)
    for k in np.ndindex(x.shape):
        original = x[k]
        x[k] = original + eps
        plus = float(loss(x.copy()))
        x[k] = original - eps
        minus = float(loss(x.copy()))
        x[k] = original
        grad[k] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic: object, numeric: object) -> float:
    """Norm-wise relative error :math:`\\lVert a - n \\rVert / \\max(\\lVert a \\rVert + \\lVert n \\rVert, 10^{-12})`.

    Norm-wise rather than entry-wise, so entries whose true gradient is nearly zero do not turn
    harmless rounding into a large ratio.

    Parameters
    ----------
    analytic, numeric : arrays of the same shape
    """
    a, n = as_float_array("analytic", analytic), as_float_array("numeric", numeric)
    if a.shape != n.shape:
        raise ValueError(f"numeric: expected the shape of analytic {a.shape}, got {n.shape}")
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-12))


def gradcheck(loss: Callable[[Point], float], point: Point, analytic: Point, *, eps: float = 1e-6) -> float:
    """Largest relative error between an analytic gradient and central finite differences.

    Parameters
    ----------
    loss : callable
        Takes something shaped like ``point`` and returns a float.
    point : array or params object (RNNParams, LSTMParams, GRUParams)
        Where the gradient is taken.
    analytic : same type and shapes as ``point``
        The gradient to check, e.g. from :func:`rnnlab.gru_backward`.
    eps : float

    Returns
    -------
    float, the maximum over arrays (or params fields) of :func:`relative_error`; below ``1e-6``
    means the backward pass is right.

    Examples
    --------
    >>> p = GRUParams.random(2, 3)
    >>> err = gradcheck(lambda q: float(gru_forward(xs, None, q)[0].sum()), p, grads)  # doctest: +SKIP
    """
    if isinstance(point, CellParams):
        if type(analytic) is not type(point):
            raise TypeError(f"analytic: expected {type(point).__name__}, got {type(analytic).__name__}")
        errors = []
        for name, value in point.arrays().items():
            numeric = numerical_gradient(lambda array, name=name: loss(point.replace(**{name: array})), value, eps=eps)
            grad = getattr(analytic, name)
            if grad is None:
                raise ValueError(f"analytic.{name}: expected a gradient array, got None")
            if grad.shape != value.shape:
                raise ValueError(f"analytic.{name}: expected shape {value.shape}, got {grad.shape}")
            errors.append(relative_error(grad, numeric))
        return max(errors)
    point, analytic = as_float_array("point", point), as_float_array("analytic", analytic)
    if analytic.shape != point.shape:
        raise ValueError(f"analytic: expected the shape of point {point.shape}, got {analytic.shape}")
    return relative_error(analytic, numerical_gradient(loss, point, eps=eps))
