"""The toolbar's Find: a box, the list of matching nodes, and previous / next.

    bar = FindBar(view)
    bar.search("w")            # selects w, zoomed to a readable scale
    bar.next(); bar.previous() # F3 / Shift+F3, also Enter / Shift+Enter in the box
    bar.hit_texts()
    ['w  (leaf)', 'AccumulateGrad (w)  (grad_fn)']

Matches are ranked by ``gradviz.gui.node_text.find_ranked`` (exact variable names first,
then torch names); the count button opens the whole list, a click on a row goes there.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.inspector.tensor_view import node_text
from gradviz.model.groups_view import GROUP_PREFIX


class FindBar(QtWidgets.QWidget):
    """Find nodes of ``view`` by variable or torch name and walk through the matches."""

    message = QtCore.Signal(str, bool)  # text for the status bar, is it an error

    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.view = view
        self._searched: str | None = None  # the text the current hits are for
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Maximum,  # the toolbar's spacer grows
                           QtWidgets.QSizePolicy.Policy.Preferred)
        self.box = QtWidgets.QLineEdit()
        self.box.setFixedWidth(230)
        self.box.setPlaceholderText("Find node (Ctrl+F)")
        self.box.setToolTip("a variable name (loss) or a torch name (MulBackward0); Enter: "
                            "next match, Shift+Enter: previous")
        self.box.setClearButtonEnabled(True)
        self.box.textEdited.connect(lambda _t: self._forget())
        self.box.installEventFilter(self)
        self.prev_button = self._button("▲", "previous match (Shift+F3)", self.previous)
        self.next_button = self._button("▼", "next match (F3)", self.next)
        self.count = QtWidgets.QToolButton()
        self.count.setObjectName("find_count")
        self.count.setToolTip("every match: pick one")
        self.count.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.count.setAutoRaise(True)
        self.menu = QtWidgets.QMenu(self)
        self.count.setMenu(self.menu)
        for w in (self.box, self.prev_button, self.next_button, self.count):
            layout.addWidget(w)
        for key, slot in (("F3", self.next), ("Shift+F3", self.previous)):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            shortcut.setContext(QtCore.Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self._update()

    def _button(self, text, tip, slot) -> QtWidgets.QToolButton:
        button = QtWidgets.QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------ searching
    @property
    def hits(self) -> list[int]:
        return list(self.view.found) if self._searched is not None else []

    def search(self, text: str | None = None) -> list[int]:
        """Find ``text`` (default: the box's text); selects the best match."""
        if text is not None:
            self.box.setText(text)
        text = self.box.text()
        hits = self.view.find(text)
        self._searched = text
        self._update()
        if hits:
            self._announce()
        else:
            self.message.emit(f"no node matches {text!r}", True)
        return hits

    def next(self) -> int | None:
        return self._step(+1)

    def previous(self) -> int | None:
        return self._step(-1)

    def go(self, k: int) -> int | None:
        """Show match ``k`` (0-based) of the list."""
        if not self.hits:
            return None
        nid = self.view.show_found(k)
        self._update()
        self._announce()
        return nid

    def hit_texts(self) -> list[str]:
        """The list's rows: each match's name and what it is."""
        model = self.view.model
        graph, shown = model.graph, model.shown_graph()
        rows = []
        for nid in self.hits:
            if nid in graph:
                d = graph.nodes[nid]
                what = "grad_fn" if d["kind"] == "function" else d.get("role", "tensor")
                inside = model.collapsed_around(nid)
                where = f", in {inside}" if inside is not None else ""
                rows.append(f"{node_text(graph, nid)}  ({what}{where})")
            elif nid in shown:  # a collapsed module group
                d = shown.nodes[nid]
                rows.append(f"{d['label']}  (module, {d['count']} nodes)")
            else:  # a group opened since the search
                rows.append(f"{nid[len(GROUP_PREFIX):]}  (module)")
        return rows

    def _step(self, delta: int) -> int | None:
        if self._searched != self.box.text() or not self.hits:
            hits = self.search()
            return hits[0] if hits else None
        return self.go(self.view.found_at + delta)

    def _forget(self) -> None:
        self._searched = None
        self._update()

    def _announce(self) -> None:
        hits, k = self.hits, self.view.found_at
        text = self.box.text()
        name = self.hit_texts()[k] if 0 <= k < len(self.hit_texts()) else ""
        self.message.emit(f"{len(hits)} node{'s' if len(hits) != 1 else ''} match {text!r}: "
                          f"{k + 1} of {len(hits)}, {name}", False)

    def _update(self) -> None:
        hits = self.hits
        for b in (self.prev_button, self.next_button):
            b.setEnabled(len(hits) > 1)
        self.count.setVisible(self._searched is not None)
        self.count.setText(f"{self.view.found_at + 1} of {len(hits)}" if hits else "0 of 0")
        self.menu.clear()
        for k, text in enumerate(self.hit_texts()):
            action = self.menu.addAction(text, lambda k=k: self.go(k))
            action.setCheckable(True)
            action.setChecked(k == self.view.found_at)
        self.count.setEnabled(bool(hits))

    def eventFilter(self, obj, event):  # noqa: N802
        """In the box: Enter next match, Shift+Enter previous, Esc back to the graph."""
        if obj is not self.box or event.type() != QtCore.QEvent.Type.KeyPress:
            return False
        key = QtCore.Qt.Key
        if event.key() in (key.Key_Return, key.Key_Enter):
            shift = event.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier
            self.previous() if shift else self.next()
            return True
        if event.key() == key.Key_Escape:
            self.view.setFocus()
            return True
        return False
