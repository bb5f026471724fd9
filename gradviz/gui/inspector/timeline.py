"""``TimelineView``: a leaf's ``.grad`` across backward calls, zeroing and ``grad = None``.

    >>> view = TimelineView()
    >>> view.set_history(model.history(nid))      # GradEntry(label, value) per step
    >>> view.list.item(0).text()
    '1  backward 1   min 2  max 4  mean 2.4  norm 10.95'

A list (one row per entry, with its statistics), a plot of the grad's norm per
entry, and the entry picked in the list shown in full below.
"""

from __future__ import annotations

from PySide6 import QtWidgets

from gradviz.gui.inspector.array_view import ArrayView
from gradviz.gui.inspector.plots import TimelinePlot
from gradviz.gui.inspector.widgets import monospace, muted
from gradviz.session import array_summary as V


def entry_text(i: int, entry) -> str:
    """One list row: index, label, and the statistics of the grad it recorded."""
    if entry.value is None:
        return f"{i}  {entry.label:<12} None"
    return f"{i}  {entry.label:<12} {V.stats_line(V.summarize(entry.value))}"


class TimelineView(QtWidgets.QWidget):
    """The ``.grad`` timeline of one tensor node."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.empty = muted("no backward has reached this tensor yet")
        layout.addWidget(self.empty)
        self.list = QtWidgets.QListWidget()
        self.list.setFont(monospace())
        self.list.setAlternatingRowColors(True)
        self.list.currentRowChanged.connect(self._on_row_changed)
        layout.addWidget(self.list)
        self.plot = TimelinePlot()
        layout.addWidget(self.plot)
        self.entry = ArrayView(compact=True)
        layout.addWidget(self.entry)
        self._entries: list = []

    def set_history(self, entries) -> None:
        """Show ``entries`` (``model.history(nid)``), keeping the picked row if it still exists."""
        self._entries = list(entries)
        has = bool(self._entries)
        self.empty.setVisible(not has)
        for w in (self.list, self.plot, self.entry):
            w.setVisible(has)
        row = self.list.currentRow()
        follow = row < 0 or row == self.list.count() - 1  # the newest entry stays picked
        self.list.blockSignals(True)
        self.list.clear()
        norms = []
        for i, e in enumerate(self._entries, 1):
            self.list.addItem(entry_text(i, e))
            norms.append(None if e.value is None else V.summarize(e.value).norm)
        rows = max(1, min(len(self._entries), 6))
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows + 6 if has else 0)
        self.list.blockSignals(False)
        if not has:
            return
        self.plot.set_points(norms)
        if follow or not 0 <= row < len(self._entries):
            row = len(self._entries) - 1
        self.list.setCurrentRow(row)
        self._on_row_changed(row)

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._entries):
            e = self._entries[row]
            self.entry.set_array(e.value)
            if e.value is None:
                self.entry.set_none(f"{e.label}: .grad is None")
            else:
                self.entry.summary.setText(f"{e.label}:  {self.entry.summary.text()}")
