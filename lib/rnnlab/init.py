"""Initialisations of the recurrent weights that the training-practice chapter compares.

:func:`orthogonal` draws a random orthogonal matrix (Saxe et al. 2014 recommend orthogonal recurrent
weights); :func:`with_orthogonal_recurrent` puts one into the recurrent block :math:`U_*` of every gate of
a model's weights, leaving the input block :math:`V_*` and the biases as they were.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._checks import positive_int


def orthogonal(n: int, seed: int = 0, gain: float = 1.0) -> np.ndarray:
    """A random ``(n, n)`` orthogonal matrix times ``gain``: the QR factor of a Gaussian matrix, signs fixed.

    .. math:: A = Q R, \\quad A_{ij} \\sim \\mathcal N(0, 1), \\qquad
              Q \\leftarrow Q \\operatorname{diag}(\\operatorname{sign} R_{11}, \\dots, \\operatorname{sign} R_{nn})

    The sign fix makes the diagonal of :math:`R` positive, so the factorisation is unique and :math:`Q` is
    uniformly distributed over the orthogonal matrices (without it, the distribution depends on the QR
    routine's convention). Every singular value of the result equals ``gain``.

    Parameters
    ----------
    n : int, the size
    seed : int, for ``numpy.random.default_rng``
    gain : float, positive; the common value of the singular values

    Returns
    -------
    array (n, n)
    """
    n = positive_int("n", n)
    if not np.isfinite(gain) or gain <= 0:
        raise ValueError(f"gain: expected a positive finite number, got {gain!r}")
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1.0
    return gain * q * signs


def with_orthogonal_recurrent(
    params: Mapping[str, np.ndarray], hidden_size: int, seed: int = 0, gain: float = 1.0
) -> dict[str, np.ndarray]:
    """A copy of ``params`` whose every cell weight ``W_*`` has an orthogonal recurrent block :math:`U_*`.

    .. math:: W_* = [U_* \\mid V_*] \\;\\to\\; [\\,\\text{gain} \\cdot Q_* \\mid V_*\\,]

    A cell weight is an entry named ``"W"`` or ``"W_<gate>"`` of shape ``(H, H + D)`` (the readout ``W_y``
    is left alone); each gets its own :func:`orthogonal` matrix, drawn from ``seed`` in the order of the
    names.

    Parameters
    ----------
    params : dict of name to array, e.g. from :meth:`rnnlab.models.SequenceModel.init`
    hidden_size : int, ``H``
    seed : int
    gain : float, the singular value of every :math:`U_*`

    Returns
    -------
    dict of new arrays (the input is not changed)
    """
    H = positive_int("hidden_size", hidden_size)
    names = sorted(name for name in params if (name == "W" or name.startswith("W_")) and name != "W_y")
    if not names:
        raise ValueError(f"params: expected cell weights named 'W' or 'W_<gate>', got {sorted(params)}")
    seeds = np.random.SeedSequence(seed).generate_state(len(names))
    out = {name: np.array(array, dtype=float) for name, array in params.items()}
    for name, s in zip(names, seeds, strict=True):
        W = out[name]
        if W.ndim != 2 or W.shape[0] != H or W.shape[1] <= H:
            raise ValueError(f"params[{name!r}]: expected shape ({H}, {H} + D), got {W.shape}")
        W[:, :H] = orthogonal(H, seed=int(s), gain=gain)
    return out
