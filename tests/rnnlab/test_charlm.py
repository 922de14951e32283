"""rnnlab.charlm: the character-level language model's data, loss, sampling, training and unit analysis."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab import charlm
from rnnlab.gradcheck import numerical_gradient
from rnnlab.models import SequenceModel


def char_model(kind: str, V: int, D: int, H: int) -> SequenceModel:
    return SequenceModel(kind, input_size=D, hidden_size=H, output_size=V, vocab_size=V, readout="all")


TEXT = "From fairest creatures we desire increase,\nThat thereby beauty's rose might never die,\n"


def test_the_sonnets_are_all_there_in_the_documented_layout():
    text = charlm.load_sonnets()
    sonnets = text.rstrip("\n").split("\n\n")
    assert len(sonnets) == 154
    assert [s.split("\n")[0] for s in sonnets[:4]] == ["I", "II", "III", "IV"] and sonnets[-1].startswith("CLIV\n")
    lengths = {k + 1: len(s.split("\n")) - 1 for k, s in enumerate(sonnets)}
    assert {n for n, count in lengths.items() if count != 14} == {99, 126}
    assert text.isascii() and text.endswith(".\n") and 50_000 < len(text) < 100_000


def test_vocabulary_round_trip_and_errors():
    vocab = charlm.Vocabulary.from_text(TEXT)
    assert vocab.chars == "".join(sorted(set(TEXT))) and vocab.size == len(set(TEXT))
    ids = vocab.encode(TEXT)
    assert ids.shape == (len(TEXT),) and vocab.decode(ids) == TEXT
    assert vocab.decode(ids.reshape(-1, 1)) == TEXT  # any shape, read in order
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("Zebra")
    with pytest.raises(ValueError, match="ids"):
        vocab.decode([vocab.size])
    with pytest.raises(ValueError, match="chars"):
        charlm.Vocabulary("aa")


def test_random_windows_targets_are_the_inputs_shifted_by_one():
    ids = np.arange(100)
    inputs, targets = charlm.random_windows(ids, T=7, B=5, seed=3)
    assert inputs.shape == targets.shape == (7, 5)
    np.testing.assert_array_equal(targets, inputs + 1)  # ids are positions, so the next one is +1
    np.testing.assert_array_equal(inputs[1:], targets[:-1])
    again, _ = charlm.random_windows(ids, T=7, B=5, seed=3)
    np.testing.assert_array_equal(inputs, again)
    assert not np.array_equal(inputs, charlm.random_windows(ids, T=7, B=5, seed=4)[0])
    with pytest.raises(ValueError, match="T"):
        charlm.random_windows(ids, T=100, B=5, seed=0)
    with pytest.raises(ValueError, match="B"):
        charlm.random_windows(ids, T=5, B=0, seed=0)
    with pytest.raises(ValueError, match="ids"):
        charlm.random_windows(np.ones((3, 4), dtype=int), T=2, B=1, seed=0)


def test_consecutive_windows_cover_the_text_in_order():
    ids = np.arange(23)
    inputs, targets = charlm.consecutive_windows(ids, T=5)
    assert inputs.shape == (5, 4)
    np.testing.assert_array_equal(inputs.T.ravel(), np.arange(20))
    np.testing.assert_array_equal(targets, inputs + 1)


def test_softmax_cross_entropy_value_and_gradient_match_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((3, 2, 5)) * 3
    targets = rng.integers(0, 5, (3, 2))
    loss, dlogits = charlm.softmax_cross_entropy(logits, targets)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    by_hand = -np.mean(np.log(np.take_along_axis(p, targets[..., None], -1)))
    assert loss == pytest.approx(by_hand, rel=1e-12), f"ours {loss} vs by hand {by_hand}"
    numeric = numerical_gradient(lambda s: charlm.softmax_cross_entropy(s, targets)[0], logits.copy())
    np.testing.assert_allclose(dlogits, numeric, rtol=1e-6, atol=1e-9, err_msg="ours vs finite differences")
    big, _ = charlm.softmax_cross_entropy(logits * 1e4, targets)  # no overflow for large logits
    assert np.isfinite(big)


def test_softmax_cross_entropy_rejects_bad_targets():
    with pytest.raises(ValueError, match="targets: expected shape"):
        charlm.softmax_cross_entropy(np.zeros((3, 4)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="targets: expected integer ids"):
        charlm.softmax_cross_entropy(np.zeros((3, 4)), np.array([0, 1, 4]))
    with pytest.raises(ValueError, match="targets: expected integer ids"):
        charlm.softmax_cross_entropy(np.zeros((3, 4)), np.array([0.0, 1.0, 2.0]))


def test_temperature_limits():
    logits = np.array([0.3, 2.0, -1.0, 1.9])
    np.testing.assert_array_equal(charlm.temperature_probabilities(logits, 0), [0, 1, 0, 0])
    np.testing.assert_allclose(charlm.temperature_probabilities(logits, 1e-3), [0, 1, 0, 0], atol=1e-40)
    np.testing.assert_allclose(charlm.temperature_probabilities(logits, 1.0), charlm.softmax(logits))
    np.testing.assert_allclose(charlm.temperature_probabilities(logits, 1e6), np.full(4, 0.25), atol=1e-6)
    for tau in (0.0, 1e-3):  # tau -> 0 draws the argmax, whatever the random number
        assert {charlm.draw(charlm.temperature_probabilities(logits, tau), u) for u in (0.0, 0.5, 0.999)} == {1}
    for bad in (-0.5, float("nan"), "1"):
        with pytest.raises(ValueError, match="tau"):
            charlm.temperature_probabilities(logits, bad)


def test_drawing_on_an_even_grid_of_u_reproduces_the_distribution_exactly():
    # Inverse-CDF sampling: u on the grid (j + 1/2) / n lands in id k exactly for the fraction p_k of the
    # grid, to within one grid step, so no statistical test is needed.
    logits, tau, n = np.array([1.0, -0.5, 2.0, 0.0, 0.7]), 0.8, 10_000
    p = charlm.temperature_probabilities(logits, tau)
    counts = np.bincount([charlm.draw(p, (j + 0.5) / n) for j in range(n)], minlength=p.size)
    assert np.max(np.abs(counts / n - p)) <= 1 / n, f"ours {counts / n} vs softmax(logits / tau) {p}"


def test_sample_is_seeded_and_draws_from_the_model():
    vocab = charlm.Vocabulary.from_text(TEXT)
    model = char_model("gru", vocab.size, D=4, H=6)
    params = model.init(seed=1)
    first = charlm.sample(model, params, vocab, "Th", 30, tau=1.0, seed=5)
    assert len(first) == 30 and set(first) <= set(vocab.chars)
    assert first == charlm.sample(model, params, vocab, "Th", 30, tau=1.0, seed=5)
    # the first character drawn is the inverse-CDF draw of the first random number from the seed
    logits, _ = model.forward(params, vocab.encode("Th")[:, None])
    u = np.random.default_rng(5).random()
    expected = charlm.draw(charlm.temperature_probabilities(logits[-1, 0], 1.0), u)
    assert first[0] == vocab.chars[expected]
    # tau = 0 writes the argmax after each character: the same text from any seed
    greedy = charlm.sample(model, params, vocab, "Th", 20, tau=0, seed=1)
    assert greedy == charlm.sample(model, params, vocab, "Th", 20, tau=0, seed=2)
    with pytest.raises(ValueError, match="prompt"):
        charlm.sample(model, params, vocab, "", 5, tau=1.0, seed=0)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_trace_passage_replays_the_fused_forward(kind):
    vocab = charlm.Vocabulary.from_text(TEXT)
    model = char_model(kind, vocab.size, D=3, H=5)
    params = model.init(seed=2)
    ids = vocab.encode(TEXT[:20])
    trace = charlm.trace_passage(model, params, ids)
    assert set(trace) == set(charlm.QUANTITIES[kind]) and all(a.shape == (20, 5) for a in trace.values())
    hs, _ = model.states(params, ids[:, None])
    np.testing.assert_allclose(trace["h"], hs[:, 0], rtol=1e-12, atol=1e-14)


def test_training_in_chunks_equals_one_run_and_scores_the_heldout_text():
    vocab = charlm.Vocabulary.from_text(TEXT)
    ids = vocab.encode(TEXT)
    model = char_model("lstm", vocab.size, D=3, H=4)
    heldout = charlm.consecutive_windows(ids[:41], T=10)
    settings = dict(seed=3, lr=0.01, steps=7, T=8, B=2)
    chunked = charlm.train_char_model(model, ids, heldout, eval_every=3, **settings)
    whole = charlm.train_char_model(model, ids, heldout, eval_every=7, **settings)
    for name in whole.params:
        np.testing.assert_allclose(chunked.params[name], whole.params[name], rtol=1e-12, atol=1e-15, err_msg=name)
    np.testing.assert_array_equal(chunked.eval_steps, [3, 6, 7])
    assert chunked.heldout_bits[-1] == pytest.approx(charlm.bits_per_character(model, whole.params, *heldout))
    assert chunked.losses.shape == (7,)
    with pytest.raises(ValueError, match="readout"):
        charlm.train_char_model(
            SequenceModel("rnn", input_size=3, hidden_size=4, output_size=vocab.size, vocab_size=vocab.size),
            ids, heldout, eval_every=3, **settings,
        )  # fmt: skip


def test_text_features_and_best_units():
    text = "ab c\nde, f\n"
    features = charlm.text_features(text)
    np.testing.assert_array_equal(features["position in line"], [1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 0])
    np.testing.assert_array_equal(features["newline next"], [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0])
    np.testing.assert_array_equal(features["space read"], [0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0])
    np.testing.assert_array_equal(features["punctuation read"], [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    rng = np.random.default_rng(0)
    position = features["position in line"]
    h = rng.standard_normal((len(text), 3))
    h[:, 2] = -2 * position + 1  # a perfect (negative) counter in unit 2
    c = np.zeros((len(text), 3))  # constant units correlate 0, without a warning
    matches = {m.feature: m for m in charlm.best_units({"c": c, "h": h}, {"position in line": position})}
    assert matches["position in line"] == charlm.UnitMatch("position in line", "h", 2, pytest.approx(-1.0))
    np.testing.assert_array_equal(charlm.correlations(c, position), np.zeros(3))
