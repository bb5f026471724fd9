"""Module groups drawn as labelled clusters: a rounded box around each expanded group.

    clusters = Clusters()
    clusters.update(model, scene)          # after every scene.sync
    clusters.paint(painter, scale, theme)  # under the edges and nodes
    clusters.at(QtCore.QPointF(x, y))      # "net.3": the innermost box there

A box holds the nodes made in that module's forward and the boxes (or collapsed group
nodes) of its submodules, padded, with ``net.0 · Linear(4→16)`` in a band along its top.
Collapsed groups are nodes of the graph (``"group:<path>"``), not boxes.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from gradviz.gui.graph_drawing import LR_SX, LR_SY, MAX_W, SX, SY
from gradviz.gui.theme import mix
from gradviz.model.groups_view import GROUP_PREFIX, depth_of, parent_path
from gradviz.model.layout import layered

PAD = 10.0  # around what a box holds
BAND = 20.0  # the label band along a box's top
LABEL_MIN_PX = 7.0  # a box's label is painted only when this tall on screen or more


class Clusters:
    """The boxes of the expanded module groups, in scene pixels."""

    def __init__(self):
        self.boxes: dict[str, QtCore.QRectF] = {}
        self.labels: dict[str, str] = {}
        self._font = QtGui.QFont("DejaVu Sans")
        self._font.setPointSizeF(9.0)
        self._font.setBold(True)

    def update(self, model, scene) -> None:
        """Recompute the boxes from the model's groups and the scene's node geometry."""
        graph = model.shown_graph()
        inner: dict[str, QtCore.QRectF] = {}  # path -> union of what it holds directly
        for nid in scene.ids:
            data = graph.nodes[nid]
            path = parent_path(data["path"]) if data["kind"] == "group" else data.get("module")
            if path is None:
                continue
            r = scene.rect(nid)
            inner[path] = inner[path].united(r) if path in inner else r
        paths = set(inner)
        for path in list(paths):
            while (path := parent_path(path)) is not None:
                paths.add(path)
        boxes: dict[str, QtCore.QRectF] = {}
        for path in sorted(paths, key=depth_of, reverse=True):  # submodules first
            r = inner.get(path)
            if r is None:
                continue
            boxes[path] = box = r.adjusted(-PAD, -PAD - BAND, PAD, PAD)
            parent = parent_path(path)
            if parent is not None:
                inner[parent] = inner[parent].united(box) if parent in inner else box
        self.boxes = boxes
        metrics = QtGui.QFontMetricsF(self._font)
        self.labels = {p: _fitted(model.group_label(p), p, boxes[p].width() - 16, metrics)
                       for p in boxes}
        extent = None
        for box in boxes.values():
            extent = box if extent is None else extent.united(box)
        scene.extent = extent

    def at(self, point: QtCore.QPointF) -> str | None:
        """The innermost group whose box contains ``point`` (scene pixels)."""
        hits = [p for p, r in self.boxes.items() if r.contains(point)]
        return max(hits, key=depth_of) if hits else None

    def paint(self, painter: QtGui.QPainter, world: QtCore.QRectF, scale: float, theme) -> None:
        if not self.boxes:
            return
        painter.save()
        border = mix(theme.accumulate_border, theme.background, 0.55)
        text = QtGui.QColor(theme.muted)
        label = scale * BAND * 0.6 >= LABEL_MIN_PX
        painter.setFont(self._font)
        for path in sorted(self.boxes, key=depth_of):  # outer boxes first
            r = self.boxes[path]
            if not r.intersects(world):
                continue
            fill = mix(theme.accumulate, theme.background, 0.12 + 0.06 * min(depth_of(path), 4))
            painter.setPen(QtGui.QPen(border, 1.2 / max(scale, 0.2)))
            painter.setBrush(fill)
            painter.drawRoundedRect(r, 12.0, 12.0)
            if label:
                painter.setPen(text)
                painter.drawText(r.adjusted(8, 3, -8, 0), QtCore.Qt.AlignmentFlag.AlignLeft
                                 | QtCore.Qt.AlignmentFlag.AlignTop, self.labels.get(path, path))
        painter.restore()


def _fitted(label: str, path: str, width: float, metrics: QtGui.QFontMetricsF) -> str:
    """The label if it fits ``width``, else the group's path alone (``net.pool#2``: the
    summary after it goes first), elided at the end when even that is too long."""
    if metrics.horizontalAdvance(label) <= width:
        return label
    return metrics.elidedText(path, QtCore.Qt.TextElideMode.ElideRight, max(width, 0.0))


def group_path(nid) -> str | None:
    """``"net.3"`` for a collapsed group's node id, None for any other node."""
    return nid[len(GROUP_PREFIX):] if isinstance(nid, str) and nid.startswith(GROUP_PREFIX) \
        else None


READABLE_FIT = 0.7  # a graph opens collapsed unless the whole of it reads at this zoom


def fits_readably(graph, area: QtCore.QRectF, min_scale: float = READABLE_FIT,
                  direction: str = "top-down") -> bool:
    """Whether ``graph`` laid out fits ``area`` (screen pixels) at ``min_scale`` or more,
    drawn in ``direction``: how ``open_collapsed`` decides how deep a big graph opens."""
    if graph.number_of_nodes() > 3000:
        return False
    if not graph.number_of_nodes():
        return True
    pos = layered(graph)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    if direction == "left-right":  # layers are columns
        xs, ys = [y * LR_SX / SX for y in ys], [x * LR_SY / SY for x in xs]
    width = (max(xs) - min(xs)) * SX + MAX_W + 2 * 24 + 40  # nodes, margins, group boxes
    height = (max(ys) - min(ys)) * SY + 60 + 2 * 24 + 40
    return min(area.width() / width, area.height() / height) >= min_scale
