"""The debugging actions of the ``app`` object and their toolbar and Debug menu entries.

Typed in the console::

    app.find_nonfinite()          # select where NaN/Inf was born (forward, then backward)
    app.show_gradient_flow()      # colour edges by |grad| of the last backward (False: off)
    app.show_saved_bytes()        # saved-tensor bytes per node and the total in the status bar
    app.saved_memory_timeline()   # a plot of saved bytes alive through forward and backward
    app.mark_baseline()           # remember the graph as it is now ...
    app.compare()                 # ... and mark what changed since (added, changed, released)

The logic lives in the Qt-free modules of ``gradviz.model`` (nonfinite, gradient_flow,
saved_memory, compare); these methods only call them and show the result.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.debug_overlay import DebugOverlay
from gradviz.gui.debug_where import show_file, show_statement
from gradviz.model import compare as model_compare
from gradviz.model.gradient_flow import gradient_flow
from gradviz.model.saved_memory import format_bytes, saved_bytes_by_node, total_saved_bytes

# key, menu text, tooltip, checkable, in the toolbar
DEBUG_ACTIONS = (
    ("find_nonfinite", "Find NaN", "select the node where NaN or Inf was born", False, True),
    ("gradient_flow", "Gradient flow", "colour each edge by the norm of the gradient the last "
     "backward passed along it", True, False),
    ("saved_bytes", "Saved bytes", "each node's saved tensors in bytes, the total in the status "
     "bar", True, False),
    ("saved_timeline", "Saved memory timeline…", "saved bytes alive through the forward and "
     "the last backward", False, False),
    ("mark_baseline", "Mark baseline", "remember the graph as it is now, to compare later",
     False, False),
    ("compare", "Compare with baseline", "mark what changed since the baseline", False, False),
)


# what the console's ``app`` (the session) asks the window for
DEBUG_API = ("find_nonfinite", "show_gradient_flow", "show_saved_bytes", "saved_memory_timeline",
             "mark_baseline", "compare")


class DebugControls:
    """Mixed into the main window: the debugging part of the ``app`` API."""

    debug_overlay: DebugOverlay | None = None
    baseline = None  # a compare.Snapshot, once marked

    def find_nonfinite(self):
        """Mark NaN/Inf and select its origin; returns the origin's node id or None."""
        origin = self.model.find_nonfinite()
        report = self.model.last_nonfinite
        self.debug_overlay.refresh()
        if origin is not None:
            self.view.select(origin, center=True)
        self.status(report.describe(self.model), error=origin is not None)
        self.view.update()
        return origin

    def show_gradient_flow(self, on: bool = True):
        """Colour edges by the gradient norm of the last backward; returns the GradientFlow."""
        overlay = self.debug_overlay
        overlay.flow = gradient_flow(self.model) if on else None
        overlay.refresh()
        self._sync_debug_action("gradient_flow", on)
        if on:
            flow = overlay.flow
            self.status(f"gradient flow: {len(flow.edges)} edges, {len(flow.exploding)} "
                        f"exploding, {len(flow.vanishing)} vanishing")
        self.view.update()
        return overlay.flow

    def show_saved_bytes(self, on: bool = True):
        """A bytes badge per node and the total in the status bar; returns the total."""
        overlay = self.debug_overlay
        overlay.saved = saved_bytes_by_node(self.model) if on else None
        overlay.refresh()
        total = total_saved_bytes(self.model)
        self.saved_label.setText(f"saved for backward: {format_bytes(total)}" if on else "")
        self._sync_debug_action("saved_bytes", on)
        self.view.update()
        return total

    def saved_memory_timeline(self):
        """A window plotting saved bytes alive through forward and backward."""
        from gradviz.gui.saved_memory_plot import SavedMemoryPlot

        plot = SavedMemoryPlot(self.model, self)
        plot.show()
        return plot

    def mark_baseline(self) -> None:
        """Remember the graph as it is now; ``app.compare()`` shows what changed since."""
        self.baseline = model_compare.snapshot(self.model)
        model_compare.mark(self.model, None)
        self.debug_overlay.compared = False
        self.debug_overlay.refresh()
        self.status(f"baseline marked: {len(self.baseline.nodes)} nodes")

    def compare(self):
        """Mark what changed since ``mark_baseline()``; returns the Comparison."""
        if self.baseline is None:
            raise RuntimeError("no baseline: app.mark_baseline() first")
        result = model_compare.compare(self.baseline, model_compare.snapshot(self.model))
        model_compare.mark(self.model, result)
        self.debug_overlay.compared = True
        self.debug_overlay.refresh()
        self.status(result.describe())
        self.view.update()
        return result

    # ------------------------------------------------------------ wiring
    def _sync_debug_action(self, key, on) -> None:
        action = self.actions.get(key)
        if action is not None and action.isChecked() != bool(on):
            action.blockSignals(True)
            action.setChecked(bool(on))
            action.blockSignals(False)

    def _on_where_link(self, href: str) -> None:
        """The inspector's "created at": a statement is marked in the console's output, a
        file opens in a source view at that line."""
        kind, _, rest = href.partition(":")
        if kind == "statement":
            show_statement(self, int(rest))
        else:
            line, _, path = rest.partition(":")
            show_file(self, path, int(line))

    def _on_debug_model_replaced(self, model) -> None:
        """A session was loaded: the overlay, the flags and the new inspector's link follow."""
        watch(model)
        overlay = self.debug_overlay
        overlay.model, overlay.flow, overlay.saved = model, None, None
        overlay.compared = False
        overlay.refresh()
        self.baseline = None
        for key in ("gradient_flow", "saved_bytes"):
            self._sync_debug_action(key, False)
        self.saved_label.setText("")
        _link_where(self)

    def _on_debug_model_changed(self, *_):
        overlay = self.debug_overlay
        overlay.refresh()
        if overlay.flow is not None:
            overlay.flow = gradient_flow(self.model)
        if overlay.saved is not None:
            self.show_saved_bytes(True)


def watch(model) -> None:
    """Turn on what the debugging views need the model to record as it goes."""
    model.track_saved_memory = True  # the timeline needs what backward frees
    model.watch_nonfinite = True  # Find NaN must see temporaries released since
    model.track_flow = True  # History plots each run's dead units, vanishing/exploding edges


def install_debug(window) -> None:
    """Add the overlay, the Debug menu, the toolbar's Find NaN and the status bar label."""
    watch(window.model)
    window.debug_overlay = DebugOverlay(window.model)
    window.view.overlays.append(window.debug_overlay)
    window.saved_label = QtWidgets.QLabel()
    window.statusBar().addPermanentWidget(window.saved_label)
    guarded = window.session.guarded
    handlers = {
        "find_nonfinite": lambda: guarded("Find NaN", window.find_nonfinite),
        "gradient_flow": lambda on: guarded("Gradient flow", window.show_gradient_flow, on),
        "saved_bytes": lambda on: guarded("Saved bytes", window.show_saved_bytes, on),
        "saved_timeline": lambda: guarded("Saved memory", window.saved_memory_timeline),
        "mark_baseline": lambda: guarded("Mark baseline", window.mark_baseline),
        "compare": lambda: guarded("Compare", window.compare),
    }
    menu = window.menuBar().addMenu("&Debug")
    for key, text, tip, checkable, in_toolbar in DEBUG_ACTIONS:
        action = QtGui.QAction(text, window)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(handlers[key])
        else:
            action.triggered.connect(handlers[key])
        window.actions[key] = action
        menu.addAction(action)
        if in_toolbar:  # beside Backward, Zero grad, Detach: before Export
            window.toolbar.insertAction(window.actions.get("export"), action)
    window.view.modelChanged.connect(window._on_debug_model_changed)
    _link_where(window)


def _link_where(window) -> None:
    """A click on the inspector's "created at" goes to the statement or the file."""
    where = window.inspector.function_view.fields["created at"]
    where.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.LinksAccessibleByMouse)
    where.linkActivated.connect(window._on_where_link)
