"""The legend of the graph's visual vocabulary, painted in screen space.

    size = paint_legend(painter, QtCore.QPointF(12, 12), theme)
    paint_legend(painter, origin, theme, columns=legend_columns(900))   # a wide strip
"""

from __future__ import annotations

import functools

from PySide6 import QtCore, QtGui

from gradviz.gui.label_layer import fonts

ENTRIES = (
    ("leaf", "leaf (requires_grad)"),
    ("output", "output you hold"),
    ("plain", "tensor without grad"),
    ("ghost", "constant (not recorded)"),
    ("function", "grad_fn: torch name, shape"),
    ("accumulate", "AccumulateGrad"),
    ("new", "created by the last statement"),
    ("freed", "saved tensors freed"),
    ("executed", "order in the last backward"),
    ("released", "released (object gone)"),
)

ROW = 17.0
SWATCH = 26.0


COLUMN_GAP = 16.0


@functools.cache
def _column_width() -> float:
    metrics = QtGui.QFontMetricsF(_font())
    return SWATCH + 10 + max(metrics.horizontalAdvance(text) for _, text in ENTRIES)


def legend_rows(columns: int = 1) -> int:
    return -(-len(ENTRIES) // max(1, columns))


def legend_size(columns: int = 1) -> QtCore.QSizeF:
    """The legend's box with its entries in ``columns`` columns (read down each column)."""
    columns = max(1, columns)
    return QtCore.QSizeF(20 + columns * _column_width() + (columns - 1) * COLUMN_GAP,
                         ROW * legend_rows(columns) + 14)


def legend_columns(width: float) -> int:
    """How many columns fit in ``width`` pixels (at least 1)."""
    return max(1, int((width - 20 + COLUMN_GAP) // (_column_width() + COLUMN_GAP)))


def _font():
    font = fonts()[0]
    font.setPointSizeF(8.0)
    return font


def paint_legend(painter: QtGui.QPainter, origin: QtCore.QPointF, theme,
                 columns: int = 1) -> QtCore.QSizeF:
    """Paint the legend with its top-left corner at ``origin``, its entries in ``columns``
    columns; returns its size."""
    size = legend_size(columns)
    rows, step = legend_rows(columns), _column_width() + COLUMN_GAP
    painter.save()
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
    box = QtCore.QRectF(origin, size)
    painter.setPen(QtGui.QPen(QtGui.QColor(theme.function_border), 0.8))
    painter.setBrush(QtGui.QColor(theme.legend_bg))
    painter.drawRoundedRect(box, 7, 7)
    title, small = _font(), fonts()[1]
    small.setPointSizeF(6.0)
    small.setBold(True)
    c = QtGui.QColor
    for i, (key, text) in enumerate(ENTRIES):
        x = origin.x() + 10 + (i // rows) * step
        y = origin.y() + 7 + (i % rows) * ROW
        sw = QtCore.QRectF(x, y + 3, SWATCH, ROW - 6)
        fill, border = _colors(key, theme)
        pen = QtGui.QPen(c(border), 1.2)
        if key == "ghost":
            pen.setStyle(QtCore.Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(c(fill))
        if key in ("leaf", "output", "plain", "ghost", "released"):
            if key == "released":
                painter.setOpacity(0.35)
            painter.drawRoundedRect(sw, sw.height() / 2, sw.height() / 2)
            painter.setOpacity(1.0)
        elif key in ("function", "accumulate"):
            painter.drawRoundedRect(sw, 3, 3)
        elif key == "new":
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            halo = c(theme.new)
            halo.setAlpha(150)
            painter.setBrush(halo)
            painter.drawRoundedRect(sw.adjusted(-2, -2, 2, 2), 6, 6)
            painter.setPen(QtGui.QPen(c(theme.function_border), 1.2))
            painter.setBrush(c(theme.function))
            painter.drawRoundedRect(sw.adjusted(3, 2, -3, -2), 3, 3)
        else:
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            if key == "freed":
                badge = QtCore.QRectF(sw)
                painter.drawRoundedRect(badge, 6.5, 6.5)
            else:
                badge = QtCore.QRectF(sw.center().x() - 7, sw.center().y() - 7, 14, 14)
                painter.drawEllipse(badge)
            painter.setPen(c("#ffffff"))
            painter.setFont(small)
            painter.drawText(badge, QtCore.Qt.AlignmentFlag.AlignCenter,
                             "freed" if key == "freed" else "3")
        painter.setPen(c(theme.text))
        painter.setFont(title)
        painter.drawText(QtCore.QRectF(x + SWATCH + 10, y, step, ROW),
                         QtCore.Qt.AlignmentFlag.AlignVCenter, text)
    painter.restore()
    return size


def _colors(key: str, theme) -> tuple[str, str]:
    return {
        "leaf": (theme.leaf, theme.leaf_border),
        "output": (theme.output, theme.output_border),
        "plain": (theme.plain, theme.plain_border),
        "ghost": (theme.background, theme.ghost_border),
        "function": (theme.function, theme.function_border),
        "accumulate": (theme.accumulate, theme.accumulate_border),
        "new": (theme.new, theme.new),
        "freed": (theme.freed, theme.freed),
        "executed": (theme.executed, theme.executed),
        "released": (theme.output, theme.output_border),
    }[key]
