"""rnnlab.grading: every diagnosis, the strict conversions, the reference-call trap, tamper detection, silence."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

import rnnlab
from rnnlab import grading

sig = rnnlab.sigmoid
RNG = np.random.default_rng(0)
X, H_PREV, C_PREV = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 5)), RNG.normal(size=(4, 5))


def cat(a, b):
    return np.concatenate([a, b], axis=-1)


def lin(W, h, x, b):
    return cat(h, x) @ W.T + b


def transposed(W, h, x, b):
    H = h.shape[-1]
    return h @ W[:, :H] + x @ W[:, H:].T + b


# --- plain RNN: right and wrong --------------------------------------------------------------------

RNN = rnnlab.RNNParams.random(3, 5, seed=1)


def rnn_right(x, h, W, b):
    return np.tanh(lin(W, h, x, b))


RNN_WRONG = {
    "in the new state h (eq. 1), tanh was replaced by sigmoid": lambda x, h, W, b: sig(lin(W, h, x, b)),
    "[x, h] was concatenated instead of [h, x] (eq. 1)": lambda x, h, W, b: np.tanh(cat(x, h) @ W.T + b),
    "in the new state h (eq. 1), the bias b was left out": lambda x, h, W, b: np.tanh(cat(h, x) @ W.T),
    "in the new state h (eq. 1), U, the block of W that multiplies h_prev, was used transposed": lambda x, h, W, b: (
        np.tanh(transposed(W, h, x, b))
    ),
}


@pytest.mark.parametrize("mistake", RNN_WRONG)
def test_rnn_mistake_is_diagnosed(mistake):
    with pytest.raises(AssertionError, match="Likely mistake") as error:
        grading.check_rnn_step(RNN_WRONG[mistake], X, H_PREV, RNN.W, RNN.b)
    assert f"Likely mistake: {mistake}" in str(error.value), str(error.value)


# --- LSTM -------------------------------------------------------------------------------------------

LSTM = rnnlab.LSTMParams.random(3, 5, seed=2)


def lstm_with(gate=sig, squash=np.tanh, linear=lin, out=np.tanh, bias=True):
    def step(x, h, c_prev, p):
        b = (lambda v: v) if bias else np.zeros_like
        f = gate(linear(p.W_f, h, x, b(p.b_f)))
        i = gate(linear(p.W_i, h, x, b(p.b_i)))
        c = f * c_prev + i * squash(linear(p.W_c, h, x, b(p.b_c)))
        o = gate(linear(p.W_o, h, x, b(p.b_o)))
        return o * out(c), c

    return step


LSTM_WRONG = {
    "sigmoid and tanh were swapped everywhere": lstm_with(gate=np.tanh, squash=sig, out=sig),
    "in the hidden state h (eq. 11), the tanh was left out": lstm_with(out=lambda c: c),
    "[x, h] was concatenated instead of [h, x]": lstm_with(linear=lambda W, h, x, b: cat(x, h) @ W.T + b),
    "every bias was left out": lstm_with(bias=False),
    "the block U_* of each weight matrix W_* that multiplies h_prev was used transposed": lstm_with(linear=transposed),
}


@pytest.mark.parametrize("mistake", LSTM_WRONG)
def test_lstm_mistake_is_diagnosed(mistake):
    with pytest.raises(AssertionError) as error:
        grading.check_lstm_step(LSTM_WRONG[mistake], X, H_PREV, C_PREV, LSTM)
    assert f"Likely mistake: {mistake}" in str(error.value), str(error.value)


def test_lstm_right_passes():
    grading.check_lstm_step(lstm_with(), X, H_PREV, C_PREV, LSTM)


# --- GRU ---------------------------------------------------------------------------------------------

GRU = rnnlab.GRUParams.random(3, 5, seed=3)


def gru_with(gate=sig, squash=np.tanh, linear=lin, bias=True, z_flip=False, reset="before"):
    def step(x, h, p, z_weights="old"):
        b = (lambda v: v) if bias else np.zeros_like
        r = gate(linear(p.W_r, h, x, b(p.b_r)))
        z = gate(linear(p.W_z, h, x, b(p.b_z)))
        H = h.shape[-1]
        if reset == "before":
            h_tilde = squash(linear(p.W_h, r * h, x, b(p.b_h)))
        elif reset == "after":
            h_tilde = squash(x @ p.W_h[:, H:].T + b(p.b_h) + r * (h @ p.W_h[:, :H].T))
        else:
            h_tilde = squash(linear(p.W_h, h, x, b(p.b_h)))
        keep = z if (z_weights == "old") != z_flip else 1 - z
        return keep * h + (1 - keep) * h_tilde

    return step


GRU_WRONG = {
    "the other z convention": gru_with(z_flip=True),
    "in the candidate h_tilde (eq. 15), the reset gate was applied after the matrix product (eq. 28) instead of "
    "before it (eq. 27)": gru_with(reset="after"),
    "in the candidate h_tilde (eq. 15), the reset gate was not applied": gru_with(reset="none"),
    "sigmoid and tanh were swapped everywhere": gru_with(gate=np.tanh, squash=sig),
    "[x, h] was concatenated instead of [h, x]": gru_with(linear=lambda W, h, x, b: cat(x, h) @ W.T + b),
    "every bias was left out": gru_with(bias=False),
    "the block U_* of each weight matrix W_* that multiplies h_prev was used transposed": gru_with(linear=transposed),
}


@pytest.mark.parametrize("z_weights", ["old", "new"])
@pytest.mark.parametrize("mistake", GRU_WRONG)
def test_gru_mistake_is_diagnosed(mistake, z_weights):
    with pytest.raises(AssertionError) as error:
        grading.check_gru_step(GRU_WRONG[mistake], X, H_PREV, GRU, z_weights=z_weights)
    assert f"Likely mistake: {mistake}" in str(error.value), str(error.value)


def test_gru_by_hand_diagnosis_at_two_decimals():
    ex = rnnlab.examples.gru_3d()
    wrong = np.round(gru_with(z_flip=True)(ex.x, ex.h_prev, ex.params), 2)
    with pytest.raises(AssertionError, match="Likely mistake: the other z convention") as error:
        grading.check_by_hand("h_by_hand", wrong.tolist(), "gru", "h")
    right = rnnlab.gru_step(ex.x, ex.h_prev, ex.params).h
    assert f"{right[0]:.4f}"[:5] not in str(error.value), "a by-hand message must not reveal the answer"
    grading.check_by_hand("h_by_hand", np.round(right, 2).tolist(), "gru", "h")


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(AssertionError, match=r"expected shape \(4, 5\), received shape \(5, 4\)"):
        grading.check_rnn_step(lambda x, h, W, b: rnn_right(x, h, W, b).T, X, H_PREV, RNN.W, RNN.b)
    with pytest.raises(AssertionError, match=r"expected shape \(5,\), received shape \(1, 5\)"):
        grading.check_rnn_step(lambda x, h, W, b: rnn_right(x, h, W, b)[None], X[0], H_PREV[0], RNN.W, RNN.b)


def test_first_differing_index_and_values_are_named():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(AssertionError) as error:
        grading.check_close("h", [[1.0, 2.0], [3.5, 4.0]], expected)
    message = str(error.value)
    assert "entry [1, 0] of h" in message and "expected 3, received 3.5" in message, message


# --- strict conversion ------------------------------------------------------------------------------


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = None


class FloatLike(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (AlwaysEqual(), "type AlwaysEqual"),
        (np.array([AlwaysEqual()] * 3, dtype=object), "dtype object"),
        ([FloatLike(1.0), 2.0, 3.0], "FloatLike"),
        (np.array([True, False, True]), "dtype bool"),
        ([[1.0, 2.0], [3.0]], "different lengths"),
        (None, "forget to `return`"),
        ("0.5", "type str"),
        (np.array([1.0, np.nan, 2.0]), "finite"),
    ],
)
def test_strict_conversion_rejects(value, says):
    with pytest.raises(AssertionError, match="expected") as error:
        grading.check_close("h", value, [1.0, 2.0, 3.0])
    assert says in str(error.value), str(error.value)


def test_call_student_converts_to_float64_arrays():
    out = grading.call_student(lambda: ([1, 2], np.float32(3.5)))
    assert type(out) is tuple and all(type(a) is np.ndarray and a.dtype == np.float64 for a in out)


def test_unanswered_placeholders_raise_not_implemented():
    with pytest.raises(NotImplementedError, match="not answered yet"):
        grading.check_by_hand("a_by_hand", [..., ..., ...], "rnn", "a")
    with pytest.raises(NotImplementedError):
        grading.check_choice("answer", ..., "ABCD")


def test_choice_form_and_answer():
    grading.check_choice("answer", " b ", "ABCD")
    grading.check_choice("answer", "B", "ABCD", expected="B")
    with pytest.raises(AssertionError, match="not the right answer"):
        grading.check_choice("answer", "A", "ABCD", expected="B")
    with pytest.raises(AssertionError, match="one letter"):
        grading.check_choice("answer", "AB", "ABCD")


# --- the reference-call trap ------------------------------------------------------------------------


def cheat_step(x, h, p, z_weights="old"):
    return rnnlab.gru_step(x, h, p, z_weights=z_weights).h


def cheat_swallowing(x, h, p, z_weights="old"):
    try:
        return rnnlab.gru_forward(x[None], h, p)[0][0]
    except Exception:
        return gru_with()(x, h, p)


@pytest.mark.parametrize("cheat", [cheat_step, cheat_swallowing])
def test_reference_call_is_refused_and_profiler_restored(cheat):
    previous = sys.getprofile()
    with pytest.raises(grading.ReferenceCallError, match=r"implement it yourself; rnnlab\.\w+\.gru_\w+ was called"):
        grading.check_gru_step(cheat, X, H_PREV, GRU)
    assert sys.getprofile() is previous


def test_profiler_restored_when_student_code_raises():
    previous = sys.getprofile()

    def broken(*args):
        raise ZeroDivisionError("student bug")

    with pytest.raises(ZeroDivisionError, match="student bug"):
        grading.call_student(broken)
    assert sys.getprofile() is previous


# --- tampering ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["allclose", "isclose", "asarray", "array_equal"])
def test_replaced_numpy_function_is_detected(monkeypatch, name):
    monkeypatch.setattr(np, name, lambda *a, **k: True)
    with pytest.raises(grading.TamperingError, match=f"np.{name}"):
        grading.check_close("h", [1.0], [1.0])


def test_replaced_assert_allclose_is_detected(monkeypatch):
    monkeypatch.setattr(np.testing, "assert_allclose", lambda *a, **k: None)
    with pytest.raises(grading.TamperingError, match="assert_allclose"):
        grading.check_rnn_step(rnn_right, X, H_PREV, RNN.W, RNN.b)


def test_grading_helpers_are_read_only_and_dict_writes_detected(monkeypatch):
    with pytest.raises(AttributeError, match="read-only"):
        grading.check_close = lambda *a, **k: None
    monkeypatch.setitem(grading.__dict__, "check_choice", lambda *a, **k: None)
    with pytest.raises(grading.TamperingError, match="grading.check_choice"):
        grading.check_close("h", [1.0], [1.0])


# --- silence on success ------------------------------------------------------------------------------


def test_passing_checks_print_nothing_and_warn_nothing(capfd):
    big = rnnlab.GRUParams.random(3, 5, seed=4)
    big = big.replace(**{k: 400 * v for k, v in big.arrays().items()})  # saturating gates
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grading.check_rnn_step(rnn_right, X, H_PREV, RNN.W, RNN.b)
        grading.check_lstm_step(lstm_with(), X, H_PREV, C_PREV, LSTM)
        grading.check_gru_step(gru_with(), X, H_PREV, big, z_weights="new")
        grading.check_by_hand("f_by_hand", [0.65, 0.42, 0.78], "lstm", "f")
        grading.check_choice("answer", "c", "ABCD", expected="C")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# --- sequences and the backward pass --------------------------------------------------------------------


def unroll_with(carry=True, shift=False):
    def unroll(xs, h0, W, b):
        hs, h = [], h0
        for x in xs:
            new = rnn_right(x, h if carry else h0, W, b)
            hs.append(h if shift else new)
            h = new
        return np.stack(hs)

    return unroll


@pytest.mark.parametrize(
    ("unroll", "mistake"),
    [(unroll_with(carry=False), "not carried forward"), (unroll_with(shift=True), "shifted by one step")],
)
def test_unroll_mistakes_are_diagnosed(unroll, mistake):
    xs = RNG.normal(size=(6, 4, 3))
    grading.check_rnn_unroll(unroll_with(), xs, H_PREV, RNN.W, RNN.b)
    with pytest.raises(AssertionError, match=mistake):
        grading.check_rnn_unroll(unroll, xs, H_PREV, RNN.W, RNN.b)


def norms_with(derivative=True, transpose=True):
    def norms(xs, h0, W, b):
        hs = unroll_with()(xs, h0, W, b)
        H = hs.shape[-1]
        W_hh = W[:, :H].T if transpose else W[:, :H]
        g, out = np.ones(H), [np.sqrt(H)]
        for k in range(len(hs) - 1, 0, -1):
            g = W_hh @ (g * (1 - hs[k] ** 2) if derivative else g)
            out.append(np.linalg.norm(g))
        return np.array(out[::-1])

    return norms


@pytest.mark.parametrize(
    ("norms", "mistake"),
    [(norms_with(derivative=False), "tanh derivative"), (norms_with(transpose=False), "transpose belongs")],
)
def test_gradient_norm_mistakes_are_diagnosed(norms, mistake):
    xs = RNG.normal(size=(7, 3))
    grading.check_gradient_norms(norms_with(), xs, H_PREV[0], 2 * RNN.W, RNN.b)
    with pytest.raises(AssertionError, match=mistake):
        grading.check_gradient_norms(norms, xs, H_PREV[0], 2 * RNN.W, RNN.b)


def gru_forward_step(x, h_prev, p):
    return gru_with()(x, h_prev, p), {"x": x, "h_prev": h_prev}


def step_backward(x, h_prev, p, dh, **slip):
    """One GRU step's backward pass as a student writes it, with switches for the common slips."""
    H = p.hidden_size
    v = np.concatenate([h_prev, x], axis=-1)
    r = sig(v @ p.W_r.T + p.b_r)
    z = sig(v @ p.W_z.T + p.b_z)
    v_h = np.concatenate([r * h_prev, x], axis=-1)
    h_tilde = np.tanh(v_h @ p.W_h.T + p.b_h)
    dh_tilde = dh * (1 - z)
    dz = dh * (h_prev - h_tilde) * (-1.0 if slip.get("z_sign") else 1.0)
    da_h = dh_tilde * ((1 - h_tilde) if slip.get("tanh_prime") else (1 - h_tilde**2))
    dv_h = da_h @ p.W_h
    d_rh = dv_h[:, :H]
    dr = d_rh * h_prev
    dh_prev = dh * z + (0.0 if slip.get("no_reset_path") else d_rh * r)
    sigmoid_prime = (lambda s: 1.0) if slip.get("sigmoid_prime") else (lambda s: s * (1 - s))
    da_z, da_r = dz * sigmoid_prime(z), dr * sigmoid_prime(r)
    dv = da_z @ p.W_z + da_r @ p.W_r
    return {
        "W_r": da_r.T @ v, "b_r": da_r.sum(axis=0), "W_z": da_z.T @ v, "b_z": da_z.sum(axis=0),
        "W_h": da_h.T @ v_h, "b_h": da_h.sum(axis=0), "x": dv_h[:, H:] + dv[:, H:], "h_prev": dh_prev + dv[:, :H],
    }  # fmt: skip


def backward_with(**slip):
    return lambda dh, cache, p: step_backward(cache["x"], cache["h_prev"], p, dh, **slip)


def test_backward_written_out_is_right():
    dh = RNG.normal(size=(4, 5))
    grading.check_gru_step_backward(backward_with(), gru_forward_step, X, H_PREV, GRU, dh)


@pytest.mark.parametrize(
    ("slip", "mistake"),
    [
        ("z_sign", "sign of dz"),
        ("tanh_prime", "1 - h_tilde instead"),
        ("sigmoid_prime", "sigmoid derivative"),
        ("no_reset_path", "r \\* h_prev"),
    ],
)
def test_backward_mistakes_are_diagnosed(slip, mistake):
    dh = RNG.normal(size=(4, 5))
    with pytest.raises(AssertionError, match=f"Likely mistake: .*{mistake}"):
        grading.check_gru_step_backward(backward_with(**{slip: True}), gru_forward_step, X, H_PREV, GRU, dh)


def test_training_with_the_reference_backward_is_refused():
    def train(xs, ys):
        _, cache = rnnlab.gru_forward(xs, None, GRU)
        rnnlab.gru_backward(np.zeros((len(xs), xs.shape[1], 5)), cache)
        return GRU, np.zeros(5), 0.0

    xs = RNG.normal(size=(3, 8, 3))
    with pytest.raises(grading.ReferenceCallError, match="gru_forward was called"):
        grading.check_accuracy(train, xs, np.ones(8), xs, np.ones(8), at_least=0.5)


def test_numpy_patched_before_grading_is_imported_is_detected():
    import subprocess

    code = (
        "import numpy as np\n"
        "np.isclose = lambda *a, **k: np.ones(np.shape(a[0]), dtype=bool)\n"
        "from rnnlab import grading\n"
        "try:\n    grading.check_close('h', [5.0], [1.0])\n"
        "except grading.TamperingError as error:\n    print('caught', error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "caught" in done.stdout and "np.isclose" in done.stdout, f"ours: {done.stdout}{done.stderr}"
