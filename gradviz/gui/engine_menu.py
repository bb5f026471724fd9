"""File > New session: start again on the NumPy engine or on real PyTorch.

    add_engine_menu(window, file_menu)   # the submenu, and the engine in the status bar
    show_engine(window)                  # after the session's model was replaced

Each item calls ``app.new_session(engine=...)`` (``gradviz.session.engine_choice``); an
engine that cannot run here (torch not installed) is reported in the status line and the
console, with the command that installs it, and the session stays as it was. The window's
title and a label at the right of the status bar say which engine records.
"""

from __future__ import annotations

from PySide6 import QtGui, QtWidgets

from gradviz.session.engine_choice import engine_title, torch_is

ENGINES = (("numpy", "NumPy engine",
            "a new, empty session on gradviz's NumPy engine: the console's torch is gradviz"),
           ("torch", "PyTorch engine",
            "a new, empty session recording real PyTorch: the console's torch is the real "
            "torch (needs pip install 'gradviz[torch]')"))
TITLE = "gradviz: automatic differentiation, live"


def add_engine_menu(window, file_menu: QtWidgets.QMenu) -> QtWidgets.QMenu:
    """File > New session > NumPy engine / PyTorch engine (the current one ticked)."""
    menu = window.new_session_menu = file_menu.addMenu("New session")
    group = QtGui.QActionGroup(window)
    window.engine_actions = {}
    for name, text, tip in ENGINES:
        action = QtGui.QAction(text, window)
        action.setCheckable(True)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False, name=name: new_session(window, name))
        group.addAction(action)
        menu.addAction(action)
        window.engine_actions[name] = action
    window.engine_label = QtWidgets.QLabel()
    window.engine_label.setToolTip("the autograd engine this session records "
                                   "(File > New session starts one on the other)")
    window.statusBar().addPermanentWidget(window.engine_label)
    show_engine(window)
    engine = window.session.model.engine
    if engine.name != "numpy":  # the console's welcome speaks of the NumPy engine
        window.console.write(f"# this session records the {engine_title(engine)}: "
                             f"{torch_is(engine)}, not gradviz\n", "command")
    return menu


def new_session(window, engine: str) -> None:
    """What the menu item does: a new session on ``engine``, or the reason it cannot."""
    window.session.guarded("New session", window.session.new_session, engine)
    show_engine(window)  # a refused switch leaves the tick where it was


def show_engine(window) -> None:
    """The title, the status bar label and the menu's tick follow the session's engine."""
    engine = window.session.model.engine
    title = engine_title(engine)
    window.setWindowTitle(f"{TITLE} ({title})")
    window.engine_label.setText(title)
    action = window.engine_actions.get(engine.name)
    if action is not None:
        action.setChecked(True)
