"""Each gate's equation with the current numbers substituted, as HTML (no MathJax needed, so it renders
instantly and offline).

The pre-activations shown inside sigma(...) and tanh(...) are computed with rnnlab's own ``affine`` and
``concat``; the results on the right are the trace's values.
"""

from __future__ import annotations

import numpy as np

from ..functions import affine, concat
from ..params import CellParams
from .charts import CELL_TITLES, SYMBOLS
from .model import Trace

SIGMA = "&sigma;"
ODOT = "&#8857;"
V = "[<i>h</i><sub><i>t</i>&minus;1</sub>, <i>x</i><sub><i>t</i></sub>]"


def vec(values: np.ndarray, digits: int = 3) -> str:
    """A vector as ``[0.650, 0.420, 0.780]`` with proper minus signs."""
    return "[" + ", ".join(f"{float(v):.{digits}f}".replace("-", "&minus;") for v in values) + "]"


def num(value: float, digits: int = 2) -> str:
    """One number for an element-wise product, in brackets when negative."""
    text = f"{float(value):.{digits}f}".replace("-", "&minus;")
    return f"({text})" if value < 0 else text


def line(symbol: str, general: str, *steps: str) -> str:
    """One row of the equation table: the symbol, its equation, then each substituted form."""
    rhs = " = ".join([general, *steps])
    return f'<tr><td style="text-align:right;padding-right:6px">{SYMBOLS[symbol][0]}</td><td>= {rhs}</td></tr>'


def gate_line(symbol: str, squash: str, letter: str, a: np.ndarray, value: np.ndarray) -> str:
    """``symbol = squash(W_letter [h_{t-1}, x_t] + b_letter) = squash(a) = value``."""
    general = f"{squash}(<i>W</i><sub>{letter}</sub> {V} + <i>b</i><sub>{letter}</sub>)"
    return line(symbol, general, f"{squash}({vec(a)})", vec(value))


def products(left: np.ndarray, right: np.ndarray) -> list[str]:
    """The element-wise products ``left_k * right_k`` as text, one per unit."""
    return [f"{num(p)}&middot;{num(q)}" for p, q in zip(left, right, strict=True)]


def sums(*terms: list[str]) -> str:
    """Per-unit sums of the given per-unit terms, as a bracketed list."""
    return "[" + ", ".join(" + ".join(parts) for parts in zip(*terms, strict=True)) + "]"


def rnn_lines(p: CellParams, trace: Trace) -> list[str]:
    return [line("h", f"tanh(<i>W</i> {V} + <i>b</i>)", f"tanh({vec(trace.a)})", vec(trace.h))]


def lstm_lines(p: CellParams, trace: Trace) -> list[str]:
    v = concat(trace.h_prev, trace.x)
    c_prev, c_sym, ct_sym = trace.c_prev, SYMBOLS["c_prev"][0], SYMBOLS["c_tilde"][0]
    f_sym, i_sym, o_sym = SYMBOLS["f"][0], SYMBOLS["i"][0], SYMBOLS["o"][0]
    tanh_c = [f"tanh({float(c):.2f})".replace("-", "&minus;") for c in trace.c]
    return [
        gate_line("f", SIGMA, "f", affine(p.W_f, v, p.b_f), trace.f),
        gate_line("i", SIGMA, "i", affine(p.W_i, v, p.b_i), trace.i),
        gate_line("c_tilde", "tanh", "c", affine(p.W_c, v, p.b_c), trace.c_tilde),
        line(
            "c",
            f"{f_sym} {ODOT} {c_sym} + {i_sym} {ODOT} {ct_sym}",
            sums(products(trace.f, c_prev), products(trace.i, trace.c_tilde)),
            vec(trace.c),
        ),
        gate_line("o", SIGMA, "o", affine(p.W_o, v, p.b_o), trace.o),
        line(
            "h",
            f"{o_sym} {ODOT} tanh({SYMBOLS['c'][0]})",
            sums([f"{num(o)}&middot;{t}" for o, t in zip(trace.o, tanh_c, strict=True)]),
            vec(trace.h),
        ),
    ]


def gru_lines(p: CellParams, trace: Trace) -> list[str]:
    v = concat(trace.h_prev, trace.x)
    r_sym, z_sym, h_sym, ht_sym = SYMBOLS["r"][0], SYMBOLS["z"][0], SYMBOLS["h_prev"][0], SYMBOLS["h_tilde"][0]
    H = p.hidden_size
    if trace.reset == "before":
        a = affine(p.W_h, concat(trace.r * trace.h_prev, trace.x), p.b_h)
        x_sym = "<i>x</i><sub><i>t</i></sub>"
        general = f"tanh(<i>W</i><sub>h</sub> [{r_sym} {ODOT} {h_sym}, {x_sym}] + <i>b</i><sub>h</sub>)"
    else:
        b_hn = 0.0 if p.b_hn is None else p.b_hn
        a = affine(p.W_h[:, H:], trace.x, p.b_h) + trace.r * affine(p.W_h[:, :H], trace.h_prev, np.zeros(H) + b_hn)
        general = (
            f"tanh(<i>W</i><sub>hx</sub> <i>x</i><sub><i>t</i></sub> + <i>b</i><sub>h</sub> + {r_sym} {ODOT} "
            f"(<i>W</i><sub>hh</sub> {h_sym} + <i>b</i><sub>hn</sub>))"
        )
    if trace.z_weights == "old":
        keep, take, mix = trace.z, 1.0 - trace.z, f"{z_sym} {ODOT} {h_sym} + (1 &minus; {z_sym}) {ODOT} {ht_sym}"
    else:
        keep, take, mix = 1.0 - trace.z, trace.z, f"(1 &minus; {z_sym}) {ODOT} {h_sym} + {z_sym} {ODOT} {ht_sym}"
    return [
        gate_line("r", SIGMA, "r", affine(p.W_r, v, p.b_r), trace.r),
        gate_line("z", SIGMA, "z", affine(p.W_z, v, p.b_z), trace.z),
        line("h_tilde", general, f"tanh({vec(a)})", vec(trace.h_tilde)),
        line("h", mix, sums(products(keep, trace.h_prev), products(take, trace.h_tilde)), vec(trace.h)),
    ]


LINES = {"rnn": rnn_lines, "lstm": lstm_lines, "gru": gru_lines}


def equations(cell: str, p: CellParams, trace: Trace) -> str:
    """The equation table of one cell's step, with ``[h_{t-1}, x_t]`` spelled out first."""
    head = f'<tr><td></td><td style="color:#555555">{V} = {vec(concat(trace.h_prev, trace.x))}</td></tr>'
    if cell == "gru":
        head += (
            f'<tr><td></td><td style="color:#555555">conventions: z_weights="{trace.z_weights}", '
            f'reset="{trace.reset}"</td></tr>'
        )
    body = "".join(LINES[cell](p, trace))
    return (
        f'<div class="rnnlab-equations" data-cell="{cell}" style="font:13px serif;margin:6px 0">'
        f'<div style="font:bold 13px sans-serif">{CELL_TITLES[cell]}: the equations with this step\'s numbers</div>'
        f'<table style="border-collapse:collapse;line-height:20px">{head}{body}</table></div>'
    )
