"""rnnlab.init: random orthogonal matrices (QR of a Gaussian, signs fixed) and orthogonal recurrent blocks."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.init import orthogonal, with_orthogonal_recurrent
from rnnlab.models import SequenceModel


@pytest.mark.parametrize("n", [1, 2, 7, 32])
def test_orthogonal_has_every_singular_value_equal_to_the_gain(n):
    for gain in (1.0, 0.5, 2.0):
        q = orthogonal(n, seed=3, gain=gain)
        assert q.shape == (n, n)
        np.testing.assert_allclose(q.T @ q, gain**2 * np.eye(n), atol=1e-12)
        np.testing.assert_allclose(np.linalg.svd(q, compute_uv=False), gain, atol=1e-12)


def test_orthogonal_is_deterministic_per_seed_and_differs_between_seeds():
    assert np.array_equal(orthogonal(6, seed=1), orthogonal(6, seed=1))
    assert not np.allclose(orthogonal(6, seed=1), orthogonal(6, seed=2))


def test_the_sign_fix_makes_qr_unique():
    """Q's own QR factor R has a positive diagonal once the signs are fixed: Q = (A's Q) diag(sign R_ii)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 5))
    q = orthogonal(5, seed=0)
    # A = Q R' with R' = diag(sign) R upper triangular with a positive diagonal
    r = q.T @ a
    np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-12)
    assert np.all(np.diag(r) > 0)


def test_orthogonal_is_haar_distributed_on_average():
    """The mean of many draws is near zero (a fixed sign convention without the fix biases the diagonal)."""
    draws = np.stack([orthogonal(3, seed=s) for s in range(2000)])
    assert np.max(np.abs(draws.mean(axis=0))) < 0.05


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_orthogonal_rejects_a_bad_size(bad):
    with pytest.raises((ValueError, TypeError)):
        orthogonal(bad)


@pytest.mark.parametrize("gain", [0.0, -1.0, np.inf])
def test_orthogonal_rejects_a_bad_gain(gain):
    with pytest.raises(ValueError, match="gain"):
        orthogonal(3, gain=gain)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_with_orthogonal_recurrent_replaces_only_the_recurrent_blocks(kind):
    H, D = 5, 3
    params = SequenceModel(kind, input_size=D, hidden_size=H).init(seed=0)
    new = with_orthogonal_recurrent(params, H, seed=4, gain=1.5)
    assert set(new) == set(params)
    cell_weights = [name for name in params if name in ("W",) or (name.startswith("W_") and name != "W_y")]
    assert len(cell_weights) == {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    for name, array in params.items():
        if name in cell_weights:
            np.testing.assert_array_equal(new[name][:, H:], array[:, H:])  # V_* unchanged
            U = new[name][:, :H]
            np.testing.assert_allclose(U.T @ U, 1.5**2 * np.eye(H), atol=1e-12)
        else:
            np.testing.assert_array_equal(new[name], array)
    assert new["W_y"] is not params["W_y"]  # copies, the input is untouched
    blocks = [new[name][:, :H] for name in cell_weights]
    assert all(not np.allclose(a, b) for a, b in zip(blocks, blocks[1:], strict=False))  # one Q per gate


def test_with_orthogonal_recurrent_checks_its_input():
    with pytest.raises(ValueError, match="cell weights"):
        with_orthogonal_recurrent({"W_y": np.zeros((1, 3))}, 3)
    with pytest.raises(ValueError, match="expected shape"):
        with_orthogonal_recurrent({"W": np.zeros((3, 3))}, 3)
