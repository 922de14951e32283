"""A bubblewrap sandbox for every student kernel the grader runs.

See :mod:`coursegrader.sandbox.bwrap` for what the kernel sees and cannot do,
:mod:`coursegrader.sandbox.kernel` for how the grader starts it, talks to it and makes sure it is gone,
and :mod:`coursegrader.sandbox.probe` for the check that stops ``make grade`` when no sandbox can be made.
"""

from .limits import Limits, bytes_text, parse_bytes

__all__ = ["Limits", "bytes_text", "parse_bytes"]
