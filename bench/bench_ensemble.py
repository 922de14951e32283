"""Five seeds of a chapter's training run: one after another with ``train`` against packed with ``train_ensemble``.

The chapters' experiments (adding problem at lag 20: H = 16, B = 32, T = 40) train five seeds per
configuration. Both ways compute the same numbers (``tests/rnnlab/test_ensemble.py``); this measures
what packing saves. Rounds are interleaved (each way once per round) and we report the median and the
range of the per-round ratio packed / one-after-another (below 1: packing is faster).
"""

from __future__ import annotations

import os
import platform
import statistics
import time

from rnnlab import tasks
from rnnlab.ensemble import Member, train_ensemble
from rnnlab.models import SequenceModel
from rnnlab.train import Adam, mse, train

H, BATCH, LAG, STEPS, SEEDS = 16, 32, 20, 60, 5
ROUNDS = int(os.environ.get("BENCH_ENSEMBLE_ROUNDS", "5"))


def batch(step: int, seed: int):
    return tasks.adding_problem(n=BATCH, lag=LAG, seed=10_000 * seed + step)


def one_after_another(model: SequenceModel, members: list[Member]) -> None:
    for m in members:
        params = model.init(m.seed)
        train(
            model.loss_and_grads(mse),
            params,
            lambda step, seed=m.seed: batch(step, seed),
            steps=STEPS,
            optimizer=Adam(lr=m.lr),
            progress=False,
        )


def packed(model: SequenceModel, members: list[Member]) -> None:
    train_ensemble(model, mse, batch, members=members, steps=STEPS, progress=False)


def seconds(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> list[str]:
    members = [Member(seed, 0.01) for seed in range(SEEDS)]
    lines = [
        f"{SEEDS} seeds x {STEPS} Adam steps, adding problem T = {2 * LAG}, H = {H}, B = {BATCH}; "
        f"{ROUNDS} interleaved rounds on {platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    ]
    for kind in ("rnn", "lstm", "gru"):
        model = SequenceModel(kind, input_size=2, hidden_size=H)
        ratios, alone = [], []
        for _ in range(ROUNDS):
            a = seconds(one_after_another, model, members)
            p = seconds(packed, model, members)
            ratios.append(p / a)
            alone.append(a)
        lines.append(
            f"{kind:>4}: packed / one after another = {statistics.median(ratios):.2f} "
            f"(range {min(ratios):.2f}-{max(ratios):.2f}); one after another {statistics.median(alone):.2f} s"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
