"""The :class:`Explainer`: controls in, rnnlab steps through, HTML charts and equations out."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..params import CellParams
from . import charts
from .controls import close_all, layout, make_controls, preset_options
from .equations import equations
from .model import SIZE, Trace, cell_step, cells_of, check_kind, random_params, run_sequence, sequence_inputs
from .presets import Preset, preset_params, presets_for, worked_example

DECIMALS = 6  # sliders move in steps of 0.05 or 0.1; see Explainer._slider
_ON_STEP = [f"{letter}_{k}" for letter in "xhc" for k in range(1, SIZE + 1)] + ["z_weights", "reset"]


class Explainer:
    """An interactive view of one step of the RNN, the LSTM or the GRU (or the LSTM and the GRU side by side).

    Display :attr:`widget` in a notebook. Every number shown is computed by rnnlab from the controls'
    current values, which the attributes below expose.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru", "both"}
        The cell to show first (the learner can switch with the ``cell`` control).

    Attributes
    ----------
    widget : ipywidgets.Widget
        The root to display.
    controls : dict of str to ipywidgets.Widget
        ``x_1..x_3``, ``h_1..h_3``, ``c_1..c_3`` (sliders), ``cell``, ``preset``, ``weight_scale``, ``seed``,
        ``z_weights``, ``reset``, and the sequence mode's ``seq_pattern``, ``seq_play`` (a Play widget whose
        value is the number of steps shown), ``seq_step`` and ``seq_reset`` (buttons). Setting a
        control's ``.value`` redraws everything before it returns.
    views : dict of str to ipywidgets.HTML
        ``charts``, ``equations``, ``heatmap``, ``status``, ``sequence_status``.

    Notes
    -----
    The weights are a preset's (the worked example at start) until the learner moves ``seed`` or
    ``weight_scale``; from then on they are ``Params.random(3, 3, seed)`` times ``weight_scale``.
    Slider values are read rounded to 6 decimals (see ``_slider``).
    """

    def __init__(self, kind: str = "gru") -> None:
        self._kind = check_kind(kind)
        self._holding = False
        self._source = "worked example"  # a preset's name, or "" for random weights
        self._params: dict[str, CellParams] = {}
        self._steps: dict[str, Trace] = {}
        self._sequence: dict[str, list[Trace]] = {}
        self.controls = make_controls(self._kind, list(self.presets))
        self.views = {name: widgets.HTML() for name in ("status", "charts", "equations", "sequence_status", "heatmap")}
        self.widget = layout(self.controls, self.views)
        self._connect()
        self.apply_preset("worked example")

    # --- what the learner set --------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """The cell shown: ``"rnn"``, ``"lstm"``, ``"gru"`` or ``"both"``."""
        return self._kind

    @property
    def x(self) -> np.ndarray:
        """:math:`x_t`, array (3,)."""
        return self._vector("x")

    @property
    def h_prev(self) -> np.ndarray:
        """:math:`h_{t-1}`, array (3,)."""
        return self._vector("h")

    @property
    def c_prev(self) -> np.ndarray:
        """:math:`c_{t-1}`, array (3,) (read by the LSTM only; its sliders are hidden otherwise)."""
        return self._vector("c")

    @property
    def conventions(self) -> dict[str, str]:
        """The GRU conventions, ``{"z_weights": ..., "reset": ...}`` (keywords of :func:`rnnlab.gru_step`)."""
        return {"z_weights": self.controls["z_weights"].value, "reset": self.controls["reset"].value}

    @property
    def params(self) -> CellParams | dict[str, CellParams]:
        """The current weights: a params object, or for ``"both"`` a dict ``{"lstm": ..., "gru": ...}``."""
        return self._per_kind(self._params)

    @property
    def step(self) -> Trace | dict[str, Trace]:
        """rnnlab's trace of the current step (for ``"both"`` a dict ``{"lstm": ..., "gru": ...}``)."""
        return self._per_kind(self._steps)

    @property
    def presets(self) -> dict[str, Preset]:
        """The presets for the current kind, by name."""
        return presets_for(cells_of(self._kind))

    @property
    def weights_source(self) -> str:
        """The preset the weights come from, or ``""`` for ``Params.random(3, 3, seed) * weight_scale``."""
        return self._source

    # --- the sequence mode ------------------------------------------------------------------------

    @property
    def sequence_inputs(self) -> np.ndarray:
        """The input sequence, array (T, 3), made from ``x`` by the ``seq_pattern`` control."""
        return self._sequence_xs

    @property
    def sequence_traces(self) -> list[Trace] | dict[str, list[Trace]]:
        """One rnnlab trace per step of the sequence, started from ``h_prev`` (and ``c_prev``)."""
        return self._per_kind(self._sequence)

    @property
    def sequence_position(self) -> int:
        """How many steps of the sequence are revealed (0 to T); the Play widget's value."""
        return int(self.controls["seq_play"].value)

    # --- actions ------------------------------------------------------------------------------------

    def apply_preset(self, name: str) -> None:
        """Load preset ``name`` (a key of :attr:`presets`): its weights and the worked example's inputs.

        ``"worked example"`` also sets the GRU conventions to the book's (``"old"``, ``"before"``), so the
        displayed values are the book's. The other presets are built for the current ``z_weights``.
        """
        if name not in self.presets:
            raise ValueError(f"preset: expected one of {list(self.presets)} for kind {self._kind!r}, got {name!r}")
        example = worked_example("lstm")  # the seeds' inputs are the same for every cell
        with self._hold():
            if name == "worked example":
                self.controls["z_weights"].value, self.controls["reset"].value = "old", "before"
            for letter, values in (("x", example.x), ("h", example.h_prev), ("c", example.c_prev)):
                for k, value in enumerate(values, start=1):
                    self.controls[f"{letter}_{k}"].value = float(value)
            self.controls["preset"].value = name
            self._source = name
            self._load_weights()
        self.refresh()

    def refresh(self) -> None:
        """Recompute every step with rnnlab and redraw every view (the controls call this on each change)."""
        x, h_prev, c_prev = self.x, self.h_prev, self.c_prev
        self._steps = {
            cell: cell_step(cell, x, h_prev, c_prev, self._params[cell], **self.conventions)
            for cell in cells_of(self._kind)
        }
        inputs = {"x": x, "h_prev": h_prev} | ({"c_prev": c_prev} if "lstm" in self._steps else {})
        side_by_side = '<div style="display:flex;flex-wrap:wrap;gap:18px">{}</div>'
        self.views["charts"].value = charts.inputs_chart(inputs) + side_by_side.format(
            "".join(charts.cell_chart(cell, trace) for cell, trace in self._steps.items())
        )
        self.views["equations"].value = side_by_side.format(
            "".join(equations(cell, self._params[cell], trace) for cell, trace in self._steps.items())
        )
        self.views["status"].value = self._status()
        self.refresh_sequence()

    def refresh_sequence(self) -> None:
        """Recompute the sequence run and redraw its heatmap up to :attr:`sequence_position`."""
        c = self.controls
        self._sequence_xs = sequence_inputs(c["seq_pattern"].value, self.x, c["seed"].value)
        h0, c0 = self.h_prev, self.c_prev
        self._sequence = {
            cell: run_sequence(cell, self._sequence_xs, h0, c0, self._params[cell], **self.conventions)
            for cell in cells_of(self._kind)
        }
        shown, T = self.sequence_position, len(self._sequence_xs)
        self.views["sequence_status"].value = (
            f"Showing {shown} of {T} steps of the <b>{c['seq_pattern'].value}</b> input, starting from the "
            "sliders' previous state. Press play, or step."
        )
        self.views["heatmap"].value = "".join(
            charts.heatmap(cell, self._sequence_xs, traces, shown) for cell, traces in self._sequence.items()
        )

    def close(self) -> None:
        """Close every widget of the explainer (and their layouts and styles), freeing them in the kernel.

        A notebook that builds explainers only for their numbers calls this, so that their widgets are not
        kept, nor saved with the notebook's widget state.
        """
        close_all(self.widget, *self.controls.values(), *self.views.values())

    # --- wiring -------------------------------------------------------------------------------------

    def _connect(self) -> None:
        c = self.controls
        for name in _ON_STEP:
            c[name].observe(self._on_step_control, names="value")
        for name in ("weight_scale", "seed"):
            c[name].observe(self._on_weight_control, names="value")
        c["preset"].observe(self._on_preset, names="value")
        c["cell"].observe(self._on_cell, names="value")
        for name in ("seq_pattern", "seq_play"):
            c[name].observe(self._on_sequence_control, names="value")
        c["seq_step"].on_click(lambda _: self._advance(1))
        c["seq_reset"].on_click(lambda _: self._advance(-self.sequence_position))

    def _on_step_control(self, change: dict[str, Any]) -> None:
        if not self._holding:
            self.refresh()

    def _on_sequence_control(self, change: dict[str, Any]) -> None:
        if not self._holding:
            self.refresh_sequence()

    def _on_weight_control(self, change: dict[str, Any]) -> None:
        if self._holding:
            return
        with self._hold():
            self._source = ""
            self.controls["preset"].value = ""
            self._load_weights()
        self.refresh()

    def _on_preset(self, change: dict[str, Any]) -> None:
        if self._holding:
            return
        if change["new"]:
            self.apply_preset(change["new"])
            return
        self._source = ""
        self._load_weights()
        self.refresh()

    def _on_cell(self, change: dict[str, Any]) -> None:
        self._kind = check_kind(change["new"])
        with self._hold():
            if self._source and self._source not in self.presets:
                self._source = "worked example"
            self.controls["preset"].options = preset_options(list(self.presets))
            self.controls["preset"].value = self._source
            self._load_weights()
        self.refresh()

    def _advance(self, steps: int) -> None:
        play = self.controls["seq_play"]
        play.value = min(max(play.value + steps, play.min), play.max)

    def _load_weights(self) -> None:
        """Set the weights of every shown cell from the current source; show only the relevant controls."""
        c = self.controls
        cells = cells_of(self._kind)
        if self._source:
            self._params = {cell: preset_params(self._source, cell, c["z_weights"].value) for cell in cells}
        else:
            scale = self._slider("weight_scale")
            self._params = {cell: random_params(cell, c["seed"].value, scale) for cell in cells}
        for k in range(1, SIZE + 1):
            c[f"c_{k}"].layout.display = None if "lstm" in cells else "none"
        for name in ("z_weights", "reset"):
            c[name].layout.display = None if "gru" in cells else "none"

    def _status(self) -> str:
        if self._source:
            weights = f"weights of the preset <b>{self._source}</b>"
            if self._source != "worked example" and "gru" in self._steps:
                weights += " (made for the z_weights convention it was applied under)"
        else:
            c = self.controls
            weights = f"random weights, seed {c['seed'].value}, times {self._slider('weight_scale'):g}"
        promise = self.presets[self._source].promise if self._source else ""
        return f'<div style="font:12px sans-serif;color:#333333">{weights}. {promise}</div>'

    @contextlib.contextmanager
    def _hold(self) -> Iterator[None]:
        """Change several controls without redrawing after each one."""
        held, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = held

    def _vector(self, letter: str) -> np.ndarray:
        return np.array([self._slider(f"{letter}_{k}") for k in range(1, SIZE + 1)], dtype=np.float64)

    def _slider(self, name: str) -> float:
        """A slider's value to :data:`DECIMALS` places: a browser moves sliders on a float grid and sends back
        0.19999999999999996 for 0.2, which must not leak into the numbers (the book's example uses 0.2)."""
        return round(float(self.controls[name].value), DECIMALS)

    def _per_kind(self, values: dict[str, Any]) -> Any:
        return dict(values) if self._kind == "both" else values[self._kind]

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
