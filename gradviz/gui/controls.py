"""The window's actions: every toolbar and menu entry, and what each one does.

    actions = build_actions(window)   # ACTIONS key -> QAction calling the session
    actions["backward"].trigger()     # window.session.backward(), errors reported

``ACTIONS`` lists every toolbar / menu entry with its shortcut (Help > Keyboard shortcuts
shows the same table). An action calls a method of the window's ``Session`` (the
console's ``app``) through ``session.guarded``: a failure reports torch's message in the
status bar and the console and leaves the app as it was. File dialogs, the yes/no
question before a non-scalar backward and the node context menu live here too.
"""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets

from gradviz.gui.learning import learning_handlers
from gradviz.gui.view_settings import add_node_focus_entries

# key, menu text, shortcut, what it does (tooltip), in the toolbar
ACTIONS = (
    ("backward", "Backward", "Ctrl+B", "loss.backward() from the selected output", True),
    ("backward_retain", "Backward (retain graph)", "Ctrl+Shift+B",
     "backward(retain_graph=True): the saved tensors stay, backward can run again", True),
    ("zero_grad", "Zero grad", "Ctrl+G", "grad.zero_() on the selected leaf, or all leaves", True),
    ("grad_none", "Set grad to None", "Ctrl+Shift+G", "grad = None on the selected leaf, or all",
     False),
    ("detach", "Detach", "Ctrl+D", "detach() the selected tensor into a new console variable",
     True),
    ("requires_grad", "Toggle requires_grad", "Ctrl+R", "requires_grad_() on the selected leaf",
     False),
    ("clear", "Clear graph", "Ctrl+Shift+Del", "forget the drawn graph (tensors stay alive)",
     False),
    ("create_graph", "create_graph", "", "backward(create_graph=True): record the backward pass "
     "itself, for higher-order gradients", False),
    ("fit", "Fit", "Ctrl+0", "show the whole graph", True),
    ("zoom_in", "Zoom in", "Ctrl+=", "zoom in (also the mouse wheel)", False),
    ("zoom_out", "Zoom out", "Ctrl+-", "zoom out", False),
    ("find", "Find", "Ctrl+F", "find a node by variable or torch name", False),
    ("legend", "Legend", "Ctrl+L", "show or hide the legend", False),
    ("dark", "Dark theme", "Ctrl+T", "switch between the light and dark theme", False),
    ("no_grad", "Console under no_grad", "Ctrl+Shift+N",
     "run console statements inside torch.no_grad()", False),
    ("export", "Export…", "Ctrl+E", "write the graph as .png, .svg, .dot, .graphml or .json", True),
    ("save_image", "Save window image…", "Ctrl+Shift+S", "a PNG screenshot of the window", False),
    ("save_session", "Save session…", "Ctrl+S", "the model as a session JSON file", False),
    ("load_session", "Load session…", "Ctrl+Shift+O", "replace the graph by a saved session",
     False),
    ("run_file", "Run file…", "Ctrl+O", "run a Python script in the console", True),
    ("console", "Focus console", "Ctrl+K", "put the cursor in the console", False),
    ("lessons", "Tutorial", "F7", "the autograd tutorial, cell by cell, each cell runnable",
     False),
    ("lesson_next", "Run next tutorial cell", "F8", "run the tutorial cell after the last one "
     "run", False),
    ("stepper", "Backward stepper", "F6", "replay the last backward node by node", False),
    ("step_first", "First backward step", "Alt+Home", "the first node the last backward ran",
     False),
    ("step_prev", "Previous backward step", "Alt+Left", "one node back in the last backward",
     False),
    ("step_play", "Play / pause backward steps", "F5", "replay the last backward at the "
     "stepper's speed", False),
    ("step_next", "Next backward step", "Alt+Right", "the next node the last backward ran",
     False),
    ("step_last", "Last backward step", "Alt+End", "the last node the last backward ran", False),
    ("shortcuts", "Keyboard shortcuts", "F1", "this list", False),
    ("quit", "Quit", "Ctrl+Q", "close gradviz", False),
)


def build_actions(window) -> dict:
    """A ``QAction`` per ``ACTIONS`` row, each calling the session (or the window)."""
    session = window.session
    view = window.view

    def guarded(title, fn):
        return lambda: session.guarded(title, fn)

    handlers = {
        "backward": lambda: on_backward(window, False),
        "backward_retain": lambda: on_backward(window, True),
        "zero_grad": guarded("Zero grad", session.zero_grad),
        "grad_none": guarded("Set grad to None", session.set_grad_none),
        "detach": guarded("Detach", session.detach),
        "requires_grad": guarded("requires_grad", session.toggle_requires_grad),
        "clear": guarded("Clear", session.clear),
        "fit": view.fit,
        "zoom_in": lambda: view.zoom(1.25),
        "zoom_out": lambda: view.zoom(0.8),
        "find": lambda: (window.find_box.setFocus(), window.find_box.selectAll()),
        "legend": lambda: window.on_legend(),
        "dark": lambda: window.set_theme("dark" if window.theme.name == "light" else "light"),
        "no_grad": lambda: setattr(session, "no_grad", window.actions["no_grad"].isChecked()),
        "create_graph": lambda: None,
        "export": lambda: _with_path(window, "Export", "Export the graph", "graph.png",
                                     "PNG (*.png);;SVG (*.svg);;Graphviz DOT (*.dot);;"
                                     "GraphML (*.graphml);;JSON (*.json)", session.export),
        "save_image": lambda: _with_path(window, "Save image", "Save window image",
                                         "gradviz.png", "PNG (*.png)", session.save_image),
        "save_session": lambda: _with_path(window, "Save session", "Save session",
                                           "session.json", "gradviz session (*.json)",
                                           session.save_session),
        "load_session": lambda: _with_path(window, "Load session", "Load session", "",
                                           "gradviz session (*.json)", session.load_session,
                                           save=False),
        "run_file": lambda: _with_path(window, "Run file", "Run a Python script", "",
                                       "Python (*.py)", window.run_file, save=False),
        "console": lambda: (window.console_dock.show(), window.console.input.setFocus()),
        "shortcuts": window.show_shortcuts,
        "quit": window.close,
        **learning_handlers(window),
    }
    actions = {}
    for key, text, shortcut, tip, _ in ACTIONS:
        action = QtGui.QAction(text, window)
        if shortcut:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        action.setStatusTip(tip)
        action.triggered.connect(handlers[key])
        actions[key] = action
    for key in ("legend", "dark", "no_grad", "create_graph"):
        actions[key].setCheckable(True)
    actions["legend"].setChecked(view.show_legend)
    actions["dark"].setChecked(window.theme.name == "dark")
    return actions


def _with_path(window, title, caption, default, filters, fn, save: bool = True) -> None:
    """Ask for a file (save or open dialog), then run ``fn(path)`` guarded."""
    dialog = (QtWidgets.QFileDialog.getSaveFileName if save
              else QtWidgets.QFileDialog.getOpenFileName)
    path, _ = dialog(window, caption, default, filters)
    if path:
        window.session.guarded(title, fn, path)


def on_backward(window, retain: bool) -> None:
    """Backward from the selected output; a non-scalar one asks for a gradient of ones."""
    session = window.session

    def run():
        t = session.backward_root(None)
        gradient = None
        if t.numel() != 1:
            name = session.name_of(t)
            if not window.confirm(f"{name} has shape {tuple(t.shape)}, not a single value.\n"
                                  f"Run backward with a gradient of ones "
                                  f"({name}.backward(torch.ones_like({name})))?"):
                return None
            gradient = session.model.engine.module.ones_like(t)
        return session.backward(t, retain_graph=retain, gradient=gradient,
                                create_graph=window.actions["create_graph"].isChecked())

    session.guarded("Backward", run)


def context_menu(window, nid, pos) -> QtWidgets.QMenu:
    """The menu of a right-click on node ``nid`` (None: the background)."""
    model, actions = window.session.model, window.actions
    menu = QtWidgets.QMenu(window)
    if nid is not None:
        data = model.graph.nodes[nid]
        keys = ["backward", "backward_retain"]
        if data["kind"] == "tensor":  # .grad and requires_grad_() belong to leaves
            keys += (["zero_grad", "grad_none", "detach", "requires_grad"]
                     if data.get("is_leaf") else ["detach"])
        for key in keys:
            menu.addAction(actions[key])
        if nid in model.pinned:
            menu.addAction("Unpin", lambda: (model.unpin(nid), window.view.refresh()))
        menu.addSeparator()
    add_node_focus_entries(window, menu, nid)
    if nid is not None or window.view.focus is not None:
        menu.addSeparator()
    menu.addAction(actions["fit"])
    menu.addAction(actions["clear"])
    menu.popup(pos)
    return menu
