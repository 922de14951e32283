"""What the grading sandbox costs per notebook, measured against grading the same notebooks without it.

Two measures, each interleaved (sandboxed, unsandboxed, sandboxed, ...) so both see the same machine:

- one kernel: execute a small notebook (``import numpy, rnnlab`` and one cell) with ``SandboxedExecute``
  and with ``CappedExecute`` (identical but for the sandbox), ``KERNEL_ROUNDS`` times each;
- the pipeline: ``python -m coursegrader grade`` on the same class of ``PIPELINE_STUDENTS`` rnn_step
  notebooks with and without ``--unsandboxed``, one worker, ``PIPELINE_ROUNDS`` times each.

The added cost per notebook is the difference of the medians; the spread is the range of the paired
differences over rounds. Goal: at most 0.2 s per notebook.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nbformat.v4 import new_code_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_grading import fresh_course, make_class, timed  # noqa: E402

KERNEL_ROUNDS = 12
PIPELINE_ROUNDS = 3
PIPELINE_STUDENTS = 16


def small_notebook():
    nb = new_notebook(
        cells=[new_code_cell("import numpy as np\nimport rnnlab"), new_code_cell("print(np.ones(3).sum())")]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def run_kernel(executor_class, work: Path) -> float:
    """Seconds to execute the small notebook once with ``executor_class``."""
    from traitlets.config import Config

    config = Config()
    config.SandboxedKernelManager.scratch_root = str(work / "sb")
    nb = small_notebook()
    started = time.perf_counter()
    executor_class(config=config, timeout=60).preprocess(nb, {"metadata": {"path": str(work)}})
    elapsed = time.perf_counter() - started
    assert nb.cells[1].outputs[0]["text"].strip() == "3.0", nb.cells[1].outputs
    return elapsed


def paired(run, rounds: int) -> tuple[list[float], list[float]]:
    """(sandboxed, unsandboxed) timings of ``run(sandboxed: bool)``, interleaved, alternating who goes first."""
    sandboxed, unsandboxed = [], []
    for index in range(rounds):
        order = (True, False) if index % 2 == 0 else (False, True)
        for mode in order:
            (sandboxed if mode else unsandboxed).append(run(mode))
    return sandboxed, unsandboxed


def summary(label: str, sandboxed: list[float], unsandboxed: list[float], per: int) -> list[str]:
    differences = sorted((s - u) / per for s, u in zip(sandboxed, unsandboxed, strict=True))
    added = (statistics.median(sandboxed) - statistics.median(unsandboxed)) / per
    return [
        f"{label}: sandboxed median {statistics.median(sandboxed) / per:.3f} s, unsandboxed median "
        f"{statistics.median(unsandboxed) / per:.3f} s per notebook ({len(sandboxed)} rounds each, interleaved)",
        f"{label}: sandbox's added cost {added:+.3f} s per notebook (paired differences from {differences[0]:+.3f} "
        f"to {differences[-1]:+.3f} s; goal <= 0.2 s)",
    ]


def main() -> list[str]:
    from coursegrader.preprocessors import CappedExecute, SandboxedExecute
    from coursegrader.sandbox.probe import check_sandbox

    probe = check_sandbox([], ["rnnlab"])
    lines = [f"trial sandbox (bwrap, python -c 'import ipykernel, rnnlab'): {probe:.3f} s"]
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as scratch:
        work = Path(scratch)
        run_kernel(CappedExecute, work)  # warm the caches once, not counted
        kernel = paired(lambda mode: run_kernel(SandboxedExecute if mode else CappedExecute, work), KERNEL_ROUNDS)
        lines += summary("one kernel", *kernel, per=1)
        submissions = make_class(work, PIPELINE_STUDENTS)

        def grade(mode: bool) -> float:
            root = fresh_course(work, f"course-{time.monotonic_ns()}")
            command = [sys.executable, "-m", "coursegrader", "grade", "--assignment", "rnn_step", "--submissions",
                       str(submissions), "--root", str(root), "--workers", "1"]  # fmt: skip
            wall, _, _ = timed([*command, *([] if mode else ["--unsandboxed"])], root)
            shutil.rmtree(root)
            return wall

        grade(True)  # registration caches and first imports, not counted
        pipeline = paired(grade, PIPELINE_ROUNDS)
        lines += summary(f"make grade, {PIPELINE_STUDENTS} notebooks, 1 worker", *pipeline, per=PIPELINE_STUDENTS)
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
