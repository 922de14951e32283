"""The unrolled graph of a recurrent network: the computation that backpropagation through time walks back.

Drawn in the style of the cell diagrams of :mod:`rnnlab.plots.diagrams`: each copy of the cell is a rounded
box (the same weights in every copy), the inputs :math:`x_1, \\dots, x_T` enter from below, the states
run from left to right, and each state :math:`h_t` also feeds a loss term :math:`\\ell_t` above it. The
backward pass is drawn in a second colour and dashed, against the forward arrows: the gradients
:math:`g_t = \\partial \\ell_t / \\partial h_t` come down from the losses and the state gradients
:math:`\\delta h_t` (and the LSTM's :math:`\\delta c_t`) travel from right to left.
"""

from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .._checks import positive_int
from ..kinds import cell_kind
from .diagrams import CELL_EDGE, CELL_FILL, WIRE
from .style import INK, new_figure

BACKWARD = "#C44E52"  # the gradients: the book's red, dashed so that it reads without colour too
MAX_STEPS = 6
PITCH, CELL_W, CELL_H = 3.2, 1.7, 1.6  # distance between copies; one copy's box
CELL_Y = 1.2  # bottom of the boxes
LOSS_Y = 4.35  # the loss terms
OFFSET = 0.25  # how far a backward arrow runs beside its forward arrow


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], backward: bool = False) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>,head_length=5,head_width=3",
            mutation_scale=1.4,
            color=BACKWARD if backward else WIRE,
            linewidth=1.4 if backward else 1.6,
            linestyle=(0, (3, 2)) if backward else "-",
            shrinkA=0,
            shrinkB=0,
            zorder=2,
        )
    )


def _text(ax, x: float, y: float, text: str, backward: bool = False, **kwargs) -> None:
    kwargs = {"ha": "center", "va": "center", "fontsize": 10} | kwargs
    ax.text(x, y, text, color=BACKWARD if backward else INK, zorder=5, **kwargs)


def unrolled_diagram(kind: str = "rnn", steps: int = 3):
    """The cell unrolled over ``steps`` time steps, with the forward and the backward (gradient) arrows.

    Every copy of the cell holds the same weights. Each state :math:`h_t` feeds the next copy and a loss
    term :math:`\\ell_t`, and :math:`L = \\ell_1 + \\dots + \\ell_T`. Backward arrows (red, dashed) carry
    :math:`g_t = \\partial \\ell_t / \\partial h_t` down from each loss term, where it joins what the next
    copy sends back, and :math:`\\delta h_t = \\partial L / \\partial h_t` back into copy :math:`t`, down
    to :math:`\\delta h_0`. The LSTM's cell line carries :math:`f_{t+1} \\odot \\delta c_{t+1}` back into
    copy :math:`t`, down to :math:`\\delta c_0`.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
        Which cell; the LSTM has a second state line, the cell state :math:`c`, below :math:`h`.
    steps : int
        ``T``, the number of copies drawn, from 1 to 6.

    Returns
    -------
    Figure with one Axes (axis off).
    """
    entry = cell_kind(kind)
    T = positive_int("steps", steps)
    if T > MAX_STEPS:
        raise ValueError(f"steps: expected at most {MAX_STEPS} (the figure has room for that many), got {T}")
    lstm = "c" in entry.states
    y_h, y_c = (CELL_Y + 1.15, CELL_Y + 0.45) if lstm else (CELL_Y + CELL_H / 2, None)
    right = PITCH * T + 0.6
    fig, (ax,) = new_figure(width=min(max(2.4 + 1.55 * T, 5.6), 10.0), height=4.0)
    ax.set_xlim(-0.8, right + 0.5)
    ax.set_ylim(-1.05, 5.45)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{entry.title} unrolled over $T = {T}$ steps (one set of weights)", fontsize=10, color=INK)
    terms = " + ".join(rf"\ell_{t}" for t in range(1, T + 1))
    _text(ax, right / 2, 5.15, f"$L = {terms}$")
    # the initial states enter from the left; their gradients leave there
    _arrow(ax, (-0.3, y_h), (0.9, y_h))
    _arrow(ax, (0.9, y_h + OFFSET), (-0.3, y_h + OFFSET), backward=True)
    _text(ax, -0.25, y_h - 0.06, "$h_0$", ha="left", va="top", fontsize=9)
    _text(ax, -0.25, y_h + OFFSET + 0.06, r"$\delta h_0$", backward=True, ha="left", va="bottom", fontsize=9)
    if lstm:
        _arrow(ax, (-0.3, y_c), (0.9, y_c))
        _arrow(ax, (0.9, y_c - OFFSET), (-0.3, y_c - OFFSET), backward=True)
        _text(ax, -0.25, y_c + 0.06, "$c_0$", ha="left", va="bottom", fontsize=9)
        _text(ax, -0.25, y_c - OFFSET - 0.06, r"$\delta c_0$", backward=True, ha="left", va="top", fontsize=9)
    for t in range(1, T + 1):
        x0 = PITCH * (t - 1) + 0.9  # left edge of copy t
        x1, mid = x0 + CELL_W, x0 + CELL_W / 2
        ax.add_patch(
            FancyBboxPatch(
                (x0, CELL_Y),
                CELL_W,
                CELL_H,
                boxstyle="round,pad=0.02,rounding_size=0.25",
                facecolor=CELL_FILL,
                edgecolor=CELL_EDGE,
                linewidth=1.4,
                zorder=1,
            )
        )
        _text(ax, mid, CELL_Y + CELL_H / 2, entry.title, fontsize=9)
        _arrow(ax, (mid, 0.05), (mid, CELL_Y))  # the input enters from below
        _text(ax, mid, 0.0, f"$x_{t}$", va="top")
        # h_t leaves copy t to the right and forks up to the loss term; g_t comes down and joins the gradient
        # that copy t + 1 sends back, and their sum delta h_t enters copy t
        end = x0 + PITCH if t < T else right
        fork = x1 + 0.55
        _arrow(ax, (x1, y_h), (end, y_h))
        _arrow(ax, (fork, y_h), (fork, LOSS_Y - 0.25))
        _text(ax, fork, LOSS_Y, rf"$\ell_{t}$")
        _text(ax, (fork + end) / 2, y_h - 0.06, f"$h_{t}$", va="top", fontsize=9)
        back = fork + OFFSET
        _arrow(ax, (back, LOSS_Y - 0.25), (back, y_h + OFFSET), backward=True)
        _text(ax, back + 0.08, (LOSS_Y + y_h) / 2, f"$g_{t}$", backward=True, ha="left", fontsize=9)
        ax.plot([back], [y_h + OFFSET], "o", color=BACKWARD, markersize=3.5, zorder=3)
        _arrow(ax, (back, y_h + OFFSET), (x1, y_h + OFFSET), backward=True)
        label = rf"$\delta h_{t}$"
        _text(ax, fork - 0.06, y_h + OFFSET + 0.06, label, backward=True, ha="right", va="bottom", fontsize=9)
        if t < T:  # what copy t + 1 sends back along the h line, towards the junction
            _arrow(ax, (end, y_h + OFFSET), (back, y_h + OFFSET), backward=True)
        if lstm:
            _arrow(ax, (x1, y_c), (end, y_c))
            _text(ax, (x1 + end) / 2, y_c + 0.06, f"$c_{t}$", va="bottom", fontsize=9)
            if t < T:  # the cell line: the carousel of the backward pass
                _arrow(ax, (end, y_c - OFFSET), (x1, y_c - OFFSET), backward=True)
                label = rf"$f_{{{t + 1}}} \odot \delta c_{{{t + 1}}}$"
                _text(ax, (x1 + end) / 2, y_c - OFFSET - 0.06, label, backward=True, va="top", fontsize=9)
    handles = [
        Line2D([], [], color=WIRE, linewidth=1.6, label="forward: values"),
        Line2D([], [], color=BACKWARD, linewidth=1.4, linestyle=(0, (3, 2)), label="backward: gradients"),
    ]
    ax.legend(handles=handles, loc="lower center", frameon=False, fontsize=8, ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig


__all__ = ["unrolled_diagram"]
