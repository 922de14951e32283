"""How much does each earlier input still matter? The vanishing gradient made visible, cell beside cell.

For one input sequence :math:`x_1, \\dots, x_T` the view shows, for the plain RNN, the LSTM and the GRU
side by side, the norm of the Jacobian :math:`\\lVert \\partial h_T / \\partial x_t \\rVert_F` for every
:math:`t` (:func:`rnnlab.vanishing.input_jacobian_norms`): how far a small change of input :math:`t`
still moves the last state. A plain RNN's bars shrink geometrically as :math:`t` moves away from
:math:`T`; a gated cell whose gates keep their state (an LSTM with a large forget bias, say) holds them up.

>>> from rnnlab.explainer.memory import MemoryExplainer
>>> m = MemoryExplainer()
>>> m.widget                                       # display this in a notebook   # doctest: +SKIP
>>> m.controls["forget_bias"].value = 3.0          # the LSTM now keeps more of its cell state
>>> m.norms["lstm"].shape
(24,)
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from ..kinds import KINDS
from ..params import CellParams
from ..vanishing import input_jacobian_norms
from .charts import COLORS
from .controls import close_all
from .model import SIZE, random_params

CELLS = ("rnn", "lstm", "gru")
LENGTH = 24  # steps shown at start
FLOOR = 1e-8  # the left edge of the log-scaled bars
CELL_COLORS = {"rnn": COLORS["h"], "lstm": COLORS["f"], "gru": COLORS["z"]}


def memory_params(cell: str, seed: int, scale: float, forget_bias: float) -> CellParams:
    """The view's weights: ``Params.random(3, 3, seed)`` times ``scale``; the LSTM's ``b_f`` plus ``forget_bias``."""
    p = random_params(cell, seed, scale)
    return p.replace(b_f=p.b_f + float(forget_bias)) if cell == "lstm" else p


def memory_inputs(seed: int, length: int) -> np.ndarray:
    """The input sequence, array (T, 3): standard normal numbers from ``seed`` (the same for every cell)."""
    return np.random.default_rng(int(seed) + 1000).standard_normal((int(length), SIZE))


def norm_span(cell: str, index: int, value: float) -> str:
    """One norm, rounded for people and exact in ``data-value`` for tests (class ``rnnlab-memory-value``)."""
    return (
        f'<span class="rnnlab-memory-value" data-cell="{cell}" data-index="{index}" '
        f'data-value="{float(value)!r}">{value:.2e}</span>'
    )


def memory_chart(norms: dict[str, np.ndarray]) -> str:
    """An HTML table: one row per input step t, one log-scaled bar per cell (longer: x_t matters more)."""
    T = len(next(iter(norms.values())))
    top = max(1.0, *(float(np.max(n)) for n in norms.values()))
    span = np.log10(top / FLOOR)
    head = "".join(f'<th style="text-align:left;padding:0 8px">{KINDS[c].title}</th>' for c in norms)
    rows = [f'<tr><th style="text-align:right;padding-right:6px">input <i>t</i></th>{head}</tr>']
    for t in range(T):
        cells = []
        for cell, n in norms.items():
            width = 100.0 * np.clip(np.log10(max(float(n[t]), FLOOR) / FLOOR) / span, 0.0, 1.0)
            bar = (
                f'<span style="display:inline-block;width:120px;height:10px;background:#EEEEEE;margin-right:6px;'
                f'vertical-align:middle"><span style="display:block;width:{width:.1f}%;height:100%;'
                f'background:{CELL_COLORS[cell]}"></span></span>'
            )
            cells.append(f'<td style="padding:0 8px;white-space:nowrap">{bar}{norm_span(cell, t, float(n[t]))}</td>')
        rows.append(f'<tr><td style="text-align:right;padding-right:6px">{t + 1}</td>{"".join(cells)}</tr>')
    return f'<table class="rnnlab-memory" style="border-collapse:collapse;font:12px sans-serif">{"".join(rows)}</table>'


class MemoryExplainer:
    """The Jacobian view: controls in, :func:`~rnnlab.vanishing.input_jacobian_norms` per cell, a chart out.

    Attributes
    ----------
    widget : ipywidgets.Widget, the root to display
    controls : dict of str to ipywidgets.Widget
        ``length`` (T), ``weight_scale``, ``seed`` (weights and inputs), ``forget_bias`` (added to the
        LSTM's b_f). Setting a control's ``.value`` redraws before it returns.
    views : dict of str to ipywidgets.HTML, ``chart`` and ``status``
    norms : dict cell -> array (T,), what the chart shows
    """

    def __init__(self) -> None:
        slider = {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="320px")}
        self.controls: dict[str, widgets.Widget] = {
            "length": widgets.IntSlider(value=LENGTH, min=2, max=60, description="sequence length T", **slider),
            "weight_scale": widgets.FloatSlider(
                value=1.0, min=0.0, max=3.0, step=0.1, readout_format=".1f", description="weight scale", **slider
            ),
            "seed": widgets.IntSlider(value=0, min=0, max=99, description="seed (weights, inputs)", **slider),
            "forget_bias": widgets.FloatSlider(
                value=1.0, min=-3.0, max=6.0, step=0.5, readout_format=".1f", description="LSTM forget bias", **slider
            ),
        }
        for name, control in self.controls.items():
            control.add_class(f"rnnlab-control-{name}")
            control.observe(self._on_change, names="value")
        self.views = {"status": widgets.HTML(), "chart": widgets.HTML()}
        title = widgets.HTML(
            "<b>How much does each earlier input still matter?</b> Bars: the norm of "
            "&part;<i>h<sub>T</sub></i>/&part;<i>x<sub>t</sub></i> (log scale)."
        )
        self.widget = widgets.VBox([title, *self.controls.values(), self.views["status"], self.views["chart"]])
        self.norms: dict[str, np.ndarray] = {}
        self.refresh()

    @property
    def params(self) -> dict[str, CellParams]:
        """The current weights of each cell."""
        c = self.controls
        scale = round(float(c["weight_scale"].value), 6)
        bias = round(float(c["forget_bias"].value), 6)
        return {cell: memory_params(cell, c["seed"].value, scale, bias) for cell in CELLS}

    @property
    def inputs(self) -> np.ndarray:
        """The input sequence, array (T, 3)."""
        return memory_inputs(self.controls["seed"].value, self.controls["length"].value)

    def refresh(self) -> None:
        """Recompute every norm with rnnlab and redraw."""
        xs = self.inputs
        self.norms = {cell: input_jacobian_norms(p, xs) for cell, p in self.params.items()}
        self.views["chart"].value = memory_chart(self.norms)
        first = ", ".join(f"{KINDS[c].title} {n[0]:.1e}" for c, n in self.norms.items())
        self.views["status"].value = (
            f'<div style="font:12px sans-serif">How much the first input still moves <i>h<sub>T</sub></i> '
            f"(T = {len(xs)}): {first}.</div>"
        )

    def close(self) -> None:
        """Close every widget of the view (a notebook that only reads numbers calls this)."""
        close_all(self.widget)

    def _on_change(self, change: dict[str, Any]) -> None:
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
