"""Assignment 2, lstm_gates: the LSTM's gates by hand and in code, and what each gate does when it saturates."""

# ruff: noqa: E501  (notebook source: a test statement stays on one line so students can read it)

from __future__ import annotations

from .cells import answer, header, locked, md, test

QUANTITIES = [
    ("f", "forget gate", "lstm_forget_gate_by_hand", "0.65, 0.42, 0.78"),
    ("i", "input gate", "lstm_input_gate_by_hand", "0.53, 0.71, 0.48"),
    ("c_tilde", "candidate cell", "lstm_candidate_by_hand", "0.32, -0.54, 0.67"),
    ("c", "new cell state", "lstm_cell_state_by_hand", "0.56, -0.47, 0.55"),
    ("o", "output gate", "lstm_output_gate_by_hand", "0.62, 0.48, 0.71"),
    ("h", "new hidden state", "lstm_hidden_by_hand", "0.31, -0.21, 0.36"),
]

CHOICES = [
    (
        "answer_forget_closed",
        "The forget gate saturates at $f = 0$ (every entry), the other gates are anywhere in between.",
        [
            "The cell state is copied unchanged: $c_t = c_{t-1}$.",
            "The cell forgets its old content: $c_t = i_t \\odot \\tilde c_t$.",
            "The hidden state becomes zero: $h_t = 0$.",
            "The new input is ignored: $c_t = f_t \\odot c_{t-1}$.",
        ],
        "B",
    ),
    (
        "answer_input_closed",
        "The input gate saturates at $i = 0$ and the forget gate at $f = 1$.",
        [
            "The cell keeps its memory exactly, $c_t = c_{t-1}$, whatever the input.",
            "The cell is overwritten by the candidate, $c_t = \\tilde c_t$.",
            "The cell is reset to zero.",
            "The output gate closes too.",
        ],
        "A",
    ),
    (
        "answer_output_closed",
        "The output gate saturates at $o = 0$.",
        [
            "The cell state is reset to zero.",
            "The gradient stops flowing along the cell state.",
            "The hidden state is $h_t = 0$ although the cell may still hold information in $c_t$.",
            "The forget gate becomes 1.",
        ],
        "C",
    ),
]


def by_hand_cells() -> list:
    names = "\n".join(f"{q}_by_hand = [..., ..., ...]" for q, *_ in QUANTITIES)
    solved = "\n".join(f"{q}_by_hand = [{v}]" for q, _, _, v in QUANTITIES)
    out = [answer("lstm_by_hand_answer", f"{names}\n### BEGIN SOLUTION\n{solved}\n### END SOLUTION")]
    for q, label, grade_id, _ in QUANTITIES:
        out.append(
            test(
                grade_id,
                1,
                f'''
            """The {label} {q} of the worked example, to two decimals."""
            grading.check_by_hand("{q}_by_hand", {q}_by_hand, "lstm", "{q}")
            ''',
            )
        )
    return out


def choice_cells() -> list:
    out = []
    for name, situation, options, right in CHOICES:
        listed = "\n".join(f"- **{letter}.** {text}" for letter, text in zip("ABCD", options, strict=True))
        out.append(md(f"{situation} What happens?\n\n{listed}\n\nSet `{name}` to one letter."))
        out.append(answer(f"{name}_answer", f'{name} = ...\n### BEGIN SOLUTION\n{name} = "{right}"\n### END SOLUTION'))
        out.append(
            test(
                name.replace("answer_", "saturation_"),
                1,
                f'''
            """What a saturated gate does (multiple choice)."""
            grading.check_choice("{name}", {name}, "ABCD")
            ### BEGIN HIDDEN TESTS
            grading.check_choice("{name}", {name}, "ABCD", expected="{right}")
            ### END HIDDEN TESTS
            ''',
            )
        )
    return out


def cells() -> list:
    return [
        *header(
            "Exercise 2: the LSTM's gates",
            "45",
            14,
            """
            You will compute every quantity of one LSTM step of the worked example by hand, write the step
            in numpy, and reason about what each gate does when it saturates at 0 or 1. The step is

            $$\\begin{aligned}
            f_t &= \\sigma(W_f [h_{t-1}, x_t] + b_f), & i_t &= \\sigma(W_i [h_{t-1}, x_t] + b_i), \\\\
            \\tilde c_t &= \\tanh(W_c [h_{t-1}, x_t] + b_c), & c_t &= f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t, \\\\
            o_t &= \\sigma(W_o [h_{t-1}, x_t] + b_o), & h_t &= o_t \\odot \\tanh(c_t),
            \\end{aligned}$$

            with $\\sigma(a) = 1 / (1 + e^{-a})$ and every $W$ of shape $(H, H + D)$ acting on the previous
            state followed by the input.
            """,
        ),
        locked(
            "example",
            """
            example = rnnlab.examples.lstm_3d()
            p = example.params
            print("[h_prev, x] =", np.concatenate([example.h_prev, example.x]))
            print("c_prev      =", example.c_prev)
            for name, value in p.arrays().items():
                print(f"{name} =", value, sep="\\n" if value.ndim == 2 else " ")
            """,
        ),
        md("""
            ## Part A (6 points): one step by hand

            Compute the four pre-activations (row times $[h_{t-1}, x_t]$ plus bias), squash them, then the
            cell and the hidden state. Enter each as three numbers rounded to two decimals. The tests tell
            you which entries are wrong, but not their values.
            """),
        *by_hand_cells(),
        md("""
            ## Part B (5 points): the step in numpy

            Write `lstm_step`. It returns the new hidden state and the new cell state, `(h, c)`. Read the
            weights from the params object: `p.W_f, p.b_f, p.W_i, p.b_i, p.W_c, p.b_c, p.W_o, p.b_o`. It must
            work for one vector and for a batch (rows are examples): use `v @ W.T` for $W v$.
            """),
        answer(
            "lstm_step_answer",
            '''
            def sigmoid(a):
                """The logistic function 1 / (1 + exp(-a)), elementwise (written with tanh: it never overflows)."""
                return 0.5 * np.tanh(0.5 * a) + 0.5


            def lstm_step(x, h_prev, c_prev, p):
                """One LSTM step.

                Parameters
                ----------
                x : array (D,) or (B, D)
                h_prev, c_prev : arrays (H,) or (B, H)
                p : rnnlab.LSTMParams
                    W_f, W_i, W_c, W_o of shape (H, H + D) acting on [h_prev, x]; b_f, b_i, b_c, b_o of shape (H,).

                Returns
                -------
                h, c : arrays (H,) or (B, H)
                    The new hidden state and the new cell state.
                """
                ### BEGIN SOLUTION
                v = np.concatenate([h_prev, x], axis=-1)
                f = sigmoid(v @ p.W_f.T + p.b_f)
                i = sigmoid(v @ p.W_i.T + p.b_i)
                c_tilde = np.tanh(v @ p.W_c.T + p.b_c)
                c = f * c_prev + i * c_tilde
                o = sigmoid(v @ p.W_o.T + p.b_o)
                return o * np.tanh(c), c
                ### END SOLUTION
            ''',
        ),
        locked(
            "lstm_step_visible_check",
            """
            h, c = lstm_step(example.x, example.h_prev, example.c_prev, p)
            print("your h:", h)
            print("your c:", c)
            """,
        ),
        test(
            "lstm_step_example",
            2,
            """
            \"\"\"lstm_step reproduces the worked example's h and c.\"\"\"
            grading.check_lstm_step(lstm_step, example.x, example.h_prev, example.c_prev, p)
            """,
        ),
        test(
            "lstm_step_batch",
            3,
            """
            \"\"\"lstm_step handles batches and other sizes.\"\"\"
            rng = np.random.default_rng(1)
            grading.check_lstm_step(lstm_step, rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), p)
            ### BEGIN HIDDEN TESTS
            for seed in range(6):
                rng = np.random.default_rng(100 + seed)
                D, H, B = (int(n) for n in rng.integers(1, 7, size=3))
                q = rnnlab.LSTMParams.random(D, H, seed=seed)
                q = q.replace(**{name: 3 * value for name, value in q.arrays().items()})
                grading.check_lstm_step(lstm_step, rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H)), q)
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            ## Part C (3 points): saturated gates

            A gate saturates when its pre-activation is large: $\\sigma(a)$ is then practically 0 or 1. You can
            try it with your `lstm_step`, e.g. by adding a large number to `p.b_f` with
            `p.replace(b_f=p.b_f - 50)`.
            """),
        *choice_cells(),
    ]
