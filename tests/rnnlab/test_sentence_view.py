"""The sentence view: a typed review goes through the trained classifier word by word; the verdict is the
model's own forward pass, every gate shown is rnnlab's step, and unknown words are named and skipped."""

from __future__ import annotations

import re

import numpy as np
import pytest

import rnnlab
from rnnlab import tasks
from rnnlab.explainer.sentence import GATES_OF, SentenceExplainer, words_of
from rnnlab.kinds import cell_kind
from rnnlab.models import SequenceModel
from rnnlab.train import Adam, bce_with_logits, train

REVIEWS = tasks.toy_reviews(n=400, length=12, seed=0)


@pytest.fixture(scope="module", params=["rnn", "lstm", "gru"])
def trained(request):
    model = SequenceModel(request.param, input_size=4, hidden_size=6, vocab_size=len(REVIEWS.vocab))
    weights = model.init(seed=0)

    def batch(step):
        rows = np.random.default_rng(step).integers(0, REVIEWS.labels.size, 16)
        return REVIEWS.tokens[:, rows], REVIEWS.labels[rows, None]

    train(model.loss_and_grads(bce_with_logits), weights, batch, steps=60, optimizer=Adam(lr=0.02), progress=False)
    return model, weights


def test_the_verdict_is_the_models_forward_pass_and_the_gates_are_rnnlabs_steps(trained):
    model, weights = trained
    view = SentenceExplainer(model, weights, REVIEWS.vocab)
    try:
        for text in ("the plot was not bad", "Boring, AWFUL film!", "great"):
            view.controls["text"].value = text
            tokens = np.array([[REVIEWS.vocab.index(w)] for w in words_of(text)])
            logit, _ = model.forward(weights, tokens)
            expected = float(rnnlab.sigmoid(logit[0, 0]))
            assert view.probability == pytest.approx(expected, abs=1e-12), f"{text!r}: {view.probability} vs {expected}"
            shown = re.search(r'class="rnnlab-verdict" data-value="([^"]+)"', view.views["verdict"].value)
            assert float(shown[1]) == view.probability
            kind, cell = cell_kind(model.kind), model.cell(weights)
            state = [np.zeros(model.hidden_size) for _ in kind.states]
            for t, token in enumerate(tokens[:, 0]):
                step = kind.step(weights["E"][token], *state, cell)
                state = [getattr(step, name) for name in kind.states]
                for gate in GATES_OF[model.kind]:
                    assert np.array_equal(view.gates[gate][t], getattr(step, gate)), f"{text!r}: {gate} at word {t}"
            assert set(view.gates) == set(GATES_OF[model.kind])
    finally:
        view.close()


def test_unknown_words_are_named_and_skipped(trained):
    model, weights = trained
    view = SentenceExplainer(model, weights, REVIEWS.vocab, text="the zebra was good")
    try:
        assert view.words == ["the", "was", "good"] and view.unknown == ["zebra"]
        assert "skipped: zebra" in view.views["verdict"].value
        view.controls["text"].value = "zebra"
        assert view.probability is None and "No word the model knows" in view.views["verdict"].value
        assert all(g.shape == (0, model.hidden_size) for g in view.gates.values())
    finally:
        view.close()


def test_bad_models_are_refused(trained):
    model, weights = trained
    with pytest.raises(ValueError, match="vocab"):
        SentenceExplainer(model, weights, REVIEWS.vocab[:-1])
    with pytest.raises(ValueError, match="vocab_size"):
        SentenceExplainer(SequenceModel("gru", input_size=2, hidden_size=3), weights, REVIEWS.vocab)
    with pytest.raises(ValueError, match="output_size"):
        wide = SequenceModel("gru", input_size=4, hidden_size=6, output_size=2, vocab_size=len(REVIEWS.vocab))
        SentenceExplainer(wide, wide.init(0), REVIEWS.vocab)
