"""Cross-check against PyTorch in float64: forward values and every gradient, to 1e-10.

PyTorch is the independent reference. Its weights are read with ``from_torch`` and written with
``to_torch``; the expected gradients in PyTorch's layout are assembled here, in the test, from the layout
documented in ``rnnlab/interop.py`` (rows stacked i, f, g, o for the LSTM and r, z, n for the GRU;
``weight_ih`` multiplies x, ``weight_hh`` multiplies h; the GRU's ``bias_hh`` candidate block is b_hn).
The GRU comparison uses ``reset="after", z_weights="old"``, PyTorch's equations.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams

pytestmark = pytest.mark.torch

ATOL = 1e-10
CLASSES = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}
CELLS = {"rnn": "RNNCell", "lstm": "LSTMCell", "gru": "GRUCell"}
LAYERS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
# rnnlab (weight, bias) field for each PyTorch block, in PyTorch's stacking order
TORCH_BLOCKS = {
    "rnn": [("W", "b")],
    "lstm": [("W_i", "b_i"), ("W_f", "b_f"), ("W_c", "b_c"), ("W_o", "b_o")],
    "gru": [("W_r", "b_r"), ("W_z", "b_z"), ("W_h", "b_h")],
}
SEEDS = [0, 1, 2]
CONVENTION = {"reset": "after", "z_weights": "old"}


def sizes(seed: int) -> tuple[int, int, int, int]:
    """Random (T, B, D, H), small enough to be fast."""
    rng = np.random.default_rng(1072 + seed)  # this offset gives B = 2, 1, 3 and T = 4, 2, 3 for seeds 0, 1, 2
    return tuple(int(n) for n in (rng.integers(1, 5), rng.integers(1, 4), rng.integers(1, 6), rng.integers(1, 6)))


def close(ours, reference, what: str) -> None:
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert ours.shape == reference.shape, f"{what}: ours shape {ours.shape} vs reference {reference.shape}"
    np.testing.assert_allclose(ours, reference, rtol=0, atol=ATOL, err_msg=f"{what}: ours vs PyTorch")


def numpy_of(tensor) -> np.ndarray:
    return tensor.detach().numpy().astype(np.float64)


def torch_layout_grads(kind: str, grads, H: int) -> dict[str, np.ndarray]:
    """Our gradient record rearranged into PyTorch's four arrays (written here, not taken from interop)."""
    blocks = TORCH_BLOCKS[kind]
    weight_ih = np.vstack([getattr(grads, W)[:, H:] for W, _ in blocks])
    weight_hh = np.vstack([getattr(grads, W)[:, :H] for W, _ in blocks])
    bias_ih = np.concatenate([getattr(grads, b) for _, b in blocks])
    # bias_ih and bias_hh are added, so they share a gradient, except inside the GRU candidate.
    hh_blocks = [getattr(grads, b) for _, b in blocks]
    if kind == "gru":
        hh_blocks[-1] = grads.b_hn
    return {"weight_ih": weight_ih, "weight_hh": weight_hh, "bias_ih": bias_ih, "bias_hh": np.concatenate(hh_blocks)}


def run_ours(kind: str, p, xs, h0, c0, dhs):
    """Forward over the sequence and backward with upstream ``dhs``; returns hs, (cs), grads, dxs, dh0, (dc0)."""
    if kind == "lstm":
        hs, cs, cache = rnnlab.lstm_forward(xs, h0, c0, p)
        grads, dxs, dh0, dc0 = rnnlab.lstm_backward(dhs, cache)
        return hs, cs, grads, dxs, dh0, dc0
    if kind == "gru":
        hs, cache = rnnlab.gru_forward(xs, h0, p, **CONVENTION)
        grads, dxs, dh0 = rnnlab.gru_backward(dhs, cache)
    else:
        hs, cache = rnnlab.rnn_forward(xs, h0, p)
        grads, dxs, dh0 = rnnlab.rnn_backward(dhs, cache)
    return hs, None, grads, dxs, dh0, None


def random_inputs(seed: int, T: int, B: int, D: int, H: int):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H)), rng.normal(size=(T, B, H))


def make_module(torch, name: str, D: int, H: int, seed: int, **options):
    torch.manual_seed(seed)
    return getattr(torch.nn, name)(D, H, **options).double()


def compare_weight_grads(kind: str, module, grads, H: int, suffix: str = "") -> None:
    expected = torch_layout_grads(kind, grads, H)
    for attr, ours in expected.items():
        tensor = getattr(module, attr + suffix, None)
        if tensor is None:  # bias=False
            continue
        close(ours, numpy_of(tensor.grad), f"d{attr}{suffix}")


# --- cells: one step ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bias", [True, False])
def test_cell_forward_and_gradients(torch, kind, seed, bias):
    _, B, D, H = sizes(seed)
    cell = make_module(torch, CELLS[kind], D, H, seed, bias=bias)
    p = CLASSES[kind].from_torch(cell)
    xs, h0, c0, dhs = random_inputs(seed, 1, B, D, H)
    x_t = torch.tensor(xs[0], requires_grad=True)
    h_t = torch.tensor(h0, requires_grad=True)
    c_t = torch.tensor(c0, requires_grad=True)
    if kind == "lstm":
        h_ref, c_ref = cell(x_t, (h_t, c_t))
        trace = rnnlab.lstm_step(xs[0], h0, c0, p)
        close(trace.c, numpy_of(c_ref), "c")
    else:
        h_ref = cell(x_t, h_t)
        trace = rnnlab.gru_step(xs[0], h0, p, **CONVENTION) if kind == "gru" else rnnlab.rnn_step(xs[0], h0, p)
    close(trace.h, numpy_of(h_ref), "h")

    (h_ref * torch.tensor(dhs[0])).sum().backward()
    hs, _, grads, dxs, dh0, dc0 = run_ours(kind, p, xs, h0, c0, dhs)
    close(hs[0], trace.h, "sequence forward vs step")
    compare_weight_grads(kind, cell, grads, H)
    close(dxs[0], numpy_of(x_t.grad), "dx")
    close(dh0, numpy_of(h_t.grad), "dh_prev")
    if kind == "lstm":
        close(dc0, numpy_of(c_t.grad), "dc_prev")


# --- one-layer sequence modules -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize("bias", [True, False])
def test_layer_forward_and_gradients(torch, kind, seed, bias):
    T, B, D, H = sizes(seed)
    layer = make_module(torch, LAYERS[kind], D, H, seed + 10, bias=bias)
    p = CLASSES[kind].from_torch(layer)
    xs, h0, c0, dhs = random_inputs(seed + 10, T, B, D, H)
    xs_t = torch.tensor(xs, requires_grad=True)
    h0_t = torch.tensor(h0[None], requires_grad=True)
    c0_t = torch.tensor(c0[None], requires_grad=True)
    if kind == "lstm":
        out, (h_last, c_last) = layer(xs_t, (h0_t, c0_t))
    else:
        out, h_last = layer(xs_t, h0_t)
    hs, cs, grads, dxs, dh0, dc0 = run_ours(kind, p, xs, h0, c0, dhs)
    close(hs, numpy_of(out), "hs")
    close(hs[-1], numpy_of(h_last[0]), "h_T")
    if kind == "lstm":
        close(cs[-1], numpy_of(c_last[0]), "c_T")

    (out * torch.tensor(dhs)).sum().backward()
    compare_weight_grads(kind, layer, grads, H, suffix="_l0")
    close(dxs, numpy_of(xs_t.grad), "dxs")
    close(dh0, numpy_of(h0_t.grad[0]), "dh0")
    if kind == "lstm":
        close(dc0, numpy_of(c0_t.grad[0]), "dc0")


def test_layer_with_shared_initial_state_and_no_h0(torch):
    """A 1-D h0 is the same state for every sequence; None is zeros, like PyTorch's default."""
    T, B, D, H = 3, 2, 2, 3
    layer = make_module(torch, "GRU", D, H, 5)
    p = GRUParams.from_torch(layer)
    xs, h0, _, _ = random_inputs(5, T, B, D, H)
    out_none, _ = layer(torch.tensor(xs))
    close(rnnlab.gru_forward(xs, None, p, **CONVENTION)[0], numpy_of(out_none), "hs with h0=None")
    shared = h0[0]
    out_shared, _ = layer(torch.tensor(xs), torch.tensor(np.tile(shared, (1, B, 1))))
    close(rnnlab.gru_forward(xs, shared, p, **CONVENTION)[0], numpy_of(out_shared), "hs with a 1-D h0")


# --- layout and to_torch --------------------------------------------------------------------------


def test_from_torch_layout_by_hand(torch):
    D, H = 2, 3
    lstm = make_module(torch, "LSTMCell", D, H, 7)
    p = LSTMParams.from_torch(lstm)
    W_ih, W_hh = numpy_of(lstm.weight_ih), numpy_of(lstm.weight_hh)
    b = numpy_of(lstm.bias_ih) + numpy_of(lstm.bias_hh)
    for k, gate in enumerate("ifco"):  # PyTorch's order i, f, g, o
        rows = slice(k * H, (k + 1) * H)
        np.testing.assert_array_equal(getattr(p, f"W_{gate}"), np.hstack([W_hh[rows], W_ih[rows]]), err_msg=gate)
        np.testing.assert_array_equal(getattr(p, f"b_{gate}"), b[rows], err_msg=gate)
    gru = make_module(torch, "GRUCell", D, H, 8)
    q = GRUParams.from_torch(gru)
    np.testing.assert_array_equal(q.b_hn, numpy_of(gru.bias_hh)[2 * H :], err_msg="b_hn is bias_hh's n block")
    np.testing.assert_array_equal(q.b_h, numpy_of(gru.bias_ih)[2 * H :], err_msg="b_h is bias_ih's n block")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", CLASSES)
def test_to_torch_forward_gradients_and_round_trip(torch, kind, seed):
    T, B, D, H = sizes(seed)
    p = CLASSES[kind].random(D, H, seed=seed)
    if kind == "gru":
        p = p.replace(b_hn=np.random.default_rng(seed).uniform(-1, 1, H))
    cell = p.to_torch()
    assert type(cell).__name__ == CELLS[kind], f"ours: {type(cell).__name__} vs expected {CELLS[kind]}"
    assert cell.weight_ih.dtype == torch.float64, f"ours: {cell.weight_ih.dtype} vs expected float64"
    back = CLASSES[kind].from_torch(cell)
    for name, array in p.arrays().items():
        np.testing.assert_array_equal(getattr(back, name), array, err_msg=f"from_torch(to_torch(p)).{name} vs p")
    assert set(back.arrays()) == set(p.arrays()), f"ours: {sorted(back.arrays())} vs {sorted(p.arrays())}"

    xs, h0, c0, dhs = random_inputs(seed + 20, 1, B, D, H)
    x_t, h_t, c_t = (torch.tensor(a, requires_grad=True) for a in (xs[0], h0, c0))
    h_ref = cell(x_t, (h_t, c_t))[0] if kind == "lstm" else cell(x_t, h_t)
    (h_ref * torch.tensor(dhs[0])).sum().backward()
    hs, _, grads, dxs, dh0, dc0 = run_ours(kind, p, xs, h0, c0, dhs)
    close(hs[0], numpy_of(h_ref), "h")
    compare_weight_grads(kind, cell, grads, H)
    close(dxs[0], numpy_of(x_t.grad), "dx")
    close(dh0, numpy_of(h_t.grad), "dh_prev")
    if kind == "lstm":
        close(dc0, numpy_of(c_t.grad), "dc_prev")


def test_to_torch_gru_without_b_hn_round_trips_to_zero_b_hn(torch):
    p = GRUParams.random(3, 2, seed=4)
    back = GRUParams.from_torch(p.to_torch())
    np.testing.assert_array_equal(back.b_hn, np.zeros(2), err_msg="b_hn None is stored as zeros in bias_hh")
    for name, array in p.arrays().items():
        np.testing.assert_array_equal(getattr(back, name), array, err_msg=name)


@pytest.mark.parametrize("kind", CLASSES)
def test_count_params_matches_torch(torch, kind):
    """PyTorch keeps two biases per gate, so it has G*H more numbers than our one-bias count."""
    D, H = 5, 7
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    module = make_module(torch, CELLS[kind], D, H, 0)
    theirs = sum(t.numel() for t in module.parameters())
    ours = rnnlab.count_params(kind, D, H)
    assert ours + gates * H == theirs, f"ours {ours} + {gates}*{H} vs PyTorch {theirs}"
    no_bias = sum(t.numel() for t in make_module(torch, CELLS[kind], D, H, 0, bias=False).parameters())
    assert ours - gates * H == no_bias, f"ours {ours} - {gates}*{H} vs PyTorch without bias {no_bias}"


# --- from_torch errors ----------------------------------------------------------------------------


def expect_error(error, call, *fragments):
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), f"ours: {str(info.value)!r}\nexpected it to contain {fragment!r}"


@pytest.mark.parametrize("kind", CLASSES)
def test_from_torch_wrong_module_type(torch, kind):
    for other in CLASSES:
        if other != kind:
            module = make_module(torch, CELLS[other], 2, 3, 0)
            expect_error(TypeError, lambda m=module: CLASSES[kind].from_torch(m), "module:", CELLS[kind], CELLS[other])
    linear = torch.nn.Linear(2, 3)
    expect_error(TypeError, lambda: CLASSES[kind].from_torch(linear), "module:", LAYERS[kind], "Linear")


@pytest.mark.parametrize("kind", CLASSES)
def test_from_torch_rejects_two_layers_and_bidirectional(torch, kind):
    """A cell's params hold one layer and one direction; the message names the stacked API."""
    two = make_module(torch, LAYERS[kind], 2, 3, 0, num_layers=2)
    stacked = "rnnlab.StackedParams.from_torch"  # the single-cell API points at the stacked one
    expect_error(ValueError, lambda: CLASSES[kind].from_torch(two), "module:", "one-layer", "num_layers=2", stacked)
    both = make_module(torch, LAYERS[kind], 2, 3, 0, bidirectional=True)
    expect_error(ValueError, lambda: CLASSES[kind].from_torch(both), "module:", "bidirectional=True", stacked)
    expect_error(ValueError, lambda: rnnlab.interop.from_torch(CLASSES[kind], both), "module:", stacked)


def test_from_torch_rejects_relu_rnn_and_lstm_projection(torch):
    relu = make_module(torch, "RNNCell", 2, 3, 0, nonlinearity="relu")
    expect_error(ValueError, lambda: RNNParams.from_torch(relu), "module:", "tanh", "'relu'")
    projected = make_module(torch, "LSTM", 2, 3, 0, proj_size=2)
    expect_error(ValueError, lambda: LSTMParams.from_torch(projected), "module:", "projection")
