"""Small pyqtgraph plots of one array: a heatmap with a colour bar and a histogram."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.inspector.widgets import monospace
from gradviz.session import array_summary as V

HIST_BRUSH = (70, 120, 180, 150)
HIST_PEN = pg.mkPen((40, 80, 140), width=1)
WIDE = 380  # a table wider than this may need a horizontal scroll bar


def _style_plot(plot: pg.PlotItem) -> None:
    plot.setMenuEnabled(False)
    plot.hideButtons()


class _Themed:
    """Plots follow the application's palette (light or dark theme): background = Base,
    axes = Text. Subclasses list their axes in ``_axes()``."""

    _themed = False  # set once the subclass has built its axes

    def _axes(self):
        return ()

    def _apply_palette(self) -> None:
        self._themed = True
        palette = self.palette()
        self.setBackground(palette.color(QtGui.QPalette.ColorRole.Base))
        text = palette.color(QtGui.QPalette.ColorRole.Text)
        for axis in self._axes():
            axis.setPen(text)
            axis.setTextPen(text)

    def wheelEvent(self, event):  # noqa: N802
        """The wheel scrolls the panel the plot sits in; the plot does not zoom."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QtWidgets.QAbstractScrollArea):
            area = area.parentWidget()
        if area is None:
            event.ignore()
            return
        QtWidgets.QApplication.sendEvent(area.verticalScrollBar(), event.clone())
        event.accept()

    def changeEvent(self, event):  # noqa: N802
        kind = event.type()
        if self._themed and kind in (QtCore.QEvent.Type.PaletteChange,
                                     QtCore.QEvent.Type.StyleChange):
            self._apply_palette()
        super().changeEvent(event)


class Heatmap(_Themed, pg.GraphicsLayoutWidget):
    """A 2-D array as an image (row 0 at the top, like the table) with a colour bar.

    Values of both signs use a diverging map centred on zero, others viridis.
    """

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setMinimumHeight(150)
        self.setMaximumHeight(210)
        self.plot = self.addPlot()
        _style_plot(self.plot)
        self.plot.invertY(True)
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(0, 1), width=12, colorMap="viridis",
                                   interactive=False, colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=self.plot)
        self.strides = (1, 1)
        self._apply_palette()

    def _axes(self):
        return (self.plot.getAxis("left"), self.plot.getAxis("bottom"), self.bar.axis)

    def set_array(self, a: np.ndarray, stats: V.Stats) -> None:
        img, self.strides = V.heatmap_image(a)
        lo, hi = (stats.min, stats.max) if stats.min is not None else (0.0, 1.0)
        if lo < 0 < hi:
            m = max(-lo, hi)
            lo, hi, cmap = -m, m, "CET-D1"
        else:
            cmap = "viridis"
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        if not np.isfinite(img).all():
            img = np.where(np.isfinite(img), img, lo)
        self.bar.setColorMap(pg.colormap.get(cmap))
        self.bar.setLevels((lo, hi))
        sr, sc = self.strides
        self.image.setImage(img, autoLevels=False, levels=(lo, hi))
        w, h = img.shape[1] * sc, img.shape[0] * sr
        self.image.setRect(QtCore.QRectF(-0.5, -0.5, w, h))  # cell (i, j) centred on (j, i)
        self.plot.setRange(xRange=(-0.5, w - 0.5), yRange=(-0.5, h - 0.5), padding=0)
        for name, n in (("bottom", w), ("left", h)):  # small matrices: one tick per index
            ticks = [[(i, str(i)) for i in range(n)]] if n <= 12 else None
            self.plot.getAxis(name).setTicks(ticks)


class Histogram(_Themed, pg.PlotWidget):
    """The distribution of an array's finite values as a step plot."""

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setMinimumHeight(140)
        self.setMaximumHeight(190)
        _style_plot(self.getPlotItem())
        self.curve = pg.PlotDataItem(stepMode="center", fillLevel=0, brush=HIST_BRUSH,
                                     pen=HIST_PEN)
        self.addItem(self.curve)
        self.stride = 1
        self._apply_palette()

    def _axes(self):
        plot = self.getPlotItem()
        return (plot.getAxis("left"), plot.getAxis("bottom"))

    def set_array(self, a: np.ndarray, stats: V.Stats) -> None:
        counts, edges, self.stride = V.histogram(a, stats)
        self.curve.setData(x=edges, y=counts.astype(float))
        self.getPlotItem().enableAutoRange()


class TimelinePlot(_Themed, pg.PlotWidget):
    """One number per timeline entry (the norm of the grad), ``None`` entries left as gaps."""

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setMinimumHeight(110)
        self.setMaximumHeight(140)
        plot = self.getPlotItem()
        _style_plot(plot)
        plot.setLabel("left", "‖grad‖")
        self.curve = pg.PlotDataItem(pen=HIST_PEN, symbol="o", symbolSize=7,
                                     symbolBrush=(40, 80, 140), symbolPen=None,
                                     connect="finite")
        self.addItem(self.curve)
        self.bad = pg.ScatterPlotItem(symbol="x", size=10, brush=(192, 28, 40), pen=None)
        self.addItem(self.bad)
        self._apply_palette()

    def _axes(self):
        plot = self.getPlotItem()
        return (plot.getAxis("left"), plot.getAxis("bottom"))

    def set_points(self, ys: list[float | None], not_finite=()) -> None:
        """One point per entry (None: a gap); entries in ``not_finite`` (their grad holds NaN
        or Inf, so its norm is not a number to plot) are red crosses along the top."""
        y = np.array([np.nan if v is None or i in not_finite else v
                      for i, v in enumerate(ys)], dtype=float)
        x = np.arange(1, len(y) + 1, dtype=float)
        if np.isnan(y).all():  # nothing to draw (pyqtgraph warns on an all-NaN curve)
            x = y = np.zeros(0)
        self.curve.setData(x=x, y=y)
        axis = self.getPlotItem().getAxis("bottom")
        step = max(1, len(ys) // 10)
        axis.setTicks([[(i, str(i)) for i in range(1, len(ys) + 1, step)]])
        self.getPlotItem().setXRange(0.5, max(1, len(ys)) + 0.5, padding=0)
        finite = y[np.isfinite(y)]
        top = float(finite.max()) if finite.size else 1.0
        top = top * 1.1 or 1.0
        self.getPlotItem().setYRange(0, top, padding=0)
        bad = sorted(not_finite)
        self.bad.setData(x=[i + 1.0 for i in bad], y=[top * 0.95] * len(bad))


class Table(QtWidgets.QTableWidget):
    """A small array cell by cell, 4 significant digits, read-only."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setFont(monospace())
        self.horizontalHeader().setMinimumSectionSize(24)
        self.verticalHeader().setMinimumSectionSize(18)
        self.verticalHeader().setDefaultSectionSize(20)
        self.verticalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Fixed)

    def set_array(self, a: np.ndarray) -> None:
        rows, row_labels, col_labels = V.table_cells(a)
        self.clear()
        self.setRowCount(len(rows))
        self.setColumnCount(len(col_labels))
        self.setHorizontalHeaderLabels(col_labels)
        self.setVerticalHeaderLabels(row_labels)
        self.horizontalHeader().setVisible(any(col_labels))
        self.verticalHeader().setVisible(any(row_labels))
        align = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QtWidgets.QTableWidgetItem(text)
                item.setTextAlignment(align)
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        self._fit(len(rows))

    def _fit(self, n_rows: int) -> None:
        """Size to the contents: up to 8 rows and the width of the columns, no empty space."""
        vh, hh = self.verticalHeader(), self.horizontalHeader()
        frame = 2 * self.frameWidth()
        shown = min(n_rows, 8)
        width = hh.length() + frame + (0 if vh.isHidden() else vh.sizeHint().width())
        height = vh.defaultSectionSize() * shown + frame
        if not hh.isHidden():
            height += hh.sizeHint().height()
        if n_rows > shown:
            width += self.verticalScrollBar().sizeHint().width()
        if width > WIDE:
            height += self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(height)
        self.setMaximumWidth(width)

    def cell_texts(self) -> list[list[str]]:
        """The shown cells (for tests and copying)."""
        return [[self.item(r, c).text() for c in range(self.columnCount())]
                for r in range(self.rowCount())]
