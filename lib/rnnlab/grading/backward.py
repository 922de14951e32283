"""Checks for the BPTT exercise: one GRU step's backward pass, and a trained model's accuracy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..params import GRUParams
from ..sequence_gru import gru_backward, gru_forward
from . import messages
from ._guard import call_student as _guarded_call
from ._guard import check_untampered
from .checks import check_close
from .convert import as_answer, describe

GRADIENT_NAMES = messages.GRADIENT_NAMES


def reference_step_gradients(x: object, h_prev: object, p: GRUParams, dh: object) -> dict[str, np.ndarray]:
    """Gradients of ``sum(dh * h)`` for one GRU step (z weights h_prev, reset before), from rnnlab's BPTT."""
    x, h_prev, dh = (np.asarray(a, dtype=np.float64) for a in (x, h_prev, dh))
    _, cache = gru_forward(x[None], h_prev, p)
    grads, dxs, dh0 = gru_backward(dh[None], cache)
    return {**grads.arrays(), "x": dxs[0], "h_prev": dh0}


def _step_backward(x: np.ndarray, h_prev: np.ndarray, p: GRUParams, dh: np.ndarray, **slip: bool) -> dict:
    """One GRU step's backward pass written out line by line, with switches for the common slips.

    Independent of :mod:`rnnlab.sequence_gru`; with no switch set it gives the right gradients.
    """
    H = p.hidden_size
    v = np.concatenate([h_prev, x], axis=-1)
    r = 0.5 * np.tanh(0.5 * (v @ p.W_r.T + p.b_r)) + 0.5
    z = 0.5 * np.tanh(0.5 * (v @ p.W_z.T + p.b_z)) + 0.5
    v_h = np.concatenate([r * h_prev, x], axis=-1)
    h_tilde = np.tanh(v_h @ p.W_h.T + p.b_h)
    dh_tilde = dh * (1 - z)
    dz = dh * (h_prev - h_tilde) * (-1.0 if slip.get("z_sign") else 1.0)
    da_h = dh_tilde * ((1 - h_tilde) if slip.get("tanh_prime") else (1 - h_tilde**2))
    dv_h = da_h @ p.W_h
    d_rh = dv_h[:, :H]
    dr = d_rh * h_prev
    dh_prev = dh * z + (0.0 if slip.get("no_reset_path") else d_rh * r)
    sigmoid_prime = (lambda s: 1.0) if slip.get("sigmoid_prime") else (lambda s: s * (1 - s))
    da_z, da_r = dz * sigmoid_prime(z), dr * sigmoid_prime(r)
    dv = da_z @ p.W_z + da_r @ p.W_r
    return {
        "W_r": da_r.T @ v, "b_r": da_r.sum(axis=0), "W_z": da_z.T @ v, "b_z": da_z.sum(axis=0),
        "W_h": da_h.T @ v_h, "b_h": da_h.sum(axis=0), "x": dv_h[:, H:] + dv[:, H:], "h_prev": dh_prev + dv[:, :H],
    }  # fmt: skip


def _mistakes(x: np.ndarray, h_prev: np.ndarray, p: GRUParams, dh: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """The gradients each common slip produces."""
    return {
        "the sign of dz flipped, as for the other z convention (here dz = dh * (h_prev - h_tilde))": _step_backward(
            x, h_prev, p, dh, z_sign=True
        ),
        "the tanh derivative written as 1 - h_tilde instead of 1 - h_tilde**2": _step_backward(
            x, h_prev, p, dh, tanh_prime=True
        ),
        "the sigmoid derivative s * (1 - s) left out of dr or dz": _step_backward(x, h_prev, p, dh, sigmoid_prime=True),
        "the path from h_prev through r * h_prev into the candidate left out of the h_prev gradient": _step_backward(
            x, h_prev, p, dh, no_reset_path=True
        ),
    }


def check_gru_step_backward(
    backward: Callable[..., object], forward: Callable[..., object], x: object, h_prev: object, p: GRUParams, dh: object
) -> None:
    """Check ``backward(dh, cache, p) -> {name: gradient}`` against rnnlab's BPTT over one step.

    ``forward(x, h_prev, p) -> (h, cache)`` is the notebook's given forward step; ``x`` (B, D),
    ``h_prev`` and ``dh`` (B, H). The gradients of the weights are summed over the batch.
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
    mistakes = _mistakes(x, h_prev, p, dh)
    for name in GRADIENT_NAMES:
        got = as_answer(messages.GRADIENT.format(gradient=repr(name)), result[name])
        diagnose = {mistake: values[name] for mistake, values in mistakes.items()}
        quantity = messages.GRADIENT_RETURNED.format(gradient=repr(name))
        check_close(quantity, got, expected[name], atol=1e-8, diagnose=diagnose)


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
