"""``TimelineView``: a leaf's ``.grad`` across backward calls, zeroing and ``grad = None``.

    view = TimelineView()
    view.set_history(model.history(nid))      # GradEntry(label, value) per step
    view.list.item(0).text()
    '1  backward 1   min 2  max 4  mean 2.4  norm 10.95'

A list (one row per entry, with its statistics), a plot of the grad's norm per
entry, and the entry picked in the list (or by clicking its point on the plot) shown in
full below.
"""

from __future__ import annotations

from PySide6 import QtWidgets

from gradviz.gui.inspector.array_view import ArrayView
from gradviz.gui.inspector.plots import TimelinePlot
from gradviz.gui.inspector.widgets import monospace, muted
from gradviz.session import array_summary as V


def entry_text(i: int, entry) -> str:
    """One list row: index, label, and the statistics of the grad it recorded (of its
    finite values, saying so when it holds NaN or Inf)."""
    if entry.value is None:
        return f"{i}  {entry.label:<12} None"
    s = V.summarize(entry.value)
    finite = f"of {s.count - s.nan - s.inf} finite: " if s.nan or s.inf else ""
    return f"{i}  {entry.label:<12} {finite}{V.stats_line(s)}"


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
        self.plot.scene().sigMouseClicked.connect(self._on_plot_clicked)
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
        norms, not_finite = [], set()
        for i, e in enumerate(self._entries, 1):
            self.list.addItem(entry_text(i, e))
            s = V.summarize(e.value) if e.value is not None else None
            norms.append(None if s is None else s.norm)
            if s is not None and (s.nan or s.inf):
                not_finite.add(i - 1)
        self._fit_list()
        self.list.blockSignals(False)
        if not has:
            return
        self.plot.set_points(norms, not_finite)
        if follow or not 0 <= row < len(self._entries):
            row = len(self._entries) - 1
        self.list.setCurrentRow(row)
        self._on_row_changed(row)

    def _fit_list(self) -> None:
        """Room for every row (up to 6, then a scroll bar), and for the horizontal scroll bar
        when the rows are wider than the list; the row height comes from the font, which is
        right even before the list is first shown."""
        n = len(self._entries)
        if not n:
            self.list.setFixedHeight(0)
            return
        row = self.list.sizeHintForRow(0)
        if row <= 0:  # not laid out yet
            row = self.list.fontMetrics().height() + 4
        height = row * min(n, 6) + 2 * self.list.frameWidth() + 2
        if self.list.sizeHintForColumn(0) > self.list.width() - 2 * self.list.frameWidth():
            height += self.list.horizontalScrollBar().sizeHint().height()
        self.list.setFixedHeight(height)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._fit_list()

    def _on_plot_clicked(self, event) -> None:
        """A click on the plot picks the entry nearest to it (entries are at x = 1, 2, ...)."""
        vb = self.plot.getPlotItem().vb
        if not self._entries or not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        x = vb.mapSceneToView(event.scenePos()).x()
        self.list.setCurrentRow(min(max(round(x) - 1, 0), len(self._entries) - 1))

    def _on_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._entries):
            e = self._entries[row]
            self.entry.set_array(e.value)
            if e.value is None:
                self.entry.set_none(f"{e.label}: .grad is None")
            else:
                self.entry.summary.setText(f"{e.label}:  {self.entry.summary.text()}")
