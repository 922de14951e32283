"""Cells of chapters/06_conventions.ipynb: ("md" | "code", source, tags)."""
# ruff: noqa: E501  (markdown and alt text are not wrapped)

IGNORE = ("nbval-ignore-output",)
HIDE = ("hide-input",)

CELLS = [
    (
        "md",
        r"""
# Conventions in the wild

"The GRU" is not one set of equations. Papers, tutorials and frameworks agree on the gates but differ
in two places, and in how they store the weights:

1. whether the update gate $z_t$ weights the **old** state or the **new** candidate;
2. whether the reset gate $r_t$ acts **before** or **after** the candidate's recurrent matrix product;
3. in which order the blocks of weights are stacked, and how many biases there are.

None of these choices is wrong, but mixing them silently gives a model that runs without error and
computes something else. This chapter shows each difference on the worked example of the GRU
chapter, converts weights between layouts, and points to the test that pins `rnnlab` to PyTorch.
""",
    ),
    (
        "code",
        r"""
import matplotlib.pyplot as plt
import numpy as np
from myst_nb import glue

import rnnlab
from rnnlab import interop, viz_training
from rnnlab.viz_training import Table

example = rnnlab.examples.gru_3d()
x, h_prev, p = example.x, example.h_prev, example.params
H = p.hidden_size
""",
    ),
    (
        "md",
        r"""
## Which state does $z_t$ keep?

Both forms interpolate between the previous state and the candidate; they differ in which one $z_t$
multiplies:

```{math}
:label: conv-z-old
h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t
```

```{math}
:label: conv-z-new
h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t
```

In `rnnlab` these are `z_weights="old"` and `z_weights="new"`. {eq}`conv-z-old` is the form of the paper that introduced the GRU {cite:p}`cho2014gru`, and of
PyTorch and Keras; {eq}`conv-z-new` is the form of {cite:t}`chung2014empirical` and of many
tutorials. The source notes this course grew from disagree in the same way, and one of them even
disagrees with itself:

| source | its equation | what it says $z_t \approx 1$ does |
|---|---|---|
| seed 001 | {eq}`conv-z-old` | keeps the past state |
| seed 004 | {eq}`conv-z-new` | "preserves the old hidden state" |

Under {eq}`conv-z-new`, $z_t = 1$ gives $h_t = \tilde h_t$: the old state is *replaced*, not
preserved. Seed 004's sentence describes {eq}`conv-z-old` while its formula is {eq}`conv-z-new`.
The lesson is to read the equation, not the sentence. `rnnlab` makes the choice a required part of
the call: `gru_step(..., z_weights="old")` or `z_weights="new"`.

### The two forms are one sign apart

Since $1 - \sigma(a) = \sigma(-a)$, the gate $1 - z_t$ is the update gate of a network whose update
weights and bias are negated:

```{math}
:label: conv-flip
1 - \sigma\bigl(W_z [h_{t-1}, x_t] + b_z\bigr) = \sigma\bigl(-W_z [h_{t-1}, x_t] - b_z\bigr).
```

So a GRU trained under one convention becomes the same function under the other by negating $W_z$
and $b_z$. Checked on the worked example:
""",
    ),
    (
        "code",
        r"""
new = rnnlab.gru_step(x, h_prev, p, z_weights="new")
flipped = rnnlab.gru_step(x, h_prev, p.replace(W_z=-p.W_z, b_z=-p.b_z), z_weights="old")
print("h_t, z_weights='new':                     ", new.h)
print("h_t, z_weights='old', W_z and b_z negated:", flipped.h)
print(f"largest difference: {np.max(np.abs(new.h - flipped.h)):.1e}")
""",
    ),
    (
        "md",
        r"""
The difference is zero or a rounding error of order $10^{-17}$: the two conventions have exactly the
same expressive power, and only the meaning of a *value* of $z_t$ changes. That matters when you read
a gate's values (as in the applications chapter) or load weights trained elsewhere.

## Where does $r_t$ act?

The candidate either resets the state before the matrix product, as in {cite:t}`cho2014gru` and the
seeds, or resets the product's result. Split the candidate's weights into the part acting on the
state and the part acting on the input, $W_h = [W_{hh}, W_{hx}]$:

```{math}
:label: conv-reset-before
\tilde h_t = \tanh\bigl(W_{hh} (r_t \odot h_{t-1}) + W_{hx} x_t + b_h\bigr)
```

```{math}
:label: conv-reset-after
\tilde h_t = \tanh\bigl(r_t \odot (W_{hh} h_{t-1} + b_{hn}) + W_{hx} x_t + b_h\bigr)
```

In `rnnlab` these are `reset="before"` and `reset="after"`. {eq}`conv-reset-after` is what PyTorch, cuDNN and Keras (with its default `reset_after=True`)
compute. It lets all three recurrent products of a step be done as one matrix product, which is
faster on a GPU, and it brings a second bias $b_{hn}$ inside the reset. The two forms agree only when
$r_t = 1$ and $b_{hn} = 0$.

## One input, four GRUs

Here is the worked example of the GRU chapter through the four combinations. The gates $r_t$ and
$z_t$ do not depend on the convention; the candidate depends on `reset`, and the new state on both
choices.
""",
    ),
    (
        "code",
        r"""
conventions = [(z, reset) for z in ("old", "new") for reset in ("before", "after")]
traces = {c: rnnlab.gru_step(x, h_prev, p, z_weights=c[0], reset=c[1]) for c in conventions}


def vector(v):
    return "[" + ", ".join(f"{value:+.3f}" for value in v) + "]"


rows = [[f"<code>{z}</code>", f"<code>{reset}</code>", vector(t.h_tilde), vector(t.h)] for (z, reset), t in traces.items()]
r_t, z_t = traces["old", "before"].r, traces["old", "before"].z
assert all(np.array_equal(t.r, r_t) and np.array_equal(t.z, z_t) for t in traces.values())
print("r_t =", vector(r_t), "(the same in all four)")
print("z_t =", vector(z_t), "(the same in all four)")
Table(["<code>z_weights</code>", "<code>reset</code>", "h̃<sub>t</sub>", "h<sub>t</sub>"], rows)
""",
    ),
    (
        "code",
        r"""
spread = np.ptp(np.array([t.h for t in traces.values()]), axis=0)
glue("conv-spread", f"{spread.max():.3f}", display=False)
glue("conv-spread-unit", int(np.argmax(spread)) + 1, display=False)
print("largest spread of h_t across the four conventions, per component:", vector(spread))
""",
    ),
    (
        "md",
        r"""
The same weights and the same input give four different states, up to {glue:text}`conv-spread`
apart in component {glue:text}`conv-spread-unit`, with values of a size that looks plausible in every
row. Nothing fails; the numbers are just different. Loading weights under the wrong convention is a
silent bug.

## Stacked weights: rnnlab, PyTorch and Keras

`rnnlab` keeps one matrix per block acting on $[h_{t-1}, x_t]$, as the book's equations do.
Frameworks split each block into its input part and its recurrent part and stack the blocks, in
different orders:

| | rnnlab | PyTorch | Keras |
|---|---|---|---|
| GRU blocks | `W_r`, `W_z`, `W_h` | rows r, z, n | columns z, r, h |
| LSTM blocks | `W_f`, `W_i`, `W_c`, `W_o` | rows i, f, g, o | columns i, f, c, o |
| input weights | last $D$ columns of each block | `weight_ih` $(GH, D)$ | `kernel` $(D, GH)$ |
| recurrent weights | first $H$ columns of each block | `weight_hh` $(GH, H)$ | `recurrent_kernel` $(H, GH)$ |
| biases | one per block, plus $b_{hn}$ with `reset="after"` | two per block, `bias_ih` and `bias_hh` | GRU: two per block by default (`reset_after=True`); LSTM: one |

PyTorch's $n$ and $g$, and Keras' $h$ and $c$, are the candidates ($\tilde h$ and $\tilde c$). Keras
stores transposed matrices because it computes `x @ kernel`; PyTorch computes `W @ x`.
""",
    ),
    (
        "code",
        r"""
fig = viz_training.weight_layouts(H=3, D=2)
glue("conv-layouts", fig, display=False)
plt.close(fig)
""",
        HIDE,
    ),
    (
        "md",
        r"""
```{glue:figure} conv-layouts
:alt: Three diagrams of the same GRU weights. Left, rnnlab: three separate matrices W_r, W_z and W_h, each split into a recurrent part of width H and an input part of width D. Middle, PyTorch: the input parts stacked as rows r, z, n in weight_ih, and the recurrent parts stacked as rows r, z, n in weight_hh. Right, Keras: the transposed input parts side by side as columns z, r, h in kernel, and the transposed recurrent parts as columns z, r, h in recurrent_kernel.
:name: fig-conv-layouts

One GRU, three layouts, drawn for $H = 3$ and $D = 2$. Colours mark the blocks: reset gate (orange),
update gate (blue), candidate (green). Keras applies its matrices as `x @ kernel`, so they are
transposed, and it puts $z$ before $r$. The biases (not drawn) follow the same order in each
framework.
```

`rnnlab.interop` converts in both directions. For Keras, `to_keras` returns the three arrays and
`from_keras` reads them back; the block for $z_t$ is the first in Keras and its columns are the
transposed rows of `W_z`:
""",
    ),
    (
        "code",
        r"""
keras = interop.to_keras(p.replace(b_hn=np.zeros(H)), reset_after=True)
for name, array in keras.items():
    print(f"{name:>16}: shape {array.shape}")
D = p.input_size
print("kernel[:, :H] is the input part of W_z, transposed:    ",
      np.array_equal(keras["kernel"][:, :H], p.W_z[:, H:].T))
print("recurrent_kernel[:, H:2H] is the state part of W_r, transposed:",
      np.array_equal(keras["recurrent_kernel"][:, H:2 * H], p.W_r[:, :H].T))
back = interop.from_keras("gru", **keras)
print("round trip gives the same weights:",
      all(np.array_equal(a, b) for a, b in zip(back.arrays().values(), p.replace(b_hn=np.zeros(H)).arrays().values())))
""",
    ),
    (
        "md",
        r"""
The Keras round trip is exact because it only moves numbers. What the conversion cannot change is
the convention: a Keras GRU with the default `reset_after=True` computes {eq}`conv-reset-after` with
{eq}`conv-z-old`, so weights from it must be run with `reset="after", z_weights="old"`. The seeds'
equations are {eq}`conv-reset-before`; to get them in Keras, pass `reset_after=False`, whose layout
has a single bias row:
""",
    ),
    (
        "code",
        r"""
keras_before = interop.to_keras(p, reset_after=False)
print("reset_after=False bias shape:", keras_before["bias"].shape)
print("reset_after=True  bias shape:", keras["bias"].shape, "(row 0: input biases, row 1: recurrent biases)")
""",
    ),
    (
        "md",
        r"""
For PyTorch, `rnnlab.GRUParams.from_torch(module)` and `params.to_torch()` do the same job for
`nn.GRUCell` and a one-layer `nn.GRU`. A PyTorch GRU always computes `reset="after",
z_weights="old"`: its `bias_hh` rows for $n$ become `b_hn`, and its other two biases per block are
added together, since outside the candidate they only ever appear as a sum.

## rnnlab equals PyTorch

The claim that `rnnlab` computes exactly what PyTorch computes is checked by
`tests/test_torch.py`: for random sizes and weights it runs `nn.RNNCell`, `nn.LSTMCell` and
`nn.GRUCell` (and the one-layer `nn.RNN`, `nn.LSTM`, `nn.GRU`) in float64 next to `rnnlab`, and
compares every output and every gradient to $10^{-10}$. It runs in the course's continuous
integration, where PyTorch is always installed.

The cell below repeats that comparison on this chapter's example when PyTorch is installed. Binder,
and a reader's laptop, may not have it; then the cell says so. Its output depends on the machine, so
the book's tests do not compare it.
""",
    ),
    (
        "code",
        r"""
try:
    import torch
except ImportError:
    torch = None

if torch is None:
    print("PyTorch is not installed here; tests/test_torch.py runs this comparison in CI.")
else:
    ours = rnnlab.gru_step(x, h_prev, p, reset="after", z_weights="old").h
    cell = p.to_torch()  # an nn.GRUCell in float64 with the example's weights
    with torch.no_grad():
        theirs = cell(torch.tensor(x)[None], torch.tensor(h_prev)[None])[0].numpy()
    print("rnnlab  h_t:", ours)
    print("PyTorch h_t:", theirs)
    print(f"largest difference: {np.max(np.abs(ours - theirs)):.1e}")
""",
        IGNORE,
    ),
    (
        "md",
        r"""
## Checklist for reusing GRU weights

1. Find the equation for $h_t$ in the source, not the sentence about it: {eq}`conv-z-old` or
   {eq}`conv-z-new`? If it differs from yours, negate $W_z$ and $b_z$ ({eq}`conv-flip`).
2. Find where $r_t$ acts: {eq}`conv-reset-before` or {eq}`conv-reset-after`? This one cannot be
   converted by a change of weights in general; run the model under its own convention.
3. Map the stacked blocks by name (PyTorch r, z, n; Keras z, r, h), transpose Keras' kernels, and add
   or keep the biases as described above.
4. Check one step against the source framework on a known input, as the cell above does.
""",
    ),
]
