"""Figures for the training-practice chapter: curves over seeds, drawn as a median line and a band.

Every function returns a figure in the book's style (:mod:`rnnlab.plots.style`); the chapter glues it
with a caption and alt text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .style import CYCLE, new_figure


def seed_bands(
    panels: Mapping[str, Mapping[str, tuple[Sequence[float], np.ndarray]]],
    *,
    xlabel: str,
    ylabels: Sequence[str],
    log: bool = True,
    width: float = 6.4,
) -> Figure:
    """One panel per entry of ``panels``; in each, one median line and min-to-max band per curve.

    Parameters
    ----------
    panels : {panel title: {curve label: (x (n,), values (S, n))}}, ``S`` seeds; NaN entries (a run that
        stopped) are left out of the median and the band at that x
    xlabel : str, shared by the panels
    ylabels : one y-axis label per panel
    log : bool, logarithmic y axes
    width : float, figure width in inches

    Returns
    -------
    Figure
    """
    if len(ylabels) != len(panels):
        raise ValueError(f"ylabels: expected {len(panels)} labels, one per panel, got {len(ylabels)}")
    fig, axes = new_figure(width, 3.1, ncols=len(panels))
    for ax, (title, curves), ylabel in zip(axes, panels.items(), ylabels, strict=True):
        for k, (label, (x, values)) in enumerate(curves.items()):
            values = np.asarray(values, dtype=float)
            if values.ndim != 2 or values.shape[1] != len(x):
                raise ValueError(f"panels[{title!r}][{label!r}]: expected values (S, {len(x)}), got {values.shape}")
            alive = np.isfinite(values).any(axis=0)
            x = np.asarray(x)[alive]
            kept = values[:, alive]
            color = CYCLE[k % len(CYCLE)]
            ax.fill_between(x, np.nanmin(kept, axis=0), np.nanmax(kept, axis=0), color=color, alpha=0.25, lw=0)
            ax.plot(x, np.nanmedian(kept, axis=0), color=color, lw=1.6, label=label)
        if log:
            ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    axes[-1].legend(frameon=False, fontsize=8)
    return fig
