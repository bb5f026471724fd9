"""The gradviz main window: it holds a ``Session`` and draws it.

    window = App()                    # opens on the autograd tutorial, already run
    window.show()
    window.console.run("q = (w * 2).sum()")
    window.session.backward("q")      # the console's app is window.session

The window holds the session instead of being it (napari's ``Window`` holding a
``ViewerModel``): the graph view, the inspector and the stepper follow the session's
model and signals, and every toolbar, menu and mouse action calls a session method
(``gradviz.gui.controls``). The Tutorial panel and the Backward stepper docks come from
``gradviz.gui.learning``. Geometry, dock layout, theme and recent files persist in
``QSettings`` (INI format, organisation and application "gradviz"; tests redirect it
with ``QSettings.setPath``).
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.about import show_about
from gradviz.gui.console import TUTORIAL_TIP
from gradviz.gui.console_choice import add_console_menu, first_console
from gradviz.gui.console_view import ConsoleView
from gradviz.gui.controls import ACTIONS, build_actions, context_menu
from gradviz.gui.debug_actions import DEBUG_API, DebugControls, install_debug
from gradviz.gui.engine_menu import add_engine_menu, show_engine
from gradviz.gui.find_bar import FindBar
from gradviz.gui.graph_view import GraphView
from gradviz.gui.gui_thread import GuiThread
from gradviz.gui.hints import hint
from gradviz.gui.inspector import InspectorPanel
from gradviz.gui.learning import add_learning_docks, add_learning_menu
from gradviz.gui.module_tree import add_module_tree_dock
from gradviz.gui.theme import apply_theme
from gradviz.gui.view_settings import add_history_dock, add_view_settings
from gradviz.session import Session
from gradviz.session.autosave import INTERVAL_S, Autosave, find_crashed, restore

ORG = APP_NAME = "gradviz"
START_MESSAGE = ("The tutorial ran: click a node to inspect it, F6 replays its last backward "
                 "node by node, F7 walks through it cell by cell. Try q = (w * 2).sum() in the "
                 "console, then Backward")
MAX_RECENT = 8
REFRESH_MS = 250  # while a statement runs, the graph and the status line follow this often


def make_settings() -> QtCore.QSettings:
    return QtCore.QSettings(QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope,
                            ORG, APP_NAME)


def tutorial_path() -> Path:
    """The built-in tutorial script (``resources/examples/tutorial.py``)."""
    return Path(str(resources.files("gradviz.resources").joinpath("examples", "tutorial.py")))


class App(DebugControls, QtWidgets.QMainWindow):
    """The main window; ``session`` is the console's ``app`` object it draws (the debugging
    actions, ``DebugControls``, are the window's: the session asks it for them)."""

    def __init__(self, session: Session | None = None, settings=None, tutorial: bool = True,
                 script=None, theme: str | None = None, restore=False,
                 console: str | None = None):
        """``restore``: what to do with an autosave a crash left (True restores it,
        "ask" asks the user, False leaves it). ``console``: "builtin" or "ipython"
        (default: the last one chosen in View > Console)."""
        super().__init__()
        self.session = session = session if session is not None else Session()
        self.settings = settings if settings is not None else make_settings()
        qapp = QtWidgets.QApplication.instance()
        self.theme = apply_theme(qapp, theme or str(self.settings.value("theme", "light")))
        screen = QtGui.QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen else QtCore.QSize(1400, 880)
        # 90% of a large screen, at least 1400 x 880, never more than the screen (1280 x 800)
        self.resize(min(room.width(), max(1400, room.width() * 9 // 10)),
                    min(room.height(), max(880, room.height() * 9 // 10)))

        self.view = GraphView(session.model, self.theme)
        self.setCentralWidget(self.view)
        history = Path(self.settings.fileName()).with_name("console_history.pkl")
        history.parent.mkdir(parents=True, exist_ok=True)
        self.history_file = str(history)
        self.gui = GuiThread(session.lock, self)  # the worker's calls arrive through it
        self.console = first_console(self, console)
        self.inspector = InspectorPanel(session.model)
        area = QtCore.Qt.DockWidgetArea
        self.console_dock = self._dock("Console", self.console, area.BottomDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", self.inspector, area.RightDockWidgetArea)
        self.resizeDocks([self.inspector_dock], [380], QtCore.Qt.Orientation.Horizontal)
        self.resizeDocks([self.console_dock], [230], QtCore.Qt.Orientation.Vertical)
        add_learning_docks(self)  # the tutorial panel and the backward stepper
        self.module_dock = add_module_tree_dock(self)  # the Modules panel (module groups)
        add_history_dock(self)  # the loss and grad norms per backward run

        self.message = QtWidgets.QLabel("Ready")
        self.counts = QtWidgets.QLabel()
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.stop_button.setToolTip("interrupt the running statement (Ctrl+C in the console, "
                                    "or app.interrupt())")
        self.stop_button.clicked.connect(session.interrupt)
        self.stop_button.hide()
        self.statusBar().addWidget(self.message, 1)
        self.statusBar().addPermanentWidget(self.stop_button)
        self.statusBar().addPermanentWidget(self.counts)
        self._running_timer = QtCore.QTimer(self)
        self._running_timer.setInterval(REFRESH_MS)
        self._running_timer.timeout.connect(self._on_running_tick)
        self.actions = build_actions(self)
        self._build_menus()
        self._build_toolbar()
        install_debug(self)  # Find NaN, the Debug menu, their marks on the graph

        # view -> session: what the user does; session -> views: what changed
        self.view.nodeSelected.connect(lambda nid: session.select(nid, center=False))
        self.view.nodeContextMenu.connect(self._on_context_menu)
        self.view.modelChanged.connect(self._update_counts)
        self.inspector.nodeActivated.connect(session.select)
        self._connections = [(session.selection_changed, self._on_selection_changed),
                             (session.status_changed, self.status),
                             (session.output, lambda *out: self.console.write(*out)),
                             (session.model_replaced, self._on_model_replaced),
                             (session.file_ran, self.add_recent),
                             (session.failed, self._on_failed)]
        self._connections = [(signal, self.gui.wrap(slot)) for signal, slot in self._connections]
        for signal, slot in self._connections:
            signal.connect(slot)
        session.save_image_hook = self.gui.blocking(self._save_image)
        session.draw = self.gui.blocking(self._draw)
        session.show_step = self.gui.blocking(self._show_step)
        session.show_group = self.gui.blocking(self.view.show_group)
        session.view = ConsoleView(self.view, session, self.gui)
        session.run_in_window = self.gui.blocking(lambda fn: fn())
        session.debug = SimpleNamespace(**{name: self.gui.blocking(getattr(self, name))
                                           for name in DEBUG_API})
        self._restore_settings()
        if tutorial:
            self.console.run_source(tutorial_path().read_text(encoding="utf-8"), "tutorial.py")
            self.console.write(TUTORIAL_TIP)
            self.view.quiet_new()
            w = self.model.node_of(session.namespace.get("w"))
            if w is not None:
                session.select(w, center=False)
            self.status(START_MESSAGE)
        if script is not None:
            session.guarded("Run file", session.run_file, script)
        self._start_autosave(restore)
        self._update_counts()
        self.view.fit()
        if self.console_problem:
            self.status(self.console_problem, error=True)

    def _start_autosave(self, wanted) -> None:
        """Autosave every few seconds from now on; first offer what a crash left."""
        self.autosave = Autosave(self.session)
        crashed = find_crashed() if wanted else None
        if crashed is not None and (wanted is True or QtWidgets.QMessageBox.question(
                self, "Restore session", "gradviz did not exit cleanly last time. Restore "
                "the graph and console history it autosaved?")
                == QtWidgets.QMessageBox.StandardButton.Yes):
            history = self.session.guarded("Restore session", restore, self.session, crashed,
                                           self.autosave)
            if history:
                self.console.add_history(history)
                self.console.write("# restored history:\n" + "".join(
                    f"#   {line}\n" for line in history), "command")
        self.autosave_timer = QtCore.QTimer(self)
        self.autosave_timer.setInterval(int(INTERVAL_S * 1000))
        self.autosave_timer.timeout.connect(self._autosave_now)
        self.autosave_timer.start()

    def _autosave_now(self) -> None:
        try:
            self.autosave.save_if_changed()
        except OSError as exc:  # say it once, then stop trying
            self.autosave_timer.stop()
            self.status(f"autosave stopped: cannot write {self.autosave.path}: {exc}", True)

    def _on_command_entered(self, cmd: str) -> None:
        """A statement was typed: the stepper's and autosave's business."""
        stepper, autosave = getattr(self, "stepper", None), getattr(self, "autosave", None)
        if stepper is not None:
            stepper.statement_started()
        if autosave is not None:
            autosave.note_statement(cmd)

    @property
    def model(self):
        """The session's ``GraphModel`` (what the views draw)."""
        return self.session.model

    def collapse(self, path: str) -> None:
        """Draw module group ``path`` (``"net.3"``) as one node (``app.collapse``)."""
        self.session.collapse(path)

    def expand(self, path: str) -> None:
        """Draw module group ``path``'s nodes again, in a labelled box, and show it."""
        self.session.expand(path)

    # ------------------------------------------------------------ building
    def _dock(self, title, widget, area) -> QtWidgets.QDockWidget:
        dock = QtWidgets.QDockWidget(title, self)
        dock.setObjectName(title.lower() + "_dock")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        bar, a = self.menuBar(), self.actions
        file = bar.addMenu("&File")
        add_engine_menu(self, file)  # New session > NumPy engine / PyTorch engine
        file.addSeparator()
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
        add_console_menu(self, view)  # View > Console: Built-in / IPython
        view.addSeparator()
        add_view_settings(self, view)  # released nodes, hide constants, History
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

    def _on_failed(self, exc) -> None:
        """An action, statement or script raised: the stepper keeps the backward before a
        failed one, and a known mistake gets its explanation in the console."""
        self.stepper.backward_failed(exc)
        if hint(exc):
            self.console.write(hint(exc))

    def _on_selection_changed(self, nid, center: bool) -> None:
        self.view.select(nid, center=center)
        self.inspector.show_node(nid)
        if nid is not None:
            self.inspector_dock.show()
            self.inspector_dock.raise_()  # from behind the Tutorial tab

    def _on_running_changed(self, running: bool) -> None:
        self.gui.hold_model(running)
        self.stop_button.setVisible(running)
        if running:
            self._running_timer.start(REFRESH_MS)
            self._on_running_tick()
        else:
            self._running_timer.stop()
            self._update_counts()

    def _on_running_tick(self) -> None:
        """While a statement runs: the graph so far, and what runs for how long."""
        job = self.session.running_job()
        if job is None:
            return
        began = time.monotonic()
        self.session.refresh()
        self._update_counts()
        # a large graph takes long to redraw: refresh less often, so the statement keeps
        # at least three quarters of the time
        spent = int((time.monotonic() - began) * 1000)
        self._running_timer.setInterval(max(REFRESH_MS, 3 * spent))
        source, seconds = job
        line = source.strip().splitlines()[0] if source.strip() else ""
        more = " …" if "\n" in source.strip() or len(line) > 60 else ""
        self.status(f"Running {line[:60]}{more} for {seconds:.0f} s: Stop (or Ctrl+C in the "
                    f"console) interrupts it")

    def _on_model_replaced(self, model) -> None:
        """Load session, New session: every view follows the new model."""
        self.view.set_model(model)
        self.stepper.set_model(model)
        self.history.set_model(model)
        self.module_tree.model = model
        self.module_tree.refresh()
        old = self.inspector
        self.inspector = InspectorPanel(model)
        self.inspector.nodeActivated.connect(self.session.select)
        self.inspector_dock.setWidget(self.inspector)
        old.deleteLater()
        self._on_debug_model_replaced(model)  # the debugging marks follow too
        show_engine(self)
        self._update_counts()

    def confirm(self, question: str) -> bool:
        """Ask the user a yes/no question (tests replace this)."""
        answer = QtWidgets.QMessageBox.question(self, "gradviz", question)
        return answer == QtWidgets.QMessageBox.StandardButton.Yes

    def _on_context_menu(self, nid, pos) -> None:
        self._menu = context_menu(self, nid, pos)

    def on_legend(self) -> None:
        self.view.show_legend = self.actions["legend"].isChecked()
        self.view.update()

    def set_theme(self, name: str) -> None:
        """Switch to the "light" or "dark" theme."""
        self.theme = apply_theme(QtWidgets.QApplication.instance(), name)
        self.view.set_theme(self.theme)
        self.actions["dark"].setChecked(name == "dark")
        self.settings.setValue("theme", name)

    # ------------------------------------------------------------ what the session asks of it
    def _draw(self, model, path) -> Path:
        """A .png / .svg of the graph with the places the view shows."""
        from gradviz.gui.render import write_any

        driver = self.view.layout_driver
        driver.wait(10_000)  # a layout still running after that: export the places shown
        return write_any(model, path, theme=self.theme.name, positions=driver.positions(),
                         routes=driver.routes())

    def _save_image(self, path: Path) -> Path:
        from gradviz.gui.render import save_png

        save_png(self.grab().toImage(), path)  # ExportError with the OS's reason
        return path

    def _show_step(self, k: int) -> None:
        self.stepper_dock.show()
        self.stepper_dock.raise_()
        self.stepper.go(k)

    def run_file(self, path) -> None:
        """Run a script as a console statement (``app.run_file(path)``): it can be stopped."""
        self.console_dock.show()
        self.console.run(f"app.run_file({str(path)!r})")

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
            self.recent_menu.addAction(Path(path).name, lambda p=path: self.run_file(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window_state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event):  # noqa: N802
        self.autosave_timer.stop()
        self.autosave.clear()  # a clean exit: nothing to restore next time
        self.session.interrupt()
        self.session.runner.wait(2.0)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.settings.setValue("theme", self.theme.name)
        self.settings.sync()
        self.console.close()
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self.session.save_image_hook = self.session.draw = self.session.show_step = None
        self.session.view = None
        self.session.run_in_window = None
        self.session.close()
        self._running_timer.stop()
        self.gui.stop()  # the GUI thread no longer holds the model lock
        super().closeEvent(event)
