"""Assignment 5, bptt: the backward pass of one GRU step, a gradient check, and training a tiny GRU."""

# ruff: noqa: E501  (notebook source: a test statement stays on one line so students can read it)

from __future__ import annotations

from .cells import answer, header, locked, md, test

FORWARD = '''
def sigmoid(a):
    """The logistic function, written with tanh so it never overflows."""
    return 0.5 * np.tanh(0.5 * a) + 0.5


def gru_step_forward(x, h_prev, p):
    """One GRU step (z weights h_prev, reset before the product) and what the backward pass needs.

    x : (B, D), h_prev : (B, H), p : rnnlab.GRUParams. Returns h (B, H) and a dict cache.
    """
    v = np.concatenate([h_prev, x], axis=-1)
    r = sigmoid(v @ p.W_r.T + p.b_r)
    z = sigmoid(v @ p.W_z.T + p.b_z)
    v_h = np.concatenate([r * h_prev, x], axis=-1)
    h_tilde = np.tanh(v_h @ p.W_h.T + p.b_h)
    h = z * h_prev + (1 - z) * h_tilde
    return h, {"x": x, "h_prev": h_prev, "v": v, "v_h": v_h, "r": r, "z": z, "h_tilde": h_tilde}
'''

TRAINING_HELPERS = '''
def make_task(n, T=6, seed=0):
    """n sequences of T numbers (T, n, 1); the label is 1 when their sum is positive."""
    xs = np.random.default_rng(seed).normal(size=(T, n, 1))
    return xs, (xs.sum(axis=0)[:, 0] > 0).astype(float)


def loss_and_grads(xs, ys, p, w_out, b_out):
    """Cross-entropy of sigmoid(h_T . w_out + b_out) and its gradients, by BPTT through YOUR step backward."""
    h = np.zeros((xs.shape[1], p.hidden_size))
    caches = []
    for x in xs:
        h, cache = gru_step_forward(x, h, p)
        caches.append(cache)
    prob = sigmoid(h @ w_out + b_out)
    loss = -np.mean(ys * np.log(prob + 1e-12) + (1 - ys) * np.log(1 - prob + 1e-12))
    dlogit = (prob - ys) / len(ys)
    grads = {name: np.zeros_like(value) for name, value in p.arrays().items()}
    dh = np.outer(dlogit, w_out)
    for cache in reversed(caches):
        step = gru_step_backward(dh, cache, p)
        for name in grads:
            grads[name] += step[name]
        dh = step["h_prev"]
    return loss, grads, h.T @ dlogit, dlogit.sum()
'''


def cells() -> list:
    return [
        *header(
            "Exercise 5: backpropagation through a GRU",
            "60",
            14,
            """
            You will derive and implement the backward pass of one GRU step, verify it against finite
            differences, and use it to train a tiny GRU. The forward step (this exercise's convention: $z$
            weights the previous state, the reset gate acts before the product) is given:

            $$r = \\sigma(W_r v + b_r), \\quad z = \\sigma(W_z v + b_z), \\quad
            \\tilde h = \\tanh(W_h [r \\odot h_{t-1}, x] + b_h), \\quad h = z \\odot h_{t-1} + (1 - z) \\odot \\tilde h,$$

            with $v = [h_{t-1}, x]$. Every array has a batch axis: rows are examples.
            """,
        ),
        locked("forward", FORWARD),
        md("""
            ## Part A (6 points): the backward pass of one step

            Given $\\delta h = \\partial L / \\partial h$ (shape `(B, H)`), return the gradients of $L$ with
            respect to every weight and bias (summed over the batch) and to the step's inputs `x` and
            `h_prev`. Work backwards through the forward code, one line at a time:
            $\\delta \\tilde h = \\delta h \\odot (1 - z)$, $\\delta z = \\delta h \\odot (h_{t-1} - \\tilde h)$,
            the direct path $\\delta h_{t-1} = \\delta h \\odot z$; then through $\\tanh$ ($1 - \\tilde h^2$) and
            $\\sigma$ ($s(1 - s)$), and through each product $a = v W^\\top + b$:
            $\\delta W = \\delta a^\\top v$, $\\delta b = \\sum_{\\text{rows}} \\delta a$, $\\delta v = \\delta a\\, W$.
            Remember that $h_{t-1}$ reaches $\\tilde h$ through $r \\odot h_{t-1}$.
            """),
        answer(
            "gru_step_backward_answer",
            '''
            def gru_step_backward(dh, cache, p):
                """Backward pass of gru_step_forward.

                Parameters
                ----------
                dh : array (B, H)
                    Gradient of the loss with respect to the step's output h.
                cache : dict
                    The second value returned by gru_step_forward.
                p : rnnlab.GRUParams

                Returns
                -------
                dict with keys "W_r", "b_r", "W_z", "b_z", "W_h", "b_h" (shaped like the parameters, summed
                over the batch), "x" (B, D) and "h_prev" (B, H).
                """
                ### BEGIN SOLUTION
                H = p.hidden_size
                r, z, h_tilde, h_prev = cache["r"], cache["z"], cache["h_tilde"], cache["h_prev"]
                dh_tilde = dh * (1 - z)
                dz = dh * (h_prev - h_tilde)
                dh_prev = dh * z
                da_h = dh_tilde * (1 - h_tilde**2)
                dv_h = da_h @ p.W_h
                d_rh, dx = dv_h[:, :H], dv_h[:, H:]
                dr = d_rh * h_prev
                dh_prev = dh_prev + d_rh * r
                da_z = dz * z * (1 - z)
                da_r = dr * r * (1 - r)
                dv = da_z @ p.W_z + da_r @ p.W_r
                return {
                    "W_r": da_r.T @ cache["v"], "b_r": da_r.sum(axis=0),
                    "W_z": da_z.T @ cache["v"], "b_z": da_z.sum(axis=0),
                    "W_h": da_h.T @ cache["v_h"], "b_h": da_h.sum(axis=0),
                    "x": dx + dv[:, H:], "h_prev": dh_prev + dv[:, :H],
                }
                ### END SOLUTION
            ''',
        ),
        locked(
            "backward_visible_check",
            """
            rng = np.random.default_rng(0)
            p = rnnlab.GRUParams.random(2, 3, seed=0)
            x, h_prev, dh = rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
            _, cache = gru_step_forward(x, h_prev, p)
            for name, grad in gru_step_backward(dh, cache, p).items():
                print(name, np.shape(grad))
            """,
        ),
        test(
            "gru_backward_example",
            3,
            """
            \"\"\"gru_step_backward agrees with backpropagation through time on a small batch.\"\"\"
            grading.check_gru_step_backward(gru_step_backward, gru_step_forward, x, h_prev, p, dh)
            """,
        ),
        test(
            "gru_backward_random",
            3,
            """
            \"\"\"gru_step_backward agrees for other sizes and larger weights.\"\"\"
            rng = np.random.default_rng(1)
            q = rnnlab.GRUParams.random(3, 2, seed=1)
            grading.check_gru_step_backward(gru_step_backward, gru_step_forward, rng.normal(size=(1, 3)),
                                            rng.normal(size=(1, 2)), q, rng.normal(size=(1, 2)))
            ### BEGIN HIDDEN TESTS
            for seed in range(5):
                rng = np.random.default_rng(500 + seed)
                D, H, B = (int(n) for n in rng.integers(1, 6, size=3))
                q = rnnlab.GRUParams.random(D, H, seed=seed)
                q = q.replace(**{name: 2 * value for name, value in q.arrays().items()})
                grading.check_gru_step_backward(gru_step_backward, gru_step_forward, rng.normal(size=(B, D)),
                                                rng.normal(size=(B, H)), q, rng.normal(size=(B, H)))
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            ## Part B (2 points): a finite-difference gradient check

            A backward pass is only trusted once it agrees with finite differences,
            $\\partial L / \\partial \\theta_k \\approx (L(\\theta + \\epsilon e_k) - L(\\theta - \\epsilon e_k)) / 2\\epsilon$.
            Write `max_gradcheck_error`: with the loss $L(p) = \\sum \\delta h \\odot h(p)$, compare your
            parameter gradients with finite differences using `rnnlab.gradcheck(loss, p, analytic)`, where
            `analytic = rnnlab.GRUParams(**{name: ... for the six parameter names})`, and return the largest
            relative error (a float). Below about `1e-6` means the backward pass is right.
            """),
        answer(
            "gradcheck_answer",
            '''
            def max_gradcheck_error(x, h_prev, p, dh):
                """Largest relative error between gru_step_backward's parameter gradients and finite differences.

                Parameters
                ----------
                x : array (B, D)
                h_prev, dh : arrays (B, H)
                p : rnnlab.GRUParams

                Returns
                -------
                float
                """
                ### BEGIN SOLUTION
                _, cache = gru_step_forward(x, h_prev, p)
                grads = gru_step_backward(dh, cache, p)
                analytic = rnnlab.GRUParams(**{name: grads[name] for name in p.arrays()})
                return rnnlab.gradcheck(lambda q: float(np.sum(dh * gru_step_forward(x, h_prev, q)[0])), p, analytic)
                ### END SOLUTION
            ''',
        ),
        locked(
            "gradcheck_visible_check",
            """
            print("largest relative error:", max_gradcheck_error(x, h_prev, p, dh))
            """,
        ),
        test(
            "gradcheck_small_error",
            2,
            """
            \"\"\"max_gradcheck_error returns a number below 1e-6 (your backward agrees with finite differences).\"\"\"
            error = grading.check_array("max_gradcheck_error(...)", max_gradcheck_error(x, h_prev, p, dh), ())
            assert error < 1e-6, f"max_gradcheck_error: expected a relative error below 1e-6, received {float(error):.3g}"
            ### BEGIN HIDDEN TESTS
            q = rnnlab.GRUParams.random(3, 2, seed=7)
            rng = np.random.default_rng(7)
            xq, hq, dq = rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
            _, cache_q = gru_step_forward(xq, hq, q)
            mine = grading.call_student(lambda: gru_step_backward(dq, cache_q, q)["W_h"])
            numeric = rnnlab.numerical_gradient(lambda W: float(np.sum(dq * gru_step_forward(xq, hq, q.replace(W_h=W))[0])), q.W_h)
            grading.check_close("the gradient 'W_h' (finite differences)", mine, numeric, atol=1e-6)
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            ## Part C (6 points): train a tiny GRU

            The task: read 6 numbers and say whether their sum is positive. The cell below gives the data
            and `loss_and_grads`, which runs the GRU over a batch of sequences with `gru_step_forward`,
            reads out $\\sigma(h_T \\cdot w_{out} + b_{out})$, and backpropagates through time with *your*
            `gru_step_backward`. Write `train_gru`: plain gradient descent (`param -= lr * grad`) for
            `steps` steps on the whole training set. It should reach at least 90% accuracy on new sequences
            in a few seconds.
            """),
        locked(
            "training_helpers",
            TRAINING_HELPERS
            + """
train_xs, train_ys = make_task(256, seed=1)
test_xs, test_ys = make_task(1000, seed=2)
""",
        ),
        answer(
            "train_gru_answer",
            '''
            def train_gru(xs, ys, H=8, steps=400, lr=3.0, seed=0):
                """Train a GRU and a linear read-out by gradient descent.

                Parameters
                ----------
                xs : array (T, N, 1)
                ys : array (N,) of 0 and 1
                H : int, hidden size
                steps : int
                lr : float, learning rate
                seed : int, for rnnlab.GRUParams.random(1, H, seed)

                Returns
                -------
                p : rnnlab.GRUParams
                w_out : array (H,)
                b_out : float
                """
                p = rnnlab.GRUParams.random(1, H, seed=seed)
                w_out, b_out = np.zeros(H), 0.0
                ### BEGIN SOLUTION
                for _ in range(steps):
                    _, grads, dw, db = loss_and_grads(xs, ys, p, w_out, b_out)
                    p = p.replace(**{name: value - lr * grads[name] for name, value in p.arrays().items()})
                    w_out, b_out = w_out - lr * dw, b_out - lr * db
                ### END SOLUTION
                return p, w_out, b_out
            ''',
        ),
        locked(
            "train_visible_check",
            """
            trained = train_gru(train_xs, train_ys)
            print("loss after training:", loss_and_grads(train_xs, train_ys, *trained)[0])
            """,
        ),
        test(
            "trained_gru_accuracy",
            6,
            """
            \"\"\"The trained GRU classifies at least 90% of new sequences right.\"\"\"
            grading.check_accuracy(train_gru, train_xs, train_ys, test_xs, test_ys, at_least=0.9)
            """,
        ),
    ]
