"""rnnlab.ensemble_stream: truncated BPTT for S members packed side by side equals each member trained
alone with train(), CarriedState and stream_windows."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.ensemble import Member
from rnnlab.ensemble_stream import train_ensemble_stream
from rnnlab.models import SequenceModel
from rnnlab.train import Adam, mse, train
from rnnlab.truncated import CarriedState, stream_windows

MEMBERS = (Member(seed=0, lr=0.01), Member(seed=5, lr=0.03), Member(seed=2, lr=0.003))


def stream(seed: int):
    rng = np.random.default_rng(seed)
    xs = rng.uniform(-1, 1, (23, 4, 2))
    ys = np.zeros((23, 4, 1))
    ys[2:] = xs[:-2, :, :1]
    return xs, ys


@pytest.mark.parametrize("max_norm", [0.05, None], ids=["clipped", "unclipped"])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_pack_equals_members_trained_alone(kind, max_norm):
    model = SequenceModel(kind, input_size=2, hidden_size=4, readout="all")
    steps, window = 11, 5  # 5 windows per stream (the last one short), so the stream restarts twice
    runs = train_ensemble_stream(
        model, mse, stream, members=MEMBERS, window=window, steps=steps, max_norm=max_norm, progress=False
    )
    for member, run in zip(MEMBERS, runs, strict=True):
        alone = model.init(member.seed)
        history = train(
            CarriedState(model, mse),
            alone,
            stream_windows(*stream(member.seed), window),
            steps=steps,
            optimizer=Adam(lr=member.lr),
            max_norm=max_norm,
            progress=False,
        )
        np.testing.assert_allclose(run.history.losses, history.losses, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(run.history.grad_norms, history.grad_norms, rtol=1e-9, atol=1e-12)
        for name, value in alone.items():
            np.testing.assert_allclose(run.params[name], value, rtol=1e-8, atol=1e-10)


def test_it_checks_its_arguments():
    with pytest.raises(ValueError, match="readout"):
        train_ensemble_stream(SequenceModel("rnn", 2, 3), mse, stream, members=MEMBERS, window=3, steps=2)
    model = SequenceModel("rnn", 2, 3, readout="all")
    with pytest.raises(ValueError, match="steps"):
        train_ensemble_stream(model, mse, stream, members=MEMBERS, window=3, steps=0)

    def uneven(seed):
        xs, ys = stream(seed)
        return (xs, ys) if seed else (xs[:-1], ys[:-1])

    with pytest.raises(ValueError, match="stream"):
        train_ensemble_stream(model, mse, uneven, members=MEMBERS, window=3, steps=2)
