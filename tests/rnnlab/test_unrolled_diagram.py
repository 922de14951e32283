"""The unrolled graph (rnnlab.plots.unrolled): it draws for every kind and length without a warning, names
every input, state, loss term and gradient, draws the backward arrows in their own colour, and rejects a
bad kind or length with an error naming the argument."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from rnnlab.plots.unrolled import BACKWARD, unrolled_diagram


def render(fig: Figure) -> None:
    """Draw to PNG, which parses every label's mathtext."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=30)
    assert buffer.getvalue().startswith(b"\x89PNG"), "the figure did not render to a PNG"


def drawn_texts(fig: Figure) -> set[str]:
    (ax,) = fig.axes
    legend = ax.get_legend()
    return {text.get_text() for text in ax.texts} | {text.get_text() for text in legend.get_texts()} | {ax.get_title()}


def arrows(fig: Figure, color: str) -> list[FancyArrowPatch]:
    (ax,) = fig.axes
    return [p for p in ax.patches if isinstance(p, FancyArrowPatch) and to_hex(p.get_edgecolor()) == color.lower()]


def expected_labels(kind: str, T: int) -> set[str]:
    steps = range(1, T + 1)
    labels = {"$h_0$", r"$\delta h_0$", "forward: values", "backward: gradients"}
    labels |= {f"$x_{t}$" for t in steps} | {f"$h_{t}$" for t in steps} | {rf"$\ell_{t}$" for t in steps}
    labels |= {f"$g_{t}$" for t in steps} | {rf"$\delta h_{t}$" for t in steps}
    labels.add("$L = " + " + ".join(rf"\ell_{t}" for t in steps) + "$")
    if kind == "lstm":
        labels |= {"$c_0$", r"$\delta c_0$"} | {f"$c_{t}$" for t in steps}
        labels |= {rf"$f_{{{t}}} \odot \delta c_{{{t}}}$" for t in range(2, T + 1)}
    return labels


@pytest.mark.parametrize("T", [1, 3, 6])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_draws_every_kind_with_all_its_labels_and_no_warning(kind, T):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a mathtext, layout or font warning fails the test
        fig = unrolled_diagram(kind, steps=T)
        render(fig)
    assert isinstance(fig, Figure)
    assert not fig.axes[0].axison, "diagrams have no axes frame"
    missing = expected_labels(kind, T) - drawn_texts(fig)
    assert not missing, f"{kind}, T={T}: labels missing {sorted(missing)}"
    assert f"$T = {T}$" in fig.axes[0].get_title(), fig.axes[0].get_title()


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_backward_arrows_are_in_their_own_colour_and_count(kind):
    T = 4
    fig = unrolled_diagram(kind, steps=T)
    # per step: g_t down, delta h_t into the copy; between copies: what the next copy sends back (T - 1);
    # delta h_0 out on the left; the LSTM adds the cell line (T - 1 between copies, and delta c_0)
    expected = 2 * T + (T - 1) + 1 + (T if kind == "lstm" else 0)
    backward = arrows(fig, BACKWARD)
    assert len(backward) == expected, f"{kind}: {len(backward)} backward arrows vs {expected}"
    assert all(p.get_linestyle() != "-" for p in backward), "backward arrows are dashed, readable without colour"
    forward = arrows(fig, "#333333")
    # per step: the input, the state(s) to the right, the fork up to the loss; the initial state(s)
    states = 2 if kind == "lstm" else 1
    assert len(forward) == T * (2 + states) + states, f"{kind}: {len(forward)} forward arrows"


def test_the_title_names_the_cell():
    for kind, name in [("rnn", "plain RNN"), ("lstm", "LSTM"), ("gru", "GRU")]:
        assert unrolled_diagram(kind).axes[0].get_title().startswith(name)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"kind": "transformer"}, ValueError, "kind"),
        ({"kind": 3}, TypeError, "kind"),
        ({"steps": 0}, ValueError, "steps"),
        ({"steps": 7}, ValueError, "steps"),
        ({"steps": 2.5}, TypeError, "steps"),
        ({"steps": True}, TypeError, "steps"),
    ],
)
def test_rejects_bad_arguments_naming_them(kwargs, error, message):
    with pytest.raises(error, match=message):
        unrolled_diagram(**kwargs)
