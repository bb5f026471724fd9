"""``InspectorPanel``: the selected node of a ``GraphModel``, kept up to date.

    panel = InspectorPanel(model)
    panel.nodeActivated.connect(window.select)   # next_functions / grad_fn links
    panel.show_node(model.node_of(w))

The panel reads everything from the model each time it shows a node and holds
no state beyond the shown node id. It listens to the model and refreshes when
that node (or a neighbour) changes; the listener is removed when the panel is
closed or destroyed. Model changes reach it through a Qt signal, so a change
flushed on another thread is shown on the GUI thread.
"""

from __future__ import annotations

import sys

from PySide6 import QtCore, QtWidgets

from gradviz.gui.inspector.function_view import FunctionView
from gradviz.gui.inspector.tensor_view import ROLES, TensorView
from gradviz.gui.inspector.widgets import FitLabel, muted
from gradviz.gui.weak_listener import WeakListener


class InspectorPanel(QtWidgets.QWidget):
    """Shows one node of ``model``: a tensor (value, grad, timeline) or a grad_fn."""

    nodeActivated = QtCore.Signal(int)
    _changed = QtCore.Signal(object)

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        self._nid: int | None = None
        self.setObjectName("inspector")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll)
        body = QtWidgets.QWidget()
        scroll.setWidget(body)
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)

        self.title = FitLabel(15.0)  # BinaryCrossEntropyWithLogitsBackward0 fits in smaller type
        layout.addWidget(self.title)
        self.subtitle = muted()
        layout.addWidget(self.subtitle)
        self.tensor_view = TensorView()
        self.function_view = FunctionView()
        for view in (self.tensor_view, self.function_view):
            view.nodeActivated.connect(self.nodeActivated)
            view.hide()
            layout.addWidget(view)
        layout.addStretch(1)

        self._changed.connect(self._on_change)
        self._listener = WeakListener(self, model, "_emit_changed")
        self._listening = False
        self._listen()
        listener = self._listener
        self.destroyed.connect(lambda *_: model.remove_listener(listener))
        self.clear()

    def _emit_changed(self, change) -> None:
        self._changed.emit(change)  # through a signal: a change may come from another thread

    # ------------------------------------------------------------ public
    @property
    def nid(self) -> int | None:
        """The shown node id, or None."""
        return self._nid

    def show_node(self, nid: int | None) -> None:
        """Show node ``nid`` of the model (``None`` clears the panel)."""
        if nid is None:
            self.clear()
            return
        self._nid = nid
        self._refresh()

    def clear(self, message: str = "Select a node in the graph to inspect it.") -> None:
        self._nid = None
        self.title.setText("Inspector")
        self.subtitle.setText(message)
        self.tensor_view.hide()
        self.function_view.hide()

    # ------------------------------------------------------------ model link
    def _listen(self) -> None:
        if not self._listening:
            self.model.add_listener(self._listener)
            self._listening = True

    def _unlisten(self) -> None:
        if self._listening:
            self.model.remove_listener(self._listener)
            self._listening = False

    def closeEvent(self, event):  # noqa: N802
        self._unlisten()
        super().closeEvent(event)

    def showEvent(self, event):  # noqa: N802
        if not self._listening:
            self._listen()
            self._refresh()
        super().showEvent(event)

    def _on_change(self, change) -> None:
        nid = self._nid
        if nid is None:
            return
        graph = self.model.graph
        if nid in change.removed or nid not in graph:
            self.clear(f"node {nid} was removed from the graph")
            return
        touched = change.added | change.updated
        if nid in touched or touched.intersection(graph.predecessors(nid)):
            self._refresh()

    def _refresh(self) -> None:
        nid = self._nid
        if nid is None:
            return
        if nid not in self.model.graph:
            self.clear(f"node {nid} is not in the graph")
            return
        try:
            self._show(nid)
        except Exception:  # shown in the panel and reported; the user's statement goes on
            self.clear(f"could not show node {nid}: {sys.exc_info()[1]!r}")
            sys.excepthook(*sys.exc_info())

    def _show(self, nid) -> None:
        data = self.model.graph.nodes[nid]
        if data["kind"] == "function":
            self.title.setText(data["name"])
            state = ["function", f"node {nid}"]
            if data.get("freed"):
                state.append("saved tensors freed")
            if data.get("released"):
                state.append("released")
            self.subtitle.setText("  ·  ".join(state))
            self.tensor_view.hide()
            self.function_view.show_node(self.model, nid)
            self.function_view.show()
        else:
            self.title.setText(data.get("name") or data.get("label") or f"tensor {nid}")
            state = [ROLES.get(data.get("role"), "tensor"), f"node {nid}"]
            if data.get("ghost"):
                state.append("ghost")
            if data.get("released"):
                state.append("released")
            self.subtitle.setText("  ·  ".join(state))
            self.function_view.hide()
            self.tensor_view.show_node(self.model, nid)
            self.tensor_view.show()
