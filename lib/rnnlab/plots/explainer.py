"""Static matplotlib figures of an :class:`~rnnlab.explainer.Explainer`'s state, for the book without a kernel.

:func:`explainer_figure` draws what the live charts show (inputs, every gate and state, values labelled);
:func:`sequence_figure` draws the sequence mode's heatmap; :func:`memory_figure` draws the Jacobian view of
:class:`~rnnlab.explainer.memory.MemoryExplainer`. All read the explainer's rnnlab traces, so a
static page shows the same numbers a learner sees live. Style and colours come from :mod:`rnnlab.plots.style`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..explainer import Explainer
from ..explainer.charts import GATES, QUANTITIES
from ..explainer.memory import CELL_COLORS, MemoryExplainer
from ..kinds import KINDS
from .style import COLORS, INK, label_of, new_figure

INPUTS = {"rnn": ("x", "h_prev"), "lstm": ("x", "h_prev", "c_prev"), "gru": ("x", "h_prev")}
INPUT_COLOR = "#8C8C8C"


def _traces(e: Explainer) -> dict[str, object]:
    return e.step if e.kind == "both" else {e.kind: e.step}


def _title(e: Explainer, cell: str) -> str:
    source = e.weights_source or "random weights"
    title = f"{KINDS[cell].title}: {source}"
    if cell == "gru":
        title += f"\n(z_weights={e.conventions['z_weights']!r}, reset={e.conventions['reset']!r})"
    return title


def step_axes(ax: Axes, cell: str, trace: object, title: str) -> None:
    """One cell's step on ``ax``: a group of three bars (units 1-3) per quantity, each bar labelled."""
    names = INPUTS[cell] + QUANTITIES[cell]
    width = 0.26
    for g, name in enumerate(names):
        values = np.asarray(getattr(trace, name))
        color = INPUT_COLOR if name in INPUTS[cell] else COLORS.get(name, INK)
        positions = g + (np.arange(values.size) - 1) * width
        bars = ax.bar(positions, values, width * 0.92, color=color, alpha=0.55 if name in INPUTS[cell] else 1.0)
        ax.bar_label(bars, fmt="%.2f", fontsize=6.5, color=INK, padding=1.5, rotation=90)
    ax.axhline(0, color=INK, linewidth=0.8)
    if len(INPUTS[cell]) < len(names):
        ax.axvline(len(INPUTS[cell]) - 0.5, color="#BBBBBB", linewidth=0.8, linestyle="--")
    ax.set_xticks(range(len(names)), [label_of(name) for name in names], fontsize=10)
    low = min(-1.0, min(float(np.min(getattr(trace, n))) for n in names) - 0.1)
    high = max(1.0, max(float(np.max(getattr(trace, n))) for n in names) + 0.1)
    ax.set_ylim(low - 0.35, high + 0.35)
    ax.set_ylabel("value (units 1, 2, 3 left to right)", fontsize=8)
    ax.set_title(title, fontsize=9.5)


def explainer_figure(e: Explainer) -> Figure:
    """The explainer's current step as a figure: one panel per cell, inputs in grey left of the dashed line.

    Parameters
    ----------
    e : Explainer

    Returns
    -------
    Figure with one Axes per shown cell (two for ``"both"``).
    """
    traces = _traces(e)
    widths = {"rnn": 4.0, "lstm": 6.6, "gru": 5.4}
    fig, axes = new_figure(width=sum(widths[c] for c in traces), height=3.3, ncols=len(traces))
    for ax, (cell, trace) in zip(axes, traces.items(), strict=True):
        step_axes(ax, cell, trace, _title(e, cell))
    return fig


def sequence_figure(e: Explainer, cell: str | None = None) -> Figure:
    """Heatmap of the sequence mode's whole run: one row per unit of each quantity, one column per step.

    Parameters
    ----------
    e : Explainer
    cell : {"rnn", "lstm", "gru"}, optional
        Which cell to draw when ``e.kind == "both"``; defaults to the only (or the first) cell.
    """
    runs = e.sequence_traces if e.kind == "both" else {e.kind: e.sequence_traces}
    cell = next(iter(runs)) if cell is None else cell
    if cell not in runs:
        raise ValueError(f"cell: expected one of {list(runs)}, got {cell!r}")
    traces, xs = runs[cell], e.sequence_inputs
    rows, labels, gate_rows = [], [], []
    for name in ("x",) + QUANTITIES[cell]:
        values = xs if name == "x" else np.array([getattr(t, name) for t in traces])
        for k in range(values.shape[1]):
            rows.append(values[:, k])
            labels.append(f"{label_of(name)}[{k + 1}]")
            gate_rows.append(name in GATES)
    grid = np.array(rows)
    shown = np.where(np.array(gate_rows)[:, None], 2.0 * grid - 1.0, np.clip(grid, -1.0, 1.0))
    T = grid.shape[1]
    fig, (ax,) = new_figure(width=1.6 + 0.62 * T, height=0.8 + 0.24 * len(rows))
    ax.grid(False)
    ax.imshow(shown, cmap="RdBu", vmin=-1.6, vmax=1.6, aspect="auto")
    for (r, t), value in np.ndenumerate(grid):
        ax.text(t, r, f"{value:.2f}", ha="center", va="center", fontsize=6.5, color=INK)
    ax.set_xticks(range(T), [str(t + 1) for t in range(T)])
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlabel("time step t")
    pattern = e.controls["seq_pattern"].value
    ax.set_title(f"{KINDS[cell].title}, {e.weights_source or 'random weights'}: {pattern} input", fontsize=9.5)
    return fig


def memory_figure(m: MemoryExplainer) -> Figure:
    """The Jacobian view as a figure: :math:`\\lVert \\partial h_T / \\partial x_t \\rVert_F` against the
    number of steps back, :math:`T - t`, one line per cell, log scale.

    Parameters
    ----------
    m : MemoryExplainer, whose current controls fix the weights, the inputs and T
    """
    fig, (ax,) = new_figure(width=6.4, height=3.4)
    for cell, norms in m.norms.items():
        back = np.arange(len(norms))[::-1]  # input t is T - t steps before the last one
        ax.semilogy(back, norms, marker="o", markersize=3, color=CELL_COLORS[cell], label=KINDS[cell].title)
    c = m.controls
    ax.set_xlabel("steps back from the last input, T - t")
    ax.set_ylabel(r"$\Vert \partial h_T / \partial x_t \Vert_F$")
    settings = f"weight scale {c['weight_scale'].value:g}, seed {c['seed'].value}"
    ax.set_title(f"{settings}, LSTM forget bias {c['forget_bias'].value:g}", fontsize=9.5)
    ax.legend(frameon=False, fontsize=8)
    return fig
