"""Cells of chapters/05_lstm_vs_gru.ipynb: ("md" | "code", source, tags)."""
# ruff: noqa: E501  (markdown and alt text are not wrapped)

IGNORE = ("nbval-ignore-output",)
HIDE = ("hide-input",)

CELLS = [
    (
        "md",
        r"""
# LSTM vs GRU: what the numbers say

The LSTM and the GRU are often compared in one line: "the GRU has fewer parameters, trains faster,
and works about as well". This chapter checks each part of that sentence with `rnnlab`:

1. **Size.** We derive the number of parameters of each cell and find that a GRU has *exactly*
   three quarters of an LSTM's, for every input and hidden size.
2. **Speed.** We time one training step (forward and backward through time) at several sizes.
3. **Quality.** We train a plain RNN, an LSTM and a GRU on two small tasks that need memory, and
   compare their learning curves, final errors and wall times.

The advice at the end is drawn from these measurements and from three larger published comparisons,
so you can see which parts of the folklore rest on evidence.
""",
    ),
    (
        "code",
        r"""
import os
import platform

# Before numpy loads: one BLAS thread and one family of BLAS kernels, so that the training
# runs below give the same numbers to the last digit on every x86-64 machine (and these
# small matrices run faster on one thread).
os.environ["OPENBLAS_NUM_THREADS"] = "1"
if platform.machine().lower() in ("x86_64", "amd64"):
    os.environ["OPENBLAS_CORETYPE"] = "Haswell"

import time
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

import rnnlab
from rnnlab import tasks, viz_training
from rnnlab.viz_training import Table
from rnnlab.models import SequenceModel, n_params
from rnnlab.train import Adam, mse, train

KINDS = ("rnn", "lstm", "gru")
NAMES = viz_training.CELL_NAMES
""",
    ),
    (
        "md",
        r"""
## Counting parameters

Every block of a cell, whether a gate or the candidate, is one affine map of the concatenation
$[h_{t-1}, x_t]$: a matrix of shape $(H, H + D)$ and a bias of shape $(H,)$. A cell with $G$ such
blocks therefore holds

```{math}
:label: cmp-param-count
n(G) = G\,\bigl(H (H + D) + H\bigr), \qquad G \in \{1, 3, 4\}
```

numbers. The plain RNN has one block ($G = 1$); the GRU has three ($G = 3$): the reset gate $r$, the update gate $z$ and
the candidate $\tilde h$; the LSTM has four ($G = 4$): the forget gate $f$, the input gate $i$, the candidate $\tilde c$
and the output gate $o$. Here is {eq}`cmp-param-count` in code, checked against `rnnlab.count_params` and against the
number of entries in a real `GRUParams` object:
""",
    ),
    (
        "code",
        r"""
BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}  # G in the equation


def n_cell(G, D, H):
    return G * (H * (H + D) + H)


# (D, H); (64, 64) is the seeds' Keras example
sizes = [(3, 3), (10, 16), (64, 64), (300, 128), (64, 256)]
rows = []
for D, H in sizes:
    counts = {kind: rnnlab.count_params(kind, D, H) for kind in KINDS}
    assert all(counts[kind] == n_cell(BLOCKS[kind], D, H) for kind in KINDS)
    params = rnnlab.GRUParams.random(D, H, seed=0)
    # and the number of entries of a real parameter object:
    assert counts["gru"] == sum(a.size for a in params.arrays().values())
    ratio = Fraction(counts["gru"], counts["lstm"])
    rows.append([D, H, f"{counts['rnn']:,}", f"{counts['gru']:,}", f"{counts['lstm']:,}", ratio])
Table(["<i>D</i>", "<i>H</i>", "plain RNN", "GRU", "LSTM", "GRU / LSTM"], rows)
""",
    ),
    (
        "md",
        r"""
The last column is the same in every row, and {eq}`cmp-param-count` says why: the bracket
$H(H+D) + H$ does not depend on the cell, so it cancels in the ratio,

```{math}
:label: cmp-ratio
\frac{n_\text{GRU}}{n_\text{LSTM}} = \frac{3\,\bigl(H(H+D) + H\bigr)}{4\,\bigl(H(H+D) + H\bigr)} = \frac{3}{4}.
```

### Two loose phrases in the folklore

*"25-30% fewer parameters."* The saving is exactly one block in four, for every $D$ and $H$:
""",
    ),
    (
        "code",
        r"""
saving = 1 - Fraction(3, 4)
# PyTorch: two biases per block, G (H (H + D) + 2H), here for D = H = 64
torch_ratio = Fraction(3 * (64 * (64 + 64) + 2 * 64), 4 * (64 * (64 + 64) + 2 * 64))
glue("cmp-saving", f"{float(saving):.0%}", display=False)
print(f"GRU saving, one bias per block:  {saving} = {float(saving):.0%}")
print(f"GRU / LSTM with two biases per block (PyTorch, D = H = 64): {torch_ratio}")
""",
    ),
    (
        "md",
        r"""
So the saving is {glue:text}`cmp-saving`, never 30%. PyTorch gives every block two biases (one for
the input product and one for the recurrent product), which adds the same $H$ to every block, so its
ratio is still $3/4$; `tests/test_torch.py::test_count_params_matches_torch` checks `count_params`
against PyTorch's modules. Keras' GRU with its default `reset_after=True` also keeps a second bias for
every block, so the ratio stays $3/4$ there too.

*"3 gates vs 4."* Strictly, the LSTM has three gates ($f$, $i$, $o$) and the GRU two ($r$, $z$); a
gate is a sigmoid that multiplies something. The "3 vs 4" counts the candidate ($\tilde h$ or
$\tilde c$, a $\tanh$ block) as a gate. Counting *blocks of weights* is the right way to predict
size, and it is what {eq}`cmp-param-count` does; counting gates would suggest a ratio of $2/3$,
which is wrong.

The $3/4$ is per cell. In a whole model the embedding and the readout are shared by both choices, so
the saving shrinks. For the seeds' Keras example (a 10,000-word embedding of size 64, a recurrent
layer with $H = 64$, and a one-unit dense readout):
""",
    ),
    (
        "code",
        r"""
V, E, H = 10_000, 64, 64
embedding, readout = V * E, H + 1
model_size = {kind: embedding + rnnlab.count_params(kind, E, H) + readout for kind in ("gru", "lstm")}
model_ratio = model_size["gru"] / model_size["lstm"]
glue("cmp-model-saving", f"{1 - model_ratio:.1%}", display=False)
for kind, n in model_size.items():
    print(f"{NAMES[kind]:>4} model: {n:,} parameters")
print(f"GRU model / LSTM model = {model_ratio:.4f}")
""",
    ),
    (
        "md",
        r"""
Choosing the GRU there saves {glue:text}`cmp-model-saving` of the model's parameters: the embedding
dominates.

## Time per training step

A training step is one forward pass through the sequence and one backward pass through time. Its
arithmetic is dominated by the matrix products, $G$ of them per step (fused into one in `rnnlab`), so
we expect the GRU to cost about $3/4$ of the LSTM once $H$ is large enough for the products to
dominate, and Python's fixed cost per step to blur the difference at small $H$. We time the model
used in the experiments below (a cell followed by a linear readout, $T = 25$ steps, a batch of
$B = 32$, $D = 8$), taking the fastest of three repeats. We measure the processor time used by this
process (`time.process_time`), which other programs running at the same moment disturb less than
they disturb the clock on the wall. Timings still depend on the machine, so this cell's output is
not checked by the tests.
""",
    ),
    (
        "code",
        r"""
def training_step(kind, H, T=25, B=32, D=8):
    # one forward and backward pass of the model on a fixed random batch
    model = SequenceModel(kind, D, H, readout="all")
    params = model.init(seed=0)
    rng = np.random.default_rng(0)
    batch = (rng.standard_normal((T, B, D)), rng.standard_normal((T, B, 1)))
    step = model.loss_and_grads(mse)
    step(params, batch)  # warm-up
    return lambda: step(params, batch)


hidden_sizes = [16, 32, 64, 128, 256]
runs = {(kind, H): training_step(kind, H) for kind in KINDS for H in hidden_sizes}
best = dict.fromkeys(runs, np.inf)
# interleaved repeats, so that a busy moment of the machine hits every model alike
for _ in range(3):
    for key, run in runs.items():
        start = time.process_time()
        run()
        best[key] = min(best[key], time.process_time() - start)
step_ms = {kind: [1e3 * best[kind, H] for H in hidden_sizes] for kind in KINDS}
print("   H " + "".join(f"{NAMES[kind]:>11}" for kind in KINDS) + "   GRU / LSTM")
for k, H in enumerate(hidden_sizes):
    times = "".join(f"{step_ms[kind][k]:8.2f} ms" for kind in KINDS)
    print(f"{H:4d} {times}   {step_ms['gru'][k] / step_ms['lstm'][k]:9.2f}")
glue("cmp-time-ratio-large", f"{step_ms['gru'][-1] / step_ms['lstm'][-1]:.2f}", display=False)
glue("cmp-time-ratio-small", f"{step_ms['gru'][0] / step_ms['lstm'][0]:.2f}", display=False)
glue("cmp-time-H-large", hidden_sizes[-1], display=False)
glue("cmp-time-H-small", hidden_sizes[0], display=False)
""",
        IGNORE,
    ),
    (
        "code",
        r"""
fig = viz_training.step_times(hidden_sizes, step_ms)
glue("cmp-step-times", fig, display=False)
plt.close(fig)
""",
        IGNORE + HIDE,
    ),
    (
        "md",
        r"""
```{glue:figure} cmp-step-times
:alt: Log-log plot of milliseconds per training step against the hidden size H from 16 to 256 for the plain RNN, the LSTM and the GRU. All three grow with H; the plain RNN is the cheapest and the GRU lies a little below the LSTM.
:name: fig-cmp-step-times

Time of one training step (forward and backward through $T = 25$ steps, batch of 32), measured with
`rnnlab` on the machine that built this page. Both axes are logarithmic.
```

On this machine the GRU's step took {glue:text}`cmp-time-ratio-large` of the LSTM's at
$H =$ {glue:text}`cmp-time-H-large`, and {glue:text}`cmp-time-ratio-small` at
$H =$ {glue:text}`cmp-time-H-small`. The GRU's backward pass does a little more bookkeeping per
step than its parameter count suggests (the reset gate sits *inside* the candidate's product, so the
candidate's recurrent product cannot be fused with the gates'), which is why the measured ratio need
not reach $3/4$. Run the cell yourself: the ratios, not the milliseconds, are what carry over to
another machine.

## A training experiment

Size and speed matter only if the smaller model learns as well. We train the three cells on two
synthetic tasks that need memory, with identical settings: hidden size $H =$ {glue:text}`cmp-H`,
batches of {glue:text}`cmp-batch` fresh sequences per step, {glue:text}`cmp-steps` steps of Adam
with learning rate {glue:text}`cmp-lr`, and the gradient clipped to a global norm of
{glue:text}`cmp-clip` {cite:p}`pascanu2013difficulty`,

```{math}
:label: cmp-clip
g \leftarrow g \cdot \min\Bigl(1, \frac{c}{\lVert g \rVert}\Bigr), \qquad \lVert g \rVert = \Bigl(\sum_k \lVert g_k \rVert^2\Bigr)^{1/2},
```

where $g_k$ runs over every weight matrix and bias and $c$ is the threshold. `rnnlab.train.clip_by_global_norm`
implements {eq}`cmp-clip`; here it is on a gradient of norm 5, with the settings of every run below:
""",
    ),
    (
        "code",
        r"""
from rnnlab.train import clip_by_global_norm, global_norm

H, BATCH, STEPS, LR, MAX_NORM = 16, 32, 600, 0.01, 1.0
for name, value in {"H": H, "batch": BATCH, "steps": STEPS, "lr": LR, "clip": MAX_NORM}.items():
    glue(f"cmp-{name}", value, display=False)

g = {"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}
g_clipped, norm = clip_by_global_norm(g, max_norm=MAX_NORM)
print(f"||g|| = {norm}, after clipping: {global_norm(g_clipped)}, g_W = {g_clipped['W']}, g_b = {g_clipped['b']}")
""",
    ),
    (
        "md",
        r"""
`rnnlab.train.Adam` is the optimiser, written out in a few lines in the same file. The LSTM's
forget-gate bias starts at 1, as {cite:t}`jozefowicz2015empirical` recommend; everything else starts from PyTorch's
default initialisation. Every run is seeded, so the curves below are the same every time the page is
executed; only the progress bars and wall times vary.

### Task 1: the adding problem

The **adding problem** {cite:p}`hochreiter1997lstm` feeds a sequence of pairs $(u_t, m_t)$: a number
$u_t \sim \mathcal U(0, 1)$ and a marker $m_t \in \{0, 1\}$ that is 1 at exactly two steps, one in
each half of the sequence. The target is read at the end:

```{math}
:label: cmp-adding
y = \sum_{t=1}^{T} m_t\, u_t .
```

The first marked number must be carried for at least $T/2$ steps, so increasing $T$ increases the
lag the model must bridge. Predicting the mean, $\hat y = 1$, gives a mean squared error of
$\operatorname{Var}(u_1 + u_2) = 1/6$; a model that beats that line has learned to remember. Here is
one short sequence from `rnnlab.tasks.adding_problem`:
""",
    ),
    (
        "code",
        r"""
xs, y = tasks.adding_problem(n=1, lag=8, seed=3)
print("u_t:", np.round(xs[:, 0, 0], 2))
print("m_t:", xs[:, 0, 1].astype(int))
print("y   =", np.round(y[0, 0], 4), "=", " + ".join(f"{u:.4f}" for u in xs[xs[:, 0, 1] == 1, 0, 0]))
""",
    ),
    (
        "md",
        r"""
Each model reads the whole sequence and a linear readout of its last state $h_T$ predicts $y$. We
train at three lags and evaluate on {glue:text}`cmp-n-test` held-out sequences, reporting the mean squared error and the
fraction of sequences answered to within 0.04, the success criterion of
{cite:t}`hochreiter1997lstm`.
""",
    ),
    (
        "code",
        r"""
LAGS = (10, 20, 40)
N_TEST = 500
glue("cmp-n-test", N_TEST, display=False)
adding = {}  # (lag, kind) -> dict(losses, mse, accuracy, seconds)
for lag in LAGS:
    x_test, y_test = tasks.adding_problem(n=N_TEST, lag=lag, seed=10_000)
    for kind in KINDS:
        model = SequenceModel(kind, input_size=2, hidden_size=H)
        params = model.init(seed=0)
        history = train(
            model.loss_and_grads(mse),
            params,
            lambda step, lag=lag: tasks.adding_problem(n=BATCH, lag=lag, seed=step),
            steps=STEPS,
            optimizer=Adam(lr=LR),
            max_norm=MAX_NORM,
            desc=f"{NAMES[kind]}, lag {lag}",
        )
        y_hat, _ = model.forward(params, x_test)
        adding[lag, kind] = dict(
            losses=history.losses,
            mse=float(np.mean((y_hat - y_test) ** 2)),
            accuracy=float(np.mean(np.abs(y_hat - y_test) < 0.04)),
            seconds=history.seconds,
            n_params=n_params(params),
        )
""",
        IGNORE,
    ),
    (
        "code",
        r"""
rows = []
for kind in KINDS:
    results = [adding[lag, kind] for lag in LAGS]
    rows.append([NAMES[kind], results[0]["n_params"]] + [f"{r['mse']:.4f} ({r['accuracy']:.0%})" for r in results])
for lag in LAGS:
    for kind in KINDS:
        glue(f"cmp-add-{kind}-{lag}-mse", f"{adding[lag, kind]['mse']:.4f}", display=False)
        glue(f"cmp-add-{kind}-{lag}-acc", f"{adding[lag, kind]['accuracy']:.0%}", display=False)
Table(["model", "parameters"] + [f"<i>T</i> = {lag}" for lag in LAGS], rows)
""",
    ),
    (
        "md",
        r"""
Each entry is the test mean squared error, with the fraction of answers within 0.04 in brackets
(the mean predictor scores $1/6 \approx 0.167$). The parameter column counts the whole model: cell,
readout and all.
""",
    ),
    (
        "code",
        r"""
fig = viz_training.learning_curves(
    {f"adding problem, T = {lag}": {kind: adding[lag, kind]["losses"] for kind in KINDS} for lag in LAGS},
    baseline=1 / 6,
)
glue("cmp-adding-curves", fig, display=False)
plt.close(fig)
""",
        HIDE,
    ),
    (
        "md",
        r"""
```{glue:figure} cmp-adding-curves
:alt: Three panels of training loss against training step, one per sequence length 10, 20 and 40, on a log scale, with a dashed line at one sixth for predicting the mean. The plain RNN stays near the dashed line at lengths 20 and 40; the GRU drops below it early at every length; the LSTM drops later as the length grows, and at length 40 not at all within the 600 steps shown.
:name: fig-cmp-adding-curves

Training loss on the adding problem (running mean over 20 steps, log scale) for the plain RNN, the
LSTM and the GRU, all with $H =$ {glue:text}`cmp-H`. The dashed line is the loss of always predicting the mean.
```

At the shortest lag every model learns something; at $T = 20$ and $T = 40$ the plain RNN's test error
({glue:text}`cmp-add-rnn-20-mse` and {glue:text}`cmp-add-rnn-40-mse`) stays at the level of
predicting the mean. This is the vanishing gradient of the plain RNN chapter at work
{cite:p}`bengio1994learning`: the signal from the first marker has to pass through $T/2$ or more
multiplications by $W_h^\top \operatorname{diag}(1 - h_t^2)$. The GRU bridges every lag within
{glue:text}`cmp-steps` steps, answering {glue:text}`cmp-add-gru-40-acc` of the sequences to within
0.04 at $T = 40$. The LSTM bridges $T = 10$ and $T = 20$, but its curves leave the line of the mean
later as $T$ grows, and at $T = 40$ it has not left it when training stops (test error
{glue:text}`cmp-add-lstm-40-mse`, {glue:text}`cmp-add-lstm-40-acc` within 0.04). That measures how
fast each cell learns on one seed and one small budget, not what it can learn: the LSTM was
introduced with this very task, solved at far longer lags with far more training
{cite:p}`hochreiter1997lstm`.
""",
    ),
    (
        "code",
        r"""
print("wall time per run (seconds):")
print("  lag " + "".join(f"{NAMES[kind]:>11}" for kind in KINDS))
for lag in LAGS:
    print(f"{lag:5d} " + "".join(f"{adding[lag, kind]['seconds']:9.1f} s" for kind in KINDS))
""",
        IGNORE,
    ),
    (
        "md",
        r"""
### Task 2: forecasting a noisy periodic series

The second task needs a shorter memory. A clean signal with period $P = 16$,

```{math}
:label: cmp-signal
s(t) = \sin\Bigl(\frac{2\pi t}{P}\Bigr) + \frac12 \sin\Bigl(\frac{4\pi t}{P} + 1\Bigr),
```

is observed with noise, $u_t = s(t) + \epsilon_t$ with $\epsilon_t \sim \mathcal N(0, 0.3^2)$, in
windows of 24 steps that start at a random phase. At every step the model predicts the clean value
three steps ahead, $s(t + 3)$, from a linear readout of $h_t$. One observation is not enough (the same
value occurs on the way up and on the way down), so the model must remember where in the cycle it
is. We score the test windows from step 6 on, once every model has seen a few observations, and
compare with the naive forecast $\hat y_t = u_t$ ("tomorrow looks like today").
""",
    ),
    (
        "code",
        r"""
T_SERIES, HORIZON, STEPS_SERIES = 24, 3, 300
x_test, y_test = tasks.noisy_periodic(n=500, length=T_SERIES, horizon=HORIZON, seed=10_000)
naive_mse = float(np.mean((x_test[5:] - y_test[5:]) ** 2))
series = {}
for kind in KINDS:
    model = SequenceModel(kind, input_size=1, hidden_size=H, readout="all")
    params = model.init(seed=0)
    history = train(
        model.loss_and_grads(mse),
        params,
        lambda step: tasks.noisy_periodic(n=BATCH, length=T_SERIES, horizon=HORIZON, seed=step),
        steps=STEPS_SERIES,
        optimizer=Adam(lr=LR),
        max_norm=MAX_NORM,
        desc=f"{NAMES[kind]}, series",
    )
    y_hat, _ = model.forward(params, x_test)
    series[kind] = dict(losses=history.losses, mse=float(np.mean((y_hat[5:] - y_test[5:]) ** 2)),
                        seconds=history.seconds)
""",
        IGNORE,
    ),
    (
        "code",
        r"""
rows = [["naive, ŷ<sub>t</sub> = u<sub>t</sub>", f"{naive_mse:.4f}"]]
rows += [[NAMES[kind], f"{series[kind]['mse']:.4f}"] for kind in KINDS]
glue("cmp-series-naive", f"{naive_mse:.3f}", display=False)
for kind in KINDS:
    glue(f"cmp-series-{kind}", f"{series[kind]['mse']:.4f}", display=False)
Table(["forecast", "test MSE"], rows)
""",
    ),
    (
        "code",
        r"""
fig = viz_training.learning_curves({"noisy periodic series, 3 steps ahead": {k: series[k]["losses"] for k in KINDS}})
glue("cmp-series-curves", fig, display=False)
plt.close(fig)
""",
        HIDE,
    ),
    (
        "md",
        r"""
```{glue:figure} cmp-series-curves
:alt: Training loss against training step on a log scale for the periodic forecasting task. The three curves, plain RNN, LSTM and GRU, fall together and end close to one another.
:name: fig-cmp-series-curves

Training loss on the noisy periodic series (running mean over 20 steps, log scale). The loss includes
the first steps of each window, where no model can know the phase yet, so it stays above the test
error.
```

All three models end far below the naive forecast: test errors {glue:text}`cmp-series-rnn`,
{glue:text}`cmp-series-lstm` and {glue:text}`cmp-series-gru` for the plain RNN, the LSTM and the GRU,
against {glue:text}`cmp-series-naive`. The ranking is not the one of task 1: the GRU, fastest on
the adding problem, is last here, and the plain RNN is as good as the gated cells. A few steps of
memory suffice, and the plain RNN's gradients survive a few steps. Its advantage is cost:
""",
    ),
    (
        "code",
        r"""
print("wall time per run (seconds):")
for kind in KINDS:
    print(f"{NAMES[kind]:>10} {series[kind]['seconds']:6.1f} s")
total = sum(r["seconds"] for r in adding.values()) + sum(r["seconds"] for r in series.values())
print(f"all {len(adding) + len(series)} training runs: {total:.0f} s")
""",
        IGNORE,
    ),
    (
        "md",
        r"""
## When to use which

What our measurements support:

- A GRU cell has exactly $3/4$ of an LSTM cell's parameters ({eq}`cmp-ratio`); in a model with a
  large embedding the difference is small ({glue:text}`cmp-model-saving` for the seeds' example).
- Its training step is cheaper by a factor that depends on the implementation and the size
  (figure {numref}`fig-cmp-step-times`); measure on your own hardware before counting on $3/4$.
- When the task needs memory over tens of steps, the gated cells learn and the plain RNN does not
  (figure {numref}`fig-cmp-adding-curves`). When a few steps of memory suffice, the plain RNN is as
  good and the cheapest (figure {numref}`fig-cmp-series-curves`).
- Between the two gated cells there is no single winner even here: the GRU learned the adding
  problem faster, the LSTM forecast the series slightly better. That is one seed and two toy tasks,
  which is why the literature matters more than this experiment.

What larger studies found:

- {cite:t}`chung2014empirical` compared the three cells on polyphonic music and speech signals: both
  gated cells clearly beat the plain $\tanh$ RNN, and neither gated cell won consistently.
- {cite:t}`jozefowicz2015empirical` evaluated over ten thousand architectures: the GRU beat the LSTM on
  most of their tasks but not on language modelling, and initialising the LSTM's forget-gate bias to
  1 closed most of the gap, which is why our LSTM starts that way.
- {cite:t}`greff2017lstm` studied eight LSTM variants on speech, handwriting and music: none improved
  significantly on the standard LSTM; the forget gate and the output activation were the most
  important parts, and coupling the input and forget gates (one of the GRU's simplifications) did
  not hurt significantly.

Taken together: when memory is needed, use a gated cell. Start with the GRU if parameters, memory or
time per step are tight; otherwise treat the choice as a hyperparameter and try both, because no
study finds a winner on every task. Whichever you pick, clip gradients and, for the LSTM, start the
forget-gate bias at 1.

The next chapter looks at a subtler difference: the same GRU is written in several incompatible ways.
""",
    ),
]
