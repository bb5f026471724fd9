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
        self.plot.setLabel("left", "saved bytes alive")
        layout.addWidget(self.plot)
        bytes_alive = np.array([p[2] for p in self.points], float)
        forward = sum(1 for p in self.points if p[0] == "forward")
        x = np.arange(len(bytes_alive))
        self.plot.plot(x[:forward], bytes_alive[:forward], pen=pg.mkPen("#1c7ed6", width=2))
        if forward < len(x):
            self.plot.plot(x[forward - 1:] if forward else x, bytes_alive[forward - 1:]
                           if forward else bytes_alive, pen=pg.mkPen("#f76707", width=2))
        peak = int(bytes_alive.max()) if bytes_alive.size else 0
        self.summary = QtWidgets.QLabel(
            f"peak {format_bytes(peak)} after the forward; {len(x) - forward} backward steps")
        layout.addWidget(self.summary)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
