"""``GraphView``: the live autograd graph, panned, zoomed and clicked.

    >>> view = GraphView(model, LIGHT)
    >>> view.nodeSelected.connect(print)      # node id (or None) the user clicked
    >>> view.fit(); view.find("loss")

The view listens to the model and redraws when a batch of changes is flushed; the
nodes a statement created keep their halo until the next one. Positions come from the
model's incremental layered layout (``LayoutDriver``), so existing nodes stay put; a
node dragged by the user is pinned in the model. Painting goes through ``GraphScene``
(one pass over NumPy arrays, text from one label layer), which is what keeps a 5,000
node graph interactive.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.graph_drawing import SX, SY, GraphScene, shape_text
from gradviz.gui.layout_driver import LayoutDriver
from gradviz.gui.legend import legend_size, paint_legend
from gradviz.gui.step_overlay import StepOverlay
from gradviz.gui.weak_listener import WeakListener

MIN_SCALE, MAX_SCALE = 0.004, 4.0
DRAG_START = 4  # pixels the mouse moves before a press becomes a drag


class GraphView(QtWidgets.QWidget):
    """The graph of ``model`` drawn top (inputs) to bottom (the loss)."""

    nodeSelected = QtCore.Signal(object)  # node id or None
    nodeContextMenu = QtCore.Signal(object, QtCore.QPoint)  # node id or None, global pos
    modelChanged = QtCore.Signal(object)

    def __init__(self, model, theme, parent=None):
        super().__init__(parent)
        self.model = model
        self.scene = GraphScene(theme)
        self.layout_driver = LayoutDriver(model, self)
        self.layout_driver.positionsReady.connect(self._on_positions)
        self.selected: int | None = None
        self.found: list[int] = []
        self.show_legend = True
        self.step_overlay: StepOverlay | None = None  # a backward step painted on top
        self.last_paint_ms = 0.0
        self._scale = 1.0
        self._offset = QtCore.QPointF(0, 0)
        self._press = None  # (screen pos, node id or None, offset at press)
        self._dragging = False
        self._fitted = False
        self._quiet_new = False  # hide the "new" halo until the next statement adds nodes
        self.setMouseTracking(True)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 240)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.modelChanged.connect(self._on_model_changed)
        self._listener = None
        self.set_model(model)

    def _emit_model_changed(self, change) -> None:
        self.modelChanged.emit(change)  # through a signal: listeners may run off the GUI thread

    def set_model(self, model) -> None:
        """Show another model (a loaded session); stops listening to the previous one."""
        if self._listener is not None:
            self.model.remove_listener(self._listener)
        self.model = self.layout_driver.model = model
        self._listener = listener = WeakListener(self, model, "_emit_model_changed")
        model.add_listener(listener)
        self.destroyed.connect(lambda *_: model.remove_listener(listener))
        self.selected, self.found, self._fitted = None, [], False
        self.scene.sync(model.graph, {}, pinned=())  # forget the old drawing
        self.refresh()
        self.fit()

    # ------------------------------------------------------------ model -> view
    def refresh(self) -> None:
        """Re-read the whole model (after ``clear`` or a theme change)."""
        self.scene.sync(self.model.graph, self.layout_driver.positions(), pinned=self.model.pinned)
        if self.selected is not None and self.selected not in self.scene.index:
            self.select(None)
        self.update()

    def _on_model_changed(self, change) -> None:
        changed = change.added | change.updated
        if change.added:
            self._quiet_new = False
        self.scene.sync(self.model.graph, self.layout_driver.positions(), changed,
                        pinned=self.model.pinned)
        if self.selected is not None and self.selected not in self.scene.index:
            self.select(None)
        if not self._fitted or len(self.scene) == len(change.added):
            self.fit()
        elif change.added:
            self.ensure_visible([n for n in change.added if n in self.scene.index])
        self.update()

    def _on_positions(self) -> None:
        """The background layout of a large graph finished: take its positions."""
        self.scene.sync(self.model.graph, self.layout_driver.positions(), (),
                        pinned=self.model.pinned)
        self.update()

    def set_theme(self, theme) -> None:
        self.scene.set_theme(theme)
        self.update()

    # ------------------------------------------------------------ coordinates
    def to_world(self, p: QtCore.QPointF) -> QtCore.QPointF:
        return (QtCore.QPointF(p) - self._offset) / self._scale

    def to_screen(self, p: QtCore.QPointF) -> QtCore.QPointF:
        return QtCore.QPointF(p) * self._scale + self._offset

    def visible_world(self) -> QtCore.QRectF:
        return QtCore.QRectF(self.to_world(QtCore.QPointF(0, 0)),
                             self.to_world(QtCore.QPointF(self.width(), self.height())))

    @property
    def scale(self) -> float:
        return self._scale

    # ------------------------------------------------------------ navigation
    def quiet_new(self) -> None:
        """Stop highlighting the latest nodes as new (after the start-up tutorial)."""
        self._quiet_new = True
        self.update()

    def fit(self) -> None:
        """Show the whole graph (not magnified above 1:1), beside the legend."""
        bounds = self.scene.bounds()
        left = legend_size().width() + 16 if self.show_legend and len(self.scene) else 0.0
        w, h = max(self.width() - left, 1), max(self.height(), 1)
        self._scale = max(MIN_SCALE, min(1.0, w / bounds.width(), h / bounds.height()))
        self._offset = QtCore.QPointF(left + w / 2, h / 2) - bounds.center() * self._scale
        self._fitted = len(self.scene) > 0
        self.update()

    def zoom(self, factor: float, anchor: QtCore.QPointF | None = None) -> None:
        """Zoom by ``factor`` keeping the world point under ``anchor`` (screen) fixed."""
        if anchor is None:
            anchor = QtCore.QPointF(self.width() / 2, self.height() / 2)
        world = self.to_world(anchor)
        self._scale = min(MAX_SCALE, max(MIN_SCALE, self._scale * factor))
        self._offset = QtCore.QPointF(anchor) - world * self._scale
        self.update()

    def pan(self, dx: float, dy: float) -> None:
        self._offset += QtCore.QPointF(dx, dy)
        self.update()

    def center_on(self, nid: int) -> None:
        if nid in self.scene.index:
            c = self.scene.rect(nid).center()
            self._offset = QtCore.QPointF(self.width() / 2, self.height() / 2) - c * self._scale
            self.update()

    def ensure_visible(self, nids) -> None:
        """Pan the least needed to bring ``nids`` into view, if they fit in it."""
        if not nids:
            return
        box = self.scene.rect(nids[0])
        for nid in nids[1:]:
            box = box.united(self.scene.rect(nid))
        view = self.visible_world()
        if view.contains(box) or box.width() > view.width() or box.height() > view.height():
            return
        dx = min(0.0, view.right() - box.right() - 20) or max(0.0, view.left() - box.left() + 20)
        dy = min(0.0, view.bottom() - box.bottom() - 20) or max(0.0, view.top() - box.top() + 20)
        self.pan(dx * self._scale, dy * self._scale)

    # ------------------------------------------------------------ selection and search
    def select(self, nid, center: bool = False) -> None:
        """Select node ``nid`` (None clears) and announce it with ``nodeSelected``.

        ``center``: bring the node to the middle of the view if it is not in view."""
        if nid is not None and nid not in self.scene.index:
            nid = None
        changed = nid != self.selected
        self.selected = nid
        if center and nid is not None and not self.visible_world().contains(self.scene.rect(nid)):
            self.center_on(nid)
        self.update()
        if changed:
            self.nodeSelected.emit(nid)

    def set_step_highlight(self, done=(), current=None, edges=()) -> None:
        """Paint a backward step over the graph: ``done`` (node ids already run) framed,
        ``current`` glowing, and ``edges`` ((u, v, key) of the graph) drawn as the way its
        gradients flow. ``set_step_highlight()`` removes it.

            >>> view.set_step_highlight({8, 12}, 8, [(6, 8, 0), (9, 8, 0)])
        """
        has = bool(done) or current is not None or bool(edges)
        self.step_overlay = StepOverlay(done, current, edges) if has else None
        self.update()

    @property
    def step_highlight(self) -> tuple:
        """(done, current, edges) as painted now; (frozenset(), None, ()) when none."""
        o = self.step_overlay
        return (o.done, o.current, o.edges) if o is not None else (frozenset(), None, ())

    def find(self, text: str) -> list[int]:
        """Nodes whose variable name or torch name contains ``text``; selects the next one."""
        text = text.strip().lower()
        graph = self.model.graph
        hits = [n for n in self.scene.ids if text and (
            text in str(graph.nodes[n].get("name") or "").lower()
            or text == str(graph.nodes[n].get("label", "")).lower())]
        hits.sort(key=lambda n: (str(graph.nodes[n].get("name") or "").lower() != text, n))
        self.found = hits
        if hits:
            following = [n for n in hits if self.selected in hits and
                         hits.index(n) > hits.index(self.selected)]
            self.select((following or hits)[0], center=True)
        self.update()
        return hits

    # ------------------------------------------------------------ painting
    def paintEvent(self, event):  # noqa: N802
        timer = QtCore.QElapsedTimer()
        timer.start()
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), QtGui.QColor(self.scene.theme.background))
        if not len(self.scene):
            painter.setPen(QtGui.QColor(self.scene.theme.muted))
            painter.drawText(self.rect(), QtCore.Qt.AlignmentFlag.AlignCenter,
                             "The graph is empty.\nCreate a tensor with requires_grad=True "
                             "in the console,\nor open a script (Ctrl+O).")
        painter.save()
        painter.translate(self._offset)
        painter.scale(self._scale, self._scale)
        world, step = self.visible_world(), self.step_overlay
        if step is not None and len(self.scene):
            step.paint_under(painter, self.scene, world, self._scale)
        # the step's node is framed by the step: no selection colour on it and its edges too
        selected = None if step is not None and step.current == self.selected else self.selected
        self.scene.paint(painter, world, self._scale, selected, self.found,
                         show_new=not self._quiet_new)
        if step is not None and len(self.scene):
            step.paint_over(painter, self.scene, world, self._scale)
        painter.restore()
        if self.show_legend and len(self.scene):
            paint_legend(painter, QtCore.QPointF(10, 10), self.scene.theme)
        painter.end()
        self.last_paint_ms = timer.nsecsElapsed() / 1e6

    def resizeEvent(self, event):  # noqa: N802
        if not self._fitted:
            self.fit()
        super().resizeEvent(event)

    # ------------------------------------------------------------ mouse and keys
    def node_at(self, pos) -> int | None:
        w = self.to_world(QtCore.QPointF(pos))
        return self.scene.node_at(w.x(), w.y())

    def mousePressEvent(self, event):  # noqa: N802
        pos = event.position()
        if event.button() in (QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.MiddleButton):
            nid = self.node_at(pos) if event.button() == QtCore.Qt.MouseButton.LeftButton else None
            self._press = (pos, nid, QtCore.QPointF(self._offset))
            self._dragging = False
        elif event.button() == QtCore.Qt.MouseButton.RightButton:
            nid = self.node_at(pos)
            if nid is not None:
                self.select(nid)
            self.nodeContextMenu.emit(nid, event.globalPosition().toPoint())
        event.accept()

    def mouseMoveEvent(self, event):  # noqa: N802
        if self._press is None:
            return
        start, nid, offset = self._press
        delta = event.position() - start
        if not self._dragging and delta.manhattanLength() < DRAG_START:
            return
        self._dragging = True
        if nid is None:
            self._offset = offset + delta
            self.setCursor(QtCore.Qt.CursorShape.ClosedHandCursor)
        else:
            w = self.to_world(event.position())
            self.scene.move(nid, w.x(), w.y())
        self.update()

    def mouseReleaseEvent(self, event):  # noqa: N802
        if self._press is None:
            return
        _, nid, _ = self._press
        if self._dragging and nid is not None:
            i = self.scene.index[nid]
            self.model.pin(nid, (self.scene.X[i] / SX, self.scene.Y[i] / SY))
            self.scene.set_pinned(self.model.pinned)
            self.select(nid)
        elif not self._dragging:
            self.select(nid)
        self._press = None
        self._dragging = False
        self.unsetCursor()
        self.update()

    def wheelEvent(self, event):  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(1.2 ** steps, event.position())
        event.accept()

    def keyPressEvent(self, event):  # noqa: N802
        key = event.key()
        k = QtCore.Qt.Key
        if key in (k.Key_Plus, k.Key_Equal):
            self.zoom(1.25)
        elif key == k.Key_Minus:
            self.zoom(0.8)
        elif key in (k.Key_Left, k.Key_Right, k.Key_Up, k.Key_Down):
            step = 60
            self.pan({k.Key_Left: step, k.Key_Right: -step}.get(key, 0),
                     {k.Key_Up: step, k.Key_Down: -step}.get(key, 0))
        elif key == k.Key_Escape:
            self.select(None)
        else:
            super().keyPressEvent(event)

    def event(self, event):
        if event.type() == QtCore.QEvent.Type.ToolTip:
            nid = self.node_at(event.position() if hasattr(event, "position") else event.pos())
            if nid is None:
                QtWidgets.QToolTip.hideText()
            else:
                QtWidgets.QToolTip.showText(event.globalPos(), self.tooltip(nid), self)
            return True
        return super().event(event)

    def tooltip(self, nid: int) -> str:
        """Name, shape and dtype of node ``nid`` (the hover text)."""
        d = self.model.graph.nodes[nid]
        if d["kind"] == "function":
            lines = [f"<b>{d['name']}</b>", f"output shape {shape_text(d.get('shape'))}"]
            if d.get("formula"):
                lines.append(f"<span style='font-family:monospace'>{_html(d['formula'])}</span>")
            if d.get("freed"):
                lines.append("saved tensors freed by backward()")
        else:
            name = d.get("name") or d.get("role")
            lines = [f"<b>{_html(name)}</b> ({d.get('role')})",
                     f"shape {shape_text(d.get('shape'))}, dtype {d.get('dtype')}",
                     f"requires_grad={d.get('requires_grad')}, is_leaf={d.get('is_leaf')}"]
            if d.get("ghost"):
                lines.append("constant: autograd did not record it")
            if d.get("released"):
                lines.append("released: the tensor object is gone")
        if nid in self.model.pinned:
            lines.append("pinned (right-click to unpin)")
        return "<br>".join(lines)


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
