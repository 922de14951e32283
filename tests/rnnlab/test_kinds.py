"""The registry of cell kinds (rnnlab.kinds), and the module layering it allows (no params <-> interop cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import rnnlab
from rnnlab import interop, kinds
from rnnlab.models import SequenceModel


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_each_kind_has_its_class_functions_and_gates(name):
    kind = rnnlab.cell_kind(name)
    assert kind.params.kind == name, f"{name}: params class {kind.params.__name__} has kind {kind.params.kind!r}"
    assert kind.step is getattr(rnnlab, f"{name}_step"), f"{name}: step is {kind.step}"
    assert kind.step_backward is getattr(rnnlab, f"{name}_step_backward"), f"{name}: step_backward"
    assert kind.forward is getattr(rnnlab, f"{name}_forward") and kind.backward is getattr(rnnlab, f"{name}_backward")
    assert kind.gates == {"rnn": 1, "lstm": 4, "gru": 3}[name], f"{name}: ours {kind.gates} gate blocks"
    p = kind.params.random(2, 3)
    assert kinds.kind_of(p) is kind, f"kind_of({type(p).__name__}) is not the {name} entry"


@pytest.mark.parametrize(
    "call",
    [rnnlab.cell_kind, lambda k: rnnlab.count_params(k, 2, 3), lambda k: SequenceModel(k, 2, 3)],
    ids=["cell_kind", "count_params", "SequenceModel"],
)
def test_one_message_for_an_unknown_kind(call):
    with pytest.raises(ValueError, match=r"^kind: expected one of 'rnn', 'lstm', 'gru', got 'GRU'$"):
        call("GRU")
    with pytest.raises(TypeError, match=r"^kind: expected one of 'rnn', 'lstm', 'gru', got NoneType None$"):
        call(None)


def test_from_keras_uses_the_same_check():
    arrays = interop.to_keras(rnnlab.GRUParams.random(2, 3))
    with pytest.raises(ValueError, match=r"^kind: expected one of 'rnn', 'lstm', 'gru', got 'lstm2'$"):
        interop.from_keras("lstm2", **arrays)


def test_kind_of_rejects_other_objects():
    with pytest.raises(TypeError, match="p: expected RNNParams, LSTMParams or GRUParams, got ndarray"):
        kinds.kind_of(np.zeros(3))
    with pytest.raises(TypeError, match="p: expected RNNParams, LSTMParams or GRUParams, got dict"):
        rnnlab.state_gradient_norms({}, np.zeros((3, 1, 2)), np.zeros(3))


def rnnlab_imports(module: str) -> set[str]:
    """The rnnlab modules ``module`` imports anywhere in its file (top level or inside a function)."""
    path = Path(rnnlab.__file__).parent.joinpath(*module.split(".")[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            if node.module:  # from .params import CellParams
                found.add(f"{base}.{node.module}")
            else:  # from . import interop
                found |= {f"{base}.{alias.name}" for alias in node.names}
    return found - {module}


def test_params_and_what_it_imports_never_import_interop():
    """The layering: params -> torch_layout, and interop -> params; no way back from params to interop."""
    seen, todo = set(), ["rnnlab.params"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(m for m in rnnlab_imports(module) if m != "rnnlab")
    assert "rnnlab.interop" not in seen, f"rnnlab.params reaches rnnlab.interop through {sorted(seen)}"
    assert "rnnlab.params" in rnnlab_imports("rnnlab.interop"), "interop should import params"
