"""The debugging tools driven as a user would: Find NaN, gradient flow, saved bytes, compare."""

from __future__ import annotations

from PySide6 import QtCore

from tests.gui.conftest import console_text, node_named, type_in


def press(qtbot, window, key):
    button = window.toolbar.widgetForAction(window.actions[key])
    assert button is not None, f"{key} is not in the toolbar"
    qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)


def test_nan_from_log_of_a_negative_three_ops_deep_found_and_selected(blank, qtbot):
    type_in(blank, "x = torch.tensor([1.0, 2.0], requires_grad=True)",
            "a = x - 3", "b = a * 2", "c = b.log()", "loss = (c.exp() + 1).sum()")
    press(qtbot, blank, "find_nonfinite")
    log = node_named(blank.model, "LogBackward0")
    assert blank.view.selected == log
    assert blank.model.graph.nodes[log]["nonfinite_origin"]
    assert log in blank.debug_overlay.marked()  # painted: only marked nodes are visited
    assert "LogBackward0" in blank.message.text()
    assert "statement 4" in blank.message.text()  # where it came from: c = b.log()
    # the same from the console: app.find_nonfinite() returns the origin
    type_in(blank, "origin = app.find_nonfinite()")
    assert blank.session.namespace["origin"] == log
    blank.view.grab()  # the marks paint


def test_find_nan_when_all_is_finite_says_so(app, qtbot):
    press(qtbot, app, "find_nonfinite")
    assert "no NaN or Inf" in app.message.text()


def test_inspector_shows_where_a_node_came_from(blank, qtbot):
    type_in(blank, "x = torch.ones(2, requires_grad=True)", "y = x.exp()")
    exp = node_named(blank.model, "ExpBackward0")
    blank.view.select(exp)
    label = blank.inspector.function_view.fields["created at"]
    assert ">statement 2: y = x.exp()</a>" in label.text()
    label.linkActivated.emit("statement:2")  # a click on the link (test_debug_where clicks)
    (marked,) = blank.console.repl.output.extraSelections()
    assert marked.cursor.block().text() == ">>> y = x.exp()"


def test_exploding_chain_of_multiplications_coloured(blank, qtbot):
    type_in(blank, "x = torch.ones(4, requires_grad=True)", "y = x",
            "for _ in range(6): y = y * 10.0", "", "y.sum().backward()")
    blank.actions["gradient_flow"].trigger()
    overlay = blank.debug_overlay
    assert overlay.flow is not None and overlay.flow.exploding
    leaf = blank.model.node_of(blank.session.namespace["x"])
    (key,) = [k for k in overlay.flow.edges if k[0] == leaf]
    assert overlay.edge_color(key).name() == "#e03131"  # exploding: red
    colours = {overlay.edge_color(k).name() for k in overlay.flow.edges}
    assert len(colours) >= 3  # norms 2 .. 2e6 spread over the log scale
    image = blank.view.grab().toImage()
    assert not image.isNull()
    blank.actions["gradient_flow"].trigger()
    assert overlay.flow is None


def test_saved_bytes_in_the_status_bar_and_the_timeline(app, qtbot):
    # the tutorial ran loss.backward(): its saved tensors were freed; make a fresh graph
    type_in(app, "q = torch.ones(1000, requires_grad=True)", "r = (q.exp() * q).sum()")
    app.actions["saved_bytes"].trigger()
    assert "saved for backward" in app.saved_label.text()
    exp = node_named(app.model, "ExpBackward0")
    assert app.debug_overlay.saved[exp] == 4000
    plot = app.saved_memory_timeline()
    assert "peak" in plot.summary.text()
    plot.close()
    type_in(app, "r.backward(retain_graph=True)")
    plot = app.saved_memory_timeline()
    assert plot.summary.text().endswith("the last backward (4 nodes) freed none of them")
    plot.close()
    type_in(app, "r.backward()")
    plot = app.saved_memory_timeline()
    # exp's result (mul saves it too: counted once) and q, which mul saves
    assert plot.summary.text().endswith(f"the last backward (4 nodes) freed {8000 / 1e3} kB")
    plot.close()


def test_compare_with_a_baseline_after_a_detach(blank, qtbot):
    type_in(blank, "x = torch.ones(3, requires_grad=True)", "y = x * 2",
            "loss = (y * 3).sum()")
    blank.actions["mark_baseline"].trigger()
    type_in(blank, "y = y.detach().requires_grad_()", "loss = (y * 3).sum()",
            "loss.backward()")
    blank.actions["compare"].trigger()
    assert "added" in blank.message.text()
    assert blank.debug_overlay.compared  # the key to the rings is drawn under the legend
    y = blank.model.node_of(blank.session.namespace["y"])
    assert blank.model.graph.nodes[y]["compare"] == "added"
    result = blank.compare()
    assert result.added and result.released  # the old y * 3 and its sum died with loss
    assert result.largest is None  # no number moved: x got no gradient through the cut
    assert "Error" not in console_text(blank)
