"""The book's figure style: one colour and one symbol per quantity, and a figure / axes in that style.

A white figure background with mid-saturation colours reads the same in the light and the dark theme
of the book. Every module of :mod:`rnnlab.plots` draws with these.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

# One colour per quantity, the same on every page (mid-saturation: legible on white, not garish).
COLORS = {
    "f": "#4C72B0",
    "i": "#DD8452",
    "c_tilde": "#55A868",
    "c": "#8172B3",
    "o": "#C44E52",
    "h": "#937860",
    "r": "#DA8BC3",
    "z": "#4C9DB0",
    "h_tilde": "#55A868",
    "h_prev": "#8C8C8C",
    "c_prev": "#B0B0B0",
    "x": "#CCB974",
}
CYCLE = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#4C9DB0", "#8C8C8C"]

# How the book writes each quantity in a legend or label.
SYMBOLS = {
    "f": r"$f_t$",
    "i": r"$i_t$",
    "c_tilde": r"$\tilde c_t$",
    "c": r"$c_t$",
    "c_prev": r"$c_{t-1}$",
    "o": r"$o_t$",
    "h": r"$h_t$",
    "h_prev": r"$h_{t-1}$",
    "r": r"$r_t$",
    "z": r"$z_t$",
    "h_tilde": r"$\tilde h_t$",
    "x": r"$x_t$",
}

BACKGROUND = "white"
INK = "#222222"
GRID = "#DDDDDD"


def new_figure(width: float = 6.4, height: float = 3.4, ncols: int = 1) -> tuple[Figure, list[Axes]]:
    """A figure in the book's style: white background, dark ink, light grid, no top/right spines.

    The figure is created without pyplot, so building it never opens a window or leaks into a notebook's
    automatic display; show it with ``IPython.display.display(fig)`` or ``myst_nb.glue``.

    Returns
    -------
    fig : Figure
    axes : list of ``ncols`` Axes
    """
    fig = Figure(figsize=(width, height), dpi=110, facecolor=BACKGROUND, layout="constrained")
    axes = [fig.add_subplot(1, ncols, k + 1) for k in range(ncols)]
    for ax in axes:
        style_axes(ax)
    return fig, axes


def style_axes(ax: Axes) -> None:
    """Apply the book's axes style (white face, dark ink, light grid behind the data)."""
    ax.set_facecolor(BACKGROUND)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(INK)
    ax.tick_params(colors=INK, labelsize=9)
    ax.xaxis.label.set_color(INK)
    ax.yaxis.label.set_color(INK)
    ax.title.set_color(INK)
    ax.grid(True, color=GRID, linewidth=0.7)
    ax.set_axisbelow(True)


def label_of(name: str) -> str:
    """The book's symbol for ``name`` (``"c_tilde"`` -> ``$\\tilde c_t$``); unknown names pass through."""
    return SYMBOLS.get(name, name)


def color_of(name: str, k: int) -> str:
    """The colour of quantity ``name``, or the ``k``-th colour of :data:`CYCLE` for a name without one."""
    return COLORS.get(name, CYCLE[k % len(CYCLE)])
