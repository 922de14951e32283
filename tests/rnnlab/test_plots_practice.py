"""rnnlab.plots.practice: the seed-band figure draws one line and one band per curve, and checks shapes."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.plots.practice import seed_bands


def test_seed_bands_draws_a_median_and_a_band_per_curve():
    x = np.arange(5)
    values = np.vstack([np.ones(5), 2 * np.ones(5), [3, 3, 3, np.nan, np.nan]])
    fig = seed_bands({"a": {"one": (x, values), "two": (x, values + 1)}}, xlabel="step", ylabels=["loss"])
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 2 and len(ax.collections) == 2
    np.testing.assert_allclose(lines[0].get_ydata(), [2, 2, 2, 1.5, 1.5])  # NaN left out of the median
    assert ax.get_yscale() == "log" and ax.get_legend() is not None


def test_seed_bands_checks_its_arguments():
    x = np.arange(3)
    with pytest.raises(ValueError, match="ylabels"):
        seed_bands({"a": {"c": (x, np.ones((2, 3)))}}, xlabel="x", ylabels=[])
    with pytest.raises(ValueError, match="expected values"):
        seed_bands({"a": {"c": (x, np.ones((2, 4)))}}, xlabel="x", ylabels=["y"])
