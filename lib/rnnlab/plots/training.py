"""Figures for the comparison, conventions and applications chapters.

Every figure has a white background and mid-saturation colours, so it reads the same on the book's
light and dark themes. Functions return the figure; the chapter glues it with a caption and alt text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, NullLocator

from ..kinds import KINDS

CELL_COLORS = {"rnn": "#c8695b", "lstm": "#4f7fb8", "gru": "#5c9e6e"}
CELL_NAMES = {name: kind.title for name, kind in KINDS.items()}
GATE_COLORS = {
    "r": "#d9a05b",
    "z": "#7fa7cf",
    "h": "#8fbf8f",
    "n": "#8fbf8f",
    "i": "#d9a05b",
    "f": "#7fa7cf",
    "c": "#8fbf8f",
    "g": "#8fbf8f",
    "o": "#c99ac9",
}


def _figure(width: float, height: float, **kwargs: object) -> tuple[Figure, object]:
    fig, axes = plt.subplots(figsize=(width, height), facecolor="white", **kwargs)
    return fig, axes


def smooth(values: np.ndarray, window: int = 20) -> np.ndarray:
    """Running mean over the last ``window`` values (shorter at the start), same length as ``values``."""
    cumulative = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
    steps = np.arange(1, len(values) + 1)
    start = np.maximum(steps - window, 0)
    return (cumulative[steps] - cumulative[start]) / (steps - start)


def _runs_array(name: str, values: object) -> np.ndarray:
    """Losses of one cell as (n_runs, steps): a single run (steps,) becomes one row; checked finite."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected numbers, got {values!r:.60}") from None
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] == 0 or array.shape[0] == 0:
        raise ValueError(f"{name}: expected losses of shape (steps,) or (runs, steps), got {np.shape(values)}")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name}: expected finite, positive losses (the axis is logarithmic)")
    return array


def learning_curves(
    runs: Mapping[str, Mapping[str, np.ndarray]],
    *,
    baseline: float | None = None,
    ylabel: str = "training loss",
    window: int = 20,
) -> Figure:
    """One panel per task (the keys of ``runs``), one line per cell; losses smoothed, log scale.

    With several runs per cell (seeds), each run is smoothed, the line is their mean and a band of the
    cell's colour spans the lowest to the highest run at every step (so every run lies inside it).

    Parameters
    ----------
    runs : {panel title: {cell kind: losses per step, (steps,) for one run or (runs, steps)}}
    baseline : float or None, drawn as a dashed line (the loss of always predicting the mean)
    ylabel : str, the y label of the first panel
    window : int, the running mean's window (see :func:`smooth`)
    """
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError(f"runs: expected a non-empty mapping {{panel title: {{kind: losses}}}}, got {runs!r:.60}")
    curves = {}
    for title, losses in runs.items():
        if not isinstance(losses, Mapping) or not losses:
            raise ValueError(f"runs[{title!r}]: expected a non-empty mapping {{kind: losses}}, got {losses!r:.60}")
        unknown = sorted(set(losses) - set(CELL_COLORS))
        if unknown:
            raise ValueError(f"runs[{title!r}]: unknown cell kinds {unknown}; expected some of {sorted(CELL_COLORS)}")
        curves[title] = {kind: _runs_array(f"runs[{title!r}][{kind!r}]", v) for kind, v in losses.items()}
    fig, axes = _figure(max(5.0, 3.0 * len(runs)), 3.0, ncols=len(runs), sharey=True, squeeze=False)
    for ax, (title, losses) in zip(axes[0], curves.items(), strict=True):
        for kind, values in losses.items():
            smoothed = np.array([smooth(run, window) for run in values])
            steps = np.arange(smoothed.shape[1])
            label = CELL_NAMES[kind] if len(values) == 1 else f"{CELL_NAMES[kind]} (mean of {len(values)})"
            ax.plot(steps, smoothed.mean(axis=0), color=CELL_COLORS[kind], label=label, linewidth=1.8)
            if len(values) > 1:
                low, high = smoothed.min(axis=0), smoothed.max(axis=0)
                ax.fill_between(steps, low, high, color=CELL_COLORS[kind], alpha=0.2, linewidth=0)
        if baseline is not None:
            ax.axhline(baseline, color="#888888", linestyle="--", linewidth=1, label="predict the mean")
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel(ylabel)
    _plain_log_labels(axes[0, 0])
    axes[0, -1].legend(frameon=False, fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def lr_sweep(
    rates: Sequence[float],
    scores: Mapping[str, np.ndarray],
    *,
    chosen: Mapping[str, float] | None = None,
    ylabel: str = "validation loss",
    title: str = "",
) -> Figure:
    """A learning-rate sweep: every run's score as a dot, the mean over runs as a line, one colour per cell.

    Parameters
    ----------
    rates : sequence of positive floats, the rates tried (log x axis)
    scores : {cell kind: (n_rates, n_runs) scores, one row per rate}
    chosen : {cell kind: rate} or None, each cell's chosen rate, circled
    ylabel, title : str
    """
    rates = np.asarray(rates, dtype=float)
    if rates.ndim != 1 or rates.size == 0 or not np.all(rates > 0):
        raise ValueError(f"rates: expected a 1-D sequence of positive rates, got {rates!r}")
    if not isinstance(scores, Mapping) or not scores:
        raise ValueError(f"scores: expected a non-empty mapping {{kind: (n_rates, n_runs)}}, got {scores!r:.60}")
    fig, ax = _figure(5.0, 3.2)
    for k, (kind, values) in enumerate(scores.items()):
        if kind not in CELL_COLORS:
            raise ValueError(f"scores: unknown cell kind {kind!r}; expected some of {sorted(CELL_COLORS)}")
        values = np.asarray(values, dtype=float)
        if values.ndim != 2 or values.shape[0] != rates.size or not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(
                f"scores[{kind!r}]: expected finite positive scores of shape ({rates.size}, n_runs), got {values.shape}"
            )
        # a small sideways offset per cell, so that dots at one rate do not hide each other
        x = rates * 1.08 ** (k - (len(scores) - 1) / 2)
        color = CELL_COLORS[kind]
        for j in range(values.shape[1]):
            ax.plot(x, values[:, j], linestyle="none", marker=".", color=color, alpha=0.5, markersize=5)
        ax.plot(x, values.mean(axis=1), color=color, linewidth=1.8, marker="o", label=CELL_NAMES[kind])
        if chosen is not None and kind in chosen:
            i = int(np.argmin(np.abs(rates - chosen[kind])))
            ax.plot(x[i], values[i].mean(), marker="o", markersize=13, fillstyle="none", color=color, linewidth=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(list(rates), [f"{r:g}" for r in rates])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("Adam learning rate")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    _plain_log_labels(ax)
    ax.grid(alpha=0.3, which="both")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def _plain_log_labels(ax: object) -> None:
    """Label a log axis with plain numbers (0.1, not 10^-1); label 2s and 5s too when it spans few decades."""
    low, high = ax.get_ylim()
    few_decades = np.log10(high / low) < 1.5
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if few_decades and f"{v:.0e}"[0] in "25" else ""))


def step_times(sizes: Sequence[int], milliseconds: Mapping[str, Sequence[object]]) -> Figure:
    """Time of one training step (forward + backward) against the hidden size, one line per cell.

    Parameters
    ----------
    sizes : the hidden sizes H
    milliseconds : {cell kind: one time per size (n_sizes,), or repeated timings (n_sizes, n_repeats)};
        with repeats the line is the median and a band spans the fastest to the slowest repeat
    """
    fig, ax = _figure(5.0, 3.2)
    for kind, values in milliseconds.items():
        values = np.asarray(values, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if values.shape[0] != len(sizes) or not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(
                f"milliseconds[{kind!r}]: expected positive times of shape ({len(sizes)},) or "
                f"({len(sizes)}, n_repeats), got {values.shape}"
            )
        ax.plot(
            sizes, np.median(values, axis=1), marker="o", color=CELL_COLORS[kind], label=CELL_NAMES[kind], linewidth=1.8
        )
        if values.shape[1] > 1:
            ax.fill_between(
                sizes, values.min(axis=1), values.max(axis=1), color=CELL_COLORS[kind], alpha=0.2, linewidth=0
            )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(list(sizes), [str(s) for s in sizes])
    ax.set_xlabel("hidden size H")
    ax.set_ylabel("milliseconds per step")
    _plain_log_labels(ax)
    ax.grid(alpha=0.3, which="both")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def gate_heatmap(values: np.ndarray, labels: Sequence[str], *, title: str, name: str = "z") -> Figure:
    """Heatmap of a gate over a sequence: ``values`` (T, H), one column per step labelled by ``labels``."""
    values = np.asarray(values)
    T, H = values.shape
    fig, ax = _figure(min(9.0, max(4.0, 0.5 * T + 1.5)), 0.22 * H + 1.4)
    image = ax.imshow(values.T, cmap="cividis", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(T), labels, rotation=45 if max(len(s) for s in labels) > 3 else 0, ha="right")
    ax.set_yticks(range(0, H, max(1, H // 8)))
    ax.set_ylabel("unit")
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, label=f"${name}_t$", fraction=0.03, pad=0.02)
    fig.tight_layout()
    return fig


def forecast(observed: np.ndarray, truth: np.ndarray, predictions: Mapping[str, np.ndarray], horizon: int) -> Figure:
    """A forecast against the clean signal: observations (T,), truth (T,) and one prediction per model (T,)."""
    fig, ax = _figure(7.0, 3.0)
    steps = np.arange(len(observed))
    ax.plot(steps, observed, linestyle="none", marker=".", color="#999999", label="noisy observation $u_t$")
    ax.plot(steps + horizon, truth, color="#444444", linewidth=1.2, label="clean signal")
    for kind, values in predictions.items():
        ax.plot(steps + horizon, values, color=CELL_COLORS[kind], linewidth=1.8, label=f"{CELL_NAMES[kind]} forecast")
    ax.set_xlabel("time step")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, ncol=2 + len(predictions), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout()
    return fig


def _block(ax: object, x: float, y: float, w: float, h: float, gate: str, text: str) -> None:
    ax.add_patch(Rectangle((x, y), w, h, facecolor=GATE_COLORS[gate], edgecolor="#333333", linewidth=1))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=11)


def weight_layouts(H: int = 3, D: int = 2) -> Figure:
    """The GRU's weights in three layouts: rnnlab (one (H, H+D) matrix per gate), PyTorch and Keras."""
    fig, axes = _figure(9.0, 4.2, ncols=3, gridspec_kw={"width_ratios": [1.0, 1.1, 1.7]})
    below = dict(ha="center", va="top", fontsize=10)
    ax = axes[0]
    for k, gate in enumerate("rzh"):
        y = 2 * (H + 0.6) - k * (H + 0.6)
        _block(ax, 0, y, H, H, gate, f"$W_{gate}$\n$h$ part")
        _block(ax, H, y, D, H, gate, "$x$\npart")
    ax.text(H / 2, -0.3, "H columns", **below)
    ax.text(H + D / 2, -0.3, "D", **below)
    ax.set_title("rnnlab: $W_r, W_z, W_h$,\neach (H, H+D)", fontsize=10.5)
    ax = axes[1]
    for k, gate in enumerate("rzn"):
        y = 2 * H - k * H
        _block(ax, 0, y, D, H, gate, gate)
        _block(ax, D + 1, y, H, H, gate, gate)
    ax.text(D / 2, -0.3, "weight_ih\n(3H, D)", **below)
    ax.text(D + 1 + H / 2, -0.3, "weight_hh\n(3H, H)", **below)
    ax.set_title("PyTorch:\nrows r, z, n", fontsize=10.5)
    ax = axes[2]
    for k, gate in enumerate("zrh"):
        _block(ax, k * H, H + 2.2, H, D, gate, gate)
        _block(ax, k * H, 0, H, H, gate, gate)
    ax.text(1.5 * H, H + 1.9, "kernel (D, 3H)", **below)
    ax.text(1.5 * H, -0.3, "recurrent_kernel (H, 3H)", **below)
    ax.set_title("Keras:\ncolumns z, r, h", fontsize=10.5)
    for ax in axes:
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.margins(0.1)
        ax.axis("off")
    fig.tight_layout()
    return fig


class Table:
    """A small table shown as HTML in Jupyter and in the book, and as aligned text elsewhere.

    Cells are strings and may hold inline HTML (``<i>T</i>``, ``<code>old</code>``, ``h<sub>t</sub>``).
    Columns after the first are right-aligned when every cell in them starts like a number.

    Parameters
    ----------
    header : sequence of str, one per column
    rows : sequence of sequences of str, each as long as ``header``
    """

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.header = [str(h) for h in header]
        self.rows = [[str(cell) for cell in row] for row in rows]
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"rows: expected {len(self.header)} cells per row, got {len(row)}: {row}")

    def _numeric(self, column: int) -> bool:
        return all(re.match(r"^[+\-−]?[\d.,]", row[column]) for row in self.rows)

    def _repr_html_(self) -> str:
        aligns = ["left"] + ["right" if self._numeric(k) else "left" for k in range(1, len(self.header))]
        head = "".join(f'<th style="text-align:{a}">{h}</th>' for a, h in zip(aligns, self.header, strict=True))
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="text-align:{a}; white-space:nowrap">{c}</td>' for a, c in zip(aligns, row, strict=True)
            )
            + "</tr>"
            for row in self.rows
        )
        return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def __repr__(self) -> str:
        def plain(text: str) -> str:
            return re.sub(r"<[^>]+>", "", text)

        cells = [[plain(c) for c in self.header]] + [[plain(c) for c in row] for row in self.rows]
        widths = [max(len(row[k]) for row in cells) for k in range(len(self.header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)
