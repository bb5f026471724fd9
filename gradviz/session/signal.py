"""A Qt-free notification: the session announces changes, views subscribe.

    >>> changed = Signal()
    >>> _ = changed.connect(print)
    >>> changed.emit("loss")
    loss

Like napari's ``EventEmitter`` or psygnal's ``Signal``, in a few lines: callbacks are
called in the order they connected, on the thread that emits. A view that lives on a
GUI thread wraps its callback so that it runs there (``gradviz.gui`` does).
"""

from __future__ import annotations

__all__ = ["Signal"]


class Signal:
    """A list of callbacks called by ``emit(*args)``."""

    def __init__(self):
        self._callbacks: list = []

    def connect(self, callback):
        """Call ``callback(*args)`` on every ``emit``; returns ``callback``."""
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def __bool__(self) -> bool:
        """True while anyone listens."""
        return bool(self._callbacks)

    def emit(self, *args) -> None:
        for callback in list(self._callbacks):
            callback(*args)
