"""``Minimap``: the whole graph small, in a corner of the view, with the part on screen framed.

    view.minimap.isVisible()            # only while the graph is larger than the view
    view.minimap.to_world(QPointF(40, 30))   # a minimap point in the graph's pixels

Shown while the graph does not fit in the view at the current zoom; a click or a drag
on it centres the view there. The small drawing is painted once into a pixmap and
redrawn only when the graph changes, so it costs a blit a frame at 50,000 nodes.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.theme import mix

MAX_W, MAX_H = 220.0, 160.0
MARGIN = 10


class Minimap(QtWidgets.QWidget):
    """An overview of ``view``'s whole graph, a child widget in its bottom-right corner."""

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self._pixmap: QtGui.QPixmap | None = None
        self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the view")
        self.hide()

    def invalidate(self) -> None:
        """The graph changed: draw it again at the next paint."""
        self._pixmap = None
        self.update()

    # ------------------------------------------------------------ geometry
    def _bounds(self) -> QtCore.QRectF:
        return self.view.scene.bounds()

    def ratio(self) -> float:
        """Minimap pixels per graph pixel."""
        b = self._bounds()
        return min((self.width() - 4) / b.width(), (self.height() - 4) / b.height())

    def _origin(self) -> QtCore.QPointF:
        b, r = self._bounds(), self.ratio()
        return QtCore.QPointF((self.width() - b.width() * r) / 2,
                              (self.height() - b.height() * r) / 2)

    def to_world(self, p: QtCore.QPointF) -> QtCore.QPointF:
        """A point of the minimap in the graph's pixels."""
        b, r = self._bounds(), self.ratio()
        return b.topLeft() + (QtCore.QPointF(p) - self._origin()) / r

    def to_map(self, p: QtCore.QPointF) -> QtCore.QPointF:
        b, r = self._bounds(), self.ratio()
        return (QtCore.QPointF(p) - b.topLeft()) * r + self._origin()

    def viewport_rect(self) -> QtCore.QRectF:
        """The part of the graph on screen, framed on the minimap."""
        world = self.view.visible_world()
        return QtCore.QRectF(self.to_map(world.topLeft()), self.to_map(world.bottomRight()))

    def sync(self) -> None:
        """Show the minimap while the graph is larger than the view, in the view's corner."""
        view = self.view
        inner = self._bounds().adjusted(16, 16, -16, -16)  # the nodes, less the fit's margin
        wanted = bool(len(view.scene)) and not view.visible_world().contains(inner)
        if wanted:
            b, area = self._bounds(), view.graph_rect()
            r = min(MAX_W / b.width(), MAX_H / b.height())
            w, h = max(int(b.width() * r) + 4, 40), max(int(b.height() * r) + 4, 30)
            geometry = QtCore.QRect(int(area.right()) - w - MARGIN,
                                    int(area.bottom()) - h - MARGIN, w, h)
            if geometry != self.geometry():
                self.setGeometry(geometry)
                self._pixmap = None
        if wanted != self.isVisible():
            self.setVisible(wanted)
        elif wanted:
            self.update()

    # ------------------------------------------------------------ painting
    def _draw_graph(self) -> QtGui.QPixmap:
        pixmap = QtGui.QPixmap(self.size())
        theme = self.view.scene.theme
        pixmap.fill(QtGui.QColor(theme.background))
        painter = QtGui.QPainter(pixmap)
        r = self.ratio()
        painter.translate(self._origin())
        painter.scale(r, r)
        painter.translate(-self._bounds().topLeft())
        self.view.scene.paint(painter, self._bounds(), r)
        painter.end()
        return pixmap

    def paintEvent(self, event):  # noqa: N802
        if self._pixmap is None or self._pixmap.size() != self.size():
            self._pixmap = self._draw_graph()
        painter = QtGui.QPainter(self)
        painter.drawPixmap(0, 0, self._pixmap)
        theme = self.view.scene.theme
        painter.setPen(QtGui.QPen(mix(theme.function_border, theme.background, 0.2), 1))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRect(QtCore.QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        frame = self.viewport_rect().intersected(QtCore.QRectF(self.rect()))
        color = QtGui.QColor(theme.selected)
        painter.setPen(QtGui.QPen(color, 1.5))
        color.setAlpha(30)
        painter.setBrush(color)
        painter.drawRect(frame)
        painter.end()

    # ------------------------------------------------------------ mouse
    def mousePressEvent(self, event):  # noqa: N802
        self._go(event.position())
        event.accept()

    def mouseMoveEvent(self, event):  # noqa: N802
        if event.buttons() & QtCore.Qt.MouseButton.LeftButton:
            self._go(event.position())
        event.accept()

    def _go(self, pos) -> None:
        view = self.view
        world = self.to_world(pos)
        view._offset = view.graph_rect().center() - world * view.scale
        view._auto_fit = False
        view.update()
