"""rnnlab.masking: carrying the state through padded steps, forward (against unpadded runs) and backward
(against finite differences), for every cell kind."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab.masking import lengths_to_mask, masked_backward, masked_forward

PARAMS = {"rnn": rnnlab.RNNParams, "lstm": rnnlab.LSTMParams, "gru": rnnlab.GRUParams}
LENGTHS = np.array([5, 3, 1, 4])


def setup(kind, seed=0):
    p = PARAMS[kind].random(2, 3, seed=seed)
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((5, len(LENGTHS), 2))
    return p, xs, lengths_to_mask(LENGTHS, 5), rng


def test_lengths_to_mask():
    np.testing.assert_array_equal(lengths_to_mask(np.array([2, 1]), 3), [[1, 1], [1, 0], [0, 0]])
    for bad in (np.array([0, 2]), np.array([4]), np.array([1.5])):
        with pytest.raises(ValueError, match="lengths"):
            lengths_to_mask(bad, 3)


@pytest.mark.parametrize("kind", PARAMS)
def test_the_last_state_is_each_sequences_state_at_its_own_length(kind):
    p, xs, mask, _ = setup(kind)
    states, _ = masked_forward(xs, mask, p)
    for b, n in enumerate(LENGTHS):
        alone, _ = rnnlab.cell_kind(kind).run(xs[:n, b : b + 1], p)
        for ours, theirs in zip(states, alone, strict=True):
            np.testing.assert_allclose(ours[n - 1 :, b], np.repeat(theirs[-1], len(xs) - n + 1, axis=0), atol=1e-14)
            np.testing.assert_allclose(ours[:n, b], theirs[:, 0], atol=1e-14)


@pytest.mark.parametrize("kind", PARAMS)
def test_an_all_ones_mask_is_the_fused_forward_and_backward(kind):
    p, xs, _, rng = setup(kind, seed=2)
    mask = np.ones(xs.shape[:2])
    states, cache = masked_forward(xs, mask, p)
    fused, fused_cache = rnnlab.cell_kind(kind).run(xs, p)
    for ours, theirs in zip(states, fused, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-13)
    dhs = rng.standard_normal(states[0].shape)
    grads, dxs, dstart = masked_backward(dhs, cache)
    ref, ref_dxs, ref_dstart = rnnlab.cell_kind(kind).backprop(dhs, fused_cache)
    for name, g in grads.arrays().items():
        np.testing.assert_allclose(g, ref.arrays()[name], atol=1e-12)
    np.testing.assert_allclose(dxs, ref_dxs, atol=1e-12)
    for ours, theirs in zip(dstart, ref_dstart, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("kind", PARAMS)
def test_masked_backward_matches_finite_differences(kind):
    p, xs, mask, rng = setup(kind, seed=1)
    h0 = [rng.standard_normal((len(LENGTHS), 3)) for _ in rnnlab.cell_kind(kind).states]
    u = rng.standard_normal((5, len(LENGTHS), 3))

    def loss_of(q, x=xs, start=h0):
        return float(np.sum(masked_forward(x, mask, q, tuple(start))[0][0] * u))

    _, cache = masked_forward(xs, mask, p, tuple(h0))
    grads, dxs, dstart = masked_backward(u, cache)
    assert rnnlab.gradcheck(loss_of, p, grads) < 1e-7
    numeric_dx = rnnlab.numerical_gradient(lambda x: loss_of(p, x), xs)
    assert rnnlab.relative_error(dxs, numeric_dx) < 1e-7
    np.testing.assert_array_equal(dxs[mask == 0], 0.0)  # padded inputs are never read
    for k in range(len(h0)):

        def loss_start(s, k=k):
            start = list(h0)
            start[k] = s
            return loss_of(p, start=start)

        assert rnnlab.relative_error(dstart[k], rnnlab.numerical_gradient(loss_start, h0[k])) < 1e-7


def test_masked_forward_checks_its_arguments():
    p, xs, mask, _ = setup("rnn")
    with pytest.raises(ValueError, match="mask"):
        masked_forward(xs, mask[:-1], p)
    with pytest.raises(ValueError, match="mask"):
        masked_forward(xs, 0.5 * mask, p)
    with pytest.raises(ValueError, match="xs"):
        masked_forward(xs[..., :1], mask, p)
    with pytest.raises(TypeError, match="MaskedCache"):
        masked_backward(np.zeros((5, 4, 3)), None)
