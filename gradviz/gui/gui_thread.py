"""The GUI thread's side of a statement running on the session's worker thread.

    gui = GuiThread(window)
    session.output.connect(gui.wrap(console.write))     # runs on the GUI thread
    session.save_image_hook = gui.blocking(window.grab_to)   # the worker waits for it

Qt objects may only be touched on the GUI thread (pyqtgraph's rule), so what the worker
announces arrives through a queued Qt signal (``wrap``), and what it asks of the window
runs there while it waits (``blocking``). While a statement runs (``hold_model``),
``GuiThread`` also holds the session's model lock whenever the GUI thread handles an
event: an application event filter takes it before the event is delivered, and the
event dispatcher's ``aboutToBlock`` (the thread has nothing left to do) gives it back.
Views read the model only while handling events, and the worker changes it only in
between, so a view never sees a graph halfway through an event. (Qt's ``awake`` signal
cannot be the start: the glib dispatcher emits ``aboutToBlock`` again after it, before
it delivers the events.) The lock is taken with a timeout, so the window never waits
long for it.
"""

from __future__ import annotations

import contextlib
import threading

from PySide6 import QtCore

LOCK_TIMEOUT = 0.2  # seconds the GUI thread waits for the model (then reads it anyway)


class GuiThread(QtCore.QObject):
    """Runs callables on the GUI thread; holds ``lock`` while that thread is busy."""

    _call = QtCore.Signal(object)

    def __init__(self, lock, parent=None):
        super().__init__(parent)
        self.lock = lock
        self._held = False
        self._acquiring = False  # inside _acquire (an event may arrive meanwhile)
        self._stopped = False
        self._gui = threading.get_ident()
        self._call.connect(self._run, QtCore.Qt.ConnectionType.QueuedConnection)
        self._holding = False
        dispatcher = QtCore.QAbstractEventDispatcher.instance()
        if dispatcher is not None:
            dispatcher.aboutToBlock.connect(self._release)

    # ------------------------------------------------------------ calls
    def on_gui_thread(self) -> bool:
        return threading.get_ident() == self._gui

    def post(self, fn) -> None:
        """Call ``fn()`` on the GUI thread, soon (at once when already there)."""
        if self.on_gui_thread():
            fn()
        else:
            self._call.emit(fn)

    def wrap(self, fn):
        """``fn`` made callable from any thread; it runs on the GUI thread."""
        return lambda *args: self.post(lambda: fn(*args))

    def blocking(self, fn):
        """``fn`` made callable from any thread: it runs on the GUI thread and the
        caller waits for its result (or its exception)."""

        def call(*args):
            if self.on_gui_thread():
                return fn(*args)
            done, box = threading.Event(), {}

            def run():
                try:
                    box["result"] = fn(*args)
                except Exception as exc:  # handed to the waiting thread
                    box["error"] = exc
                done.set()

            self._call.emit(run)
            while not done.wait(0.05):  # in slices, so an interrupt can land
                pass
            if "error" in box:
                raise box["error"]
            return box.get("result")

        return call

    def deliver_posted(self) -> None:
        """Run the calls posted so far, now (the console's short-statement wait)."""
        QtCore.QCoreApplication.sendPostedEvents(self, QtCore.QEvent.Type.MetaCall)

    def _run(self, fn) -> None:
        fn()

    # ------------------------------------------------------------ the model lock
    def hold_model(self, on: bool) -> None:
        """Hold the model lock while handling each event (a statement runs) or not."""
        qapp = QtCore.QCoreApplication.instance()
        if on and not self._holding and not self._stopped:
            qapp.installEventFilter(self)
        elif not on and self._holding:
            qapp.removeEventFilter(self)
            self._release()
        self._holding = on and not self._stopped

    def eventFilter(self, obj, event):  # noqa: N802
        if not self._held:
            self._acquire()
        return False

    def stop(self) -> None:
        """Hold the lock no more (the window is closing)."""
        self.hold_model(False)
        self._stopped = True
        self._release()

    def _acquire(self) -> None:
        # never re-entered: an event the GUI thread handles while it waits (Qt can deliver
        # one from inside a blocking call) must not wait at the gate this wait holds
        if self._acquiring or self._held or self._stopped or not self.on_gui_thread():
            return
        self._acquiring = True
        try:
            self._held = self.lock.acquire(timeout=LOCK_TIMEOUT)
        finally:
            self._acquiring = False

    def _release(self, *_) -> None:
        if self._held and self.on_gui_thread():
            self._held = False
            self.lock.release()

    @contextlib.contextmanager
    def lock_released(self):
        """Let the worker change the model while the GUI thread waits for it."""
        held = self._held
        self._release()
        try:
            yield
        finally:
            if held:
                self._acquire()
