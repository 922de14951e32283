"""What a sandboxed kernel sees of the machine: the system's programs and libraries, the Python
environment and the course library, read-only; nothing of the course's files, the home directory or
other students.

Paths are exposed at the same place as on the host, so the interpreter, its ``sys.path`` and the
installed packages work unchanged. A package installed in editable mode (``pip install -e``, as
``make`` installs ``rnnlab``) lives in the repository checkout: only the package's own folder is
exposed, never the checkout around it (``solutions/``, ``grading/``, ``lib/coursegrader``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

#: Top-level system folders exposed read-only (or re-created as the same symbolic link, merged /usr).
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: The few files of /etc that programs need to start: the dynamic linker's cache and the time zone.
ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")


@dataclass(frozen=True)
class View:
    """Folders and files bound read-only at their own path, and top-level symbolic links to re-create."""

    read_only: tuple[Path, ...]
    symlinks: tuple[tuple[str, str], ...]  # (target, link), e.g. ("usr/lib", "/lib")


def package_folder(name: str) -> Path:
    """The folder of an importable package, without importing it (ValueError if there is none)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"the sandbox must expose the package {name!r}, but it cannot be found on this Python")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def python_folders() -> list[Path]:
    """The interpreter's installation and the environment (virtualenv) it runs in."""
    executable = Path(sys.executable).resolve()
    folders = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), executable.parent.parent}
    return sorted(folders)


def without_nested(paths: list[Path]) -> tuple[Path, ...]:
    """Drop every path that lies inside another one of the list (binding the outer one exposes it)."""
    kept: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if not any(path == outer or outer in path.parents for outer in kept):
            kept.append(path)
    return tuple(sorted(kept))


def build_view(packages: list[str]) -> View:
    """The read-only view for a kernel that must import ``packages`` (besides the standard library)."""
    exposed: list[Path] = []
    symlinks: list[tuple[str, str]] = []
    for top in SYSTEM:
        if os.path.islink(top):
            symlinks.append((os.readlink(top), top))
        elif os.path.isdir(top):
            exposed.append(Path(top))
    exposed += [Path(path) for path in ETC if os.path.exists(path)]
    exposed += python_folders()
    exposed += [package_folder(name) for name in packages]
    return View(without_nested(exposed), tuple(symlinks))


def import_path(packages: list[str]) -> str:
    """``PYTHONPATH`` for a sandboxed kernel: the folders holding ``packages``, as this Python finds them.

    The sandbox exposes each package's folder where this Python found it (:func:`build_view`); the kernel
    must import it from there too, not from wherever the environment's own ``.pth`` files point (another
    checkout's ``lib``, absent from the sandbox). Only the package folders are exposed, so nothing else of
    these folders can be imported.
    """
    return os.pathsep.join(dict.fromkeys(str(package_folder(name).parent) for name in packages))


def library_digest(packages: list[str]) -> str:
    """SHA-256 over every file of the packages the students' kernels import (their paths and bytes)."""
    digest = hashlib.sha256()
    for name in packages:
        folder = package_folder(name)
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
