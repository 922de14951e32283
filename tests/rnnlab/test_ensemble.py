"""rnnlab.ensemble: training S members packed block-diagonally equals training each alone with train().

Compared per step (loss, gradient norm before clipping) and at the end (every weight), for every cell
kind, numeric inputs and token inputs, both readouts, with clipping that bites and without clipping,
and members with different seeds and learning rates.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab import tasks
from rnnlab.ensemble import Ensemble, Member, train_ensemble
from rnnlab.models import SequenceModel
from rnnlab.train import Adam, bce_with_logits, mse, train

MEMBERS = (Member(seed=0, lr=0.01), Member(seed=7, lr=0.003), Member(seed=3, lr=0.05))
REVIEWS = tasks.toy_reviews(n=120, length=8, seed=0)


def adding_batch(step: int, seed: int):
    return tasks.adding_problem(n=8, lag=6, seed=10_000 * seed + step)


def series_batch(step: int, seed: int):
    return tasks.noisy_periodic(n=8, length=10, horizon=2, seed=10_000 * seed + step)


def review_batch(step: int, seed: int):
    rows = np.random.default_rng(10_000 * seed + step).integers(0, REVIEWS.labels.size, 8)
    return REVIEWS.tokens[:, rows], REVIEWS.labels[rows, None]


CASES = {
    "adding, last state": (dict(input_size=2), mse, adding_batch),
    "series, every state": (dict(input_size=1, readout="all"), mse, series_batch),
    "reviews, tokens": (dict(input_size=3, vocab_size=len(REVIEWS.vocab)), bce_with_logits, review_batch),
}


def worst(ours: np.ndarray, reference: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(ours) - np.asarray(reference))))


@pytest.mark.parametrize("max_norm", [0.05, None], ids=["clipped", "unclipped"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_pack_equals_members_trained_alone(kind, case, max_norm):
    sizes, loss_fn, batch = CASES[case]
    model = SequenceModel(kind, hidden_size=5, **sizes)
    steps = 25
    runs = train_ensemble(model, loss_fn, batch, members=MEMBERS, steps=steps, max_norm=max_norm, progress=False)
    assert [(r.seed, r.lr) for r in runs] == [(m.seed, m.lr) for m in MEMBERS]
    for member, run in zip(MEMBERS, runs, strict=True):
        alone = model.init(member.seed)
        history = train(
            model.loss_and_grads(loss_fn),
            alone,
            lambda step, seed=member.seed: batch(step, seed),
            steps=steps,
            optimizer=Adam(lr=member.lr),
            max_norm=max_norm,
            progress=False,
        )
        what = f"{kind}, {case}, seed {member.seed}"
        assert worst(run.history.losses, history.losses) < 1e-10, (
            f"{what}: losses ours {run.history.losses[:4]} vs alone {history.losses[:4]}"
        )
        assert worst(run.history.grad_norms, history.grad_norms) < 1e-10, (
            f"{what}: gradient norms ours {run.history.grad_norms[:4]} vs alone {history.grad_norms[:4]}"
        )
        assert sorted(run.params) == sorted(alone)
        for name in alone:
            assert run.params[name].shape == alone[name].shape, f"{what}: {name} shape"
            assert worst(run.params[name], alone[name]) < 1e-10, (
                f"{what}: {name} ours {run.params[name].ravel()[:4]} vs alone {alone[name].ravel()[:4]}"
            )
    if max_norm is not None:  # the threshold was small enough to clip every member at some step
        assert all(np.any(r.history.grad_norms > max_norm) for r in runs)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_pack_and_unpack_are_inverse_and_blocks_do_not_mix(kind):
    model = SequenceModel(kind, input_size=3, hidden_size=4, output_size=2, vocab_size=6)
    ensemble = Ensemble(model, MEMBERS)
    members = [model.init(m.seed) for m in MEMBERS]
    packed = ensemble.pack(members)
    for name, owner in ensemble.owner.items():
        assert np.all(packed[name][owner == ensemble.S] == 0), f"{name}: nonzero entries between blocks"
    for ours, reference in zip(ensemble.unpack(packed), members, strict=True):
        for name in reference:
            np.testing.assert_array_equal(ours[name], reference[name], err_msg=name)
    tokens = [np.random.default_rng(k).integers(0, 6, (5, 2)) for k in range(ensemble.S)]
    outputs, _ = ensemble.forward(packed, tokens)
    for k, (params, x) in enumerate(zip(members, tokens, strict=True)):
        alone, _ = model.forward(params, x)
        assert worst(outputs[k], alone) < 1e-12, f"member {k}: outputs ours {outputs[k]} vs alone {alone}"


def test_learning_rates_are_per_member_and_zero_between_blocks():
    ensemble = Ensemble(SequenceModel("gru", input_size=2, hidden_size=3), MEMBERS)
    rates = ensemble.learning_rates()
    for name, owner in ensemble.owner.items():
        for k, member in enumerate(MEMBERS):
            assert np.all(rates[name][owner == k] == member.lr), name
        assert np.all(rates[name][owner == ensemble.S] == 0), name


def test_bad_input_is_named():
    model = SequenceModel("rnn", input_size=2, hidden_size=3)
    with pytest.raises(ValueError, match="members"):
        Ensemble(model, [])
    with pytest.raises(ValueError, match="members"):
        Ensemble(model, [(0, 0.01)])
    with pytest.raises(TypeError, match="SequenceModel"):
        Ensemble("rnn", MEMBERS)
    with pytest.raises(ValueError, match="steps"):
        train_ensemble(model, mse, adding_batch, members=MEMBERS, steps=0)
    with pytest.raises(ValueError, match="one batch per member"):
        Ensemble(model, MEMBERS).forward(Ensemble(model, MEMBERS).init(), [adding_batch(0, 0)[0]])
    with pytest.raises(ValueError, match="lr"):
        Adam(lr={"W": np.array([-1.0])})


def test_a_diverging_member_is_named():
    model = SequenceModel("rnn", input_size=2, hidden_size=3)

    def marked(step, seed):  # seed 7's targets are marked so that its loss is infinite
        xs, y = adding_batch(step, seed)
        return xs, (y - 10.0 if seed == 7 else y)

    def loss_fn(y_hat, target):
        loss, grad = mse(y_hat, target)
        return (float("inf") if np.all(target < -1) else loss), grad

    with pytest.raises(FloatingPointError, match="seed 7"):
        train_ensemble(model, loss_fn, marked, members=MEMBERS, steps=3, progress=False)
