"""IPython and Jupyter: gradviz.show() on the caller's namespace, make_dot inline."""

import os
import subprocess
import sys

import numpy as np

import gradviz
from tests.gui.conftest import node_named


def test_importing_gradviz_loads_no_qt():
    code = ("import sys, gradviz, gradviz.notebook; import gradviz as torch; "
            "g = gradviz.make_dot; print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=os.getcwd()), check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_show_follows_the_callers_namespace(qtbot):
    ns = {}
    window = gradviz.show(ns)  # deleted when closed (not handed to qtbot)
    try:
        assert window.session.namespace is ns and ns["app"] is window.session
        # the user's own shell runs code in ns, not the console
        exec("w = torch.ones(3, requires_grad=True)\nloss = (w * 2).sum()", ns)
        window.refresh_from_shell()  # what post_run_cell / the timer call
        model = window.model
        loss = node_named(model, "loss")
        assert "MulBackward0" in {d["name"] for _, d in model.graph.nodes(data=True)}
        exec("loss.backward()", ns)
        window.refresh_from_shell()
        assert model.grad(node_named(model, "w")).tolist() == [2.0, 2.0, 2.0]
        assert model.graph.nodes[loss]["name"] == "loss"
        qtbot.waitUntil(lambda: len(window.view.scene) == model.graph.number_of_nodes())
    finally:
        window.close()


def test_make_dot_draws_the_callers_names(tmp_path):
    inp = gradviz.ones(2, 3, requires_grad=True)
    weight = gradviz.full((3,), 0.5, requires_grad=True)
    out = (inp @ weight).sum()
    unrelated = gradviz.zeros(4, requires_grad=True) * 2  # noqa: F841
    dot = gradviz.make_dot(out)
    names = {d.get("name") for _, d in dot.model.graph.nodes(data=True)}
    assert {"inp", "weight", "out", "SumBackward0"} <= names and "unrelated" not in names
    svg = dot._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for name in ("inp", "weight", "SumBackward0"):
        assert name in svg
    png = dot._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    dot.save(tmp_path / "g.dot")
    assert "SumBackward0" in (tmp_path / "g.dot").read_text()
    named = gradviz.make_dot(out, names={"result": out})
    assert "result" in {d.get("name") for _, d in named.model.graph.nodes(data=True)}
    assert "inp" not in {d.get("name") for _, d in named.model.graph.nodes(data=True)}
    np.testing.assert_array_equal(named.model.value(named.model.node_of(out)), [3.0])


class FakeEvents:
    """IPython's ``shell.events`` as show() uses it (IPython is not a test dependency)."""

    def __init__(self):
        self.callbacks = {"post_run_cell": []}

    def register(self, name, callback):
        self.callbacks[name].append(callback)

    def unregister(self, name, callback):
        self.callbacks[name].remove(callback)

    def trigger(self, name, *args):
        for callback in list(self.callbacks[name]):
            callback(*args)


def test_show_names_after_each_ipython_cell(qtbot, monkeypatch):
    from gradviz.gui import shell_window

    shell = type("Shell", (), {"events": FakeEvents()})()
    monkeypatch.setattr(shell_window, "_ipython", lambda: shell)
    ns = {}
    window = gradviz.show(ns)  # deleted when closed (not handed to qtbot)
    try:
        assert not window.shell_timer.isActive()  # IPython's event, not the timer
        exec("a = torch.ones(2, requires_grad=True)\nb = a.exp()", ns)
        assert not any(d.get("name") == "b" for _, d in window.model.graph.nodes(data=True))
        shell.events.trigger("post_run_cell", None)  # a cell ran
        node_named(window.model, "b")
        assert "ExpBackward0" in {d["name"] for _, d in window.model.graph.nodes(data=True)}
    finally:
        window.close()  # the user closes it: the window goes, and its cell callback
        qtbot.waitUntil(lambda: not shell.events.callbacks["post_run_cell"])
