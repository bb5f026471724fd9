"""The Modules panel: the module hierarchy of the graph, each group's box ticked when it
is drawn open and unticked when it is drawn as one node.

    tree = ModuleTree(model)
    tree.refresh()                      # after the model changed (the view's signal)
    tree.item("net.3").setCheckState(0, QtCore.Qt.CheckState.Unchecked)   # collapses

Double-clicking a row shows that group in the view (``groupActivated``).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class ModuleTree(QtWidgets.QTreeWidget):
    """A tree of ``model.groups()``: ``net`` > ``net.0`` > ``net.0.body`` ..."""

    groupActivated = QtCore.Signal(str)  # the path of a row double-clicked

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self.setHeaderLabels(["module", "nodes"])
        self.setColumnWidth(0, 240)
        self._items: dict[str, QtWidgets.QTreeWidgetItem] = {}
        self._updating = False
        self._in_change = False
        self.itemChanged.connect(self._on_item_changed)
        self.itemDoubleClicked.connect(lambda item, _col: self.groupActivated.emit(
            item.data(0, QtCore.Qt.ItemDataRole.UserRole)))

    def item(self, path: str) -> QtWidgets.QTreeWidgetItem | None:
        return self._items.get(path)

    def refresh(self, *_) -> None:
        """Rebuild the rows from the model's groups (keeping which rows are unfolded)."""
        groups = self.model.groups()
        if set(groups) == set(self._items):  # same tree: update the rows in place (a row
            self._update_rows(groups)        # may be the one whose tick called us)
            return
        if self._in_change:  # never delete the row whose signal is running
            QtCore.QTimer.singleShot(0, self.refresh)
            return
        unfolded = {p for p, it in self._items.items() if it.isExpanded()}
        fresh = not self._items
        self._updating = True
        try:
            self.clear()
            self._items = {}
            for path in sorted(groups, key=tree_order):
                g = groups[path]
                parent = self._items.get(g["parent"])
                item = QtWidgets.QTreeWidgetItem([g["label"], str(len(g["nodes"]))])
                item.setData(0, QtCore.Qt.ItemDataRole.UserRole, path)
                item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, QtCore.Qt.CheckState.Unchecked if path in self.model.collapsed
                                   else QtCore.Qt.CheckState.Checked)
                item.setToolTip(0, "ticked: drawn open, with a box around it; "
                                   "unticked: drawn as one node")
                (parent.addChild if parent is not None else self.addTopLevelItem)(item)
                self._items[path] = item
            for path, item in self._items.items():
                item.setExpanded(path in unfolded or (fresh and path.count(".") < 1))
        finally:
            self._updating = False

    def _update_rows(self, groups) -> None:
        self._updating = True
        try:
            for path, item in self._items.items():
                item.setText(0, groups[path]["label"])
                item.setText(1, str(len(groups[path]["nodes"])))
                item.setCheckState(0, QtCore.Qt.CheckState.Unchecked
                                   if path in self.model.collapsed
                                   else QtCore.Qt.CheckState.Checked)
        finally:
            self._updating = False

    def _on_item_changed(self, item, column) -> None:
        if self._updating or column != 0:
            return
        path = item.data(0, QtCore.Qt.ItemDataRole.UserRole)
        self._in_change = True
        try:
            if item.checkState(0) == QtCore.Qt.CheckState.Checked:
                self.model.expand(path)
            else:
                self.model.collapse(path)
        finally:
            self._in_change = False


def add_module_tree_dock(window) -> QtWidgets.QDockWidget:
    """The Modules panel as a dock of ``window`` (an ``App``), tabbed with the inspector,
    kept in step with the view; a double-clicked row is shown in the view."""
    tree = window.module_tree = ModuleTree(window.model)
    dock = window._dock("Modules", tree, QtCore.Qt.DockWidgetArea.RightDockWidgetArea)
    window.tabifyDockWidget(window.inspector_dock, dock)
    window.inspector_dock.raise_()
    window.view.modelChanged.connect(tree.refresh)
    tree.groupActivated.connect(window.view.show_group)
    return dock


def tree_order(path: str) -> list:
    """Sort key of a group path: a parent before its children, numbered children
    (``net.2`` before ``net.10``) before named ones, a module's calls in order
    (``net.pool``, ``net.pool#2``)::

        "net.pool#2" -> [(1, 0, "net", 1), (1, 0, "pool", 2)]
    """
    key = []
    for part in path.split("."):
        name, _, call = part.partition("#")
        number = int(call) if call.isdigit() else 1
        key.append((0, int(name), "", number) if name.isdigit() else (1, 0, name, number))
    return key
