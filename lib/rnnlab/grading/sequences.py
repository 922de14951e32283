"""Checks of functions that run over a whole sequence: unrolling a plain RNN and the gradient norms of BPTT.

A failure is diagnosed by the engine (:mod:`rnnlab.grading.diagnosis.sequences`): the step's mutations at
every time step, and the loop's own (the state not carried, shifted, reversed; the norms reversed).

A single sequence is ``xs`` (T, D) with ``h0`` (H,); a batch is ``xs`` (T, B, D) with ``h0`` (B, H).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..params import RNNParams
from ..sequence_rnn import rnn_backward, rnn_forward
from . import messages
from ._guard import check_untampered
from .checks import check_close, once
from .diagnosis import api
from .diagnosis.search import closeness
from .steps import call_returning


def reference_unroll(xs: object, h0: object, W: object, b: object) -> np.ndarray:
    """rnnlab's states for a single sequence (T, D) or a batch (T, B, D)."""
    xs = np.asarray(xs, dtype=np.float64)
    single = xs.ndim == 2
    hs, _ = rnn_forward(xs[:, None, :] if single else xs, h0, RNNParams(W, b))
    return hs[:, 0, :] if single else hs


def check_rnn_unroll(fn: Callable[..., object], xs: object, h0: object, W: object, b: object) -> None:
    """Check ``fn(xs, h0, W, b) -> hs`` (T, H) or (T, B, H) against :func:`rnnlab.rnn_forward`."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    (hs,) = call_returning(fn, 1, xs, h0, W, b)
    diagnose = once(lambda: api.unroll(xs, h0, RNNParams(W, b), hs, closeness(1e-8)))
    check_close(messages.UNROLL_HS, hs, reference_unroll(xs, h0, W, b), atol=1e-8, diagnose=diagnose)


def reference_gradient_norms(xs: object, h0: object, W: object, b: object) -> np.ndarray:
    """``norms[k]`` = the norm of the gradient of ``sum(h_{T-1})`` with respect to ``h_k``, from rnnlab's BPTT.

    Each entry is computed independently: rerun the RNN from ``h_k`` over the remaining inputs and read
    the gradient with respect to that initial state from :func:`rnnlab.rnn_backward`.
    """
    xs = np.asarray(xs, dtype=np.float64)
    p = RNNParams(W, b)
    hs = reference_unroll(xs, h0, W, b)
    T, H = hs.shape
    norms = np.empty(T)
    norms[T - 1] = np.sqrt(H)  # d sum(h) / d h = ones
    for k in range(T - 1):
        rest = xs[k + 1 :, None, :]
        _, cache = rnn_forward(rest, hs[k], p)
        dhs = np.zeros((len(rest), 1, H))
        dhs[-1] = 1.0
        _, _, dh_k = rnn_backward(dhs, cache)
        norms[k] = np.linalg.norm(dh_k)
    return norms


def check_gradient_norms(fn: Callable[..., object], xs: object, h0: object, W: object, b: object) -> None:
    """Check ``fn(xs, h0, W, b) -> norms`` (T,) against :func:`reference_gradient_norms`."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    (norms,) = call_returning(fn, 1, xs, h0, W, b)
    diagnose = once(lambda: api.gradient_norms(xs, h0, RNNParams(W, b), norms, closeness(1e-8)))
    check_close(messages.NORMS, norms, reference_gradient_norms(xs, h0, W, b), atol=1e-8, diagnose=diagnose)
