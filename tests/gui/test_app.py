"""The main window driven as a user would: console, clicks, toolbar, exports."""

import json

import networkx as nx
import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from tests.gui.conftest import console_text, node_named, type_in

TUTORIAL = (
    "x = torch.ones(5)",
    "y = torch.zeros(3)",
    "w = torch.randn(5, 3, requires_grad=True)",
    "b = torch.randn(3, requires_grad=True)",
    "z = torch.matmul(x, w) + b",
    "loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)",
)


def functions(model):
    return sorted(d["name"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function")


def click_node(qtbot, window, nid, button=QtCore.Qt.MouseButton.LeftButton):
    view = window.view
    point = view.to_screen(view.scene.rect(nid).center()).toPoint()
    qtbot.mouseClick(view, button, pos=point)


def press(qtbot, window, key):
    """Click the toolbar button of action ``key``."""
    button = window.toolbar.widgetForAction(window.actions[key])
    assert button is not None, f"{key} is not in the toolbar"
    qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)


def test_opens_on_the_tutorial(app):
    model = app.model
    for name in ("w", "b", "loss", "z", "inp", "out", "x", "y"):
        node_named(model, name)
    assert "BinaryCrossEntropyWithLogitsBackward0" in functions(model)
    assert len(app.view.scene) == model.graph.number_of_nodes()
    assert "Call after zeroing gradients" in console_text(app)
    assert app.session.namespace["torch"] is app.session.namespace["gv"]
    assert app.session.namespace["app"] is app.session, "the console's app is the session"
    # the tutorial's backward without retain_graph freed the loss graph's saved tensors
    bce = [n for n, d in model.graph.nodes(data=True)
           if d.get("name") == "BinaryCrossEntropyWithLogitsBackward0"]
    assert all(model.graph.nodes[n]["freed"] for n in bce)


def test_console_statements_build_the_graph(blank, qtbot):
    model, scene = blank.model, blank.view.scene
    type_in(blank, *TUTORIAL[:4])
    assert len(scene) == model.graph.number_of_nodes()
    type_in(blank, TUTORIAL[4])
    assert {"AddBackward0", "MmBackward0"} <= set(functions(model))
    z = node_named(model, "z")
    w = node_named(model, "w")
    before = scene.rect(w).center()
    type_in(blank, TUTORIAL[5])
    assert "BinaryCrossEntropyWithLogitsBackward0" in functions(model)
    loss = node_named(model, "loss")
    assert scene.flags[scene.index[loss]] & 1, "the new node is highlighted"
    assert not scene.flags[scene.index[z]] & 1, "the previous statement's nodes are not"
    after = scene.rect(w).center()
    assert abs(after.x() - before.x()) < 1 and abs(after.y() - before.y()) < 1, "w jumped"
    assert len(scene) == model.graph.number_of_nodes()


def test_click_selects_the_node_for_inspector_and_console(app, qtbot):
    w = node_named(app.model, "w")
    app.session.select(None)
    click_node(qtbot, app, w)
    assert app.view.selected == w == app.session.selected
    assert app.session.namespace["sel"] is app.session.namespace["w"]
    assert app.inspector.nid == w
    assert app.inspector.title.text() == "w"
    type_in(app, "picked = sel.shape")
    assert tuple(app.session.namespace["picked"]) == (5, 3)
    assert app.model.graph.nodes[w]["name"] == "w", "sel is an alias, never a node's name"


def test_backward_button_fills_the_leaf_grad(blank, qtbot):
    type_in(blank, *TUTORIAL)
    blank.session.select("loss")
    press(qtbot, blank, "backward")
    w = node_named(blank.model, "w")
    grad = blank.model.grad(w)
    assert grad is not None and grad.shape == (5, 3)
    np.testing.assert_allclose(grad, blank.session.namespace["w"].grad.numpy())
    assert [e.label for e in blank.model.history(w)] == ["backward 1"]
    click_node(qtbot, blank, w)
    assert blank.inspector.nid == w and "error" not in blank.message.text().lower()
    shown = [label.text() for label in blank.inspector.findChildren(QtWidgets.QLabel)
             if label.isVisibleTo(blank.inspector)]
    assert any(t.startswith("backward 1") for t in shown), "the inspector shows the timeline"
    assert f"{np.abs(grad).max():.4g}" in shown, "and the grad's statistics"


def test_second_backward_without_retain_graph_is_reported(blank, qtbot):
    type_in(blank, *TUTORIAL)
    blank.session.select("loss")
    press(qtbot, blank, "backward")
    grad = blank.session.namespace["w"].grad.numpy().copy()
    press(qtbot, blank, "backward")
    assert "Trying to backward through the graph a second time" in blank.message.text()
    assert isinstance(blank.session.last_error, RuntimeError)
    assert "Trying to backward through the graph a second time" in console_text(blank)
    np.testing.assert_allclose(blank.session.namespace["w"].grad.numpy(), grad)
    # and the app still works: a new graph, a new backward
    type_in(blank, "q = (w * w).sum()")
    blank.session.select("q")
    press(qtbot, blank, "backward")
    np.testing.assert_allclose(blank.session.namespace["w"].grad.numpy(),
                               grad + 2 * blank.session.namespace["w"].detach().numpy(), rtol=1e-6)
    assert "second time" not in blank.message.text()


def test_backward_retain_graph_runs_twice(blank, qtbot):
    type_in(blank, *TUTORIAL)
    blank.session.select("loss")
    press(qtbot, blank, "backward_retain")
    first = blank.session.namespace["w"].grad.numpy().copy()
    press(qtbot, blank, "backward_retain")
    np.testing.assert_allclose(blank.session.namespace["w"].grad.numpy(), 2 * first, rtol=1e-6)
    assert not any(d.get("freed") for _, d in blank.model.graph.nodes(data=True))


def test_non_scalar_backward_asks_for_a_gradient_of_ones(blank, qtbot):
    type_in(blank, "inp = torch.eye(4, 5, requires_grad=True)", "out = (inp + 1).pow(2).t()")
    questions = []
    blank.confirm = lambda q: questions.append(q) or True
    blank.session.select("out")
    press(qtbot, blank, "backward_retain")
    assert questions and "ones" in questions[0]
    inp = blank.session.namespace["inp"]
    np.testing.assert_allclose(inp.grad.numpy(), 2 * (inp.detach().numpy() + 1))
    blank.confirm = lambda q: False
    press(qtbot, blank, "backward_retain")  # declined: nothing changes
    np.testing.assert_allclose(inp.grad.numpy(), 2 * (inp.detach().numpy() + 1))


def test_zero_grad(blank, qtbot):
    type_in(blank, *TUTORIAL, "loss.backward()")
    assert np.abs(blank.session.namespace["w"].grad.numpy()).sum() > 0
    blank.session.select("w")
    press(qtbot, blank, "zero_grad")
    w = node_named(blank.model, "w")
    assert np.all(blank.session.namespace["w"].grad.numpy() == 0)
    assert np.abs(blank.session.namespace["b"].grad.numpy()).sum() > 0, "only the selected leaf"
    assert blank.model.history(w)[-1].label == "zeroed"
    blank.session.select(None)
    press(qtbot, blank, "zero_grad")
    assert np.all(blank.session.namespace["b"].grad.numpy() == 0), "no selection: every leaf"


def test_detach_makes_a_console_variable(blank, qtbot):
    type_in(blank, *TUTORIAL)
    blank.session.select("z")
    press(qtbot, blank, "detach")
    d = blank.session.namespace["z_det"]
    assert d.requires_grad is False and d.grad_fn is None and d.is_leaf
    np.testing.assert_array_equal(d.numpy(), blank.session.namespace["z"].detach().numpy())
    assert "z_det = z.detach()" in console_text(blank)
    nid = node_named(blank.model, "z_det")  # drawn: a new leaf without history
    data = blank.model.graph.nodes[nid]
    assert data["is_leaf"] and not data["requires_grad"]
    assert data["detached_from"] == node_named(blank.model, "z")
    assert blank.model.graph.degree(nid) == 0
    blank.session.select(None)
    press(qtbot, blank, "detach")  # nothing selected: an explanation, no crash
    assert "select a tensor" in blank.message.text()


def test_failing_statement_keeps_what_was_built(blank, qtbot):
    type_in(blank, "w = torch.ones(3, requires_grad=True)", "q = w * 2",
            "r = q.sum() + undefined_name")
    assert "NameError" in console_text(blank)
    assert "NameError" in blank.message.text()
    assert "MulBackward0" in functions(blank.model)
    assert "r" not in blank.session.namespace
    type_in(blank, "r = q.sum()")
    assert "SumBackward0" in functions(blank.model)
    node_named(blank.model, "r")


def test_run_file_that_raises(blank, tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import gradviz as torch\nw = torch.ones(2, requires_grad=True)\n"
                      "h = (w * 3).sum()\nraise ValueError('boom')\n")
    error = blank.session.run_file(script)
    assert isinstance(error, ValueError)
    assert "ValueError: boom" in console_text(blank)
    assert "broken.py" in console_text(blank)
    assert {"MulBackward0", "SumBackward0"} <= set(functions(blank.model))
    node_named(blank.model, "h")
    assert str(script.resolve()) in blank.recent_files()


@pytest.mark.parametrize("ext", ["png", "svg", "dot", "graphml", "json"])
def test_export_each_format(app, tmp_path, ext):
    path = tmp_path / f"graph.{ext}"
    app.session.export(path)
    assert path.stat().st_size > 100
    if ext == "png":
        image = QtGui.QImage(str(path))
        assert image.width() > 400 and image.height() > 200
    elif ext == "svg":
        assert "<svg" in path.read_text() and "AccumulateGrad" in path.read_text()
    elif ext == "dot":
        assert "BinaryCrossEntropyWithLogitsBackward0" in path.read_text()
    elif ext == "graphml":
        g = nx.read_graphml(path)
        assert g.number_of_nodes() == app.model.graph.number_of_nodes()
    else:
        data = json.loads(path.read_text())
        assert len(data["nodes"]) == app.model.graph.number_of_nodes()


def test_unknown_export_format_is_reported(app, tmp_path):
    app.session.guarded("Export", app.session.export, tmp_path / "graph.bmp")
    assert "unknown format" in app.message.text()
    assert not (tmp_path / "graph.bmp").exists()


def test_save_image(app, tmp_path):
    path = app.session.save_image(tmp_path / "window.png")
    image = QtGui.QImage(str(path))
    assert image.width() == app.width() or image.width() == app.width() * 2


def test_find_by_name(app, qtbot):
    app.find_box.setText("loss")
    qtbot.keyClick(app.find_box, QtCore.Qt.Key.Key_Return)
    assert app.view.selected == node_named(app.model, "loss")
    assert app.session.namespace["sel"] is app.session.namespace["loss"]
    app.find_box.setText("nothing-like-this")
    qtbot.keyClick(app.find_box, QtCore.Qt.Key.Key_Return)
    assert "no node matches" in app.message.text()


def test_clear_and_rebuild(app):
    app.session.clear()
    assert app.model.graph.number_of_nodes() == 0 and len(app.view.scene) == 0
    assert app.session.namespace["sel"] is None
    type_in(app, "again = (w * 2).sum()")
    assert {"AccumulateGrad", "MulBackward0", "SumBackward0"} <= set(functions(app.model))


def test_no_grad_switch(blank):
    type_in(blank, "w = torch.ones(3, requires_grad=True)")
    blank.actions["no_grad"].trigger()
    type_in(blank, "q = w * 2")
    assert blank.session.namespace["q"].requires_grad is False
    blank.actions["no_grad"].trigger()
    type_in(blank, "q = w * 2")
    assert blank.session.namespace["q"].requires_grad is True


def test_toggle_requires_grad(blank):
    type_in(blank, "w = torch.ones(3, requires_grad=True)", "q = w * 2")
    blank.session.select("w")
    blank.actions["requires_grad"].trigger()
    assert blank.session.namespace["w"].requires_grad is False
    assert blank.model.graph.nodes[node_named(blank.model, "w")]["requires_grad"] is False


def test_shortcuts_dialog_lists_the_actions(app):
    dialog = app.show_shortcuts()
    cells = [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount())
             for c in range(3)]
    assert "Ctrl+B" in cells and "Backward" in cells and "Drag a node" in cells
    assert app.actions["backward"].shortcut().toString() == "Ctrl+B"
    dialog.close()


def test_settings_persist(qtbot, settings_dir):
    from gradviz.gui.app import App

    first = App(tutorial=False, theme="dark")
    qtbot.addWidget(first)
    first.resize(760, 580)  # above the minimum in either theme, within the 800 x 600 screen
    first.show()
    first.close()
    second = App(tutorial=False)
    qtbot.addWidget(second)
    assert second.theme.name == "dark"
    assert second.size() == QtCore.QSize(760, 580)
    second.set_theme("light")
    second.close()
    assert any(settings_dir.rglob("*.ini"))


def test_dark_theme_changes_the_canvas(app):
    app.set_theme("dark")
    image = app.view.grab().toImage()
    corner = QtGui.QColor(image.pixel(image.width() - 5, image.height() - 5))
    assert corner.lightness() < 60
    app.set_theme("light")
    image = app.view.grab().toImage()
    assert QtGui.QColor(image.pixel(image.width() - 5, image.height() - 5)).lightness() > 200


def test_context_menu_offers_node_actions(app, qtbot):
    loss = node_named(app.model, "loss")
    click_node(qtbot, app, loss, QtCore.Qt.MouseButton.RightButton)
    texts = [a.text() for a in app._menu.actions()]
    assert "Backward" in texts and "Detach" in texts
    assert app.view.selected == loss
    app._menu.close()


def test_app_api_from_the_console(blank):
    type_in(blank, "w = torch.ones(3, requires_grad=True)", "s = (w * w).sum()",
            "app.select(s)", "app.backward(s)")
    assert blank.view.selected == node_named(blank.model, "s")
    np.testing.assert_allclose(blank.session.namespace["w"].grad.numpy(), [2, 2, 2])
    type_in(blank, "app.backward(s)")  # raises in the console, the app carries on
    assert "RuntimeError" in console_text(blank)
    assert isinstance(QtWidgets.QApplication.instance(), QtWidgets.QApplication)


def test_save_and_load_session(app, tmp_path):
    from gradviz.model.export import save_session

    path = tmp_path / "session.json"
    save_session(app.model, path)
    names = {d.get("name") for _, d in app.model.graph.nodes(data=True)}
    app.session.clear()
    app.session.load_session(path)
    assert {d.get("name") for _, d in app.model.graph.nodes(data=True)} == names
    assert len(app.view.scene) == app.model.graph.number_of_nodes() > 20
    loss = node_named(app.model, "loss")
    app.session.select(loss)
    assert app.inspector.nid == loss and app.inspector.model is app.model
    type_in(app, "fresh = (torch.ones(2, requires_grad=True) * 3).sum()")
    node_named(app.model, "fresh")  # the loaded model records new statements
    (tmp_path / "bad.json").write_text("{not json")
    app.session.guarded("Load session", app.session.load_session, tmp_path / "bad.json")
    assert "corrupt" in app.message.text()
    node_named(app.model, "fresh")


def test_in_place_through_a_view_in_the_app(blank, qtbot):
    """x[:2].mul_(b) typed in the console: CopySlices on x, inspected and stepped through."""
    type_in(blank, "w = torch.ones(3, requires_grad=True)",
            "b = torch.full((2,), 2.0, requires_grad=True)", "x = w * 1", "v = x[:2]",
            "v.mul_(b)", "loss = (x * x).sum()", "loss.backward()")
    assert "error" not in blank.message.text().lower(), blank.message.text()
    model = blank.model
    assert {"CopySlices", "AsStridedBackward0"} <= set(functions(model))
    copy_slices = node_named(model, "CopySlices")
    x, v = node_named(model, "x"), node_named(model, "v")
    assert [model.graph.nodes[u]["name"] for u, _ in model.graph.in_edges(x)] == ["CopySlices"]
    assert [model.graph.nodes[u]["name"] for u, _ in model.graph.in_edges(v)] == [
        "AsStridedBackward0"]
    click_node(qtbot, blank, copy_slices)
    assert blank.inspector.nid == copy_slices
    assert blank.inspector.title.text() == "CopySlices"
    assert model.graph.nodes[copy_slices]["freed"] and model.graph.nodes[copy_slices]["executed"]
    step = next(s for s in blank.session.steps() if s.name == "CopySlices")
    assert step.caption.startswith(f"{step.k}/{step.total} CopySlices: received a (3,) gradient")
    np.testing.assert_allclose(blank.session.namespace["w"].grad.numpy(), [8.0, 8.0, 2.0])
    np.testing.assert_allclose(blank.session.namespace["b"].grad.numpy(), [4.0, 4.0])
    assert len(blank.view.scene) == model.graph.number_of_nodes()


def test_context_menu_offers_grad_actions_on_leaves_only(app, qtbot):
    loss = node_named(app.model, "loss")
    click_node(qtbot, app, loss, QtCore.Qt.MouseButton.RightButton)
    texts = [a.text() for a in app._menu.actions()]
    app._menu.close()
    assert "Zero grad" not in texts and "Toggle requires_grad" not in texts
    assert "Set grad to None" not in texts and "Detach" in texts
    w = node_named(app.model, "w")
    click_node(qtbot, app, w, QtCore.Qt.MouseButton.RightButton)
    texts = [a.text() for a in app._menu.actions()]
    app._menu.close()
    assert "Zero grad" in texts and "Toggle requires_grad" in texts


def test_select_from_the_console_echoes_nothing(app):
    before = console_text(app)
    type_in(app, "app.select(w)")
    echoed = console_text(app)[len(before):]
    assert echoed.strip() == ">>> app.select(w)", echoed
    assert app.view.selected == node_named(app.model, "w")


def test_help_has_about(app):
    help_menu = next(a.menu() for a in app.menuBar().actions() if a.text() == "&Help")
    about = next(a for a in help_menu.actions() if a.text() == "About gradviz")
    about.trigger()
    box = next(w for w in QtWidgets.QApplication.topLevelWidgets()
               if isinstance(w, QtWidgets.QMessageBox) and w.isVisible())
    assert "gradviz 0." in box.text() and "PySide6" in box.text()
    box.close()


def test_find_bar_lists_the_matches_and_walks_them(app, qtbot):
    bar = app.find_bar
    app.find_box.setText("z")
    qtbot.keyClick(app.find_box, QtCore.Qt.Key.Key_Return)
    hits = app.view.found
    assert hits and app.view.selected == hits[0]
    assert app.model.graph.nodes[hits[0]]["name"] == "z", "the exact variable name first"
    assert all(app.model.graph.nodes[n]["kind"] == "tensor" for n in hits), \
        "z is in no torch name's start"
    assert bar.count.text() == f"1 of {len(hits)}"
    assert bar.hit_texts()[0].startswith("z  (output)")
    assert len(bar.menu.actions()) == len(hits)
    qtbot.keyClick(app.find_box, QtCore.Qt.Key.Key_Return)  # Enter again: the next one
    assert app.view.selected == hits[1] and bar.count.text() == f"2 of {len(hits)}"
    qtbot.keyClick(app.find_box, QtCore.Qt.Key.Key_Return, QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert app.view.selected == hits[0]
    bar.menu.actions()[-1].trigger()  # a row of the list
    assert app.view.selected == hits[-1]
    assert f"{len(hits)} of {len(hits)}" in app.message.text()
    assert app.view.scale >= 1.0, "zoomed to a readable scale"


def test_the_find_buttons_sit_beside_the_box(app, qtbot):
    app.resize(1900, 900)  # a wide toolbar: its spacer takes the room, not the buttons
    qtbot.waitUntil(lambda: app.toolbar.width() > 1800)
    bar = app.find_bar
    gap = bar.next_button.geometry().left() - bar.prev_button.geometry().right()
    assert 0 <= gap < 12 and bar.prev_button.geometry().left() - bar.box.geometry().right() < 12
