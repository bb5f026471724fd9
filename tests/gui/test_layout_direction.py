"""Layout direction: View > Layout direction and ``app.layout_direction`` turn the whole
drawing (nodes, edges, clusters, minimap) between top-down and left-right; the setting is
remembered by the window and kept in saved sessions."""

import re
from pathlib import Path

import pytest
from PySide6 import QtCore, QtGui

from gradviz.gui.graph_drawing import GraphScene
from gradviz.gui.theme import LIGHT
from tests.gui.conftest import type_in

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "residual_mlp.py"


def choose(window, text):
    """Open View > Layout direction and click ``text`` in it, as a user does."""
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    sub = next(a.menu() for a in menu.actions() if a.text() == "Layout direction")
    sub.aboutToShow.emit()
    action = next(a for a in sub.actions() if a.text() == text)
    action.trigger()
    return sub


def checked(sub):
    sub.aboutToShow.emit()
    return [a.text() for a in sub.actions() if a.isChecked()]


def flow(view):
    """Per drawn edge between two different layers: (source centre, target centre)."""
    s = view.scene
    return [((s.X[u], s.Y[u]), (s.X[v], s.Y[v])) for u, v in zip(s.eu.tolist(), s.ev.tolist())]


def centres(view):
    s = view.scene
    return {n: (s.X[i], s.Y[i]) for n, i in s.index.items()}


def test_the_view_menu_turns_the_tutorial_left_to_right_and_back(app):
    view = app.view
    down = flow(view)
    where = centres(view)
    assert view.direction == "top-down"
    assert all(b[1] > a[1] for a, b in down)  # every edge goes down a layer
    sub = choose(app, "Left to right")
    assert view.direction == "left-right" == app.session.layout_direction
    assert checked(sub) == ["Left to right"]
    right = flow(view)
    assert all(b[0] > a[0] for a, b in right)  # now every edge goes right
    bounds = view.scene.bounds()
    assert bounds.width() > bounds.height()  # the tutorial's graph is deep: wide when turned
    d = view.drawn()  # refitted: the whole graph is drawn and every label reads
    assert sorted(d["nodes"], key=str) == sorted(view.model.graph.nodes, key=str)
    assert d["labels"] == d["nodes"]
    choose(app, "Top to bottom")
    assert centres(view) == where  # back exactly where it was


def test_edges_leave_the_right_side_and_their_heads_point_right(app, qtbot):
    view = app.view
    choose(app, "Left to right")
    s = view.scene
    x0, y0, x1, y1 = s.edge_ends(s.eu, s.ev, s.eoff)
    assert (x0 == s.X[s.eu] + s.W[s.eu] / 2).all() and (x1 == s.X[s.ev] - s.W[s.ev] / 2).all()
    segs = s.curve_segments(x0[:1], y0[:1], x1[:1], y1[:1], s.bounds(), 8, end_gap=6.0)
    assert segs[0, 0] == pytest.approx(x0[0]) and segs[-1, 2] == pytest.approx(x1[0] - 6.0)
    head = s.arrow_heads([100.0], [50.0]).boundingRect()
    assert head.right() == pytest.approx(100.0) and head.left() < 100.0  # tip on the right


def test_typed_in_the_console_and_remembered_by_the_next_window(app, qtbot):
    type_in(app, 'app.layout_direction = "left-right"')
    qtbot.waitUntil(lambda: app.view.direction == "left-right", timeout=5000)
    assert app.session.namespace["app"].layout_direction == "left-right"
    sub = choose(app, "Left to right")  # the menu shows the script's choice
    assert checked(sub) == ["Left to right"]
    type_in(app, 'app.layout_direction = "diagonal"')
    assert "layout direction must be one of" in app.console.repl.output.toPlainText()
    assert app.view.direction == "left-right"

    from gradviz.gui.app import App

    second = App(theme="light", tutorial=False)  # the same settings directory
    qtbot.addWidget(second)
    assert second.view.direction == "left-right"
    second.close()


def test_a_saved_session_keeps_its_direction(app, qtbot, tmp_path):
    choose(app, "Left to right")
    path = tmp_path / "lr.json"
    app.session.save_session(str(path))
    choose(app, "Top to bottom")
    app.session.load_session(str(path))
    qtbot.waitUntil(lambda: app.view.direction == "left-right", timeout=5000)
    assert all(b[0] > a[0] for a, b in flow(app.view))


def test_a_node_dragged_left_to_right_is_pinned_where_it_was_dropped(app, qtbot):
    view = app.view
    choose(app, "Left to right")
    z = app.model.node_of(app.session.namespace["z"])
    start = view.to_screen(view.scene.rect(z).center()).toPoint()
    end = start + QtCore.QPoint(0, 60)
    qtbot.mousePress(view, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(view, start + (end - start) * (k / 5))
    qtbot.mouseRelease(view, QtCore.Qt.MouseButton.LeftButton, pos=end)
    dropped = view.scene.rect(z).center()
    assert abs(view.to_screen(dropped).y() - end.y()) < 2
    pinned = app.model.pinned[z]  # in layout units: the same node top-down
    assert view.scene.to_pixels(*pinned) == pytest.approx((dropped.x(), dropped.y()))
    choose(app, "Top to bottom")
    turned = GraphScene(LIGHT)
    assert (view.scene.X[view.scene.index[z]], view.scene.Y[view.scene.index[z]]) \
        == pytest.approx(turned.to_pixels(*pinned))


def test_twelve_residual_blocks_left_to_right_clusters_and_minimap(blank, qtbot):
    choose(blank, "Left to right")
    blank.session.run_file(str(EXAMPLE))
    qtbot.waitUntil(lambda: "net" in blank.model.groups(), timeout=20000)
    view, model = blank.view, blank.model
    view.fit()  # opened collapsed as deep as reads at Fit, left to right
    d = view.drawn()
    assert model.collapsed and d["labels"] == d["nodes"] and len(d["nodes"]) == len(view.scene)
    assert all(b[0] > a[0] for a, b in flow(view))
    s = view.scene
    groups = [n for n in s.ids if isinstance(n, str)]  # "Sequential(12 × Block) · 168 nodes"
    assert groups and all(s.labels.size(n)[0] <= s.W[s.index[n]] for n in groups)  # fits
    # too long with its count, a group shows its class whole (the count is in the tooltip)
    assert s.labels.text("group:net")[1].replace(" × ", "×") == "Sequential(12×Block)"
    assert "168 nodes" in view.tooltip("group:net")
    type_in(blank, 'app.expand("net")', 'app.expand("net.3")')
    box = view.clusters.boxes["net.3"]
    inner = [n for n in view.scene.ids if not isinstance(n, str)
             and model.graph.nodes[n].get("module", "").startswith("net.3")]
    assert inner and all(box.contains(view.scene.rect(n)) for n in inner)
    blocks = [view.scene.rect(f"group:net.{i}").center().x() for i in (0, 1, 2, 4, 5)]
    assert blocks == sorted(blocks)  # the blocks follow one another left to right
    view.zoom(4.0)
    view.repaint()
    minimap = view.minimap
    assert minimap.isVisible() and minimap.width() > minimap.height()  # wide, as the graph
    at = QtCore.QPointF(minimap.width() * 0.7, minimap.height() * 0.4)
    qtbot.mouseClick(minimap, QtCore.Qt.MouseButton.LeftButton, pos=at.toPoint())
    centre, target = view.visible_world().center(), minimap.to_world(at)
    tol = 2 / minimap.ratio()
    assert centre.x() == pytest.approx(target.x(), abs=tol)
    assert centre.y() == pytest.approx(target.y(), abs=tol)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_render_draws_a_left_to_right_model_wide(qapp, tmp_path, suffix):
    import gradviz as torch
    from gradviz.gui.render import render_model
    from gradviz.model import GraphModel
    from gradviz.model.layout_direction import set_layout_direction

    model = GraphModel()
    with model.recording():
        w = torch.ones(3, requires_grad=True)
        loss = ((w * 2).relu() * w).exp().sum()
    sizes = {}
    for direction in ("top-down", "left-right"):
        set_layout_direction(model, direction)
        path = tmp_path / f"{direction}{suffix}"
        render_model(model, path, legend=False)
        if suffix == ".png":
            image = QtGui.QImage(str(path))
            sizes[direction] = (image.width(), image.height())
        else:
            box = re.search(r'viewBox="0 0 (\d+) (\d+)"', path.read_text())
            sizes[direction] = (int(box[1]), int(box[2]))
    (tw, th), (lw, lh) = sizes["top-down"], sizes["left-right"]
    assert th > tw and lw > lh  # a chain: tall top-down, wide left to right
    del loss
