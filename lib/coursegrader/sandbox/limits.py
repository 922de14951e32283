"""How much one student's sandbox may use, and how the statuses name each limit."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

MiB = 1024**2
GiB = 1024**3
UNITS = {"k": 1024, "m": MiB, "g": GiB}


def bytes_text(size: int) -> str:
    """``2147483648 -> "2 GiB"``, ``536870912 -> "512 MiB"`` (the largest unit that divides it)."""
    for unit, name in ((GiB, "GiB"), (MiB, "MiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"


def parse_bytes(text: str) -> int:
    """``"2G"``, ``"2GiB"``, ``"512M"``, ``"1500000"`` -> bytes (a ValueError says what is accepted)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)(?:i?[bB])?\s*", text)
    if not match:
        raise ValueError(f"expected a size such as 2G, 512M or 1500000 (bytes), received {text!r}")
    number, unit = match.groups()
    size = int(float(number) * UNITS.get(unit.lower(), 1))
    if size <= 0:
        raise ValueError(f"expected a positive size, received {text!r}")
    return size


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed kernel (and everything it starts).

    ``memory``: bytes of address space per process (``RLIMIT_AS``) and of resident memory of the whole
    sandbox (checked while it runs). ``cpu_seconds``: CPU time per process (``RLIMIT_CPU``).
    ``processes``: processes and threads of the sandbox together (``RLIMIT_NPROC``, counted in the
    sandbox's own user namespace). ``file_size``: the largest file it may write (``RLIMIT_FSIZE``).
    ``disk``: bytes in its scratch folder (checked while it runs) and the size of its private ``/tmp``.
    """

    memory: int = 2 * GiB
    cpu_seconds: int = 600
    processes: int = 64
    file_size: int = 256 * MiB
    disk: int = 512 * MiB

    def status(self, limit: str) -> str:
        """The status line for a limit that was hit: ``"memory limit (2 GiB)"``, ``"time limit (600 s of CPU)"``."""
        texts = {
            "memory": f"memory limit ({bytes_text(self.memory)})",
            "cpu": f"time limit ({self.cpu_seconds} s of CPU)",
            "processes": f"process limit ({self.processes} processes and threads)",
            "file_size": f"file size limit ({bytes_text(self.file_size)})",
            "disk": f"disk limit ({bytes_text(self.disk)})",
        }
        return texts[limit]

    def to_json(self) -> dict:
        return asdict(self)
