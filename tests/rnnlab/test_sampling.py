"""rnnlab.sampling against independent references: hand arithmetic, the frequency of each token, the argmax."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.sampling import sample_next, softmax_with_temperature


def test_softmax_with_temperature_by_hand_and_stable():
    # logits log(1), log(3) at temperature 1: probabilities 1/4, 3/4
    ours = softmax_with_temperature(np.log([1.0, 3.0]), 1.0)
    np.testing.assert_allclose(ours, [0.25, 0.75], rtol=1e-12, err_msg=f"ours {ours} vs reference [0.25, 0.75]")
    # temperature 2 halves the logits: log(1)/2, log(9)/2 = log(1), log(3)
    ours = softmax_with_temperature(np.log([1.0, 9.0]), 2.0)
    np.testing.assert_allclose(ours, [0.25, 0.75], rtol=1e-12, err_msg=f"ours {ours} vs reference [0.25, 0.75]")
    with np.errstate(over="raise"):
        big = softmax_with_temperature([[1000.0, 1000.0 + np.log(3.0)], [0.0, 0.0]], 1.0)
    np.testing.assert_allclose(big, [[0.25, 0.75], [0.5, 0.5]], rtol=1e-9, err_msg=f"ours {big}")


def test_inverse_cdf_sampling_takes_the_first_cumulative_sum_above_u():
    zeros = np.zeros(4)  # cumulative sums exactly 0.25, 0.5, 0.75, 1
    ours = [sample_next(zeros, 1.0, u) for u in (0.0, 0.2499, 0.25, 0.5, 0.75, 0.9999)]
    assert ours == [0, 0, 1, 2, 3, 3], f"ours {ours} vs reference [0, 0, 1, 2, 3, 3]"


def test_token_frequencies_follow_the_probabilities():
    logits = np.array([0.5, -1.0, 2.0, 1.0])
    us = (np.arange(20000) + 0.5) / 20000  # evenly spread u: each token's share is its probability
    counts = np.bincount([sample_next(logits, 1.5, u) for u in us], minlength=4) / len(us)
    reference = softmax_with_temperature(logits, 1.5)
    np.testing.assert_allclose(counts, reference, atol=1e-4, err_msg=f"ours {counts} vs reference {reference}")


def test_a_tiny_temperature_picks_the_argmax_and_bad_input_is_refused():
    logits = np.array([0.5, -1.0, 2.0, 1.0])
    assert {sample_next(logits, 1e-4, u) for u in (0.0, 0.5, 0.999)} == {2}
    for bad in (0.0, -1.0, np.inf):
        with pytest.raises(ValueError, match="temperature"):
            softmax_with_temperature(logits, bad)
    with pytest.raises(ValueError, match="u: expected"):
        sample_next(logits, 1.0, 1.0)
