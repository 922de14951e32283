"""What the book's pages share to put computed numbers into their prose (no number is typed by hand), and to
quote the library's code beside the equation it implements (no line of code is copied by hand)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from pathlib import Path


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


def code_lines(function: Callable, *lines: str) -> str:
    """The lines of ``function``'s source that implement an equation, checked to be there verbatim.

    A page shows an equation, then ``print(code_lines(f, "do = dh * tanh_c"))``: each requested line must be
    the code of exactly one line of ``f``'s current source (compared without indentation and without a
    trailing ``# comment``), so the page cannot quote code that no longer exists. The lines are returned
    as they are in the source, comment included, under a header naming the file and the function.

    Parameters
    ----------
    function : a Python function whose source ``inspect.getsource`` can read
    lines : str, one or more lines of code as they appear in the function (without indentation)

    Returns
    -------
    str, e.g. ``"# rnnlab/cells/lstm.py, lstm_step_backward\ndo = dh * tanh_c  # h = o * tanh(c)"``

    Raises
    ------
    ValueError naming the line, if it is not in the function's source or is there more than once.
    """
    if not lines:
        raise ValueError("lines: expected at least one line of code to show, got none")
    source = [line.strip() for line in inspect.getsource(function).splitlines()]
    code = [line.split("  # ")[0].rstrip() for line in source]
    shown = []
    for wanted in lines:
        found = [k for k, line in enumerate(code) if line == wanted.strip()]
        if len(found) != 1:
            where = "not in" if not found else f"{len(found)} times in"
            raise ValueError(f"lines: {wanted!r} is {where} the source of {function.__qualname__}")
        shown.append(source[found[0]])
    path = Path(inspect.getsourcefile(function)).resolve()
    package = next((parent for parent in path.parents if parent.name == "rnnlab"), path.parent)
    header = f"# {path.relative_to(package.parent).as_posix()}, {function.__qualname__}"
    return "\n".join([header, *shown])
