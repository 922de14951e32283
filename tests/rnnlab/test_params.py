"""Parameter records: construction, sizes, equality, random initialisation, replace, count_params.

Error paths (wrong shapes, types, non-finite values, immutability) are in test_errors.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab import GRUParams, LSTMParams, RNNParams, count_params

CLASSES = {"rnn": RNNParams, "lstm": LSTMParams, "gru": GRUParams}
FIELDS = {
    "rnn": ["W", "b"],
    "lstm": ["W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o"],
    "gru": ["W_r", "W_z", "W_h", "b_r", "b_z", "b_h"],
}


@pytest.mark.parametrize("kind", CLASSES)
def test_construct_from_lists_gives_read_only_float64(kind):
    D, H = 2, 3
    fields = {
        name: (np.arange(H * (H + D)).reshape(H, H + D) if name.startswith("W") else list(range(H)))
        for name in FIELDS[kind]
    }
    p = CLASSES[kind](**{name: np.asarray(v).tolist() for name, v in fields.items()})
    assert (p.input_size, p.hidden_size) == (D, H), f"ours (D, H) = {(p.input_size, p.hidden_size)} vs {(D, H)}"
    for name, value in fields.items():
        array = getattr(p, name)
        assert array.dtype == np.float64, f"{name}: ours {array.dtype} vs float64"
        assert not array.flags.writeable, f"{name} should be read-only"
        np.testing.assert_array_equal(array, value, err_msg=f"{name}: ours vs input")
    assert p.kind == kind, f"kind: ours {p.kind!r} vs {kind!r}"


def test_integer_arrays_are_accepted_and_converted():
    p = RNNParams(W=np.ones((2, 3), dtype=np.int32), b=np.zeros(2, dtype=np.int64))
    assert p.W.dtype == np.float64 and p.b.dtype == np.float64, f"ours {p.W.dtype}, {p.b.dtype} vs float64"


@pytest.mark.parametrize("kind", CLASSES)
def test_arrays_lists_every_field_in_order(kind):
    p = CLASSES[kind].random(2, 3)
    expected = [n for n in FIELDS[kind] if n.startswith("W")] + [n for n in FIELDS[kind] if n.startswith("b")]
    assert list(p.arrays()) == expected, f"ours {list(p.arrays())} vs {expected}"


def test_gru_b_hn_is_optional_and_listed_only_when_set():
    p = GRUParams.random(2, 3)
    assert p.b_hn is None and "b_hn" not in p.arrays(), f"ours b_hn={p.b_hn}, fields {list(p.arrays())}"
    q = p.replace(b_hn=[0.1, 0.2, 0.3])
    assert list(q.arrays())[-1] == "b_hn", f"ours {list(q.arrays())}"
    np.testing.assert_array_equal(q.b_hn, [0.1, 0.2, 0.3], err_msg="b_hn: ours vs input")
    assert not q.b_hn.flags.writeable, "b_hn should be read-only"
    assert q.replace(b_hn=None).b_hn is None, "replace(b_hn=None) should drop b_hn"


def test_replace_makes_a_new_validated_object_and_leaves_the_old_one():
    p = LSTMParams.random(2, 3, seed=1)
    before = np.array(p.b_f)
    q = p.replace(b_f=np.ones(3))
    np.testing.assert_array_equal(q.b_f, np.ones(3), err_msg="replaced b_f")
    np.testing.assert_array_equal(p.b_f, before, err_msg="the original must not change")
    np.testing.assert_array_equal(q.W_o, p.W_o, err_msg="untouched fields are kept")
    with pytest.raises(ValueError, match="b_f"):
        p.replace(b_f=np.ones(4))


def test_equality_compares_type_and_every_number():
    p = GRUParams.random(2, 3, seed=2)
    assert p == p.replace(), "a copy must equal the original"
    assert p != p.replace(b_z=p.b_z + 1e-12), "one changed number must make them differ"
    assert p != p.replace(b_hn=np.zeros(3)), "b_hn None is not the same record as b_hn zeros"
    assert p != LSTMParams.random(2, 3, seed=2), "a GRUParams never equals an LSTMParams"
    assert p != "GRUParams", "params never equal a string"
    assert RNNParams.random(2, 3) != RNNParams.random(2, 4), "different sizes must differ"
    with pytest.raises(TypeError):
        hash(p)


@pytest.mark.parametrize("kind", CLASSES)
def test_zeros_like(kind):
    p = CLASSES[kind].random(3, 2)
    if kind == "gru":
        p = p.replace(b_hn=np.ones(2))
    zeros = CLASSES[kind].zeros_like(p)
    assert list(zeros.arrays()) == list(p.arrays()), f"ours {list(zeros.arrays())} vs {list(p.arrays())}"
    for name, array in zeros.arrays().items():
        np.testing.assert_array_equal(array, np.zeros_like(getattr(p, name)), err_msg=name)


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize(("D", "H"), [(1, 1), (3, 5), (6, 2)])
def test_random_shapes_bounds_and_seed(kind, D, H):
    p = CLASSES[kind].random(D, H, seed=7)
    bound = 1.0 / np.sqrt(H)
    for name, array in p.arrays().items():
        expected = (H, H + D) if name.startswith("W") else (H,)
        assert array.shape == expected, f"{name}: ours {array.shape} vs {expected}"
        assert np.all(np.abs(array) <= bound), f"{name}: max |w| ours {np.abs(array).max()} vs bound {bound}"
    assert CLASSES[kind].random(D, H, seed=7) == p, "the same seed must give the same weights"
    assert CLASSES[kind].random(D, H, seed=8) != p, "another seed must give other weights"
    assert CLASSES[kind].random(np.int64(D), np.int32(H), seed=7) == p, "numpy integers are sizes too"
    if kind == "gru":
        assert p.b_hn is None, f"random GRU b_hn: ours {p.b_hn} vs None"


def test_random_is_uniform_over_the_whole_interval():
    """PyTorch's init: uniform(-1/sqrt(H), 1/sqrt(H)); with many draws the extremes come close to the bound."""
    H = 16
    W = LSTMParams.random(20, H, seed=0).W_f
    bound = 1.0 / np.sqrt(H)
    assert W.max() > 0.95 * bound and W.min() < -0.95 * bound, f"ours [{W.min()}, {W.max()}] vs +-{bound}"
    assert abs(W.mean()) < 0.05 * bound, f"mean ours {W.mean()} vs 0"


@pytest.mark.parametrize("kind", CLASSES)
@pytest.mark.parametrize(("D", "H"), [(1, 1), (3, 3), (10, 7)])
def test_count_params_equals_the_number_of_entries(kind, D, H):
    entries = sum(a.size for a in CLASSES[kind].random(D, H).arrays().values())
    ours = count_params(kind, D, H)
    assert ours == entries, f"count_params ours {ours} vs entries of random params {entries}"


def test_count_params_by_hand():
    # the worked example's sizes: D = H = 3, so each gate has a 3x6 matrix and 3 biases
    assert count_params("rnn", 3, 3) == 21
    assert count_params("gru", 3, 3) == 63
    assert count_params("lstm", 3, 3) == 84
    assert count_params("lstm", np.int64(3), 3) == 84
    assert isinstance(count_params("gru", 3, 3), int)


def test_public_names():
    for name in rnnlab.__all__:
        assert hasattr(rnnlab, name), f"rnnlab.__all__ lists {name!r} but rnnlab has no such attribute"
