"""Assignment 3, gru_gates: the GRU by hand and in code, under an explicit update-gate convention."""

from __future__ import annotations

from .cells import answer, header, locked, md, test, written

QUANTITIES = [
    ("r", "reset gate", "gru_reset_gate_by_hand", "0.58, 0.73, 0.45"),
    ("z", "update gate", "gru_update_gate_by_hand", "0.66, 0.42, 0.51"),
    ("h_tilde", "candidate state", "gru_candidate_by_hand", "0.41, -0.26, 0.63"),
    ("h", "new state (z weights h_prev)", "gru_hidden_by_hand", "0.27, 0.02, 0.26"),
]


def by_hand_cells() -> list:
    names = "\n".join(f"{q}_by_hand = [..., ..., ...]" for q, *_ in QUANTITIES)
    solved = "\n".join(f"{q}_by_hand = [{v}]" for q, _, _, v in QUANTITIES)
    out = [answer("gru_by_hand_answer", f"{names}\n### BEGIN SOLUTION\n{solved}\n### END SOLUTION")]
    for q, label, grade_id, _ in QUANTITIES:
        out.append(
            test(
                grade_id,
                2,
                f'''
            """The {label} {q} of the worked example, to two decimals."""
            grading.check_by_hand("{q}_by_hand", {q}_by_hand, "gru", "{q}", z_weights="old")
            ''',
            )
        )
    return out


def cells() -> list:
    return [
        *header(
            "Exercise 3: the GRU's gates",
            "45",
            16,
            """
            You will compute one GRU step of the worked example by hand, write it in numpy under either
            convention for the update gate, and explain in words what the reset gate does. The step is

            $$\\begin{aligned}
            r_t &= \\sigma(W_r [h_{t-1}, x_t] + b_r), \\qquad z_t = \\sigma(W_z [h_{t-1}, x_t] + b_z), \\\\
            \\tilde h_t &= \\tanh(W_h [r_t \\odot h_{t-1}, x_t] + b_h), \\\\
            h_t &= z_t \\odot h_{t-1} + (1 - z_t) \\odot \\tilde h_t .
            \\end{aligned}$$

            **The convention of this exercise.** Sources disagree on which term $z$ multiplies. Here, as in
            Cho et al. (2014), PyTorch and Keras, $z$ weights the *previous* state (`z_weights="old"`):
            $z = 1$ keeps $h_{t-1}$. Chung et al. (2014), Olah's blog and Wikipedia write
            $h_t = (1 - z_t) \\odot h_{t-1} + z_t \\odot \\tilde h_t$ instead (`z_weights="new"`). The reset gate
            acts *before* the matrix product, on $h_{t-1}$ inside the candidate.
            """,
        ),
        locked(
            "example",
            """
            example = rnnlab.examples.gru_3d()
            p = example.params
            print("[h_prev, x] =", np.concatenate([example.h_prev, example.x]))
            for name, value in p.arrays().items():
                print(f"{name} =", value, sep="\\n" if value.ndim == 2 else " ")
            """,
        ),
        md("""
            ## Part A (8 points): one step by hand

            Compute $r$ and $z$, then the candidate (careful: the first three numbers it reads are
            $r \\odot h_{t-1}$, not $h_{t-1}$), then $h$ with this exercise's convention. Three numbers each,
            rounded to two decimals.
            """),
        *by_hand_cells(),
        md("""
            ## Part B (5 points): the step in numpy, under either convention

            Write `gru_step`. The argument `z_weights` selects the convention: `"old"` (this exercise's,
            $z$ weights $h_{t-1}$) or `"new"` ($z$ weights $\\tilde h_t$). Read the weights from
            `p.W_r, p.b_r, p.W_z, p.b_z, p.W_h, p.b_h`.
            """),
        answer(
            "gru_step_answer",
            '''
            def sigmoid(a):
                """The logistic function 1 / (1 + exp(-a)), elementwise (written with tanh: it never overflows)."""
                return 0.5 * np.tanh(0.5 * a) + 0.5


            def gru_step(x, h_prev, p, z_weights="old"):
                """One GRU step, reset gate applied before the candidate's matrix product.

                Parameters
                ----------
                x : array (D,) or (B, D)
                h_prev : array (H,) or (B, H)
                p : rnnlab.GRUParams
                    W_r, W_z, W_h of shape (H, H + D) acting on [h_prev, x]; b_r, b_z, b_h of shape (H,).
                z_weights : {"old", "new"}
                    "old": h = z * h_prev + (1 - z) * h_tilde.  "new": h = (1 - z) * h_prev + z * h_tilde.

                Returns
                -------
                h : array (H,) or (B, H)
                """
                ### BEGIN SOLUTION
                v = np.concatenate([h_prev, x], axis=-1)
                r = sigmoid(v @ p.W_r.T + p.b_r)
                z = sigmoid(v @ p.W_z.T + p.b_z)
                h_tilde = np.tanh(np.concatenate([r * h_prev, x], axis=-1) @ p.W_h.T + p.b_h)
                keep = z if z_weights == "old" else 1 - z
                return keep * h_prev + (1 - keep) * h_tilde
                ### END SOLUTION
            ''',
        ),
        locked(
            "gru_step_visible_check",
            """
            print("your h (old):", gru_step(example.x, example.h_prev, p, z_weights="old"))
            print("your h (new):", gru_step(example.x, example.h_prev, p, z_weights="new"))
            """,
        ),
        test(
            "gru_step_example",
            1,
            """
            \"\"\"gru_step reproduces the worked example's h under this exercise's convention.\"\"\"
            grading.check_gru_step(gru_step, example.x, example.h_prev, p, z_weights="old")
            """,
        ),
        test(
            "gru_step_other_convention",
            1,
            """
            \"\"\"gru_step(..., z_weights="new") gives the other convention's h.\"\"\"
            grading.check_gru_step(gru_step, example.x, example.h_prev, p, z_weights="new")
            """,
        ),
        test(
            "gru_step_batch",
            3,
            """
            \"\"\"gru_step handles batches and other sizes, under both conventions.\"\"\"
            rng = np.random.default_rng(1)
            grading.check_gru_step(gru_step, rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), p)
            ### BEGIN HIDDEN TESTS
            for seed in range(6):
                rng = np.random.default_rng(100 + seed)
                D, H, B = (int(n) for n in rng.integers(1, 7, size=3))
                q = rnnlab.GRUParams.random(D, H, seed=seed)
                q = q.replace(**{name: 3 * value for name, value in q.arrays().items()})
                for convention in ("old", "new"):
                    x, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
                    grading.check_gru_step(gru_step, x, h_prev, q, z_weights=convention)
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            ## Part C (1 point): the convention in one sentence

            Under this exercise's convention, what does an update gate saturated at $z = 1$ do?

            - **A.** It replaces the state by the candidate: $h_t = \\tilde h_t$.
            - **B.** It keeps the previous state: $h_t = h_{t-1}$.
            - **C.** It resets the state to zero.
            - **D.** It averages the two: $h_t = (h_{t-1} + \\tilde h_t) / 2$.

            Set `answer_z_one` to one letter.
            """),
        answer("answer_z_one_answer", 'answer_z_one = ...\n### BEGIN SOLUTION\nanswer_z_one = "B"\n### END SOLUTION'),
        test(
            "convention_z_one",
            1,
            """
            \"\"\"What z = 1 does under the exercise's convention (multiple choice).\"\"\"
            grading.check_choice("answer_z_one", answer_z_one, "ABCD")
            ### BEGIN HIDDEN TESTS
            grading.check_choice("answer_z_one", answer_z_one, "ABCD", expected="B")
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            ## Part D (2 points, graded by hand): what does r = 0 do?

            In two or three sentences: if the reset gate is $r = 0$ (every entry), what does the candidate
            $\\tilde h_t$ depend on, and when is that useful? You can check your reasoning with your
            `gru_step` and `p.replace(b_r=p.b_r - 50)`.
            """),
        written(
            "reset_zero_explanation",
            points=2,
            source="""
            ### BEGIN SOLUTION
            With $r = 0$ the candidate reads $[0, x_t]$: $\\tilde h_t = \\tanh(W_{hx} x_t + b_h)$ depends on the
            current input only, as if the past were forgotten. The unit can then start afresh, e.g. at the
            boundary of a new segment of the sequence; how much of the old state survives is still decided
            by $z$.
            ### END SOLUTION
            """,
        ),
    ]
