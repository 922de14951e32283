"""Figures of one step and of a sequence: gate bar charts, heatmaps, gradient-decay plots and the GRU interpolation.

Every function returns a :class:`matplotlib.figure.Figure` in the book's style (:mod:`rnnlab.plots.style`).
Bad input raises ``ValueError`` naming the argument. The cell diagrams live in :mod:`rnnlab.plots.diagrams`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .style import CYCLE, INK, color_of, label_of, new_figure


def gate_bars(
    values: Mapping[str, object], *, title: str | None = None, ylim: tuple[float, float] | None = None
) -> Figure:
    """Grouped bar chart: one group per vector component, one bar per named quantity.

    Parameters
    ----------
    values : mapping of name -> array (H,)
        For example ``{"f": f, "i": i}``; names in :data:`rnnlab.plots.style.SYMBOLS` get the book's symbol and colour.
    title : str, optional
    ylim : (low, high), optional
        Defaults to ``(0, 1)`` when every value lies in [0, 1] (gates), else fits the data.

    Returns
    -------
    Figure with one Axes: x label "component", y label "value", one bar container per quantity.
    """
    arrays = _vectors("values", values)
    H = len(next(iter(arrays.values())))
    fig, (ax,) = new_figure(width=min(9.0, 2.4 + 0.42 * H * len(arrays)), height=3.2)
    width = 0.8 / len(arrays)
    positions = np.arange(H)
    for k, (name, array) in enumerate(arrays.items()):
        offset = (k - (len(arrays) - 1) / 2) * width
        bars = ax.bar(positions + offset, array, width, label=label_of(name), color=color_of(name, k))
        ax.bar_label(bars, fmt="%.2f", fontsize=8 if len(arrays) < 4 else 7, color=INK, padding=2)
    everything = np.concatenate(list(arrays.values()))
    if ylim is None:
        gate_like = everything.min() >= 0 and everything.max() <= 1
        low, high = (0.0, 1.0) if gate_like else (min(0.0, everything.min()), max(0.0, everything.max()))
        pad = 0.15 * (high - low)
        ylim = (low - (0 if gate_like else pad), high + pad)
    ax.set_ylim(*ylim)
    ax.axhline(0, color=INK, linewidth=0.8)
    ax.set_xticks(positions, [f"{k + 1}" for k in range(H)])
    ax.set_xlabel("component")
    ax.set_ylabel("value")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=10, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def state_heatmap(
    values: object,
    *,
    title: str | None = None,
    row_label: str = "unit",
    col_label: str = "step $t$",
    center: float | None = 0.0,
    colorbar_label: str = "value",
) -> Figure:
    """Heatmap of a quantity over time: one row per unit, one column per step.

    Parameters
    ----------
    values : array (H, T)
        For example ``hs[:, 0, :].T`` from a forward pass.
    title : str, optional
    row_label, col_label : str
        Axis labels (rows are the y axis).
    center : float or None
        If given, the colour scale is symmetric around it (diverging map); else a sequential map over the
        data range (use ``None`` for gates in [0, 1]).
    colorbar_label : str

    Returns
    -------
    Figure with the heatmap Axes and a colour-bar Axes.
    """
    array = _finite_array("values", values)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"values: expected a non-empty 2-D array (H, T), got shape {array.shape}")
    fig, (ax,) = new_figure(width=6.4, height=1.2 + 0.25 * min(array.shape[0], 24))
    if center is None:
        image = ax.imshow(array, aspect="auto", cmap="viridis", interpolation="nearest")
    else:
        span = float(np.max(np.abs(array - center))) or 1.0
        image = ax.imshow(
            array, aspect="auto", cmap="RdBu_r", vmin=center - span, vmax=center + span, interpolation="nearest"
        )
    ax.grid(False)
    ax.set_xlabel(col_label)
    ax.set_ylabel(row_label)
    if title:
        ax.set_title(title, fontsize=10)
    bar = fig.colorbar(image, ax=ax, shrink=0.9)
    bar.set_label(colorbar_label, color=INK)
    return fig


def gradient_decay(
    ks: object,
    norms: Mapping[str, object],
    *,
    title: str | None = None,
    ylabel: str = r"$\|\partial L / \partial h_{T-k}\|$",
    xlabel: str = "steps back in time, $k$",
) -> Figure:
    """Gradient norm against the number of steps it travelled back, on a logarithmic y axis.

    Parameters
    ----------
    ks : array (K,) of step counts
    norms : mapping of curve label -> array (K,) of positive norms
    title, ylabel, xlabel : str

    Returns
    -------
    Figure with one Axes (log-scaled y) holding one line per curve.
    """
    ks = _finite_array("ks", ks)
    if ks.ndim != 1 or len(ks) == 0:
        raise ValueError(f"ks: expected a non-empty 1-D array, got shape {ks.shape}")
    curves = _vectors("norms", norms)
    for name, curve in curves.items():
        if curve.shape != ks.shape:
            raise ValueError(f"norms[{name!r}]: expected shape {ks.shape} (one norm per k), got {curve.shape}")
        if np.any(curve <= 0):
            raise ValueError(f"norms[{name!r}]: a log-scaled plot needs positive norms, got min {curve.min()!r}")
    fig, (ax,) = new_figure(width=6.4, height=3.6)
    markers = "osD^vP*X"
    for k, (name, curve) in enumerate(curves.items()):
        ax.plot(
            ks,
            curve,
            label=name,
            color=CYCLE[k % len(CYCLE)],
            linewidth=1.8,
            marker=markers[k % len(markers)],
            markersize=3.5,
            markevery=max(1, len(ks) // 10),
        )
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def interpolation(h_prev: object, h_tilde: object, z: object, *, z_weights: str = "old") -> Figure:
    """The GRU update as a slide between the old state and the candidate, one line per component.

    For each component the line runs over every possible gate value,
    :math:`h = z\\,h_{t-1} + (1-z)\\,\\tilde h_t` (``z_weights="old"``) or
    :math:`h = (1-z)\\,h_{t-1} + z\\,\\tilde h_t` (``"new"``), and a dot marks the actual :math:`z_t`.

    Parameters
    ----------
    h_prev, h_tilde, z : arrays (H,)
    z_weights : {"old", "new"}

    Returns
    -------
    Figure with one Axes: x label the gate value, y label the new state.
    """
    arrays = _vectors("h_prev, h_tilde, z", {"h_prev": h_prev, "h_tilde": h_tilde, "z": z})
    h_prev, h_tilde, z = arrays["h_prev"], arrays["h_tilde"], arrays["z"]
    if np.any((z < 0) | (z > 1)):
        raise ValueError(f"z: a gate lies in [0, 1], got {z!r}")
    if z_weights not in ("old", "new"):
        raise ValueError(f"z_weights: expected 'old' or 'new', got {z_weights!r}")
    grid = np.linspace(0.0, 1.0, 101)
    fig, (ax,) = new_figure(width=6.4, height=3.6)
    for k in range(len(z)):
        keep = grid if z_weights == "old" else 1.0 - grid
        line = keep * h_prev[k] + (1.0 - keep) * h_tilde[k]
        color = CYCLE[k % len(CYCLE)]
        ax.plot(grid, line, color=color, linewidth=1.6, label=f"component {k + 1}")
        keep_k = z[k] if z_weights == "old" else 1.0 - z[k]
        h_k = keep_k * h_prev[k] + (1.0 - keep_k) * h_tilde[k]
        ax.plot([z[k]], [h_k], "o", color=color, markersize=7, markeredgecolor=INK)
        ax.annotate(f"{h_k:.2f}", (z[k], h_k), textcoords="offset points", xytext=(6, 6), fontsize=8, color=INK)
    old_end, new_end = (1.0, 0.0) if z_weights == "old" else (0.0, 1.0)
    ax.text(old_end, ax.get_ylim()[1], r"all $h_{t-1}$", ha="center", va="bottom", fontsize=9, color=INK)
    ax.text(new_end, ax.get_ylim()[1], r"all $\tilde h_t$", ha="center", va="bottom", fontsize=9, color=INK)
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel(r"update gate $z_t$")
    ax.set_ylabel(r"new state $h_t$")
    ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


# --- validation ------------------------------------------------------------------------------------


def _finite_array(name: str, value: object) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: expected numbers, got {type(value).__name__}") from error
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected finite numbers, got NaN or infinity")
    return array


def _vectors(name: str, values: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Check a mapping of label -> 1-D array, all the same length, and return float arrays."""
    if not isinstance(values, Mapping) or len(values) == 0:
        raise ValueError(f"{name}: expected a non-empty mapping of name -> 1-D array, got {values!r}")
    arrays = {str(key): _finite_array(f"{name}[{key!r}]", value) for key, value in values.items()}
    lengths = set()
    for key, array in arrays.items():
        if array.ndim != 1 or len(array) == 0:
            raise ValueError(f"{name}[{key!r}]: expected a non-empty 1-D array (H,), got shape {array.shape}")
        lengths.add(len(array))
    if len(lengths) > 1:
        shapes = {key: array.shape for key, array in arrays.items()}
        raise ValueError(f"{name}: every array needs the same length H, got shapes {shapes}")
    return arrays


__all__: Sequence[str] = ["gate_bars", "gradient_decay", "interpolation", "state_heatmap"]
