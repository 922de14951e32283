"""How the worked examples' weights were found (re-run by the tests to prove it).

The seeds give inputs and the gate values rounded to two decimals, but not the weights. We want
weights a student can multiply by hand, so every weight is a one-decimal number. For each gate row we
enumerate every row whose six weights lie in {±0.1, ±0.2, ±0.3} (none zero, so every input visibly
contributes) with a one-decimal bias in [-0.9, 0.9], keep those whose squashed value rounds to the
target, and rank them by readability: the smallest sum of absolute weights and bias, then the value
closest to the target, then the enumeration order. Where a later quantity must also round correctly
(the LSTM cell ``c = f * c_prev + i * c_tilde``), we take the first combination of the best few rows
per gate, in order of total rank, that makes it round right.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from .functions import sigmoid

WEIGHTS = np.array([-3, -2, -1, 1, 2, 3]) / 10
BIASES = np.arange(-9, 10) / 10


@functools.lru_cache(maxsize=1)
def _all_rows(width: int) -> np.ndarray:
    """Every candidate row ``[w_1 .. w_width, b]``, in a fixed order (read-only, computed once)."""
    weights = np.array(list(itertools.product(WEIGHTS, repeat=width)))
    rows = np.repeat(weights, len(BIASES), axis=0)
    biases = np.tile(BIASES, len(weights))[:, None]
    rows = np.hstack([rows, biases])
    rows.setflags(write=False)
    return rows


def rank_rows(v: np.ndarray, target: float, squash: str, keep: int = 8) -> list[np.ndarray]:
    """The ``keep`` most readable rows ``[w..., b]`` with ``round(squash(w . v + b), 2) == target``.

    Parameters
    ----------
    v : array (K,), the vector the gate reads (``[h_prev, x]``)
    target : float, the two-decimal value the gate must round to
    squash : {"sigmoid", "tanh"}
    keep : int
    """
    rows = _all_rows(len(v))
    values = (sigmoid if squash == "sigmoid" else np.tanh)(rows[:, :-1] @ v + rows[:, -1])
    hits = np.flatnonzero(np.abs(values - target) < 0.005 - 1e-12)
    size = np.round(np.abs(rows[hits]).sum(axis=1), 10)
    order = np.lexsort((hits, np.abs(values[hits] - target), size))
    return [np.round(rows[hits[k]], 1) for k in order[:keep]]


def gate_weights(v: np.ndarray, targets: list[float], squash: str) -> tuple[np.ndarray, np.ndarray]:
    """The best row for each unit: a weight matrix (H, K) and a bias (H,)."""
    best = [rank_rows(v, target, squash, keep=1)[0] for target in targets]
    return np.array([row[:-1] for row in best]), np.array([row[-1] for row in best])


def lstm_cell_rows(
    v: np.ndarray, c_prev: float, f: float, i: float, c_tilde: float, c: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows for f, i and c_tilde of one unit such that the cell ``f*c_prev + i*c_tilde`` rounds to ``c``."""
    candidates = [
        rank_rows(v, f, "sigmoid"),
        rank_rows(v, i, "sigmoid"),
        rank_rows(v, c_tilde, "tanh"),
    ]
    combos = sorted(itertools.product(*[range(len(c)) for c in candidates]), key=lambda ks: (sum(ks), ks))
    for ks in combos:
        row_f, row_i, row_c = (candidates[g][k] for g, k in enumerate(ks))
        f_v = sigmoid(row_f[:-1] @ v + row_f[-1])
        i_v = sigmoid(row_i[:-1] @ v + row_i[-1])
        c_v = np.tanh(row_c[:-1] @ v + row_c[-1])
        if abs(f_v * c_prev + i_v * c_v - c) < 0.005 - 1e-12:
            return row_f, row_i, row_c
    raise RuntimeError(f"no combination of the best rows makes the cell round to {c}")


# Seeds' inputs and rounded values (001/000 seeds), and the values we chose where the seeds stop.
X = [0.5, -0.3, 0.8]
H_PREV = [0.2, 0.4, -0.1]
C_PREV = [0.6, -0.2, 0.3]
LSTM_TARGETS = {
    "f": [0.65, 0.42, 0.78],
    "i": [0.53, 0.71, 0.48],
    "c_tilde": [0.32, -0.54, 0.67],
    "c": [0.56, -0.47, 0.55],
    "o": [0.62, 0.48, 0.71],  # ours: the seed stops before the output gate
}
GRU_TARGETS = {"r": [0.58, 0.73, 0.45], "z": [0.66, 0.42, 0.51], "h_tilde": [0.41, -0.26, 0.63]}  # h_tilde: ours
RNN_TARGETS = {"h": [0.46, -0.12, 0.38]}  # ours: the seeds give no plain-RNN numbers


def derive_examples() -> dict[str, dict[str, np.ndarray]]:
    """Re-run the whole search; returns the weight and bias arrays of the three worked examples."""
    v = np.array(H_PREV + X)
    t = LSTM_TARGETS
    rows = [lstm_cell_rows(v, C_PREV[j], t["f"][j], t["i"][j], t["c_tilde"][j], t["c"][j]) for j in range(3)]
    lstm = {}
    for g, name in enumerate(["f", "i", "c"]):
        lstm[f"W_{name}"] = np.array([r[g][:-1] for r in rows])
        lstm[f"b_{name}"] = np.array([r[g][-1] for r in rows])
    lstm["W_o"], lstm["b_o"] = gate_weights(v, t["o"], "sigmoid")

    gru = {}
    gru["W_r"], gru["b_r"] = gate_weights(v, GRU_TARGETS["r"], "sigmoid")
    gru["W_z"], gru["b_z"] = gate_weights(v, GRU_TARGETS["z"], "sigmoid")
    r = sigmoid(gru["W_r"] @ v + gru["b_r"])
    v_reset = np.concatenate([r * np.array(H_PREV), X])
    gru["W_h"], gru["b_h"] = gate_weights(v_reset, GRU_TARGETS["h_tilde"], "tanh")

    rnn = dict(zip(["W", "b"], gate_weights(v, RNN_TARGETS["h"], "tanh"), strict=True))
    return {"lstm": lstm, "gru": gru, "rnn": rnn}
