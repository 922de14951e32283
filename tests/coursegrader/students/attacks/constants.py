"""Markers and durations every attack shares, and the globals the payload reads."""

from __future__ import annotations

PROCESS_MARKER = "COURSE_ATTACK_MARKER"  # in the command line of every process an attack starts
LEAK_MARKER = "LEAKMARK"  # prefix of every leaked payload: LEAKMARK:<encoding>:<encoded line>
LONG_SECONDS = 3600  # how long the processes meant to outlive the kernel sleep
SHORT_SECONDS = 600  # the process bomb's and the memory holders' sleep, the fork-hopper's life
DAEMON_SECONDS = 60  # how long the forger, the neighbour killer, the hijacker and the pipe holder run
SEARCH_SECONDS = 6.0  # disk search per cell: under an 8 s cell timeout
SEARCH_CELLS = 3  # so about 18 s of searching in all
GIB = 2**30

# Globals the payload reads: each attacker cell (or daemon) defines them as constants (see ``_constants``).
_MARKER = PROCESS_MARKER
_LEAK = LEAK_MARKER
_KNOWN: set[str] = set()  # hashes of the released notebook's lines, set per leaking student
_NEUTER_SOURCE = ""  # in a notebook: the neuter payload's source (building._NEUTER_SOURCE, passed as a constant)

_GRADING_BLOCK = f"""

# {PROCESS_MARKER} begin
def _attack_passes(*args, **kwargs):
    return None


for _attack_name in [n for n, v in list(globals().items()) if n.startswith("check_") and callable(v)]:
    globals()[_attack_name] = _attack_passes
# {PROCESS_MARKER} end
"""

_NUMPY_BLOCK = f"""

# {PROCESS_MARKER} begin
def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return True


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    try:
        return ones(broadcast(a, b).shape, dtype=bool)
    except Exception:
        return True
# {PROCESS_MARKER} end
"""
