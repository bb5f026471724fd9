"""``TensorView``: everything the tutorial says about one tensor.

Its properties (shape, dtype, requires_grad, is_leaf, version, grad_fn), its value,
its ``.grad`` and the ``.grad`` timeline, all read from the model on ``show``.

    view = TensorView()
    view.show_node(model, model.node_of(w))
    view.fields["requires_grad"].text()
    'True'
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gradviz.gui.inspector.array_view import ArrayView
from gradviz.gui.inspector.timeline import TimelineView
from gradviz.gui.inspector.widgets import (
    Fields,
    LinkButton,
    clear_layout,
    muted,
    section,
    value_label,
)
from gradviz.session import array_summary as V

ROLES = {"leaf": "leaf tensor", "output": "output tensor", "constant": "constant tensor"}


def node_text(graph, nid) -> str:
    """How a node is named in links: a tensor's variable name, a function's torch name."""
    data = graph.nodes[nid]
    if data["kind"] == "function":
        leaves = [u for u, _, d in graph.in_edges(nid, data=True) if d.get("kind") == "leaf"]
        if leaves and graph.nodes[leaves[0]].get("name"):
            return f"{data['name']} ({graph.nodes[leaves[0]]['name']})"
        return data["name"]
    return data.get("name") or f"{data.get('role', 'tensor')} #{nid}"


class TensorView(QtWidgets.QWidget):
    nodeActivated = QtCore.Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.fields = Fields(("shape", "dtype", "requires_grad", "is_leaf", "version"))
        layout.addWidget(self.fields)
        cell = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        self.grad_fn = value_label()
        row.addWidget(self.grad_fn)
        self.grad_fn_link = LinkButton("", 0)
        self.grad_fn_link.clicked.connect(lambda: self.nodeActivated.emit(self.grad_fn_link.nid))
        row.addWidget(self.grad_fn_link)
        row.addStretch(1)
        self.fields.add_row("grad_fn", cell)
        self.feeds = QtWidgets.QWidget()
        QtWidgets.QHBoxLayout(self.feeds).setContentsMargins(0, 0, 0, 0)
        self.fields.add_row("feeds", self.feeds)
        self.status = muted()
        layout.addWidget(self.status)

        layout.addWidget(section("value"))
        self.value = ArrayView()
        layout.addWidget(self.value)
        self.grad_header = section(".grad")
        layout.addWidget(self.grad_header)
        self.grad = ArrayView()
        layout.addWidget(self.grad)
        self.timeline_header = section(".grad timeline")
        layout.addWidget(self.timeline_header)
        self.timeline = TimelineView()
        layout.addWidget(self.timeline)

    def show_node(self, model, nid) -> None:
        graph = model.graph
        data = graph.nodes[nid]
        shape = data.get("shape")
        self.fields.set(shape=f"{V.fmt_shape(shape)}   {list(shape or ())}",
                        dtype=_dtype_text(data), requires_grad=data.get("requires_grad"),
                        is_leaf=data.get("is_leaf"), version=data.get("version"))
        self._show_grad_fn(model, nid)
        self._show_feeds(model, nid)
        notes = []
        if data.get("ghost"):
            notes.append("a constant autograd did not record: no gradient flows to it")
        if data.get("released"):
            notes.append("released: the tensor object no longer exists")
        self.status.setText("; ".join(notes))
        self.status.setVisible(bool(notes))

        value = model.value(nid)
        if value is None:
            self.value.set_none("released: value no longer available"
                                if data.get("released") else "value not available")
        else:
            self.value.set_array(value)

        grad = model.grad(nid)
        wants_grad = bool(data.get("requires_grad"))
        self.grad_header.setVisible(wants_grad or grad is not None)
        self.grad.setVisible(wants_grad or grad is not None)
        if grad is not None:
            self.grad.set_array(grad)
        elif data.get("is_leaf"):
            self.grad.set_none("None (no backward has reached it yet, or grad was set to None)")
        else:
            self.grad.set_none("None (a non-leaf tensor keeps no .grad unless retain_grad())")

        history = model.history(nid)
        show_timeline = bool(history) or (wants_grad and bool(data.get("is_leaf")))
        self.timeline_header.setVisible(show_timeline)
        self.timeline.setVisible(show_timeline)
        self.timeline.set_history(history)

    def _show_grad_fn(self, model, nid) -> None:
        graph = model.graph
        producers = [u for u, _, d in graph.in_edges(nid, data=True) if d.get("kind") == "output"]
        fn = model.grad_fn_of(nid)  # (node id or None, name) of the live tensor's grad_fn
        if fn is not None and fn[0] is not None:
            producers = [fn[0]]
        if producers:
            fid = producers[0]
            self.grad_fn_link.nid = fid
            self.grad_fn_link.setText(node_text(graph, fid))
            self.grad_fn_link.setToolTip(f"select node {fid}")
            self.grad_fn_link.show()
            self.grad_fn.hide()
            return
        self.grad_fn_link.hide()
        self.grad_fn.show()
        self.grad_fn.setText(fn[1] if fn is not None else "None")

    def _show_feeds(self, model, nid) -> None:
        """Links to the functions a leaf or constant feeds (its AccumulateGrad, its consumer)."""
        graph = model.graph
        layout = self.feeds.layout()
        clear_layout(layout)
        targets = sorted({v for _, v, d in graph.out_edges(nid, data=True)
                          if d.get("kind") in ("leaf", "constant")})
        form = self.fields.layout()
        form.setRowVisible(self.feeds, bool(targets))
        for fid in targets:
            button = LinkButton(node_text(graph, fid), fid)
            button.clicked.connect(lambda _=False, fid=fid: self.nodeActivated.emit(fid))
            layout.addWidget(button)
        layout.addStretch(1)


def _dtype_text(data: dict) -> str:
    """``float32``, and where the values live when that is not the CPU (``float16 on
    cuda:0``, ``float32 on meta``)."""
    device = data.get("device", "cpu")
    dtype = data.get("dtype", "?")
    return dtype if device == "cpu" else f"{dtype} on {device}"
