"""Cells of chapters/07_applications.ipynb: ("md" | "code", source, tags)."""
# ruff: noqa: E501  (markdown and alt text are not wrapped)

IGNORE = ("nbval-ignore-output",)
HIDE = ("hide-input",)

CELLS = [
    (
        "md",
        r"""
# Applications: reading reviews and forecasting a series

The gated cells were built to carry information across time. This chapter puts them to work on two
small problems, trains each with `rnnlab` in a few seconds, and then opens the models up to see what
their gates learned:

1. a **sentiment classifier** that reads a short "movie review" word by word and says whether it is
   positive, built like the seeds' Keras example (embedding, GRU, dense readout);
2. a **forecaster** that predicts a noisy periodic series a few steps ahead with an LSTM.

The data are generated in code, so everything here runs anywhere in well under a minute.
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

import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

import rnnlab
from rnnlab import tasks, viz_training
from rnnlab.viz_training import Table
from rnnlab.models import SequenceModel, n_params
from rnnlab.train import Adam, bce_with_logits, mse, train
""",
    ),
    (
        "md",
        r"""
## A toy sentiment task

`rnnlab.tasks.toy_reviews` writes reviews of twelve words from a vocabulary of a few dozen: filler
words ("the", "plot", "was", ...), positive and negative words, and the word "not", which flips the
polarity of the word after it. A review contains one or three sentiment phrases, and its label is 1
when their polarities add up to more than zero. To get it right a model must remember every phrase
it has read until the end, and carry a "not" to the next word. Half of the reviews are positive.
""",
    ),
    (
        "code",
        r"""
train_set = tasks.toy_reviews(n=2000, length=12, seed=0)
test_set = tasks.toy_reviews(n=500, length=12, seed=1)
V = len(train_set.vocab)
print(f"vocabulary: {V} words; {train_set.labels.size} training and {test_set.labels.size} test reviews; "
      f"positive fraction {train_set.labels.mean():.2f}")
for i in range(6):
    print(f"{'positive' if test_set.labels[i] else 'negative':>9}: {test_set.text(i)}")
""",
    ),
    (
        "md",
        r"""
### The model

The model is the seeds' `Embedding -> GRU -> Dense(1, sigmoid)`, scaled down. Each word $w_t$ is
looked up in an embedding table $E$ of shape $(V, D)$, the GRU reads the vectors, and a linear
readout of the last state gives the probability that the review is positive:

```{math}
:label: app-classifier
e_t = E[w_t], \qquad h_t = \operatorname{GRU}(h_{t-1}, e_t), \qquad
\hat p = \sigma\bigl(w_y^\top h_T + b_y\bigr).
```

It is trained on the binary cross-entropy of the logit $s = w_y^\top h_T + b_y$,

```{math}
:label: app-bce
L = \frac1B \sum_{n=1}^{B} \Bigl[\log\bigl(1 + e^{s_n}\bigr) - y_n s_n\Bigr], \qquad
\frac{\partial L}{\partial s_n} = \frac{\sigma(s_n) - y_n}{B},
```

which is `rnnlab.train.bce_with_logits`. `rnnlab.models.SequenceModel` wires {eq}`app-classifier`
from `rnnlab`'s own sequence functions: its backward pass is `gru_backward` followed by the
embedding's gradient, a sum of $\partial L / \partial e_t$ into the rows of the words that were read.
""",
    ),
    (
        "code",
        r"""
D, H = 8, 16
classifier = SequenceModel("gru", input_size=D, hidden_size=H, vocab_size=V, readout="last")
weights = classifier.init(seed=0)
for name, array in weights.items():
    print(f"{name:>4}: {array.shape}", end="\n" if name in ("W_h", "b_h", "E") else "   ")
print("parameters:", n_params(weights), "of which the GRU has", rnnlab.count_params("gru", D, H))
""",
    ),
    (
        "code",
        r"""
def review_batch(step, size=32):
    rows = np.random.default_rng(step).integers(0, train_set.labels.size, size)
    return train_set.tokens[:, rows], train_set.labels[rows, None]


history = train(classifier.loss_and_grads(bce_with_logits), weights, review_batch,
                steps=600, optimizer=Adam(lr=0.01), max_norm=1.0, desc="GRU sentiment classifier")
print(f"trained in {history.seconds:.1f} s")
""",
        IGNORE,
    ),
    (
        "code",
        r"""
logits, _ = classifier.forward(weights, test_set.tokens)
predicted = (logits[:, 0] > 0).astype(float)
accuracy = np.mean(predicted == test_set.labels)
glue("app-review-accuracy", f"{accuracy:.1%}", display=False)
print(f"training loss, mean of the last 50 steps: {history.losses[-50:].mean():.4f}")
print(f"test accuracy: {accuracy:.1%}")
""",
    ),
    (
        "md",
        r"""
The classifier labels {glue:text}`app-review-accuracy` of the held-out reviews correctly. The rule
that made the labels is exact and short, so a perfect score is within reach of so small a model; a
model that ignored word order could not get there, because the same bag of words is negative as
"not good ... bad" and positive as "good ... not bad".

### What the update gate learned

With `rnnlab`'s default convention, $h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t$: a unit
with $z_t$ near 1 *keeps* its state through word $t$, and a unit with $z_t$ near 0 *rewrites* it (the
conventions chapter explains why other sources read $z_t$ the other way round). To see the gate, we
replay one test review through `rnnlab.gru_step`, one word at a time, with the trained weights, and
record $z_t$ for every unit:
""",
    ),
    (
        "code",
        r"""
def gate_trace(tokens):
    # Replay one review step by step; return the (T, H) update-gate values.
    cell, h = classifier.cell(weights), np.zeros(H)
    zs = []
    for token in tokens:
        step = rnnlab.gru_step(weights["E"][token], h, cell)
        zs.append(step.z)
        h = step.h
    return np.array(zs)


shown = next(i for i in range(test_set.labels.size) if "not" in test_set.words(i) and predicted[i] == test_set.labels[i])
z_shown = gate_trace(test_set.tokens[:, shown])
print(f"review {shown} ({'positive' if test_set.labels[shown] else 'negative'}): {test_set.text(shown)}")
""",
    ),
    (
        "code",
        r"""
fig = viz_training.gate_heatmap(z_shown, test_set.words(shown), title="update gate $z_t$ while reading one review")
glue("app-z-heatmap", fig, display=False)
plt.close(fig)
""",
        HIDE,
    ),
    (
        "md",
        r"""
```{glue:figure} app-z-heatmap
:alt: Heatmap with the twelve words of a test review along the horizontal axis and the sixteen units of the GRU along the vertical axis; colour gives the update gate between 0 and 1. Values vary from unit to unit and word to word; the column under the word "not" is the darkest, with most units near 0, meaning their state is rewritten there.
:name: fig-app-z-heatmap

The trained classifier's update gate $z_t$ for every unit (rows) at every word (columns) of one test
review. Light: the unit keeps its state ($z_t \approx 1$); dark: it takes the new candidate.
```

One review is an anecdote, so here is the same reading over the whole test set: the average of
$1 - z_t$ over units, that is, how much of the state is rewritten, grouped by the kind of word being
read.
""",
    ),
    (
        "code",
        r"""
kinds = {"filler": tasks.FILLER, "not": (tasks.NEGATION,), "sentiment": tasks.POSITIVE + tasks.NEGATIVE}
word_kind = {word: kind for kind, words in kinds.items() for word in words}
rewrite = {kind: [] for kind in kinds}
for i in range(200):
    z = gate_trace(test_set.tokens[:, i])
    for word, z_t in zip(test_set.words(i), z):
        rewrite[word_kind[word]].append(1 - z_t.mean())
rows = []
for kind, values in rewrite.items():
    rows.append([kind, f"{np.mean(values):.3f}", len(values)])
    glue(f"app-rewrite-{kind}", f"{np.mean(values):.2f}", display=False)
Table(["word read", "mean of 1 − z<sub>t</sub> over units", "words seen"], rows)
""",
    ),
    (
        "md",
        r"""
On average the GRU rewrites {glue:text}`app-rewrite-not` of its state at "not",
{glue:text}`app-rewrite-sentiment` at a sentiment word, and {glue:text}`app-rewrite-filler` at a
filler word. Nobody told it which words matter, yet its update gate opens widest at the words that
change the answer, and least at the words that carry nothing: the "decide which words are important"
behaviour the seeds ascribe to a review classifier, here measured rather than assumed. The gate is
far from a clean switch, though; every kind of word rewrites part of the state, as the heatmap shows.

## A time-series forecaster

The second model forecasts the noisy periodic series of the comparison chapter, $u_t = s(t) +
\epsilon_t$ with $s$ from {eq}`cmp-signal`, three steps ahead. This time the cell is an LSTM, with a
linear readout at every step:

```{math}
:label: app-forecaster
h_t, c_t = \operatorname{LSTM}(h_{t-1}, c_{t-1}, u_t), \qquad \hat y_t = w_y^\top h_t + b_y \approx s(t + 3),
```

trained on the mean squared error over all steps of windows of 40 observations.
""",
    ),
    (
        "code",
        r"""
T_SERIES, HORIZON, H_SERIES = 40, 3, 16
forecaster = SequenceModel("lstm", input_size=1, hidden_size=H_SERIES, readout="all")
lstm_weights = forecaster.init(seed=0)
series_history = train(
    forecaster.loss_and_grads(mse), lstm_weights,
    lambda step: tasks.noisy_periodic(n=32, length=T_SERIES, horizon=HORIZON, seed=step),
    steps=500, optimizer=Adam(lr=0.01), max_norm=1.0, desc="LSTM forecaster",
)
print(f"trained in {series_history.seconds:.1f} s")
""",
        IGNORE,
    ),
    (
        "code",
        r"""
x_test, y_test = tasks.noisy_periodic(n=300, length=T_SERIES, horizon=HORIZON, seed=10_000)
y_hat, _ = forecaster.forward(lstm_weights, x_test)
later = slice(5, None)  # after a few observations, once the phase can be known
model_mse = np.mean((y_hat[later] - y_test[later]) ** 2)
naive_mse = np.mean((x_test[later] - y_test[later]) ** 2)
glue("app-forecast-mse", f"{model_mse:.3f}", display=False)
glue("app-naive-mse", f"{naive_mse:.3f}", display=False)
print(f"test MSE from step 6 on: LSTM {model_mse:.4f}, naive forecast u_t {naive_mse:.4f}")
""",
    ),
    (
        "code",
        r"""
fig = viz_training.forecast(x_test[:, 0, 0], y_test[:, 0, 0], {"lstm": y_hat[:, 0, 0]}, HORIZON)
glue("app-forecast", fig, display=False)
plt.close(fig)
""",
        HIDE,
    ),
    (
        "md",
        r"""
```{glue:figure} app-forecast
:alt: Line plot over 40 time steps of one test window. Grey dots are the noisy observations, a dark line is the clean periodic signal, and a blue line is the LSTM's forecast made three steps earlier. After the first few steps the blue line follows the dark line closely, while the dots scatter around it.
:name: fig-app-forecast

One test window: the noisy observations $u_t$ (dots), the clean signal, and the LSTM's forecast of
$s(t + 3)$ drawn at time $t + 3$. The first few forecasts are poor: the model has not yet seen enough
of the window to know its phase.
```

From step 6 on, the forecaster's mean squared error is {glue:text}`app-forecast-mse`, against
{glue:text}`app-naive-mse` for repeating the last observation.

### What the forget gate learned

The LSTM's forget gate $f_t$ decides, unit by unit, how much of the cell state $c_{t-1}$ survives
step $t$. Replaying the test window through `rnnlab.lstm_step`:
""",
    ),
    (
        "code",
        r"""
cell = forecaster.cell(lstm_weights)
h, c = np.zeros(H_SERIES), np.zeros(H_SERIES)
forget = []
for u_t in x_test[:, 0]:
    step = rnnlab.lstm_step(u_t, h, c, cell)
    forget.append(step.f)
    h, c = step.h, step.c
forget = np.array(forget)
per_unit = forget.mean(axis=0)
glue("app-forget-mean", f"{forget.mean():.2f}", display=False)
glue("app-forget-max", f"{per_unit.max():.2f}", display=False)
glue("app-forget-min", f"{per_unit.min():.2f}", display=False)
print(f"mean forget gate over the window: {forget.mean():.3f}")
print("mean f_t per unit, sorted:", np.round(np.sort(per_unit), 2))
""",
    ),
    (
        "code",
        r"""
labels = [str(t) if t % 5 == 0 else "" for t in range(T_SERIES)]
fig = viz_training.gate_heatmap(forget, labels, title="forget gate $f_t$ over one test window (time step)", name="f")
glue("app-f-heatmap", fig, display=False)
plt.close(fig)
""",
        HIDE,
    ),
    (
        "md",
        r"""
```{glue:figure} app-f-heatmap
:alt: Heatmap with the 40 time steps of a test window along the horizontal axis and the sixteen LSTM units along the vertical axis; colour gives the forget gate between 0 and 1. One unit stays light throughout; most others alternate between lighter and darker bands that repeat every 16 steps, the period of the signal.
:name: fig-app-f-heatmap

The trained forecaster's forget gate $f_t$ for every unit (rows) over one test window (columns, the
time step). Light: the unit keeps its cell state; dark: it clears it.
```

The mean forget gate over the window is {glue:text}`app-forget-mean`, but the units divide the work:
the most persistent unit keeps {glue:text}`app-forget-max` of its cell state per step on average,
the most forgetful only {glue:text}`app-forget-min`. A unit that keeps a fraction $f$ per step
remembers a value for roughly $1/(1 - f)$ steps, so this forecaster's memory spans a few steps, not
the whole window; that is enough, since a few recent observations fix the phase of the cycle. The
light and dark bands in the heatmap repeat with the signal's period of 16 steps: the gates clear
and keep memory at particular phases of the cycle.

## Where to go from here

Both models are small enough to change and re-run in seconds: make the reviews longer, add a second
"not", swap the GRU for an LSTM with `SequenceModel("lstm", ...)`, or lengthen the forecast horizon,
and watch how accuracy and the gates respond. The comparison chapter measured which cell to prefer
when; the exercises ask you to write the cells' equations yourself and check them against `rnnlab`.
""",
    ),
]
