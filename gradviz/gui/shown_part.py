"""What part of the graph ``GraphView`` draws, and the dashed links of ``detach()``.

    view.drawn()                      # what the frame draws, and which labels read
    {'nodes': [3, 4, 7, ...], 'labels': [3, 4, 7, ...]}

    view.show_only(nid, "feeds")     # only what feeds node nid (its inputs, all the way up)
    view.show_only(nid, "fed")       # only what is computed from it
    view.show_all()                   # back to the whole graph (Esc does it too)
    view.hide_constants = True        # the tutorial's x and y leave the picture
    view.hide_released = True         # so do nodes whose object is gone

Hidden nodes keep their places in the layout (positions are the whole graph's), so
showing the whole graph again moves nothing. ``ShownPart`` is mixed into ``GraphView``.
"""

from __future__ import annotations

import networkx as nx
from PySide6 import QtCore, QtGui

from gradviz.gui.graph_drawing import DETAIL_SCALE, LABEL_SCALE

LEGIBLE_PX = 8.0  # a label drawn this tall on screen (its font's pixel size) or more reads


class ShownPart:
    """Mixed into ``GraphView``: the shown subgraph and the detach() links."""

    def label_px(self) -> float:
        """The on-screen pixel size of node names at the current zoom (0 when not drawn)."""
        if self._scale < LABEL_SCALE or self._scale < DETAIL_SCALE:
            return 0.0
        return QtGui.QFontInfo(self.scene.labels.title_font).pixelSize() * self._scale

    def drawn(self) -> dict:
        """What the current frame draws: ``{"nodes": [...], "labels": [...]}``, the ids of
        the items in view (nodes, or a collapsed group's id) and those whose label is
        drawn at ``LEGIBLE_PX`` (8 px) or more on screen.

            app.view.fit(); d = app.view.drawn()
            set(d["labels"]) == set(d["nodes"])     # every drawn name reads
            True
        """
        if not len(self.scene):
            return {"nodes": [], "labels": []}
        ids = self.scene.ids
        nodes = [ids[i] for i in self.scene._visible(self.visible_world()).tolist()]
        legible = self.label_px() >= LEGIBLE_PX
        return {"nodes": nodes, "labels": list(nodes) if legible else []}

    def shown_graph(self):
        """The part of the model's graph drawn: all of it, or what ``show_only`` and the
        hide settings leave (a networkx subgraph view; positions stay the whole graph's)."""
        g = self.model.shown_graph()  # collapsed module groups as one node each
        if self._focus is None and not (self._hide_constants or self._hide_released):
            return g
        if self._focus is not None:
            nid, direction = self._focus
            keep = nx.ancestors(g, nid) if direction == "feeds" else nx.descendants(g, nid)
            keep.add(nid)
        else:
            keep = set(g.nodes)
        nodes = g.nodes
        if self._hide_constants:
            keep = {n for n in keep if not nodes[n].get("ghost")}
        if self._hide_released:
            keep = {n for n in keep if not nodes[n].get("released")}
        return g.subgraph(keep)

    def show_only(self, nid, direction: str = "feeds") -> None:
        """Show only what feeds node ``nid`` (``"feeds"``: its inputs, all the way up) or
        what it feeds (``"fed"``: everything computed from it), fitted; ``show_all`` (or
        Esc) brings the whole graph back."""
        if direction not in ("feeds", "fed"):
            raise ValueError(f"direction must be 'feeds' or 'fed', not {direction!r}")
        if nid not in self.model.graph:
            return
        self._focus = (nid, direction)
        self._reshow()

    def show_all(self) -> None:
        """Undo ``show_only``: the whole graph (less what the hide settings hide)."""
        if self._focus is not None:
            self._focus = None
            self._reshow()

    @property
    def focus(self):
        """``(node id, "feeds" | "fed")`` while ``show_only`` is in effect, else None."""
        return self._focus

    @property
    def hide_constants(self) -> bool:
        return self._hide_constants

    @hide_constants.setter
    def hide_constants(self, on: bool) -> None:
        """Hide the constants autograd did not record (the tutorial's ``x``)."""
        self._hide_constants = bool(on)
        self._reshow()

    @property
    def hide_released(self) -> bool:
        return self._hide_released

    @hide_released.setter
    def hide_released(self, on: bool) -> None:
        """Hide nodes whose tensor or grad_fn is gone (drawn faded otherwise)."""
        self._hide_released = bool(on)
        self._reshow()

    def _reshow(self) -> None:
        self.refresh()
        self.fit()

    def _note_detached(self, changed) -> None:
        """Keep ``_detached`` (the dashed links) in step with the graph."""
        nodes = self.model.graph.nodes
        if changed is None:
            self._detached = {n: d["detached_from"] for n, d in nodes(data=True)
                              if d.get("detached_from") is not None}
            return
        for n in changed:
            if n in nodes and nodes[n].get("detached_from") is not None:
                self._detached[n] = nodes[n]["detached_from"]
        for n in [n for n in self._detached if n not in nodes]:  # removed since
            del self._detached[n]

    def detached_links(self) -> list[tuple[int, int]]:
        """``(source, detach() result)`` pairs drawn as dashed links (both ends shown)."""
        index = self.scene.index
        return [(src, n) for n, src in self._detached.items() if n in index and src in index]

    def _paint_detached(self, painter) -> None:
        """A dashed line from each shown ``detach()`` result to the tensor it came from."""
        links = self.detached_links()
        if not links:
            return
        pen = QtGui.QPen(QtGui.QColor(self.scene.theme.muted), 1.3 / max(self._scale, 0.05))
        pen.setStyle(QtCore.Qt.PenStyle.DashLine)
        painter.setPen(pen)
        for src, nid in links:
            a, b = self.scene.rect(src), self.scene.rect(nid)
            painter.drawLine(_border_point(a, b.center()), _border_point(b, a.center()))

    def focus_note(self) -> str:
        """The line shown while ``show_only`` is in effect ("" otherwise)."""
        if self._focus is None:
            return ""
        nid, direction = self._focus
        data = self.model.graph.nodes[nid]
        name = data.get("name") or data.get("label") or str(nid)
        what = "what feeds" if direction == "feeds" else "what is computed from"
        return f"Showing only {what} {name}  ·  Esc: the whole graph"

    def _paint_focus_note(self, painter) -> None:
        theme, area = self.scene.theme, self.graph_rect()
        text = self.focus_note()
        metrics = painter.fontMetrics()
        box = QtCore.QRectF(area.left() + 8, area.top() + 8,
                            metrics.horizontalAdvance(text) + 16, metrics.height() + 8)
        painter.setPen(QtGui.QPen(QtGui.QColor(theme.selected), 1))
        painter.setBrush(QtGui.QColor(theme.background))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(QtGui.QColor(theme.text))
        painter.drawText(box, QtCore.Qt.AlignmentFlag.AlignCenter, text)


def _border_point(rect: QtCore.QRectF, toward: QtCore.QPointF) -> QtCore.QPointF:
    """Where the line from ``rect``'s centre toward ``toward`` leaves ``rect``."""
    c = rect.center()
    dx, dy = toward.x() - c.x(), toward.y() - c.y()
    if not dx and not dy:
        return c
    t = min(rect.width() / 2 / abs(dx) if dx else float("inf"),
            rect.height() / 2 / abs(dy) if dy else float("inf"))
    return QtCore.QPointF(c.x() + dx * t, c.y() + dy * t)
