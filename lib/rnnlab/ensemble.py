"""Many independent training runs of one :class:`~rnnlab.models.SequenceModel` as one computation.

A chapter that reports five seeds, or sweeps the learning rate, trains the same small model many
times. At the book's sizes (:math:`H = 16`, :math:`B = 32`) numpy spends its time on the Python
overhead of each operation, not on arithmetic, so ``S`` runs side by side cost little more than one.

The ``S`` members (each a seed and a learning rate) are packed into one model of hidden size
:math:`S H`, input size :math:`S D` and output size :math:`S O` whose matrices are block-diagonal:

.. math::
    U^{\\text{pack}} = \\operatorname{diag}(U^{(1)}, \\dots, U^{(S)}), \\qquad
    V^{\\text{pack}} = \\operatorname{diag}(V^{(1)}, \\dots, V^{(S)}), \\qquad
    x_t^{\\text{pack}} = [x_t^{(1)}, \\dots, x_t^{(S)}]

for every gate (and the readout), biases stacked. Member :math:`k` reads only its own batch, its
state only ever meets its own weights, and the packed loss is :math:`\\sum_k L^{(k)}`, so block
:math:`k` of the packed gradient is member :math:`k`'s gradient. The entries between blocks start at
zero and their gradients are masked to zero; clipping (:math:`\\lVert g^{(k)} \\rVert \\le` ``max_norm``)
and Adam (with member :math:`k`'s rate) act on each member alone. Training the pack therefore equals
training each member by itself with :func:`rnnlab.train.train`, to rounding (``tests/rnnlab/test_ensemble.py``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .models import SequenceModel
from .train import Adam, History

Arrays = dict[str, np.ndarray]


@dataclasses.dataclass(frozen=True)
class Member:
    """One training run: the seed of its initial weights (and of its batches) and its Adam learning rate."""

    seed: int
    lr: float


@dataclasses.dataclass
class Run:
    """A trained member: its seed and rate, its weights (laid out as ``model.init`` returns them) and history.

    ``history.seconds`` is the wall time of the whole pack, which all members shared.
    """

    seed: int
    lr: float
    params: Arrays
    history: History


class Ensemble:
    """``S`` copies of ``model`` packed block-diagonally (see the module's docstring).

    Parameters
    ----------
    model : SequenceModel, the model every member trains (sizes D, H, O, vocabulary V)
    members : sequence of :class:`Member`, S >= 1
    """

    def __init__(self, model: SequenceModel, members: Sequence[Member]) -> None:
        if not isinstance(model, SequenceModel):
            raise TypeError(f"model: expected a SequenceModel, got {type(model).__name__}")
        members = tuple(members)
        if not members or not all(isinstance(m, Member) for m in members):
            raise ValueError(f"members: expected a non-empty sequence of Member(seed, lr), got {members!r}")
        self.model, self.members, self.S = model, members, len(members)
        S = self.S
        self.packed = dataclasses.replace(
            model, input_size=S * model.input_size, hidden_size=S * model.hidden_size,
            output_size=S * model.output_size, vocab_size=None,
        )  # fmt: skip
        shapes = {name: a.shape for name, a in model.init(0).items()}
        self.owner = {name: self._owner(name, shape) for name, shape in shapes.items()}

    # --- where each member's numbers sit in the pack -----------------------------------------------

    def _blocks(self, name: str, shape: tuple[int, ...], k: int) -> list[tuple[slice, ...]]:
        """The index blocks of member ``k``'s array ``name`` (of per-member ``shape``) inside the pack."""
        H, D = self.model.hidden_size, self.model.input_size
        S = self.S
        if name == "E":  # (V, D) -> columns of (V, S D)
            return [(slice(None), slice(k * D, (k + 1) * D))]
        rows, cols = shape[0], (shape[1] if len(shape) == 2 else None)
        r = slice(k * rows, (k + 1) * rows)
        if cols is None:  # a bias
            return [(r,)]
        if name == "W_y":  # (O, H)
            return [(r, slice(k * H, (k + 1) * H))]
        # a cell weight (H, H + D): U block then V block
        return [(r, slice(k * H, (k + 1) * H)), (r, slice(S * H + k * D, S * H + (k + 1) * D))]

    def _packed_shape(self, name: str, shape: tuple[int, ...]) -> tuple[int, ...]:
        S = self.S
        if name == "E":
            return (shape[0], S * shape[1])
        return tuple(S * n for n in shape)

    def _owner(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """An int array shaped like the packed ``name``: the member that owns each entry, ``S`` between blocks."""
        owner = np.full(self._packed_shape(name, shape), self.S, dtype=np.intp)
        for k in range(self.S):
            for block in self._blocks(name, shape, k):
                owner[block] = k
        return owner

    def pack(self, member_params: Sequence[Arrays]) -> Arrays:
        """Per-member weight dicts (as ``model.init`` returns them) -> the packed dict (zeros between blocks)."""
        if len(member_params) != self.S:
            raise ValueError(f"member_params: expected {self.S} dicts, got {len(member_params)}")
        packed = {}
        for name, owner in self.owner.items():
            packed[name] = np.zeros(owner.shape)
            for k, params in enumerate(member_params):
                blocks = self._blocks(name, params[name].shape, k)
                if len(blocks) == 1:
                    packed[name][blocks[0]] = params[name]
                else:  # U | V
                    H = self.model.hidden_size
                    packed[name][blocks[0]] = params[name][:, :H]
                    packed[name][blocks[1]] = params[name][:, H:]
        return packed

    def unpack(self, packed: Arrays) -> list[Arrays]:
        """The packed dict -> one weight dict per member, laid out as ``model.init`` returns them (copies)."""
        shapes = {name: a.shape for name, a in self.model.init(0).items()}
        members = []
        for k in range(self.S):
            params = {}
            for name, shape in shapes.items():
                blocks = self._blocks(name, shape, k)
                params[name] = (
                    np.hstack([packed[name][b] for b in blocks]) if len(blocks) > 1 else packed[name][blocks[0]].copy()
                )
            members.append(params)
        return members

    def init(self) -> Arrays:
        """The packed initial weights: member ``k`` starts from ``model.init(seed_k)``."""
        return self.pack([self.model.init(m.seed) for m in self.members])

    def learning_rates(self) -> Arrays:
        """Adam's per-entry rates: member ``k``'s rate on its entries, 0 between blocks."""
        rates = np.array([m.lr for m in self.members] + [0.0])
        return {name: rates[owner] for name, owner in self.owner.items()}

    # --- forward, backward, clipping -----------------------------------------------------------------

    def _split(self, outputs: np.ndarray) -> list[np.ndarray]:
        return np.split(outputs, self.S, axis=-1)

    def forward(self, packed: Arrays, inputs: Sequence[object]) -> tuple[list[np.ndarray], tuple]:
        """Every member's outputs for its own inputs ((T, B, D) vectors or (T, B) token ids each).

        Returns
        -------
        outputs : list of S arrays, (B, O) or (T, B, O) as ``model.forward`` gives them
        cache : for :meth:`backward`
        """
        if len(inputs) != self.S:
            raise ValueError(f"inputs: expected one batch per member ({self.S}), got {len(inputs)}")
        if self.model.vocab_size is None:
            xs = np.concatenate([self.model.embed({}, x) for x in inputs], axis=-1)
        else:
            E = np.split(packed["E"], self.S, axis=1)
            xs = np.concatenate([self.model.embed({"E": E_k}, x) for E_k, x in zip(E, inputs, strict=True)], axis=-1)
        outputs, cache = self.packed.forward(packed, xs)
        return self._split(outputs), (inputs, cache)

    def backward(self, packed: Arrays, doutputs: Sequence[np.ndarray], cache: tuple) -> Arrays:
        """The packed gradient (zero between blocks) of :math:`\\sum_k L^{(k)}` given each member's dL/d(outputs)."""
        inputs, packed_cache = cache
        grads, dxs = self.packed.backward_to_inputs(packed, np.concatenate(doutputs, axis=-1), packed_cache)
        if self.model.vocab_size is not None:
            dE = np.zeros_like(packed["E"])
            D = self.model.input_size
            for k, (tokens, dx) in enumerate(zip(inputs, np.split(dxs, self.S, axis=-1), strict=True)):
                np.add.at(dE[:, k * D : (k + 1) * D], np.asarray(tokens), dx)
            grads["E"] = dE
        return {name: np.where(owner == self.S, 0.0, grads[name]) for name, owner in self.owner.items()}

    def norms(self, grads: Arrays) -> np.ndarray:
        """Each member's global gradient norm :math:`\\lVert g^{(k)} \\rVert`, shape (S,)."""
        squares = np.zeros(self.S + 1)
        for name, owner in self.owner.items():
            squares += np.bincount(owner.ravel(), weights=(grads[name] ** 2).ravel(), minlength=self.S + 1)
        return np.sqrt(squares[: self.S])

    def clip(self, grads: Arrays, max_norm: float) -> tuple[Arrays, np.ndarray]:
        """Scale member ``k``'s gradient by :math:`\\min(1, \\text{max\\_norm} / \\lVert g^{(k)} \\rVert)`.

        Returns the clipped gradients (new arrays) and the norms before clipping, (S,).
        """
        norms = self.norms(grads)
        scale = np.append(np.minimum(1.0, max_norm / np.where(norms > 0, norms, 1.0)), 0.0)
        return {name: g * scale[self.owner[name]] for name, g in grads.items()}, norms

    # --- one optimisation step, and the result ------------------------------------------------------

    def update(
        self,
        packed: Arrays,
        optimizer: Adam,
        scored: Sequence[tuple[float, np.ndarray]],
        cache: tuple,
        step: int,
        max_norm: float | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One step for every member from its ``(loss, dL/d(outputs))``: backward, clip, ``optimizer.step``.

        Raises ``FloatingPointError`` naming the members whose loss is not finite. Returns the losses and the
        gradient norms before clipping, each (S,).
        """
        losses = np.array([loss for loss, _ in scored])
        if not np.all(np.isfinite(losses)):
            bad = [
                f"seed {m.seed}, lr {m.lr}"
                for m, loss in zip(self.members, losses, strict=True)
                if not np.isfinite(loss)
            ]
            raise FloatingPointError(
                f"loss became non-finite at step {step} for {bad}; lower the learning rate or max_norm"
            )
        grads = self.backward(packed, [d for _, d in scored], cache)
        if max_norm is None:
            norms = self.norms(grads)
        else:
            grads, norms = self.clip(grads, max_norm)
        optimizer.step(packed, grads)
        return losses, norms

    def runs(self, packed: Arrays, losses: np.ndarray, norms: np.ndarray, seconds: float) -> list[Run]:
        """The trained members: their weights unpacked, their losses and norms (steps, S) split per member."""
        return [
            Run(
                m.seed,
                m.lr,
                params,
                History(losses=losses[:, k].copy(), grad_norms=norms[:, k].copy(), seconds=seconds),
            )
            for k, (m, params) in enumerate(zip(self.members, self.unpack(packed), strict=True))
        ]


def train_ensemble(
    model: SequenceModel,
    loss_fn: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]],
    next_batch: Callable[[int, int], tuple[Any, Any]],
    *,
    members: Sequence[Member],
    steps: int,
    max_norm: float | None = 1.0,
    desc: str = "training",
    progress: bool = True,
) -> list[Run]:
    """Train every member with Adam, side by side, as :func:`rnnlab.train.train` would train each alone.

    Parameters
    ----------
    model : SequenceModel
    loss_fn : (outputs, targets) -> (mean loss, dL/d(outputs)), e.g. :func:`rnnlab.train.mse`
    next_batch : (step, seed) -> (inputs, targets), member ``k``'s batch at ``step`` (seed it by both)
    members : sequence of :class:`Member`
    steps : int, optimisation steps
    max_norm : float or None, per-member clipping threshold (None: no clipping)
    desc, progress : the ``tqdm`` progress bar's label, and whether to show it

    Returns
    -------
    list of :class:`Run`, one per member, in the order given
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps: expected a positive int, got {steps!r}")
    ensemble = Ensemble(model, members)
    S = ensemble.S
    packed = ensemble.init()
    optimizer = Adam(lr=ensemble.learning_rates())
    losses, norms = np.empty((steps, S)), np.empty((steps, S))
    start = time.perf_counter()
    bar = tqdm(range(steps), desc=desc, disable=not progress, mininterval=0.5)
    for step in bar:
        batches = [next_batch(step, m.seed) for m in ensemble.members]
        outputs, cache = ensemble.forward(packed, [inputs for inputs, _ in batches])
        scored = [loss_fn(y_hat, target) for y_hat, (_, target) in zip(outputs, batches, strict=True)]
        losses[step], norms[step] = ensemble.update(packed, optimizer, scored, cache, step, max_norm)
        if step % 25 == 0 or step == steps - 1:
            bar.set_postfix(loss=f"{losses[step].mean():.4f}", refresh=False)
    bar.close()
    return ensemble.runs(packed, losses, norms, time.perf_counter() - start)
