"""Every public function and class has a numpydoc docstring whose Parameters section lists every argument
(for classes: every field), and every step / forward / backward / gate function shows its equation.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types

import pytest

import rnnlab
from rnnlab import cells, interop


def public_objects() -> dict[str, object]:
    found: dict[str, object] = {}
    for name in rnnlab.__all__:
        obj = getattr(rnnlab, name)
        if not isinstance(obj, types.ModuleType):
            found[f"rnnlab.{name}"] = obj
    for name in cells.__all__:  # one module per cell, every equation exported by rnnlab.cells
        found[f"rnnlab.cells.{name}"] = getattr(cells, name)
    for name, obj in vars(interop).items():
        defined_here = getattr(obj, "__module__", None) == interop.__name__
        if not name.startswith("_") and defined_here and (inspect.isfunction(obj) or inspect.isclass(obj)):
            found[f"rnnlab.interop.{name}"] = obj
    return found


PUBLIC = public_objects()
EQUATION_NAME = re.compile(r"(_step|_forward|_backward|_gate|_hidden|_cell|cell_state)$")


def documented_names(doc: str) -> set[str]:
    """Names listed in the numpydoc Parameters section (``a, b : type`` lines at the section's indent)."""
    lines = inspect.cleandoc(doc).splitlines()
    start = next((k for k, line in enumerate(lines[:-1]) if line == "Parameters" and set(lines[k + 1]) == {"-"}), None)
    if start is None:
        return set()
    names: set[str] = set()
    for k in range(start + 2, len(lines)):
        line, underline = lines[k], lines[k + 1] if k + 1 < len(lines) else ""
        if underline and set(underline) == {"-"}:
            break  # the next section starts
        if line and not line.startswith(" "):
            names.update(part.strip().lstrip("*") for part in line.split(" : ")[0].split(","))
    return names


def test_the_list_of_public_objects_is_complete():
    for expected in ["rnnlab.gru_step", "rnnlab.GRUParams", "rnnlab.interop.from_keras", "rnnlab.cells.forget_gate"]:
        assert expected in PUBLIC, f"{expected} missing from the objects checked: {sorted(PUBLIC)}"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_has_numpydoc_parameters(name):
    obj = PUBLIC[name]
    doc = inspect.getdoc(obj)
    assert doc and len(doc.splitlines()[0]) > 10, f"{name}: no docstring summary line"
    listed = documented_names(doc)
    assert listed, f"{name}: no numpydoc 'Parameters' section with entries in:\n{doc}"
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
        expected = {f.name for f in dataclasses.fields(obj)}
    else:
        target = obj.__init__ if inspect.isclass(obj) else obj
        expected = {p for p in inspect.signature(target).parameters if p not in ("self", "cls")}
    missing = expected - listed
    assert not missing, f"{name}: parameters {sorted(missing)} not documented; documented: {sorted(listed)}"


@pytest.mark.parametrize("name", sorted(n for n in PUBLIC if EQUATION_NAME.search(n)))
def test_equations_are_shown(name):
    doc = inspect.getdoc(PUBLIC[name]) or ""
    assert ":math:" in doc or ".. math::" in doc, f"{name}: no :math: or .. math:: in its docstring:\n{doc}"


def test_a_missing_section_is_detected():
    def undocumented(x):
        """Only a summary line, no sections at all."""

    found = documented_names(undocumented.__doc__)
    assert found == set(), f"ours {found} vs nothing"
    listed = documented_names(rnnlab.gru_step.__doc__)
    assert listed >= {"x", "h_prev", "p", "z_weights", "reset"}, f"gru_step: ours {listed}"
