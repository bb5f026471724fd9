"""The window opened from the user's own shell (``gradviz.show()``, see
:mod:`gradviz.notebook`): its session's namespace is the caller's globals, its model
records while the window lives, and names follow what the shell runs (on IPython's
``post_run_cell``, or every half second without IPython), as napari's viewer does.
"""

from __future__ import annotations

from PySide6 import QtCore

REFRESH_MS = 500  # without IPython: how often names are read from the namespace


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def open_on_namespace(namespace: dict, tutorial: bool = False, theme: str | None = None):
    """A shown ``App`` whose console and graph use ``namespace``; returns it."""
    from gradviz.gui.app import App
    from gradviz.gui.render import ensure_qapp
    from gradviz.session import Session

    ensure_qapp()
    session = Session()
    for key, value in session.namespace.items():  # torch, gv, np, app unless the user has them
        namespace.setdefault(key, value)
    session.namespace = namespace
    window = App(session=session, tutorial=tutorial, theme=theme)
    window.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)  # then unregistered
    session.model.attach()  # the shell's statements are recorded as the console's
    session.model_replaced.connect(lambda model: model.attach())

    def refresh(*_args):
        if not session.running:
            session.refresh()

    shell = _ipython()
    if shell is not None:
        shell.events.register("post_run_cell", refresh)
        window.destroyed.connect(lambda *_: _unregister(shell, refresh))
    window.shell_timer = timer = QtCore.QTimer(window)
    timer.setInterval(REFRESH_MS)
    timer.timeout.connect(refresh)
    if shell is None:
        timer.start()
    window.refresh_from_shell = refresh
    window.show()
    refresh()
    return window


def _unregister(shell, callback) -> None:
    try:
        shell.events.unregister("post_run_cell", callback)
    except ValueError:
        pass
