"""Truncated backpropagation through time for many seeds side by side.

:func:`train_ensemble_stream` is to :class:`rnnlab.truncated.CarriedState` with
:func:`rnnlab.truncated.stream_windows` what :func:`rnnlab.ensemble.train_ensemble` is to
:func:`rnnlab.train.train`: every member walks through its own stream window by window, carrying its
state from one window to the next (and starting from zeros again at the start of the stream), and
updates after every window. The members are packed block-diagonally (:class:`rnnlab.ensemble.Ensemble`),
so the packed state's block :math:`k` is member :math:`k`'s state, and the result equals training each
member alone, to rounding (``tests/rnnlab/test_ensemble_stream.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
from tqdm.auto import tqdm

from .ensemble import Ensemble, Member, Run
from .models import SequenceModel
from .train import Adam
from .truncated import windows

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def train_ensemble_stream(
    model: SequenceModel,
    loss_fn: LossFn,
    stream: Callable[[int], tuple[np.ndarray, np.ndarray]],
    *,
    members: Sequence[Member],
    window: int,
    steps: int,
    max_norm: float | None = 1.0,
    desc: str = "training",
    progress: bool = True,
) -> list[Run]:
    """Train every member with Adam on its own stream, in windows of ``window`` steps (truncated BPTT).

    Step ``s`` runs window ``s mod n`` of the ``n`` windows of every member's stream from the state the
    previous window ended in (a constant: no gradient crosses the boundary), then clips each member's
    gradient to ``max_norm`` and updates. Window 0 starts from zeros.

    Parameters
    ----------
    model : SequenceModel with ``readout="all"`` and numeric inputs (no ``vocab_size``)
    loss_fn : (outputs, targets) -> (mean loss, dL/d(outputs)), e.g. :func:`rnnlab.train.mse`
    stream : seed -> (inputs (T, B, D), targets (T, B, O)), member ``k``'s stream; every member's has the
        same T and B
    members : sequence of :class:`~rnnlab.ensemble.Member`
    window : int, ``k``
    steps : int, the number of updates (windows)
    max_norm : float or None, per-member clipping threshold (None: no clipping)
    desc, progress : the ``tqdm`` progress bar's label, and whether to show it

    Returns
    -------
    list of :class:`~rnnlab.ensemble.Run`, one per member, in the order given
    """
    if not isinstance(model, SequenceModel) or model.readout != "all" or model.vocab_size is not None:
        raise ValueError("model: expected a SequenceModel with readout='all' and numeric inputs (vocab_size=None)")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps: expected a positive int, got {steps!r}")
    ensemble = Ensemble(model, members)
    data = [tuple(np.asarray(a, dtype=float) for a in stream(m.seed)) for m in ensemble.members]
    shapes = {(x.shape[:2], y.shape[:2]) for x, y in data}
    if len(shapes) != 1 or any(x.shape[:2] != y.shape[:2] for x, y in data):
        raise ValueError(f"stream: expected inputs and targets of one (T, B) for every member, got {sorted(shapes)}")
    pieces = windows(data[0][0].shape[0], window)
    S = ensemble.S
    packed = ensemble.init()
    optimizer = Adam(lr=ensemble.learning_rates())
    losses, norms = np.empty((steps, S)), np.empty((steps, S))
    state = None
    start = time.perf_counter()
    bar = tqdm(range(steps), desc=desc, disable=not progress, mininterval=0.5)
    for step in bar:
        piece = pieces[step % len(pieces)]
        if piece.start == 0:
            state = None
        inputs = [x[piece] for x, _ in data]
        outputs, state, cache = ensemble.packed.forward_carry(packed, np.concatenate(inputs, axis=-1), state)
        scored = [loss_fn(y_hat, y[piece]) for y_hat, (_, y) in zip(ensemble._split(outputs), data, strict=True)]
        losses[step], norms[step] = ensemble.update(packed, optimizer, scored, (inputs, cache), step, max_norm)
        if step % 25 == 0 or step == steps - 1:
            bar.set_postfix(loss=f"{losses[step].mean():.4f}", refresh=False)
    bar.close()
    return ensemble.runs(packed, losses, norms, time.perf_counter() - start)
