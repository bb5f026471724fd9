"""One backward step painted over the graph: the nodes already run, the node running now
and the edges its gradients flow along (against the arrows, up towards the leaves).

    overlay = StepOverlay(done={1, 2, 3}, current=3, edges=[(5, 3, 0)])
    overlay.paint_under(painter, scene, rect, scale)   # before the scene
    overlay.paint_over(painter, scene, rect, scale)    # after it

It keeps only what it draws (model node ids) and the matching scene indices, computed
again when the scene's node list changes; painting touches only what is in view, so a
step over a 5,000-node graph costs about what the nodes themselves cost.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from gradviz.gui.graph_drawing import DETAIL_SCALE


class StepOverlay:
    """The highlight of backward step ``current`` (a function node id)."""

    def __init__(self, done=(), current=None, edges=()):
        self.done = frozenset(done)
        self.current = current
        self.edges = tuple(tuple(e) for e in edges)
        self._ids = None  # the scene.ids list the indices below were computed for
        self._done = self._edges = np.zeros(0, np.int64)
        self._current = -1

    def _indices(self, scene) -> None:
        if self._ids is scene.ids:
            return
        index = scene.index
        self._done = np.fromiter((index[n] for n in self.done if n in index), np.int64)
        self._current = index.get(self.current, -1)
        found = []
        for edge in self.edges:
            u, v = index.get(edge[0]), index.get(edge[1])
            if u is None or v is None:
                continue
            hits = np.flatnonzero((scene.eu == u) & (scene.ev == v))
            key = edge[2] if len(edge) > 2 else 0
            if hits.size:
                found.append(int(hits[min(key, hits.size - 1)]))
        self._edges = np.array(found, np.int64)
        self._ids = scene.ids

    @staticmethod
    def _in_view(scene, idx, rect):
        X, Y, W, H = scene.X[idx], scene.Y[idx], scene.W[idx], scene.H[idx]
        return idx[(X + W / 2 >= rect.left()) & (X - W / 2 <= rect.right())
                   & (Y + H / 2 >= rect.top()) & (Y - H / 2 <= rect.bottom())]

    @staticmethod
    def _box(scene, i, grow=0.0) -> QtCore.QRectF:
        return QtCore.QRectF(scene.X[i] - scene.W[i] / 2 - grow, scene.Y[i] - scene.H[i] / 2 - grow,
                             scene.W[i] + 2 * grow, scene.H[i] + 2 * grow)

    def paint_under(self, painter, scene, rect, scale) -> None:
        """A glow behind the node running now."""
        self._indices(scene)
        i = self._current
        if i < 0 or scale < DETAIL_SCALE:
            return
        glow = QtGui.QColor(scene.theme.executed)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        for grow, alpha in ((11.0, 40), (6.0, 80)):
            glow.setAlpha(alpha)
            painter.setBrush(glow)
            painter.drawRoundedRect(self._box(scene, i, grow), 10 + grow, 10 + grow)

    def paint_over(self, painter, scene, rect, scale) -> None:
        """Outlines on the nodes already run, the current node, its gradient edges."""
        self._indices(scene)
        color = QtGui.QColor(scene.theme.executed)
        done = self._in_view(scene, self._done, rect)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        if scale < DETAIL_SCALE:  # zoomed far out: plain frames
            painter.setPen(QtGui.QPen(color, 2.0 / scale))
            painter.drawRects([self._box(scene, i) for i in done.tolist()])
            if self._current >= 0:
                painter.setPen(QtGui.QPen(color, 4.0 / scale))
                painter.drawRect(self._box(scene, self._current, 6.0 / scale))
            return
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QtGui.QPen(color, 1.8))
        for i in done.tolist():
            r = scene.H[i] / 2 + 2 if scene.style[i] >= 2 else 7.0
            painter.drawRoundedRect(self._box(scene, i, 2.0), r, r)
        self._paint_edges(painter, scene, rect, color)
        if self._current >= 0:
            i = self._current
            painter.setPen(QtGui.QPen(color, 3.0))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            r = scene.H[i] / 2 + 4 if scene.style[i] >= 2 else 9.0
            painter.drawRoundedRect(self._box(scene, i, 4.0), r, r)
        self._paint_badges(painter, scene, done, color)

    @staticmethod
    def _paint_badges(painter, scene, done, color) -> None:
        """The order badges again, above the frames that would hide them."""
        font = QtGui.QFont(scene.labels.sub_font)
        font.setPointSizeF(6.5)
        font.setBold(True)
        painter.setFont(font)
        for i in done[scene.executed[done] > 0].tolist():
            box = QtCore.QRectF(scene.X[i] - scene.W[i] / 2 - 6, scene.Y[i] - scene.H[i] / 2 - 7,
                                18, 14)
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawEllipse(box)
            painter.setPen(QtGui.QColor("#ffffff"))
            painter.drawText(box, QtCore.Qt.AlignmentFlag.AlignCenter, str(int(scene.executed[i])))

    def _paint_edges(self, painter, scene, rect, color) -> None:
        """Each edge as a thick curve with its head at the input end: the gradient's way."""
        e = self._edges
        if not e.size:
            return
        x0, y0, x1, y1 = scene.edge_ends(scene.eu[e], scene.ev[e], scene.eoff[e])
        # the scene's own curve (drawn over it), with the head turned round to the input
        segs = scene.curve_segments(x0, y0, x1, y1, rect.adjusted(-12, -12, 12, 12), 16, 6.0)
        painter.setPen(QtGui.QPen(color, 3.2, QtCore.Qt.PenStyle.SolidLine,
                                  QtCore.Qt.PenCapStyle.RoundCap))
        painter.drawLines([QtCore.QLineF(*s) for s in segs.tolist()])
        painter.fillPath(scene.arrow_heads(x0.tolist(), y0.tolist(), 6.0, back=True), color)
