"""``GraphView``: the live autograd graph, panned, zoomed and clicked.

    view = GraphView(model, LIGHT)
    view.nodeSelected.connect(print)      # node id (or None) the user clicked
    view.fit(); view.find("loss"); view.find_next()

Until the user zooms or pans, the view fits the whole graph whenever it is shown, resized
or grown (the first screen is fitted at its real size, not at the widget's default one).
The legend has a strip of its own (left, or a band along the bottom, whichever leaves the
graph more room), so it never hides a node. The view listens
to the model and redraws when a batch of changes is flushed; the nodes a statement
created keep their halo until the next one. Positions come from the
model's incremental layered layout (``LayoutDriver``), so existing nodes stay put; a
node dragged by the user is pinned in the model. The model's layout direction (top-down or
left-right, ``view.set_direction``) turns the drawing; a change of it redraws and refits.
Painting goes through ``GraphScene``
(one pass over NumPy arrays, text from one label layer), which is what keeps a 5,000
node graph interactive.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.clusters import Clusters, fits_readably, group_path
from gradviz.gui.graph_drawing import LABEL_SCALE, GraphScene
from gradviz.gui.layout_driver import LayoutDriver
from gradviz.gui.legend import legend_columns, legend_size, paint_legend
from gradviz.gui.minimap import Minimap
from gradviz.gui.node_text import find_ranked, node_tooltip
from gradviz.gui.shown_part import ShownPart
from gradviz.gui.step_overlay import StepOverlay
from gradviz.gui.theme import mix
from gradviz.gui.weak_listener import WeakListener
from gradviz.model.groups_view import GROUP_PREFIX
from gradviz.model.layout_direction import layout_direction, set_layout_direction

MIN_SCALE, MAX_SCALE = 0.004, 4.0
GROUP_SCALE = 0.75  # a group opened is shown at least this large (its labels read)
READABLE_SCALE = 1.0  # Find zooms a found node to at least this (labels appear from 0.42)
LEGEND_MARGIN = 10.0  # around the legend in its strip
DRAG_START = 4  # pixels the mouse moves before a press becomes a drag


class GraphView(ShownPart, QtWidgets.QWidget):
    """The graph of ``model`` drawn top (inputs) to bottom (the loss), or left to right."""

    nodeSelected = QtCore.Signal(object)  # node id or None
    nodeContextMenu = QtCore.Signal(object, QtCore.QPoint)  # node id or None, global pos
    modelChanged = QtCore.Signal(object)

    def __init__(self, model, theme, parent=None):
        super().__init__(parent)
        self.model = model
        self.scene = GraphScene(theme)
        self.clusters = Clusters()  # boxes around the expanded module groups
        self.layout_driver = LayoutDriver(model, self)
        self.layout_driver.positionsReady.connect(self._on_positions)
        self.selected: int | None = None
        self.found: list[int] = []  # Find's hits, best first
        self.found_at = -1  # which of them Find shows
        self._show_legend = True
        self.step_overlay: StepOverlay | None = None  # a backward step painted on top
        self.overlays: list = []  # more marks painted on top (paint_over, paint_screen)
        self.last_paint_ms = 0.0
        self._scale = 1.0
        self._offset = QtCore.QPointF(0, 0)
        self._press = None  # (screen pos, node id or None, offset at press)
        self._dragging = False
        self._fitted = False
        self._auto_fit = True  # refit on show and resize until the user zooms or pans
        self._quiet_new = False  # hide the "new" halo until the next statement adds nodes
        self.setMouseTracking(True)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 240)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.modelChanged.connect(self._on_model_changed)
        self._listener = None
        self._hide_constants = False
        self._hide_released = False
        self._detached: dict[int, int] = {}  # detach() result's node -> its source's node
        self.minimap = Minimap(self)  # the whole graph small, while it is larger than the view
        self.set_model(model)

    def _emit_model_changed(self, change) -> None:
        self.modelChanged.emit(change)  # through a signal: listeners may run off the GUI thread

    def set_model(self, model) -> None:
        """Show another model (a loaded session); stops listening to the previous one."""
        if self._listener is not None:
            self.model.remove_listener(self._listener)
            if not hasattr(model, "layout_direction"):  # a fresh model: drawn as before
                set_layout_direction(model, self.scene.direction)
        self.model = self.layout_driver.model = model
        self.scene.direction = layout_direction(model)
        self._listener = listener = WeakListener(self, model, "_emit_model_changed")
        model.add_listener(listener)
        self.destroyed.connect(lambda *_: model.remove_listener(listener))
        self.selected, self.found, self.found_at, self._fitted = None, [], -1, False
        self._auto_fit = True
        self._focus = None  # (node id, "feeds" | "fed"): show only that part of the graph
        self.scene.sync(model.shown_graph(), {}, pinned=())  # forget the old drawing
        self.refresh()
        self.fit()

    # ------------------------------------------------------------ model -> view
    def refresh(self) -> None:
        """Re-read the whole model (after ``clear`` or a theme change)."""
        self.scene.sync(self.shown_graph(), self.layout_driver.positions(),
                        pinned=self.model.pinned, routes=self.layout_driver.routes())
        self.clusters.update(self.model, self.scene)
        self._note_detached(None)
        self.minimap.invalidate()
        if self.selected is not None and self.selected not in self.scene.index:
            self.select(None)
        self.update()

    @property
    def direction(self) -> str:
        """``"top-down"`` or ``"left-right"``: the model's layout direction, as drawn."""
        return self.scene.direction

    def set_direction(self, direction: str) -> None:
        """Draw the graph ``"top-down"`` or ``"left-right"`` (the model's setting, so saved
        sessions keep it); the view redraws and refits."""
        set_layout_direction(self.model, direction)
        self._take_direction()

    def _take_direction(self) -> bool:
        """Follow the model's layout direction; True when it turned the drawing."""
        direction = layout_direction(self.model)
        if direction == self.scene.direction:
            return False
        self.scene.direction = direction
        self.refresh()
        self.fit()
        return True

    def _on_model_changed(self, change) -> None:
        if self._take_direction():
            return  # (everything was read again)
        changed = change.added | change.updated
        if change.added:
            self._quiet_new = False
            self.model.open_collapsed(lambda shown: fits_readably(shown, self.graph_rect(),
                                                                  direction=self.direction))
        lost = self._focus is not None and self._focus[0] not in self.model.graph
        if lost:
            self._focus = None  # the node it showed is gone: back to the whole graph
            self._fitted = False
        graph = self.shown_graph()
        if self.model.shown_graph() is not self.model.graph:  # group nodes may have changed
            changed = changed | {n for n in graph if group_path(n) is not None}
        self.scene.sync(graph, self.layout_driver.positions(), changed,
                        pinned=self.model.pinned, routes=self.layout_driver.routes())
        self.clusters.update(self.model, self.scene)
        self._note_detached(changed)
        self.minimap.invalidate()
        if self.selected is not None and self.selected not in self.scene.index:
            self.select(None)
        if not self._fitted or len(self.scene) == len(change.added) or (
                change.added and self._auto_fit
                and (self._fit_scale() >= LABEL_SCALE or self._scale < LABEL_SCALE)):
            self.fit()  # the user has not zoomed or panned: keep showing the whole graph
        elif change.added:  # (or the whole graph would be too small to read its labels)
            self.ensure_visible([n for n in change.added if n in self.scene.index])
        self.update()

    def _on_positions(self) -> None:
        """The background layout of a large graph finished: take its positions."""
        self.scene.sync(self.shown_graph(), self.layout_driver.positions(), (),
                        pinned=self.model.pinned, routes=self.layout_driver.routes())
        self.clusters.update(self.model, self.scene)
        self.minimap.invalidate()
        self.update()

    def set_theme(self, theme) -> None:
        self.scene.set_theme(theme)
        self.minimap.invalidate()
        self.update()

    # ------------------------------------------------------------ coordinates
    def to_world(self, p: QtCore.QPointF) -> QtCore.QPointF:
        return (QtCore.QPointF(p) - self._offset) / self._scale

    def to_screen(self, p: QtCore.QPointF) -> QtCore.QPointF:
        return QtCore.QPointF(p) * self._scale + self._offset

    @property
    def show_legend(self) -> bool:
        return self._show_legend

    @show_legend.setter
    def show_legend(self, on: bool) -> None:
        """Show or hide the legend's strip; a view that follows the window refits."""
        self._show_legend = bool(on)
        if self._auto_fit and self._fitted:
            self.fit()
        self.update()

    def _legend_place(self) -> tuple[QtCore.QRectF, int]:
        """The legend's strip and its columns: one column on the left, or as many as fit
        in a band along the bottom, whichever leaves the whole graph the larger scale."""
        if not self._show_legend or not len(self.scene):
            return QtCore.QRectF(), 0
        w, h, m = float(self.width()), float(self.height()), LEGEND_MARGIN
        bounds = self.scene.bounds()
        left = legend_size(1).width() + 2 * m
        options = [(min((w - left) / bounds.width(), h / bounds.height()),
                    QtCore.QRectF(0, 0, left, h), 1)]
        columns = legend_columns(w - 2 * m)
        if columns > 1:
            band = legend_size(columns).height() + 2 * m
            options.append((min(w / bounds.width(), (h - band) / bounds.height()),
                            QtCore.QRectF(0, h - band, w, band), columns))
        _, strip, columns = max(options, key=lambda o: o[0])
        return strip, columns

    def legend_rect(self) -> QtCore.QRectF:
        """The legend's strip (screen), empty when the legend is hidden or the graph empty."""
        return self._legend_place()[0]

    def graph_rect(self) -> QtCore.QRectF:
        """Where the graph is drawn (screen): the widget less the legend's strip."""
        strip, full = self.legend_rect(), QtCore.QRectF(0, 0, max(self.width(), 1),
                                                        max(self.height(), 1))
        if strip.isEmpty():
            return full
        if strip.top() > 0:  # a band along the bottom
            return QtCore.QRectF(0, 0, full.width(), max(strip.top(), 1.0))
        return QtCore.QRectF(strip.right(), 0, max(full.width() - strip.width(), 1.0),
                             full.height())

    def visible_world(self) -> QtCore.QRectF:
        area = self.graph_rect()
        return QtCore.QRectF(self.to_world(area.topLeft()), self.to_world(area.bottomRight()))

    @property
    def scale(self) -> float:
        return self._scale

    # ------------------------------------------------------------ navigation
    def quiet_new(self) -> None:
        """Stop highlighting the latest nodes as new (after the start-up tutorial)."""
        self._quiet_new = True
        self.update()

    def _fit_scale(self) -> float:
        bounds, area = self.scene.bounds(), self.graph_rect()
        return max(MIN_SCALE, min(1.0, area.width() / bounds.width(),
                                  area.height() / bounds.height()))

    def fit(self) -> None:
        """Show the whole graph (not magnified above 1:1) beside the legend; the view
        follows the window's size again until the user zooms or pans."""
        bounds, area = self.scene.bounds(), self.graph_rect()
        self._scale = self._fit_scale()
        self._offset = area.center() - bounds.center() * self._scale
        self._fitted = len(self.scene) > 0
        self._auto_fit = True
        self.update()

    @property
    def follows_window(self) -> bool:
        """True while the view refits on resize (the user has not zoomed or panned)."""
        return self._auto_fit

    def zoom(self, factor: float, anchor: QtCore.QPointF | None = None) -> None:
        """Zoom by ``factor`` keeping the world point under ``anchor`` (screen) fixed."""
        if anchor is None:
            anchor = self.graph_rect().center()
        world = self.to_world(anchor)
        self._scale = min(MAX_SCALE, max(MIN_SCALE, self._scale * factor))
        self._offset = QtCore.QPointF(anchor) - world * self._scale
        self._auto_fit = False
        self.update()

    def pan(self, dx: float, dy: float) -> None:
        self._offset += QtCore.QPointF(dx, dy)
        self._auto_fit = False
        self.update()

    def center_on(self, nid: int) -> None:
        if nid in self.scene.index:
            c = self.scene.rect(nid).center()
            self._offset = self.graph_rect().center() - c * self._scale
            self._auto_fit = False
            self.update()

    def focus_on(self, nid: int, min_scale: float = READABLE_SCALE) -> None:
        """Centre node ``nid``, zoomed in to at least ``min_scale`` so its label reads."""
        if nid in self.scene.index:
            self._scale = max(self._scale, min(min_scale, MAX_SCALE))
            self.center_on(nid)

    def show_group(self, path: str, min_scale: float = GROUP_SCALE) -> None:
        """Bring module group ``path`` (its box, or its node when collapsed) into view at
        ``min_scale`` or more (a box taller than the view shows from its top)."""
        gid = GROUP_PREFIX + path
        r = self.clusters.boxes.get(path)
        if r is None and gid in self.scene.index:
            r = self.scene.rect(gid)
        if r is None:
            return
        area = self.graph_rect()
        fit = min(1.0, area.width() / r.width(), area.height() / r.height())
        self._scale = min(MAX_SCALE, max(MIN_SCALE, fit, min_scale))
        cx, cy = r.center().x(), r.center().y()
        if r.height() * self._scale > area.height():  # from its top
            cy = r.top() + (area.height() / 2 - 12) / self._scale
        if self.direction == "left-right" and r.width() * self._scale > area.width():
            cx = r.left() + (area.width() / 2 - 12) / self._scale  # from its left
        self._offset = area.center() - QtCore.QPointF(cx, cy) * self._scale
        self._auto_fit = False
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
        self._offset += QtCore.QPointF(dx * self._scale, dy * self._scale)
        self.update()

    # ------------------------------------------------------------ selection and search
    def select(self, nid, center: bool = False) -> None:
        """Select node ``nid`` (None clears) and announce it with ``nodeSelected``.

        ``center``: bring the node to the middle of the view if it is not in view."""
        if nid is not None and (nid not in self.scene.index or group_path(nid) is not None):
            nid = None  # (a collapsed group is opened by a double-click, not selected)
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

            view.set_step_highlight({8, 12}, 8, [(6, 8, 0), (9, 8, 0)])
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
        """Nodes matching ``text``, best first (``find_ranked``): those drawn (collapsed
        module groups among them), then those inside a collapsed group (``net.3.body.0
        .weight``); selects and zooms to the first, opening the groups around a node inside.
        ``find_next`` / ``find_previous`` walk the rest."""
        self.found = find_ranked(self.model.shown_graph(), self.scene.ids, text)
        if self.model.collapsed:
            graph, drawn = self.model.graph, self.scene.index
            inside = [n for n in graph if n not in drawn
                      and self.model.collapsed_around(n) is not None]
            self.found += find_ranked(graph, inside, text)
        self.found_at = -1
        if self.found:
            self.show_found(0)
        self.update()
        return list(self.found)

    def show_found(self, k: int) -> int | None:
        """Select hit ``k`` of the last Find (wrapping around), zoomed to a readable scale."""
        if not self.found:
            return None
        self.found_at = k % len(self.found)
        nid = self.found[self.found_at]
        if nid not in self.scene.index:
            path = group_path(nid)
            if path is not None:  # a group opened since: its box
                if path in self.clusters.boxes:
                    self.show_group(path)
                return nid
            if self.model.collapsed_around(nid) is not None:  # open the way down to it
                self.model.expand(self.model.graph.nodes[nid]["module"])
            if nid not in self.scene.index:
                return nid
        self.select(nid)
        self.focus_on(nid)
        return nid

    def find_next(self) -> int | None:
        return self.show_found(self.found_at + 1)

    def find_previous(self) -> int | None:
        return self.show_found(self.found_at - 1)

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
        legend = self.legend_rect()
        painter.save()
        painter.setClipRect(self.graph_rect())
        painter.translate(self._offset)
        painter.scale(self._scale, self._scale)
        world, step = self.visible_world(), self.step_overlay
        self.clusters.paint(painter, world, self._scale, self.scene.theme)
        if step is not None and len(self.scene):
            step.paint_under(painter, self.scene, world, self._scale)
        # the step's node is framed by the step: no selection colour on it and its edges too
        selected = None if step is not None and step.current == self.selected else self.selected
        self.scene.paint(painter, world, self._scale, selected, self.found,
                         show_new=not self._quiet_new)
        if step is not None and len(self.scene):
            step.paint_over(painter, self.scene, world, self._scale)
        self._paint_detached(painter)
        for overlay in self.overlays:
            overlay.paint_over(painter, self.scene, world, self._scale)
        painter.restore()
        if self._focus is not None:
            self._paint_focus_note(painter)
        if not legend.isEmpty():
            self._paint_legend_strip(painter, legend)
        for overlay in self.overlays:  # after the legend: a scale may go under it
            overlay.paint_screen(painter, QtCore.QRectF(self.graph_rect()))
        painter.end()
        self.minimap.sync()
        self.last_paint_ms = timer.nsecsElapsed() / 1e6

    def _paint_legend_strip(self, painter, strip: QtCore.QRectF) -> None:
        theme = self.scene.theme
        painter.fillRect(strip, QtGui.QColor(theme.background))
        painter.setPen(QtGui.QPen(mix(theme.function_border, theme.background, 0.5), 1))
        if strip.top() > 0:  # the band's top edge, else the strip's right edge
            painter.drawLine(QtCore.QPointF(0, strip.top() + 0.5),
                             QtCore.QPointF(strip.right(), strip.top() + 0.5))
        else:
            painter.drawLine(QtCore.QPointF(strip.right() - 0.5, 0),
                             QtCore.QPointF(strip.right() - 0.5, strip.bottom()))
        paint_legend(painter, strip.topLeft() + QtCore.QPointF(LEGEND_MARGIN, LEGEND_MARGIN),
                     theme, self._legend_place()[1])

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if self._auto_fit:
            self.fit()

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    # ------------------------------------------------------------ mouse and keys
    def node_at(self, pos) -> int | None:
        if not self.graph_rect().contains(QtCore.QPointF(pos)):
            return None  # over the legend
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
            self._auto_fit = False
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
            self.model.pin(nid, self.scene.to_layout(self.scene.X[i], self.scene.Y[i]))
            self.scene.set_pinned(self.model.pinned)
            self.minimap.invalidate()
            self.select(nid)
        elif not self._dragging:
            self.select(nid)
        self._press = None
        self._dragging = False
        self.unsetCursor()
        self.update()

    def mouseDoubleClickEvent(self, event):  # noqa: N802
        """Double-click a collapsed group to expand it, a group's box to collapse it."""
        pos = event.position()
        if event.button() != QtCore.Qt.MouseButton.LeftButton \
                or not self.graph_rect().contains(pos):
            return
        nid = self.node_at(pos)
        path = group_path(nid)
        if path is not None:
            self.model.expand(path)
            self.show_group(path)
        elif nid is None and (path := self.clusters.at(self.to_world(pos))) is not None:
            self.model.collapse(path)
        event.accept()

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
            if self._focus is not None:
                self.show_all()
            else:
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
        path = group_path(nid)
        if path is not None:
            data = self.model.shown_graph().nodes[nid]
            return (f"<b>{self.model.group_label(path)}</b><br>{data['count']} nodes, "
                    "collapsed: double-click to expand")
        return node_tooltip(self.model, nid)

