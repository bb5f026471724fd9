"""The gradviz main window: the live graph, the inspector, the console and the controls.

    >>> window = App()                    # opens on the autograd tutorial, already run
    >>> window.show()
    >>> window.console.run("q = (w * 2).sum()")
    >>> window.backward(q)

The window's ``app`` API (select, backward, zero_grad, detach, clear, run_file, export,
save_image, steps, step) is documented in ``gradviz.gui.controls.Controls``; the Tutorial
panel and the Backward stepper docks come from ``gradviz.gui.learning``. Geometry, dock
layout, theme and recent files persist in ``QSettings`` (INI format, organisation and
application "gradviz"; tests redirect it with ``QSettings.setPath``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

import gradviz
from gradviz.gui.about import show_about
from gradviz.gui.console import Console
from gradviz.gui.controls import ACTIONS, Controls
from gradviz.gui.find_bar import FindBar
from gradviz.gui.graph_view import GraphView
from gradviz.gui.hints import hint
from gradviz.gui.inspector import InspectorPanel
from gradviz.gui.learning import add_learning_docks, add_learning_menu, learning_handlers
from gradviz.gui.theme import apply_theme
from gradviz.model import GraphModel

ORG = APP_NAME = "gradviz"
START_MESSAGE = ("The tutorial ran: click a node to inspect it, F6 replays its last backward "
                 "node by node, F7 walks through it cell by cell. Try q = (w * 2).sum() in the "
                 "console, then Backward")
MAX_RECENT = 8


def make_settings() -> QtCore.QSettings:
    return QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope,
                            ORG, APP_NAME)


def tutorial_path() -> Path:
    """The built-in tutorial script (``resources/examples/tutorial.py``)."""
    return Path(str(resources.files("gradviz.resources").joinpath("examples", "tutorial.py")))


class App(Controls, QtWidgets.QMainWindow):
    """The main window; also the console's ``app`` object (see ``Controls``)."""

    def __init__(self, model: GraphModel | None = None, settings=None, tutorial: bool = True,
                 script=None, theme: str | None = None):
        super().__init__()
        self.model = model if model is not None else GraphModel()
        self.model.attach()
        self.settings = settings if settings is not None else make_settings()
        self.last_error: BaseException | None = None
        qapp = QtWidgets.QApplication.instance()
        self.theme = apply_theme(qapp, theme or str(self.settings.value("theme", "light")))
        self.namespace = {"torch": self.model.engine.module, "gv": gradviz, "gradviz": gradviz,
                          "np": np, "app": self, "sel": None}
        self.setWindowTitle("gradviz: automatic differentiation, live")
        screen = QtGui.QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen else QtCore.QSize(1400, 880)
        # 90% of a large screen, at least 1400 x 880, never more than the screen (1280 x 800)
        self.resize(min(room.width(), max(1400, room.width() * 9 // 10)),
                    min(room.height(), max(880, room.height() * 9 // 10)))

        self.view = GraphView(self.model, self.theme)
        self.setCentralWidget(self.view)
        history = Path(self.settings.fileName()).with_name("console_history.pkl")
        history.parent.mkdir(parents=True, exist_ok=True)
        self.console = Console(self.namespace, self.model, history_file=str(history))
        self.inspector = InspectorPanel(self.model)
        area = QtCore.Qt.DockWidgetArea
        self.console_dock = self._dock("Console", self.console, area.BottomDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", self.inspector, area.RightDockWidgetArea)
        self.resizeDocks([self.inspector_dock], [380], QtCore.Qt.Orientation.Horizontal)
        self.resizeDocks([self.console_dock], [230], QtCore.Qt.Orientation.Vertical)
        add_learning_docks(self)  # the tutorial panel and the backward stepper

        self.message = QtWidgets.QLabel("Ready")
        self.counts = QtWidgets.QLabel()
        self.statusBar().addWidget(self.message, 1)
        self.statusBar().addPermanentWidget(self.counts)
        self.actions = {}
        self._build_actions()
        self._build_menus()
        self._build_toolbar()

        self.view.nodeSelected.connect(self._on_node_selected)
        self.view.nodeContextMenu.connect(self._on_context_menu)
        self.view.modelChanged.connect(self._update_counts)
        self.inspector.nodeActivated.connect(self._on_node_activated)
        self.console.statementFailed.connect(self._on_statement_failed)
        self.console.statementFinished.connect(lambda _cmd: self._update_counts())
        self.console.repl.sigCommandEntered.connect(lambda *_: self.stepper.statement_started())
        self._restore_settings()
        if tutorial:
            self.console.run_source(tutorial_path().read_text(encoding="utf-8"), "tutorial.py")
            self.view.quiet_new()
            if self.model.node_of(self.namespace.get("w")) is not None:
                self.view.select(self.model.node_of(self.namespace["w"]))
            self.status(START_MESSAGE)
        if script is not None:
            self.run_file(script)
        self._update_counts()
        self.view.fit()

    # ------------------------------------------------------------ building
    def _dock(self, title, widget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(title.lower() + "_dock")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        handlers = {
            "backward": lambda: self._on_backward(False),
            "backward_retain": lambda: self._on_backward(True),
            "zero_grad": lambda: self.guarded("Zero grad", self.zero_grad),
            "grad_none": lambda: self.guarded("Set grad to None", self.set_grad_none),
            "detach": lambda: self.guarded("Detach", self.detach),
            "requires_grad": lambda: self.guarded("requires_grad", self.toggle_requires_grad),
            "clear": self.clear,
            "fit": self.view.fit,
            "zoom_in": lambda: self.view.zoom(1.25),
            "zoom_out": lambda: self.view.zoom(0.8),
            "find": lambda: (self.find_box.setFocus(), self.find_box.selectAll()),
            "legend": self._on_legend,
            "dark": lambda: self.set_theme("dark" if self.theme.name == "light" else "light"),
            "no_grad": lambda: setattr(self.console, "no_grad",
                                       self.actions["no_grad"].isChecked()),
            "create_graph": lambda: None,
            "export": self._on_export,
            "save_image": self._on_save_image,
            "save_session": self._on_save_session,
            "load_session": self._on_load_session,
            "run_file": self._on_run_file,
            "console": lambda: (self.console_dock.show(), self.console.input.setFocus()),
            "shortcuts": self.show_shortcuts,
            "quit": self.close,
            **learning_handlers(self),
        }
        for key, text, shortcut, tip, _ in ACTIONS:
            action = QtGui.QAction(text, self)
            if shortcut:
                action.setShortcut(QtGui.QKeySequence(shortcut))
            action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
            action.setStatusTip(tip)
            action.triggered.connect(handlers[key])
            self.actions[key] = action
        for key in ("legend", "dark", "no_grad", "create_graph"):
            self.actions[key].setCheckable(True)
        self.actions["legend"].setChecked(self.view.show_legend)
        self.actions["dark"].setChecked(self.theme.name == "dark")

    def _build_menus(self) -> None:
        bar, a = self.menuBar(), self.actions
        file = bar.addMenu("&File")
        file.addAction(a["run_file"])
        self.recent_menu = file.addMenu("Recent files")
        file.addSeparator()
        for key in ("export", "save_image", "save_session", "load_session"):
            file.addAction(a[key])
        file.addSeparator()
        file.addAction(a["quit"])
        graph = bar.addMenu("&Graph")
        for key in ("backward", "backward_retain", "create_graph", None, "zero_grad", "grad_none",
                    "detach", "requires_grad", None, "no_grad", "clear"):
            graph.addSeparator() if key is None else graph.addAction(a[key])
        view = bar.addMenu("&View")
        for key in ("fit", "zoom_in", "zoom_out", "find", None, "legend", "dark", "console"):
            view.addSeparator() if key is None else view.addAction(a[key])
        view.addSeparator()
        view.addAction(self.inspector_dock.toggleViewAction())
        view.addAction(self.console_dock.toggleViewAction())
        add_learning_menu(self, bar)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(a["shortcuts"])
        help_menu.addSeparator()
        help_menu.addAction("About gradviz", lambda: show_about(self))
        self._update_recent_menu()

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Controls")
        bar.setObjectName("controls_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
        for key, *_, in_toolbar in ACTIONS:
            if in_toolbar:
                bar.addAction(self.actions[key])
                if key in ("detach", "fit"):
                    bar.addSeparator()
        spacer = QtWidgets.QWidget()
        spacer.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                             QtWidgets.QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.find_bar = FindBar(self.view)
        self.find_bar.message.connect(self.status)
        bar.addWidget(self.find_bar)
        self.find_box = self.find_bar.box
        self.toolbar = bar

    # ------------------------------------------------------------ reactions
    def status(self, text: str, error: bool = False) -> None:
        """Show ``text`` in the status bar (in red when ``error``)."""
        self.message.setText(text)
        self.message.setToolTip(text)
        self.message.setStyleSheet("color: #e03131; font-weight: 600;" if error else "")

    def _update_counts(self, *_):
        g = self.model.graph
        self.counts.setText(f"{g.number_of_nodes()} nodes · {g.number_of_edges()} edges")

    def _on_statement_failed(self, exc) -> None:
        self.stepper.backward_failed(exc)  # a backward it ran failed: keep the one before
        self.status(f"{type(exc).__name__}: {exc}", error=True)
        if hint(exc):
            self.console.write(hint(exc))

    def _on_node_activated(self, nid) -> None:
        self.view.select(nid, center=True)

    def set_model(self, model: GraphModel) -> None:
        """Show and record into ``model`` from now on (Load session uses it)."""
        self.model.detach()
        self.model = self.console.model = model
        model.attach()
        self.view.set_model(model)
        self.stepper.set_model(model)
        old = self.inspector
        self.inspector = InspectorPanel(model)
        self.inspector.nodeActivated.connect(self._on_node_activated)
        self.inspector_dock.setWidget(self.inspector)
        old.deleteLater()
        self.namespace["sel"] = None
        self._update_counts()

    def load_session(self, path) -> GraphModel:
        """Replace the graph by a saved session (a snapshot: its tensors are not alive)."""
        from gradviz.model.export import load_session

        model = load_session(path)
        self.set_model(model)
        self.status(f"loaded session {Path(path).name}: {model.graph.number_of_nodes()} nodes")
        return model

    def _on_load_session(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load session", "",
                                                        "gradviz session (*.json)")
        if path:
            self.guarded("Load session", self.load_session, path)

    def _on_node_selected(self, nid) -> None:
        obj = None if nid is None else self.node_object(nid)
        self.namespace["sel"] = obj
        self.inspector.show_node(nid)
        if nid is not None:
            self.inspector_dock.show()
            self.inspector_dock.raise_()  # from behind the Tutorial tab
            data = self.model.graph.nodes[nid]
            self.status(f"sel = {data.get('name') or data.get('label')} (node {nid})")

    def _on_backward(self, retain: bool) -> None:
        def run():
            t = self._backward_root(None)
            gradient = None
            if t.numel() != 1:
                name = self._name(t)
                if not self.confirm(f"{name} has shape {tuple(t.shape)}, not a single value.\n"
                                    f"Run backward with a gradient of ones "
                                    f"({name}.backward(torch.ones_like({name})))?"):
                    return None
                gradient = self.ones_for(t)
            return self.backward(t, retain_graph=retain, gradient=gradient,
                                 create_graph=self.actions["create_graph"].isChecked())

        self.guarded("Backward", run)

    def report_error(self, title: str, exc: BaseException) -> None:
        self.stepper.backward_failed(exc)  # a backward the action ran failed
        super().report_error(title, exc)

    def confirm(self, question: str) -> bool:
        """Ask the user a yes/no question (tests replace this)."""
        answer = QtWidgets.QMessageBox.question(self, "gradviz", question)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def _on_context_menu(self, nid, pos) -> None:
        menu = QtWidgets.QMenu(self)
        if nid is not None:
            data = self.model.graph.nodes[nid]
            keys = ["backward", "backward_retain"]
            if data["kind"] == "tensor":  # .grad and requires_grad_() belong to leaves
                keys += (["zero_grad", "grad_none", "detach", "requires_grad"]
                         if data.get("is_leaf") else ["detach"])
            for key in keys:
                menu.addAction(self.actions[key])
            if nid in self.model.pinned:
                menu.addAction("Unpin", lambda: (self.model.unpin(nid), self.view.refresh()))
            menu.addSeparator()
        menu.addAction(self.actions["fit"])
        menu.addAction(self.actions["clear"])
        menu.popup(pos)
        self._menu = menu

    def _on_legend(self) -> None:
        self.view.show_legend = self.actions["legend"].isChecked()
        self.view.update()

    def set_theme(self, name: str) -> None:
        """Switch to the "light" or "dark" theme."""
        self.theme = apply_theme(QtWidgets.QApplication.instance(), name)
        self.view.set_theme(self.theme)
        self.actions["dark"].setChecked(name == "dark")
        self.settings.setValue("theme", name)

    def _on_run_file(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Run a Python script", "",
                                                        "Python (*.py)")
        if path:
            self.guarded("Run file", self.run_file, path)

    def _on_export(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export the graph", "graph.png",
            "PNG (*.png);;SVG (*.svg);;Graphviz DOT (*.dot);;GraphML (*.graphml);;JSON (*.json)")
        if path:
            self.guarded("Export", self.export, path)

    def _on_save_image(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save window image", "gradviz.png",
                                                        "PNG (*.png)")
        if path:
            self.guarded("Save image", self.save_image, path)

    def save_session(self, path) -> Path:
        """Write the graph as a session file (File > Load session reopens it)."""
        from gradviz.model.export import save_session

        save_session(self.model, path)  # ExportError with the OS's reason
        self.status(f"saved session {Path(path).name}: "
                    f"{self.model.graph.number_of_nodes()} nodes, in {Path(path).parent}")
        return Path(path)

    def _on_save_session(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Save session", "session.json",
                                                        "gradviz session (*.json)")
        if path:
            self.guarded("Save session", self.save_session, path)

    def show_shortcuts(self) -> QtWidgets.QDialog:
        """Help > Keyboard shortcuts: every action with its key, and the mouse gestures."""
        from gradviz.gui.shortcuts import ShortcutsDialog

        self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()
        return self.shortcuts_dialog

    # ------------------------------------------------------------ settings
    def add_recent(self, path) -> None:
        path = str(Path(path).resolve())
        recent = [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent_files", [path, *recent][:MAX_RECENT])
        self._update_recent_menu()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _update_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            self.recent_menu.addAction(Path(path).name,
                                       lambda p=path: self.guarded("Run file", self.run_file, p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window_state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event):  # noqa: N802
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.settings.setValue("theme", self.theme.name)
        self.settings.sync()
        self.console.close()
        self.model.detach()
        super().closeEvent(event)
