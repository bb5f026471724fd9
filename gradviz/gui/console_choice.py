"""Which console the window shows: the built-in one (the default, always there) or IPython
(``gradviz --console ipython``, View > Console; ``pip install 'gradviz[console]'``).

    console = first_console(window)             # --console, else the last choice
    console = make_console(window, "ipython")   # wired to the window; ConsoleUnavailable
    switch_console(window, "builtin")           # View > Console > Built-in, kept in settings

Both consoles speak one API (``gradviz.gui.console`` and ``gradviz.gui.rich_console``), so
the window wires either the same way here; the session's output always goes to whichever
console is current.
"""

from __future__ import annotations

import importlib.util

from PySide6 import QtGui

CONSOLES = {"builtin": "Built-in", "ipython": "IPython"}
INSTALL = "pip install 'gradviz[console]'"


class ConsoleUnavailable(RuntimeError):
    """The console asked for cannot open here (the message says why and what to do)."""


def rich_console_missing() -> str | None:
    """Why the IPython console cannot open in this process, or None when it can."""
    missing = [name for name in ("qtconsole", "IPython", "jupyter_client")
               if importlib.util.find_spec(name) is None]
    if missing:
        return (f"the IPython console needs qtconsole ({', '.join(missing)} not installed): "
                f"{INSTALL}")
    from gradviz.gui.rich_console_kernel import another_ipython_runs

    if another_ipython_runs():
        return ("an IPython shell already runs in this process (gradviz.show() from IPython, "
                "or another window's IPython console): the built-in console is used")
    return None


def make_console(window, kind: str = "builtin"):
    """A console of ``kind`` on ``window.session``, wired to the window."""
    if kind not in CONSOLES:
        raise ConsoleUnavailable(f"no console {kind!r}: choose one of {', '.join(CONSOLES)}")
    if kind == "ipython":
        why = rich_console_missing()
        if why is not None:
            raise ConsoleUnavailable(why)
        from gradviz.gui.rich_console import RichConsole

        console = RichConsole(window.session, window.gui)
    else:
        from gradviz.gui.console import Console

        console = Console(window.session, window.gui, history_file=window.history_file)
    console.console_kind = kind
    console.statementFailed.connect(window.session.statement_failed)
    console.statementFinished.connect(lambda _cmd: window._update_counts())
    console.runningChanged.connect(window._on_running_changed)
    console.commandEntered.connect(window._on_command_entered)
    return console


def first_console(window, kind: str | None = None):
    """The window's console at start: ``kind``, else the one chosen last time (settings);
    when that is IPython and it cannot open, the built-in one, and
    ``window.console_problem`` says why (an explicit ``kind`` raises instead)."""
    window.console_problem = None
    wanted = kind or str(window.settings.value("console", "builtin"))
    try:
        return make_console(window, wanted)
    except ConsoleUnavailable as exc:
        if kind is not None:
            raise
        window.console_problem = f"Console: {exc}"
        return make_console(window, "builtin")


def switch_console(window, kind: str) -> bool:
    """Show a console of ``kind`` in the Console dock instead of the current one (the
    namespace, graph and history stay); False, with the reason in the status line, when
    it cannot open or a statement runs."""
    old = window.console
    if getattr(old, "console_kind", "builtin") == kind:
        return True
    if window.session.running:
        window.status("a statement is running: stop it before changing the console", True)
        _check(window, getattr(old, "console_kind", "builtin"))
        return False
    try:
        console = make_console(window, kind)
    except ConsoleUnavailable as exc:
        window.status(f"Console: {exc}", True)
        _check(window, getattr(old, "console_kind", "builtin"))
        return False
    window.console = console
    window.console_dock.setWidget(console)
    lessons = getattr(window, "lessons", None)
    if lessons is not None:
        lessons.console = console
    old.close()
    old.deleteLater()
    window.settings.setValue("console", kind)
    window.status(f"Console: {CONSOLES[kind]}")
    return True


def add_console_menu(window, view_menu) -> None:
    """View > Console: Built-in / IPython (the choice is kept for the next start)."""
    menu = view_menu.addMenu("Console")
    group = QtGui.QActionGroup(menu)
    window.console_actions = {}
    for kind, title in CONSOLES.items():
        action = menu.addAction(title)
        action.setCheckable(True)
        action.setChecked(getattr(window.console, "console_kind", "builtin") == kind)
        if kind == "ipython":
            action.setToolTip(f"IPython with completion, x? and magics ({INSTALL})")
        group.addAction(action)
        action.triggered.connect(lambda _checked=False, k=kind: switch_console(window, k))
        window.console_actions[kind] = action


def _check(window, kind: str) -> None:
    actions = getattr(window, "console_actions", {})
    if kind in actions:
        actions[kind].setChecked(True)
