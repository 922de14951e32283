"""What the book's pages share to put computed numbers into their prose (no number is typed by hand)."""

from __future__ import annotations

from collections.abc import Sequence


def glue_number(name: str, value: object) -> None:
    """Glue ``value`` under ``name`` for ``{glue:text}`` in the prose, rounded to 10 significant digits.

    The rounding keeps the stored text the same on every machine (the last bits of a float64 sum can
    differ between BLAS builds), so strict nbval compares the pages exactly.

    Parameters
    ----------
    name : str, the key the prose cites
    value : a number (a Python or numpy scalar, or a size-1 array)
    """
    from myst_nb import glue  # only the pages need myst-nb; the library itself does not

    glue(name, float(f"{float(value):.10g}"), display=False)


def by_hand(row: Sequence[float], v: Sequence[float], bias: float) -> str:
    """One pre-activation written out term by term, for a "check it by hand" aside.

    .. math:: w_1 v_1 + w_2 v_2 + \\dots + b

    Parameters
    ----------
    row : (H + D,) one row of a gate's weight matrix
    v : (H + D,) the vector the gate reads, :math:`[h_{t-1}, x_t]`
    bias : the row's bias

    Returns
    -------
    str, e.g. ``"(0.5)(1) + (-0.2)(0.3) + (0.1)"``
    """
    if len(row) != len(v):
        raise ValueError(f"v: expected {len(row)} entries (one per weight in row), got {len(v)}")
    terms = " + ".join(f"({w:g})({value:g})" for w, value in zip(row, v, strict=True))
    return f"{terms} + ({bias:g})"
