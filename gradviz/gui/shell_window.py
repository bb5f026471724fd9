"""The window opened from the user's own shell (``gradviz.show()``, see
:mod:`gradviz.notebook`): its session's namespace is the caller's globals, its model
records while the window lives, and names follow what the shell runs (on IPython's
``post_run_cell``, or every half second without IPython), as napari's viewer does.

In IPython the Qt event loop is switched on when it is not yet (``%gui qt`` is then
optional, as with napari). In a Jupyter kernel, ipykernel runs Qt's loop until the next
message reaches its shell socket; the task that handles that message can be left
waiting behind the Qt loop the kernel re-entered, so a cell sent right behind another
("Run all") hangs until some later message arrives (measured with ipykernel 7.4 and a
real kernel: ``tests/e2e/test_jupyter_kernel.py``). The window hands control back to
the kernel's own loop every ``KERNEL_YIELD_MS``, which ends that wait.
"""

from __future__ import annotations

from PySide6 import QtCore

REFRESH_MS = 500  # without IPython: how often names are read from the namespace
KERNEL_YIELD_MS = 50  # in a Jupyter kernel: how often the Qt loop lets the kernel run
QT_LOOPS = ("qt", "qt5", "qt6")


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
        _start_qt_loop(shell)
        window.kernel_timer = _yield_to_kernel(shell, window)
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


def _start_qt_loop(shell) -> None:
    """``%gui qt`` for the user, unless an event loop runs already (or the shell has none:
    a plain ``InteractiveShell``)."""
    if getattr(shell, "active_eventloop", None) is not None:
        return
    try:
        shell.enable_gui("qt")
    except (NotImplementedError, AttributeError, ImportError):
        return
    shell.active_eventloop = "qt"  # what %gui qt records


def _yield_to_kernel(shell, window):
    """In a Jupyter kernel running the Qt loop, a timer that ends that loop now and then so
    the kernel handles what waits (see the module docstring); None elsewhere."""
    kernel = getattr(shell, "kernel", None)
    if kernel is None or getattr(kernel, "app", None) is None:
        return None

    def let_kernel_run():
        app = kernel.app
        loop = getattr(app, "qt_event_loop", None)
        if loop is not None and getattr(app, "_in_event_loop", False):
            loop.quit()  # ipykernel enters it again a millisecond later

    timer = QtCore.QTimer(window)
    timer.setInterval(KERNEL_YIELD_MS)
    timer.timeout.connect(let_kernel_run)
    timer.start()
    return timer


def _unregister(shell, callback) -> None:
    try:
        shell.events.unregister("post_run_cell", callback)
    except ValueError:
        pass
