"""The layers stay apart: core -> events -> model -> gui.

Dynamically, importing ``gradviz.core`` (and ``gradviz``, ``gradviz.model``) in a fresh
interpreter must not load Qt, pyqtgraph, networkx or torch. Statically, every import
statement (including those inside functions) of ``gradviz/core`` names only NumPy,
the standard library, ``gradviz.core`` or ``gradviz.events`` (never ``gradviz.nn`` or
``gradviz.optim``, which are built on core); ``gradviz/events`` only the standard library;
``gradviz/model`` no Qt. And no gradviz module imports another that (directly or through
others) imports it back, counting imports inside functions.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import gradviz

PACKAGE = Path(gradviz.__file__).resolve().parent
HEAVY = ("PySide6", "shiboken6", "pyqtgraph", "networkx", "torch")
QT = ("PySide6", "shiboken6", "pyqtgraph", "gradviz.gui")


def loaded_after(module: str) -> set[str]:
    """Top-level names of the modules a fresh interpreter holds after importing ``module``."""
    code = (f"import json, sys; import {module}; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} | "
            "{m for m in sys.modules if m.startswith('gradviz.')})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------- at run time
def test_core_loads_no_gui_graph_or_torch():
    mods = loaded_after("gradviz.core")
    assert "numpy" in mods and "gradviz" in mods  # the probe itself works
    assert mods.isdisjoint(HEAVY), sorted(mods & set(HEAVY))
    assert not any(m.startswith(("gradviz.gui", "gradviz.model")) for m in mods)


def test_package_import_stays_light():
    mods = loaded_after("gradviz")
    assert mods.isdisjoint(HEAVY), sorted(mods & set(HEAVY))
    assert not any(m.startswith("gradviz.gui") for m in mods)


def test_autograd_namespace_stays_light():
    mods = loaded_after("gradviz.autograd")
    assert mods.isdisjoint(HEAVY), sorted(mods & set(HEAVY))


@pytest.mark.skipif(not (PACKAGE / "model" / "__init__.py").exists(),
                    reason="gradviz.model does not exist yet")
def test_model_loads_no_qt_or_torch():
    mods = loaded_after("gradviz.model")
    assert "gradviz.core" in mods or any(m.startswith("gradviz.core") for m in mods)
    assert mods.isdisjoint({"PySide6", "shiboken6", "pyqtgraph", "torch"})
    assert not any(m.startswith("gradviz.gui") for m in mods)


# ---------------------------------------------------------------- in the source
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, absolute module name)`` of every import in the file, relative ones resolved."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module
            found.append((node.lineno, name))
    return found


def _allowed(name: str, prefixes: tuple[str, ...], stdlib: bool) -> bool:
    top = name.split(".")[0]
    if stdlib and top in STDLIB:
        return True
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(layer: str, prefixes: tuple[str, ...], stdlib: bool = True) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for line, name in imports_of(path):
            if not _allowed(name, prefixes, stdlib):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    return bad


def test_import_parser_sees_every_kind_of_import(tmp_path, monkeypatch):
    pkg = tmp_path / "gradviz" / "core"
    pkg.mkdir(parents=True)
    source = pkg / "probe.py"
    source.write_text("import os, numpy.linalg\nfrom . import tensor\nfrom ..events import x\n"
                      "def f():\n    import networkx\n    from PySide6 import QtCore\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "gradviz")
    names = [name for _, name in imports_of(source)]
    assert sorted(names) == sorted(["os", "numpy.linalg", "gradviz.core", "gradviz.events",
                                    "networkx", "PySide6"])
    assert violations("core", ("numpy", "gradviz.core", "gradviz.events")) == [
        "gradviz/core/probe.py:5 imports networkx", "gradviz/core/probe.py:6 imports PySide6"]


def test_core_imports_only_numpy_stdlib_core_and_events():
    assert (PACKAGE / "core").is_dir()
    assert violations("core", ("numpy", "gradviz.core", "gradviz.events")) == []


def test_events_import_only_the_stdlib():
    assert violations("events", ("gradviz.events",)) == []


def test_model_imports_no_qt():
    if not (PACKAGE / "model").is_dir():
        pytest.skip("gradviz.model does not exist yet")
    bad = []
    for path in sorted((PACKAGE / "model").rglob("*.py")):
        for line, name in imports_of(path):
            if _allowed(name, QT, stdlib=False):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    assert bad == []


# ---------------------------------------------------------------- no import cycle
def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Every gradviz module -> the gradviz modules it imports (inside functions too).

    ``from pkg import name`` counts as importing ``pkg.name`` when that is a module, else
    ``pkg``; the parents a dotted import runs first (package ``__init__`` files) are not
    counted, as import-linter does not count them.
    """
    paths = {module_name(p): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        package_name = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package_name.split(".")
                    base = base[:len(base) - node.level + 1]
                    source = ".".join([*base, node.module] if node.module else base)
                else:
                    source = node.module
                targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in paths else source
                           for a in node.names]
            graph[name].update(t for t in targets if t in paths and t != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle (``[a, b, ..., a]``), or ``[]`` when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(graph):
        if root in state:
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            for nxt in stack[-1]:
                if state.get(nxt) == 1:
                    return path[path.index(nxt):] + [nxt]
                if nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append(iter(sorted(graph[nxt])))
                    break
            else:
                state[path.pop()] = 2
                stack.pop()
    return []


def test_cycle_finder_sees_a_cycle_through_a_function_level_import(tmp_path, monkeypatch):
    pkg = tmp_path / "gradviz" / "core"
    pkg.mkdir(parents=True)
    (tmp_path / "gradviz" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from gradviz.core import b\n")
    (pkg / "b.py").write_text("def f():\n    from gradviz.core.c import g\n")
    (pkg / "c.py").write_text("import gradviz.core.a\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "gradviz")
    graph = import_graph(tmp_path / "gradviz")
    assert graph["gradviz.core.a"] == {"gradviz.core.b"}
    assert find_cycle(graph) == ["gradviz.core.a", "gradviz.core.b", "gradviz.core.c",
                                 "gradviz.core.a"]
    (pkg / "c.py").write_text("import numpy\n")
    assert find_cycle(import_graph(tmp_path / "gradviz")) == []


def test_no_import_cycle_among_gradviz_modules():
    assert find_cycle(import_graph(PACKAGE)) == []


def test_core_imports_neither_nn_nor_optim():
    bad = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
           for path in sorted((PACKAGE / "core").rglob("*.py"))
           for line, name in imports_of(path)
           if _allowed(name, ("gradviz.nn", "gradviz.optim"), stdlib=False)]
    assert bad == []


CORE_LAYERS = ("tensors", "autograd", "optable", "functions", "methods", "api")  # lowest first


def test_core_layers_import_only_those_below():
    """Inside core: the Tensor class, then autograd, the op table, torch's functions and
    Tensor's methods (bound last), then the public namespace; none imports one above it."""
    def layer(module):
        parts = module.split(".")
        return CORE_LAYERS.index(parts[2]) if parts[:2] == ["gradviz", "core"] and len(
            parts) > 2 and parts[2] in CORE_LAYERS else None

    graph = import_graph(PACKAGE)
    assert {layer(m) for m in graph} >= set(range(len(CORE_LAYERS)))  # every layer is seen
    upward = sorted(f"{m} -> {d}" for m, deps in graph.items() for d in deps
                    if layer(m) is not None and layer(d) is not None and layer(d) > layer(m))
    assert upward == []
