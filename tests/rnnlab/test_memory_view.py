"""The Jacobian ("how much does each earlier input still matter") view: its numbers are rnnlab's, checked
against finite differences; every control changes them as it should; the chart and the figure show them."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.figure import Figure

import rnnlab
from rnnlab.explainer.memory import CELLS, MemoryExplainer, memory_chart, memory_inputs, memory_params
from rnnlab.kinds import kind_of
from rnnlab.plots.explainer import memory_figure
from rnnlab.vanishing import input_jacobian_norms


def finite_difference_norms(p, xs, eps=1e-6, **conventions):
    """||d h_T / d x_t||_F by central differences, entry by entry."""
    kind = kind_of(p)

    def last_state(x):
        (hs, *_), _ = kind.run(x[:, None, :], p, **conventions)
        return hs[-1, 0]

    J = np.zeros((len(xs), p.hidden_size, p.input_size))
    for t in range(len(xs)):
        for d in range(p.input_size):
            up, down = xs.copy(), xs.copy()
            up[t, d] += eps
            down[t, d] -= eps
            J[t, :, d] = (last_state(up) - last_state(down)) / (2 * eps)
    return np.sqrt(np.sum(J**2, axis=(1, 2)))


@pytest.mark.parametrize(
    "cls, conventions",
    [
        (rnnlab.RNNParams, {}),
        (rnnlab.LSTMParams, {}),
        (rnnlab.GRUParams, {}),
        (rnnlab.GRUParams, {"z_weights": "new"}),
    ],
    ids=["rnn", "lstm", "gru", "gru-z-new"],
)
def test_jacobian_norms_equal_finite_differences(cls, conventions):
    p = cls.random(3, 4, seed=2)
    xs = np.random.default_rng(5).standard_normal((7, 3))
    ours = input_jacobian_norms(p, xs, **conventions)
    reference = finite_difference_norms(p, xs, **conventions)
    assert ours.shape == (7,)
    assert np.allclose(ours, reference, rtol=1e-6, atol=1e-9), f"ours {ours} vs finite differences {reference}"


def test_the_last_input_of_a_plain_rnn_moves_h_T_by_its_own_jacobian():
    # J_T = diag(1 - h_T^2) V, with V the input block of W = [U | V]
    p = rnnlab.RNNParams.random(2, 3, seed=0)
    xs = np.random.default_rng(1).standard_normal((4, 2))
    (hs,), _ = kind_of(p).run(xs[:, None, :], p)
    J_T = (1 - hs[-1, 0] ** 2)[:, None] * p.W[:, 3:]
    assert np.isclose(input_jacobian_norms(p, xs)[-1], np.linalg.norm(J_T), rtol=1e-12)


def test_bad_input_is_named():
    p = rnnlab.GRUParams.random(3, 3)
    with pytest.raises(ValueError, match=r"xs: expected shape \(T, 3\)"):
        input_jacobian_norms(p, np.zeros((4, 1, 3)))
    with pytest.raises(ValueError, match="xs"):
        input_jacobian_norms(p, np.zeros((0, 3)))


def test_the_view_shows_rnnlabs_norms_and_every_control_changes_them():
    m = MemoryExplainer()
    try:
        for cell in CELLS:
            assert np.array_equal(m.norms[cell], input_jacobian_norms(m.params[cell], m.inputs))
        settings = {"length": 40, "weight_scale": 2.0, "seed": 7, "forget_bias": 4.0}
        for name, value in settings.items():
            before = {cell: n.copy() for cell, n in m.norms.items()}
            m.controls[name].value = value
            changed = [cell for cell in CELLS if before[cell].shape != m.norms[cell].shape
                       or not np.array_equal(before[cell], m.norms[cell])]  # fmt: skip
            expected = ["lstm"] if name == "forget_bias" else list(CELLS)
            assert changed == expected, f"{name} = {value}: changed {changed}, expected {expected}"
            for cell in CELLS:
                p = memory_params(cell, m.controls["seed"].value, m.controls["weight_scale"].value,
                                  m.controls["forget_bias"].value)  # fmt: skip
                xs = memory_inputs(m.controls["seed"].value, m.controls["length"].value)
                assert np.array_equal(m.norms[cell], input_jacobian_norms(p, xs)), f"{cell} after {name}"
        assert all(len(n) == 40 for n in m.norms.values())
    finally:
        m.close()


def test_the_chart_carries_every_exact_value():
    m = MemoryExplainer()
    try:
        html = m.views["chart"].value
        assert html == memory_chart(m.norms)
        for cell in CELLS:
            shown = [float(v) for v in re.findall(rf'data-cell="{cell}" data-index="\d+" data-value="([^"]+)"', html)]
            assert shown == [float(v) for v in m.norms[cell]], f"{cell}: chart {shown[:3]} vs norms {m.norms[cell][:3]}"
        assert f"(T = {m.controls['length'].value})" in m.views["status"].value
    finally:
        m.close()


def test_a_large_forget_bias_keeps_the_lstms_first_input_alive_and_the_rnns_fades():
    """What the book says of the view: the plain RNN's sensitivity to x_1 vanishes geometrically; an LSTM with a
    forget bias of 4 keeps orders of magnitude more of it."""
    m = MemoryExplainer()
    try:
        m.controls["length"].value = 40
        m.controls["forget_bias"].value = 4.0
        rnn, lstm = m.norms["rnn"], m.norms["lstm"]
        assert rnn[0] < 1e-6 * rnn[-1], f"plain RNN: first {rnn[0]:.2e}, last {rnn[-1]:.2e}"
        assert lstm[0] > 1e6 * rnn[0], f"LSTM first {lstm[0]:.2e} vs plain RNN first {rnn[0]:.2e}"
    finally:
        m.close()


def test_the_static_figure_draws_one_line_per_cell():
    m = MemoryExplainer()
    try:
        fig = memory_figure(m)
        assert isinstance(fig, Figure)
        (ax,) = fig.axes
        assert [line.get_label() for line in ax.get_lines()] == [rnnlab.kinds.KINDS[c].title for c in CELLS]
        for line, cell in zip(ax.get_lines(), CELLS, strict=True):
            assert np.array_equal(line.get_ydata(), m.norms[cell])
        assert ax.get_yscale() == "log"
    finally:
        m.close()
