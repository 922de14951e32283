"""Bar charts and heatmaps as plain HTML strings (fast to rebuild on every slider move).

Each displayed number is a ``<span class="rnnlab-value">`` carrying ``data-cell``, ``data-name``,
``data-index`` (0-based) and ``data-value`` (Python's ``repr`` of the float, so a browser test can compare
the page with rnnlab exactly); its text is the value rounded to :data:`DIGITS` decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

from .model import Trace

DIGITS = 3

# Colours as in rnnlab.plots.style (the book's figures), so the live charts and the static figures agree.
COLORS = {
    "x": "#CCB974", "h_prev": "#8C8C8C", "c_prev": "#8C8C8C", "a": "#937860", "h": "#937860",
    "f": "#4C72B0", "i": "#DD8452", "c_tilde": "#55A868", "c": "#8172B3", "o": "#C44E52",
    "r": "#DA8BC3", "z": "#4C9DB0", "h_tilde": "#55A868",
}  # fmt: skip

# HTML for each symbol, and what it is called.
SYMBOLS = {
    "x": ("<i>x</i><sub><i>t</i></sub>", "input"),
    "h_prev": ("<i>h</i><sub><i>t</i>&minus;1</sub>", "previous state"),
    "c_prev": ("<i>c</i><sub><i>t</i>&minus;1</sub>", "previous cell"),
    "a": ("<i>a</i><sub><i>t</i></sub>", "pre-activation"),
    "h": ("<i>h</i><sub><i>t</i></sub>", "new state"),
    "f": ("<i>f</i><sub><i>t</i></sub>", "forget gate"),
    "i": ("<i>i</i><sub><i>t</i></sub>", "input gate"),
    "c_tilde": ("<i>c&#771;</i><sub><i>t</i></sub>", "candidate cell"),
    "c": ("<i>c</i><sub><i>t</i></sub>", "new cell"),
    "o": ("<i>o</i><sub><i>t</i></sub>", "output gate"),
    "r": ("<i>r</i><sub><i>t</i></sub>", "reset gate"),
    "z": ("<i>z</i><sub><i>t</i></sub>", "update gate"),
    "h_tilde": ("<i>h&#771;</i><sub><i>t</i></sub>", "candidate state"),
}

#: What each cell's chart shows, in the order of the computation.
QUANTITIES = {
    "rnn": ("a", "h"),
    "lstm": ("f", "i", "c_tilde", "c", "o", "h"),
    "gru": ("r", "z", "h_tilde", "h"),
}
GATES = {"f", "i", "o", "r", "z"}
CELL_TITLES = {"rnn": "plain RNN", "lstm": "LSTM", "gru": "GRU", "input": "inputs"}

_BOX = "display:inline-block;vertical-align:top;margin:0 14px 10px 0;font-family:sans-serif;font-size:12px"
_TRACK_WIDTH = 110


def value_span(cell: str, name: str, index: int, value: float) -> str:
    """One labelled number, readable by people (rounded) and by tests (``data-value`` is exact)."""
    return (
        f'<span class="rnnlab-value" data-cell="{cell}" data-name="{name}" data-index="{index}" '
        f'data-value="{float(value)!r}">{value:+.{DIGITS}f}</span>'
    )


def bar(value: float, limit: float, color: str, gate: bool) -> str:
    """A horizontal bar: from the left edge for a gate (range 0..1), from the centre otherwise (-limit..limit)."""
    if gate:
        left, width, zero = 0.0, 100.0 * min(max(value, 0.0), 1.0), 0.0
    else:
        share = 50.0 * min(abs(value) / limit, 1.0)
        left, width, zero = (50.0 if value >= 0 else 50.0 - share), share, 50.0
    return (
        f'<span style="display:inline-block;position:relative;width:{_TRACK_WIDTH}px;height:11px;'
        f'background:#EEEEEE;vertical-align:middle;margin:0 6px">'
        f'<span style="position:absolute;left:{left:.2f}%;width:{width:.2f}%;height:100%;background:{color}"></span>'
        f'<span style="position:absolute;left:{zero:.0f}%;width:1px;height:100%;background:#555555"></span></span>'
    )


def quantity_panel(cell: str, name: str, values: np.ndarray) -> str:
    """One quantity's three bars with their values, under its symbol and its name."""
    symbol, label = SYMBOLS[name]
    gate = name in GATES
    limit = 1.0 if gate else max(1.0, float(np.ceil(np.max(np.abs(values)))))
    rows = "".join(
        f'<div style="white-space:nowrap;line-height:16px">{k + 1}{bar(float(v), limit, COLORS[name], gate)}'
        f"{value_span(cell, name, k, float(v))}</div>"
        for k, v in enumerate(values)
    )
    scale = "0 to 1" if gate else f"&minus;{limit:g} to {limit:g}"
    return (
        f'<div class="rnnlab-panel" data-cell="{cell}" data-name="{name}" style="{_BOX}">'
        f'<div><b>{symbol}</b> {escape(label)} <span style="color:#595959">({scale})</span></div>{rows}</div>'
    )


def cell_chart(cell: str, trace: Trace, names: Sequence[str] | None = None) -> str:
    """Every quantity of one step of ``cell``, panel after panel."""
    names = QUANTITIES[cell] if names is None else names
    panels = "".join(quantity_panel(cell, name, getattr(trace, name)) for name in names)
    return (
        f'<div class="rnnlab-chart" data-cell="{cell}"><div style="font:bold 13px sans-serif;margin:4px 0">'
        f"{CELL_TITLES[cell]}</div>{panels}</div>"
    )


def inputs_chart(inputs: dict[str, np.ndarray]) -> str:
    """The step's inputs (``x``, ``h_prev`` and, for the LSTM, ``c_prev``) as bars."""
    panels = "".join(quantity_panel("input", name, values) for name, values in inputs.items())
    return f'<div class="rnnlab-chart" data-cell="input">{panels}</div>'


def heat_color(value: float, gate: bool) -> str:
    """Background of one heatmap cell: white at 0 (or 0.5 for a gate), blue above, orange below."""
    centre, half = (0.5, 0.5) if gate else (0.0, 1.0)
    strength = min(abs(value - centre) / half, 1.0)
    rgb = (76, 114, 176) if value >= centre else (221, 132, 82)
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{0.6 * strength:.3f})"


def heatmap(cell: str, xs: np.ndarray, traces: Sequence[Trace], shown: int) -> str:
    """A table: one row per unit of every quantity, one column per time step; columns after ``shown`` blank.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    xs : array (T, 3), the input sequence
    traces : the T traces of the run
    shown : int, how many steps are revealed (0..T)
    """
    T = len(traces)
    head = "".join(f'<th style="padding:0 4px;font-weight:normal">{t + 1}</th>' for t in range(T))
    rows = [f'<tr><th style="text-align:left;padding-right:6px">step <i>t</i></th>{head}</tr>']
    series = {"x": xs} | {name: np.array([getattr(tr, name) for tr in traces]) for name in QUANTITIES[cell]}
    for name, values in series.items():
        symbol, _ = SYMBOLS[name]
        for k in range(values.shape[1]):
            cells = []
            for t in range(T):
                if t >= shown:
                    cells.append('<td style="background:#F4F4F4;min-width:44px"></td>')
                    continue
                v = float(values[t, k])
                cells.append(
                    f'<td style="background:{heat_color(v, name in GATES)};text-align:right;padding:1px 4px;'
                    f'min-width:44px">{value_span(f"{cell}-seq-{t + 1}", name, k, v)}</td>'
                )
            label = f'<th style="text-align:left;padding-right:6px">{symbol}[{k + 1}]</th>'
            rows.append(f"<tr>{label}{''.join(cells)}</tr>")
    table = f'<table style="border-collapse:collapse;font:12px sans-serif">{"".join(rows)}</table>'
    return f'<div class="rnnlab-heatmap" data-cell="{cell}" style="{_BOX}"><b>{CELL_TITLES[cell]}</b>{table}</div>'
