"""The few lines of training the chapters use: two losses, clipping (by norm or by value), SGD, Adam and a loop.

Truncated backpropagation through time for long streams is :mod:`rnnlab.truncated`.

Parameters and gradients are plain dicts ``name -> float64 array``; the optimisers update the
parameter arrays in place. Everything is deterministic: no randomness lives here (batches come from
the caller, who seeds them).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ._checks import as_float_array, check_shape

Arrays = dict[str, np.ndarray]


# --- losses: each returns the mean loss and its gradient with respect to the prediction ----------


def mse(prediction: object, target: object) -> tuple[float, np.ndarray]:
    """Mean squared error and its gradient.

    .. math:: L = \\frac{1}{N} \\sum_n (\\hat y_n - y_n)^2, \\qquad
              \\frac{\\partial L}{\\partial \\hat y_n} = \\frac{2}{N} (\\hat y_n - y_n)

    Parameters
    ----------
    prediction, target : arrays of the same shape (any), N entries in all

    Returns
    -------
    loss : float
    dprediction : array shaped like ``prediction``
    """
    prediction = as_float_array("prediction", prediction)
    target = as_float_array("target", target)
    check_shape("target", target, [prediction.shape])
    error = prediction - target
    return float(np.mean(error**2)), 2.0 * error / error.size


def bce_with_logits(logits: object, labels: object) -> tuple[float, np.ndarray]:
    """Binary cross-entropy on logits :math:`s` (the probability is :math:`\\sigma(s)`), and its gradient.

    .. math:: L = \\frac{1}{N} \\sum_n \\bigl[\\log(1 + e^{s_n}) - y_n s_n\\bigr], \\qquad
              \\frac{\\partial L}{\\partial s_n} = \\frac{\\sigma(s_n) - y_n}{N}

    Written with ``logaddexp`` so that large logits do not overflow.

    Parameters
    ----------
    logits : array, any shape, N entries
    labels : array of 0s and 1s, same shape as ``logits``
    """
    logits = as_float_array("logits", logits)
    labels = as_float_array("labels", labels)
    check_shape("labels", labels, [logits.shape])
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"labels: expected only 0 and 1, got values {np.unique(labels)[:5]}")
    loss = np.mean(np.logaddexp(0.0, logits) - labels * logits)
    probability = np.exp(-np.logaddexp(0.0, -logits))
    return float(loss), (probability - labels) / logits.size


# --- clipping -------------------------------------------------------------------------------------


def global_norm(grads: Mapping[str, np.ndarray]) -> float:
    """:math:`\\lVert g \\rVert = \\sqrt{\\sum_k \\lVert g_k \\rVert^2}` over every array in ``grads``."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_by_global_norm(grads: Mapping[str, np.ndarray], max_norm: float) -> tuple[Arrays, float]:
    """Scale all gradients together so their global norm is at most ``max_norm`` (Pascanu et al. 2013).

    .. math:: g \\leftarrow g \\cdot \\min\\bigl(1, \\tfrac{\\text{max\\_norm}}{\\lVert g \\rVert}\\bigr)

    Returns
    -------
    clipped : dict of new arrays (the input is not changed)
    norm : float, the global norm *before* clipping
    """
    if not np.isfinite(max_norm) or max_norm <= 0:
        raise ValueError(f"max_norm: expected a positive finite number, got {max_norm!r}")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in grads.items()}, norm


def clip_by_value(grads: Mapping[str, np.ndarray], max_value: float) -> tuple[Arrays, float]:
    """Clip every entry of every gradient to ``[-max_value, max_value]``, each on its own.

    .. math:: g_k \\leftarrow \\min\\bigl(\\max(g_k, -c), c\\bigr), \\qquad c = \\text{max\\_value}

    Unlike :func:`clip_by_global_norm` this changes the gradient's direction whenever it clips, and the
    clipped gradient's size depends on how many entries it has. It bounds each entry's step, as
    Karpathy's min-char-rnn does (``np.clip(dparam, -5, 5)``); the book's default is norm clipping.

    Parameters
    ----------
    grads : dict of name to array
    max_value : float, the positive threshold ``c``

    Returns
    -------
    clipped : dict of new arrays (the input is not changed)
    largest : float, the largest :math:`|g_k|` *before* clipping
    """
    if not np.isfinite(max_value) or max_value <= 0:
        raise ValueError(f"max_value: expected a positive finite number, got {max_value!r}")
    largest = max((float(np.max(np.abs(g), initial=0.0)) for g in grads.values()), default=0.0)
    return {name: np.clip(g, -max_value, max_value) for name, g in grads.items()}, largest


# --- optimisers -----------------------------------------------------------------------------------


def _check_same_keys(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
    if set(params) != set(grads):
        raise ValueError(f"grads: expected the keys of params {sorted(params)}, got {sorted(grads)}")
    for name, p in params.items():
        if grads[name].shape != p.shape:
            raise ValueError(f"grads[{name!r}]: expected shape {p.shape}, got {grads[name].shape}")


class SGD:
    """Stochastic gradient descent with optional momentum.

    .. math:: v \\leftarrow \\mu v + g, \\qquad \\theta \\leftarrow \\theta - \\eta v
    """

    def __init__(self, lr: float = 0.1, momentum: float = 0.0) -> None:
        if lr <= 0 or not 0 <= momentum < 1:
            raise ValueError(f"lr, momentum: expected lr > 0 and 0 <= momentum < 1, got {lr!r}, {momentum!r}")
        self.lr, self.momentum = lr, momentum
        self.velocity: Arrays = {}

    def step(self, params: Arrays, grads: Mapping[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place."""
        _check_same_keys(params, grads)
        for name, g in grads.items():
            v = self.velocity.get(name, np.zeros_like(g))
            self.velocity[name] = v = self.momentum * v + g
            params[name] -= self.lr * v


class Adam:
    """Adam (Kingma and Ba, 2015) with bias correction.

    .. math::
        m \\leftarrow \\beta_1 m + (1-\\beta_1) g, \\quad
        v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2, \\quad
        \\theta \\leftarrow \\theta - \\eta \\, \\frac{m / (1-\\beta_1^t)}{\\sqrt{v / (1-\\beta_2^t)} + \\epsilon}

    ``lr`` is one rate for every entry, or a dict ``name -> array`` shaped like the parameter giving each
    entry its own rate (0 freezes an entry); :mod:`rnnlab.ensemble` uses that to train many runs at once.
    """

    def __init__(
        self, lr: float | Mapping[str, np.ndarray] = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        rates = list(lr.values()) if isinstance(lr, Mapping) else [np.asarray(lr)]
        lr_ok = all(np.all(np.isfinite(r)) and np.all(r >= 0) for r in rates) and any(np.any(r > 0) for r in rates)
        if not lr_ok or not (0 <= beta1 < 1 and 0 <= beta2 < 1) or eps <= 0:
            raise ValueError(f"expected lr > 0, 0 <= beta1, beta2 < 1, eps > 0; got {lr}, {beta1}, {beta2}, {eps}")
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m: Arrays = {}
        self.v: Arrays = {}

    def step(self, params: Arrays, grads: Mapping[str, np.ndarray]) -> None:
        """Update every array of ``params`` in place."""
        _check_same_keys(params, grads)
        self.t += 1
        for name, g in grads.items():
            m = self.beta1 * self.m.get(name, 0.0) + (1 - self.beta1) * g
            v = self.beta2 * self.v.get(name, 0.0) + (1 - self.beta2) * g * g
            self.m[name], self.v[name] = m, v
            m_hat = m / (1 - self.beta1**self.t)
            v_hat = v / (1 - self.beta2**self.t)
            lr = self.lr[name] if isinstance(self.lr, Mapping) else self.lr
            params[name] -= lr * m_hat / (np.sqrt(v_hat) + self.eps)


# --- the loop -------------------------------------------------------------------------------------


@dataclasses.dataclass
class History:
    """What :func:`train` records: the loss and the global gradient norm (before clipping) per step."""

    losses: np.ndarray
    grad_norms: np.ndarray
    seconds: float


def train(
    loss_and_grads: Callable[[Arrays, Any], tuple[float, Arrays]],
    params: Arrays,
    next_batch: Callable[[int], Any],
    *,
    steps: int,
    optimizer: SGD | Adam,
    max_norm: float | None = 1.0,
    clip_value: float | None = None,
    desc: str = "training",
    progress: bool = True,
) -> History:
    """Train ``params`` in place for ``steps`` steps and return the :class:`History`.

    Each step: ``batch = next_batch(step)``; ``loss, grads = loss_and_grads(params, batch)``; clip every
    entry to ``clip_value`` (skipped if None), then the global norm to ``max_norm`` (skipped if None);
    ``optimizer.step(params, grads)``. The recorded norm is the gradient's before any clipping.

    Parameters
    ----------
    loss_and_grads : callable (params, batch) -> (float, dict of gradients shaped like params)
    params : dict name -> float64 array, changed in place
    next_batch : callable step -> batch (seed it by the step for reproducible runs)
    steps : int, number of optimisation steps
    optimizer : SGD or Adam
    max_norm : float or None, threshold for :func:`clip_by_global_norm`
    clip_value : float or None, threshold for :func:`clip_by_value` (element-wise, applied first)
    desc, progress : label of the ``tqdm.auto`` progress bar, and whether to show it
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps: expected a positive int, got {steps!r}")
    losses, norms = np.empty(steps), np.empty(steps)
    start = time.perf_counter()
    bar = tqdm(range(steps), desc=desc, disable=not progress, mininterval=0.5)
    for step in bar:
        loss, grads = loss_and_grads(params, next_batch(step))
        if not np.isfinite(loss):
            raise FloatingPointError(f"loss became {loss} at step {step}; lower the learning rate or max_norm")
        if clip_value is None and max_norm is not None:
            grads, norms[step] = clip_by_global_norm(grads, max_norm)
        else:
            norms[step] = global_norm(grads)
            if clip_value is not None:
                grads, _ = clip_by_value(grads, clip_value)
            if max_norm is not None:
                grads, _ = clip_by_global_norm(grads, max_norm)
        optimizer.step(params, grads)
        losses[step] = loss
        if step % 25 == 0 or step == steps - 1:
            bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
    bar.close()
    return History(losses=losses, grad_norms=norms, seconds=time.perf_counter() - start)
