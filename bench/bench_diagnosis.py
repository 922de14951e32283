"""What a diagnosis costs: a failing check with its likely mistake, and a passing check with and without the engine.

Goals (issue 12): a failing check with its diagnosis under 50 ms on the worked example and under 200 ms at
the hidden tests' sizes (the largest they draw: D, H, B up to 6 for a step, T, D, H, B up to 5 for the
unroll, 5 for the backward pass; 12 steps for the gradient norms); a passing check costs nothing extra (the
engine runs only after a comparison failed). Each mistake is timed twice: one the engine names with a single
mutation, and one it cannot name (a small arbitrary error), which searches every single and pair mutation:
the worst case. Medians and the 10-90% spread over repetitions.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

GOAL_EXAMPLE_MS, GOAL_HIDDEN_MS = 50.0, 200.0
REPEATS = 30


def _times_ms(action, repeats: int = REPEATS) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(1e3 * (time.perf_counter() - start))
    return times


def _summary(label: str, times: list[float], goal: float | None = None) -> str:
    deciles = statistics.quantiles(times, n=10)
    median = statistics.median(times)
    verdict = "" if goal is None else f" (goal < {goal:.0f} ms: {'met' if median < goal else 'MISSED'})"
    return f"{label}: median {median:.2f} ms, 10-90% {deciles[0]:.2f}-{deciles[-1]:.2f} ms{verdict}"


def _failing(check) -> None:
    try:
        check()
    except AssertionError as error:
        assert "Likely mistake" in str(error)
    else:
        raise RuntimeError("the bench's wrong function passed")


def _cases():
    import rnnlab
    from rnnlab import examples, grading

    sig = rnnlab.sigmoid
    rng = np.random.default_rng(0)

    def cat(h, x):
        return np.concatenate([h, x], axis=-1)

    def rnn(act=np.tanh, noise=0.0):
        return lambda x, h, W, b: act(cat(h, x) @ W.T + b) + noise

    def lstm(cand=np.tanh, noise=0.0):
        def step(x, h, c_prev, p):
            v = cat(h, x)
            f, i, o = (sig(v @ W.T + b) for W, b in ((p.W_f, p.b_f), (p.W_i, p.b_i), (p.W_o, p.b_o)))
            c = f * c_prev + i * cand(v @ p.W_c.T + p.b_c)
            return o * np.tanh(c) + noise, c

        return step

    def gru(interpolate=True, noise=0.0):
        def step(x, h, p, z_weights="old"):
            v = cat(h, x)
            r, z = sig(v @ p.W_r.T + p.b_r), sig(v @ p.W_z.T + p.b_z)
            h_tilde = np.tanh(cat(r * h, x) @ p.W_h.T + p.b_h)
            return (z * h + (1 - z) * h_tilde if interpolate else h_tilde) + noise

        return step

    def unroll(act=np.tanh, noise=0.0):
        step = rnn(act)
        return lambda xs, h0, W, b: np.stack(_states(step, xs, h0, W, b)) + noise

    def norms(noise=0.0):
        def gradient_norms(xs, h0, W, b):  # the tanh derivative left out
            hs = _states(rnn(), xs, h0, W, b)
            W_hh = W[:, : len(h0)]
            g, out = np.ones(len(h0)), [np.sqrt(len(h0))]
            for _ in range(len(hs) - 1):
                g = W_hh.T @ g
                out.append(np.linalg.norm(g))
            return np.array(out[::-1]) + noise

        return gradient_norms

    def _states(step, xs, h0, W, b):
        hs, h = [], h0
        for x in xs:
            h = step(x, h, W, b)
            hs.append(h)
        return hs

    ex_r, ex_l, ex_g = examples.rnn_3d(), examples.lstm_3d(), examples.gru_3d()
    D = H = B = 6
    p_r, p_l, p_g = (cls.random(D, H, seed=1) for cls in (rnnlab.RNNParams, rnnlab.LSTMParams, rnnlab.GRUParams))
    x, h, c = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    xs5, h5 = rng.normal(size=(5, 5, 5)), rng.normal(size=(5, 5))
    p5 = rnnlab.RNNParams.random(5, 5, seed=2)
    xs12 = rng.normal(size=(12, 3))

    for noise, kind in ((0.0, "named"), (1e-3, "unnamed (worst case)")):
        yield (
            "example",
            f"rnn_step, {kind}",
            lambda n=noise: grading.check_rnn_step(rnn(sig, n), ex_r.x, ex_r.h_prev, ex_r.params.W, ex_r.params.b),
        )
        yield (
            "example",
            f"lstm_step, {kind}",
            lambda n=noise: grading.check_lstm_step(lstm(sig, n), ex_l.x, ex_l.h_prev, ex_l.c_prev, ex_l.params),
        )
        yield (
            "example",
            f"gru_step, {kind}",
            lambda n=noise: grading.check_gru_step(gru(False, n), ex_g.x, ex_g.h_prev, ex_g.params),
        )
        yield (
            "example",
            f"rnn_unroll (T=12), {kind}",
            lambda n=noise: grading.check_rnn_unroll(unroll(sig, n), xs12, ex_r.h_prev, ex_r.params.W, ex_r.params.b),
        )
        yield (
            "example",
            f"gradient_norms (T=12), {kind}",
            lambda n=noise: grading.check_gradient_norms(norms(n), xs12, ex_r.h_prev, ex_r.params.W, ex_r.params.b),
        )
        yield (
            "hidden",
            f"rnn_step B=D=H=6, {kind}",
            lambda n=noise: grading.check_rnn_step(rnn(sig, n), x, h, p_r.W, p_r.b),
        )
        yield (
            "hidden",
            f"lstm_step B=D=H=6, {kind}",
            lambda n=noise: grading.check_lstm_step(lstm(sig, n), x, h, c, p_l),
        )
        yield ("hidden", f"gru_step B=D=H=6, {kind}", lambda n=noise: grading.check_gru_step(gru(False, n), x, h, p_g))
        yield (
            "hidden",
            f"rnn_unroll T=B=D=H=5, {kind}",
            lambda n=noise: grading.check_rnn_unroll(unroll(sig, n), xs5, h5, p5.W, p5.b),
        )
    yield from _backward_cases(rng)
    yield (
        "passing",
        "rnn_step B=D=H=6",
        (lambda: grading.check_rnn_step(rnn(), x, h, p_r.W, p_r.b), lambda: _check_without_engine(rnn(), x, h, p_r)),
    )


def _backward_cases(rng):
    import rnnlab
    from rnnlab import grading

    sig = rnnlab.sigmoid
    p = rnnlab.GRUParams.random(5, 5, seed=3)
    x, h_prev, dh = rng.normal(size=(5, 5)), rng.normal(size=(5, 5)), rng.normal(size=(5, 5))

    def forward(x, h_prev, p):
        v = np.concatenate([h_prev, x], axis=-1)
        r, z = sig(v @ p.W_r.T + p.b_r), sig(v @ p.W_z.T + p.b_z)
        v_h = np.concatenate([r * h_prev, x], axis=-1)
        h_tilde = np.tanh(v_h @ p.W_h.T + p.b_h)
        return z * h_prev + (1 - z) * h_tilde, {
            "v": v,
            "v_h": v_h,
            "r": r,
            "z": z,
            "h_tilde": h_tilde,
            "h_prev": h_prev,
        }

    def backward(noise):
        def step(dh, cache, p):
            H = p.hidden_size
            r, z, h_tilde, h_prev = cache["r"], cache["z"], cache["h_tilde"], cache["h_prev"]
            da_h = dh * (1 - z) * (1 - h_tilde)  # the tanh derivative written as 1 - h_tilde
            dv_h = da_h @ p.W_h
            d_rh = dv_h[:, :H]
            da_z, da_r = dh * (h_prev - h_tilde) * z * (1 - z), d_rh * h_prev * r * (1 - r)
            dv = da_z @ p.W_z + da_r @ p.W_r
            return {"W_r": da_r.T @ cache["v"], "b_r": da_r.sum(0), "W_z": da_z.T @ cache["v"], "b_z": da_z.sum(0),
                    "W_h": da_h.T @ cache["v_h"], "b_h": da_h.sum(0), "x": dv_h[:, H:] + dv[:, H:],
                    "h_prev": dh * z + d_rh * r + dv[:, :H] + noise}  # fmt: skip

        return step

    for noise, kind in ((0.0, "named"), (1e-3, "unnamed (worst case)")):
        yield (
            "hidden",
            f"gru_step_backward B=D=H=5, {kind}",
            lambda n=noise: grading.check_gru_step_backward(backward(n), forward, x, h_prev, p, dh),
        )


def _check_without_engine(fn, x, h, p) -> None:
    """check_rnn_step's passing path line by line, with no diagnosis at all (``diagnose=None``)."""
    from rnnlab import RNNParams, cells, grading

    grading.check_untampered()
    (got,) = grading.call_returning(fn, 1, x, h, p.W, p.b)
    expected = cells.rnn_step(x, h, RNNParams(p.W, p.b)).h
    grading.check_close("h returned by rnn_step", got, expected, atol=1e-8)


def main() -> list[str]:
    lines = []
    for where, label, action in _cases():
        if where == "passing":
            with_engine, without = (_times_ms(a, 200) for a in action)
            ratio = statistics.median(with_engine) / statistics.median(without)
            lines.append(_summary(f"passing {label}, the check as written", with_engine))
            lines.append(_summary(f"passing {label}, no diagnosis at all", without))
            lines.append(f"passing {label}: with / without the engine = {ratio:.2f}")
            continue
        goal = GOAL_EXAMPLE_MS if where == "example" else GOAL_HIDDEN_MS
        lines.append(_summary(f"failing {label}", _times_ms(lambda a=action: _failing(a)), goal))
    return lines


if __name__ == "__main__":
    for line in main():
        print(line)
