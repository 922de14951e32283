"""Checks for the BPTT exercise: one GRU step's backward pass, and a trained model's accuracy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..params import GRUParams
from ..sequence_gru import gru_backward, gru_forward
from . import messages
from ._guard import call_student as _guarded_call
from ._guard import check_untampered
from .checks import check_close, once
from .convert import as_answer, describe
from .diagnosis import api
from .diagnosis.search import closeness

GRADIENT_NAMES = messages.GRADIENT_NAMES


def reference_step_gradients(x: object, h_prev: object, p: GRUParams, dh: object) -> dict[str, np.ndarray]:
    """Gradients of ``sum(dh * h)`` for one GRU step (z weights h_prev, reset before), from rnnlab's BPTT."""
    x, h_prev, dh = (np.asarray(a, dtype=np.float64) for a in (x, h_prev, dh))
    _, cache = gru_forward(x[None], h_prev, p)
    grads, dxs, dh0 = gru_backward(dh[None], cache)
    return {**grads.arrays(), "x": dxs[0], "h_prev": dh0}


def check_gru_step_backward(
    backward: Callable[..., object], forward: Callable[..., object], x: object, h_prev: object, p: GRUParams, dh: object
) -> None:
    """Check ``backward(dh, cache, p) -> {name: gradient}`` against rnnlab's BPTT over one step.

    ``forward(x, h_prev, p) -> (h, cache)`` is the notebook's given forward step; ``x`` (B, D),
    ``h_prev`` and ``dh`` (B, H). The gradients of the weights are summed over the batch. A failure is
    diagnosed on all eight gradients together (:mod:`rnnlab.grading.diagnosis.backward`).
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    _, cache = forward(x, h_prev, p)
    result = _guarded_call(backward, (dh, cache, p), {})
    if type(result) is not dict:
        raise AssertionError(messages.build("gradients_type", received=describe(result)))
    missing = [name for name in GRADIENT_NAMES if name not in result]
    if missing:
        raise AssertionError(messages.build("gradients_missing", missing=missing))
    x, h_prev, dh = (np.asarray(a, dtype=np.float64) for a in (x, h_prev, dh))
    expected = reference_step_gradients(x, h_prev, p, dh)
    got = {name: as_answer(messages.GRADIENT.format(gradient=repr(name)), result[name]) for name in GRADIENT_NAMES}
    diagnose = once(lambda: api.gru_backward(x, h_prev, p, dh, got, closeness(1e-8)))
    for name in GRADIENT_NAMES:
        quantity = messages.GRADIENT_RETURNED.format(gradient=repr(name))
        check_close(quantity, got[name], expected[name], atol=1e-8, diagnose=diagnose)


def accuracy(p: GRUParams, w_out: object, b_out: object, xs: object, ys: object) -> float:
    """Fraction of sequences classified right by ``sigmoid(h_T . w_out + b_out) > 0.5`` (rnnlab's forward)."""
    hs, _ = gru_forward(xs, None, p)
    logits = hs[-1] @ np.asarray(w_out, dtype=np.float64) + float(b_out)
    return float(np.mean((logits > 0) == (np.asarray(ys) > 0.5)))


def check_accuracy(
    train: Callable[..., object], train_xs: object, train_ys: object, test_xs: object, test_ys: object, at_least: float
) -> None:
    """Run ``train(train_xs, train_ys) -> (p, w_out, b_out)`` and check its accuracy on held-out data.

    Training runs under the reference-call trap: it must use the student's own backward pass, not
    :func:`rnnlab.gru_backward`.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    check_untampered()
    function = messages.function_name(train)
    name = messages.CALL.format(function=function)
    trained = _guarded_call(train, (train_xs, train_ys), {})
    if type(trained) is not tuple or len(trained) != 3 or type(trained[0]) is not GRUParams:
        raise AssertionError(messages.build("train_type", name=name, received=describe(trained)))
    p, w_out, b_out = trained
    w_out = as_answer(messages.CALL_PART.format(function=function, part="w_out"), w_out)
    b_out = as_answer(messages.CALL_PART.format(function=function, part="b_out"), b_out)
    if w_out.shape != (p.hidden_size,) or b_out.shape != ():
        raise AssertionError(messages.build("train_shapes", name=name, hidden=p.hidden_size, w_shape=w_out.shape,
                                            b_shape=b_out.shape))  # fmt: skip
    score = accuracy(p, w_out, b_out, test_xs, test_ys)
    if score < at_least:
        raise AssertionError(messages.build("accuracy", name=name, at_least=at_least, score=score))
