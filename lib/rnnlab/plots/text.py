"""Figures of the character-level language model: held-out learning curves and text coloured by a unit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import PatchCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..charlm import CharRun
from ..kinds import cell_kind
from .style import INK, new_figure
from .training import CELL_COLORS

NEWLINE_MARK = "\u21b5"  # the "return" arrow, drawn where the text has a newline


def heldout_curves(runs: Mapping[str, Sequence[CharRun]], *, window: int = 50) -> Figure:
    """Held-out bits per character against training steps, per cell.

    For each cell: a band of mean ± 1 sd (ddof=1) over all its runs at the steps they all reached, a solid
    line for its first run (which may train longer), and a dashed line for that run's training loss
    (mean over the last ``window`` steps).

    Parameters
    ----------
    runs : cell kind (``"rnn"``, ``"lstm"``, ``"gru"``) -> its runs (:class:`rnnlab.charlm.CharRun`), the longest first
    window : int, steps averaged for the training-loss line
    """
    fig, (ax,) = new_figure(6.4, 3.6)
    for kind, cell_runs in runs.items():
        color, first, name = CELL_COLORS[kind], cell_runs[0], cell_kind(kind).title
        shared = min(len(run.eval_steps) for run in cell_runs)
        bits = np.array([run.heldout_bits[:shared] for run in cell_runs])
        mean, sd = bits.mean(axis=0), bits.std(axis=0, ddof=1)
        ax.fill_between(first.eval_steps[:shared], mean - sd, mean + sd, color=color, alpha=0.25, linewidth=0)
        ax.plot(first.eval_steps, first.heldout_bits, color=color, marker="o", markersize=3, label=f"{name}, held out")
        trailing = np.convolve(first.losses, np.ones(window) / window, mode="valid")
        ax.plot(np.arange(window, first.losses.size + 1), trailing, color=color, linestyle="--", linewidth=1,
                label=f"{name}, training")  # fmt: skip
    ax.set_xlabel("training step")
    ax.set_ylabel("bits per character")
    ax.legend(frameon=False, fontsize=8, ncols=3)
    return fig


def coloured_text(
    rows: Sequence[tuple[str, np.ndarray, str]], *, width: int, cmap: str = "RdBu_r", vmin: float = -1.0,
    vmax: float = 1.0,
) -> Figure:  # fmt: skip
    """Passages of text, each character on a cell coloured by one unit's value there.

    Parameters
    ----------
    rows : (title, values, text) per panel: ``values`` (N,) for the N characters of ``text``, which is
        laid out line by line (a newline is drawn as a return arrow and ends the line)
    width : int, characters per line at most (longer lines wrap)
    cmap, vmin, vmax : the colour scale (the same for every panel)
    """
    layouts = [_layout(text, width) for _, _, text in rows]
    heights = [max(y for _, y, _ in cells) + 1 for cells in layouts]
    size = (0.105 * width + 0.4, sum(0.2 * h + 0.4 for h in heights))
    fig = Figure(figsize=size, dpi=110, facecolor="white", layout="constrained")
    grid = fig.add_gridspec(len(rows), 1, height_ratios=[h + 2 for h in heights])
    colour, norm = colormaps[cmap], Normalize(vmin, vmax)
    for k, ((title, values, _), cells, height) in enumerate(zip(rows, layouts, heights, strict=True)):
        ax = fig.add_subplot(grid[k])
        patches = [Rectangle((x, -y - 1), 1, 1) for x, y, _ in cells]
        collection = PatchCollection(patches, cmap=colour, norm=norm, edgecolor="none")
        collection.set_array(np.asarray(values, dtype=float)[: len(cells)])
        ax.add_collection(collection)
        for (x, y, char), value in zip(cells, values, strict=False):
            ink = "white" if abs(norm(value) - 0.5) > 0.35 else INK
            ax.text(x + 0.5, -y - 0.5, char, ha="center", va="center", family="DejaVu Sans Mono", fontsize=8, color=ink)
        ax.set_xlim(0, width)
        ax.set_ylim(-height, 0)
        ax.set_axis_off()
        ax.set_title(title, fontsize=9, loc="left", color=INK)
    return fig


def _layout(text: str, width: int) -> list[tuple[int, int, str]]:
    """(column, row, glyph) of every character of ``text``; a newline is an arrow that ends its row."""
    cells, x, y = [], 0, 0
    for char in text:
        if x == width:
            x, y = 0, y + 1
        cells.append((x, y, NEWLINE_MARK if char == "\n" else char))
        x += 1
        if char == "\n":
            x, y = 0, y + 1
    return cells
