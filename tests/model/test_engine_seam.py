"""The model and the app read an engine only through the engine protocol.

Statically, over every file of ``gradviz/model``, ``gradviz/gui`` (and ``gradviz/session``,
the Qt-free app object, once it exists): no import of
``gradviz.core`` (nor, in the model, of the NumPy engine or ``gradviz.autograd``), no
attribute access ``x._name`` where ``_name`` is a private attribute of the engine's
classes, and no ``getattr``/``hasattr`` of one by string. The engine's private names
are read from ``gradviz/core`` itself: every ``_name`` its classes define or any of its
code assigns. An object's own private attributes (``self._refs``) and other libraries'
(networkx's ``graph._node``, pyqtgraph's ``repl._thread``) stay allowed.
"""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import gradviz
from gradviz.model import GraphModel

PACKAGE = Path(gradviz.__file__).resolve().parent
OWN = ("self", "cls")
ATTRIBUTE_CALLS = ("getattr", "hasattr", "setattr", "delattr")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def engine_private_names(root: Path = PACKAGE / "core") -> set[str]:
    """``_name``s the engine's classes define (attributes, properties, methods) or its code
    stores on any object (``t._grad_fn = node``)."""
    names = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    targets = []
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        targets = [item.name]
                    elif isinstance(item, ast.Assign):
                        targets = [t.id for t in item.targets if isinstance(t, ast.Name)]
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        targets = [item.target.id]
                    names.update(n for n in targets if _private(n))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if _private(node.attr):
                    names.add(node.attr)
    return names


def violations(path: Path, private: set[str], banned_imports: tuple[str, ...]) -> list[str]:
    """Every reach into the engine in one file, as ``file:line what``."""
    where = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path
    bad = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        found = None
        if isinstance(node, ast.Import):
            found = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        if found is not None:
            hits = [m for m in found if any(m == b or m.startswith(b + ".")
                                            for b in banned_imports)]
            if hits:
                bad.append(f"{where}:{node.lineno} imports {hits[0]}")
        elif isinstance(node, ast.Attribute) and node.attr in private:
            base = node.value
            if not (isinstance(base, ast.Name) and base.id in OWN):
                bad.append(f"{where}:{node.lineno} reads .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ATTRIBUTE_CALLS and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and node.args[1].value in private):
            bad.append(f"{where}:{node.lineno} {node.func.id}(..., {node.args[1].value!r})")
    return bad


MODEL_BANS = ("gradviz.core", "gradviz.autograd", "gradviz.engines.numpy_engine")
GUI_BANS = ("gradviz.core",)


def test_the_engine_private_names_are_found():
    names = engine_private_names()
    assert {"_data", "_grad", "_grad_fn", "_gv_id", "_requires_grad", "_version", "_next",
            "_saved", "_make"} <= names
    assert "__init__" not in names and "shape" not in names


def test_the_scanner_sees_every_way_in(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from gradviz.core.emit import tensor_id\n"
        "import gradviz.core.function\n"
        "from gradviz import core\n"
        "def f(t, g, window):\n"
        "    a = t._data\n"
        "    b = hasattr(t, '_grad_fn')\n"
        "    c = t.grad_fn._saved\n"
        "    self._data = g._node\n"
        "    d = window._dock\n"
        "    return a, b, c, d, getattr(t, 'shape')\n")
    found = violations(probe, {"_data", "_grad_fn", "_saved"}, MODEL_BANS)
    assert found == [f"{probe}:1 imports gradviz.core.emit",
                     f"{probe}:2 imports gradviz.core.function",
                     f"{probe}:3 imports gradviz.core",
                     f"{probe}:5 reads ._data",
                     f"{probe}:6 hasattr(..., '_grad_fn')",
                     f"{probe}:7 reads ._saved"]


def test_model_reads_engines_only_through_the_protocol():
    private = engine_private_names()
    bad = [v for path in sorted((PACKAGE / "model").rglob("*.py"))
           for v in violations(path, private, MODEL_BANS)]
    assert bad == []


def test_gui_reads_engines_only_through_the_model():
    private = engine_private_names()
    bad = [v for layer in ("gui", "session") for path in sorted((PACKAGE / layer).rglob("*.py"))
           for v in violations(path, private, GUI_BANS)]
    assert bad == []


# ---------------------------------------------------------------- what the app asks instead
def test_model_answers_what_the_inspector_used_to_read_from_the_engine():
    model = GraphModel(release_policy="keep")
    with model.recording():
        a = gradviz.tensor([1.0, 2.0], requires_grad=True)
        z = a * a
        out = z.sum()
    fid = model.node_of(z.grad_fn)
    acc = model.node_of(z.grad_fn.next_functions[0][0])
    assert model.next_functions(fid) == ((acc, "AccumulateGrad"), (acc, "AccumulateGrad"))
    saved = model.saved_values(fid)
    assert [(s.name, s.tensor is a) for s in saved] == [("self", True), ("other", True)]
    with model.recording():
        model.set_names({"out": out})
    assert model.grad_fn_of(model.node_of(out)) == (model.node_of(out.grad_fn), "SumBackward0")
    assert model.grad_fn_of(model.node_of(a)) is None
    with model.recording():
        out.backward()
    assert model.saved_values(fid) == [] and model.graph.nodes[fid]["freed"]
    del z, out
    gc.collect()
    model.flush()
    assert model.next_functions(fid) is None and model.saved_values(fid) is None
