"""Checks of functions that run over a whole sequence: unrolling a plain RNN and the gradient norms of BPTT.

A single sequence is ``xs`` (T, D) with ``h0`` (H,); a batch is ``xs`` (T, B, D) with ``h0`` (B, H).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..params import RNNParams
from ..sequence_rnn import rnn_backward, rnn_forward
from . import messages
from ._guard import check_untampered
from .checks import check_close
from .mistakes import _rnn
from .steps import call_returning


def reference_unroll(xs: object, h0: object, W: object, b: object) -> np.ndarray:
    """rnnlab's states for a single sequence (T, D) or a batch (T, B, D)."""
    xs = np.asarray(xs, dtype=np.float64)
    single = xs.ndim == 2
    hs, _ = rnn_forward(xs[:, None, :] if single else xs, h0, RNNParams(W, b))
    return hs[:, 0, :] if single else hs


def unroll_mistakes(xs: object, h0: object, W: object, b: object) -> dict[str, np.ndarray]:
    """What the common unrolling mistakes produce, each written out as its own loop."""
    xs, h0, W, b = (np.asarray(a, dtype=np.float64) for a in (xs, h0, W, b))
    h0 = np.broadcast_to(h0, xs.shape[:-1][1:] + (W.shape[0],))
    not_carried = np.stack([_rnn(x, h0, W, b)["h"] for x in xs])
    states, h = [], h0
    for x in xs:
        states.append(h)
        h = _rnn(x, h, W, b)["h"]
    shifted = np.stack(states)
    variants = {
        "the state is not carried forward (every step starts again from h0)": not_carried,
        "the states are shifted by one step (h0 is returned first and the last state is missing)": shifted,
    }
    for mistake, how in {
        "a missing bias": {"no_bias": True},
        "[x, h] concatenated instead of [h, x]": {"order": "xh"},
        "sigmoid used instead of tanh": {"act": "sigmoid"},
    }.items():
        states, h = [], h0
        for x in xs:
            h = _rnn(x, h, W, b, **how)["h"]
            states.append(h)
        variants[messages.INSIDE_THE_STEP + mistake] = np.stack(states)
    return variants


def check_rnn_unroll(fn: Callable[..., object], xs: object, h0: object, W: object, b: object) -> None:
    """Check ``fn(xs, h0, W, b) -> hs`` (T, H) or (T, B, H) against :func:`rnnlab.rnn_forward`."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    (hs,) = call_returning(fn, 1, xs, h0, W, b)
    check_close(messages.UNROLL_HS, hs, reference_unroll(xs, h0, W, b), atol=1e-8,
                diagnose=unroll_mistakes(xs, h0, W, b))  # fmt: skip


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


def gradient_norm_mistakes(xs: object, h0: object, W: object, b: object) -> dict[str, np.ndarray]:
    """What the common mistakes in the backward recursion produce."""
    W = np.asarray(W, dtype=np.float64)
    hs = reference_unroll(xs, h0, W, b)
    T, H = hs.shape
    W_hh = W[:, :H]

    def backward(step: Callable[[np.ndarray, int], np.ndarray]) -> np.ndarray:
        g, norms = np.ones(H), np.empty(T)
        norms[T - 1] = np.linalg.norm(g)
        for k in range(T - 1, 0, -1):
            g = step(g, k)
            norms[k - 1] = np.linalg.norm(g)
        return norms

    right = backward(lambda g, k: W_hh.T @ (g * (1 - hs[k] ** 2)))
    return {
        "the tanh derivative (1 - h**2) left out": backward(lambda g, k: W_hh.T @ g),
        "W_hh used where its transpose belongs": backward(lambda g, k: W_hh @ (g * (1 - hs[k] ** 2))),
        "the tanh derivative taken at the wrong step (h_{k-1} instead of h_k)": backward(
            lambda g, k: W_hh.T @ (g * (1 - hs[k - 1] ** 2))
        ),
        "the norms listed from the last step to the first": right[::-1],
    }


def check_gradient_norms(fn: Callable[..., object], xs: object, h0: object, W: object, b: object) -> None:
    """Check ``fn(xs, h0, W, b) -> norms`` (T,) against :func:`reference_gradient_norms`."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    (norms,) = call_returning(fn, 1, xs, h0, W, b)
    variants = gradient_norm_mistakes(xs, h0, W, b)
    check_close(messages.NORMS, norms, reference_gradient_norms(xs, h0, W, b), atol=1e-8,
                diagnose=variants)  # fmt: skip
