"""The debugging marks painted over the graph: NaN/Inf, gradient flow, saved bytes, compare.

    overlay = DebugOverlay(model)
    view.overlays.append(overlay)
    overlay.flow = gradient_flow(model)       # colour edges by gradient norm
    overlay.saved = saved_bytes_by_node(model)  # a bytes badge per node

It reads the marks the model's debugging modules wrote on the nodes (``nonfinite``,
``nonfinite_origin``, ``compare``) and what it was given; painting touches only nodes and
edges in view. ``paint_screen`` draws the flow's colour scale (log10 of the gradient norm)
in a corner of the view.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui

from gradviz.gui.geometry import thin_through
from gradviz.gui.graph_drawing import DETAIL_SCALE
from gradviz.gui.legend import legend_size
from gradviz.model.saved_memory import format_bytes

NONFINITE = "#e03131"  # NaN/Inf in the forward
NONFINITE_BACKWARD = "#f08c00"  # NaN/Inf born in the backward
COMPARE = {"added": "#2f9e44", "changed": "#f59f00", "released": "#868e96",
           "removed": "#c92a2a"}
VANISHING = "#adb5bd"
LEGEND_MARGIN = 10.0  # the graph view's, around its legend
# a perceptual ramp (low -> high), as matplotlib's viridis at 5 stops
RAMP = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")


def ramp(t: float) -> QtGui.QColor:
    """The colour at ``t`` in [0, 1] of the flow's scale."""
    t = min(1.0, max(0.0, t)) * (len(RAMP) - 1)
    i = min(int(t), len(RAMP) - 2)
    a, b = QtGui.QColor(RAMP[i]), QtGui.QColor(RAMP[i + 1])
    f = t - i
    return QtGui.QColor(round(a.red() + (b.red() - a.red()) * f),
                        round(a.green() + (b.green() - a.green()) * f),
                        round(a.blue() + (b.blue() - a.blue()) * f))


def _norm_text(x: float) -> str:
    """A norm at the colour scale's end: ``0.75``, ``3.6``, ``2e+06``."""
    return f"{x:.2g}"


class DebugOverlay:
    """Marks on a ``GraphScene``, painted after it (in world coordinates)."""

    def __init__(self, model):
        self.model = model
        self.flow = None  # a GradientFlow to colour edges by, or None
        self.saved = None  # node id -> saved bytes, or None
        self._marked = None  # node ids with a mark, collected on refresh()
        self._ends = None  # the flow's edges' ends in the scene, for culling
        self.compared = False  # compare's marks are shown (their key is drawn)

    def refresh(self) -> None:
        """The model's marks changed (a scan, a compare, a new statement): collect again."""
        self._marked = None

    def marked(self) -> list:
        """Node ids with something to paint (collected once per refresh, not per frame)."""
        if self._marked is None:
            extra = set(self.saved or ()) | (set(self.flow.dead) | set(self.flow.parameters)
                                             if self.flow is not None else set())
            self._marked = [n for n, d in self.model.graph.nodes(data=True)
                            if d.get("nonfinite") or d.get("compare") or n in extra]
        return self._marked

    def edge_color(self, key) -> QtGui.QColor | None:
        """The colour edge ``(u, v, key)`` is painted in (None when it carried nothing)."""
        flow = self.flow
        norm = flow.edges.get(key) if flow is not None else None
        if norm is None:
            return None
        if key in flow.exploding:
            return QtGui.QColor(NONFINITE)
        if key in flow.vanishing or norm <= 0:
            return QtGui.QColor(VANISHING)
        low, high = flow.log_range()
        t = 1.0 if high <= low else (math.log10(norm) - low) / (high - low)
        return ramp(t)

    # ------------------------------------------------------------ painting
    def paint_over(self, painter, scene, rect, scale) -> None:
        if not scene.ids or scale < DETAIL_SCALE * 0.5:
            return
        if self.flow is not None:
            self._paint_flow(painter, scene, rect)
        marked = self.marked()
        if not marked:
            return
        marked = set(marked)
        graph = self.model.graph
        font = QtGui.QFont()
        font.setPointSizeF(6.5)
        font.setBold(True)
        painter.setFont(font)
        ids = scene.ids
        # the nodes in view (with room for a ring or a badge), found at once by NumPy: a
        # loop over thousands of marked nodes would cost a frame
        for i in scene._visible(rect.adjusted(-40, -20, 40, 20)).tolist():
            nid = ids[i]
            data = graph.nodes.get(nid) if nid in marked else None
            if data is None:
                continue
            mark = data.get("nonfinite")
            if mark:
                self._ring(painter, scene, i, NONFINITE if mark == "forward"
                           else NONFINITE_BACKWARD, 4.0 if data.get("nonfinite_origin") else 2.0)
                self._badge(painter, scene, i, "NaN origin" if data.get("nonfinite_origin")
                            else "NaN/Inf", NONFINITE, below=True)
            change = data.get("compare")
            if change:
                self._ring(painter, scene, i, COMPARE[change], 2.5, grow=7.0)
            if self.saved is not None and self.saved.get(nid):
                self._badge(painter, scene, i, format_bytes(self.saved[nid]), "#5f3dc4",
                            below=not mark)
            if self.flow is not None and nid in self.flow.dead:
                self._badge(painter, scene, i, f"dead {self.flow.dead[nid]:.0%}", "#495057",
                            below=False)
            if self.flow is not None and nid in self.flow.parameters:
                p = self.flow.parameters[nid]
                self._badge(painter, scene, i, f"|g| {p.grad_norm:.2g}  g/w {p.ratio:.2g}",
                            "#1c7ed6", below=True)

    @staticmethod
    def _ring(painter, scene, i, color, width, grow=4.0) -> None:
        painter.setPen(QtGui.QPen(QtGui.QColor(color), width))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QtCore.QRectF(scene.X[i] - scene.W[i] / 2 - grow,
                                              scene.Y[i] - scene.H[i] / 2 - grow,
                                              scene.W[i] + 2 * grow, scene.H[i] + 2 * grow),
                                8.0, 8.0)

    @staticmethod
    def _badge(painter, scene, i, text, color, below: bool) -> None:
        metrics = QtGui.QFontMetricsF(painter.font())
        w = metrics.horizontalAdvance(text) + 8
        y = scene.Y[i] + scene.H[i] / 2 - 6 if below else scene.Y[i] - scene.H[i] / 2 - 7
        box = QtCore.QRectF(scene.X[i] - w / 2, y, w, 13)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor(color))
        painter.drawRoundedRect(box, 6.5, 6.5)
        painter.setPen(QtGui.QColor("#ffffff"))
        painter.drawText(box, QtCore.Qt.AlignmentFlag.AlignCenter, text)

    def _flow_ends(self, scene):
        """(edge keys, their ends' indices in ``scene``), made once per flow and scene."""
        key = (self.flow, scene.index, len(scene.ids))
        if self._ends is None or any(a is not b for a, b in zip(self._ends[0][:2], key[:2],
                                                                strict=True)) or (
                self._ends[0][2] != key[2]):
            index = scene.index
            keys = [k for k in self.flow.edges if k[0] in index and k[1] in index]
            u = np.fromiter((index[k[0]] for k in keys), np.intp, len(keys))
            v = np.fromiter((index[k[1]] for k in keys), np.intp, len(keys))
            self._ends = (key, keys, u, v)
        return self._ends[1:]

    def _paint_flow(self, painter, scene, rect) -> None:
        keys, u, v = self._flow_ends(scene)
        x0, y0, x1, y1 = scene.edge_ends(u, v)  # top-down or left-right
        seen = np.flatnonzero((np.maximum(x0, x1) >= rect.left())
                              & (np.minimum(x0, x1) <= rect.right())
                              & (np.maximum(y0, y1) >= rect.top())
                              & (np.minimum(y0, y1) <= rect.bottom()))
        # as the graph draws them: of the edges passing through with neither end in view (a
        # parameter used at every step of a loop), a few per source
        seen = thin_through(seen, u, x0, y0, x1, y1, rect)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for j in seen.tolist():
            key = keys[j]
            x0j, y0j, x1j, y1j = float(x0[j]), float(y0[j]), float(x1[j]), float(y1[j])
            color = self.edge_color(key)
            pen = QtGui.QPen(color, 4.0 if key in self.flow.exploding else 3.0)
            if key in self.flow.vanishing:
                pen.setStyle(QtCore.Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawPath(scene.curve_path(x0j, y0j, x1j, y1j, end_gap=6.0))

    def paint_screen(self, painter, area: QtCore.QRectF) -> None:
        """The keys: the flow's colour scale (log10 |grad|) and what compare's rings mean,
        under the legend when it is on the left, else in the graph's bottom-left corner."""
        boxes = []
        if self.flow is not None and self.flow.edges:
            boxes.append((52, self._paint_scale))
        if self.compared:
            boxes.append((36, self._paint_compare_key))
        if not boxes:
            return
        font = QtGui.QFont()
        font.setPointSizeF(7.5)
        painter.setFont(font)
        if area.left() >= 200:  # the legend's strip is on the left: under it
            left, width = LEGEND_MARGIN, area.left() - 2 * LEGEND_MARGIN
            top = legend_size(1).height() + 2 * LEGEND_MARGIN + 6
        else:
            left, width = area.left() + 8, max(120.0, min(220.0, area.width() - 16))
            top = area.bottom() - 12 - sum(h + 6 for h, _ in boxes)
        for height, paint in boxes:
            box = QtCore.QRectF(left, top, width, height)
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(QtGui.QColor(255, 255, 255, 220))
            painter.drawRoundedRect(box, 6, 6)
            paint(painter, box)
            top += height + 6

    def _paint_scale(self, painter, box) -> None:
        low, high = self.flow.log_range()
        bar = QtCore.QRectF(box.left() + 10, box.top() + 20, box.width() - 20, 10)
        gradient = QtGui.QLinearGradient(bar.topLeft(), bar.topRight())
        for k in range(len(RAMP)):
            gradient.setColorAt(k / (len(RAMP) - 1), QtGui.QColor(RAMP[k]))
        painter.fillRect(bar, gradient)
        painter.setPen(QtGui.QColor("#1f2328"))
        painter.drawText(QtCore.QPointF(box.left() + 10, box.top() + 14),
                         "|grad| per edge, log scale" if box.width() < 200
                         else "|grad| along each edge (log scale)")
        metrics = QtGui.QFontMetricsF(painter.font())
        high_text = _norm_text(10 ** high)
        painter.drawText(QtCore.QPointF(bar.left(), bar.bottom() + 12), _norm_text(10 ** low))
        painter.drawText(QtCore.QPointF(bar.right() - metrics.horizontalAdvance(high_text),
                                        bar.bottom() + 12), high_text)
        if box.width() >= 200:
            painter.setPen(QtGui.QColor(NONFINITE))
            painter.drawText(QtCore.QPointF(bar.center().x() - 30, bar.bottom() + 12),
                             "red: exploding")

    def _paint_compare_key(self, painter, box) -> None:
        painter.setPen(QtGui.QColor("#1f2328"))
        painter.drawText(QtCore.QPointF(box.left() + 10, box.top() + 14),
                         "since the baseline")
        metrics = QtGui.QFontMetricsF(painter.font())
        x, y = box.left() + 10, box.top() + 22
        for word in ("added", "changed", "released"):
            painter.setPen(QtGui.QPen(QtGui.QColor(COMPARE[word]), 2.5))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QtCore.QRectF(x, y, 16, 9), 3, 3)
            painter.setPen(QtGui.QColor("#1f2328"))
            painter.drawText(QtCore.QPointF(x + 21, y + 8.5), word)
            x += 21 + metrics.horizontalAdvance(word) + 12
