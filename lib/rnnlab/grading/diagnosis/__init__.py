"""The diagnosis engine: the likely mistake behind a wrong answer, found by searching mutations of the equations.

Each cell's step is written once as a small graph of the book's equations (:mod:`.cells`, ops in :mod:`.ops`,
the graph in :mod:`.graph`); :mod:`.mutations` lists the ways a student's code can differ from them, each
with a sentence naming the equation by its number in the book (:mod:`.sentences`, :mod:`.equations`);
:mod:`.search` tries single mutations and then pairs on the checked inputs and keeps the first whose output
matches the student's. :mod:`.sequences` and :mod:`.backward` add the unrolled RNN, BPTT's gradient norms
and the GRU's backward pass; :mod:`.catalogue` lists every sentence, for the feedback's parser. The checks
call :mod:`.api` only after a comparison failed.
"""

from . import api

__all__ = ["api"]
