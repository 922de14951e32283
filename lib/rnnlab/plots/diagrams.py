"""Cell diagrams for the plain RNN, the LSTM and the GRU, drawn with matplotlib.

The style follows the familiar pictures in the seeds: the cell is a rounded box, a learned layer (a
weight matrix followed by sigma or tanh) is a yellow rectangle, an element-wise operation is a pink
circle, and wires carry vectors from left (the past) to right (the future), inputs entering from below.
Where two wires meet before a layer, the vectors are concatenated, ``[h_{t-1}, x_t]``.
"""

from __future__ import annotations

from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .style import INK, new_figure

CELL_FILL = "#EEF2F7"
CELL_EDGE = "#6B7A8F"
LAYER_FILL = "#F2D279"
OP_FILL = "#F3B0B0"
WIRE = "#333333"
R_OP = 0.27  # radius of an element-wise operation
LAYER_W, LAYER_H = 0.95, 0.6


def _figure(title: str):
    fig, (ax,) = new_figure(width=6.4, height=4.3)
    ax.set_xlim(-0.9, 10.9)
    ax.set_ylim(-0.9, 6.9)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=11, color=INK)
    return fig, ax


def _cell(ax, x0: float = 0.5, y0: float = 0.2, x1: float = 9.5, y1: float = 5.8) -> None:
    box = FancyBboxPatch(
        (x0, y0),
        x1 - x0,
        y1 - y0,
        boxstyle="round,pad=0.02,rounding_size=0.4",
        facecolor=CELL_FILL,
        edgecolor=CELL_EDGE,
        linewidth=1.5,
        zorder=0,
    )
    ax.add_patch(box)


def _wire(ax, points: list[tuple[float, float]], arrow: bool = True) -> None:
    """A polyline through ``points``; the last segment ends in an arrow head when ``arrow``."""
    xs, ys = zip(*points, strict=True)
    ax.plot(xs[:-1], ys[:-1], color=WIRE, linewidth=1.6, solid_capstyle="round", zorder=1)
    style = "-|>,head_length=5,head_width=3" if arrow else "-"
    ax.add_patch(
        FancyArrowPatch(
            points[-2],
            points[-1],
            arrowstyle=style,
            mutation_scale=1.4,
            color=WIRE,
            linewidth=1.6,
            shrinkA=0,
            shrinkB=0,
            zorder=1,
        )
    )


def _layer(ax, x: float, y: float, text: str) -> None:
    """A learned layer (matrix product, bias, squashing function) centred at ``(x, y)``."""
    ax.add_patch(
        FancyBboxPatch(
            (x - LAYER_W / 2, y - LAYER_H / 2),
            LAYER_W,
            LAYER_H,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=LAYER_FILL,
            edgecolor="#8A6D1E",
            linewidth=1.2,
            zorder=3,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11, color=INK, zorder=4)


def _op(ax, x: float, y: float, text: str) -> None:
    """An element-wise operation centred at ``(x, y)``."""
    ax.add_patch(Circle((x, y), R_OP, facecolor=OP_FILL, edgecolor="#9A4A4A", linewidth=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=7.5 if text == "tanh" else 11, color=INK, zorder=4)


def _label(ax, x: float, y: float, text: str, fontsize: float = 11, **kwargs) -> None:
    ax.text(x, y, text, fontsize=fontsize, color=INK, zorder=5, **kwargs)


def _dot(ax, x: float, y: float) -> None:
    """A junction where one wire splits into two copies."""
    ax.plot([x], [y], "o", color=WIRE, markersize=4, zorder=2)


def rnn_diagram():
    """The plain RNN cell: one tanh layer reading ``[h_{t-1}, x_t]``.

    Returns
    -------
    Figure with one Axes (axis off).
    """
    fig, ax = _figure("Plain RNN cell")
    _cell(ax)
    bus_y, layer_x, layer_y = 1.2, 5.0, 3.0
    _wire(ax, [(-0.6, bus_y), (2.0, bus_y)], arrow=False)
    _wire(ax, [(2.0, -0.6), (2.0, bus_y)], arrow=False)
    _dot(ax, 2.0, bus_y)
    _wire(ax, [(2.0, bus_y), (layer_x, bus_y), (layer_x, layer_y - LAYER_H / 2)])
    _layer(ax, layer_x, layer_y, "tanh")
    _wire(ax, [(layer_x, layer_y + LAYER_H / 2), (layer_x, 4.6), (10.6, 4.6)])
    _dot(ax, 7.8, 4.6)
    _wire(ax, [(7.8, 4.6), (7.8, 6.6)])
    _label(ax, -0.6, bus_y + 0.15, r"$h_{t-1}$", va="bottom")
    _label(ax, 2.15, -0.6, r"$x_t$", va="bottom")
    _label(ax, 10.6, 4.75, r"$h_t$", ha="right", va="bottom")
    _label(ax, 7.95, 6.5, r"$h_t$", va="top")
    _label(ax, 2.6, bus_y + 0.15, r"$[h_{t-1}, x_t]$", va="bottom", fontsize=10)
    _label(ax, layer_x + 0.6, layer_y - 0.05, r"$W, b$", va="center", fontsize=10)
    return fig


def lstm_diagram():
    """The LSTM cell: the cell-state line on top, the hidden-state wires below, four layers between.

    Returns
    -------
    Figure with one Axes (axis off).
    """
    fig, ax = _figure("LSTM cell")
    _cell(ax)
    c_y, bus_y, layer_y = 5.0, 1.2, 2.4
    x_f, x_i, x_c, x_o, x_out = 2.4, 3.6, 4.8, 6.2, 7.7
    # the cell state runs straight through: one multiplication, one addition
    _wire(ax, [(-0.6, c_y), (x_f - R_OP, c_y)])
    _op(ax, x_f, c_y, r"$\times$")
    _wire(ax, [(x_f + R_OP, c_y), (x_c - R_OP, c_y)])
    _op(ax, x_c, c_y, "+")
    _wire(ax, [(x_c + R_OP, c_y), (10.6, c_y)])
    # the hidden state and the input meet on the bus that feeds the four layers
    _wire(ax, [(-0.6, bus_y), (1.4, bus_y)], arrow=False)
    _wire(ax, [(1.4, -0.6), (1.4, bus_y)], arrow=False)
    _dot(ax, 1.4, bus_y)
    _wire(ax, [(1.4, bus_y), (x_o, bus_y)], arrow=False)
    for x, text in [(x_f, r"$\sigma$"), (x_i, r"$\sigma$"), (x_c, "tanh"), (x_o, r"$\sigma$")]:
        _dot(ax, x, bus_y)
        _wire(ax, [(x, bus_y), (x, layer_y - LAYER_H / 2)])
        _layer(ax, x, layer_y, text)
    # forget gate straight up to the multiplication on the cell line
    _wire(ax, [(x_f, layer_y + LAYER_H / 2), (x_f, c_y - R_OP)])
    # input gate times candidate, then up to the addition
    mul_y = 3.8
    _wire(ax, [(x_i, layer_y + LAYER_H / 2), (x_i, mul_y), (x_c - R_OP, mul_y)])
    _wire(ax, [(x_c, layer_y + LAYER_H / 2), (x_c, mul_y - R_OP)])
    _op(ax, x_c, mul_y, r"$\times$")
    _wire(ax, [(x_c, mul_y + R_OP), (x_c, c_y - R_OP)])
    # output gate times tanh of the new cell state
    out_y, tanh_y = 3.0, 4.05
    _dot(ax, x_out, c_y)
    _wire(ax, [(x_out, c_y), (x_out, tanh_y + R_OP)])
    _op(ax, x_out, tanh_y, "tanh")
    _wire(ax, [(x_out, tanh_y - R_OP), (x_out, out_y + R_OP)])
    _wire(ax, [(x_o, layer_y + LAYER_H / 2), (x_o, out_y), (x_out - R_OP, out_y)])
    _op(ax, x_out, out_y, r"$\times$")
    _wire(ax, [(x_out, out_y - R_OP), (x_out, bus_y), (10.6, bus_y)])
    _dot(ax, 8.8, bus_y)
    _wire(ax, [(8.8, bus_y), (8.8, 6.6)])
    # names of the vectors on the wires
    _label(ax, -0.6, c_y + 0.12, r"$c_{t-1}$", va="bottom")
    _label(ax, 10.6, c_y + 0.12, r"$c_t$", ha="right", va="bottom")
    _label(ax, -0.6, bus_y + 0.12, r"$h_{t-1}$", va="bottom")
    _label(ax, 1.55, -0.6, r"$x_t$", va="bottom")
    _label(ax, 10.6, bus_y + 0.12, r"$h_t$", ha="right", va="bottom")
    _label(ax, 8.95, 6.5, r"$h_t$", va="top")
    _label(ax, x_f + 0.1, 3.6, r"$f_t$", va="center")
    _label(ax, x_i - 0.5, 3.3, r"$i_t$", va="center")
    _label(ax, x_c + 0.12, 3.05, r"$\tilde c_t$", va="center")
    _label(ax, x_o - 0.45, 2.95, r"$o_t$", va="center")
    return fig


def gru_diagram():
    """The GRU cell in the book's convention: one state line on top, two gates and the candidate below.

    The update gate :math:`z_t` keeps the old state and :math:`1 - z_t` weights the candidate
    (``z_weights="old"``); the reset gate scales :math:`h_{t-1}` before the candidate layer
    (``reset="before"``).

    Returns
    -------
    Figure with one Axes (axis off).
    """
    fig, ax = _figure('GRU cell (z_weights="old", reset="before")')
    _cell(ax)
    h_y, bus_y, x_y, layer_y = 5.0, 1.3, 0.7, 2.3
    x_r, x_rmul, x_z, x_keep, x_one, x_cand = 2.3, 3.2, 4.4, 5.6, 6.5, 7.5
    # the state line: keep part of the old state, add part of the candidate
    _dot(ax, 1.0, h_y)
    _dot(ax, x_rmul, h_y)
    _wire(ax, [(-0.6, h_y), (x_keep - R_OP, h_y)])
    _op(ax, x_keep, h_y, r"$\times$")
    _wire(ax, [(x_keep + R_OP, h_y), (x_cand - R_OP, h_y)])
    _op(ax, x_cand, h_y, "+")
    _wire(ax, [(x_cand + R_OP, h_y), (10.6, h_y)])
    _dot(ax, 8.8, h_y)
    _wire(ax, [(8.8, h_y), (8.8, 6.6)])
    # h_{t-1} drops to the bus; x_t rises to it and also runs on to the candidate layer
    _wire(ax, [(1.0, h_y), (1.0, bus_y)], arrow=False)
    _wire(ax, [(1.6, -0.6), (1.6, bus_y)], arrow=False)
    _dot(ax, 1.6, bus_y)
    _dot(ax, 1.6, x_y)
    _wire(ax, [(1.0, bus_y), (x_z, bus_y)], arrow=False)
    _wire(ax, [(1.6, x_y), (x_cand, x_y), (x_cand, layer_y - LAYER_H / 2)])
    for x, text in [(x_r, r"$\sigma$"), (x_z, r"$\sigma$")]:
        _dot(ax, x, bus_y)
        _wire(ax, [(x, bus_y), (x, layer_y - LAYER_H / 2)])
        _layer(ax, x, layer_y, text)
    # reset gate scales the old state before the candidate layer reads it
    rmul_y = 3.5
    _wire(ax, [(x_r, layer_y + LAYER_H / 2), (x_r, rmul_y), (x_rmul - R_OP, rmul_y)])
    _wire(ax, [(x_rmul, h_y), (x_rmul, rmul_y + R_OP)])
    _op(ax, x_rmul, rmul_y, r"$\times$")
    _wire(ax, [(x_rmul + R_OP, rmul_y), (6.7, rmul_y), (6.7, layer_y), (x_cand - LAYER_W / 2, layer_y)])
    _layer(ax, x_cand, layer_y, "tanh")
    # update gate: one copy weights the old state, 1 - z weights the candidate
    gate_y = 4.1
    _wire(ax, [(x_z, layer_y + LAYER_H / 2), (x_z, gate_y), (x_keep, gate_y)], arrow=False)
    _dot(ax, x_keep, gate_y)
    _wire(ax, [(x_keep, gate_y), (x_keep, h_y - R_OP)])
    _wire(ax, [(x_keep, gate_y), (x_one - R_OP, gate_y)])
    _op(ax, x_one, gate_y, "1-")
    _wire(ax, [(x_one + R_OP, gate_y), (x_cand - R_OP, gate_y)])
    _op(ax, x_cand, gate_y, r"$\times$")
    _wire(ax, [(x_cand, layer_y + LAYER_H / 2), (x_cand, gate_y - R_OP)])
    _wire(ax, [(x_cand, gate_y + R_OP), (x_cand, h_y - R_OP)])
    # names of the vectors on the wires
    _label(ax, -0.6, h_y + 0.12, r"$h_{t-1}$", va="bottom")
    _label(ax, 10.6, h_y + 0.12, r"$h_t$", ha="right", va="bottom")
    _label(ax, 8.95, 6.5, r"$h_t$", va="top")
    _label(ax, 1.75, -0.6, r"$x_t$", va="bottom")
    _label(ax, x_r - 0.55, 3.2, r"$r_t$", va="center")
    _label(ax, x_z - 0.5, 2.95, r"$z_t$", va="center")
    _label(ax, x_keep - 0.75, 4.55, r"$z_t$", va="center", fontsize=9)
    _label(ax, x_one - 0.2, gate_y - 0.55, r"$1-z_t$", va="center", fontsize=9)
    _label(ax, x_cand + 0.1, 3.15, r"$\tilde h_t$", va="center")
    _label(ax, 4.6, rmul_y - 0.1, r"$r_t \odot h_{t-1}$", va="top", fontsize=9)
    return fig


__all__ = ["gru_diagram", "lstm_diagram", "rnn_diagram"]
