"""``FunctionView``: one grad_fn node, as torch would describe it.

Its torch name, the derivative formula it applies (from the op table), its
``next_functions`` (click one to select it: ``nodeActivated(int)``), its saved
tensors with their versions and freed state, and, after a backward, the
gradient it received and what it passed to each input.

    view = FunctionView()
    view.show_node(model, model.node_of(out.grad_fn))
    [b.text() for b in view.next_links()]
    ['PowBackward0']
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from gradviz.gui.inspector.array_view import ArrayView
from gradviz.gui.inspector.debug_fields import debug_fields
from gradviz.gui.inspector.tensor_view import node_text
from gradviz.gui.inspector.widgets import (
    Fields,
    LinkButton,
    clear_layout,
    muted,
    section,
    subheader,
    value_label,
)
from gradviz.session import array_summary as V


def next_entries(model, nid) -> list[tuple[int | None, str]]:
    """``next_functions`` as ``(node id or None, name)`` per entry, ``(None, "None")`` for
    inputs that need no gradient. Read from the live grad_fn, else from the graph's edges."""
    live = model.next_functions(nid)
    if live is not None:
        return [(None, "None") if name is None else
                (fid, node_text(model.graph, fid) if fid is not None else name)
                for fid, name in live]
    graph = model.graph
    by_position = {d["input_nr"]: u for u, _, d in graph.in_edges(nid, data=True)
                   if d.get("kind") == "next"}
    size = max([len(graph.nodes[nid].get("grads_out") or ())] + [i + 1 for i in by_position])
    return [(by_position[i], node_text(graph, by_position[i])) if i in by_position
            else (None, "None") for i in range(size)]


def saved_entries(model, nid) -> list[tuple[str, str, int | None]]:
    """``(name, description, tensor node id or None)`` per saved value of a function node."""
    data = model.graph.nodes[nid]
    names = tuple(data.get("saved") or ())
    if data.get("freed"):
        return [(n, "freed (backward ran without retain_graph=True)", None) for n in names]
    values = model.saved_values(nid)
    if values is None:
        return [(n, "not available (the grad_fn was released)", None) for n in names]
    saved = {entry.name: entry for entry in values}
    return [(n, *_describe_saved(model, saved.get(n))) for n in names]


def _describe_saved(model, entry):
    if entry is None:
        return "not saved (no formula needs it)", None
    if entry.version is not None:  # a tensor: an input, or the result
        node = model.node_of(entry.tensor) if entry.tensor is not None else None
        return _tensor_text(entry.value, entry.version, entry.current_version), node
    v = entry.value
    if v is None:
        return "not saved (no input that needs it requires grad)", None
    if isinstance(v, np.ndarray):
        return f"array {V.fmt_shape(v.shape)} {v.dtype.name}", None
    text = repr(v)
    return f"= {text if len(text) <= 60 else text[:57] + '...'}", None


def _tensor_text(data, version, now) -> str:
    text = f"tensor {V.fmt_shape(data.shape)} {data.dtype.name}, saved at version {version}"
    if now != version:
        text += f", now version {now}: modified in place, backward will fail"
    return text


class FunctionView(QtWidgets.QWidget):
    nodeActivated = QtCore.Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.fields = Fields(("output shape", "executed", "formula", "created at",
                              "saved for backward", "NaN / Inf"))
        layout.addWidget(self.fields)
        layout.addWidget(section("next_functions"))
        self.next_box = QtWidgets.QGridLayout()
        self.next_box.setHorizontalSpacing(8)
        self.next_box.setVerticalSpacing(0)
        layout.addLayout(self.next_box)
        layout.addWidget(section("saved tensors"))
        self.saved_box = QtWidgets.QGridLayout()
        self.saved_box.setHorizontalSpacing(8)
        layout.addLayout(self.saved_box)
        self.grads_header = section("last backward")
        layout.addWidget(self.grads_header)
        self.grads_box = QtWidgets.QVBoxLayout()
        self.grads_box.setSpacing(4)
        layout.addLayout(self.grads_box)
        self.grad_in: ArrayView | None = None
        self.grads_out: list[ArrayView] = []

    def next_links(self) -> list[LinkButton]:
        """The clickable next_functions entries, in order."""
        items = (self.next_box.itemAt(i).widget() for i in range(self.next_box.count()))
        return [w for w in items if isinstance(w, LinkButton)]

    def _link(self, text, nid) -> LinkButton:
        button = LinkButton(text, nid)
        button.clicked.connect(lambda: self.nodeActivated.emit(button.nid))
        return button

    def show_node(self, model, nid) -> None:
        graph = model.graph
        data = graph.nodes[nid]
        executed = data.get("executed")
        self.fields.set(**{
            "output shape": V.fmt_shape(data["shape"]) if data.get("shape") is not None else "?",
            "executed": f"step {executed} of the last backward" if executed else "not in the "
                        "last backward",
            "formula": data.get("formula") or "—",
            **debug_fields(model, nid),
        })
        self._show_next(model, nid)
        self._show_saved(model, nid)
        self._show_grads(model, nid)

    def _show_next(self, model, nid) -> None:
        clear_layout(self.next_box)
        graph = model.graph
        rows = [(f"[{i}]", fid, name) for i, (fid, name) in enumerate(next_entries(model, nid))]
        for u, _, d in graph.in_edges(nid, data=True):
            if d.get("kind") == "leaf":
                rows.append(("variable", u, node_text(graph, u)))
            elif d.get("kind") == "constant":
                rows.append(("constant", u, node_text(graph, u)))
        if not rows:
            self.next_box.addWidget(muted("()  (nothing upstream)"), 0, 0, 1, 2)
        for r, (key, fid, name) in enumerate(rows):
            self.next_box.addWidget(muted(key), r, 0)
            if fid is None or fid not in graph:
                self.next_box.addWidget(value_label(name, fill=True), r, 1)
            else:
                self.next_box.addWidget(self._link(name, fid), r, 1)
        self.next_box.setColumnStretch(1, 1)

    def _show_saved(self, model, nid) -> None:
        clear_layout(self.saved_box)
        entries = saved_entries(model, nid)
        if not entries:
            self.saved_box.addWidget(muted("nothing saved"), 0, 0, 1, 2)
        for r, (name, text, tid) in enumerate(entries):
            self.saved_box.addWidget(value_label(name), r, 0)
            label = value_label(text, fill=True)
            if "freed" in text or "modified" in text:
                label.setStyleSheet("color: #c01c28;")
            self.saved_box.addWidget(label, r, 1)
            if tid is not None and tid in model.graph:
                self.saved_box.addWidget(self._link(node_text(model.graph, tid), tid), r, 2)
        self.saved_box.setColumnStretch(1, 1)

    def _show_grads(self, model, nid) -> None:
        clear_layout(self.grads_box)
        self.grad_in, self.grads_out = None, []
        data = model.graph.nodes[nid]
        grad_in, grads_out = data.get("grad_in"), tuple(data.get("grads_out") or ())
        ran = data.get("executed") is not None or grad_in is not None
        self.grads_header.setVisible(True)
        if not ran:
            self.grads_box.addWidget(muted("not run yet: call backward() to see the gradients"))
            return
        self.grads_box.addWidget(subheader("received (grad_in)"))
        self.grad_in = ArrayView(compact=True)
        self.grad_in.set_array(grad_in)
        self.grads_box.addWidget(self.grad_in)
        if data.get("name") == "AccumulateGrad":
            var = [u for u, _, d in model.graph.in_edges(nid, data=True) if d.get("kind") == "leaf"]
            target = node_text(model.graph, var[0]) if var else "the leaf"
            self.grads_box.addWidget(muted(f"added into {target}.grad"))
            return
        entries = next_entries(model, nid)
        for i, g in enumerate(grads_out):
            name = entries[i][1] if i < len(entries) else "?"
            self.grads_box.addWidget(subheader(f"passed to [{i}] {name}"))
            view = ArrayView(compact=True)
            if g is None:
                view.set_none("None (this input needs no gradient)")
            else:
                view.set_array(g)
            self.grads_out.append(view)
            self.grads_box.addWidget(view)
