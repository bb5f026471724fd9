"""The far-away level of detail: thousands of nodes zoomed out are painted as one NumPy image,
which shows what the per-item drawing shows (nodes in their fill colour, edges, background),
in both layout directions, and is reused while the frame does not change."""

import networkx as nx
import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from gradviz.gui import graph_drawing
from gradviz.gui.graph_drawing import FAR_RASTER, GraphScene
from gradviz.gui.theme import LIGHT

W, H = 600, 400


def grid_scene(direction):
    """Columns of chains (3,000 nodes): node (c, r) feeds (c, r + 1); every tenth column's
    top node also feeds the next column's bottom node (long edges)."""
    g = nx.MultiDiGraph()
    cols, rows = 60, 50
    pos = {}
    for c in range(cols):
        for r in range(rows):
            g.add_node((c, r), kind="tensor" if r == 0 else "function", role="leaf",
                       requires_grad=True, name="MulBackward0", shape=(3,))
            pos[(c, r)] = (1.5 * c, 2.0 * r)
            if r:
                g.add_edge((c, r - 1), (c, r))
        if c % 10 == 0 and c + 1 < cols:
            g.add_edge((c, 0), (c + 1, rows - 1))
    scene = GraphScene(LIGHT)
    scene.direction = direction
    scene.sync(g, pos)
    return scene


def paint(scene, scale):
    image = QtGui.QImage(W, H, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor(LIGHT.background))  # as the view does before painting the scene
    b = scene.bounds()
    painter = QtGui.QPainter(image)
    painter.translate(W / 2 - b.center().x() * scale, H / 2 - b.center().y() * scale)
    painter.scale(scale, scale)
    rect = QtCore.QRectF(b.center().x() - W / 2 / scale, b.center().y() - H / 2 / scale,
                         W / scale, H / scale)
    scene.paint(painter, rect, scale)
    painter.end()
    return image, rect


def pixels(image):
    ptr = image.constBits()
    return np.frombuffer(ptr, np.uint32, W * H).reshape(H, W).copy() & 0xFFFFFF


def rgb(color):
    c = QtGui.QColor(color)
    return (c.red() << 16) | (c.green() << 8) | c.blue()


@pytest.mark.parametrize("direction", ["top-down", "left-right"])
def test_far_away_image_shows_what_the_items_show(direction, monkeypatch, qapp):
    scene = grid_scene(direction)
    assert len(scene) >= FAR_RASTER
    b = scene.bounds()
    scale = 0.9 * min(W / b.width(), H / b.height())  # the whole graph, far away
    fast, rect = paint(scene, scale)
    assert scene._far is not None  # painted as one image
    monkeypatch.setattr(graph_drawing, "FAR_RASTER", 10**9)  # the same frame item by item
    slow, _ = paint(scene, scale)
    a, s = pixels(fast), pixels(slow)
    background, fill = rgb(LIGHT.background), rgb(LIGHT.function)
    assert (a == background).mean() > 0.2  # empty space around the graph
    assert abs((a == fill).mean() - (s == fill).mean()) < 0.03  # as much node fill
    assert abs((a == background).mean() - (s == background).mean()) < 0.05
    assert (a != s).mean() < 0.08  # and in the same places (anti-aliasing aside)
    i = scene.index[(30, 25)]  # a node's centre has its fill colour
    x = (scene.X[i] - rect.left()) * scale
    y = (scene.Y[i] - rect.top()) * scale
    assert a[int(y), int(x)] == fill


def test_the_same_frame_is_reused_until_the_drawing_changes(qapp):
    scene = grid_scene("top-down")
    b = scene.bounds()
    scale = 0.9 * min(W / b.width(), H / b.height())
    paint(scene, scale)
    first = scene._far
    paint(scene, scale)
    assert scene._far is first  # a repaint of the same frame: no new image
    paint(scene, scale * 1.1)
    assert scene._far is not first  # zoomed: drawn again
    second = scene._far
    scene.move(scene.ids[0], 0.0, 0.0)  # a node dragged: drawn again
    paint(scene, scale * 1.1)
    assert scene._far is not second
