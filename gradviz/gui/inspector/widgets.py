"""Small building blocks shared by the inspector's views: fonts, headers, links, fields."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


def monospace() -> QtGui.QFont:
    return QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)


class Section(QtWidgets.QWidget):
    """A section header: bold text over a thin rule; ``.label`` is the text."""

    def __init__(self, text: str, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 2)
        layout.setSpacing(2)
        self.label = QtWidgets.QLabel(text)
        font = self.label.font()
        font.setBold(True)
        self.label.setFont(font)
        layout.addWidget(self.label)
        rule = QtWidgets.QFrame()
        rule.setFrameShape(QtWidgets.QFrame.Shape.HLine)
        rule.setFrameShadow(QtWidgets.QFrame.Shadow.Plain)
        rule.setForegroundRole(QtGui.QPalette.ColorRole.Mid)
        layout.addWidget(rule)


def section(text: str) -> Section:
    return Section(text)


def subheader(text: str = "") -> QtWidgets.QLabel:
    """A smaller bold header inside a section (``received (grad_in)``)."""
    label = QtWidgets.QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(0, 6, 0, 0)
    return label


def muted(text: str = "") -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(text)
    label.setForegroundRole(QtGui.QPalette.ColorRole.PlaceholderText)
    label.setWordWrap(True)
    return label


def value_label(text: str = "", fill: bool = False) -> QtWidgets.QLabel:
    """A selectable monospace value. ``fill``: it takes the width its layout gives it (a
    stretching column) and wraps there, so a long formula or description never makes the
    panel wider than its dock, which would clip it."""
    label = QtWidgets.QLabel(text)
    label.setFont(monospace())
    label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    if fill:
        label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                            QtWidgets.QSizePolicy.Policy.Preferred)
    return label


class FitLabel(QtWidgets.QLabel):
    """One line (a node's name) in a font of up to ``points``, smaller when the line is
    wider than the label, down to ``smallest`` points; never widens the panel."""

    def __init__(self, points: float = 15.0, smallest: float = 9.0, parent=None):
        super().__init__(parent)
        self.points, self.smallest = points, smallest
        font = self.font()
        font.setBold(True)
        font.setPointSizeF(points)
        self.setFont(font)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                           QtWidgets.QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self.setToolTip(text)
        self._fit()

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        font = self.font()
        size = self.points
        font.setPointSizeF(size)
        room = self.width() - 2
        while room > 0 and size > self.smallest and \
                QtGui.QFontMetricsF(font).horizontalAdvance(self.text()) > room:
            size = max(self.smallest, size - 0.5)
            font.setPointSizeF(size)
        if font.pointSizeF() != self.font().pointSizeF():
            self.setFont(font)


class LinkButton(QtWidgets.QPushButton):
    """A flat button that reads as a link; carries the node id it leads to."""

    def __init__(self, text: str, nid: int, parent=None):
        super().__init__(text, parent)
        self.nid = nid
        self.setFlat(True)
        self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        self.setFont(monospace())
        self.setStyleSheet("QPushButton { color: palette(link); text-align: left; border: none;"
                           " padding: 1px 2px; } QPushButton:hover { text-decoration: underline; }")
        self.setToolTip(f"select node {nid}")


class Fields(QtWidgets.QWidget):
    """Name / value rows; ``fields["shape"].text()`` reads a value back."""

    def __init__(self, names, parent=None):
        super().__init__(parent)
        form = QtWidgets.QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(2)
        form.setLabelAlignment(QtCore.Qt.AlignmentFlag.AlignLeft)
        self.labels: dict[str, QtWidgets.QLabel] = {}
        for name in names:
            label = value_label(fill=True)
            self.labels[name] = label
            form.addRow(muted(name), label)

    def add_row(self, name: str, widget: QtWidgets.QWidget) -> None:
        self.layout().addRow(muted(name), widget)

    def __getitem__(self, name: str) -> QtWidgets.QLabel:
        return self.labels[name]

    def set(self, **texts) -> None:
        for name, text in texts.items():
            self.labels[name].setText(str(text))


def clear_layout(layout: QtWidgets.QLayout) -> None:
    """Remove and delete every widget in ``layout``."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.setParent(None)
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())
