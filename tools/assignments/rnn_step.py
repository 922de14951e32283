"""Assignment 1, rnn_step: one plain-RNN step by hand and in code, unrolling, and a shrinking gradient."""

# ruff: noqa: E501  (notebook source: a test statement stays on one line so students can read it)

from __future__ import annotations

from .cells import answer, header, locked, md, test


def cells() -> list:
    return [
        *header(
            "Exercise 1: one step of a plain RNN",
            "40",
            16,
            """
            You will compute one step of the plain RNN of the worked example by hand, write it as a numpy
            function, run it over a sequence, and watch the gradient that flows back through the steps
            shrink. The step is

            $$a_t = W\\,[h_{t-1}, x_t] + b, \\qquad h_t = \\tanh(a_t),$$

            where $[h_{t-1}, x_t]$ is the previous state followed by the input (length $H + D$), $W$ has
            shape $(H, H + D)$ and $b$ has shape $(H,)$.
            """,
        ),
        locked(
            "example",
            """
            example = rnnlab.examples.rnn_3d()
            W, b = example.params.W, example.params.b
            print("x      =", example.x)
            print("h_prev =", example.h_prev)
            print("[h_prev, x] =", np.concatenate([example.h_prev, example.x]))
            print("W =")
            print(W)
            print("b      =", b)
            """,
        ),
        md("""
            ## Part A (4 points): one step by hand

            Run the cell above. With pencil and paper (or a calculator, but not numpy), compute the
            pre-activation $a = W\\,[h_{t-1}, x_t] + b$: entry $k$ is row $k$ of $W$ times the six numbers of
            $[h_{t-1}, x_t]$, plus $b_k$. Then $h = \\tanh(a)$. Enter each as a list of three numbers rounded
            to two decimals (more decimals are fine).
            """),
        answer(
            "rnn_by_hand_answer",
            """
            a_by_hand = [..., ..., ...]
            h_by_hand = [..., ..., ...]
            ### BEGIN SOLUTION
            a_by_hand = [0.50, -0.12, 0.40]
            h_by_hand = [0.46, -0.12, 0.38]
            ### END SOLUTION
            """,
        ),
        test(
            "rnn_preactivation_by_hand",
            2,
            """
            \"\"\"a = W [h_prev, x] + b of the worked example, to two decimals.\"\"\"
            grading.check_by_hand("a_by_hand", a_by_hand, "rnn", "a")
            """,
        ),
        test(
            "rnn_state_by_hand",
            2,
            """
            \"\"\"h = tanh(a) of the worked example, to two decimals.\"\"\"
            grading.check_by_hand("h_by_hand", h_by_hand, "rnn", "h")
            """,
        ),
        md("""
            ## Part B (4 points): the step in numpy

            Write `rnn_step`. It must work for one vector and for a batch: with `x` of shape `(B, D)` and
            `h_prev` of shape `(B, H)` every row is one independent example. Hint: with rows as examples,
            `v @ W.T` computes $W v$ for every row $v$ at once, and `np.concatenate([h_prev, x], axis=-1)`
            builds $[h_{t-1}, x_t]$ in both cases.
            """),
        answer(
            "rnn_step_answer",
            '''
            def rnn_step(x, h_prev, W, b):
                """One step of the plain RNN, h = tanh(W [h_prev, x] + b).

                Parameters
                ----------
                x : array (D,) or (B, D)
                    The input at this step.
                h_prev : array (H,) or (B, H)
                    The previous hidden state.
                W : array (H, H + D)
                    Weights acting on the concatenation [h_prev, x].
                b : array (H,)
                    Bias.

                Returns
                -------
                h : array (H,) or (B, H)
                    The new hidden state.
                """
                ### BEGIN SOLUTION
                v = np.concatenate([h_prev, x], axis=-1)
                return np.tanh(v @ W.T + b)
                ### END SOLUTION
            ''',
        ),
        locked(
            "rnn_step_visible_check",
            """
            # A quick look before the graded tests: your h for the worked example.
            print("your h:", rnn_step(example.x, example.h_prev, W, b))
            """,
        ),
        test(
            "rnn_step_example",
            2,
            """
            \"\"\"rnn_step reproduces the worked example's h.\"\"\"
            grading.check_rnn_step(rnn_step, example.x, example.h_prev, W, b)
            ### BEGIN HIDDEN TESTS
            grading.check_rnn_step(rnn_step, 3 * example.x, -2 * example.h_prev, W, b)
            ### END HIDDEN TESTS
            """,
        ),
        test(
            "rnn_step_batch",
            2,
            """
            \"\"\"rnn_step handles a batch of inputs and states (B, D) and (B, H).\"\"\"
            rng = np.random.default_rng(1)
            grading.check_rnn_step(rnn_step, rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), W, b)
            ### BEGIN HIDDEN TESTS
            for seed in range(6):
                rng = np.random.default_rng(100 + seed)
                D, H, B = (int(n) for n in rng.integers(1, 7, size=3))
                p = rnnlab.RNNParams.random(D, H, seed=seed)
                grading.check_rnn_step(rnn_step, rng.normal(size=(B, D)), rng.normal(size=(B, H)), p.W, 2 * p.b)
                grading.check_rnn_step(rnn_step, rng.normal(size=D), rng.normal(size=H), p.W, p.b)
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            ## Part C (4 points): unrolling over a sequence

            An RNN reads a sequence $x_0, x_1, \\dots, x_{T-1}$ by applying the same step again and again,
            feeding each new state into the next step. Write `rnn_unroll`, which returns the state after
            every step (not including `h0`). Use your `rnn_step`.
            """),
        answer(
            "rnn_unroll_answer",
            '''
            def rnn_unroll(xs, h0, W, b):
                """Run the plain RNN over a sequence and return every new state.

                Parameters
                ----------
                xs : array (T, D) or (T, B, D)
                    The inputs, time first.
                h0 : array (H,) or (B, H)
                    The state before the first step.
                W : array (H, H + D)
                b : array (H,)

                Returns
                -------
                hs : array (T, H) or (T, B, H)
                    hs[t] is the state after reading xs[t].
                """
                ### BEGIN SOLUTION
                hs = []
                h = h0
                for x in xs:
                    h = rnn_step(x, h, W, b)
                    hs.append(h)
                return np.stack(hs)
                ### END SOLUTION
            ''',
        ),
        locked(
            "sequence",
            """
            # A fixed sequence of T = 12 inputs for this part and the next.
            xs = np.random.default_rng(0).normal(size=(12, 3))
            """,
        ),
        locked(
            "rnn_unroll_visible_check",
            """
            # Your states for the 12-step sequence: expect shape (12, 3).
            print("your states, shape", np.shape(rnn_unroll(xs, example.h_prev, W, b)))
            """,
        ),
        test(
            "rnn_unroll_sequence",
            2,
            """
            \"\"\"rnn_unroll gives the states of the 12-step sequence.\"\"\"
            grading.check_rnn_unroll(rnn_unroll, xs, example.h_prev, W, b)
            """,
        ),
        test(
            "rnn_unroll_batch",
            2,
            """
            \"\"\"rnn_unroll handles a batch of sequences (T, B, D) with states (B, H).\"\"\"
            rng = np.random.default_rng(2)
            grading.check_rnn_unroll(rnn_unroll, rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 3)), W, b)
            ### BEGIN HIDDEN TESTS
            for seed in range(4):
                rng = np.random.default_rng(200 + seed)
                T, D, H, B = (int(n) for n in rng.integers(1, 6, size=4))
                p = rnnlab.RNNParams.random(D, H, seed=seed)
                grading.check_rnn_unroll(rnn_unroll, rng.normal(size=(T, B, D)), rng.normal(size=(B, H)), p.W, p.b)
                grading.check_rnn_unroll(rnn_unroll, rng.normal(size=(T, D)), np.zeros(H), p.W, p.b)
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            ## Part D (4 points): how a gradient shrinks over time

            Take the loss $L = \\sum_j h_{T-1, j}$, the sum of the last state's entries. Its gradient with
            respect to an earlier state follows from the chain rule, one step at a time. Writing
            $W_{hh}$ = `W[:, :H]` for the block of $W$ that multiplies $h_{t-1}$,

            $$\\frac{\\partial L}{\\partial h_{T-1}} = (1, \\dots, 1), \\qquad
            \\frac{\\partial L}{\\partial h_{k-1}} = W_{hh}^\\top \\Bigl(\\frac{\\partial L}{\\partial h_k}
            \\odot (1 - h_k^2)\\Bigr),$$

            because $h_k = \\tanh(W_{hh} h_{k-1} + \\dots)$ and $\\tanh'(a) = 1 - \\tanh(a)^2$.
            Write `gradient_norms`, which returns the Euclidean norm (`np.linalg.norm`) of
            $\\partial L / \\partial h_k$ for every $k = 0, \\dots, T-1$.
            """),
        answer(
            "gradient_norms_answer",
            '''
            def gradient_norms(xs, h0, W, b):
                """Norms of the gradient of sum(h_{T-1}) with respect to every state h_k.

                Parameters
                ----------
                xs : array (T, D)
                    One sequence of inputs.
                h0 : array (H,)
                W : array (H, H + D)
                b : array (H,)

                Returns
                -------
                norms : array (T,)
                    norms[k] is the norm of dL/dh_k, so norms[T - 1] = sqrt(H).
                """
                ### BEGIN SOLUTION
                hs = rnn_unroll(xs, h0, W, b)
                H = hs.shape[-1]
                W_hh = W[:, :H]
                grad = np.ones(H)
                norms = [np.linalg.norm(grad)]
                for k in range(len(hs) - 1, 0, -1):
                    grad = W_hh.T @ (grad * (1 - hs[k] ** 2))
                    norms.append(np.linalg.norm(grad))
                return np.array(norms[::-1])
                ### END SOLUTION
            ''',
        ),
        locked(
            "gradient_norms_visible_check",
            """
            # Your norms for the 12-step sequence, from the first state to the last.
            print(gradient_norms(xs, example.h_prev, W, b))
            """,
        ),
        test(
            "gradient_norms_sequence",
            2,
            """
            \"\"\"gradient_norms matches backpropagation through time on the 12-step sequence.\"\"\"
            grading.check_gradient_norms(gradient_norms, xs, example.h_prev, W, b)
            """,
        ),
        test(
            "gradient_norms_random",
            1,
            """
            \"\"\"gradient_norms matches backpropagation through time for other sizes and weights.\"\"\"
            rng = np.random.default_rng(3)
            p = rnnlab.RNNParams.random(2, 4, seed=3)
            grading.check_gradient_norms(gradient_norms, rng.normal(size=(6, 2)), rng.normal(size=4), 3 * p.W, p.b)
            ### BEGIN HIDDEN TESTS
            for seed in range(4):
                rng = np.random.default_rng(300 + seed)
                T, D, H = (int(n) for n in rng.integers(1, 8, size=3))
                p = rnnlab.RNNParams.random(D, H, seed=seed)
                scale = float(rng.uniform(0.5, 4))
                grading.check_gradient_norms(gradient_norms, rng.normal(size=(T, D)), rng.normal(size=H), scale * p.W, p.b)
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            Look at your norms above: how do they change as $k$ moves away from the last step? Now run
            the cell below, which multiplies the recurrent block $W_{hh}$ by 4 and measures again.
            """),
        locked(
            "gradient_norms_scaled",
            """
            H = W.shape[0]
            W_big = W.copy()
            W_big[:, :H] *= 4
            print("W_hh as given:", gradient_norms(xs, example.h_prev, W, b)[:3])
            print("W_hh times 4: ", gradient_norms(xs, example.h_prev, W_big, b)[:3])
            """,
        ),
        md("""
            Which statement explains the first row of numbers (the gradient with the given weights)?

            - **A.** Floating-point rounding error grows with every step and eats the gradient.
            - **B.** Each step back multiplies the gradient by $W_{hh}^\\top$ and by $\\tanh' \\le 1$; with small
              recurrent weights that product shrinks it, so the shrinking compounds over the steps.
            - **C.** The bias $b$ is added at every step and pulls the gradient towards zero.
            - **D.** The loss only depends on the last input, so earlier states cannot affect it.

            Set `answer_shrink` to one letter, e.g. `answer_shrink = "A"`.
            """),
        answer(
            "answer_shrink_answer",
            """
            answer_shrink = ...
            ### BEGIN SOLUTION
            answer_shrink = "B"
            ### END SOLUTION
            """,
        ),
        test(
            "gradient_shrink_reason",
            1,
            """
            \"\"\"The reason the gradient shrinks over the steps (multiple choice).\"\"\"
            grading.check_choice("answer_shrink", answer_shrink, "ABCD")
            ### BEGIN HIDDEN TESTS
            grading.check_choice("answer_shrink", answer_shrink, "ABCD", expected="B")
            ### END HIDDEN TESTS
            """,
        ),
    ]
