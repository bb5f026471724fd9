"""The drawing of a ``GraphModel``: node boxes, arrows, badges, shared by view and render.

``GraphScene`` turns the model's graph and layered positions into plain geometry (NumPy
arrays of node centres and sizes, edge end points) and paints what lies inside a
rectangle, with less detail when zoomed out. It holds no model state of its own beyond
that geometry; ``GraphView`` and the headless ``render`` both paint through it.

    scene = GraphScene(LIGHT)
    scene.sync(model.graph, model.positions())
    scene.paint(painter, scene.bounds(), scale=1.0)

Positions are the layout's (``y`` the layer); ``scene.direction`` turns them on screen:
``"top-down"`` (layers are rows, edges leave a node's bottom for the next one's top) or
``"left-right"`` (layers are columns, edges leave a node's right side for the next one's
left). Edges are computed in the flow's frame (along the layers / across them) and turned
at the end, so both directions share one drawing code.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from gradviz.gui.edge_routes import RoutedEdges, polylines, routed_paths
from gradviz.gui.far_raster import far_image
from gradviz.gui.geometry import (
    clipped_beziers,
    clipped_curves,
    parallel_offsets,
    routed_pieces,
    thin_through,
)
from gradviz.gui.label_layer import LabelLayer, wrap_name
from gradviz.gui.theme import mix
from gradviz.session.array_summary import shape_text

SX, SY = 105.0, 46.0  # pixels per layout unit (the layout spaces unit-wide nodes 1.5 apart)
# left-right: pixels per layout unit across the layers (x: they are 2 units apart, room for
# the widest node) and along a layer (y: nodes 1.5 units apart, room for a tall one)
LR_SX, LR_SY = 90.0, 42.0
MAX_W = 148.0  # widest node box: keeps neighbours apart at the layout's minimum spacing
STYLES = ("function", "accumulate", "leaf", "plain", "output", "ghost", "group")
DETAIL_SCALE = 0.3  # below this zoom: flat boxes, straight edges, no text
LABEL_SCALE = 0.42  # below this zoom: boxes without their names
NEW, RELEASED, FREED, PINNED = 1, 2, 4, 8
AA_SEGMENTS = 1500  # more edge segments than this in view: no anti-aliasing
# zoomed out below DETAIL_SCALE over this many nodes (plus half the edges): one image painted
# with NumPy (``far_raster``), not a rectangle and a line per item
FAR_RASTER = 2000
LONG_EDGE = 8.0  # layout units: edges reaching further across the flow are drawn faint


def style_of(data: dict) -> str:
    """The visual class of a node: its colour and shape in the legend."""
    if data["kind"] == "function":
        return "accumulate" if data.get("name") == "AccumulateGrad" else "function"
    if data["kind"] == "group":  # a collapsed module group
        return "group"
    if data.get("ghost"):
        return "ghost"
    if data.get("role") == "output":
        return "output"
    return "leaf" if data.get("requires_grad") else "plain"


class GraphScene(RoutedEdges):
    """Geometry of the graph in pixels (node centres, sizes, edges) and its painting."""

    def __init__(self, theme):
        self.theme = theme
        self.labels = LabelLayer()
        self.ids: list[int] = []
        self.index: dict[int, int] = {}
        self._size: dict[int, tuple] = {}
        self.X = self.Y = self.W = self.H = np.zeros(0)
        self.style = self.flags = np.zeros(0, np.int8)
        self.executed = np.zeros(0, np.int32)
        self.eu = self.ev = np.zeros(0, np.int64)
        self.eoff = np.zeros(0)
        self._lines = self._far = None
        # bend points (pixels) of edges drawn through their virtual nodes: edge index ->
        # (xs, ys); _routed caches them flat for painting
        self.bends: dict[int, tuple] = {}
        self._routes_in = None  # the routes last given to set_routes
        self._routed = None
        self._new: set = set()  # nodes drawn as new: re-read when the next change comes
        self.extent: QtCore.QRectF | None = None  # what is drawn around nodes (clusters)
        self.direction = "top-down"  # or "left-right": how layout positions are turned
        self.set_theme(theme)

    # ------------------------------------------------------------ directions
    def to_pixels(self, x, y):
        """Scene pixels of layout position ``(x, y)`` (numbers or arrays)."""
        if self.direction == "left-right":
            return y * LR_SX, x * LR_SY
        return x * SX, y * SY

    def to_layout(self, px, py) -> tuple[float, float]:
        """The layout position of scene pixel ``(px, py)`` (a dragged node's pin)."""
        if self.direction == "left-right":
            return py / LR_SY, px / LR_SX
        return px / SX, py / SY

    def _flow(self, a, b, c, d):
        """(x0, y0, x1, y1) in the flow's frame (across, along) or back: swapped when
        left-right, unchanged top-down (the swap is its own inverse)."""
        return (b, a, d, c) if self.direction == "left-right" else (a, b, c, d)

    def _flow_rect(self, rect: QtCore.QRectF) -> QtCore.QRectF:
        if self.direction == "left-right":
            return QtCore.QRectF(rect.top(), rect.left(), rect.height(), rect.width())
        return rect

    def edge_ends(self, u, v, off=0.0):
        """Pixel end points ``(x0, y0, x1, y1)`` of edges from nodes ``u`` to ``v`` (scene
        indices, arrays or ints), ``off`` pixels apart across the flow (parallel edges):
        bottom to top, or right side to left side."""
        X, Y, W, H = self.X, self.Y, self.W, self.H
        if self.direction == "left-right":
            return X[u] + W[u] / 2, Y[u] + off, X[v] - W[v] / 2, Y[v] + off
        return X[u] + off, Y[u] + H[u] / 2, X[v] + off, Y[v] - H[v] / 2

    def curve_segments(self, x0, y0, x1, y1, rect: QtCore.QRectF, pieces: int = 16,
                       end_gap: float = 0.0) -> np.ndarray:
        """The edges' S-curves from ``(x0, y0)`` to ``(x1, y1)`` (pixels, arrays), stopping
        ``end_gap`` short of the end along the flow (room for a head), as ``pieces``
        segments each clipped to ``rect``: rows (ax, ay, bx, by) in pixels."""
        a0, b0, a1, b1 = self._flow(x0, y0, x1, y1)
        segs = clipped_curves(a0, b0, a1, b1 - end_gap, self._flow_rect(rect), pieces)
        return segs[:, [1, 0, 3, 2]] if self.direction == "left-right" else segs

    def curve_path(self, x0, y0, x1, y1, end_gap: float = 0.0) -> QtGui.QPainterPath:
        """One edge's curve as a path (SVG, overlays), as ``curve_segments`` draws it."""
        a0, b0, a1, b1 = self._flow(x0, y0, x1, y1)
        path = _edge_path(a0, b0, a1, b1 - end_gap)
        return _SWAP.map(path) if self.direction == "left-right" else path

    def arrow_heads(self, xs, ys, size: float = 4.0, back: bool = False) -> QtGui.QPainterPath:
        """Filled heads with their tips at pixel points ``(xs, ys)``, pointing along the
        flow (``back``: against it, at an edge's start)."""
        heads = QtGui.QPainterPath()
        heads.setFillRule(QtCore.Qt.FillRule.WindingFill)
        length = 1.75 * size * (-1 if back else 1)
        lr = self.direction == "left-right"
        for x, y in zip(list(xs), list(ys)):
            a, b = (y, x) if lr else (x, y)
            tri = ((a, b), (a - size, b - length), (a + size, b - length))
            heads.addPolygon(QtGui.QPolygonF([QtCore.QPointF(q, p) if lr else QtCore.QPointF(p, q)
                                              for p, q in tri]))
        return heads

    # ------------------------------------------------------------ building
    def set_theme(self, theme) -> None:
        self.theme = theme
        self._far = None  # (key, image, pixels) of the last far-away frame
        c = QtGui.QColor
        fills = {"function": theme.function, "accumulate": theme.accumulate, "leaf": theme.leaf,
                 "plain": theme.plain, "output": theme.output, "ghost": theme.background,
                 "group": mix(theme.accumulate, theme.background, 0.35)}
        borders = {"function": theme.function_border, "accumulate": theme.accumulate_border,
                   "leaf": theme.leaf_border, "plain": theme.plain_border,
                   "output": theme.output_border, "ghost": theme.ghost_border,
                   "group": theme.accumulate_border}
        self._brushes = [QtGui.QBrush(c(fills[s])) for s in STYLES]
        self._pens = []
        for s in STYLES:
            pen = QtGui.QPen(c(borders[s]), 1.2)
            if s == "ghost":
                pen.setStyle(QtCore.Qt.PenStyle.DashLine)
            if s == "group":
                pen.setWidthF(2.2)
            self._pens.append(pen)
        self._edge_pen = QtGui.QPen(c(theme.edge), 1.1)
        self._edge_brush = QtGui.QBrush(c(theme.edge))

    def _visual(self, nid: int, data: dict) -> tuple:
        """Lay out one node's text; returns its box (width, height)."""
        if data["kind"] == "function":
            title = wrap_name(data.get("name", "?"), self.labels.title_metrics, MAX_W - 18)
            w, h = self.labels.set(nid, title, shape_text(data.get("shape")))
            return min(MAX_W, max(92.0, w + 20)), h + 12
        if data["kind"] == "group":  # "net.3" over "Block · 14 nodes"
            title, sub = self._group_text(data, MAX_W - 20)
            w, h = self.labels.set(nid, title, sub, bold=True)
            return min(MAX_W, max(92.0, w + 20)), h + 14
        name = data.get("name") or data.get("label") or data.get("role", "tensor")
        w, h = self.labels.set(nid, [name], shape_text(data.get("shape")), bold=True)
        return min(MAX_W, max(58.0, w + 30)), h + 10

    def _group_text(self, data: dict, width: float) -> tuple[list[str], str]:
        """A collapsed group's text within ``width``: its path, broken after a dot when
        too long (``model.encoder.`` over ``layers.0``), over its class and node count
        (``Block · 19 nodes``; when too long ``Linear(8→10) · 6``, then the class alone,
        ``Sequential(12 × Block)`` or ``Sequential(12×Block)``, then cut short,
        ``TransformerEncoderL…``: the module's class says more than its count, which the
        tooltip and the inspector give)."""
        font = QtGui.QFont(self.labels.title_font)
        font.setBold(True)
        bold = QtGui.QFontMetricsF(font)
        lines: list[str] = []
        for part in str(data.get("path", "?")).split("."):
            if lines and bold.horizontalAdvance(f"{lines[-1]}.{part}") <= width:
                lines[-1] += "." + part
            else:
                if lines:
                    lines[-1] += "."
                lines.append(part)
        n = data.get("count", 0)
        summary = str(data.get("label", "")).split(" · ", 1)[-1]
        metrics = self.labels.sub_metrics
        for count in (f" · {n} node{'s' if n != 1 else ''}", f" · {n}", ""):
            if metrics.horizontalAdvance(summary + count) <= width:
                return lines, summary + count
        summary = summary.replace(" × ", "×")
        return lines, metrics.elidedText(summary, QtCore.Qt.TextElideMode.ElideRight, width)

    def sync(self, graph, positions: dict, changed=None, pinned=(), routes=None) -> None:
        """Rebuild the geometry from ``graph`` and ``positions`` (layout units).

        ``changed``: node ids whose attributes changed (their text is laid out again);
        None lays out every node. When nodes were only added and the others kept their
        places, the arrays are extended rather than rebuilt. ``routes``: ``{(u, v): [(x, y),
        ...]}`` bend points (layout units) of the edges drawn through them (see
        ``layout.layered``); None keeps those of the edges still drawn.
        """
        if changed is not None and self._append(graph, positions, changed, pinned):
            # (the old edges keep their indices: unchanged routes need no new look-up)
            if routes is not None and routes != self._routes_in:
                self.set_routes(routes)
            return
        kept = None if routes is not None else {
            (self.ids[self.eu[e]], self.ids[self.ev[e]]): b for e, b in self.bends.items()}
        for nid in list(self._size):
            if nid not in graph:
                del self._size[nid]
                self.labels.discard(nid)
        ids = list(graph.nodes)
        n = len(ids)
        X, Y, W, H = (np.empty(n) for _ in range(4))
        style = np.empty(n, np.int8)
        flags = np.zeros(n, np.int8)
        executed = np.zeros(n, np.int32)
        nodes = graph.nodes
        for i, nid in enumerate(ids):
            data = nodes[nid]
            if changed is None or nid in changed or nid not in self._size:
                self._size[nid] = self._visual(nid, data)
            W[i], H[i] = self._size[nid]
            X[i], Y[i] = self.to_pixels(*positions.get(nid, (0.0, 0.0)))
            style[i], flags[i], executed[i] = _row(nid, data, pinned)
        self.ids, self.index = ids, {nid: i for i, nid in enumerate(ids)}
        self.X, self.Y, self.W, self.H = X, Y, W, H
        self.style, self.flags, self.executed = style, flags, executed
        index = self.index
        pairs = [(index[u], index[v]) for u, v in graph.edges()]
        self._set_edges(np.fromiter((p[0] for p in pairs), np.int64, len(pairs)),
                        np.fromiter((p[1] for p in pairs), np.int64, len(pairs)))
        self._new = {ids[i] for i in np.flatnonzero(flags & NEW)}
        if routes is not None:
            self.set_routes(routes)
        elif kept:
            self._take_bends(kept, pixels=True)

    def _set_edges(self, eu, ev) -> None:
        self.eu, self.ev, self.eoff = eu, ev, parallel_offsets(eu, ev)
        self._lines = self._far = self._routed = None

    def _append(self, graph, positions, changed, pinned) -> bool:
        """Extend the arrays with the new nodes and edges; False when that is not enough."""
        index, old = self.index, len(self.ids)
        new = [n for n in graph.nodes if n not in index]
        if old + len(new) != graph.number_of_nodes():
            return False  # nodes were removed
        kept = np.array([positions.get(n, (np.nan, np.nan)) for n in self.ids]).reshape(-1, 2)
        kx, ky = self.to_pixels(kept[:, 0], kept[:, 1])
        if not (np.array_equal(kx, self.X) and np.array_equal(ky, self.Y)):
            return False  # the layout moved existing nodes
        fresh = set(new)
        edges = [e for n in new for e in graph.in_edges(n)]
        edges += [e for n in new for e in graph.out_edges(n) if e[1] not in fresh]
        touched = [index[n] for n in changed if n in index]
        if touched:  # in-place ops and detach_() rewire existing nodes: then rebuild
            ends = np.concatenate((self.eu, self.ev))
            grown = {}
            for u, v in edges:
                grown[u] = grown.get(u, 0) + 1
                grown[v] = grown.get(v, 0) + 1
            for i in touched:
                nid = self.ids[i]
                if graph.degree(nid) != np.count_nonzero(ends == i) + grown.get(nid, 0):
                    return False
        nodes = graph.nodes
        k = len(new)
        ids = self.ids + new
        self.ids = ids
        for i, nid in enumerate(new, old):
            index[nid] = i
        self.X = np.concatenate((self.X, np.empty(k)))
        self.Y = np.concatenate((self.Y, np.empty(k)))
        self.W = np.concatenate((self.W, np.empty(k)))
        self.H = np.concatenate((self.H, np.empty(k)))
        self.style = np.concatenate((self.style, np.zeros(k, np.int8)))
        self.flags = np.concatenate((self.flags, np.zeros(k, np.int8)))
        self.executed = np.concatenate((self.executed, np.zeros(k, np.int32)))
        for nid in fresh | ((set(changed) | self._new) & set(index)):
            i, data = index[nid], nodes[nid]
            if nid in fresh or nid in changed:
                self._size[nid] = self._visual(nid, data)
                self.X[i], self.Y[i] = self.to_pixels(*positions.get(nid, (0.0, 0.0)))
                self.W[i], self.H[i] = self._size[nid]
            self.style[i], self.flags[i], self.executed[i] = _row(nid, data, pinned)
        self._new = {n for n in fresh | self._new if n in index and nodes[n].get("new")}
        self._set_edges(np.concatenate((self.eu, [index[u] for u, _ in edges])).astype(np.int64),
                        np.concatenate((self.ev, [index[v] for _, v in edges])).astype(np.int64))
        return True

    def move(self, nid: int, x: float, y: float) -> None:
        """Move node ``nid``'s centre to pixel position ``(x, y)`` (while it is dragged)."""
        i = self.index[nid]
        self.X[i], self.Y[i] = x, y
        self._lines = self._far = self._routed = None
        for e in np.flatnonzero((self.eu == i) | (self.ev == i)).tolist():
            self.bends.pop(e, None)  # its edges are drawn from end to end again

    def set_pinned(self, pinned) -> None:
        self.flags &= ~PINNED
        for nid in pinned:
            if nid in self.index:
                self.flags[self.index[nid]] |= PINNED

    # ------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self.ids)

    def bounds(self, margin: float = 24.0) -> QtCore.QRectF:
        if not self.ids:
            return QtCore.QRectF(-200, -150, 400, 300)
        left = float((self.X - self.W / 2).min()) - margin
        top = float((self.Y - self.H / 2).min()) - margin
        right = float((self.X + self.W / 2).max()) + margin
        bottom = float((self.Y + self.H / 2).max()) + margin
        r = QtCore.QRectF(left, top, right - left, bottom - top)
        if self.extent is not None:  # drawn around the nodes (module group boxes)
            r = r.united(self.extent.adjusted(-margin, -margin, margin, margin))
        return r

    def node_at(self, x: float, y: float):
        """The id of the node under pixel point ``(x, y)``, or None."""
        if not self.ids:
            return None
        hit = np.flatnonzero((np.abs(self.X - x) <= self.W / 2)
                             & (np.abs(self.Y - y) <= self.H / 2))
        return self.ids[int(hit[-1])] if hit.size else None

    def rect(self, nid: int) -> QtCore.QRectF:
        i = self.index[nid]
        return QtCore.QRectF(self.X[i] - self.W[i] / 2, self.Y[i] - self.H[i] / 2,
                             self.W[i], self.H[i])

    def _visible(self, rect: QtCore.QRectF):
        return np.flatnonzero((self.X + self.W / 2 >= rect.left())
                              & (self.X - self.W / 2 <= rect.right())
                              & (self.Y + self.H / 2 >= rect.top())
                              & (self.Y - self.H / 2 <= rect.bottom()))

    def _edge_ends(self):
        return self.edge_ends(self.eu, self.ev, self.eoff)

    # ------------------------------------------------------------ painting
    def paint(self, painter: QtGui.QPainter, rect: QtCore.QRectF, scale: float,
              selected=None, highlight=(), show_new: bool = True, vector: bool = False) -> None:
        """Paint what lies in ``rect`` (pixels) as seen at zoom ``scale``.

        ``selected``: the selected node id; ``highlight``: ids found by a search;
        ``vector``: for SVG, each edge one path (a line or a Bézier curve), not segments.
        """
        if not self.ids:
            return
        detail = scale >= DETAIL_SCALE
        vis = self._visible(rect)
        if not detail and not vector and vis.size + self.eu.size // 2 >= FAR_RASTER:
            device = painter.device()
            ratio = device.devicePixelRatioF() if device is not None else 1.0
            key = (rect.getRect(), scale, ratio)
            if self._far is None or self._far[0] != key:  # (a repaint of the same frame
                self._far = (key, *far_image(self, rect, scale, ratio))  # reuses it)
            painter.drawImage(rect, self._far[1])
            self._paint_flat_selected(painter, selected)
            return
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, detail)
        self._paint_edges(painter, rect, detail, selected, scale, vector)
        if detail:
            self._paint_nodes(painter, vis, selected, highlight, show_new)
            if scale >= LABEL_SCALE:
                X, Y, F = self.X, self.Y, self.flags
                self.labels.paint(painter, [(self.ids[i], X[i], Y[i], bool(F[i] & RELEASED))
                                            for i in vis.tolist()], self.theme)
        else:
            self._paint_flat(painter, vis, selected, scale)

    def _paint_edges(self, painter, rect, detail, selected, scale, vector=False) -> None:
        if not self.eu.size:
            return
        x0, y0, x1, y1 = self._edge_ends()
        routed = np.zeros(self.eu.size, bool)
        if self.bends:
            es, counts, bx, by, (lo_x, hi_x, lo_y, hi_y) = self._routed_edges()
            routed[es] = True
            vis = np.flatnonzero((np.maximum(np.maximum(x0, x1), hi_x) >= rect.left())
                                 & (np.minimum(np.minimum(x0, x1), lo_x) <= rect.right())
                                 & (np.maximum(np.maximum(y0, y1), hi_y) >= rect.top())
                                 & (np.minimum(np.minimum(y0, y1), lo_y) <= rect.bottom()))
        else:
            vis = np.flatnonzero((np.maximum(x0, x1) >= rect.left())
                                 & (np.minimum(x0, x1) <= rect.right())
                                 & (np.maximum(y0, y1) >= rect.top())
                                 & (np.minimum(y0, y1) <= rect.bottom()))
        if not vis.size:
            return
        sel = self.index.get(selected, -2)
        if not detail:
            if self._lines is None:
                per_edge = polylines(x0, y0, x1, y1, routed, self.bends)
                self._lines = (per_edge, [seg for segs in per_edge for seg in segs])
            painter.setPen(self._edge_pen)
            lines, every = self._lines
            if vis.size == len(lines):  # (the whole graph in view: one list, kept)
                painter.drawLines(every)
            elif not self.bends:
                painter.drawLines([lines[i][0] for i in vis.tolist()])
            else:
                painter.drawLines([seg for i in vis.tolist() for seg in lines[i]])
            return
        # Curves are flattened and clipped to the view here: stroking whole curves that reach
        # far outside it (a parameter feeding every step of a loop) costs Qt ~1 s a frame.
        # From here on x is across the flow and y along it (turned back when drawn).
        x0, y0, x1, y1 = self._flow(x0, y0, x1, y1)
        rect = self._flow_rect(rect)
        lr = self.direction == "left-right"
        vis = thin_through(vis, self.eu, x0, y0, x1, y1, rect)
        on_sel = (self.eu[vis] == sel) | (self.ev[vis] == sel)
        reach = LONG_EDGE * (LR_SY if lr else SX)
        long = np.abs(x1[vis] - x0[vis]) > reach  # faint, so they do not hide the rest
        long &= ~routed[vis]  # (a routed edge goes round, between the nodes: drawn plainly)
        faint = mix(self.theme.edge, self.theme.background, 0.3)  # opaque: drawn faster
        for group, color, width, pieces in ((vis[~on_sel & long], faint, 1.0, 6),
                                            (vis[~on_sel & ~long], self.theme.edge, 1.1, 16),
                                            (vis[on_sel], self.theme.selected, 2.0, 16)):
            if not group.size:
                continue
            top = y1[group] - 6.0
            bent = routed[group]
            plain = ~bent
            painter.setPen(QtGui.QPen(QtGui.QColor(color), width))
            if bent.any():
                r = group[bent]
                c, fx, fy = self._bends_of(r)
                which, *curves = routed_pieces(x0[r], y0[r], x1[r], top[bent], fx, fy, c)
            if vector:
                painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
                for a, b, c_, d in zip(x0[group][plain].tolist(), y0[group][plain].tolist(),
                                       x1[group][plain].tolist(), top[plain].tolist()):
                    path = _edge_path(a, b, c_, d)
                    painter.drawPath(_SWAP.map(path) if lr else path)
                if bent.any():
                    for path in routed_paths(which, *curves):
                        painter.drawPath(_SWAP.map(path) if lr else path)
            else:
                straight = plain & (np.abs(x1[group] - x0[group]) < 0.5)  # one segment: exact
                curved = plain & ~straight
                view = rect.adjusted(-8, -8, 8, 8)
                parts = [
                    clipped_curves(x0[group][straight], y0[group][straight],
                                   x1[group][straight], top[straight], view, 1),
                    clipped_curves(x0[group][curved], y0[group][curved],
                                   x1[group][curved], top[curved], view, pieces)]
                if bent.any():
                    parts.append(clipped_beziers(*curves, view, max(4, pieces // 2)))
                segs = np.concatenate(parts)
                # thousands of anti-aliased segments cost more than a frame: draw them plainly
                painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing,
                                      len(segs) < AA_SEGMENTS)
                if lr:
                    segs = segs[:, [1, 0, 3, 2]]
                painter.drawLines([QtCore.QLineF(*s) for s in segs.tolist()])
                painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
            inside = ((x1[group] >= rect.left()) & (x1[group] <= rect.right())
                      & (y1[group] >= rect.top()) & (top <= rect.bottom()))
            tips = (x1[group][inside].tolist(), y1[group][inside].tolist())
            painter.fillPath(self.arrow_heads(*(tips[::-1] if lr else tips)), QtGui.QColor(color))

    def _paint_nodes(self, painter, vis, selected, highlight, show_new) -> None:
        X, Y, W, H, S, F = self.X, self.Y, self.W, self.H, self.style, self.flags
        new = vis[(F[vis] & NEW) != 0]
        if new.size and show_new:  # a soft halo around what the latest statement created
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            halo = QtGui.QColor(self.theme.new)
            halo.setAlpha(150)
            painter.setBrush(halo)
            for i in new.tolist():
                painter.drawRoundedRect(QtCore.QRectF(X[i] - W[i] / 2 - 5, Y[i] - H[i] / 2 - 5,
                                                      W[i] + 10, H[i] + 10), 10, 10)
        for code in range(len(STYLES)):
            group = vis[S[vis] == code]
            if not group.size:
                continue
            painter.setPen(self._pens[code])
            painter.setBrush(self._brushes[code])
            pill = 2 <= code <= 5  # tensors are pills, grad_fn nodes and groups rounded boxes
            if STYLES[code] == "group":  # a collapsed module group: a stack of cards
                for i in group.tolist():
                    painter.drawRoundedRect(QtCore.QRectF(X[i] - W[i] / 2 + 5, Y[i] - H[i] / 2 + 5,
                                                          W[i], H[i]), 6.0, 6.0)
            for i in group.tolist():
                faded = F[i] & RELEASED
                if faded:
                    painter.setOpacity(0.35)
                r = H[i] / 2 if pill else 6.0
                painter.drawRoundedRect(QtCore.QRectF(X[i] - W[i] / 2, Y[i] - H[i] / 2,
                                                      W[i], H[i]), r, r)
                if faded:
                    painter.setOpacity(1.0)
        self._paint_badges(painter, vis)
        marks = [(i, self.theme.selected, 2.6) for i in vis.tolist() if self.ids[i] == selected]
        marks += [(self.index[n], self.theme.found, 2.4) for n in highlight
                  if n in self.index and n != selected]
        for i, color, width in marks:
            painter.setPen(QtGui.QPen(QtGui.QColor(color), width))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            r = H[i] / 2 + 3 if S[i] >= 2 else 8.0
            painter.drawRoundedRect(QtCore.QRectF(X[i] - W[i] / 2 - 3, Y[i] - H[i] / 2 - 3,
                                                  W[i] + 6, H[i] + 6), r, r)

    def _paint_badges(self, painter, vis) -> None:
        """Small marks on a node's corners: saved tensors freed, backward order, pinned."""
        X, Y, W, H, F, E = self.X, self.Y, self.W, self.H, self.flags, self.executed
        font = QtGui.QFont(self.labels.sub_font)
        font.setPointSizeF(6.5)
        font.setBold(True)
        painter.setFont(font)
        white = QtGui.QColor("#ffffff")
        for i in vis[((F[vis] & (FREED | PINNED)) != 0) | (E[vis] > 0)].tolist():
            right, top = X[i] + W[i] / 2, Y[i] - H[i] / 2
            if F[i] & FREED:
                box = QtCore.QRectF(right - 30, top - 7, 34, 13)
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(QtGui.QColor(self.theme.freed))
                painter.drawRoundedRect(box, 6.5, 6.5)
                painter.setPen(white)
                painter.drawText(box, QtCore.Qt.AlignmentFlag.AlignCenter, "freed")
            if E[i] > 0:
                box = QtCore.QRectF(X[i] - W[i] / 2 - 6, top - 7, 18, 14)
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(QtGui.QColor(self.theme.executed))
                painter.drawEllipse(box)
                painter.setPen(white)
                painter.drawText(box, QtCore.Qt.AlignmentFlag.AlignCenter, str(int(E[i])))
            if F[i] & PINNED:
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(QtGui.QColor(self.theme.muted))
                painter.drawEllipse(QtCore.QPointF(right - 4, Y[i] + H[i] / 2 - 4), 2.5, 2.5)

    def _paint_flat(self, painter, vis, selected, scale) -> None:
        """Zoomed far out: one plain rectangle per node (at least 3 pixels), by style."""
        X, Y, S = self.X, self.Y, self.style
        W, H = np.maximum(self.W, 3.0 / scale), np.maximum(self.H, 3.0 / scale)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        for code in range(len(STYLES)):
            group = vis[S[vis] == code]
            if not group.size:
                continue
            painter.setBrush(self._pens[code].color() if code == 5 else self._brushes[code])
            painter.drawRects([QtCore.QRectF(X[i] - W[i] / 2, Y[i] - H[i] / 2, W[i], H[i])
                               for i in group.tolist()])
        self._paint_flat_selected(painter, selected)

    def _paint_flat_selected(self, painter, selected) -> None:
        if selected in self.index:
            painter.setPen(QtGui.QPen(QtGui.QColor(self.theme.selected), 0))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawRect(self.rect(selected).adjusted(-4, -4, 4, 4))


_SWAP = QtGui.QTransform(0, 1, 1, 0, 0, 0)  # (x, y) -> (y, x): the flow's frame to left-right


def _edge_path(x0, y0, x1, y1) -> QtGui.QPainterPath:
    """One edge as ``clipped_curves`` draws it: straight down, or a vertical S-curve."""
    path = QtGui.QPainterPath(QtCore.QPointF(x0, y0))
    if abs(x1 - x0) < 0.5:
        path.lineTo(x1, y1)
    else:
        bend = max(18.0, abs(y1 - y0) / 2)
        path.cubicTo(x0, y0 + bend, x1, y1 - bend, x1, y1)
    return path


def _row(nid, data, pinned) -> tuple[int, int, int]:
    """A node's style code, flag bits and backward order, from its model attributes."""
    flags = ((NEW if data.get("new") else 0)
             | (RELEASED if data.get("released") else 0)
             | (FREED if data.get("freed") and data.get("saved") else 0)
             | (PINNED if nid in pinned else 0))
    return STYLES.index(style_of(data)), flags, data.get("executed") or 0
