"""Truncated backpropagation through time (rnnlab.truncated) and SequenceModel's carried state.

References: the full gradient (window >= T, bit for bit); per-window finite differences with the carried-in
state held fixed; PyTorch autograd with ``.detach()`` between windows; and the bias truncation introduces
on a contracting RNN, shrinking as the window grows.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab.models import SequenceModel
from rnnlab.train import SGD, global_norm, mse, train
from rnnlab.truncated import CarriedState, stream_windows, truncated_bptt, windows

KINDS = ("rnn", "lstm", "gru")


def close(ours, reference, what: str, atol: float = 1e-12) -> None:
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    assert ours.shape == reference.shape, f"{what}: shape ours {ours.shape} vs reference {reference.shape}"
    worst = float(np.max(np.abs(ours - reference), initial=0.0))
    assert worst <= atol, f"{what}: ours {ours} vs reference {reference} (worst difference {worst:.2e})"


def stream(kind: str, T: int = 7, B: int = 2, tokens: bool = False, seed: int = 0):
    """A model with readout='all', its params, a stream of inputs and targets, and a random start state."""
    rng = np.random.default_rng(seed)
    if tokens:
        model = SequenceModel(kind, input_size=2, hidden_size=3, output_size=2, vocab_size=5, readout="all")
        inputs = rng.integers(0, 5, (T, B))
    else:
        model = SequenceModel(kind, input_size=2, hidden_size=3, output_size=2, readout="all")
        inputs = rng.standard_normal((T, B, 2))
    start = tuple(rng.standard_normal((B, 3)) for _ in rnnlab.cell_kind(kind).states)
    return model, model.init(seed=seed + 1), inputs, rng.standard_normal((T, B, 2)), start


def test_windows():
    got = [(s.start, s.stop) for s in windows(10, 4)]
    assert got == [(0, 4), (4, 8), (8, 10)], f"windows(10, 4): ours {got}"
    assert [(s.start, s.stop) for s in windows(3, 5)] == [(0, 3)], "a window longer than the stream"
    with pytest.raises(ValueError, match="window: expected a positive int, got 0"):
        windows(5, 0)


@pytest.mark.parametrize("kind", KINDS)
def test_forward_carry_continues_the_sequence(kind):
    """Running two pieces with the state carried across equals running the whole (the forward is not cut)."""
    model, params, inputs, _, start = stream(kind)
    whole, final, _ = model.forward_carry(params, inputs, start)
    first, middle, _ = model.forward_carry(params, inputs[:3], start)
    second, end, _ = model.forward_carry(params, inputs[3:], middle)
    close(np.concatenate([first, second]), whole, "outputs of two carried pieces vs the whole")
    for name, ours, reference in zip(("h_T", "c_T"), end, final, strict=False):
        close(ours, reference, name)
    outputs, _ = model.forward(params, inputs, start)
    assert np.array_equal(outputs, whole), "forward(start=...) vs forward_carry"
    with pytest.raises(ValueError, match=r"start: expected a tuple of"):
        model.forward(params, inputs, start[0])


@pytest.mark.parametrize("tokens", [False, True], ids=["numbers", "tokens"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_window_as_long_as_the_stream_is_full_bptt_exactly(kind, tokens):
    model, params, inputs, targets, start = stream(kind, tokens=tokens)
    for window in (len(inputs), len(inputs) + 5):
        for state in (None, start):
            loss, grads, final = truncated_bptt(model, params, inputs, targets, mse, window, state)
            outputs, full_final, cache = model.forward_carry(params, inputs, state)
            full_loss, doutputs = mse(outputs, targets)
            full = model.backward(params, doutputs, cache)
            assert loss == full_loss, f"window {window}: loss ours {loss} vs full {full_loss}"
            assert set(grads) == set(full), f"keys ours {sorted(grads)} vs full {sorted(full)}"
            for name in full:
                assert np.array_equal(grads[name], full[name]), f"window {window}, d{name}: ours vs full BPTT differ"
            for ours, reference in zip(final, full_final, strict=True):
                assert np.array_equal(ours, reference), "final state"


def per_window_reference(model, params, inputs, targets, window, start):
    """The truncated gradient as the sum over windows of finite differences of each window's weighted loss,
    with the carried-in state computed once at the unperturbed weights and then held fixed."""
    T = len(inputs)
    total = {name: np.zeros_like(array) for name, array in params.items()}
    state = start
    for piece in windows(T, window):
        weight = (piece.stop - piece.start) / T

        def window_loss(value, name, piece=piece, carried=state, weight=weight):
            outputs, _ = model.forward({**params, name: value}, inputs[piece], carried)
            return weight * mse(outputs, targets[piece])[0]

        for name, array in params.items():
            total[name] += rnnlab.numerical_gradient(lambda v, name=name: window_loss(v, name), array.copy())
        _, state, _ = model.forward_carry(params, inputs[piece], state)
    return total


@pytest.mark.parametrize(("kind", "tokens"), [("rnn", False), ("lstm", False), ("gru", False), ("gru", True)])
@pytest.mark.parametrize("window", [2, 3])
def test_short_windows_against_per_window_finite_differences(kind, tokens, window):
    model, params, inputs, targets, start = stream(kind, T=7, tokens=tokens, seed=3)
    _, grads, _ = truncated_bptt(model, params, inputs, targets, mse, window, start)
    reference = per_window_reference(model, params, inputs, targets, window, start)
    for name in params:
        close(grads[name], reference[name], f"{kind} window {window}: d{name} vs finite differences", atol=1e-8)


def torch_truncated(torch, model, params, inputs, targets, window, start):
    """The same model written with torch autograd, the carried state detached at every window boundary."""
    P = {name: torch.tensor(array, requires_grad=True) for name, array in params.items()}
    sig = torch.sigmoid

    def lin(gate, h, x):
        W, b = ("W", "b") if gate == "" else (f"W_{gate}", f"b_{gate}")
        return torch.cat([h, x], dim=-1) @ P[W].T + P[b]

    states = [torch.tensor(s) for s in start]
    T, total = len(inputs), 0.0
    for piece in windows(T, window):
        states = [s.detach() for s in states]  # the carried-in state is a constant
        h, outputs = states[0], []
        c = states[1] if model.kind == "lstm" else None
        for x in torch.tensor(inputs[piece]):
            if model.kind == "rnn":
                h = torch.tanh(lin("", h, x))
            elif model.kind == "lstm":
                f, i, o = sig(lin("f", h, x)), sig(lin("i", h, x)), sig(lin("o", h, x))
                c = f * c + i * torch.tanh(lin("c", h, x))
                h = o * torch.tanh(c)
            else:  # the model's GRU: z_weights="old", reset="before"
                r, z = sig(lin("r", h, x)), sig(lin("z", h, x))
                h = z * h + (1 - z) * torch.tanh(lin("h", r * h, x))
            outputs.append(h @ P["W_y"].T + P["b_y"])
        error = torch.stack(outputs) - torch.tensor(targets[piece])
        total = total + (piece.stop - piece.start) / T * (error**2).mean()
        states = [h] if c is None else [h, c]
    total.backward()
    return float(total.detach()), {name: tensor.grad.numpy() for name, tensor in P.items()}


@pytest.mark.torch
@pytest.mark.parametrize("window", [1, 2, 3, 7])
@pytest.mark.parametrize("kind", KINDS)
def test_truncated_gradient_against_torch_with_detach(torch, kind, window):
    model, params, inputs, targets, start = stream(kind, T=7, B=3, seed=5)
    loss, grads, _ = truncated_bptt(model, params, inputs, targets, mse, window, start)
    torch_loss, reference = torch_truncated(torch, model, params, inputs, targets, window, start)
    close(loss, torch_loss, "loss vs PyTorch", atol=1e-12)
    for name in params:
        close(grads[name], reference[name], f"{kind} window {window}: d{name} vs PyTorch", atol=1e-10)


def test_truncation_bias_shrinks_as_the_window_grows():
    """On a contracting RNN the truncated gradient differs from the full one for k < T, by less as k grows."""
    model = SequenceModel("rnn", input_size=1, hidden_size=4, readout="all")
    params = model.init(seed=0)
    params["W"][:, :4] *= 0.8 / np.linalg.norm(params["W"][:, :4], 2)  # ||W_h|| = 0.8: a contraction
    rng = np.random.default_rng(1)
    T = 16
    inputs, targets = rng.standard_normal((T, 4, 1)), rng.standard_normal((T, 4, 1))
    _, full, _ = truncated_bptt(model, params, inputs, targets, mse, T)
    errors = {}
    for k in (1, 2, 4, 8, 16):
        _, grads, _ = truncated_bptt(model, params, inputs, targets, mse, k)
        errors[k] = global_norm({name: grads[name] - full[name] for name in full}) / global_norm(full)
    print("relative error of the truncated gradient by window:", {k: f"{e:.2e}" for k, e in errors.items()})
    assert errors[16] == 0.0, f"k = T: ours {errors[16]} vs the full gradient"
    assert all(errors[k] > 1e-6 for k in (1, 2, 4, 8)), f"k < T must differ from the full gradient: {errors}"
    assert errors[1] > errors[2] > errors[4] > errors[8], f"the bias should shrink as k grows: {errors}"


def test_carried_state_trains_window_by_window():
    """train() with CarriedState and stream_windows: each step starts where the last window ended."""
    model, params, inputs, targets, _ = stream("lstm", T=7, seed=6)
    loss_and_grads = CarriedState(model, mse)
    trained = {name: array.copy() for name, array in params.items()}
    history = train(
        loss_and_grads,
        trained,
        stream_windows(inputs, targets, 3),
        steps=4,
        optimizer=SGD(lr=0.1),
        max_norm=None,
        progress=False,
    )
    manual, state, losses = {name: array.copy() for name, array in params.items()}, None, []
    for step in range(4):
        piece = windows(7, 3)[step % 3]
        state = None if piece.start == 0 else state  # the stream starts again after its last window
        outputs, state, cache = model.forward_carry(manual, inputs[piece], state)
        loss, doutputs = mse(outputs, targets[piece])
        for name, g in model.backward(manual, doutputs, cache).items():
            manual[name] -= 0.1 * g
        losses.append(loss)
    close(history.losses, losses, "losses per window", atol=0.0)
    for name in params:
        close(trained[name], manual[name], f"{name} after 4 windows", atol=0.0)
    assert loss_and_grads.state is not None and loss_and_grads.state[0].shape == (2, 3)
    loss_and_grads.reset()
    assert loss_and_grads.state is None


def test_errors():
    model, params, inputs, targets, _ = stream("gru")
    last = SequenceModel("gru", 2, 3, output_size=2)
    with pytest.raises(ValueError, match="model.readout: expected 'all'"):
        truncated_bptt(last, last.init(), inputs, targets, mse, 3)
    with pytest.raises(TypeError, match="model: expected a SequenceModel"):
        CarriedState("gru", mse)
    with pytest.raises(ValueError, match="targets: expected 7 steps like inputs"):
        truncated_bptt(model, params, inputs, targets[:5], mse, 3)
    with pytest.raises(ValueError, match="targets: expected 7 steps like inputs"):
        stream_windows(inputs, targets[:5], 3)
    with pytest.raises(ValueError, match="batch: expected"):
        CarriedState(model, mse)(params, [inputs, targets])
