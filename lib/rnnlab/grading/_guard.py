"""Tamper detection and the reference-call trap.

At import time this module keeps its own references to the numpy functions the checks use. Every
public helper calls :func:`check_untampered` first, which compares numpy's public functions (and the
grading module's own) by identity with those captured originals, so a notebook that replaced
``np.allclose`` with ``lambda *a, **k: True`` fails instead of passing.

:func:`call_student` runs a student's function under a profile hook that records any call into the
modules holding rnnlab's reference implementation.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.testing

from . import crashes, messages

# numpy functions the checks rely on, captured before any student code runs.
NUMPY_NAMES = (
    "abs", "all", "allclose", "any", "argwhere", "array", "array_equal", "asarray", "broadcast_to", "concatenate",
    "isclose", "isfinite", "linalg", "max", "round", "tanh", "where", "zeros", "zeros_like",
)  # fmt: skip
ORIGINAL_NUMPY = {name: getattr(np, name) for name in NUMPY_NAMES}
ORIGINAL_NUMPY_TESTING = {"assert_allclose": numpy.testing.assert_allclose}
ORIGINAL_NORM = np.linalg.norm
ORIGINAL_SETPROFILE = sys.setprofile
ORIGINAL_GETPROFILE = sys.getprofile
_NUMPY_DIR = str(Path(np.__file__).resolve().parent)


def _looks_genuine(fn: object) -> bool:
    """True if ``fn`` is one of numpy's own ufuncs, dispatchers, builtins or Python functions.

    Catches a notebook that replaced numpy functions *before* this module was first imported.
    """
    kind = type(fn)
    if kind is np.ufunc or isinstance(fn, types.ModuleType):
        return getattr(fn, "__name__", "").startswith("numpy") or kind is np.ufunc
    if kind is types.BuiltinFunctionType or (kind.__module__, kind.__qualname__) == (
        "numpy",
        "_ArrayFunctionDispatcher",
    ):
        return str(getattr(fn, "__module__", "")).startswith("numpy")
    code = getattr(fn, "__code__", None)
    return (
        kind is types.FunctionType and code is not None and str(Path(code.co_filename).resolve()).startswith(_NUMPY_DIR)
    )


_REPLACED_BEFORE_IMPORT = [
    name
    for name, fn in [*ORIGINAL_NUMPY.items(), *ORIGINAL_NUMPY_TESTING.items(), ("linalg.norm", ORIGINAL_NORM)]
    if not _looks_genuine(fn)
]

# The modules that implement the cells: a student's function must not call into them. A frame is
# recognised by its module's name, or by its file name in case a function was copied into another module.
PACKAGE = _PACKAGE = __name__.rsplit(".", 2)[0]
REFERENCE_MODULES = (
    "cells.rnn", "cells.lstm", "cells.gru", "cells.affine",
    "sequence_rnn", "sequence_lstm", "sequence_gru", "gradcheck", "interop",
)  # fmt: skip


# Reference modules watched only by the checks that ask for them (``watch=``): the training-in-practice
# exercise's clipping and sampling live here, while other exercises' training code may use rnnlab.train freely.
WATCHED_ON_REQUEST = ("train", "sampling")
TRAINING = WATCHED_ON_REQUEST


def shown_module(name: str) -> str:
    """How a message names a reference module: ``rnnlab.cells`` for ``cells.gru`` (the package students
    import from), ``rnnlab.sequence_gru`` for ``sequence_gru``."""
    return f"{_PACKAGE}.{name.split('.')[0]}"


_REFERENCE_NAMES = {f"{_PACKAGE}.{name}": shown_module(name) for name in REFERENCE_MODULES}  # module -> shown


def reference_file(name: str) -> str:
    """``cells/gru.py`` for ``"cells.gru"``: the file of one reference module, relative to the package."""
    return name.replace(".", "/") + ".py"


def _files(names: tuple[str, ...]) -> dict[str, str]:
    """file -> module name, for a function copied into another module."""
    folders = {Path(__file__).parents[1], Path(__file__).resolve().parents[1]}
    return {str(folder / reference_file(name)): shown_module(name) for folder in folders for name in names}


_REFERENCE_FILES = _files(REFERENCE_MODULES)
_ON_REQUEST_NAMES = {f"{_PACKAGE}.{name}": shown_module(name) for name in WATCHED_ON_REQUEST}
_ON_REQUEST_FILES = _files(WATCHED_ON_REQUEST)

_own_functions: dict[str, object] = {}
_own_module: list[types.ModuleType] = []


class TamperingError(AssertionError):
    """numpy or the grading helpers were replaced inside the notebook."""


class ReferenceCallError(AssertionError):
    """The student's function called rnnlab's reference implementation."""


def register_own(module: types.ModuleType, names: list[str]) -> None:
    """Remember the grading module's public functions so later replacement is detected."""
    _own_module[:] = [module]
    _own_functions.clear()
    _own_functions.update({name: getattr(module, name) for name in names})


def watched_names() -> tuple[str, ...]:
    """Every function :func:`check_untampered` watches, named and ordered as its message lists them."""
    names = [f"np.{name}" for name in NUMPY_NAMES]
    names += ["np.linalg.norm", *(f"np.testing.{name}" for name in ORIGINAL_NUMPY_TESTING), "sys.setprofile"]
    names += [f"grading.{name}" for name in _own_functions]
    module = _own_module[0].__name__ if _own_module else f"{_PACKAGE}.grading"
    return (*names, f"sys.modules[{module!r}]")


def check_untampered() -> None:
    """Raise :class:`TamperingError` if numpy's or the grading module's functions were replaced."""
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    replaced = [f"np.{name}" for name in _REPLACED_BEFORE_IMPORT]
    replaced += [f"np.{name}" for name, fn in ORIGINAL_NUMPY.items() if getattr(np, name, None) is not fn]
    if np.linalg.norm is not ORIGINAL_NORM:
        replaced.append("np.linalg.norm")
    for name, fn in ORIGINAL_NUMPY_TESTING.items():
        if getattr(numpy.testing, name, None) is not fn:
            replaced.append(f"np.testing.{name}")
    if sys.setprofile is not ORIGINAL_SETPROFILE or sys.getprofile is not ORIGINAL_GETPROFILE:
        replaced.append("sys.setprofile")
    if _own_module:
        module = _own_module[0]
        replaced += [f"grading.{n}" for n, fn in _own_functions.items() if module.__dict__.get(n) is not fn]
        if sys.modules.get(module.__name__) is not module:
            replaced.append(f"sys.modules[{module.__name__!r}]")
    if replaced:
        raise TamperingError(messages.build("replaced", functions=replaced))


def call_student(fn: Callable[..., object], args: tuple, kwargs: dict, watch: tuple[str, ...] = ()) -> object:
    """Call ``fn(*args, **kwargs)``; raise :class:`ReferenceCallError` if it reached rnnlab's reference code.

    ``watch`` adds modules of ``WATCHED_ON_REQUEST`` (e.g. ``TRAINING``) to the reference modules for this call.

    The previous profile hook is restored afterwards, also when ``fn`` raises. One of the common crashes
    (:mod:`rnnlab.grading.crashes`) becomes an ``AssertionError`` naming the line and the likely fix, chained
    to the original so the student still sees their own traceback; any other error propagates unchanged.
    """
    __tracebackhide__ = True  # IPython and pytest show the student's frames, not ours
    if not callable(fn):
        received = messages.describe(fn)
        raise AssertionError(messages.build("not_callable", received=received, value=messages.safe_repr(fn)))
    called: list[str] = []
    names, files = _REFERENCE_NAMES, _REFERENCE_FILES
    if watch:
        names = {**names, **{k: v for k, v in _ON_REQUEST_NAMES.items() if k.rsplit(".", 1)[1] in watch}}
        files = {**files, **{k: v for k, v in _ON_REQUEST_FILES.items() if Path(k).stem in watch}}

    def hook(frame: types.FrameType, event: str, arg: object) -> None:
        if event == "call":
            module = frame.f_globals.get("__name__")
            if module in names or frame.f_code.co_filename in files:
                where = names.get(module) or files[frame.f_code.co_filename]
                called.append(f"{where}.{frame.f_code.co_name}")
                raise ReferenceCallError(_reference_message(called[0]))

    previous = ORIGINAL_GETPROFILE()
    ORIGINAL_SETPROFILE(hook)
    try:
        result = fn(*args, **kwargs)
    except ReferenceCallError:
        raise ReferenceCallError(_reference_message(called[0])) from None
    except crashes.CAUGHT as error:
        if called:  # the student's code swallowed our error and failed later
            raise ReferenceCallError(_reference_message(called[0])) from None
        hint = crashes.crash_hint(error)
        line = crashes.student_line(error, getattr(fn, "__code__", None))
        if hint is None or line is None:
            raise
        name = messages.function_name(fn)
        raise AssertionError(messages.build("crash", name=name, line=line, hint=hint)) from error
    except BaseException:
        if called:  # the student's code swallowed our error and failed later
            raise ReferenceCallError(_reference_message(called[0])) from None
        raise
    finally:
        still_ours = ORIGINAL_GETPROFILE() is hook
        ORIGINAL_SETPROFILE(previous)
    if called:
        raise ReferenceCallError(_reference_message(called[0]))
    if not still_ours:
        raise TamperingError(messages.build("profiler"))
    return result


def _reference_message(where: str) -> str:
    return messages.build("reference", where=where)
