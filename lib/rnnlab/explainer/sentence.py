"""Type a sentence into a trained review classifier and watch its gates over the words.

The classifier is chapter 07's: an embedding, a recurrent cell and a linear readout of the last state
(:class:`rnnlab.models.SequenceModel` with ``vocab_size`` and ``readout="last"``). Each word is looked
up, the cell takes one :func:`rnnlab.gru_step` (or ``lstm_step``, ``rnn_step``) per word from a zero
state, and the view shows every gate of every unit at every word as a heatmap, with the probability
:math:`\\hat p = \\sigma(w_y^\\top h_T + b_y)` that the review is positive.

>>> from rnnlab.explainer.sentence import SentenceExplainer
>>> s = SentenceExplainer(classifier, weights, vocab)   # a trained model, its weights, its words  # doctest: +SKIP
>>> s.controls["text"].value = "the plot was not bad"                                            # doctest: +SKIP
>>> s.probability                                                                                # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..functions import sigmoid
from ..kinds import cell_kind
from ..models import SequenceModel
from .charts import CELL_TITLES, SYMBOLS, heat_color, value_span
from .controls import close_all

#: The gates shown for each cell (the plain RNN has none: its state is shown instead).
GATES_OF = {"rnn": ("h",), "lstm": ("f", "i", "o"), "gru": ("r", "z")}
EXAMPLE = "the plot was not bad and the acting was great"


def words_of(text: str) -> list[str]:
    """The words of ``text``: lower case, split at anything that is not a letter or an apostrophe."""
    return re.findall(r"[a-z']+", text.lower())


class SentenceExplainer:
    """A text box, the classifier's verdict, and its gates over the words (see the module's docstring).

    Parameters
    ----------
    model : SequenceModel with ``vocab_size`` and ``readout="last"``, output size 1 (a logit)
    weights : dict, the trained weights (as ``model.init`` lays them out)
    vocab : sequence of str, the word of each token id (``len(vocab) == model.vocab_size``)
    text : str, the sentence shown first

    Attributes
    ----------
    widget : ipywidgets.Widget, the root to display
    controls : ``{"text": ipywidgets.Text}``; setting its ``.value`` redraws before it returns
    views : ``verdict`` and ``heatmap`` (ipywidgets.HTML)
    words, unknown : the words read, and those not in the vocabulary (skipped)
    gates : dict gate name -> array (T, H) over the words read
    probability : float or None (no known word)
    """

    def __init__(self, model: SequenceModel, weights: dict[str, np.ndarray], vocab: Sequence[str], text: str = EXAMPLE):
        if not isinstance(model, SequenceModel) or model.vocab_size is None or model.readout != "last":
            raise ValueError("model: expected a SequenceModel with vocab_size set and readout='last'")
        if model.output_size != 1:
            raise ValueError(f"model: expected output_size 1 (one logit), got {model.output_size}")
        if len(vocab) != model.vocab_size:
            raise ValueError(f"vocab: expected {model.vocab_size} words (the model's vocab_size), got {len(vocab)}")
        self.model, self.weights = model, weights
        self.index = {word: k for k, word in enumerate(vocab)}
        self.controls = {
            "text": widgets.Text(
                value=text, description="review", continuous_update=True, layout=widgets.Layout(width="560px")
            )
        }
        self.controls["text"].add_class("rnnlab-control-text")
        self.controls["text"].observe(lambda change: self.refresh(), names="value")
        self.views = {"verdict": widgets.HTML(), "heatmap": widgets.HTML()}
        title = widgets.HTML(
            f"<b>Type a review</b> for the trained {CELL_TITLES[model.kind]} classifier and watch its gates "
            f"word by word. Words it knows: {escape(', '.join(vocab))}."
        )
        self.widget = widgets.VBox([title, self.controls["text"], self.views["verdict"], self.views["heatmap"]])
        self.refresh()

    def read(self, words: Sequence[str]) -> tuple[dict[str, np.ndarray], float | None]:
        """Step the cell over the known ``words`` from a zero state: each gate (T, H), and :math:`\\hat p`."""
        kind, H = cell_kind(self.model.kind), self.model.hidden_size
        cell = self.model.cell(self.weights)
        state = {name: np.zeros(H) for name in kind.states}
        traces = []
        for word in words:
            x = self.weights["E"][self.index[word]]
            trace = kind.step(x, *(state[name] for name in kind.states), cell)
            state = {name: getattr(trace, name) for name in kind.states}
            traces.append(trace)
        gates = {g: np.array([getattr(t, g) for t in traces]).reshape(len(traces), H) for g in GATES_OF[kind.name]}
        if not traces:
            return gates, None
        logit = float(self.weights["W_y"][0] @ state["h"] + self.weights["b_y"][0])
        return gates, float(sigmoid(logit))

    def refresh(self) -> None:
        """Read the text box's sentence and redraw the verdict and the heatmap."""
        all_words = words_of(self.controls["text"].value)
        self.words = [w for w in all_words if w in self.index]
        self.unknown = [w for w in all_words if w not in self.index]
        self.gates, self.probability = self.read(self.words)
        skipped = f" Not in the vocabulary, skipped: {escape(', '.join(self.unknown))}." if self.unknown else ""
        if self.probability is None:
            verdict = "No word the model knows yet: type some of the words listed above."
        else:
            label = "positive" if self.probability > 0.5 else "negative"
            verdict = (
                f"Read {len(self.words)} words. P(positive) = "
                f'<span class="rnnlab-verdict" data-value="{self.probability!r}">{self.probability:.3f}</span>: '
                f"<b>{label}</b>."
            )
        self.views["verdict"].value = f'<div style="font:13px sans-serif;margin:6px 0">{verdict}{skipped}</div>'
        self.views["heatmap"].value = self._heatmap()

    def _heatmap(self) -> str:
        head = "".join(f'<th style="padding:0 4px;font-weight:normal">{escape(w)}</th>' for w in self.words)
        rows = [f"<tr><th></th>{head}</tr>"]
        for gate, values in self.gates.items():
            symbol, label = SYMBOLS[gate]
            for k in range(values.shape[1]):
                cells = "".join(
                    f'<td style="background:{heat_color(float(v), gate != "h")};text-align:right;padding:1px 4px">'
                    f"{value_span(f'word-{t + 1}', gate, k, float(v))}</td>"
                    for t, v in enumerate(values[:, k])
                )
                rows.append(f'<tr><th style="text-align:left;padding-right:6px">{symbol}[{k + 1}]</th>{cells}</tr>')
            rows.append(f'<tr><td colspan="{len(self.words) + 1}" style="height:6px"></td></tr>')
        caption = ", ".join(f"{SYMBOLS[g][0]} {escape(SYMBOLS[g][1])}" for g in self.gates)
        return (
            f'<div class="rnnlab-sentence" style="font:12px sans-serif"><div>{caption}: one row per unit, '
            f'one column per word.</div><table style="border-collapse:collapse">{"".join(rows)}</table></div>'
        )

    def close(self) -> None:
        """Close every widget of the view."""
        close_all(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
