"""GraphView and GraphScene against a GraphModel, without the main window."""

import networkx as nx
import numpy as np
import pytest
from PySide6 import QtCore, QtGui

import gradviz as torch
from gradviz.gui.graph_drawing import LABEL_SCALE, NEW, RELEASED, GraphScene, style_of
from gradviz.gui.graph_view import READABLE_SCALE, GraphView
from gradviz.gui.label_layer import LabelLayer, wrap_name
from gradviz.gui.layout_driver import LayoutDriver
from gradviz.gui.node_text import find_ranked
from gradviz.gui.theme import DARK, LIGHT
from gradviz.model import GraphModel


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


def test_find_selects_centres_and_zooms_to_a_readable_scale(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        loss = (w * 2).sum()
        model.set_names({"w": w, "loss": loss})
    view.fit()
    view.zoom(0.2)
    view.pan(-5000, -5000)  # loss is out of view: find brings it to the middle
    hits = view.find("loss")
    assert hits == [named(model, "loss")] and view.selected == hits[0]
    centre = view.to_screen(view.scene.rect(hits[0]).center())
    area = view.graph_rect()
    assert abs(centre.x() - area.center().x()) < 1 and abs(centre.y() - area.center().y()) < 1
    assert view.scale >= READABLE_SCALE, "zoomed in far enough for the labels to read"
    assert view.find("MulBackward") and view.find("zzz") == []


def test_find_ranks_variables_then_torch_names(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        wide = torch.ones(3, requires_grad=True)
        loss = (w * 2 + wide).sum()
        model.set_names({"w": w, "wide": wide, "loss": loss})
    graph = model.graph
    hits = view.find("w")
    assert hits == [named(model, "w"), named(model, "wide")], \
        "the exact name first, then names starting with it; no ...Backward0 in the middle"
    mul = next(n for n, d in graph.nodes(data=True) if d.get("name") == "MulBackward0")
    assert view.find("mulbackward0") == [mul]
    assert find_ranked(graph, graph.nodes, "Backward") == [], "never inside a torch name"
    assert find_ranked(graph, graph.nodes, "oss") == [named(model, "loss")]
    assert view.find("w") and view.selected == named(model, "w")
    assert view.find_next() == named(model, "wide") and view.selected == named(model, "wide")
    assert view.find_next() == named(model, "w"), "wraps around"
    assert view.find_previous() == named(model, "wide")


def test_found_nodes_have_their_own_colour(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        wide = torch.ones(3, requires_grad=True)
        loss = (w * 2 + wide).sum()
        model.set_names({"w": w, "wide": wide, "loss": loss})
    view.find("w")  # selects w; wide is the other hit
    r = view.scene.rect(named(model, "wide"))
    ring = view.to_screen(QtCore.QPointF(r.center().x(), r.top() - 3))
    view.repaint()
    colour = pixel(view, ring)
    assert colour.name() != QtGui.QColor(LIGHT.new).name()
    assert abs(colour.hue() - QtGui.QColor(LIGHT.found).hue()) < 12


def test_the_legend_never_hides_a_node(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        q = (w * 2).sum()
        model.set_names({"w": w, "q": q})
    view.fit()
    legend = view.legend_rect()
    assert not legend.isEmpty() and legend.left() == 0
    shown = [QtCore.QRectF(view.to_screen(view.scene.rect(n).topLeft()),
                           view.to_screen(view.scene.rect(n).bottomRight()))
             for n in view.scene.ids]
    assert not any(r.intersects(legend) for r in shown), "fit leaves the legend's strip free"
    before = view.grab(legend.toRect()).toImage()
    w_id = named(model, "w")
    under = view.to_screen(view.scene.rect(w_id).center())
    view.pan(legend.center().x() - under.x(), legend.center().y() - under.y())
    view.repaint()
    assert view.grab(legend.toRect()).toImage() == before, "the node slid under, not over"
    assert view.node_at(legend.center().toPoint()) is None
    view.show_legend = False
    assert view.legend_rect().isEmpty() and view.graph_rect() == QtCore.QRectF(view.rect())
    view.fit()
    view.show_legend = True  # following the window: refitted beside the strip again
    centre = view.to_screen(view.scene.rect(w_id).center())
    assert view.graph_rect().contains(centre) and not view.legend_rect().contains(centre)


@pytest.mark.parametrize(("wide", "size", "side"), [(True, (1200, 700), "bottom"),
                                                     (False, (900, 700), "left")])
def test_the_legend_takes_the_side_that_leaves_the_graph_more_room(view, model, wide, size,
                                                                    side):
    with model.batch():
        if wide:  # ten leaves side by side, two layers deep
            keep = [torch.ones(2, requires_grad=True) * 2 for _ in range(10)]
        else:  # a chain
            keep = [torch.ones(2, requires_grad=True)]
            for _ in range(8):
                keep.append(keep[-1] * 2)
        model.set_names({f"t{i}": t for i, t in enumerate(keep)})
    view.resize(*size)
    view.fit()
    legend, area = view.legend_rect(), view.graph_rect()
    if side == "bottom":
        assert legend.bottom() == view.height() and legend.width() == view.width()
        assert area.bottom() == legend.top()
    else:
        assert legend.left() == 0 and legend.height() == view.height()
        assert area.left() == legend.right()
    assert not legend.intersects(area)


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


def test_a_growing_graph_is_refitted_while_its_labels_stay_readable(view, model):
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        h = w * 2
        model.set_names({"w": w, "h": h})
    assert view.follows_window and view.scale == 1.0
    keep = [w, h]
    for _ in range(40):  # a long chain: fitting it whole would hide every label
        with model.batch():
            keep.append(keep[-1] * 2)
            model.set_names({"w": w, "h": keep[-1]})
        assert view.scale >= LABEL_SCALE
    newest = named(model, "h")
    assert view.visible_world().contains(view.scene.rect(newest)), "the newest node in view"


def test_many_new_inputs_of_one_node_get_distinct_provisional_places():
    """3,000 leaves appearing at once above one laid-out node (a stack of parameters): each
    gets its own slot in the row above it, the first ones next to the node."""
    from gradviz.gui.layout_driver import LAYER_GAP, NODE_STEP, _provisional

    graph = nx.DiGraph((k, "sum") for k in range(3000))
    pos = {"sum": (3 * NODE_STEP, 2 * LAYER_GAP)}
    _provisional(graph, pos, list(range(3000)))
    places = {pos[k] for k in range(3000)}
    assert len(places) == 3000 and {y for _, y in places} == {LAYER_GAP}
    assert pos[0] == (3 * NODE_STEP, LAYER_GAP)
