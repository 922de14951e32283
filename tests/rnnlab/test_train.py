"""rnnlab.train and rnnlab.models: optimiser steps against hand arithmetic, clipping, losses against
finite differences, model gradients against finite differences, and a tiny run that learns."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import tasks
from rnnlab.models import SequenceModel, n_params
from rnnlab.train import SGD, Adam, bce_with_logits, clip_by_global_norm, clip_by_value, global_norm, mse, train


def close(ours, reference, what: str, atol: float = 1e-12) -> None:
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    assert ours.shape == reference.shape, f"{what}: shape ours {ours.shape} vs reference {reference.shape}"
    assert np.allclose(ours, reference, atol=atol, rtol=0), f"{what}: ours {ours} vs reference {reference}"


# --- optimisers on the quadratic L = 0.5 * sum(a * theta**2), gradient a * theta --------------------

A = np.array([1.0, 4.0, 0.25])
THETA0 = np.array([1.0, -2.0, 3.0])


def quadratic_grad(params):
    return {"theta": A * params["theta"]}


def test_sgd_step_by_hand():
    params = {"theta": THETA0.copy()}
    SGD(lr=0.1).step(params, quadratic_grad(params))
    close(params["theta"], THETA0 - 0.1 * A * THETA0, "one SGD step")


def test_sgd_momentum_two_steps_by_hand():
    params = {"theta": THETA0.copy()}
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(params, quadratic_grad(params))
    theta1 = THETA0 - 0.1 * A * THETA0
    close(params["theta"], theta1, "first momentum step")
    opt.step(params, quadratic_grad(params))
    velocity = 0.9 * A * THETA0 + A * theta1
    close(params["theta"], theta1 - 0.1 * velocity, "second momentum step")


def test_adam_first_steps_by_hand():
    params = {"theta": THETA0.copy()}
    opt = Adam(lr=0.01)
    opt.step(params, quadratic_grad(params))
    # after bias correction the first step is lr * g / (|g| + eps): lr * sign(g), almost exactly
    g = A * THETA0
    close(params["theta"], THETA0 - 0.01 * g / (np.abs(g) + 1e-8), "first Adam step")
    theta1 = params["theta"].copy()
    g2 = A * theta1
    opt.step(params, quadratic_grad(params))
    m = 0.9 * (0.1 * g) + 0.1 * g2
    v = 0.999 * (0.001 * g**2) + 0.001 * g2**2
    expected = theta1 - 0.01 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    close(params["theta"], expected, "second Adam step")


@pytest.mark.parametrize("opt", [SGD(lr=0.2), SGD(lr=0.1, momentum=0.5), Adam(lr=0.1)], ids=["sgd", "momentum", "adam"])
def test_optimisers_minimise_the_quadratic(opt):
    params = {"theta": THETA0.copy()}
    for _ in range(300):
        opt.step(params, quadratic_grad(params))
    assert np.max(np.abs(params["theta"])) < 1e-2, f"theta after 300 steps: {params['theta']} (expected near 0)"


def test_optimiser_rejects_mismatched_gradients():
    params = {"theta": THETA0.copy()}
    with pytest.raises(ValueError, match="grads: expected the keys"):
        Adam().step(params, {"other": THETA0})
    with pytest.raises(ValueError, match=r"grads\['theta'\]: expected shape \(3,\)"):
        SGD().step(params, {"theta": np.zeros(2)})
    with pytest.raises(ValueError, match="lr"):
        SGD(lr=-1.0)
    with pytest.raises(ValueError, match="lr"):
        Adam(beta1=1.0)


# --- clipping --------------------------------------------------------------------------------------


def test_clip_scales_to_the_max_norm_and_keeps_direction():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}  # global norm 5
    clipped, norm = clip_by_global_norm(grads, max_norm=1.0)
    assert norm == pytest.approx(5.0), f"norm before clipping: ours {norm} vs reference 5"
    assert global_norm(clipped) == pytest.approx(1.0), f"norm after: ours {global_norm(clipped)} vs reference 1"
    close(clipped["a"], [0.6, 0.0], "clipped a")
    close(clipped["b"], [[0.0], [0.8]], "clipped b")
    close(grads["a"], [3.0, 0.0], "input left unchanged")


def test_clip_leaves_small_gradients_alone():
    grads = {"a": np.array([0.3, -0.4])}
    clipped, norm = clip_by_global_norm(grads, max_norm=1.0)
    close(clipped["a"], grads["a"], "gradient below the threshold")
    assert norm == pytest.approx(0.5)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan])
def test_clip_rejects_bad_max_norm(bad):
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm({"a": np.ones(2)}, bad)


def test_clip_by_value_clips_each_entry_on_its_own():
    grads = {"a": np.array([3.0, -0.5]), "b": np.array([[-7.0], [0.25]])}
    clipped, largest = clip_by_value(grads, max_value=1.0)
    assert largest == 7.0, f"largest |g| before clipping: ours {largest} vs reference 7"
    close(clipped["a"], [1.0, -0.5], "clipped a")
    close(clipped["b"], [[-1.0], [0.25]], "clipped b")
    close(grads["b"], [[-7.0], [0.25]], "input left unchanged")
    # unlike norm clipping it turns the direction: (3, -7) is no longer parallel to (1, -1)
    direction = np.array([3.0, -7.0]) / np.hypot(3.0, 7.0)
    clipped_direction = np.array([1.0, -1.0]) / np.sqrt(2.0)
    assert abs(direction @ clipped_direction) < 0.99, "value clipping should change this gradient's direction"


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan])
def test_clip_by_value_rejects_bad_max_value(bad):
    with pytest.raises(ValueError, match="max_value"):
        clip_by_value({"a": np.ones(2)}, bad)


def test_train_clips_by_value_then_by_norm():
    """One SGD step with both clippings, against the clipping done by hand; the norm recorded is the raw one."""
    params = {"theta": np.array([0.0, 0.0, 0.0])}
    raw = {"theta": np.array([10.0, -0.3, 0.4])}
    history = train(
        lambda p, batch: (0.0, raw),
        params,
        lambda s: None,
        steps=1,
        optimizer=SGD(lr=1.0),
        max_norm=0.5,
        clip_value=1.0,
        progress=False,
    )
    by_value = np.array([1.0, -0.3, 0.4])
    expected = -by_value * min(1.0, 0.5 / np.linalg.norm(by_value))
    close(params["theta"], expected, "theta after one step clipped by value then by norm")
    assert history.grad_norms[0] == pytest.approx(np.linalg.norm(raw["theta"])), f"ours {history.grad_norms[0]}"


# --- losses against finite differences -------------------------------------------------------------


@pytest.mark.parametrize("loss", [mse, bce_with_logits], ids=["mse", "bce"])
def test_loss_gradients_match_finite_differences(loss):
    rng = np.random.default_rng(0)
    prediction = rng.standard_normal((4, 3))
    target = (rng.random((4, 3)) > 0.5).astype(float)
    _, analytic = loss(prediction, target)
    numeric = rnnlab.numerical_gradient(lambda p: loss(p, target)[0], prediction)
    close(analytic, numeric, f"{loss.__name__} gradient", atol=1e-8)


def test_bce_by_hand_and_without_overflow():
    loss, grad = bce_with_logits(np.array([0.0]), np.array([1.0]))
    assert loss == pytest.approx(np.log(2.0)), f"BCE at logit 0: ours {loss} vs reference log 2"
    close(grad, [-0.5], "BCE gradient at logit 0")
    loss, grad = bce_with_logits(np.array([1000.0, -1000.0]), np.array([0.0, 1.0]))
    assert loss == pytest.approx(1000.0), f"BCE at huge logits: ours {loss} vs reference 1000"
    close(grad, [0.5, -0.5], "BCE gradient at huge logits")


def test_losses_reject_bad_input():
    with pytest.raises(ValueError, match="target: expected shape"):
        mse(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="labels: expected only 0 and 1"):
        bce_with_logits(np.zeros(2), np.array([0.0, 0.5]))


# --- the model's gradients against finite differences ----------------------------------------------


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("tokens", [False, True], ids=["numbers", "tokens"])
def test_model_gradients_match_finite_differences(kind, tokens):
    rng = np.random.default_rng(1)
    if tokens:
        model = SequenceModel(kind, input_size=3, hidden_size=4, vocab_size=6)
        inputs, targets, loss = rng.integers(0, 6, (5, 2)), np.array([[1.0], [0.0]]), bce_with_logits
    else:
        model = SequenceModel(kind, input_size=3, hidden_size=4, output_size=2, readout="all")
        inputs, targets, loss = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 2, 2)), mse
    params = model.init(seed=2)
    step = model.loss_and_grads(loss)
    _, grads = step(params, (inputs, targets))
    assert set(grads) == set(params), f"gradient keys: ours {sorted(grads)} vs params {sorted(params)}"
    for name, array in params.items():

        def loss_of(value, name=name):
            return step({**params, name: value}, (inputs, targets))[0]

        close(grads[name], rnnlab.numerical_gradient(loss_of, array.copy()), f"{kind} d loss / d {name}", atol=1e-7)


def test_model_rejects_bad_configuration_and_tokens():
    with pytest.raises(ValueError, match="kind"):
        SequenceModel("transformer", 2, 3)
    with pytest.raises(ValueError, match="readout"):
        SequenceModel("gru", 2, 3, readout="mean")
    model = SequenceModel("gru", 2, 3, vocab_size=5)
    with pytest.raises(ValueError, match=r"token ids in \[0, 5\)"):
        model.forward(model.init(), np.array([[0, 7]]))
    with pytest.raises(ValueError, match="token ids of shape"):
        model.forward(model.init(), np.zeros((2, 1, 2)))


def test_lstm_forget_bias_is_added_at_init():
    plain = SequenceModel("lstm", 2, 3, forget_bias=0.0).init(seed=4)
    shifted = SequenceModel("lstm", 2, 3, forget_bias=1.0).init(seed=4)
    close(shifted["b_f"] - plain["b_f"], np.ones(3), "b_f shift")
    assert n_params(plain) == rnnlab.count_params("lstm", 2, 3) + 3 + 1


# --- the loop --------------------------------------------------------------------------------------


def test_tiny_training_run_decreases_the_loss_and_is_reproducible():
    def run():
        model = SequenceModel("gru", input_size=2, hidden_size=8)
        params = model.init(seed=0)
        history = train(
            model.loss_and_grads(mse),
            params,
            lambda s: tasks.adding_problem(16, 6, seed=s),
            steps=150,
            optimizer=Adam(lr=0.02),
            max_norm=1.0,
            progress=False,
        )
        return history

    first, second = run(), run()
    start, end = first.losses[:20].mean(), first.losses[-20:].mean()
    assert end < 0.5 * start, f"mean loss of the first 20 steps {start:.4f} vs last 20 {end:.4f}: no learning"
    assert np.array_equal(first.losses, second.losses), "two seeded runs gave different losses"
    assert first.grad_norms.shape == (150,) and np.all(first.grad_norms > 0)


def test_train_rejects_bad_steps_and_reports_divergence():
    params = {"theta": THETA0.copy()}

    def loss_and_grads(p, batch):
        return float(0.5 * np.sum(A * p["theta"] ** 2)), quadratic_grad(p)

    with pytest.raises(ValueError, match="steps: expected a positive int"):
        train(loss_and_grads, params, lambda s: None, steps=0, optimizer=SGD())

    def diverging(p, step):
        loss, grads = loss_and_grads(p, step)
        return (np.nan if step == 3 else loss), grads

    with pytest.raises(FloatingPointError, match="loss became nan at step 3"):
        train(diverging, params, lambda s: s, steps=10, optimizer=SGD(), progress=False)
