"""The book's figures, drawn with matplotlib; every function returns the figure.

- :mod:`rnnlab.plots.style`: the colours, symbols and figure style every plot shares
- :mod:`rnnlab.plots.steps`: one step and a sequence (gate bars, state heatmaps, gradient decay, GRU interpolation)
- :mod:`rnnlab.plots.training`: learning curves, timings, forecasts, weight layouts and the ``Table`` of results
- :mod:`rnnlab.plots.diagrams`: the cell diagrams of the RNN, the LSTM and the GRU
- :mod:`rnnlab.plots.unrolled`: a cell unrolled over time, with the backward (gradient) arrows BPTT follows
- :mod:`rnnlab.plots.text`: the character-level language model's learning curves and text coloured by a unit
- :mod:`rnnlab.plots.explainer`: static figures of an :class:`~rnnlab.explainer.Explainer`'s state
"""
