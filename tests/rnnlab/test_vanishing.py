"""rnnlab.state_gradient_norms: the sweep of chapters 02-04, checked against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab.vanishing import _tail_gradient

D, H, T = 3, 4, 6
CELLS = {"rnn": rnnlab.RNNParams, "lstm": rnnlab.LSTMParams, "gru": rnnlab.GRUParams}


def last_state_loss(p, xs, start, u):
    """L = u . h_T, running the cell from the state ``start`` (h, or h and c stacked) over ``xs``."""
    if isinstance(p, rnnlab.LSTMParams):
        hs, _, _ = rnnlab.lstm_forward(xs, start[:H].reshape(1, H), start[H:].reshape(1, H), p)
    else:
        forward = rnnlab.gru_forward if isinstance(p, rnnlab.GRUParams) else rnnlab.rnn_forward
        hs, _ = forward(xs, start.reshape(1, H), p)
    return float(u @ hs[-1, 0])


@pytest.mark.parametrize("kind", CELLS)
def test_each_norm_is_the_norm_of_the_finite_difference_gradient(kind):
    p = CELLS[kind].random(D, H, seed=3)
    rng = np.random.default_rng(4)
    xs, u = rng.standard_normal((T, 1, D)), rng.standard_normal(H)
    norms = rnnlab.state_gradient_norms(p, xs, u)
    assert norms.shape == (T - 1,)
    for k in range(1, T):
        start = rng.standard_normal(2 * H if kind == "lstm" else H)
        pieces = (start[:H].reshape(1, H), start[H:].reshape(1, H)) if kind == "lstm" else (start.reshape(1, H),)
        analytic = _tail_gradient(p, xs[T - k :], pieces, u)
        numeric = rnnlab.numerical_gradient(lambda s, k=k: last_state_loss(p, xs[T - k :], s, u), start)
        error = rnnlab.relative_error(analytic, numeric)
        assert error < 1e-8, f"{kind}, k = {k}: ours {analytic} vs finite differences {numeric}"


@pytest.mark.parametrize(
    ("xs_shape", "u_shape", "message"),
    [((T, 2, D), (H,), r"xs: expected shape \(T, 1, 3\)"), ((T, 1, D), (H + 1,), r"u: expected shape \(4,\)")],
)
def test_bad_shapes_name_the_argument(xs_shape, u_shape, message):
    with pytest.raises(ValueError, match=message):
        rnnlab.state_gradient_norms(rnnlab.RNNParams.random(D, H), np.zeros(xs_shape), np.zeros(u_shape))


def test_other_objects_are_refused():
    with pytest.raises(TypeError, match="expected RNNParams, LSTMParams or GRUParams, got dict"):
        rnnlab.state_gradient_norms({}, np.zeros((T, 1, D)), np.zeros(H))
