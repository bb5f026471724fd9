"""The backward stepper: replay the last backward pass one node at a time.

    stepper = Stepper(model)
    stepper.stepChanged.connect(show)      # the Step now shown (None: before step 1)
    loss.backward(); model.flush()         # the stepper resets to the new run
    stepper.go(3); stepper.next(); stepper.play()

Steps come from the model (``gradviz.session.steps``): one per node the engine ran, in its
order. Buttons first / previous / play / next / last, a slider, a speed, and the list of
every step; clicking a row goes there. A new backward (any: console, toolbar, script)
resets the stepper to that run; the model's ``backward_runs`` counter tells one run from
the next even when two runs executed the same nodes in the same order.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.weak_listener import WeakListener
from gradviz.session.steps import Step, backward_steps, done_nodes, root_name

EMPTY = ("Nothing to replay yet: select loss and press Backward (Ctrl+B), or run "
         "loss.backward() in the console. Each node backward runs becomes a step here.")
STOPPED = "The last backward stopped before any node ran: its error is in the console."


def kept_text(ran: int) -> str:
    """The caption's lead when a failed backward left the one before it shown."""
    how = (f"failed after {ran} node{'s' if ran != 1 else ''} ran" if ran
           else "stopped before any node ran")
    return f"The last backward {how} (its error is in the console); here is the one before it. "
SPEEDS = (("slow: 2 s a step", 2000), ("1 s a step", 1000), ("0.5 s a step", 500),
          ("fast: 0.2 s a step", 200))


# media-style glyphs on a 32 x 32 grid: (kind, x, y, w, h) rectangles and triangles
_GLYPHS = {
    "first": (("bar", 6, 7, 4, 18), ("left", 10, 7, 9, 18), ("left", 18, 7, 9, 18)),
    "previous": (("left", 8, 7, 12, 18), ("bar", 21, 7, 4, 18)),
    "play": (("right", 10, 6, 15, 20),),
    "pause": (("bar", 9, 7, 5, 18), ("bar", 18, 7, 5, 18)),
    "next": (("bar", 7, 7, 4, 18), ("right", 12, 7, 12, 18)),
    "last": (("right", 5, 7, 9, 18), ("right", 13, 7, 9, 18), ("bar", 22, 7, 4, 18)),
}


def media_icon(kind: str, color: QtGui.QColor) -> QtGui.QIcon:
    """A flat glyph ("first", "previous", "play", "pause", "next", "last") in ``color``."""
    pixmap = QtGui.QPixmap(32, 32)
    pixmap.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(pixmap)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    path = QtGui.QPainterPath()
    for shape, x, y, w, h in _GLYPHS[kind]:
        if shape == "bar":
            path.addRect(x, y, w, h)
            continue
        tip, base = (x, x + w) if shape == "left" else (x + w, x)
        path.addPolygon(QtGui.QPolygonF([QtCore.QPointF(base, y), QtCore.QPointF(tip, y + h / 2),
                                         QtCore.QPointF(base, y + h)]))
        path.closeSubpath()
    painter.fillPath(path, color)
    painter.end()
    return QtGui.QIcon(pixmap)


class Stepper(QtWidgets.QWidget):
    """Step through the last backward pass of ``model``."""

    stepChanged = QtCore.Signal(object)  # Step, or None before the first step / no run
    runChanged = QtCore.Signal(int)  # a new backward was loaded: its number of steps

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setObjectName("stepper")
        self._steps: list[Step] = []
        self._kept = False  # showing the run before one that failed
        self._kept_text = ""
        self._previous: list[Step] = []  # the run before the one shown
        self._fresh = False  # the shown run was loaded in this turn of the event loop
        self._failing = False  # a statement failed in this turn: its run is a failed one
        self._position = 0
        self._seen = 0
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self._on_tick)
        self._build()
        self.model = None
        self._listener = None
        self.set_model(model)

    # ------------------------------------------------------------ building
    def _button(self, glyph, tip, slot) -> QtWidgets.QToolButton:
        button = QtWidgets.QToolButton()
        button.setProperty("glyph", glyph)
        button.setIconSize(QtCore.QSize(16, 16))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def _build(self) -> None:
        self.first_button = self._button("first", "First step (Alt+Home)", self.first)
        self.previous_button = self._button("previous", "Previous step (Alt+Left)",
                                            self.previous)
        self.play_button = self._button("play", "Play / pause (F5)", self.toggle_play)
        self.next_button = self._button("next", "Next step (Alt+Right)", self.next)
        self.last_button = self._button("last", "Last step (Alt+End)", self.last)
        self._paint_icons()
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setPageStep(1)
        self.slider.valueChanged.connect(self.go)
        self.position_label = QtWidgets.QLabel()
        self.position_label.setMinimumWidth(70)
        self.speed = QtWidgets.QComboBox()
        for text, ms in SPEEDS:
            self.speed.addItem(text, ms)
        self.speed.setCurrentIndex(1)
        self.speed.setToolTip("how long Play shows each step")
        self.speed.currentIndexChanged.connect(
            lambda _: self._timer.setInterval(self.speed.currentData()))
        self._timer.setInterval(self.speed.currentData())
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.first_button, self.previous_button, self.play_button, self.next_button,
                  self.last_button):
            row.addWidget(w)
        row.addWidget(self.slider, 1)
        row.addWidget(self.position_label)
        row.addWidget(self.speed)
        self.caption = QtWidgets.QLabel()
        self.caption.setObjectName("step_caption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QtWidgets.QTreeWidget()
        self.table.setObjectName("step_list")
        self.table.setHeaderLabels(["#", "grad_fn", "received", "passed on"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.itemClicked.connect(lambda item, _c: self.go(int(item.text(0))))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(row)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)

    # ------------------------------------------------------------ model
    def set_model(self, model) -> None:
        """Replay ``model``'s last backward from now on (a loaded session's, too)."""
        if self._listener is not None:
            self.model.remove_listener(self._listener)
        self.model = model
        self._listener = listener = WeakListener(self, model, "_on_model_changed")
        model.add_listener(listener)
        self.destroyed.connect(lambda *_: model.remove_listener(listener))
        self.reset()

    def _on_model_changed(self, change) -> None:
        if self.model.backward_runs != self._seen:
            self.reset(new_run=True)
        elif self._steps and change.removed & {s.nid for s in self._steps}:
            self.reset()  # the graph was cleared

    def reset(self, new_run: bool = False) -> None:
        """Load the model's last backward and go before its first step. A new run that
        failed (``loss.backward()`` a second time: ``backward_failed``, or no node ran)
        keeps the record of the backward before it."""
        self._seen = self.model.backward_runs
        self.pause()
        steps = backward_steps(self.model)
        failed = self._failing or not steps
        self._kept = new_run and failed and bool(self._steps)
        if self._kept:
            self._kept_text = kept_text(len(steps))
        else:
            if new_run:  # the run before, should this one turn out to have failed
                self._previous, self._fresh = self._steps, True
                self._later(self._loaded_run_settled)
            self._steps = steps
        self._failing = False
        self._show_steps(new_run)

    def _loaded_run_settled(self):
        self._fresh = False

    def backward_failed(self, exc=None) -> None:
        """A statement or action raised ``exc``: if it ran a backward, that run failed, and
        the stepper keeps showing the backward before it. Call it as soon as the error is
        known, before or after the model reports the run."""
        if self._fresh and self._previous:  # the run just loaded is the failed one
            self._kept, self._kept_text = True, kept_text(len(self._steps))
            self._steps, self._previous, self._fresh = self._previous, [], False
            self._show_steps(True)
        else:
            self._failing = True
            self._later(lambda: setattr(self, "_failing", False))

    def statement_started(self) -> None:
        """A new statement runs: earlier failures and runs are settled."""
        self._failing = self._fresh = False

    def _later(self, fn) -> None:
        QtCore.QTimer.singleShot(0, self, fn)  # once control is back in the event loop

    def _show_steps(self, new_run: bool) -> None:
        n = len(self._steps)
        self._empty_text = STOPPED if new_run and not n else EMPTY
        self.table.clear()
        self.table.addTopLevelItems([
            QtWidgets.QTreeWidgetItem([str(s.k), s.name, s.received.removeprefix("a "), s.passed])
            for s in self._steps])
        for column in range(3):
            self.table.resizeColumnToContents(column)
        for w in (self.slider, self.first_button, self.previous_button, self.play_button,
                  self.next_button, self.last_button):
            w.setEnabled(n > 0)
        self.slider.blockSignals(True)
        self.slider.setRange(0, n)
        self.slider.blockSignals(False)
        self._position = -1
        self.go(0)
        self.runChanged.emit(n)

    # ------------------------------------------------------------ stepping
    @property
    def steps(self) -> list[Step]:
        return list(self._steps)

    @property
    def position(self) -> int:
        """The step shown, 1..len(steps); 0 before the first."""
        return self._position

    @property
    def current(self) -> Step | None:
        return self._steps[self._position - 1] if self._position > 0 else None

    def done(self) -> set:
        """The nodes run up to the current step (and the leaves they filled)."""
        return done_nodes(self._steps, self._position)

    def go(self, k: int) -> Step | None:
        """Show step ``k`` (clamped to 0..len(steps)); returns it."""
        k = max(0, min(int(k), len(self._steps)))
        if k == self._position:
            return self.current
        self._position = k
        n = len(self._steps)
        self.slider.blockSignals(True)
        self.slider.setValue(k)
        self.slider.blockSignals(False)
        self.position_label.setText(f"step {k} / {n}" if n else "no steps")
        step = self.current
        if step is not None:
            self.caption.setText(step.caption)
        elif n:
            self.caption.setText((self._kept_text if self._kept else "") + (
                f"Backward from {root_name(self.model, self._steps)} ran {n} "
                f"node{'s' if n != 1 else ''}. Press Next (Alt+Right) or Play (F5) to replay "
                f"it node by node, in the engine's order."))
        else:
            self.caption.setText(self._empty_text)
        self.table.blockSignals(True)
        self.table.setCurrentItem(self.table.topLevelItem(k - 1) if k else None)
        if k:
            self.table.scrollToItem(self.table.topLevelItem(k - 1))
        self.table.blockSignals(False)
        self.stepChanged.emit(step)
        return step

    def first(self) -> Step | None:
        return self.go(1)

    def previous(self) -> Step | None:
        return self.go(self._position - 1)

    def next(self) -> Step | None:
        return self.go(self._position + 1)

    def last(self) -> Step | None:
        return self.go(len(self._steps))

    # ------------------------------------------------------------ playing
    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        """Advance one step every interval (from the start when at the end)."""
        if not self._steps:
            return
        if self._position >= len(self._steps):
            self.go(0)
        self._timer.start()
        self._set_play_icon()

    def pause(self) -> None:
        self._timer.stop()
        self._set_play_icon()

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def set_interval(self, ms: int) -> None:
        """Milliseconds per step while playing."""
        self._timer.setInterval(int(ms))

    def _on_tick(self) -> None:
        self.next()
        if self._position >= len(self._steps):
            self.pause()

    def _set_play_icon(self) -> None:
        self.play_button.setProperty("glyph", "pause" if self.playing else "play")
        self._paint_icons()

    def _paint_icons(self) -> None:
        """The buttons' glyphs in the palette's text colour (again when the theme changes)."""
        pal = self.palette()
        on = pal.color(QtGui.QPalette.ColorRole.ButtonText)
        off = pal.color(QtGui.QPalette.ColorGroup.Disabled, QtGui.QPalette.ColorRole.ButtonText)
        for button in (self.first_button, self.previous_button, self.play_button,
                       self.next_button, self.last_button):
            icon = QtGui.QIcon()
            glyph = button.property("glyph")
            for color, mode in ((on, QtGui.QIcon.Mode.Normal), (off, QtGui.QIcon.Mode.Disabled)):
                icon.addPixmap(media_icon(glyph, color).pixmap(32, 32), mode)
            button.setIcon(icon)

    def changeEvent(self, event):  # noqa: N802
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._paint_icons()
        super().changeEvent(event)
