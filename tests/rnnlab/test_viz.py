"""The book's figures: each function returns a Figure with the expected axes and labels, renders to PNG
(mathtext errors only show up when drawing), and rejects bad input with a ValueError naming the argument."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import examples, gru_step
from rnnlab.plots import diagrams, steps, style, training


def render(fig: Figure) -> bytes:
    """Draw the figure to PNG bytes, which parses every label's mathtext."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=30)
    data = buffer.getvalue()
    assert data.startswith(b"\x89PNG"), "the figure did not render to a PNG"
    return data


def texts(fig: Figure) -> set[str]:
    """Every string drawn on the figure's axes (labels, titles, annotations, legend entries)."""
    found = set()
    for ax in fig.axes:
        found |= {ax.get_xlabel(), ax.get_ylabel(), ax.get_title()}
        found |= {text.get_text() for text in ax.texts}
        legend = ax.get_legend()
        if legend is not None:
            found |= {text.get_text() for text in legend.get_texts()}
    return found


def test_figures_have_a_white_background_for_both_themes():
    fig, (ax,) = style.new_figure()
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0), f"figure face {fig.get_facecolor()} vs white"
    assert ax.get_facecolor()[:3] == (1.0, 1.0, 1.0), f"axes face {ax.get_facecolor()} vs white"


def test_gate_bars_draws_one_bar_per_component_and_quantity():
    fig = steps.gate_bars({"f": [0.1, 0.5, 0.9], "i": [0.2, 0.4, 0.6]}, title="gates")
    render(fig)
    (ax,) = fig.axes
    assert len(ax.patches) == 6, f"bars: ours {len(ax.patches)} vs expected 2 quantities x 3 components"
    assert ax.get_xlabel() == "component" and ax.get_ylabel() == "value"
    assert {"$f_t$", "$i_t$", "gates"} <= texts(fig), f"labels drawn: {texts(fig)}"
    low, high = ax.get_ylim()
    assert low == 0.0 and 1.0 <= high <= 1.2, f"gates get the unit range plus room for labels, got {low, high}"
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [0.1, 0.2, 0.4, 0.5, 0.6, 0.9], f"bar heights ours {heights}"


def test_gate_bars_fits_signed_values():
    fig = steps.gate_bars({"c_tilde": [-0.5, 0.3], "h": [0.2, -0.9]})
    low, high = fig.axes[0].get_ylim()
    assert low < -0.9 and high > 0.3, f"y range {low, high} must contain the data [-0.9, 0.3]"


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, "values"),
        ({"f": [[0.1, 0.2]]}, "1-D"),
        ({"f": [0.1, 0.2], "i": [0.1]}, "same length"),
        ({"f": [0.1, np.nan]}, "finite"),
        ({"f": ["a", "b"]}, "numbers"),
        ([0.1, 0.2], "mapping"),
    ],
)
def test_gate_bars_rejects_bad_input(values, message):
    with pytest.raises(ValueError, match=message):
        steps.gate_bars(values)


def test_state_heatmap_has_colorbar_and_labels():
    values = np.linspace(-1, 1, 12).reshape(3, 4)
    fig = steps.state_heatmap(values, title="states", colorbar_label="h")
    render(fig)
    ax, bar = fig.axes
    assert ax.get_xlabel() == "step $t$" and ax.get_ylabel() == "unit" and ax.get_title() == "states"
    assert bar.get_ylabel() == "h", f"colour-bar label ours {bar.get_ylabel()!r} vs 'h'"
    (image,) = ax.images
    assert image.get_array().shape == (3, 4)
    assert image.get_clim() == (-1.0, 1.0), f"diverging scale centred on 0: ours {image.get_clim()}"
    gates = steps.state_heatmap(np.full((2, 5), 0.5) + np.arange(5) / 10, center=None)
    assert gates.axes[0].images[0].get_cmap().name == "viridis"


@pytest.mark.parametrize("values", [np.zeros(4), np.zeros((0, 3)), np.zeros((2, 2, 2)), [[1.0, np.inf]]])
def test_state_heatmap_rejects_bad_input(values):
    with pytest.raises(ValueError, match="values"):
        steps.state_heatmap(values)


def test_gradient_decay_is_log_scaled_with_one_line_per_curve():
    ks = np.arange(1, 6)
    fig = steps.gradient_decay(ks, {"a": 0.5**ks, "b": 2.0**ks}, title="decay")
    render(fig)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 2, f"lines: ours {len(ax.lines)} vs 2"
    assert {"a", "b", "decay"} <= texts(fig)
    assert "k" in ax.get_xlabel() and "partial" in ax.get_ylabel()
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), 0.5**ks)


@pytest.mark.parametrize(
    "ks, norms, message",
    [
        ([], {"a": []}, "ks"),
        ([1, 2, 3], {"a": [1.0, 0.5]}, "shape"),
        ([1, 2], {"a": [1.0, 0.0]}, "positive"),
        ([1, 2], {}, "norms"),
    ],
)
def test_gradient_decay_rejects_bad_input(ks, norms, message):
    with pytest.raises(ValueError, match=message):
        steps.gradient_decay(ks, norms)


def test_interpolation_marks_the_gru_update():
    example = examples.gru_3d()
    trace = gru_step(example.x, example.h_prev, example.params)
    fig = steps.interpolation(trace.h_prev, trace.h_tilde, trace.z)
    render(fig)
    (ax,) = fig.axes
    assert ax.get_xlabel() == r"update gate $z_t$" and ax.get_ylabel() == r"new state $h_t$"
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == 3, f"one dot per component: ours {len(dots)}"
    marked = np.array([line.get_ydata()[0] for line in dots])
    np.testing.assert_allclose(marked, trace.h, rtol=0, atol=1e-12, err_msg="dots vs gru_step's h_t")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"z": [0.5, 1.5]}, "z"),
        ({"z": [0.5]}, "same length"),
        ({"z_weights": "both"}, "z_weights"),
    ],
)
def test_interpolation_rejects_bad_input(kwargs, message):
    arguments = {"h_prev": [0.1, 0.2], "h_tilde": [0.3, -0.4], "z": [0.5, 0.5]} | kwargs
    with pytest.raises(ValueError, match=message):
        steps.interpolation(**arguments)


@pytest.mark.parametrize(
    "draw, expected",
    [
        (diagrams.rnn_diagram, {"$h_{t-1}$", "$x_t$", "$h_t$", "tanh"}),
        (diagrams.lstm_diagram, {"$c_{t-1}$", "$c_t$", "$f_t$", "$i_t$", r"$\tilde c_t$", "$o_t$", "tanh"}),
        (diagrams.gru_diagram, {"$r_t$", "$z_t$", "$1-z_t$", r"$\tilde h_t$", "$h_{t-1}$", "tanh"}),
    ],
)
def test_cell_diagrams_draw_every_labelled_quantity(draw, expected):
    fig = draw()
    assert isinstance(fig, Figure)
    render(fig)
    drawn = texts(fig)
    assert expected <= drawn, f"missing labels: {sorted(expected - drawn)}"
    assert not fig.axes[0].axison, "diagrams have no axes frame"


def test_learning_curves_draw_the_mean_of_several_runs_and_a_band_from_lowest_to_highest():
    steps_ = 50
    runs = np.array([np.full(steps_, value) for value in (0.1, 0.2, 0.6)])
    fig = training.learning_curves({"task": {"gru": runs, "lstm": runs[0]}}, baseline=1 / 6, window=1)
    render(fig)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    mean_line = next(line for line in ax.lines if line.get_label().startswith("GRU"))
    np.testing.assert_allclose(mean_line.get_ydata(), 0.3, err_msg="line = mean over the runs")
    assert "GRU (mean of 3)" in texts(fig) and "LSTM" in texts(fig), f"legend: {texts(fig)}"
    (band,) = ax.collections  # one band, for the cell with several runs
    ys = band.get_paths()[0].vertices[:, 1]
    assert np.isclose(ys.min(), 0.1) and np.isclose(ys.max(), 0.6), f"band spans {ys.min(), ys.max()} vs (0.1, 0.6)"


def test_learning_curves_smooth_each_run_before_averaging():
    losses = np.array([[1.0, 0.5, 0.5, 0.5], [0.2, 0.2, 0.2, 0.2]])
    fig = training.learning_curves({"t": {"rnn": losses}}, window=2)
    line = fig.axes[0].lines[0]
    expected = (training.smooth(losses[0], 2) + training.smooth(losses[1], 2)) / 2
    np.testing.assert_allclose(line.get_ydata(), expected)


@pytest.mark.parametrize(
    "runs, message",
    [
        ({}, "non-empty"),
        ({"t": {}}, "non-empty"),
        ({"t": {"transformer": [0.1, 0.2]}}, "unknown cell kinds"),
        ({"t": {"gru": [[[0.1]]]}}, "shape"),
        ({"t": {"gru": [0.1, np.nan]}}, "finite"),
        ({"t": {"gru": [0.1, 0.0]}}, "positive"),
        ({"t": {"gru": ["a"]}}, "numbers"),
    ],
)
def test_learning_curves_reject_bad_input(runs, message):
    with pytest.raises(ValueError, match=message):
        training.learning_curves(runs)


def test_lr_sweep_shows_every_run_the_mean_and_the_chosen_rate():
    rates = [0.003, 0.01, 0.03]
    scores = {"lstm": np.array([[0.2, 0.4], [0.1, 0.3], [0.05, 0.07]]), "gru": np.full((3, 2), 0.1)}
    fig = training.lr_sweep(rates, scores, chosen={"lstm": 0.03, "gru": 0.01}, title="sweep")
    render(fig)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "Adam learning rate"
    means = {line.get_label(): line.get_ydata() for line in ax.lines if line.get_label() in ("LSTM", "GRU")}
    np.testing.assert_allclose(means["LSTM"], [0.3, 0.2, 0.06])
    dots = [line for line in ax.lines if line.get_marker() == "." and line.get_color() == training.CELL_COLORS["lstm"]]
    assert len(dots) == 2, f"one dotted series per run: ours {len(dots)}"
    rings = [line for line in ax.lines if line.get_fillstyle() == "none"]
    assert len(rings) == 2 and np.isclose(rings[0].get_ydata()[0], 0.06), "the chosen rate's mean is circled"
    assert "sweep" in texts(fig)


@pytest.mark.parametrize(
    "rates, scores, message",
    [
        ([], {"gru": np.ones((0, 2))}, "rates"),
        ([0.01, -1.0], {"gru": np.ones((2, 2))}, "rates"),
        ([0.01], {}, "scores"),
        ([0.01], {"gru": np.ones((2, 2))}, "shape"),
        ([0.01], {"cnn": np.ones((1, 2))}, "unknown"),
    ],
)
def test_lr_sweep_rejects_bad_input(rates, scores, message):
    with pytest.raises(ValueError, match=message):
        training.lr_sweep(rates, scores)


def test_step_times_draw_the_median_and_a_band_over_repeats():
    sizes = [16, 32]
    fig = training.step_times(sizes, {"gru": [[1.0, 2.0, 9.0], [4.0, 5.0, 6.0]], "lstm": [2.0, 8.0]})
    render(fig)
    (ax,) = fig.axes
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.0, 5.0], err_msg="line = median of the repeats")
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [2.0, 8.0])
    (band,) = ax.collections
    ys = band.get_paths()[0].vertices[:, 1]
    assert np.isclose(ys.min(), 1.0) and np.isclose(ys.max(), 9.0)
    with pytest.raises(ValueError, match="shape"):
        training.step_times(sizes, {"gru": [1.0, 2.0, 3.0]})
