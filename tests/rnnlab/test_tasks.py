"""rnnlab.tasks: shapes, determinism for a seed, label balance and the documented rules of each task."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab import tasks


def test_adding_problem_shapes_markers_and_targets():
    xs, y = tasks.adding_problem(n=50, lag=12, seed=3)
    assert xs.shape == (12, 50, 2) and y.shape == (50, 1), f"shapes ours {xs.shape}, {y.shape}"
    markers = xs[..., 1]
    assert np.all(markers.sum(axis=0) == 2), f"markers per sequence: {markers.sum(axis=0)} (expected 2)"
    assert np.all(markers[:6].sum(axis=0) == 1) and np.all(markers[6:].sum(axis=0) == 1), "one marker per half"
    expected = (xs[..., 0] * markers).sum(axis=0)[:, None]
    assert np.allclose(y, expected), f"targets ours {y[:3, 0]} vs sum of marked values {expected[:3, 0]}"
    assert np.all((xs[..., 0] >= 0) & (xs[..., 0] < 1))


def test_adding_problem_mean_predictor_scores_one_sixth():
    _, y = tasks.adding_problem(n=20_000, lag=4, seed=0)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.01)


def test_noisy_periodic_shapes_and_targets():
    xs, ys = tasks.noisy_periodic(n=7, length=9, horizon=2, noise=0.0, seed=1)
    assert xs.shape == ys.shape == (9, 7, 1), f"shapes ours {xs.shape}, {ys.shape}"
    # without noise the target is the observation two steps later
    assert np.allclose(ys[:-2], xs[2:]), "target at t must equal the clean value at t + horizon"
    noisy, clean = tasks.noisy_periodic(n=2000, length=5, noise=0.5, seed=2)
    residual = noisy[1:] - clean[:-1]  # horizon 1: clean[t] = s(t + 1), noisy[t + 1] = s(t + 1) + noise
    assert np.std(residual) == pytest.approx(0.5, rel=0.05), f"noise std ours {np.std(residual)} vs 0.5"


def test_reviews_labels_follow_the_rule_and_are_balanced():
    reviews = tasks.toy_reviews(n=400, length=12, seed=5)
    assert reviews.tokens.shape == (12, 400) and reviews.labels.shape == (400,)
    assert reviews.labels.sum() == 200, f"positive reviews: {reviews.labels.sum()} of 400 (expected half)"
    for i in range(400):
        words = reviews.words(i)
        score = 0
        for k, word in enumerate(words):
            sign = 1 if word in tasks.POSITIVE else -1 if word in tasks.NEGATIVE else 0
            if sign and k > 0 and words[k - 1] == tasks.NEGATION:
                sign = -sign
            score += sign
        assert score != 0 and (score > 0) == (reviews.labels[i] == 1), (
            f"review {i} {words!r}: label {reviews.labels[i]}"
        )
    assert reviews.text(0) == " ".join(reviews.words(0))


@pytest.mark.parametrize(
    "make",
    [
        lambda seed: tasks.adding_problem(8, 10, seed=seed),
        lambda seed: tasks.noisy_periodic(8, 10, seed=seed),
        lambda seed: (tasks.toy_reviews(8, seed=seed).tokens, tasks.toy_reviews(8, seed=seed).labels),
    ],
    ids=["adding", "periodic", "reviews"],
)
def test_same_seed_same_data_other_seed_other_data(make):
    first, again, other = make(0), make(0), make(1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True)), "same seed, different data"
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True)), "seeds 0 and 1 gave equal data"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tasks.adding_problem(0, 10), "n: expected an int >= 1"),
        (lambda: tasks.adding_problem(4, 1), "lag: expected an int >= 2"),
        (lambda: tasks.adding_problem(4, 2.5), "lag: expected an int"),
        (lambda: tasks.noisy_periodic(4, 10, horizon=0), "horizon: expected an int >= 1"),
        (lambda: tasks.noisy_periodic(4, 10, noise=-1.0), "noise"),
        (lambda: tasks.toy_reviews(3), "n: expected an even number"),
        (lambda: tasks.toy_reviews(4, length=3), "length: expected an int >= 6"),
    ],
)
def test_bad_input_raises_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
