"""A plot of the bytes saved for backward alive through the forward and the last backward.

    SavedMemoryPlot(model).show()

The x axis counts graph nodes: first each function node as the forward created it, then
each node as the last backward ran it (freeing its saved tensors unless ``retain_graph``).
Data from :func:`gradviz.model.saved_memory.timeline`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gradviz.model.saved_memory import format_bytes, timeline


def _unit(peak: int) -> tuple[str, float]:
    """The unit the axis counts in: the one ``format_bytes`` gives the peak."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if peak >= size:
            return unit, size
    return "B", 1.0


class SavedMemoryPlot(QtWidgets.QDialog):
    """Saved bytes alive, step by step (forward in blue, backward in orange)."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Saved for backward: bytes alive")
        self.resize(640, 360)
        self.points = timeline(model)
        layout = QtWidgets.QVBoxLayout(self)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLabel("bottom", "forward (nodes created), then backward (nodes run)")
        layout.addWidget(self.plot)
        bytes_alive = np.array([p[2] for p in self.points], float)
        forward = sum(1 for p in self.points if p[0] == "forward")
        peak = int(bytes_alive.max()) if bytes_alive.size else 0
        unit, size = _unit(peak)
        self.plot.setLabel("left", f"saved bytes alive ({unit})")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setYRange(0, max(peak, 1) / size * 1.08, padding=0)  # from 0: to scale
        self.plot.addLegend(offset=(-10, 10))
        y = bytes_alive / size
        x = np.arange(len(y))
        self.plot.plot(x[:forward], y[:forward], pen=pg.mkPen("#1c7ed6", width=2),
                       name="forward")
        if forward < len(x):
            start = max(forward - 1, 0)
            self.plot.plot(x[start:], y[start:], pen=pg.mkPen("#f76707", width=2),
                           name="backward")
        ran = len(x) - forward
        if not ran:
            after = "no backward yet"
        elif bytes_alive[-1] >= bytes_alive[forward - 1 if forward else 0]:
            after = f"the last backward ({ran} nodes) freed none of them"
        else:
            freed = int(bytes_alive[forward - 1 if forward else 0] - bytes_alive[-1])
            after = f"the last backward ({ran} nodes) freed {format_bytes(freed)}"
        self.summary = QtWidgets.QLabel(f"peak {format_bytes(peak)} after the forward; {after}")
        layout.addWidget(self.summary)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
