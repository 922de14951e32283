"""The explainer, driven programmatically: every control change shows exactly rnnlab's step.

The reference is rnnlab itself, called here independently on the explainer's inputs and weights; the
presets are checked against the promises they make, with numbers computed in the test.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import rnnlab
from rnnlab import examples
from rnnlab.explainer import Explainer

KINDS = ("rnn", "lstm", "gru", "both")
SLIDERS = [f"{letter}_{k}" for letter in "xhc" for k in (1, 2, 3)]
SATURATED = 1e-4  # a pinned gate is within this of 0 or 1 (sigmoid(12) = 1 - 6e-6)


def cells(kind: str) -> tuple[str, ...]:
    return ("lstm", "gru") if kind == "both" else (kind,)


def per_cell(e: Explainer, value: object) -> dict[str, object]:
    return value if e.kind == "both" else {e.kind: value}


def reference_step(e: Explainer, cell: str, params: object) -> object:
    """rnnlab's step on the explainer's current inputs, called here, not through the explainer."""
    if cell == "rnn":
        return rnnlab.rnn_step(e.x, e.h_prev, params)
    if cell == "lstm":
        return rnnlab.lstm_step(e.x, e.h_prev, e.c_prev, params)
    conventions = e.controls["z_weights"].value, e.controls["reset"].value
    return rnnlab.gru_step(e.x, e.h_prev, params, z_weights=conventions[0], reset=conventions[1])


def assert_matches_rnnlab(e: Explainer) -> None:
    """Every field of ``e.step`` equals rnnlab's, and the charts display exactly those numbers."""
    steps, params = per_cell(e, e.step), per_cell(e, e.params)
    assert set(steps) == set(cells(e.kind))
    for cell, ours in steps.items():
        ref = reference_step(e, cell, params[cell])
        for field in dataclasses.fields(ref):
            a, b = getattr(ours, field.name), getattr(ref, field.name)
            if isinstance(b, np.ndarray):
                assert_array_equal(a, b, err_msg=f"{cell}.{field.name}: ours {a} vs rnnlab {b}")
            else:
                assert a == b, f"{cell}.{field.name}: ours {a!r} vs rnnlab {b!r}"
        shown = displayed(e.views["charts"].value, cell)
        for name, values in shown.items():
            assert_array_equal(values, getattr(ref, name), err_msg=f"displayed {cell}.{name} vs rnnlab")
        assert shown, f"no values displayed for {cell}"


def displayed(html: str, cell: str) -> dict[str, np.ndarray]:
    """The exact values the HTML shows for ``cell``, read back from the ``data-value`` attributes."""
    found: dict[str, dict[int, float]] = {}
    pattern = rf'data-cell="{cell}" data-name="(\w+)" data-index="(\d)" data-value="([^"]+)"'
    for name, index, value in re.findall(pattern, html):
        found.setdefault(name, {})[int(index)] = float(value)
    return {name: np.array([v[k] for k in sorted(v)]) for name, v in found.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_every_control_updates_the_step_to_rnnlabs(kind: str) -> None:
    e = Explainer(kind)
    assert_matches_rnnlab(e)
    rng = np.random.default_rng(7)
    for name in SLIDERS:
        control = e.controls[name]
        new = round(float(rng.uniform(control.min, control.max)), 2)
        control.value = new
        letter, k = name.split("_")
        assert getattr(e, {"x": "x", "h": "h_prev", "c": "c_prev"}[letter])[int(k) - 1] == new
        assert_matches_rnnlab(e)
    e.controls["weight_scale"].value = 2.5
    e.controls["seed"].value = 11
    assert e.weights_source == ""
    for cell, params in per_cell(e, e.params).items():
        expected = type(params).random(3, 3, seed=11)
        for field, array in expected.arrays().items():
            assert_array_equal(getattr(params, field), 2.5 * array, err_msg=f"{cell}.{field} vs 2.5 * random(seed=11)")
    assert_matches_rnnlab(e)


@pytest.mark.parametrize("kind", KINDS)
def test_every_control_at_its_minimum_and_maximum(kind: str) -> None:
    e = Explainer(kind)
    for control in e.controls.values():
        if hasattr(control, "min") and hasattr(control, "max"):
            values = [control.min, control.max, control.min]
        elif hasattr(control, "options"):
            values = (
                [value for _, value in control.options] if isinstance(control.options[0], tuple) else control.options
            )
        else:  # a button
            for _ in range(e.controls["seq_play"].max + 2):
                control.click()
            assert_matches_rnnlab(e)
            continue
        for value in values:
            control.value = value
            assert_matches_rnnlab(e)
        e.controls["cell"].value = kind


def test_a_browsers_float_grid_does_not_leak_into_the_numbers() -> None:
    e = Explainer("lstm")
    e.controls["h_1"].value = 0.19999999999999996  # what a browser's slider sends back for 0.2
    e.controls["weight_scale"].value = 2.5000000000000004
    assert e.h_prev[0] == 0.2
    assert_array_equal(e.params.b_f, 2.5 * rnnlab.LSTMParams.random(3, 3, seed=0).b_f)
    assert_matches_rnnlab(e)


def test_bad_kind_and_bad_preset_name_the_choices() -> None:
    with pytest.raises(ValueError, match="'rnn', 'lstm', 'gru', 'both'"):
        Explainer("transformer")
    with pytest.raises(ValueError, match="reset the history"):
        Explainer("gru").apply_preset("remember some things")
    with pytest.raises(ValueError, match="copy the input"):
        Explainer("lstm").apply_preset("reset the history")  # the LSTM has no reset gate


@pytest.mark.parametrize("kind", KINDS)
def test_worked_example_shows_the_books_numbers(kind: str) -> None:
    e = Explainer(kind)
    e.controls["seed"].value = 3  # leave the example, then come back
    e.apply_preset("worked example")
    reference = {"rnn": examples.rnn_3d(), "lstm": examples.lstm_3d(), "gru": examples.gru_3d()}
    for cell, params in per_cell(e, e.params).items():
        ex = reference[cell]
        assert_array_equal(e.x, ex.x)
        assert_array_equal(e.h_prev, ex.h_prev)
        assert params.arrays().keys() == ex.params.arrays().keys()
        for field, array in ex.params.arrays().items():
            assert_array_equal(getattr(params, field), array, err_msg=f"{cell}.{field} vs rnnlab.examples")
        assert_matches_rnnlab(e)
    steps = per_cell(e, e.step)
    seeds = {  # the seeds' published values, two decimals
        "lstm": {
            "f": [0.65, 0.42, 0.78],
            "i": [0.53, 0.71, 0.48],
            "c_tilde": [0.32, -0.54, 0.67],
            "c": [0.56, -0.47, 0.55],
        },
        "gru": {"r": [0.58, 0.73, 0.45], "z": [0.66, 0.42, 0.51]},
    }
    for cell, published in seeds.items():
        for name, values in published.items():
            if cell in steps:
                assert_array_equal(np.round(getattr(steps[cell], name), 2), values, err_msg=f"{cell}.{name} vs seeds")


def wiggle(e: Explainer, seed: int) -> None:
    """Move every input slider somewhere else: a preset's promise must hold for any input."""
    rng = np.random.default_rng(seed)
    for name in SLIDERS:
        control = e.controls[name]
        control.value = round(float(rng.uniform(control.min, control.max)), 2)


@pytest.mark.parametrize("z_weights", ["old", "new"])
@pytest.mark.parametrize("reset", ["before", "after"])
@pytest.mark.parametrize("trial", [0, 1])
def test_gru_presets_keep_their_promises(z_weights: str, reset: str, trial: int) -> None:
    e = Explainer("gru")
    e.controls["z_weights"].value, e.controls["reset"].value = z_weights, reset
    keep = (lambda z: z) if z_weights == "old" else (lambda z: 1.0 - z)  # how much of h_prev survives

    e.apply_preset("remember everything")
    wiggle(e, trial)
    s = e.step
    assert np.all(keep(s.z) > 1 - SATURATED), f"z = {s.z} should keep h_prev under z_weights={z_weights!r}"
    assert_allclose(s.h, e.h_prev, atol=SATURATED, err_msg="remember everything: h_t vs h_{t-1}")

    e.apply_preset("reset the history")
    wiggle(e, trial)
    s = e.step
    without_history = rnnlab.gru_step(e.x, np.zeros(3), e.params, z_weights=z_weights, reset=reset)
    assert np.all(e.step.r < SATURATED), f"r = {s.r} should be 0"
    assert_allclose(s.h_tilde, without_history.h_tilde, atol=SATURATED, err_msg="h~_t vs h~_t with h_{t-1} = 0")

    e.apply_preset("forget everything")
    wiggle(e, trial)
    s = e.step
    assert np.all(keep(s.z) < SATURATED) and np.all(s.r < SATURATED), f"z = {s.z}, r = {s.r}"
    assert_allclose(s.h, s.h_tilde, atol=SATURATED, err_msg="forget everything: h_t vs h~_t")
    without_history = rnnlab.gru_step(e.x, np.zeros(3), e.params, z_weights=z_weights, reset=reset)
    assert_allclose(s.h, without_history.h, atol=SATURATED, err_msg="forget everything: h_t vs h_t with h_{t-1} = 0")

    e.apply_preset("copy the input")
    wiggle(e, trial)
    assert_allclose(e.step.h, np.tanh(e.x), atol=SATURATED, err_msg="copy the input: h_t vs tanh(x_t)")
    assert_matches_rnnlab(e)


@pytest.mark.parametrize("trial", [0, 1])
def test_lstm_presets_keep_their_promises(trial: int) -> None:
    e = Explainer("lstm")
    e.apply_preset("remember everything")
    wiggle(e, trial)
    s = e.step
    assert np.all(s.f > 1 - SATURATED) and np.all(s.i < SATURATED), f"f = {s.f}, i = {s.i}"
    assert_allclose(s.c, e.c_prev, atol=SATURATED, err_msg="remember everything: c_t vs c_{t-1}")

    e.apply_preset("forget everything")
    wiggle(e, trial)
    s = e.step
    assert np.all(s.f < SATURATED) and np.all(s.i > 1 - SATURATED), f"f = {s.f}, i = {s.i}"
    assert_allclose(s.c, s.c_tilde, atol=SATURATED, err_msg="forget everything: c_t vs c~_t")

    e.apply_preset("copy the input")
    wiggle(e, trial)
    s = e.step
    assert np.all(s.o > 1 - SATURATED), f"o = {s.o}"
    assert_allclose(s.c, np.tanh(e.x), atol=SATURATED, err_msg="copy the input: c_t vs tanh(x_t)")
    assert_allclose(s.h, np.tanh(np.tanh(e.x)), atol=SATURATED, err_msg="copy the input: h_t vs tanh(tanh(x_t))")
    assert "reset the history" not in e.presets


def test_rnn_presets_keep_their_promises() -> None:
    e = Explainer("rnn")
    e.apply_preset("remember everything")  # the best a plain RNN can do: it still squashes
    wiggle(e, 0)
    assert_allclose(e.step.h, np.tanh(e.h_prev), rtol=1e-15, err_msg="h_t vs tanh(h_{t-1})")
    e.apply_preset("forget everything")
    before = e.step.h
    wiggle(e, 1)
    e.controls["x_1"].value, e.controls["x_2"].value, e.controls["x_3"].value = examples.X
    assert_array_equal(e.step.h, before, err_msg="forget everything: h_t changed with h_{t-1}")
    e.apply_preset("copy the input")
    wiggle(e, 2)
    assert_allclose(e.step.h, np.tanh(e.x), rtol=1e-15, err_msg="copy the input: h_t vs tanh(x_t)")


def test_both_applies_each_preset_to_each_cell() -> None:
    e = Explainer("both")
    e.apply_preset("remember everything")
    assert np.all(e.step["lstm"].f > 1 - SATURATED) and np.all(e.step["gru"].z > 1 - SATURATED)
    e.apply_preset("reset the history")  # GRU only; the LSTM shows the worked example
    assert np.all(e.step["gru"].r < SATURATED)
    assert_array_equal(e.step["lstm"].f, rnnlab.lstm_step(e.x, e.h_prev, e.c_prev, examples.lstm_3d().params).f)
    e.controls["cell"].value = "lstm"  # a preset the new kind lacks falls back to the worked example
    assert e.weights_source == "worked example"
    assert_matches_rnnlab(e)


def test_convention_toggles_change_the_gru_step() -> None:
    e = Explainer("gru")
    results = {}
    for z_weights in ("old", "new"):
        for reset in ("before", "after"):
            e.controls["z_weights"].value, e.controls["reset"].value = z_weights, reset
            assert e.step.z_weights == z_weights and e.step.reset == reset
            assert_matches_rnnlab(e)
            results[z_weights, reset] = e.step.h
    assert not np.array_equal(results["old", "before"], results["new", "before"])
    assert not np.array_equal(results["old", "before"], results["old", "after"])
    assert 'z_weights="new", reset="after"' in e.views["equations"].value


@pytest.mark.parametrize("kind", KINDS)
def test_sequence_mode_steps_and_resets(kind: str) -> None:
    e = Explainer(kind)
    e.apply_preset("remember everything")
    e.controls["seq_pattern"].value = "random"
    T = len(e.sequence_inputs)
    for shown in (1, 2):
        e.controls["seq_step"].click()
        assert e.sequence_position == shown
        for cell in cells(kind):
            assert len(re.findall(f'data-cell="{cell}-seq-{shown}"', e.views["heatmap"].value)) > 0
            assert f'data-cell="{cell}-seq-{shown + 1}"' not in e.views["heatmap"].value
    for _ in range(T + 3):
        e.controls["seq_step"].click()
    assert e.sequence_position == T
    e.controls["seq_reset"].click()
    assert e.sequence_position == 0 and "-seq-" not in e.views["heatmap"].value
    # the explainer's step-by-step run equals rnnlab's fused sequence functions
    xs, h0, c0 = e.sequence_inputs[:, None, :], e.h_prev[None], e.c_prev[None]
    for cell, traces in per_cell(e, e.sequence_traces).items():
        params = per_cell(e, e.params)[cell]
        if cell == "rnn":
            hs, _ = rnnlab.rnn_forward(xs, h0, params)
        elif cell == "lstm":
            hs, _, _ = rnnlab.lstm_forward(xs, h0, c0, params)
        else:
            hs, _ = rnnlab.gru_forward(xs, h0, params, **e.conventions)
        ours = np.array([trace.h for trace in traces])
        assert_allclose(ours, hs[:, 0], rtol=1e-12, atol=1e-15, err_msg=f"{cell}: stepped hs vs rnnlab forward")


def test_close_releases_every_widget() -> None:
    e = Explainer("both")
    e.close()
    assert e.widget.comm is None and all(control.comm is None for control in e.controls.values())
    assert all(view.comm is None for view in e.views.values())


def test_chapter_links_to_binder_and_describes_its_figures() -> None:
    """The static page must teach without a kernel: a Binder link to this repository, figures with alt text."""
    import json

    import yaml

    root = Path(__file__).resolve().parents[2]
    path = "chapters/08_explore_the_gates.ipynb"
    notebook = json.loads((root / path).read_text())
    url = yaml.safe_load((root / "_config.yml").read_text())["repository"]["url"]
    owner_repo = url.removeprefix("https://github.com/").removesuffix(".git")
    text = "".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert f"https://mybinder.org/v2/gh/{owner_repo}/main?urlpath=lab/tree/{path}" in text
    figures = re.findall(r"```\{glue:figure\} (\S+)\n(:alt: .+\n)?", text)
    assert len(figures) >= 6 and all(alt for _, alt in figures), f"figures without alt text: {figures}"
    live = [cell for cell in notebook["cells"] if "explainer.widget" in "".join(cell["source"])]
    assert live and all("nbval-ignore-output" in cell["metadata"].get("tags", []) for cell in live)


@pytest.mark.parametrize("kind", KINDS)
def test_equations_show_the_current_numbers(kind: str) -> None:
    e = Explainer(kind)
    wiggle(e, 3)
    html = e.views["equations"].value
    names = {"rnn": ("h",), "lstm": ("f", "i", "c_tilde", "c", "o", "h"), "gru": ("r", "z", "h_tilde", "h")}
    for cell, trace in per_cell(e, e.step).items():
        for name in names[cell]:
            text = ", ".join(f"{v:.3f}".replace("-", "&minus;") for v in getattr(trace, name))
            assert f"= [{text}]</td>" in html, f"{cell}.{name} = [{text}] is not in the equations"
