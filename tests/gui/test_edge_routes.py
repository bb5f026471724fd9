"""Edges spanning several layers are drawn through the layout's bend points (their virtual
nodes), in the window and in SVG exports; dragging an end node draws the edge straight."""

import random
import re

import numpy as np
from PySide6 import QtCore, QtGui

import gradviz as torch
from gradviz.gui.geometry import routed_pieces
from gradviz.gui.graph_view import GraphView
from gradviz.gui.render import render_model
from gradviz.gui.theme import LIGHT
from gradviz.model import GraphModel


def _deep(model):
    """w feeds the first op and, past a chain of tanh, the last one: a long edge."""
    with model.batch():
        w = torch.ones(3, requires_grad=True)
        h = w * 2.0
        for _ in range(5):
            h = h.tanh()
        out = (h * w).sum()
        model.set_names({"w": w, "out": out})


def _tangled(model, seed=3, ops=60):
    """Ops on random earlier results and parameters: long edges that must go round nodes."""
    rng = random.Random(seed)
    with model.batch():
        params = [torch.ones(3, requires_grad=True) for _ in range(6)]
        rows = [params[:3]]
        made = list(params[:3])
        while len(made) < ops:
            row = []
            for _ in range(rng.randint(2, 4)):
                a = rng.choice(rows[-1]) if rng.random() < 0.8 else rng.choice(made)
                b = rng.choice(params) if rng.random() < 0.4 else rng.choice(made[-8:])
                row.append((a * b).tanh() if rng.random() < 0.3 else a + b)
            rows.append(row)
            made += row
        out = sum(v.sum() for v in rows[-1] + made[::7])
        model.set_names({"out": out})


def _routed(scene):
    """(edge index, bend xs, bend ys) of a routed edge whose bends leave its straight line."""
    for e, (xs, ys) in scene.bends.items():
        u, v = scene.eu[e], scene.ev[e]
        x0, x1 = scene.X[u], scene.X[v]
        for x, y in zip(np.asarray(xs).tolist(), np.asarray(ys).tolist()):
            t = (y - scene.Y[u]) / (scene.Y[v] - scene.Y[u])
            if abs(x - (x0 + (x1 - x0) * t)) > 12:
                return e, x, y
    return None


def test_a_long_edge_is_drawn_through_its_bend_points(qtbot, model):
    view = GraphView(model, LIGHT)
    qtbot.addWidget(view)
    view.resize(900, 900)
    view.show()
    qtbot.waitExposed(view)
    _tangled(model)
    view.fit()
    assert model.routes(), "the layout routed w's long edge"
    found = _routed(view.scene)
    assert found is not None, "a bend point away from the straight line between the ends"
    e, x, y = found
    at = view.to_screen(QtCore.QPointF(x, y))
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    background = QtGui.QColor(LIGHT.background)
    near = [QtGui.QColor(image.pixel(int((at.x() + dx) * ratio), int((at.y() + dy) * ratio)))
            for dx in range(-2, 3) for dy in range(-2, 3)]
    assert any(c != background for c in near), "the edge passes its bend point"
    # the user drags the edge's lower end aside: the edge is drawn from end to end again
    end = view.scene.ids[view.scene.ev[e]]
    start = view.to_screen(view.scene.rect(end).center()).toPoint()
    qtbot.mousePress(view, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(view, start + QtCore.QPoint(24 * k, 0))
    assert e not in view.scene.bends
    qtbot.mouseRelease(view, QtCore.Qt.MouseButton.LeftButton, pos=start + QtCore.QPoint(120, 0))
    assert end in model.pinned
    assert not any(end in pair for pair in view.layout_driver.routes())
    assert not any(view.scene.ids[view.scene.ev[k]] == end for k in view.scene.bends)


def test_an_svg_export_draws_a_routed_edge_as_one_smooth_path(qapp, tmp_path):
    model = GraphModel()
    with model.recording():
        _deep(model)
    path = render_model(model, tmp_path / "deep.svg")
    text = path.read_text(encoding="utf-8")
    point = r"-?[\d.]+,-?[\d.]+"
    pieces = [len(re.findall(r" C", d)) for d in re.findall(rf'd="(M{point}(?: C{point} '
                                                             rf'{point} {point})+) "', text)]
    bends = max(len(r) for r in model.routes().values())
    assert max(pieces) == bends + 1, "one cubic piece between each pair of points"
    assert "<polyline" not in text


def test_routed_pieces_pass_every_point_and_never_overshoot():
    # one edge from (0, 0) through (0, 30) and (40, 60) to (40, 90): a trunk, then a turn
    e, x0, y0, ax, ay, bx, by, x1, y1 = routed_pieces(
        np.array([0.0]), np.array([0.0]), np.array([40.0]), np.array([90.0]),
        np.array([0.0, 40.0]), np.array([30.0, 60.0]), np.array([2]))
    assert e.tolist() == [0, 0, 0]
    assert list(zip(x0.tolist(), y0.tolist())) == [(0, 0), (0, 30), (40, 60)]
    assert list(zip(x1.tolist(), y1.tolist())) == [(0, 30), (40, 60), (40, 90)]
    assert ax[0] == bx[0] == 0.0, "straight down the trunk: no bulge"
    assert (0 <= ax).all() and (bx <= 40).all(), "no control point beyond the points"
    assert ay[0] > 0 and by[-1] < 90, "it leaves and arrives along the flow"
