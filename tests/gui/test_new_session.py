"""File > New session and ``app.new_session(engine=...)``: a new graph and console on
the other engine, the title and status bar saying which, and back again; without torch
installed, the install command and the current session untouched."""

import pytest

import gradviz
from gradviz import engines
from tests.gui.conftest import console_text, node_named, type_in

torch = pytest.importorskip("torch")


def menu_item(window, *path):
    """The action reached by clicking through the menu bar: ("&File", "New session", ...)."""
    actions = window.menuBar().actions()
    for text in path[:-1]:
        actions = next(a for a in actions if a.text() == text).menu().actions()
    return next(a for a in actions if a.text() == path[-1])


def names(window):
    return {d["name"] for _, d in window.session.model.graph.nodes(data=True)
            if d["kind"] == "function"}


def test_new_session_on_torch_from_the_menu_and_back_from_the_console(blank):
    type_in(blank, "old = torch.ones(2, requires_grad=True)", "y = (old * 3).sum()")
    first_model = blank.session.model
    assert "NumPy" in blank.windowTitle() and blank.engine_label.text() == "NumPy engine"

    menu_item(blank, "&File", "New session", "PyTorch engine").trigger()

    session = blank.session
    assert session.model is not first_model and session.model.engine.name == "torch"
    assert session.namespace["torch"] is torch and "old" not in session.namespace
    assert blank.view.model is session.model and len(session.model.graph) == 0
    assert f"PyTorch {torch.__version__}" in blank.windowTitle()
    assert blank.engine_label.text() == f"PyTorch {torch.__version__} engine"
    assert blank.engine_actions["torch"].isChecked()
    assert "the console's torch is torch" in blank.message.text()
    type_in(blank, "import torch.nn as nn", "lin = nn.Linear(3, 2)",
            "loss = lin(torch.ones(4, 3)).pow(2).mean()", "loss.backward()")
    ns = session.namespace
    assert ns["nn"] is torch.nn and type(ns["loss"].grad_fn).__name__ == "MeanBackward0"
    assert {"AddmmBackward0", "PowBackward0", "MeanBackward0", "AccumulateGrad"} <= names(blank)
    loss_id = node_named(session.model, "loss")
    assert loss_id in blank.view.drawn()["nodes"]
    weight = session.model.grad(node_named(session.model, "lin.weight"))
    assert weight.tolist() == ns["lin"].weight.grad.tolist()

    type_in(blank, 'app.new_session(engine="numpy")')

    assert blank.session.model.engine.name == "numpy" and blank.view.model is session.model
    assert session.namespace["torch"] is gradviz and "lin" not in session.namespace
    assert blank.console.localNamespace is session.namespace is ns  # one dict, renewed
    assert blank.windowTitle().endswith("(NumPy engine)")
    assert blank.engine_actions["numpy"].isChecked()
    type_in(blank, "w = torch.ones(3, requires_grad=True)", "z = (w * w).sum()", "z.backward()")
    assert names(blank) == {"AccumulateGrad", "MulBackward0", "SumBackward0"}
    assert session.namespace["w"].grad.tolist() == [2.0, 2.0, 2.0]
    assert node_named(session.model, "z") in blank.view.drawn()["nodes"]


def test_switching_keeps_the_side_panels_on_the_new_graph(blank):
    type_in(blank, 'app.new_session(engine="torch")',
            "net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())",
            "out = net(torch.ones(1, 2)).sum()", "out.backward()")
    session = blank.session
    assert blank.module_tree.model is session.model and blank.module_tree.item("net") is not None
    assert blank.stepper.model is session.model and blank.inspector.model is session.model
    assert [s.name for s in session.steps()][:2] == ["SumBackward0", "ReluBackward0"]
    session.select("out")
    assert blank.inspector.nid == session.selected is not None


def test_without_torch_the_switch_says_how_to_install_and_changes_nothing(blank, monkeypatch):
    type_in(blank, "w = torch.ones(2, requires_grad=True)", "y = (w * 2).sum()")
    model, namespace = blank.session.model, blank.session.namespace
    count = len(model.graph)
    monkeypatch.setattr(engines, "_made", {})  # as in a process that never made it
    real = engines.importlib.util.find_spec
    monkeypatch.setattr(engines.importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))

    menu_item(blank, "&File", "New session", "PyTorch engine").trigger()

    assert "pip install 'gradviz[torch]'" in blank.message.text()
    assert "pip install 'gradviz[torch]'" in console_text(blank)
    assert blank.engine_actions["numpy"].isChecked() and "NumPy" in blank.windowTitle()

    type_in(blank, 'app.new_session(engine="torch")')

    assert console_text(blank).count("pip install 'gradviz[torch]'") >= 2
    assert blank.session.model is model and blank.session.namespace is namespace
    assert namespace["w"] is not None and len(model.graph) == count
    type_in(blank, "y.backward()")
    assert namespace["w"].grad.tolist() == [2.0, 2.0]


def test_torch_typed_on_the_numpy_engine_loads_the_real_torch(blank, monkeypatch):
    """``import torch`` is gradviz's while a statement runs on the NumPy engine; the torch
    engine loaded from one (a process that never loaded it) still gets the real torch."""
    import sys

    monkeypatch.setattr(engines, "_made", {})
    for name in [n for n in sys.modules if n.startswith("gradviz.engines.torch_")]:
        monkeypatch.delitem(sys.modules, name)
    type_in(blank, 'app.new_session(engine="torch")')
    assert blank.session.last_error is None, console_text(blank)
    assert blank.session.namespace["torch"] is torch and sys.modules["torch"] is torch
    type_in(blank, "import torch.nn as nn", "lin = nn.Linear(2, 1)",
            "lin(torch.ones(1, 2)).sum().backward()")
    assert blank.session.namespace["nn"] is torch.nn and "AddmmBackward0" in names(blank)
    type_in(blank, 'app.new_session(engine="numpy")', "import torch.nn as nn")
    assert blank.session.namespace["nn"] is gradviz.nn and sys.modules["torch"] is torch
