"""GraphView and GraphScene against a GraphModel, without the main window."""

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

import gradviz as torch
from gradviz.gui.graph_drawing import NEW, RELEASED, GraphScene, style_of
from gradviz.gui.graph_view import GraphView
from gradviz.gui.label_layer import LabelLayer, wrap_name
from gradviz.gui.layout_driver import LayoutDriver
from gradviz.gui.theme import DARK, LIGHT
from gradviz.model import GraphModel


@pytest.fixture
def model():
    m = GraphModel()
    m.attach()
    yield m
    m.detach()


@pytest.fixture
def view(qtbot, model):
    v = GraphView(model, LIGHT)
    qtbot.addWidget(v)
    v.resize(900, 700)
    v.show()
    qtbot.waitExposed(v)
    return v


def named(model, name):
    return next(n for n, d in model.graph.nodes(data=True) if d.get("name") == name)


def pixel(widget, point):
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    return QtGui.QColor(image.pixel(int(point.x() * ratio), int(point.y() * ratio)))


def test_view_follows_the_model(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        q = (w * 2).sum()
        model.set_names({"w": w, "q": q})
    assert len(view.scene) == model.graph.number_of_nodes() == 5
    assert set(view.scene.ids) == set(model.graph.nodes)
    with model.batch():
        r = q * 3
        model.set_names({"w": w, "q": q, "r": r})
    assert len(view.scene) == model.graph.number_of_nodes()
    new = {view.scene.ids[i] for i in np.flatnonzero(view.scene.flags & NEW)}
    assert named(model, "r") in new and named(model, "w") not in new


def test_leaf_is_drawn_blue_and_output_green(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        q = (w * 2).sum()
        model.set_names({"w": w, "q": q})
    view.fit()
    w_id, q_id = named(model, "w"), named(model, "q")
    assert style_of(model.graph.nodes[w_id]) == "leaf"
    assert style_of(model.graph.nodes[q_id]) == "output"
    # the pill's fill just inside its left end (the label sits in the middle)
    for nid, colour in ((w_id, LIGHT.leaf), (q_id, LIGHT.output)):
        r = view.scene.rect(nid)
        spot = view.to_screen(QtCore.QPointF(r.left() + r.height() / 2, r.center().y()))
        assert pixel(view, spot).name() == QtGui.QColor(colour).name()


def test_existing_nodes_do_not_jump(view, model):
    w = torch.ones(3, requires_grad=True)
    keep = []
    with model.batch():
        h = w
        for _ in range(6):
            h = (h * 2).tanh()
            keep.append(h)
    before = {n: view.scene.rect(n).center() for n in view.scene.ids}
    with model.batch():
        keep.append((h * w).sum())
    moved = [n for n, p in before.items()
             if (view.scene.rect(n).center() - p).manhattanLength() > 1]
    assert not moved


def test_freed_and_released_marks(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        q = (w * w).sum()
    q.backward()
    mul = next(n for n, d in model.graph.nodes(data=True) if d.get("name") == "MulBackward0")
    assert model.graph.nodes[mul]["freed"]
    assert view.scene.flags[view.scene.index[mul]] & 4
    with model.batch():
        del q
    gone = [i for i in range(len(view.scene)) if view.scene.flags[i] & RELEASED]
    assert gone, "the released output is faded"


def test_parallel_edges_side_by_side(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        q = w * w
    acc = next(n for n, d in model.graph.nodes(data=True) if d.get("name") == "AccumulateGrad")
    mul = next(n for n, d in model.graph.nodes(data=True) if d.get("name") == "MulBackward0")
    scene = view.scene
    both = [k for k in range(scene.eu.size)
            if scene.ids[scene.eu[k]] == acc and scene.ids[scene.ev[k]] == mul]
    assert len(both) == 2
    assert abs(scene.eoff[both[0]] - scene.eoff[both[1]]) >= 8
    del q


def test_click_drag_pin_pan_and_zoom(view, model, qtbot):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        q = (w * 2).sum()
        model.set_names({"w": w, "q": q})
    view.fit()
    picked = []
    view.nodeSelected.connect(picked.append)
    q_id = named(model, "q")
    start = view.to_screen(view.scene.rect(q_id).center()).toPoint()
    qtbot.mouseClick(view, QtCore.Qt.MouseButton.LeftButton, pos=start)
    assert picked == [q_id] and view.selected == q_id
    end = start + QtCore.QPoint(140, 30)
    qtbot.mousePress(view, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(view, start + (end - start) * (k / 5))
    qtbot.mouseRelease(view, QtCore.Qt.MouseButton.LeftButton, pos=end)
    assert q_id in model.pinned
    assert abs(view.to_screen(view.scene.rect(q_id).center()).x() - end.x()) < 2
    scale = view.scale
    view.zoom(2.0)
    assert view.scale == pytest.approx(scale * 2)
    before = view.to_screen(QtCore.QPointF(0, 0))
    view.pan(30, -10)
    assert view.to_screen(QtCore.QPointF(0, 0)) - before == QtCore.QPointF(30, -10)
    text = view.tooltip(named(model, "w"))
    assert "shape (3,)" in text and "float32" in text


def test_find_selects_and_centres(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        loss = (w * 2).sum()
        model.set_names({"w": w, "loss": loss})
    view.fit()
    view.zoom(3.0)
    view.pan(-5000, -5000)  # loss is out of view: find brings it to the middle
    hits = view.find("loss")
    assert hits == [named(model, "loss")] and view.selected == hits[0]
    centre = view.to_screen(view.scene.rect(hits[0]).center())
    assert abs(centre.x() - view.width() / 2) < 1 and abs(centre.y() - view.height() / 2) < 1
    assert view.find("MulBackward") and view.find("zzz") == []


def test_zoomed_out_and_dark_painting(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        q = (w * 2).sum()
    view.fit()
    view.zoom(0.1)
    view.set_theme(DARK)
    view.repaint()
    assert view.last_paint_ms > 0
    corner = pixel(view, QtCore.QPointF(view.width() - 3, view.height() - 3))
    assert corner.name() == QtGui.QColor(DARK.background).name()
    del q


def test_wrap_name_keeps_boxes_two_lines(qapp):
    layer = LabelLayer()
    lines = wrap_name("BinaryCrossEntropyWithLogitsBackward0", layer.title_metrics, 140)
    assert len(lines) == 2 and "".join(lines) == "BinaryCrossEntropyWithLogitsBackward0"
    assert wrap_name("AddBackward0", layer.title_metrics, 140) == ["AddBackward0"]


def test_no_two_nodes_overlap_in_the_tutorial(qapp):
    from gradviz.gui.app import tutorial_path
    from gradviz.gui.render import run_script

    m = GraphModel()
    run_script(tutorial_path(), m, {})
    scene = GraphScene(LIGHT)
    scene.sync(m.graph, m.positions())
    rects = [scene.rect(n) for n in scene.ids]
    overlaps = [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:] if a.intersects(b)]
    assert not overlaps


def test_large_graphs_get_provisional_positions_then_the_layout(qapp, model):
    w = torch.ones(2, requires_grad=True)
    keep = []
    with model.batch():
        h = w
        for _ in range(12):
            h = h * 2 + w
            keep.append(h)
    driver = LayoutDriver(model, sync_limit=10)
    first = driver.positions()
    assert set(first) == set(model.graph.nodes)
    slots = {(round(x / 1.5), round(y / 2)) for x, y in first.values()}
    assert len(slots) == len(first), "provisional places do not overlap"
    assert driver.busy
    assert driver.wait()
    final = driver.positions()
    assert not driver.busy and set(final) == set(model.graph.nodes)
    assert all(final[u][1] < final[v][1] for u, v in model.graph.edges()), "inputs above"
    assert len({(round(x, 3), y) for x, y in final.values()}) == len(final)


@pytest.mark.parametrize("sync_limit", [0, 1500])
def test_appending_equals_rebuilding(view, model, sync_limit):
    """The incremental path (new nodes only) gives the same drawing as a full rebuild."""
    view.layout_driver.sync_limit = sync_limit  # 0: provisional places, nothing moves
    taken = []
    append = view.scene._append
    view.scene._append = lambda *a: taken.append(append(*a)) or taken[-1]
    w = torch.ones(3, requires_grad=True)
    with model.batch():
        q = (w * 2).tanh()
    with model.batch():
        r = (q * w).sum()
        s = q.exp().mean()
        model.set_names({"w": w, "q": q, "r": r, "s": s})
    incremental = view.scene
    fresh = GraphScene(LIGHT)
    fresh.sync(model.graph, view.layout_driver.positions(), pinned=model.pinned)

    def drawing(scene):
        nodes = {n: (scene.X[i], scene.Y[i], scene.W[i], scene.H[i], scene.style[i],
                     scene.flags[i]) for n, i in scene.index.items()}
        edges = sorted((scene.ids[u], scene.ids[v]) for u, v in zip(scene.eu, scene.ev))
        return nodes, edges

    assert drawing(incremental) == drawing(fresh)
    assert len(incremental) == model.graph.number_of_nodes() >= 9
    if sync_limit == 0:
        assert taken[-1] is True, "new nodes only: the arrays were extended"


def test_a_slow_layout_moves_to_the_background(qapp, model, monkeypatch):
    import gradviz.gui.layout_driver as driver_module

    monkeypatch.setattr(driver_module, "SYNC_BUDGET", -1.0)  # every direct layout "overran"
    w = torch.ones(2, requires_grad=True)
    with model.batch():
        q = (w * 2).sum()
    driver = LayoutDriver(model)
    first = driver.positions()
    assert driver.slow and not driver.busy
    with model.batch():
        r = (q * w).mean()
    second = driver.positions()
    assert driver.busy, "the new nodes wait for a background layout"
    assert all(second[n] == first[n] for n in first), "the old nodes stay put"
    assert driver.wait() and set(driver.positions()) == set(model.graph.nodes)
    del r


def test_thin_through_keeps_edges_that_end_in_view():
    from gradviz.gui.geometry import thin_through

    n = 200  # one source far left, 200 targets far right, plus one edge ending in view
    x0 = np.r_[np.full(n, -5000.0), 50.0]
    y0 = np.r_[np.full(n, 50.0), 10.0]
    x1 = np.r_[np.linspace(5000, 9000, n), 60.0]
    y1 = np.r_[np.full(n, 60.0), 90.0]
    eu = np.r_[np.zeros(n, np.int64), 1]
    kept = thin_through(np.arange(n + 1), eu, x0, y0, x1, y1, QtCore.QRectF(0, 0, 100, 100))
    assert n in kept, "an edge with an end in view is always drawn"
    assert 8 <= len(kept) - 1 <= 10, "pass-through edges of one source are thinned"


def test_hover_shows_name_shape_and_dtype(view, model):
    from PySide6 import QtWidgets

    with model.batch():
        w = torch.ones(3, requires_grad=True)
        q = (w * 2).sum()
        model.set_names({"w": w, "q": q})
    view.fit()
    pos = view.to_screen(view.scene.rect(named(model, "w")).center()).toPoint()
    view.event(QtGui.QHelpEvent(QtCore.QEvent.Type.ToolTip, pos, view.mapToGlobal(pos)))
    text = QtWidgets.QToolTip.text()
    assert "<b>w</b>" in text and "shape (3,)" in text and "dtype float32" in text
    QtWidgets.QToolTip.hideText()
