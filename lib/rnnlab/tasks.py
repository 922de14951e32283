"""Small synthetic data sets that need memory, generated in code and deterministic for a seed.

- :func:`adding_problem`: add the two marked numbers of a long sequence (Hochreiter and Schmidhuber 1997).
- :func:`noisy_periodic`: forecast a periodic signal from noisy observations.
- :func:`toy_reviews`: a tiny "movie review" sentiment set built from a small vocabulary, with negation.

All inputs are time-major, like every rnnlab sequence: ``(T, B, D)`` for numbers, ``(T, B)`` for tokens.
"""

from __future__ import annotations

import dataclasses

import numpy as np


def _count(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value!r}")
    return int(value)


def adding_problem(n: int, lag: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem: a sequence of numbers, two of them marked; the target is their sum.

    Each of the ``T = lag`` steps carries two inputs: a number drawn from ``uniform(0, 1)`` and a marker
    (0 or 1). One marker lies in the first half of the sequence and one in the second half, so the
    first marked number must be carried for at least ``lag / 2`` steps. Always predicting the mean,
    1, gives a mean squared error of 1/6 (the variance of a sum of two uniforms).

    Parameters
    ----------
    n : int, number of sequences B
    lag : int >= 2, sequence length T
    seed : int

    Returns
    -------
    xs : array (T, B, 2), time-major; ``xs[..., 0]`` the numbers, ``xs[..., 1]`` the markers
    y : array (B, 1), the sum of the two marked numbers
    """
    B, T = _count("n", n), _count("lag", lag, 2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, (T, B))
    first = rng.integers(0, T // 2, B)
    second = rng.integers(T // 2, T, B)
    markers = np.zeros((T, B))
    columns = np.arange(B)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    y = (values[first, columns] + values[second, columns])[:, None]
    return np.stack([values, markers], axis=-1), y


def periodic_signal(t: np.ndarray, period: float) -> np.ndarray:
    """The clean signal :math:`s(t) = \\sin(2\\pi t / P) + \\tfrac12 \\sin(4\\pi t / P + 1)`."""
    phase = 2 * np.pi * np.asarray(t, dtype=float) / period
    return np.sin(phase) + 0.5 * np.sin(2 * phase + 1.0)


def noisy_periodic(
    n: int, length: int, *, period: float = 16.0, noise: float = 0.3, horizon: int = 1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Windows of a noisy periodic series and, at every step, the clean value ``horizon`` steps ahead.

    Each window starts at a random time, so its phase is unknown and must be inferred from the noisy
    observations :math:`u_t = s(t) + \\epsilon_t`, :math:`\\epsilon_t \\sim \\mathcal N(0, \\text{noise}^2)`
    (:func:`periodic_signal` gives :math:`s`). Predicting :math:`s(t + \\text{horizon})` from
    :math:`u_t` alone is impossible (the same value occurs on the rising and the falling side), so a
    model needs memory of earlier steps; averaging them also removes noise.

    Parameters
    ----------
    n : int, number of windows B
    length : int, steps per window T
    period, noise : float
    horizon : int >= 1
    seed : int

    Returns
    -------
    xs : array (T, B, 1), the noisy observations
    ys : array (T, B, 1), the clean signal ``horizon`` steps after each observation
    """
    B, T, k = _count("n", n), _count("length", length), _count("horizon", horizon)
    if not period > 1 or not noise >= 0:
        raise ValueError(f"period, noise: expected period > 1 and noise >= 0, got {period!r}, {noise!r}")
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, 10 * period, B)[None, :] + np.arange(T)[:, None]
    xs = periodic_signal(t, period) + noise * rng.standard_normal((T, B))
    ys = periodic_signal(t + k, period)
    return xs[..., None], ys[..., None]


POSITIVE = ("good", "great", "fun", "moving", "superb", "charming")
NEGATIVE = ("bad", "dull", "boring", "awful", "weak", "clumsy")
NEGATION = "not"
FILLER = ("the", "film", "plot", "was", "acting", "and", "story", "a", "very", "this", "cast", "ending", "is", "it")
VOCAB = (*FILLER, NEGATION, *POSITIVE, *NEGATIVE)


@dataclasses.dataclass(frozen=True)
class Reviews:
    """A toy sentiment data set: ``tokens`` (T, B) ints into ``vocab``, ``labels`` (B,) 1.0 = positive."""

    tokens: np.ndarray
    labels: np.ndarray
    vocab: tuple[str, ...]

    def words(self, i: int) -> list[str]:
        """Review ``i`` as a list of words."""
        return [self.vocab[k] for k in self.tokens[:, i]]

    def text(self, i: int) -> str:
        """Review ``i`` as one string."""
        return " ".join(self.words(i))


def toy_reviews(n: int, length: int = 12, seed: int = 0) -> Reviews:
    """Reviews of exactly ``length`` words: filler words plus one or three sentiment phrases.

    A phrase is a positive or negative word, or ``not`` followed by one (which flips its polarity).
    The label is 1 when the phrases' polarities sum to more than zero; an odd number of phrases means
    there are no ties. Exactly half of the reviews are positive (``n`` must be even), in random order.
    Reading left to right, a model must remember each polarity until the end and carry ``not`` one step.

    Parameters
    ----------
    n : int, even, number of reviews B
    length : int >= 6, words per review T
    seed : int

    Returns
    -------
    Reviews
    """
    B, T = _count("n", n, 2), _count("length", length, 6)
    if B % 2:
        raise ValueError(f"n: expected an even number (half the reviews are positive), got {B}")
    rng = np.random.default_rng(seed)
    index = {word: k for k, word in enumerate(VOCAB)}
    labels = rng.permutation(np.repeat([0.0, 1.0], B // 2))
    tokens = np.empty((T, B), dtype=np.int64)
    for b, label in enumerate(labels):
        polarities = _polarities(rng, positive=label == 1.0)
        phrases = []
        for polarity in polarities:
            negated = rng.random() < 0.3
            pool = POSITIVE if (polarity > 0) != negated else NEGATIVE
            word = pool[rng.integers(len(pool))]
            phrases.append([NEGATION, word] if negated else [word])
        n_filler = T - sum(len(p) for p in phrases)
        chunks = phrases + [[FILLER[k]] for k in rng.integers(len(FILLER), size=n_filler)]
        words = [w for i in rng.permutation(len(chunks)) for w in chunks[i]]
        tokens[:, b] = [index[w] for w in words]
    return Reviews(tokens=tokens, labels=labels, vocab=VOCAB)


def _polarities(rng: np.random.Generator, positive: bool) -> np.ndarray:
    """One or three polarities (+1/-1) whose sum has the wanted sign."""
    while True:
        polarities = rng.choice([-1, 1], size=rng.choice([1, 3]))
        if (polarities.sum() > 0) == positive:
            return polarities
