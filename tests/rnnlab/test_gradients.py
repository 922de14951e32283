"""Every backward pass against finite differences, twice: with ``rnnlab.gradcheck`` and with a plain
central difference written here, for the parameters, the inputs and the initial states.

The loss is :math:`L = \\sum_t \\sum_b w_{tb} \\cdot h_{tb}` with fixed random weights ``w``, so ``dhs = w``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams

TOLERANCE = 1e-6
GRU_CONVENTIONS = [
    {"z_weights": z, "reset": r, "b_hn": b_hn}
    for z in ("old", "new")
    for r in ("before", "after")
    for b_hn in ((False, True) if r == "after" else (False,))
]
# (T, B, D, H): the smallest case, a one-vector state, and the largest sizes the brief allows
SIZES = [(1, 1, 1, 1), (3, 2, 3, 2), (4, 3, 4, 4)]


def case(kind: str, sizes, seed: int = 0, b_hn: bool = False):
    """Params, inputs and upstream gradients for one check; biases are nonzero, b_hn too when asked."""
    T, B, D, H = sizes
    rng = np.random.default_rng(seed)
    p = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}[kind].random(D, H, seed=seed)
    if b_hn:
        p = p.replace(b_hn=rng.uniform(-0.5, 0.5, H))
    return p, rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng.normal(size=(T, B, H))


def forward_backward(kind, p, xs, h0, c0, dhs, conventions):
    """Return the loss and the analytic gradients (grads, dxs, dh0, dc0 or None)."""
    if kind == "lstm":
        hs, _, cache = rnnlab.lstm_forward(xs, h0, c0, p)
        return float(np.sum(hs * dhs)), rnnlab.lstm_backward(dhs, cache)
    if kind == "gru":
        hs, cache = rnnlab.gru_forward(xs, h0, p, **conventions)
        return float(np.sum(hs * dhs)), (*rnnlab.gru_backward(dhs, cache), None)
    hs, cache = rnnlab.rnn_forward(xs, h0, p)
    return float(np.sum(hs * dhs)), (*rnnlab.rnn_backward(dhs, cache), None)


def central_difference(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Our own finite differences: nudge one entry at a time both ways."""
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[k] += eps
        minus[k] -= eps
        grad[k] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    return float(np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12))


def check_all(kind: str, sizes, conventions: dict, b_hn: bool = False, shared_states: bool = False) -> None:
    p, xs, h0, c0, dhs = case(kind, sizes, seed=sum(sizes), b_hn=b_hn)
    if shared_states:  # one (H,) state for the whole batch
        h0, c0 = h0[0], c0[0]
    _, (grads, dxs, dh0, dc0) = forward_backward(kind, p, xs, h0, c0, dhs, conventions)

    def loss(p=p, xs=xs, h0=h0, c0=c0):
        return forward_backward(kind, p, xs, h0, c0, dhs, conventions)[0]

    # rnnlab.gradcheck, on the params object as a whole and on each array input
    checks = {
        "params (gradcheck)": rnnlab.gradcheck(lambda q: loss(p=q), p, grads),
        "xs (gradcheck)": rnnlab.gradcheck(lambda a: loss(xs=a), xs, dxs),
        "h0 (gradcheck)": rnnlab.gradcheck(lambda a: loss(h0=a), h0, dh0),
    }
    if kind == "lstm":
        checks["c0 (gradcheck)"] = rnnlab.gradcheck(lambda a: loss(c0=a), c0, dc0)
    # our own central differences, field by field
    fields = {f.name: getattr(p, f.name) for f in dataclasses.fields(p)}
    for name, value in p.arrays().items():
        numeric = central_difference(lambda a, name=name: loss(p=type(p)(**(fields | {name: a}))), np.array(value))
        checks[f"{name} (ours)"] = error(getattr(grads, name), numeric)
    checks["xs (ours)"] = error(dxs, central_difference(lambda a: loss(xs=a), xs))
    checks["h0 (ours)"] = error(dh0, central_difference(lambda a: loss(h0=a), h0))
    if kind == "lstm":
        checks["c0 (ours)"] = error(dc0, central_difference(lambda a: loss(c0=a), c0))
    bad = {name: value for name, value in checks.items() if not value < TOLERANCE}
    assert not bad, f"relative errors of ours vs finite differences above {TOLERANCE}: {bad}"


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_rnn_and_lstm_backward(kind, sizes):
    check_all(kind, sizes, {})


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(
    "convention", GRU_CONVENTIONS, ids=lambda c: f"{c['z_weights']}-{c['reset']}{'-b_hn' if c['b_hn'] else ''}"
)
def test_gru_backward(convention, sizes):
    conventions = {k: convention[k] for k in ("z_weights", "reset")}
    check_all("gru", sizes, conventions, b_hn=convention["b_hn"])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_backward_with_one_state_shared_by_the_batch(kind):
    conventions = {"z_weights": "new", "reset": "after"} if kind == "gru" else {}
    check_all(kind, (3, 3, 2, 3), conventions, b_hn=kind == "gru", shared_states=True)


def test_gru_after_without_b_hn_still_returns_its_gradient():
    """With reset="after" and b_hn None (zero), the gradient for b_hn is still the true one."""
    p, xs, h0, _, dhs = case("gru", (3, 2, 2, 3), seed=4)
    _, (grads, *_rest) = forward_backward("gru", p, xs, h0, None, dhs, {"reset": "after", "z_weights": "old"})
    numeric = rnnlab.numerical_gradient(
        lambda b: forward_backward("gru", p.replace(b_hn=b), xs, h0, None, dhs, {"reset": "after"})[0], np.zeros(3)
    )
    assert error(grads.b_hn, numeric) < TOLERANCE, f"ours {grads.b_hn} vs finite differences {numeric}"


def test_numerical_gradient_and_relative_error_on_known_functions():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    ours = rnnlab.numerical_gradient(lambda a: float(np.sum(a**3)), x)
    np.testing.assert_allclose(ours, 3 * x**2, rtol=1e-8, err_msg="ours vs d/dx sum(x^3) = 3x^2")
    same = rnnlab.relative_error([3.0, 4.0], [3.0, 4.0])
    assert same == 0.0, f"equal arrays: ours {same} vs 0"
    reference = 1.0 / (5.0 + np.sqrt(34.0))  # |(0, -1)| / (|(3, 4)| + |(3, 5)|)
    ours_error = rnnlab.relative_error([3.0, 4.0], [3.0, 5.0])
    assert abs(ours_error - reference) < 1e-15, f"ours {ours_error} vs reference {reference}"
    zeros = rnnlab.relative_error(np.zeros(3), np.zeros(3))
    assert zeros == 0.0, f"two zero gradients: ours {zeros} vs 0"


def test_gradcheck_catches_a_wrong_gradient():
    p, xs, h0, _, dhs = case("rnn", (2, 2, 2, 2))
    _, (grads, dxs, _dh0, _) = forward_backward("rnn", p, xs, h0, None, dhs, {})
    wrong = grads.replace(b=grads.b * 1.01)
    ours = rnnlab.gradcheck(lambda q: forward_backward("rnn", q, xs, h0, None, dhs, {})[0], p, wrong)
    assert ours > 1e-3, f"ours {ours}: a 1% error in one field must show"
    ours = rnnlab.gradcheck(lambda a: forward_backward("rnn", p, a, h0, None, dhs, {})[0], xs, -dxs)
    assert ours > 0.5, f"ours {ours}: the negated gradient must give a relative error near 1"
