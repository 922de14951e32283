"""How long the explainer takes from a control change to redrawn charts (goal: under 50 ms median).

Setting a slider's ``.value`` runs the explainer's observer synchronously: rnnlab's step, the sequence
run and every HTML view are rebuilt before the assignment returns, so timing the assignment measures the
whole redraw on the kernel side. For scale, the same state drawn as a static matplotlib figure (what the
chapter glues) is timed too: that is the cost a figure-per-move design would pay.
"""

from __future__ import annotations

import io
import statistics
import time

GOAL_MS = 50.0


def _median_ms(action, repeats: int) -> float:
    times = []
    for k in range(repeats):
        start = time.perf_counter()
        action(k)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> list[str]:
    from rnnlab.explainer import Explainer
    from rnnlab.plots.explainer import explainer_figure

    lines = []
    values = [round(-1.0 + 0.05 * k, 2) for k in range(41)]
    for kind in ("gru", "lstm", "both"):
        e = Explainer(kind)
        slider = e.controls["x_1"]

        def move(k: int, slider=slider) -> None:
            slider.value = values[k % len(values)]

        ms = _median_ms(move, 200)
        lines.append(f"{kind}: slider move -> redrawn charts, median {ms:.2f} ms = {ms / GOAL_MS:.3f} x the 50 ms goal")
    e = Explainer("both")
    ms = _median_ms(lambda k: explainer_figure(e).savefig(io.BytesIO(), format="png"), 10)
    lines.append(f"both: the same state drawn as a matplotlib PNG, median {ms:.1f} ms = {ms / GOAL_MS:.2f} x the goal")
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
