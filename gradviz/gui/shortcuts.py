"""Help > Keyboard shortcuts: the action table and the mouse gestures of the graph.

    ShortcutsDialog(window).show()
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gradviz.gui.controls import ACTIONS

GESTURES = (
    ("Click a node", "select it (inspector, console variable sel)"),
    ("Drag a node", "move and pin it (right-click > Unpin)"),
    ("Drag the background", "pan"),
    ("Mouse wheel, + / -", "zoom around the cursor"),
    ("Arrow keys", "pan the graph"),
    ("Esc", "clear the selection"),
    ("Up / Down in the console", "command history"),
    ("Right-click a node", "its actions"),
)


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(key, action, what it does) for every action that has a shortcut."""
    return [(key, text.rstrip("…"), tip) for _, text, key, tip, _ in ACTIONS if key]


class ShortcutsDialog(QtWidgets.QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(640, 620)
        layout = QtWidgets.QVBoxLayout(self)
        rows = shortcut_rows() + [(g, "", d) for g, d in GESTURES]
        self.table = QtWidgets.QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Keys", "Action", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QtWidgets.QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout.addWidget(close)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
