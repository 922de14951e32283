# ruff: noqa: E501  (alt texts and display equations are single long lines by design)
"""Write the notebooks of the first chapters (02 RNN, 03 LSTM, 04 GRU) from the cell sources below.

Usage::

    .venv/bin/python tools/build_chapters_a.py [chapters/02_rnn.ipynb ...]   # default: all three
    .venv/bin/jupyter nbconvert --to notebook --execute --inplace chapters/0[234]_*.ipynb

A chapter is a list of cells: ``md(text)`` for prose, ``code(source, *tags)`` for code. The notebooks are
written without outputs; executing them (second command) fills in every number and figure.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def md(text: str) -> tuple[str, str, tuple[str, ...]]:
    return ("md", text, ())


def code(source: str, *tags: str) -> tuple[str, str, tuple[str, ...]]:
    return ("code", source, tags)


SETUP = code(
    """
%matplotlib inline
import numpy as np
from myst_nb import glue

import rnnlab
from rnnlab import diagrams, viz
from rnnlab.functions import concat

np.set_printoptions(precision=4, suppress=True, floatmode="fixed")
"""
)

HAND = code(
    '''
def glue_number(name, value):
    """Glue a number for the prose, rounded to 10 significant digits so the stored text is portable."""
    glue(name, float(f"{float(value):.10g}"), display=False)


def by_hand(row, v, bias):
    """The dot product of one weight row with [h_{t-1}, x_t], plus the bias, written out term by term."""
    terms = " + ".join(f"({w:g})({value:g})" for w, value in zip(row, v, strict=True))
    return f"{terms} + ({bias:g})"
''',
    "remove-cell",
)

# --------------------------------------------------------------------------------------------------
# Chapter 2: sequences and the plain RNN
# --------------------------------------------------------------------------------------------------

RNN = [
    md(r"""
# Sequences and the plain RNN

A **sequence** is data whose order matters: the words of a review, the samples of a sound, the daily
prices of a stock. This chapter builds the simplest network that reads a sequence one element at a time,
the plain **recurrent neural network** (RNN). We

1. see why reading a sequence needs a **state** that is carried from step to step;
2. write the RNN cell as one equation and compute one step of it on three-dimensional numbers;
3. unroll the cell over a short sequence;
4. derive backpropagation through time, one chain-rule step per equation;
5. measure how the gradient shrinks or grows as it travels back in time, the problem the LSTM and the
   GRU were designed to fix {cite}`bengio1994learning,pascanu2013difficulty`.

Every number below is computed by `rnnlab`, the small numpy library that ships with the book.
"""),
    SETUP,
    HAND,
    md(r"""
## Why sequences need state

Compare the reviews "the film was bad" and "the film was not bad". The last word is the same; what it
means depends on a word that came two steps earlier. A model that sees one word at a time can only get
this right if it remembers something about the words it has already read.

A recurrent network does exactly that. It keeps a vector $h_t$, the **hidden state**, and updates it at
every step from the previous state $h_{t-1}$ and the new input $x_t$. The same update, with the same
weights, runs at every step, so one small set of parameters handles sequences of any length. Everything
the network knows about the past has to pass through $h_t$; how well information survives that
bottleneck over many steps is the theme of this whole book.
"""),
    md(r"""
## The RNN cell

The plain RNN cell concatenates the previous state and the input into one vector
$[h_{t-1}, x_t]$ of length $H + D$, applies one affine map, and squashes the result with $\tanh$:

```{math}
:label: rnn-eq-cell
h_t = \tanh\left(W\,[h_{t-1}, x_t] + b\right), \qquad W \in \mathbb{R}^{H \times (H + D)},\quad b \in \mathbb{R}^{H}.
```

It helps to give the pre-activation a name, $a_t = W\,[h_{t-1}, x_t] + b$, so that $h_t = \tanh(a_t)$.
Splitting the columns of $W$ into the block that multiplies $h_{t-1}$ and the block that multiplies $x_t$,
$W = [W_h \mid W_x]$, gives the form used in many papers, $a_t = W_h h_{t-1} + W_x x_t + b$; the two
are the same computation. Because $\tanh$ maps into $(-1, 1)$, every component of the state stays in that
range. {numref}`rnn-fig-cell` draws the cell in the style used throughout the book.
"""),
    code(
        """
glue("rnn-diagram", diagrams.rnn_diagram(), display=False)
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} rnn-diagram
:alt: Diagram of the plain RNN cell. The previous hidden state enters from the left and the input x_t from below; the two wires join, feed a single yellow tanh layer with weights W and bias b, and its output leaves the cell to the right as the new hidden state h_t, with a copy going up as the output.
:name: rnn-fig-cell

The plain RNN cell. The wires $h_{t-1}$ and $x_t$ join into the concatenation $[h_{t-1}, x_t]$; the
yellow box is the learned layer of equation {eq}`rnn-eq-cell` (a matrix product, a bias and $\tanh$).
The new state $h_t$ leaves to the right, towards the next step, and upwards, as the cell's output.
```
"""),
    md(r"""
## One step in three dimensions

The book's worked example uses the same input and previous state as the LSTM and GRU examples later on:
$D = H = 3$. The weights come from `rnnlab.examples.rnn_3d()`; each row of $W$ has six entries, three
for $h_{t-1}$ and three for $x_t$.
"""),
    code(
        """
example = rnnlab.examples.rnn_3d()
x, h_prev, p = example.x, example.h_prev, example.params
print("x_t     =", x)
print("h_{t-1} =", h_prev)
print("W =")
print(p.W)
print("b =", p.b)
"""
    ),
    md(r"""
The cell implements equation {eq}`rnn-eq-cell` in two lines: build the concatenation, then apply the
layer. `rnn_hidden` from `rnnlab.cells` returns both the pre-activation $a_t$ and the state $h_t$.
"""),
    code(
        """
from rnnlab.cells import rnn_hidden

v = concat(h_prev, x)  # [h_{t-1}, x_t], shape (H + D,)
a, h = rnn_hidden(p, v)  # a_t = W v + b,  h_t = tanh(a_t)
print("[h_{t-1}, x_t] =", v)
print("a_t            =", a)
print("h_t            =", h)
"""
    ),
    code(
        """
glue("rnn_terms_1", by_hand(p.W[0], v, p.b[0]), display=False)
glue_number("rnn_a_1", a[0])
glue_number("rnn_h_1", h[0])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: the first component
:class: tip

The first component of $a_t$ is the first row of $W$ times $[h_{t-1}, x_t]$, plus $b_1$:

{glue:text}`rnn_terms_1` $=$ {glue:text}`rnn_a_1:.4f`.

Then $h_{t,1} = \tanh($ {glue:text}`rnn_a_1:.4f` $) =$ {glue:text}`rnn_h_1:.4f`. A pocket calculator
gives the same numbers.
```

The library's one-call version, `rnnlab.rnn_step`, does the same and returns a trace of every
intermediate value; it agrees with the two lines above exactly.
"""),
    code(
        """
trace = rnnlab.rnn_step(x, h_prev, p)
print("rnn_step(...).h =", trace.h)
print("identical to the two-line version:", np.array_equal(trace.h, h))
"""
    ),
    md(r"""
## Unrolling over a sequence

To read a sequence $x_1, \dots, x_T$ we apply equation {eq}`rnn-eq-cell` once per step, feeding each
new state into the next step. Drawn out in time, the loop becomes a chain of identical cells that share
one $W$ and one $b$: the network is **unrolled**. `rnnlab.rnn_forward` runs the chain over a time-major
array `xs` of shape $(T, B, D)$ (a batch of $B$ sequences) and returns every state, shape $(T, B, H)$.

Here the worked example continues for four steps: its $x_t$ comes first, followed by three more inputs
drawn from a seeded random generator.
"""),
    code(
        """
rng = np.random.default_rng(0)
more = rng.uniform(-1, 1, size=(3, 3))  # three more inputs
xs = np.concatenate([x[None, :], more])[:, None, :]  # (T, B, D) = (4, 1, 3)
hs, cache = rnnlab.rnn_forward(xs, h_prev, p)
for t in range(len(xs)):
    print(f"step {t + 1}: x = {xs[t, 0]}  ->  h = {hs[t, 0]}")
"""
    ),
    md(r"""
The same numbers come out of an explicit Python loop over `rnn_step`, which is all that unrolling
means; `rnn_forward` is the faster route because it multiplies all inputs by $W_x$ in one matrix product
before the loop starts.
"""),
    code(
        """
h_loop = h_prev
for t in range(len(xs)):
    h_loop = rnnlab.rnn_step(xs[t, 0], h_loop, p).h
print("last state, loop over rnn_step:", h_loop)
same = np.allclose(h_loop, hs[-1, 0], rtol=0, atol=1e-12)
print("equal to rnn_forward's last state (to 1e-12):", same)
"""
    ),
    md(r"""
## Backpropagation through time

Training needs the gradient of a loss $L$ with respect to $W$ and $b$. The loss depends on the states,
for example a prediction made from $h_T$ or one made at every step. Write $g_t = \partial \ell / \partial
h_t$ for the part of the gradient that reaches $h_t$ directly from the loss at step $t$ (zero if nothing
is predicted there). **Backpropagation through time** (BPTT) is the chain rule applied to the unrolled
chain, from the last step back to the first.

**Step 1: the gradient reaching a state.** $h_t$ influences the loss directly, through $g_t$, and
indirectly, through the next pre-activation $a_{t+1} = W_h h_t + W_x x_{t+1} + b$. Adding both paths,

```{math}
:label: rnn-eq-bptt-h
\delta h_t \equiv \frac{\partial L}{\partial h_t} = g_t + W_h^\top \delta a_{t+1}, \qquad \delta a_{T+1} = 0.
```

**Step 2: through the squashing function.** Since $\frac{d}{da}\tanh(a) = 1 - \tanh(a)^2$ and
$h_t = \tanh(a_t)$ element-wise,

```{math}
:label: rnn-eq-bptt-a
\delta a_t \equiv \frac{\partial L}{\partial a_t} = \delta h_t \odot \left(1 - h_t \odot h_t\right).
```

**Step 3: the parameters.** The same $W$ and $b$ act at every step, so their gradients add up over time;
at step $t$ the layer's input is $[h_{t-1}, x_t]$:

```{math}
:label: rnn-eq-bptt-w
\frac{\partial L}{\partial W} = \sum_{t=1}^{T} \delta a_t\,[h_{t-1}, x_t]^\top, \qquad
\frac{\partial L}{\partial b} = \sum_{t=1}^{T} \delta a_t.
```

**Step 4: what flows out.** The gradient for the inputs is $W_x^\top \delta a_t$, and the gradient for
the initial state is $\delta h_0 = W_h^\top \delta a_1$, which is equation {eq}`rnn-eq-bptt-h` at $t = 0$.

The loop below is these four equations, one line each, for the four-step sequence above and the loss
$L = \sum_t u \cdot h_t$ with a fixed vector $u$ (so $g_t = u$ at every step).
"""),
    code(
        """
u = np.array([1.0, -1.0, 0.5])
T, H = len(xs), p.hidden_size
W_h, W_x = p.W[:, :H], p.W[:, H:]
h_states = np.concatenate([h_prev[None, :], hs[:, 0]])  # h_states[t] is h_t

dW, db = np.zeros_like(p.W), np.zeros_like(p.b)
delta_a_next = np.zeros(H)
for t in range(T, 0, -1):
    delta_h = u + W_h.T @ delta_a_next  # (rnn-eq-bptt-h)
    delta_a = delta_h * (1 - h_states[t] ** 2)  # (rnn-eq-bptt-a)
    v_t = concat(h_states[t - 1], xs[t - 1, 0])  # [h_{t-1}, x_t]
    dW += np.outer(delta_a, v_t)  # (rnn-eq-bptt-w)
    db += delta_a  # (rnn-eq-bptt-w)
    delta_a_next = delta_a
delta_h0 = W_h.T @ delta_a_next  # step 4
print("dL/db   =", db)
print("dL/dh_0 =", delta_h0)
"""
    ),
    md(r"""
`rnnlab.rnn_backward` is the same recursion written for batches. It takes the direct gradients $g_t$
as an array `dhs` of shape $(T, B, H)$ and returns the parameter gradients, the input gradients and
$\delta h_0$. Both agree, and both agree with finite differences (`rnnlab.gradcheck` nudges every weight
up and down and measures how $L$ changes):
"""),
    code(
        """
dhs = np.broadcast_to(u, hs.shape)
grads, dxs, dh0 = rnnlab.rnn_backward(dhs, cache)
agrees = np.allclose(grads.W, dW, rtol=0, atol=1e-12)
agrees &= np.allclose(dh0, delta_h0, rtol=0, atol=1e-12)
print("rnn_backward agrees with the loop (to 1e-12):", agrees)


def loss(params):
    return float(np.sum(rnnlab.rnn_forward(xs, h_prev, params)[0] @ u))


relative_error = rnnlab.gradcheck(loss, p, grads)
print("relative error below 1e-6:", relative_error < 1e-6)
"""
    ),
    md(r"""
## Vanishing and exploding gradients

Follow the gradient from a loss at the last step $T$ back to a state $k$ steps earlier. Each step back
applies equations {eq}`rnn-eq-bptt-h` and {eq}`rnn-eq-bptt-a` once, so

```{math}
:label: rnn-eq-jacobian-product
\frac{\partial L}{\partial h_{T-k}} = \left(\prod_{j=T-k+1}^{T} W_h^\top \operatorname{diag}\left(1 - h_j \odot h_j\right)\right) \frac{\partial L}{\partial h_T}.
```

The same matrix $W_h^\top$ appears $k$ times. The $\tanh$ factors are at most 1, so if the largest
singular value of $W_h$ is below 1 the product shrinks at least geometrically in $k$: the gradient
**vanishes**, and the network cannot learn that an early input matters for a late loss. If it is above
1 the product can grow geometrically: the gradient **explodes**, and a training step can throw the
weights far away {cite}`bengio1994learning,pascanu2013difficulty`.

The experiment below measures this. It uses $H =$ {glue:text}`rnn_H` units and sets $W_h = s\,Q$ with $Q$ a random
orthogonal matrix, so that every singular value of $W_h$ equals the scale $s$. For each $s$ it runs
$T$ steps, sets $L = u \cdot h_T$ and computes $\partial L / \partial h_{T-k}$ for every $k$. The
gradient comes from `rnnlab.rnn_backward`: restarting the forward pass at $h_{T-k}$ and running it over
the last $k$ inputs, the backward pass returns exactly $\partial L / \partial h_{T-k}$ as its `dh0`.
"""),
    code(
        """
def gradient_norms(p, xs, u):
    \"\"\"||dL/dh_{T-k}|| for k = 1 .. T-1, L = u . h_T, from rnn_backward.\"\"\"
    hs, _ = rnnlab.rnn_forward(xs, None, p)
    T = len(xs)
    norms = []
    for k in range(1, T):
        # restart the forward pass at h_{T-k}, run it over the last k inputs
        tail, cache_k = rnnlab.rnn_forward(xs[T - k :], hs[T - k - 1], p)
        dhs = np.zeros_like(tail)
        dhs[-1] = u  # the loss sees only h_T
        _, _, dh_start = rnnlab.rnn_backward(dhs, cache_k)
        norms.append(np.linalg.norm(dh_start))
    return np.array(norms)


H, D, T = 32, 4, 50
rng = np.random.default_rng(1)
# a random orthogonal matrix: every singular value is 1
Q, _ = np.linalg.qr(rng.standard_normal((H, H)))
W_x = rng.standard_normal((H, D)) / np.sqrt(D)
xs_long = 0.1 * rng.standard_normal((T, 1, D))
u_long = np.ones(H) / np.sqrt(H)
ks = np.arange(1, T)
scales = [0.5, 1.0, 1.5, 2.0]
norms = {}
for s in scales:
    p_s = rnnlab.RNNParams(W=np.hstack([s * Q, W_x]), b=np.zeros(H))
    norms[s] = gradient_norms(p_s, xs_long, u_long)
for s in scales:
    n = norms[s]
    print(f"s = {s}:  k=1 {n[0]:.2e}  k=10 {n[9]:.2e}  k={T - 1} {n[-1]:.2e}")
"""
    ),
    code(
        """
fig = viz.gradient_decay(
    ks,
    {f"$s = {s}$": norms[s] for s in scales},
    title=rf"Plain RNN, $W_h = s\\,Q$ with $Q$ orthogonal, $H = {H}$",
    ylabel=r"$\\|\\partial L / \\partial h_{T-k}\\|$",
)
glue("rnn-gradient-decay", fig, display=False)
for s in scales:
    glue_number(f"rnn_norm_last_s{int(10 * s)}", norms[s][-1])
glue("rnn_k_last", int(ks[-1]), display=False)
glue("rnn_H", H, display=False)
glue("rnn_T", T, display=False)
glue_number("rnn_growth_s20", norms[2.0][-1] / norms[2.0][0])
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} rnn-gradient-decay
:alt: Line chart with a logarithmic y axis of the gradient norm against the number of steps back, k, for four weight scales. For s = 0.5 the norm falls in a straight line by many orders of magnitude; for s = 1 it falls slowly; for s = 1.5 and s = 2 it rises, fastest for s = 2.
:name: rnn-fig-gradient-decay

Norm of $\partial L / \partial h_{T-k}$ for a loss on the last state of a sequence of {glue:text}`rnn_T` steps, computed
with `rnnlab.rnn_backward`. On a logarithmic axis, geometric decay or growth is a straight line: the
gradient vanishes when the weights are small ($s < 1$) and explodes when they are large.
```

After {glue:text}`rnn_k_last` steps back, the gradient norm is {glue:text}`rnn_norm_last_s5:.1e` for
$s = 0.5$, {glue:text}`rnn_norm_last_s10:.1e` for $s = 1$, {glue:text}`rnn_norm_last_s15:.1e` for
$s = 1.5$ and {glue:text}`rnn_norm_last_s20:.1e` for $s = 2$. Even at $s = 1$, where $W_h$ itself
preserves lengths exactly, the $\tanh$ factors in equation {eq}`rnn-eq-jacobian-product` make the
gradient shrink. For large $s$ the growth is far slower than $s^k$, because large weights push the
states towards $\pm 1$, where $1 - h^2$ is small; still, for $s = 2$ the norm at the far end is
{glue:text}`rnn_growth_s20:.0f` times its value at $k = 1$.

No single scale is right for every sequence: the network would have to keep its weights on a knife's
edge. Exploding gradients can be tamed by clipping their norm {cite}`pascanu2013difficulty`; vanishing
gradients need a change to the cell itself. The next chapter's LSTM replaces the repeated matrix product
by an *additive* path whose factor is a gate the network can hold near 1.

## Exercise

[Exercise 1: one step of a plain RNN](../exercises/rnn_step/rnn_step.ipynb) has you compute the
worked example's step by hand, write equation {eq}`rnn-eq-cell` in numpy, unroll it over a sequence and
watch a gradient shrink on its way back. The check below each part tells you which entries are wrong.
"""),
]

# --------------------------------------------------------------------------------------------------
# Chapter 3: the LSTM
# --------------------------------------------------------------------------------------------------

LSTM = [
    md(r"""
# LSTM

The plain RNN of the previous chapter forgets quickly: its gradient shrinks geometrically on the way back
in time. The **long short-term memory** (LSTM) of {cite:t}`hochreiter1997lstm` adds a second state, the
**cell state** $c_t$, that is updated by *adding* to it rather than by squashing it through a matrix
product at every step. Three **gates** decide what the cell forgets, what it writes and what it shows.

This chapter

1. introduces the cell state and the three gates;
2. computes one LSTM step on the book's three-dimensional example in four steps, each with its equation,
   the numbers going in and the numbers coming out, and checks the result against the seed material;
3. measures why the additive update lets gradients flow where the plain RNN's vanish.
"""),
    SETUP,
    HAND,
    md(r"""
## The cell state and its three gates

A **gate** is a vector of numbers between 0 and 1, produced by a sigmoid layer that reads
$[h_{t-1}, x_t]$. Multiplying another vector by a gate, element by element ($\odot$), lets each
component through in proportion: 0 blocks it, 1 passes it unchanged. The LSTM has three:

- the **forget gate** $f_t$ scales the old cell state $c_{t-1}$ (what to keep);
- the **input gate** $i_t$ scales a **candidate** $\tilde c_t$, new content computed with $\tanh$ (what to
  write);
- the **output gate** $o_t$ scales $\tanh(c_t)$ to give the hidden state $h_t$ (what to show).

Each gate has its own weight matrix, shape $(H, H + D)$, and bias, shape $(H,)$, acting on the same
concatenation as the plain RNN. {numref}`lstm-fig-cell` shows how they connect: the cell state runs
along the top with nothing but one multiplication and one addition in its way.
"""),
    code(
        """
glue("lstm-diagram", diagrams.lstm_diagram(), display=False)
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} lstm-diagram
:alt: Diagram of the LSTM cell. The cell state line runs straight across the top from c_{t-1} to c_t, passing a multiplication with the forget gate and an addition of input gate times candidate. Below, the previous hidden state and the input x_t join and feed four yellow layers: sigma for f_t, sigma for i_t, tanh for the candidate, sigma for o_t. On the right, tanh of the new cell state is multiplied by o_t to give h_t, which leaves to the right and upwards.
:name: lstm-fig-cell

The LSTM cell. Yellow boxes are learned layers (matrix product, bias, then $\sigma$ or $\tanh$), pink
circles are element-wise operations. The cell state $c$ flows along the top; the hidden state $h$ and
the input $x_t$ feed the four layers from below.
```
"""),
    md(r"""
## The worked example

The seed material for this course computes one LSTM step on three-dimensional vectors, $D = H = 3$. It
gives the inputs and the gate values rounded to two decimals, but not the weights; `rnnlab.examples`
holds weights with one decimal each that reproduce those values (how they were found is documented in
`rnnlab.example_search`). These are the numbers going in:
"""),
    code(
        """
example = rnnlab.examples.lstm_3d()
x, h_prev, c_prev = example.x, example.h_prev, example.c_prev
p = example.params
v = concat(h_prev, x)  # every gate reads [h_{t-1}, x_t]
print("x_t            =", x)
print("h_{t-1}        =", h_prev)
print("c_{t-1}        =", c_prev)
print("[h_{t-1}, x_t] =", v)
"""
    ),
    md(r"""
The code below uses the single-equation functions of `rnnlab.cells`, so that each cell computes exactly
one equation, with the book's symbols as variable names.

### Step 1: the forget gate

```{math}
:label: lstm-eq-forget
f_t = \sigma\left(W_f\,[h_{t-1}, x_t] + b_f\right)
```

The forget gate decides, component by component, how much of the old cell state $c_{t-1}$ survives.
"""),
    code(
        """
from rnnlab.cells import (
    candidate_cell,
    cell_state,
    forget_gate,
    input_gate,
    lstm_hidden,
    output_gate,
)

print("W_f =")
print(p.W_f)
print("b_f =", p.b_f)
f = forget_gate(p, v)
print("f_t =", f)
"""
    ),
    code(
        """
a_f = p.W_f @ v + p.b_f
glue("lstm_f_terms", by_hand(p.W_f[0], v, p.b_f[0]), display=False)
glue_number("lstm_f_a", a_f[0])
glue_number("lstm_f_1", f[0])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: $f_{t,1}$
:class: tip

The first row of $W_f$ times $[h_{t-1}, x_t]$, plus the first entry of $b_f$:

{glue:text}`lstm_f_terms` $=$ {glue:text}`lstm_f_a:.4f`.

The sigmoid is $\sigma(a) = 1 / (1 + e^{-a})$, and $\sigma($ {glue:text}`lstm_f_a:.4f` $) =$
{glue:text}`lstm_f_1:.4f`, the first component printed above.
```

### Step 2: the input gate and the candidate

```{math}
:label: lstm-eq-input
i_t = \sigma\left(W_i\,[h_{t-1}, x_t] + b_i\right)
```

```{math}
:label: lstm-eq-candidate
\tilde c_t = \tanh\left(W_c\,[h_{t-1}, x_t] + b_c\right)
```

The candidate $\tilde c_t$ is what could be written into the cell, a vector in $(-1, 1)$; the input gate
$i_t$ decides how much of each component is actually written.
"""),
    code(
        """
print("W_i =")
print(p.W_i)
print("b_i =", p.b_i)
print("W_c =")
print(p.W_c)
print("b_c =", p.b_c)
i = input_gate(p, v)
c_tilde = candidate_cell(p, v)
print("i_t       =", i)
print("c_tilde_t =", c_tilde)
"""
    ),
    code(
        """
a_c = p.W_c @ v + p.b_c
glue("lstm_c_terms", by_hand(p.W_c[1], v, p.b_c[1]), display=False)
glue_number("lstm_c_a", a_c[1])
glue_number("lstm_c_2", c_tilde[1])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: $\tilde c_{t,2}$
:class: tip

The second row of $W_c$ times $[h_{t-1}, x_t]$, plus the second entry of $b_c$:

{glue:text}`lstm_c_terms` $=$ {glue:text}`lstm_c_a:.4f`,

and $\tanh($ {glue:text}`lstm_c_a:.4f` $) =$ {glue:text}`lstm_c_2:.4f`, the second component of
$\tilde c_t$ above.
```

### Step 3: the cell update

```{math}
:label: lstm-eq-cell
c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t
```

This is the heart of the LSTM: the new cell state is the old one, scaled by the forget gate, **plus**
the gated candidate. No weight matrix and no squashing function stand between $c_{t-1}$ and $c_t$.
"""),
    code(
        """
c = cell_state(f, c_prev, i, c_tilde)
print("f_t * c_{t-1}     =", f * c_prev)
print("i_t * c_tilde_t   =", i * c_tilde)
print("c_t (their sum)   =", c)
"""
    ),
    code(
        """
glue_number("lstm_cell_f1", f[0])
glue_number("lstm_cell_cprev1", c_prev[0])
glue_number("lstm_cell_i1", i[0])
glue_number("lstm_cell_ctilde1", c_tilde[0])
glue_number("lstm_cell_c1", c[0])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: $c_{t,1}$
:class: tip

$c_{t,1} = f_{t,1}\,c_{t-1,1} + i_{t,1}\,\tilde c_{t,1}$
$=$ ({glue:text}`lstm_cell_f1:.4f`)({glue:text}`lstm_cell_cprev1:.4f`)
$+$ ({glue:text}`lstm_cell_i1:.4f`)({glue:text}`lstm_cell_ctilde1:.4f`)
$=$ {glue:text}`lstm_cell_c1:.4f`.
```

### Step 4: the output gate and the hidden state

The seed stops after step 3. The hidden state, which the next step and any prediction read, needs two
more equations:

```{math}
:label: lstm-eq-output
o_t = \sigma\left(W_o\,[h_{t-1}, x_t] + b_o\right)
```

```{math}
:label: lstm-eq-hidden
h_t = o_t \odot \tanh(c_t)
```

The cell state can grow beyond $(-1, 1)$; $\tanh$ squashes it back, and the output gate decides how much
of each component the rest of the network gets to see.
"""),
    code(
        """
print("W_o =")
print(p.W_o)
print("b_o =", p.b_o)
o = output_gate(p, v)
h = lstm_hidden(o, c)
print("o_t       =", o)
print("tanh(c_t) =", np.tanh(c))
print("h_t       =", h)
"""
    ),
    code(
        """
glue_number("lstm_h_o1", o[0])
glue_number("lstm_h_c1", c[0])
glue_number("lstm_h_tanh1", np.tanh(c[0]))
glue_number("lstm_h_1", h[0])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: $h_{t,1}$
:class: tip

$\tanh($ {glue:text}`lstm_h_c1:.4f` $) =$ {glue:text}`lstm_h_tanh1:.4f`, so
$h_{t,1} = o_{t,1} \tanh(c_{t,1}) =$ ({glue:text}`lstm_h_o1:.4f`)({glue:text}`lstm_h_tanh1:.4f`)
$=$ {glue:text}`lstm_h_1:.4f`.
```

{numref}`lstm-fig-gates` and {numref}`lstm-fig-states` summarise the step: the three gates, and the
vectors that flow through the cell.
"""),
    code(
        """
gates = {"f": f, "i": i, "o": o}
states = {"c_prev": c_prev, "c_tilde": c_tilde, "c": c, "h": h}
title = "Cell state before and after, candidate, and hidden state"
glue("lstm-gates", viz.gate_bars(gates, title="The three gates"), display=False)
glue("lstm-states", viz.gate_bars(states, title=title), display=False)
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} lstm-gates
:alt: Grouped bar chart of the three LSTM gates for the worked example, one group of three bars per component. All bars lie between 0 and 1 and carry their values.
:name: lstm-fig-gates

The forget, input and output gates of the worked example, per component. Each value is a fraction
between 0 and 1.
```

```{glue:figure} lstm-states
:alt: Grouped bar chart of the previous cell state, the candidate, the new cell state and the hidden state for the worked example, one group per component, with positive and negative values labelled.
:name: lstm-fig-states

Previous cell state $c_{t-1}$, candidate $\tilde c_t$, new cell state $c_t$ from equation
{eq}`lstm-eq-cell` and hidden state $h_t$ from equation {eq}`lstm-eq-hidden`, per component.
```

### Comparing with the seed

The seed gives $f_t$, $i_t$, $\tilde c_t$ and $c_t$ rounded to two decimals. Rounding ours the same way
and comparing them entry by entry:
"""),
    code(
        """
seed = {  # the seed's values (two decimals); it gives no o_t and no h_t
    "f_t": [0.65, 0.42, 0.78],
    "i_t": [0.53, 0.71, 0.48],
    "c_tilde_t": [0.32, -0.54, 0.67],
    "c_t": [0.56, -0.47, 0.55],
}
ours = {"f_t": f, "i_t": i, "c_tilde_t": c_tilde, "c_t": c}
matches = []
for name, published in seed.items():
    rounded = np.round(ours[name], 2)
    match = np.allclose(rounded, published, rtol=0, atol=1e-9)
    matches.append(match)
    ours_text = np.array2string(rounded, precision=2)
    print(f"{name:10s} ours {ours_text}  seed {published}  match: {match}")
print("all values match the seed to two decimals:", all(matches))
"""
    ),
    code(
        """
glue("lstm_seed_count", sum(len(values) for values in seed.values()), display=False)
glue("lstm_seed_verdict", "all of them match" if all(matches) else "NOT all of them match", display=False)
""",
        "remove-cell",
    ),
    md(r"""
Of the {glue:text}`lstm_seed_count` published values, {glue:text}`lstm_seed_verdict` to two decimals.
The library's one-call version, `rnnlab.lstm_step`, returns the same six vectors in a trace:
"""),
    code(
        """
trace = rnnlab.lstm_step(x, h_prev, c_prev, p)
pieces = {"f": f, "i": i, "c_tilde": c_tilde, "c": c, "o": o, "h": h}
agree = all(np.array_equal(getattr(trace, k), pieces[k]) for k in pieces)
print("lstm_step agrees with the four steps:", agree)
"""
    ),
    md(r"""
## Why the additive update lets gradients flow

In the plain RNN, the gradient travelling from $h_t$ to $h_{t-1}$ is multiplied by
$W_h^\top \operatorname{diag}(1 - h_t^2)$ at every step (equation {eq}`rnn-eq-jacobian-product` of the
previous chapter). In the LSTM, differentiating equation {eq}`lstm-eq-cell` with respect to $c_{t-1}$
along the cell line, with the gates held fixed, gives only the forget gate:

```{math}
:label: lstm-eq-cell-path
\frac{\partial c_t}{\partial c_{t-1}}\bigg|_{\text{cell line}} = \operatorname{diag}(f_t),
\qquad
\frac{\partial c_T}{\partial c_{T-k}}\bigg|_{\text{cell line}} = \operatorname{diag}\left(\prod_{j=T-k+1}^{T} f_j\right).
```

There are other paths too (through $h_{t-1}$ into the gates and the candidate), but this one involves no
weight matrix: if the network keeps $f_j$ close to 1, the gradient passes many steps almost unchanged.
The network controls $f_j$ through its weights and especially through the bias $b_f$: a larger $b_f$
pushes $\sigma$ towards 1. {cite:t}`jozefowicz2015empirical` found that initialising $b_f$ to 1 closes much of the gap
between the LSTM and other architectures, and {cite:t}`greff2017lstm` found the forget gate to be one of the
LSTM's most important components.

The experiment repeats the previous chapter's measurement for an LSTM with $H =$ {glue:text}`lstm_H` units, PyTorch's
default random initialisation, and four values of the forget-gate bias. Since the LSTM's state is the
pair $(h_t, c_t)$, it measures the gradient with respect to both, the norm of
$(\partial L / \partial h_{T-k}, \partial L / \partial c_{T-k})$, from `rnnlab.lstm_backward`. A plain RNN
with the same kind of initialisation runs alongside.
"""),
    code(
        """
def rnn_gradient_norms(p, xs, u):
    \"\"\"||dL/dh_{T-k}|| for k = 1 .. T-1, L = u . h_T, from rnn_backward.\"\"\"
    hs, _ = rnnlab.rnn_forward(xs, None, p)
    T = len(xs)
    norms = []
    for k in range(1, T):
        # restart the forward pass at h_{T-k}, run it over the last k inputs
        tail, cache_k = rnnlab.rnn_forward(xs[T - k :], hs[T - k - 1], p)
        dhs = np.zeros_like(tail)
        dhs[-1] = u
        norms.append(np.linalg.norm(rnnlab.rnn_backward(dhs, cache_k)[2]))
    return np.array(norms)


def lstm_gradient_norms(p, xs, u):
    \"\"\"||(dL/dh_{T-k}, dL/dc_{T-k})||, L = u . h_T, from lstm_backward.\"\"\"
    hs, cs, _ = rnnlab.lstm_forward(xs, None, None, p)
    T = len(xs)
    norms = []
    for k in range(1, T):
        h_start, c_start = hs[T - k - 1], cs[T - k - 1]
        tail, _, cache_k = rnnlab.lstm_forward(xs[T - k :], h_start, c_start, p)
        dhs = np.zeros_like(tail)
        dhs[-1] = u
        _, _, dh_start, dc_start = rnnlab.lstm_backward(dhs, cache_k)
        norms.append(np.sqrt(np.sum(dh_start**2) + np.sum(dc_start**2)))
    return np.array(norms)


H, D, T = 32, 4, 60
rng = np.random.default_rng(2)
xs = 0.1 * rng.standard_normal((T, 1, D))
u = np.ones(H) / np.sqrt(H)
ks = np.arange(1, T)
lstm_base = rnnlab.LSTMParams.random(D, H, seed=0)
biases = [0.0, 1.0, 2.0, 3.0]
p_rnn = rnnlab.RNNParams.random(D, H, seed=0)
norms = {"plain RNN": rnn_gradient_norms(p_rnn, xs, u)}
mean_forget = {}
for b in biases:
    p_b = lstm_base.replace(b_f=np.full(H, b))
    norms[f"LSTM, b_f = {b:g}"] = lstm_gradient_norms(p_b, xs, u)
    hs_b, _, _ = rnnlab.lstm_forward(xs, None, None, p_b)
    h_before = np.concatenate([np.zeros((1, 1, H)), hs_b[:-1]])  # all h_{t-1}
    mean_forget[b] = forget_gate(p_b, concat(h_before[:, 0], xs[:, 0])).mean()
for name, curve in norms.items():
    picks = "   ".join(f"k = {k}: {curve[k - 1]:.2e}" for k in (1, 20, T - 1))
    print(f"{name:18s} {picks}")
for b in biases:
    print(f"b_f = {b:g}: mean forget gate {mean_forget[b]:.3f}")
"""
    ),
    code(
        """
labels = {name.replace("b_f", "$b_f$"): curve for name, curve in norms.items()}
fig = viz.gradient_decay(
    ks,
    labels,
    title=f"Plain RNN against LSTM with four forget-gate biases, $H = {H}$",
    ylabel=r"$\\|\\partial L / \\partial (h, c)_{T-k}\\|$",
)
glue("lstm-gradient", fig, display=False)
glue("lstm_k_last", int(ks[-1]), display=False)
glue("lstm_H", H, display=False)
glue_number("lstm_rnn_last", norms["plain RNN"][-1])
for b in biases:
    glue_number(f"lstm_last_b{int(b)}", norms[f"LSTM, b_f = {b:g}"][-1])
    glue_number(f"lstm_mean_f_b{int(b)}", mean_forget[b])
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} lstm-gradient
:alt: Line chart with a logarithmic y axis of the gradient norm against k for a plain RNN and for an LSTM with forget-gate bias 0, 1, 2 and 3. The plain RNN and the LSTM with bias 0 fall steeply and almost together; with bias 1 the LSTM falls more slowly; with bias 2 and 3 it falls by less than two orders of magnitude over the whole sequence, or not at all.
:name: lstm-fig-gradient

Norm of the gradient with respect to the state $k$ steps before the loss, for a plain RNN and for an
LSTM with forget-gate bias $b_f \in \{0, 1, 2, 3\}$ (same inputs, $H =$ {glue:text}`lstm_H`,
computed with `rnnlab.rnn_backward` and `rnnlab.lstm_backward`). The larger the bias, the closer the forget gates are
to 1 and the further back the gradient reaches.
```

With $b_f = 0$ the forget gates average {glue:text}`lstm_mean_f_b0:.2f` over the sequence, and
equation {eq}`lstm-eq-cell-path` multiplies the gradient by roughly that much per step: after
{glue:text}`lstm_k_last` steps its norm is {glue:text}`lstm_last_b0:.1e`, against the plain
RNN's {glue:text}`lstm_rnn_last:.1e`, hardly better. The gates alone do not help; gates that stay open do. With
$b_f = 1$ the average gate is {glue:text}`lstm_mean_f_b1:.2f` and the norm after
{glue:text}`lstm_k_last` steps is {glue:text}`lstm_last_b1:.1e`; with $b_f = 3$ the average gate is
{glue:text}`lstm_mean_f_b3:.2f` and the norm is still {glue:text}`lstm_last_b3:.1e`. A trained LSTM
learns to open and close its forget gates depending on the input, keeping information as long as it is
useful and clearing it when it is not.

## Exercise

[Exercise 2: the LSTM's gates](../exercises/lstm_gates/lstm_gates.ipynb) has you compute every
quantity of this chapter's worked example by hand, write equations {eq}`lstm-eq-forget` to
{eq}`lstm-eq-hidden` in numpy, and reason about what happens when a gate saturates at 0 or 1.
"""),
]

# --------------------------------------------------------------------------------------------------
# Chapter 4: the GRU
# --------------------------------------------------------------------------------------------------

GRU = [
    md(r"""
# GRU

The **gated recurrent unit** (GRU) of {cite:t}`cho2014gru` keeps the LSTM's central idea, a state that is
updated by gated interpolation instead of being rewritten at every step, with less machinery: there is
no separate cell state, and two gates do the work of three. {cite:t}`chung2014empirical` found it
competitive with the LSTM on the sequence tasks they compared.

This chapter

1. introduces the two gates and the GRU's equations, in the convention the book uses;
2. computes one GRU step on the book's three-dimensional example, reproducing the seed's $r_t$ and $z_t$
   and continuing to the candidate $\tilde h_t$ and the new state $h_t$;
3. shows the update as an interpolation between the old state and the candidate;
4. shows what the reset gate does at its extremes, $r = 0$ and $r = 1$;
5. measures how gradients travel back through a GRU, against the plain RNN.
"""),
    SETUP,
    HAND,
    md(r"""
## Two gates, one state

The GRU's state $h_t$ is both its memory and its output. Two sigmoid gates read $[h_{t-1}, x_t]$:

- the **reset gate** $r_t$ decides how much of the old state the candidate may look at;
- the **update gate** $z_t$ decides, component by component, how much of the old state to keep, the rest
  being filled in from the candidate.

The update gate thus plays the part of both the LSTM's forget gate and its input gate, tied together so
that what is kept and what is written always add up to one.

```{admonition} Which term does $z_t$ multiply?
:class: warning

Sources disagree. In the convention of {cite:t}`cho2014gru`, which PyTorch and Keras also follow,
$z_t$ weights the **old** state: $h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t$. In the
convention of {cite:t}`chung2014empirical`, also common in tutorials, $z_t$ weights the **new**
candidate: $h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t$. The seed material for this course
uses both. The two are the same model with $z_t$ replaced by $1 - z_t$, but weights trained under one
give different numbers under the other. This book uses the first, `z_weights="old"`, and lets the reset
gate act before the matrix product, `reset="before"`; `rnnlab.gru_step` takes both as explicit
keywords. The chapter [Conventions in the wild](06_conventions.ipynb) runs the same input through every
convention and shows how frameworks store the weights.
```

{numref}`gru-fig-cell` draws the cell; the equations follow in the worked example.
"""),
    code(
        """
glue("gru-diagram", diagrams.gru_diagram(), display=False)
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} gru-diagram
:alt: Diagram of the GRU cell. The state line runs across the top from h_{t-1} to h_t, passing a multiplication by z_t and an addition. Below, h_{t-1} and x_t join and feed two sigma layers, r_t and z_t. The reset gate multiplies h_{t-1}; the product and x_t feed a tanh layer that gives the candidate. The candidate is multiplied by one minus z_t and added to the state line.
:name: gru-fig-cell

The GRU cell in the book's convention. The reset gate scales $h_{t-1}$ before the candidate's tanh layer
reads it; the update gate keeps $z_t$ of the old state and fills in $1 - z_t$ of the candidate. There is
no second state line: compare the LSTM's cell in {numref}`lstm-fig-cell`.
```
"""),
    md(r"""
## The worked example

The seed computes the two gates for the same three-dimensional input and previous state as the LSTM
example. As there, it gives no weights; `rnnlab.examples.gru_3d()` holds one-decimal weights that
reproduce its values. The numbers going in:
"""),
    code(
        """
example = rnnlab.examples.gru_3d()
x, h_prev, p = example.x, example.h_prev, example.params
v = concat(h_prev, x)  # both gates read [h_{t-1}, x_t]
print("x_t            =", x)
print("h_{t-1}        =", h_prev)
print("[h_{t-1}, x_t] =", v)
"""
    ),
    md(r"""
### Step 1: the reset gate

```{math}
:label: gru-eq-reset
r_t = \sigma\left(W_r\,[h_{t-1}, x_t] + b_r\right)
```
"""),
    code(
        """
from rnnlab.cells import candidate_hidden, gru_hidden, reset_gate, update_gate

print("W_r =")
print(p.W_r)
print("b_r =", p.b_r)
r = reset_gate(p, v)
print("r_t =", r)
"""
    ),
    code(
        """
glue("gru_r_terms", by_hand(p.W_r[1], v, p.b_r[1]), display=False)
glue_number("gru_r_a", (p.W_r @ v + p.b_r)[1])
glue_number("gru_r_2", r[1])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: $r_{t,2}$
:class: tip

The second row of $W_r$ times $[h_{t-1}, x_t]$, plus the second entry of $b_r$:

{glue:text}`gru_r_terms` $=$ {glue:text}`gru_r_a:.4f`,

and $\sigma($ {glue:text}`gru_r_a:.4f` $) = 1 / (1 + e^{-a}) =$ {glue:text}`gru_r_2:.4f`.
```

### Step 2: the update gate

```{math}
:label: gru-eq-update
z_t = \sigma\left(W_z\,[h_{t-1}, x_t] + b_z\right)
```
"""),
    code(
        """
print("W_z =")
print(p.W_z)
print("b_z =", p.b_z)
z = update_gate(p, v)
print("z_t =", z)
"""
    ),
    code(
        """
glue("gru_z_terms", by_hand(p.W_z[0], v, p.b_z[0]), display=False)
glue_number("gru_z_a", (p.W_z @ v + p.b_z)[0])
glue_number("gru_z_1", z[0])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: $z_{t,1}$
:class: tip

{glue:text}`gru_z_terms` $=$ {glue:text}`gru_z_a:.4f`, and $\sigma($ {glue:text}`gru_z_a:.4f` $) =$
{glue:text}`gru_z_1:.4f`.
```

### Step 3: the candidate state

```{math}
:label: gru-eq-candidate
\tilde h_t = \tanh\left(W_h\,[r_t \odot h_{t-1}, x_t] + b_h\right)
```

The candidate is a plain RNN step, equation {eq}`rnn-eq-cell`, except that it sees the old state only
through the reset gate.
"""),
    code(
        """
print("W_h =")
print(p.W_h)
print("b_h =", p.b_h)
print("r_t * h_{t-1} =", r * h_prev)
h_tilde = candidate_hidden(p, x, h_prev, r, reset="before")
print("h_tilde_t     =", h_tilde)
"""
    ),
    code(
        """
v_reset = concat(r * h_prev, x)
glue("gru_c_terms", by_hand(p.W_h[2], np.round(v_reset, 4), p.b_h[2]), display=False)
glue_number("gru_c_a", (p.W_h @ v_reset + p.b_h)[2])
glue_number("gru_c_3", h_tilde[2])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: $\tilde h_{t,3}$
:class: tip

The third row of $W_h$ times $[r_t \odot h_{t-1}, x_t]$ (entries rounded to four decimals here), plus the
third entry of $b_h$:

{glue:text}`gru_c_terms` $\approx$ {glue:text}`gru_c_a:.4f`,

and $\tanh($ {glue:text}`gru_c_a:.4f` $) =$ {glue:text}`gru_c_3:.4f`.
```

### Step 4: the new state

```{math}
:label: gru-eq-hidden
h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t
```
"""),
    code(
        """
h = gru_hidden(z, h_prev, h_tilde, z_weights="old")
print("z_t * h_{t-1}         =", z * h_prev)
print("(1 - z_t) * h_tilde_t =", (1 - z) * h_tilde)
print("h_t (their sum)       =", h)
"""
    ),
    code(
        """
glue_number("gru_h_z1", z[0])
glue_number("gru_h_hprev1", h_prev[0])
glue_number("gru_h_htilde1", h_tilde[0])
glue_number("gru_h_1", h[0])
""",
        "remove-cell",
    ),
    md(r"""
```{admonition} Check it by hand: $h_{t,1}$
:class: tip

$h_{t,1} = z_{t,1}\,h_{t-1,1} + (1 - z_{t,1})\,\tilde h_{t,1}$
$=$ ({glue:text}`gru_h_z1:.4f`)({glue:text}`gru_h_hprev1:.4f`)
$+$ (1 $-$ {glue:text}`gru_h_z1:.4f`)({glue:text}`gru_h_htilde1:.4f`)
$=$ {glue:text}`gru_h_1:.4f`.
```

{numref}`gru-fig-gates` shows both gates of the step; {numref}`gru-fig-states` shows the old state,
the candidate and the new state.
"""),
    code(
        """
gates = {"r": r, "z": z}
states = {"h_prev": h_prev, "h_tilde": h_tilde, "h": h}
title = "Old state, candidate and new state"
glue("gru-gates", viz.gate_bars(gates, title="The two gates"), display=False)
glue("gru-states", viz.gate_bars(states, title=title), display=False)
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} gru-gates
:alt: Grouped bar chart of the reset gate and the update gate of the worked example, one pair of bars per component, all between 0 and 1 and labelled with their values.
:name: gru-fig-gates

Reset gate $r_t$ and update gate $z_t$ of the worked example, per component.
```

```{glue:figure} gru-states
:alt: Grouped bar chart of the previous state, the candidate and the new state of the worked example, one group of three bars per component, each new-state bar lying between the other two.
:name: gru-fig-states

Old state $h_{t-1}$, candidate $\tilde h_t$ and new state $h_t$. Each component of $h_t$ lies between
the other two, as equation {eq}`gru-eq-hidden` says it must.
```

### Comparing with the seed

The seed gives $r_t$ and $z_t$ rounded to two decimals:
"""),
    code(
        """
seed = {"r_t": [0.58, 0.73, 0.45], "z_t": [0.66, 0.42, 0.51]}  # the seed's
ours = {"r_t": r, "z_t": z}
matches = []
for name, published in seed.items():
    rounded = np.round(ours[name], 2)
    match = np.allclose(rounded, published, rtol=0, atol=1e-9)
    matches.append(match)
    ours_text = np.array2string(rounded, precision=2)
    print(f"{name}  ours {ours_text}  seed {published}  match: {match}")
print("all values match the seed to two decimals:", all(matches))
"""
    ),
    code(
        """
glue("gru_seed_count", sum(len(values) for values in seed.values()), display=False)
glue("gru_seed_verdict", "all of them match" if all(matches) else "NOT all of them match", display=False)
""",
        "remove-cell",
    ),
    md(r"""
Of the {glue:text}`gru_seed_count` published values, {glue:text}`gru_seed_verdict` to two decimals.
The gates do not depend on the $z$ convention; the new state does. `rnnlab.gru_step` computes the whole
step in either convention:
"""),
    code(
        """
old = rnnlab.gru_step(x, h_prev, p, z_weights="old", reset="before")
new = rnnlab.gru_step(x, h_prev, p, z_weights="new", reset="before")
agree = np.array_equal(old.h, h) and np.array_equal(old.h_tilde, h_tilde)
print("gru_step agrees with the four steps:", agree)
print('h_t with z_weights="old" (this book):', old.h)
print('h_t with z_weights="new"            :', new.h)
"""
    ),
    md(r"""
## The update as an interpolation

For each component, equation {eq}`gru-eq-hidden` picks a point on the segment between the old value
$h_{t-1}$ and the candidate $\tilde h_t$: at $z_t = 1$ the old value is kept exactly, at $z_t = 0$ it is
replaced by the candidate, and in between the state slides linearly from one to the other.
{numref}`gru-fig-interpolation` draws the segment for each component of the worked example and marks
where the computed gate puts the new state.
"""),
    code(
        """
fig = viz.interpolation(h_prev, h_tilde, z, z_weights="old")
glue("gru-interpolation", fig, display=False)
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} gru-interpolation
:alt: Line chart with the update gate value from 0 to 1 on the x axis and the new state on the y axis. One straight line per component runs from the candidate value at z = 0 to the old state value at z = 1; a dot on each line marks the worked example's z_t and the resulting h_t, labelled with its value.
:name: gru-fig-interpolation

The GRU update, component by component: each line runs from the candidate $\tilde h_t$ (at $z_t = 0$)
to the old state $h_{t-1}$ (at $z_t = 1$); the dots are the worked example's $z_t$ and $h_t$.
```

## What the reset gate does

The reset gate acts only on the candidate, equation {eq}`gru-eq-candidate`. At its two extremes:

- with $r = 0$ the candidate ignores the old state entirely,
  $\tilde h_t = \tanh(W_{hx} x_t + b_h)$, where $W_{hx}$ are the columns of $W_h$ that multiply $x_t$:
  the unit computes its proposal as if the sequence started now;
- with $r = 1$ the candidate is exactly a plain RNN step with weights $W_h$ and bias $b_h$.

Forcing $r$ in `candidate_hidden` shows both on the worked example, and checks each against its
description:
"""),
    code(
        """
H = p.hidden_size
candidates = {}
for label, r_forced in [("r = 0", np.zeros(H)), ("r = r_t", r), ("r = 1", np.ones(H))]:
    candidates[label] = candidate_hidden(p, x, h_prev, r_forced, reset="before")
    print(f"{label:8s} h_tilde = {candidates[label]}")

no_memory = np.tanh(p.W_h[:, H:] @ x + p.b_h)  # only the input columns of W_h
rnn_with_W_h = rnnlab.RNNParams(W=p.W_h, b=p.b_h)
plain_rnn = rnnlab.rnn_step(x, h_prev, rnn_with_W_h).h
same_0 = np.allclose(candidates["r = 0"], no_memory, rtol=0, atol=1e-15)
same_1 = np.allclose(candidates["r = 1"], plain_rnn, rtol=0, atol=1e-15)
print("r = 0 gives tanh(W_hx x_t + b_h):     ", same_0)
print("r = 1 gives a plain RNN step with W_h:", same_1)
"""
    ),
    md(r"""
The computed reset gate lands between the two extremes. Because $h_{t-1}$ is small in this example,
the three candidates are close to one another; the larger the old state, the more the reset gate
matters.
The reset gate lets a unit drop the past when it proposes new content, while the update gate decides
whether that proposal is used at all.

## The gradient path

Differentiating equation {eq}`gru-eq-hidden` with respect to $h_{t-1}$, with the gates and the
candidate held fixed, leaves only the update gate:

```{math}
:label: gru-eq-state-path
\frac{\partial h_t}{\partial h_{t-1}}\bigg|_{\text{state line}} = \operatorname{diag}(z_t).
```

This is the GRU's counterpart of the LSTM's equation {eq}`lstm-eq-cell-path`: a path with no weight
matrix, along which the gradient is multiplied by the update gate at every step. When a unit keeps its
state ($z_t$ near 1 in the book's convention), the gradient passes through almost unchanged. The
experiment repeats the previous chapters' measurement with `rnnlab.gru_backward`, for a GRU with
PyTorch's default initialisation and four values of the update-gate bias $b_z$, next to a plain RNN.
"""),
    code(
        """
def rnn_gradient_norms(p, xs, u):
    \"\"\"||dL/dh_{T-k}|| for k = 1 .. T-1, L = u . h_T, from rnn_backward.\"\"\"
    hs, _ = rnnlab.rnn_forward(xs, None, p)
    T = len(xs)
    norms = []
    for k in range(1, T):
        # restart the forward pass at h_{T-k}, run it over the last k inputs
        tail, cache_k = rnnlab.rnn_forward(xs[T - k :], hs[T - k - 1], p)
        dhs = np.zeros_like(tail)
        dhs[-1] = u
        norms.append(np.linalg.norm(rnnlab.rnn_backward(dhs, cache_k)[2]))
    return np.array(norms)


def gru_gradient_norms(p, xs, u):
    \"\"\"||dL/dh_{T-k}|| for k = 1 .. T-1, L = u . h_T, from gru_backward.\"\"\"
    hs, _ = rnnlab.gru_forward(xs, None, p)
    T = len(xs)
    norms = []
    for k in range(1, T):
        tail, cache_k = rnnlab.gru_forward(xs[T - k :], hs[T - k - 1], p)
        dhs = np.zeros_like(tail)
        dhs[-1] = u
        norms.append(np.linalg.norm(rnnlab.gru_backward(dhs, cache_k)[2]))
    return np.array(norms)


H, D, T = 32, 4, 60
rng = np.random.default_rng(2)
xs = 0.1 * rng.standard_normal((T, 1, D))
u = np.ones(H) / np.sqrt(H)
ks = np.arange(1, T)
gru_base = rnnlab.GRUParams.random(D, H, seed=0)
biases = [0.0, 1.0, 2.0, 3.0]
p_rnn = rnnlab.RNNParams.random(D, H, seed=0)
norms = {"plain RNN": rnn_gradient_norms(p_rnn, xs, u)}
mean_update = {}
for b in biases:
    p_b = gru_base.replace(b_z=np.full(H, b))
    norms[f"GRU, b_z = {b:g}"] = gru_gradient_norms(p_b, xs, u)
    hs_b, _ = rnnlab.gru_forward(xs, None, p_b)
    h_before = np.concatenate([np.zeros((1, 1, H)), hs_b[:-1]])  # all h_{t-1}
    mean_update[b] = update_gate(p_b, concat(h_before[:, 0], xs[:, 0])).mean()
for name, curve in norms.items():
    picks = "   ".join(f"k = {k}: {curve[k - 1]:.2e}" for k in (1, 20, T - 1))
    print(f"{name:16s} {picks}")
for b in biases:
    print(f"b_z = {b:g}: mean update gate {mean_update[b]:.3f}")
"""
    ),
    code(
        """
labels = {name.replace("b_z", "$b_z$"): curve for name, curve in norms.items()}
fig = viz.gradient_decay(
    ks,
    labels,
    title=f"Plain RNN against GRU with four update-gate biases, $H = {H}$",
    ylabel=r"$\\|\\partial L / \\partial h_{T-k}\\|$",
)
glue("gru-gradient", fig, display=False)
glue("gru_k_last", int(ks[-1]), display=False)
glue("gru_H", H, display=False)
glue_number("gru_rnn_last", norms["plain RNN"][-1])
for b in biases:
    glue_number(f"gru_last_b{int(b)}", norms[f"GRU, b_z = {b:g}"][-1])
    glue_number(f"gru_mean_z_b{int(b)}", mean_update[b])
""",
        "hide-input",
    ),
    md(r"""
```{glue:figure} gru-gradient
:alt: Line chart with a logarithmic y axis of the gradient norm against k for a plain RNN and for a GRU with update-gate bias 0, 1, 2 and 3. The plain RNN falls steeply; the GRU falls more slowly for every bias, and the larger the bias, the flatter its curve.
:name: gru-fig-gradient

Norm of $\partial L / \partial h_{T-k}$ for a plain RNN and for a GRU with update-gate bias
$b_z \in \{0, 1, 2, 3\}$ (same inputs, $H =$ {glue:text}`gru_H`, computed with `rnnlab.rnn_backward` and
`rnnlab.gru_backward`). In the book's convention a larger $b_z$ keeps more of the old state and lets the
gradient reach further back.
```

After {glue:text}`gru_k_last` steps back, the plain RNN's gradient norm is
{glue:text}`gru_rnn_last:.1e`. The GRU with $b_z = 0$ (average update gate
{glue:text}`gru_mean_z_b0:.2f`) keeps {glue:text}`gru_last_b0:.1e`; with $b_z = 1$ (average
{glue:text}`gru_mean_z_b1:.2f`) {glue:text}`gru_last_b1:.1e`; with $b_z = 3$ (average
{glue:text}`gru_mean_z_b3:.2f`) {glue:text}`gru_last_b3:.1e`. As with the LSTM's forget gate, what
matters is not that the gate exists but that it can stay near the value that keeps the state, and a
trained network learns when to do so.

## Exercise

[Exercise 3: the GRU's gates](../exercises/gru_gates/gru_gates.ipynb) has you compute this chapter's
worked example by hand, write the GRU step in numpy under either $z$ convention, and explain in words
what the reset gate does at $r = 0$.
"""),
]

CHAPTERS = {
    "chapters/02_rnn.ipynb": RNN,
    "chapters/03_lstm.ipynb": LSTM,
    "chapters/04_gru.ipynb": GRU,
}

METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def build(cells: list[tuple[str, str, tuple[str, ...]]]) -> nbformat.NotebookNode:
    """A notebook from ``(kind, source, tags)`` triples."""
    nb = nbformat.v4.new_notebook(metadata=METADATA)
    for number, (kind, source, tags) in enumerate(cells):
        source = source.strip("\n")
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        cell.id = f"cell-{number:03d}"
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    return nb


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the notebooks of chapters 02-04 (without outputs).")
    parser.add_argument("only", nargs="*", help="chapter paths to write (default: all)")
    args = parser.parse_args(argv)
    for path, cells in CHAPTERS.items():
        if args.only and path not in args.only:
            continue
        nbformat.write(build(cells), ROOT / path)
        print(f"wrote {path} ({len(cells)} cells)")


if __name__ == "__main__":
    main()
