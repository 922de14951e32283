"""rnnlab's sequence path against PyTorch's, and the GRU against the LSTM, measured in one run.

Goals (issue 2): GRU forward+backward at T=50, B=64, D=H=128 no slower than ``torch.nn.GRU`` on the CPU in
float32 (ratio <= 1.0), and the GRU at most 0.8x the LSTM's time at the same size. Runs are interleaved
(every contender once per round) and we report the minimum over rounds, which is the least disturbed by
other work on a shared machine, next to the median.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

import rnnlab

T, B, D, H = 50, 64, 128, 128
ROUNDS = 25


def gru_flops(T: int, B: int, D: int, H: int) -> int:
    """Multiply-adds x 2 of one GRU forward+backward: 3 gate blocks, each product done 3 times."""
    return 2 * 3 * T * B * 3 * H * (D + H)


MATMUL_N = 1024


def matmul(dtype: type) -> Callable[[], object]:
    """One n x n product: timed alongside the contenders to give the machine's matmul FLOP rate."""
    a = np.random.default_rng(0).normal(size=(MATMUL_N, MATMUL_N)).astype(dtype)
    return lambda: a @ a


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def contenders() -> dict[str, Callable[[], object]]:
    rng = np.random.default_rng(0)
    xs, dhs = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    gru, lstm = rnnlab.GRUParams.random(D, H), rnnlab.LSTMParams.random(D, H)
    gru_after = gru.replace(b_hn=np.zeros(H))

    def rnnlab_gru(dtype: type = np.float64, p: rnnlab.GRUParams = gru, reset: str = "before") -> None:
        _, cache = rnnlab.gru_forward(xs, None, p, reset=reset, dtype=dtype)
        rnnlab.gru_backward(dhs, cache)

    def rnnlab_lstm(dtype: type = np.float64) -> None:
        _, _, cache = rnnlab.lstm_forward(xs, None, None, lstm, dtype=dtype)
        rnnlab.lstm_backward(dhs, cache)

    runs = {
        "rnnlab GRU float64": rnnlab_gru,
        "rnnlab GRU float32": lambda: rnnlab_gru(np.float32),
        "rnnlab GRU float32 reset=after": lambda: rnnlab_gru(np.float32, gru_after, "after"),
        "rnnlab LSTM float64": rnnlab_lstm,
        "rnnlab LSTM float32": lambda: rnnlab_lstm(np.float32),
        "matmul 1024 float64": matmul(np.float64),
        "matmul 1024 float32": matmul(np.float32),
    }
    try:
        import torch
    except ImportError:
        return runs
    X = torch.tensor(xs, dtype=torch.float32, requires_grad=True)
    dH = torch.tensor(dhs, dtype=torch.float32)
    torch_gru, torch_lstm = torch.nn.GRU(D, H), torch.nn.LSTM(D, H)

    def torch_run(module: torch.nn.Module) -> None:
        module.zero_grad()
        X.grad = None
        out, _ = module(X)
        out.backward(dH)

    runs["torch.nn.GRU float32"] = lambda: torch_run(torch_gru)
    runs["torch.nn.LSTM float32"] = lambda: torch_run(torch_lstm)
    return runs


def main() -> list[str]:
    runs = contenders()
    for fn in runs.values():  # warm up caches and allocators
        fn()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(ROUNDS):
        for name, fn in runs.items():
            times[name].append(_seconds(fn))
    best = {name: min(ts) for name, ts in times.items()}
    lines = [f"size T={T} B={B} D={D} H={H}, forward+backward, min (median) of {ROUNDS} interleaved rounds"]
    for name, ts in times.items():
        lines.append(f"{name:32s} {1e3 * min(ts):7.2f} ms ({1e3 * float(np.median(ts)):7.2f} ms)")
    torch_gru = best.get("torch.nn.GRU float32")
    if torch_gru is None:
        lines.append("torch is not installed: the ratio to torch.nn.GRU is not measured")
    else:
        for name in ("rnnlab GRU float64", "rnnlab GRU float32", "rnnlab GRU float32 reset=after"):
            ratio = best[name] / torch_gru
            lines.append(f"ratio {name} / torch.nn.GRU float32 = {ratio:.2f} (goal <= 1.0: {_met(ratio <= 1.0)})")
    for precision in ("float64", "float32"):
        ratio = best[f"rnnlab GRU {precision}"] / best[f"rnnlab LSTM {precision}"]
        lines.append(f"ratio rnnlab GRU / LSTM {precision} = {ratio:.2f} (goal <= 0.8: {_met(ratio <= 0.8)})")
    flops = gru_flops(T, B, D, H)
    for precision in ("float64", "float32"):
        rate = 2 * MATMUL_N**3 / best[f"matmul 1024 {precision}"]
        reached = flops / best[f"rnnlab GRU {precision}"]
        lines.append(
            f"rnnlab GRU {precision}: {reached / 1e9:.1f} GFLOP/s = {reached / rate:.0%} of this machine's "
            f"{precision} matmul rate ({rate / 1e9:.1f} GFLOP/s)"
        )
    return lines


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"
