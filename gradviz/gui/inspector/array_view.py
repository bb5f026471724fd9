"""``ArrayView``: one array (a value, a grad, a gradient passed in backward) summarised.

    view = ArrayView()
    view.set_array(np.eye(3))
    view.stats["max"].text()
    '1'

Always the shape, dtype and statistics; small arrays cell by cell; 2-D arrays
also as a heatmap; large arrays as a histogram. ``compact=True`` leaves the
plots out (for the gradients a function node passed on).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from gradviz.gui.inspector.plots import Heatmap, Histogram, Table
from gradviz.gui.inspector.widgets import muted, value_label
from gradviz.session import array_summary as V

STAT_NAMES = ("min", "max", "mean", "norm", "NaN", "Inf")


class ArrayView(QtWidgets.QWidget):
    """Shape, dtype, stats, and a table / heatmap / histogram of one array."""

    def __init__(self, parent=None, *, compact: bool = False):
        super().__init__(parent)
        self.compact = compact
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(4)
        self.summary = muted()
        layout.addWidget(self.summary)

        self.stats_box = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(self.stats_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        self.stats: dict[str, QtWidgets.QLabel] = {}
        for i, name in enumerate(STAT_NAMES):
            label = value_label()
            self.stats[name] = label
            row, col = divmod(i, 3)
            grid.addWidget(muted(name), row, 2 * col)
            grid.addWidget(label, row, 2 * col + 1)
            # rows line up for most values; a narrow dock still fits three columns
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("-0.0000"))
        grid.setColumnStretch(6, 1)
        layout.addWidget(self.stats_box)

        self.table = Table()
        layout.addWidget(self.table, 0, QtCore.Qt.AlignmentFlag.AlignLeft)
        # plots are built on first use: a pyqtgraph widget costs tens of milliseconds
        self._heatmap: Heatmap | None = None
        self._histogram: Histogram | None = None
        self.note = muted()
        layout.addWidget(self.note)
        self.set_none()

    @property
    def heatmap(self) -> Heatmap:
        if self._heatmap is None:
            self._heatmap = Heatmap()
            self.layout().insertWidget(self.layout().indexOf(self.note), self._heatmap)
        return self._heatmap

    @property
    def histogram(self) -> Histogram:
        if self._histogram is None:
            self._histogram = Histogram()
            self.layout().insertWidget(self.layout().indexOf(self.note), self._histogram)
        return self._histogram

    def heatmap_shown(self) -> bool:
        return self._heatmap is not None and not self._heatmap.isHidden()

    def histogram_shown(self) -> bool:
        return self._histogram is not None and not self._histogram.isHidden()

    def set_none(self, text: str = "None") -> None:
        """Show that there is no array (``.grad`` is None, the tensor was released...)."""
        self.summary.setText(text)
        self.stats_box.hide()
        self.table.hide()
        self.note.hide()
        for plot in (self._heatmap, self._histogram):
            if plot is not None:
                plot.hide()

    def set_array(self, a: np.ndarray | None) -> None:
        if a is None:
            self.set_none()
            return
        a = np.asarray(a)
        stats = V.summarize(a)
        finite = stats.count - stats.nan - stats.inf
        self.summary.setText(f"{V.fmt_shape(a.shape)}  ·  {a.dtype.name}  ·  "
                             f"{a.size:,} element{'s' if a.size != 1 else ''}"
                             + (f"  ·  min, max, mean, norm of the {finite:,} finite"
                                if finite != stats.count else ""))
        self.stats_box.setVisible(a.size > 0)
        for name, v in zip(STAT_NAMES, (stats.min, stats.max, stats.mean, stats.norm,
                                        stats.nan, stats.inf), strict=True):
            self.stats[name].setText(V.fmt(v))
            bad = name in ("NaN", "Inf") and v
            self.stats[name].setStyleSheet("color: #c01c28; font-weight: bold;" if bad else "")
        small = 0 < a.size <= V.TABLE_LIMIT
        self.table.setVisible(small)
        if small:
            self.table.set_array(a)
        notes = []
        want_heatmap = not self.compact and a.ndim == 2 and a.size > 1
        if want_heatmap:
            self.heatmap.set_array(a, stats)
            if self.heatmap.strides != (1, 1):
                notes.append("heatmap shows 1 in {} rows, 1 in {} columns".format(
                    *self.heatmap.strides))
        if self._heatmap is not None:
            self._heatmap.setVisible(want_heatmap)
        want_hist = not self.compact and a.size > V.TABLE_LIMIT
        if want_hist:
            self.histogram.set_array(a, stats)
            if self.histogram.stride > 1:
                notes.append(f"histogram of a sample: 1 in {self.histogram.stride} elements")
        elif a.size > V.TABLE_LIMIT:
            notes.append(f"more than {V.TABLE_LIMIT} elements: statistics only")
        if self._histogram is not None:
            self._histogram.setVisible(want_hist)
        self.note.setText("; ".join(notes))
        self.note.setVisible(bool(notes))
