"""The interactive explainer: sliders for one step of a cell, live gate charts and equations, presets and a
sequence mode, all computed by rnnlab.

>>> from rnnlab.explainer import Explainer
>>> e = Explainer("gru")        # "rnn" | "lstm" | "gru" | "both"
>>> e.widget                    # display this in a notebook                      # doctest: +SKIP

Modules: :mod:`.model` (the numbers), :mod:`.presets`, :mod:`.charts` and :mod:`.equations` (HTML views),
:mod:`.controls` (the widgets), :mod:`.core` (the :class:`Explainer` that wires them), and :mod:`.memory`, the
Jacobian view (:class:`~rnnlab.explainer.memory.MemoryExplainer`: how much each earlier input still moves h_T,
for the three cells side by side), and :mod:`.sentence` (:class:`~rnnlab.explainer.sentence.SentenceExplainer`:
type a review into a trained classifier and watch its gates over the words).
"""

from .core import Explainer
from .model import KINDS
from .presets import PRESETS, Preset

__all__ = ["KINDS", "PRESETS", "Explainer", "Preset"]
