"""Assignment 4, lstm_vs_gru: parameter counts, a speed prediction and measurement, and when to use which."""

# ruff: noqa: E501  (notebook source: a test statement stays on one line so students can read it)

from __future__ import annotations

from .cells import answer, header, locked, md, test


def choice(name: str, grade_id: str, question: str, options: list[str], right: str) -> list:
    listed = "\n".join(f"- **{letter}.** {text}" for letter, text in zip("ABCD", options, strict=False))
    letters = "ABCD"[: len(options)]
    return [
        md(f"{question}\n\n{listed}\n\nSet `{name}` to one letter."),
        answer(f"{name}_answer", f'{name} = ...\n### BEGIN SOLUTION\n{name} = "{right}"\n### END SOLUTION'),
        test(
            grade_id,
            1,
            f'''
            """{question.splitlines()[0].strip()} (multiple choice)."""
            grading.check_choice("{name}", {name}, "{letters}")
            ### BEGIN HIDDEN TESTS
            grading.check_choice("{name}", {name}, "{letters}", expected="{right}")
            ### END HIDDEN TESTS
            ''',
        ),
    ]


def cells() -> list:
    return [
        *header(
            "Exercise 4: LSTM or GRU?",
            "40",
            10,
            """
            The GRU does with three weight matrices what the LSTM does with four. You will derive how many
            numbers each cell learns, predict and then measure which one runs faster, and decide which to
            use in two situations. Inputs have size $D$, states size $H$; every gate has a weight matrix of
            shape $(H, H + D)$ acting on $[h_{t-1}, x_t]$ and one bias of shape $(H,)$.
            """,
        ),
        md("""
            ## Part A (4 points): counting parameters

            Derive the number of trainable numbers of one LSTM cell and one GRU cell as a formula in $D$ and
            $H$ (one bias per gate, as in this course), then implement both formulas.
            """),
        answer(
            "param_count_answer",
            '''
            def lstm_param_count(D, H):
                """Number of weights and biases of one LSTM cell (4 gates, one bias each).

                Parameters
                ----------
                D, H : int
                    Input size and hidden size.

                Returns
                -------
                int
                """
                ### BEGIN SOLUTION
                return 4 * (H * (H + D) + H)
                ### END SOLUTION


            def gru_param_count(D, H):
                """Number of weights and biases of one GRU cell (3 gates, one bias each).

                Parameters
                ----------
                D, H : int

                Returns
                -------
                int
                """
                ### BEGIN SOLUTION
                return 3 * (H * (H + D) + H)
                ### END SOLUTION
            ''',
        ),
        locked(
            "param_count_visible_check",
            """
            print("LSTM, D=3, H=3:", lstm_param_count(3, 3))
            print("GRU,  D=3, H=3:", gru_param_count(3, 3))
            """,
        ),
        test(
            "lstm_param_count_formula",
            2,
            """
            \"\"\"lstm_param_count matches the LSTM's parameters for several sizes.\"\"\"
            for D, H in [(3, 3), (1, 5), (10, 2)]:
                grading.check_close(f"lstm_param_count({D}, {H})", lstm_param_count(D, H), rnnlab.count_params("lstm", D, H))
            ### BEGIN HIDDEN TESTS
            rng = np.random.default_rng(4)
            for D, H in rng.integers(1, 300, size=(8, 2)):
                D, H = int(D), int(H)
                grading.check_close(f"lstm_param_count({D}, {H})", lstm_param_count(D, H), rnnlab.count_params("lstm", D, H))
            ### END HIDDEN TESTS
            """,
        ),
        test(
            "gru_param_count_formula",
            2,
            """
            \"\"\"gru_param_count matches the GRU's parameters for several sizes.\"\"\"
            for D, H in [(3, 3), (1, 5), (10, 2)]:
                grading.check_close(f"gru_param_count({D}, {H})", gru_param_count(D, H), rnnlab.count_params("gru", D, H))
            ### BEGIN HIDDEN TESTS
            rng = np.random.default_rng(5)
            for D, H in rng.integers(1, 300, size=(8, 2)):
                D, H = int(D), int(H)
                grading.check_close(f"gru_param_count({D}, {H})", gru_param_count(D, H), rnnlab.count_params("gru", D, H))
            ### END HIDDEN TESTS
            """,
        ),
        md("""
            ## Part B (4 points): predict, then measure

            Before measuring: for the same $D$, $H$, batch and sequence length, which forward pass over a
            sequence do you expect to be faster, `rnnlab.lstm_forward` or `rnnlab.gru_forward`? Answer
            **A** (the LSTM), **B** (the GRU) or **C** (no real difference). Any answer earns the point: it is
            a prediction, and the measurement below may or may not agree with it.
            """),
        answer(
            "prediction_answer",
            'prediction_faster = ...\n### BEGIN SOLUTION\nprediction_faster = "B"\n### END SOLUTION',
        ),
        test(
            "speed_prediction",
            1,
            """
            \"\"\"A prediction was made (any of A, B, C).\"\"\"
            grading.check_choice("prediction_faster", prediction_faster, "ABC")
            """,
        ),
        md("""
            Now write `time_forward`: it builds random weights with `rnnlab.LSTMParams.random(D, H)` or
            `rnnlab.GRUParams.random(D, H)`, a random input `xs` of shape `(T, B, D)`, and returns the
            wall-clock seconds of `repeats` separate forward passes (use `time.perf_counter()`). Here you
            *should* call rnnlab: you are measuring it.
            """),
        answer(
            "time_forward_answer",
            '''
            import time


            def time_forward(kind, T, B, D, H, repeats=5):
                """Seconds taken by each of `repeats` forward passes of rnnlab's LSTM or GRU.

                Parameters
                ----------
                kind : {"lstm", "gru"}
                T, B, D, H : int
                    Sequence length, batch size, input size, hidden size.
                repeats : int

                Returns
                -------
                times : array (repeats,) of float, every entry > 0
                """
                ### BEGIN SOLUTION
                xs = np.random.default_rng(0).normal(size=(T, B, D))
                times = []
                for _ in range(repeats):
                    if kind == "lstm":
                        p = rnnlab.LSTMParams.random(D, H)
                        start = time.perf_counter()
                        rnnlab.lstm_forward(xs, None, None, p)
                    else:
                        p = rnnlab.GRUParams.random(D, H)
                        start = time.perf_counter()
                        rnnlab.gru_forward(xs, None, p)
                    times.append(time.perf_counter() - start)
                return np.array(times)
                ### END SOLUTION
            ''',
        ),
        locked(
            "time_forward_visible_check",
            """
            lstm_times = time_forward("lstm", T=50, B=16, D=32, H=64)
            gru_times = time_forward("gru", T=50, B=16, D=32, H=64)
            print(f"median LSTM {np.median(lstm_times) * 1e3:.2f} ms, median GRU {np.median(gru_times) * 1e3:.2f} ms")
            print(f"GRU / LSTM time: {np.median(gru_times) / np.median(lstm_times):.2f}")
            """,
        ),
        test(
            "time_forward_returns_times",
            3,
            """
            \"\"\"time_forward returns one positive time per repeat, for both kinds (no threshold on speed).\"\"\"
            for kind, repeats in [("lstm", 3), ("gru", 4)]:
                times = time_forward(kind, T=4, B=2, D=3, H=5, repeats=repeats)
                grading.check_array(f"time_forward({kind!r}, ..., repeats={repeats})", times, (repeats,), positive=True)
            """,
        ),
        md("""
            Compare your prediction with the measurement. (The GRU does three quarters of the LSTM's
            arithmetic, but with the reset gate applied before the product its candidate needs a second,
            sequential matrix product per step; which effect wins depends on the sizes.)

            ## Part C (2 points): which one would you choose?
            """),
        *choice(
            "answer_small_data",
            "prefer_small_data",
            "You have little training data and a tight memory budget on the device, and the sequences are "
            "short. Which cell is the better first choice?",
            [
                "The LSTM: its separate cell state always generalises better.",
                "The GRU: a quarter fewer parameters, so less to fit and to store, and it often matches the LSTM.",
                "Neither: gated cells need large data sets.",
            ],
            "B",
        ),
        *choice(
            "answer_hidden_memory",
            "prefer_hidden_memory",
            "A task needs the network to keep a count in memory for a long time while showing nothing of it in "
            "its output until the end. Which cell has a dedicated mechanism for that?",
            [
                "The LSTM: the output gate can hide the cell state c while the forget gate keeps it.",
                "The GRU: its update gate z exposes the state at every step.",
                "The plain RNN: it has no gates to get in the way.",
            ],
            "A",
        ),
    ]
