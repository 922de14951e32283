"""Sampling the next token from a language model's logits, with a temperature.

Given a uniform number ``u`` in [0, 1), :func:`sample_next` picks the token by inverse-CDF sampling, so the
same ``u`` always gives the same token (the exercise's checks rely on that; a caller draws ``u`` from its own
seeded generator).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array


def softmax_with_temperature(logits: object, temperature: float) -> np.ndarray:
    """Probabilities of every token, :math:`\\operatorname{softmax}(s / \\tau)`, over the last axis.

    .. math:: p_j = \\frac{e^{(s_j - m) / \\tau}}{\\sum_k e^{(s_k - m) / \\tau}}, \\qquad m = \\max_k s_k

    Subtracting the largest logit changes nothing mathematically and keeps ``exp`` from overflowing.

    Parameters
    ----------
    logits : array (V,) or (B, V)
        Scores :math:`s` of the V tokens (each row one distribution).
    temperature : float > 0
        :math:`\\tau`: below 1 sharpens the distribution, above 1 flattens it.

    Returns
    -------
    p : array shaped like ``logits``, each row summing to 1
    """
    logits = as_float_array("logits", logits)
    if logits.ndim not in (1, 2) or logits.shape[-1] < 1:
        raise ValueError(f"logits: expected shape (V,) or (B, V), got {logits.shape}")
    if not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature: expected a positive finite number, got {temperature!r}")
    scaled = (logits - logits.max(axis=-1, keepdims=True)) / temperature
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


def sample_next(logits: object, temperature: float, u: float) -> int:
    """The token drawn by inverse-CDF sampling: the first index whose cumulative probability exceeds ``u``.

    .. math:: j = \\min\\{\\, j : \\textstyle\\sum_{k \\le j} p_k > u \\,\\},
              \\qquad p = \\operatorname{softmax}(s / \\tau)

    With ``u`` uniform in [0, 1), token ``j`` comes out with probability :math:`p_j`.

    Parameters
    ----------
    logits : array (V,)
    temperature : float > 0
    u : float in [0, 1)

    Returns
    -------
    int in [0, V)
    """
    if not 0 <= u < 1:
        raise ValueError(f"u: expected a number in [0, 1), got {u!r}")
    p = softmax_with_temperature(logits, temperature)
    if p.ndim != 1:
        raise ValueError(f"logits: expected shape (V,), got {p.shape}")
    cumulative = np.cumsum(p)
    # rounding can leave the last cumulative sum a hair below 1: never index past the last token
    return int(min(np.searchsorted(cumulative, u, side="right"), len(p) - 1))
