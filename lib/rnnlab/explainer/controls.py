"""The explainer's controls, by name, and the layout that holds them (no behaviour here)."""

from __future__ import annotations

import ipywidgets as widgets

from .model import KINDS, SEQUENCE_LENGTH, SEQUENCE_PATTERNS, SIZE

#: Slider ranges: x_t and c_{t-1} may leave (-1, 1); h_{t-1} is a tanh output, so it may not.
RANGES = {"x": (-2.0, 2.0), "h": (-1.0, 1.0), "c": (-2.0, 2.0)}
SLIDER_STEP = 0.05
RANDOM_WEIGHTS = "random weights (seed, scale)"
LABELS = {"x": "x<sub>t</sub>", "h": "h<sub>t&minus;1</sub>", "c": "c<sub>t&minus;1</sub>"}


def vector_slider(letter: str, k: int) -> widgets.FloatSlider:
    """The slider for component ``k`` (1-based) of ``x``, ``h`` or ``c``; CSS class ``rnnlab-control-<name>``."""
    low, high = RANGES[letter]
    slider = widgets.FloatSlider(
        value=0.0,
        min=low,
        max=high,
        step=SLIDER_STEP,
        description=f"{LABELS[letter]}[{k}]",
        description_allow_html=True,
        readout_format=".2f",
        continuous_update=True,
        layout=widgets.Layout(width="300px"),
    )
    return slider


def make_controls(kind: str, presets: list[str]) -> dict[str, widgets.Widget]:
    """Every named control, with its starting value (the tests and the chapter address them by name).

    Names: ``x_1..x_3``, ``h_1..h_3``, ``c_1..c_3``, ``cell``, ``preset``, ``weight_scale``, ``seed``,
    ``z_weights``, ``reset``, and for the sequence mode ``seq_pattern``, ``seq_play`` (its value is the
    number of steps shown), ``seq_step`` and ``seq_reset`` (buttons).
    """
    controls: dict[str, widgets.Widget] = {}
    for letter in "xhc":
        for k in range(1, SIZE + 1):
            controls[f"{letter}_{k}"] = vector_slider(letter, k)
    controls["cell"] = widgets.ToggleButtons(
        options=[(label, value) for value, label in KINDS.items()], value=kind, description="cell"
    )
    controls["preset"] = widgets.Dropdown(
        options=preset_options(presets),
        value="worked example",
        description="preset",
        layout=widgets.Layout(width="340px"),
    )
    controls["weight_scale"] = widgets.FloatSlider(
        value=1.0,
        min=0.0,
        max=5.0,
        step=0.1,
        description="weight scale",
        readout_format=".1f",
        style={"description_width": "initial"},
        layout=widgets.Layout(width="300px"),
    )
    controls["seed"] = widgets.IntSlider(
        value=0,
        min=0,
        max=99,
        description="weight seed",
        style={"description_width": "initial"},
        layout=widgets.Layout(width="300px"),
    )
    controls["z_weights"] = widgets.ToggleButtons(
        options=[("old: z keeps h(t-1)", "old"), ("new: z takes h~(t)", "new")],
        value="old",
        description="z_weights",
        tooltips=["h = z*h_prev + (1-z)*h_tilde (Cho 2014, PyTorch)", "h = (1-z)*h_prev + z*h_tilde (Chung 2014)"],
        style={"button_width": "160px"},
    )
    controls["reset"] = widgets.ToggleButtons(
        options=[("before: r*h(t-1) into W_h", "before"), ("after: r*(W_hh h(t-1))", "after")],
        value="before",
        description="reset",
        tooltips=["the seeds, Cho 2014, Keras reset_after=False", "PyTorch, cuDNN, Keras' default"],
        style={"button_width": "200px"},
    )
    controls["seq_pattern"] = widgets.Dropdown(
        options=list(SEQUENCE_PATTERNS), value="pulse", description="input", layout=widgets.Layout(width="200px")
    )
    controls["seq_play"] = widgets.Play(value=0, min=0, max=SEQUENCE_LENGTH, step=1, interval=800, description="play")
    controls["seq_step"] = widgets.Button(
        description="step", icon="step-forward", tooltip="reveal one more step", layout=widgets.Layout(width="90px")
    )
    controls["seq_reset"] = widgets.Button(
        description="reset", icon="undo", tooltip="back to step 0", layout=widgets.Layout(width="90px")
    )
    for name, control in controls.items():
        control.add_class(f"rnnlab-control-{name}")
    return controls


def preset_options(presets: list[str]) -> list[tuple[str, str]]:
    """Dropdown options: the presets, then the random weights chosen by seed and scale (value ``""``)."""
    return [(name, name) for name in presets] + [(RANDOM_WEIGHTS, "")]


def layout(controls: dict[str, widgets.Widget], views: dict[str, widgets.HTML]) -> widgets.Widget:
    """Arrange the controls and the views: pickers on top, sliders left, charts right, sequence in a tab."""
    c = controls
    title = widgets.HTML("<b>Explore the gates</b>: move a slider and watch every gate and state.")
    sliders = widgets.VBox(
        [widgets.HTML("<b>input and previous state</b>")]
        + [c[f"{letter}_{k}"] for letter in "xhc" for k in range(1, SIZE + 1)]
        + [widgets.HTML("<b>weights</b>"), c["weight_scale"], c["seed"]],
        layout=widgets.Layout(min_width="310px"),
    )
    step_tab = widgets.VBox([views["charts"], views["equations"]])
    sequence_tab = widgets.VBox(
        [
            widgets.HBox(
                [c["seq_pattern"], c["seq_play"], c["seq_step"], c["seq_reset"]],
                layout=widgets.Layout(flex_flow="row wrap"),
            ),
            views["sequence_status"],
            views["heatmap"],
        ]
    )
    tabs = widgets.Tab(children=[step_tab, sequence_tab])
    tabs.titles = ("one step", "sequence")
    top = widgets.VBox([title, c["cell"], c["preset"], c["z_weights"], c["reset"], views["status"]])
    return widgets.VBox([top, widgets.HBox([sliders, tabs])], layout=widgets.Layout(width="100%"))


def close_all(*roots: widgets.Widget) -> None:
    """Close every widget under ``roots`` (their children, recursively) with its layout and style.

    A notebook that builds a view only for its numbers calls this, so that its widgets are neither kept in the
    kernel nor saved with the notebook's widget state.
    """
    stack = list(roots)
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()))
        for part in ("layout", "style"):
            if isinstance(getattr(widget, part, None), widgets.Widget):
                getattr(widget, part).close()
        widget.close()
