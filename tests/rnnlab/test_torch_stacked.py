"""Stacked and bidirectional sequences against PyTorch's ``nn.RNN/LSTM/GRU(num_layers, bidirectional)`` in float64.

For every kind, ``num_layers`` in 1, 2, 3, one or two directions, with and without initial states and
gradients on the final states: the outputs, ``h_n`` (and ``c_n``) in PyTorch's ``(L * num_directions, B, H)``
order, and every gradient (every weight and bias of every layer and direction, the inputs, the initial
states) equal PyTorch's autograd to 1e-10. The expected gradients in PyTorch's layout are assembled here
from the layout documented in ``rnnlab/torch_layout.py``, not taken from the library.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import StackedParams

pytestmark = pytest.mark.torch

ATOL = 1e-10
LAYERS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
TORCH_BLOCKS = {
    "rnn": [("W", "b")],
    "lstm": [("W_i", "b_i"), ("W_f", "b_f"), ("W_c", "b_c"), ("W_o", "b_o")],
    "gru": [("W_r", "b_r"), ("W_z", "b_z"), ("W_h", "b_h")],
}
CONVENTIONS = {"rnn": {}, "lstm": {}, "gru": {"reset": "after", "z_weights": "old"}}
WORST: dict[str, float] = {}  # largest difference seen per quantity, printed by the last test


def close(ours, reference, what: str) -> None:
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert ours.shape == reference.shape, f"{what}: ours shape {ours.shape} vs PyTorch {reference.shape}"
    difference = float(np.max(np.abs(ours - reference), initial=0.0))
    WORST[what.split("_l")[0]] = max(WORST.get(what.split("_l")[0], 0.0), difference)
    np.testing.assert_allclose(ours, reference, rtol=0, atol=ATOL, err_msg=f"{what}: ours vs PyTorch")


def numpy_of(tensor) -> np.ndarray:
    return tensor.detach().numpy().astype(np.float64)


def torch_layout(kind: str, cell_grads, H: int) -> dict[str, np.ndarray]:
    """One cell's gradient record rearranged into PyTorch's four arrays (written here, not taken from rnnlab)."""
    blocks = TORCH_BLOCKS[kind]
    bias_hh = [getattr(cell_grads, b) for _, b in blocks]
    if kind == "gru":
        bias_hh[-1] = cell_grads.b_hn  # inside the reset gate: its own gradient
    return {
        "weight_ih": np.vstack([getattr(cell_grads, W)[:, H:] for W, _ in blocks]),
        "weight_hh": np.vstack([getattr(cell_grads, W)[:, :H] for W, _ in blocks]),
        "bias_ih": np.concatenate([getattr(cell_grads, b) for _, b in blocks]),
        "bias_hh": np.concatenate(bias_hh),
    }


def cross_check(torch, kind, num_layers, bidirectional, *, initial, final_grads, seed, bias=True):
    rng = np.random.default_rng(seed)
    T, B, D, H = int(rng.integers(2, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    torch.manual_seed(seed)
    module = getattr(torch.nn, LAYERS[kind])(D, H, num_layers=num_layers, bidirectional=bidirectional, bias=bias)
    module = module.double()
    p = StackedParams.from_torch(module)
    n_cells, width = num_layers * (2 if bidirectional else 1), H * (2 if bidirectional else 1)
    xs = rng.normal(size=(T, B, D))
    states = [rng.normal(size=(n_cells, B, H)) for _ in range(2 if kind == "lstm" else 1)]
    dout = rng.normal(size=(T, B, width))
    dfinals = [rng.normal(size=(n_cells, B, H)) for _ in states]

    xs_t = torch.tensor(xs, requires_grad=True)
    states_t = [torch.tensor(s, requires_grad=True) for s in states]
    if not initial:
        out, finals_t = module(xs_t)
    else:
        out, finals_t = module(xs_t, tuple(states_t) if kind == "lstm" else states_t[0])
    finals_t = finals_t if kind == "lstm" else (finals_t,)
    loss = (out * torch.tensor(dout)).sum()
    if final_grads:
        loss = loss + sum((f * torch.tensor(d)).sum() for f, d in zip(finals_t, dfinals, strict=True))
    loss.backward()

    outputs, finals, cache = rnnlab.stacked_forward(xs, p, tuple(states) if initial else None, **CONVENTIONS[kind])
    close(outputs, numpy_of(out), "outputs")
    for name, ours, theirs in zip(("h_n", "c_n"), finals, finals_t, strict=False):
        close(ours, numpy_of(theirs), name)
    grads, dxs, dstart = rnnlab.stacked_backward(dout, cache, tuple(dfinals) if final_grads else None)
    close(dxs, numpy_of(xs_t.grad), "dxs")
    if initial:
        for name, ours, tensor in zip(("dh0", "dc0"), dstart, states_t, strict=False):
            close(ours, numpy_of(tensor.grad), name)
    checked = 0
    for layer, direction, cell_grads in grads.cells():
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        for attr, ours in torch_layout(kind, cell_grads, H).items():
            tensor = getattr(module, attr + suffix, None)
            if tensor is None:  # bias=False
                continue
            close(ours, numpy_of(tensor.grad), f"d{attr}{suffix}")
            checked += 1
    expected = sum(1 for _ in module.parameters())
    assert checked == expected, f"checked {checked} of PyTorch's {expected} parameter tensors"


@pytest.mark.parametrize("final_grads", [False, True], ids=["outputs", "outputs+finals"])
@pytest.mark.parametrize("initial", [False, True], ids=["zeros", "h0"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("kind", LAYERS)
def test_stacked_forward_and_every_gradient(torch, kind, num_layers, bidirectional, initial, final_grads):
    seed = 100 * num_layers + 10 * bidirectional + 2 * initial + final_grads
    cross_check(torch, kind, num_layers, bidirectional, initial=initial, final_grads=final_grads, seed=seed)


@pytest.mark.parametrize("kind", LAYERS)
def test_stacked_without_bias(torch, kind):
    cross_check(torch, kind, 2, True, initial=True, final_grads=True, seed=7, bias=False)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("kind", LAYERS)
def test_to_torch_round_trip_and_forward(torch, kind, bidirectional):
    """StackedParams -> nn module -> StackedParams is exact, and the module computes what we compute."""
    p = StackedParams.random(kind, 3, 4, num_layers=3, bidirectional=bidirectional, seed=3)
    if kind == "gru":
        rng = np.random.default_rng(3)
        b_hn = {name.replace("W_r", "b_hn"): rng.uniform(-1, 1, 4) for name in p.arrays() if "W_r" in name}
        p = p.replace_arrays(b_hn)
    module = p.to_torch()
    assert type(module).__name__ == LAYERS[kind] and module.num_layers == 3, f"ours: {module}"
    assert module.bidirectional == bidirectional and module.weight_ih_l0.dtype == torch.float64, f"ours: {module}"
    back = StackedParams.from_torch(module)
    assert back == p, "from_torch(to_torch(p)) differs from p"
    xs = np.random.default_rng(4).normal(size=(5, 2, 3))
    out, _ = module(torch.tensor(xs))
    close(rnnlab.stacked_forward(xs, p, **CONVENTIONS[kind])[0], numpy_of(out), "outputs of to_torch")
    again = rnnlab.interop.from_torch(StackedParams, rnnlab.interop.to_torch(p))
    assert again == p, "interop.from_torch(StackedParams, interop.to_torch(p)) differs from p"


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("kind", LAYERS)
def test_count_params_matches_torch(torch, kind, num_layers, bidirectional, bias):
    D, H = 5, 7
    module = getattr(torch.nn, LAYERS[kind])(D, H, num_layers=num_layers, bidirectional=bidirectional, bias=bias)
    theirs = sum(t.numel() for t in module.parameters())
    shape = {"num_layers": num_layers, "bidirectional": bidirectional}
    ours = rnnlab.count_params(kind, D, H, **shape, biases_per_gate=2 if bias else 1)
    if not bias:  # rnnlab always has one bias per gate: PyTorch without bias has one fewer
        ours -= rnnlab.cell_kind(kind).gates * H * num_layers * (2 if bidirectional else 1)
    assert ours == theirs, f"count_params: ours {ours} vs PyTorch {theirs} ({shape}, bias={bias})"
    own = sum(a.size for a in StackedParams.random(kind, D, H, **shape).arrays().values())
    assert rnnlab.count_params(kind, D, H, **shape) == own, f"ours {rnnlab.count_params(kind, D, H, **shape)} vs {own}"


def expect_error(error, call, *fragments):
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), f"ours: {str(info.value)!r}\nexpected it to contain {fragment!r}"


def test_from_torch_errors(torch):
    cell = torch.nn.GRUCell(2, 3)
    expect_error(TypeError, lambda: StackedParams.from_torch(cell), "module:", "torch.nn.GRU", "GRUCell")
    expect_error(TypeError, lambda: StackedParams.from_torch(torch.nn.Linear(2, 3)), "module:", "Linear")
    relu = torch.nn.RNN(2, 3, num_layers=2, nonlinearity="relu")
    expect_error(ValueError, lambda: StackedParams.from_torch(relu), "module:", "tanh")
    projected = torch.nn.LSTM(2, 3, num_layers=2, proj_size=2)
    expect_error(ValueError, lambda: StackedParams.from_torch(projected), "module:", "projection")
    gru = StackedParams.from_torch(torch.nn.GRU(2, 3, num_layers=2))
    expect_error(ValueError, lambda: rnnlab.stacked_forward(np.zeros((2, 1, 2)), gru), "b_hn", "reset='after'")


def test_worst_differences_against_torch(torch):
    """Prints the largest difference per quantity over the tests above (run with -s to see it)."""
    if WORST:
        print("\nworst |ours - PyTorch| per quantity:", {k: f"{v:.1e}" for k, v in sorted(WORST.items())})
        assert max(WORST.values()) <= ATOL
