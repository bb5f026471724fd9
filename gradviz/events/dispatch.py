"""Synchronous, in-order delivery of events to subscribers."""

from __future__ import annotations

import warnings


class Dispatcher:
    """Delivers each event to every subscriber, in program order.

    ``active`` is True while anyone listens; the core checks it before building an
    event, so an unobserved program pays one attribute lookup per op. A subscriber
    that raises is reported once (as a warning) and never breaks the computation.
    """

    __slots__ = ("active", "_subscribers", "_reported")

    def __init__(self):
        self.active = False
        self._subscribers: list = []
        self._reported: set[int] = set()

    def subscribe(self, callback):
        """Call ``callback(event)`` for every event; returns a token for unsubscribe."""
        self._subscribers = [*self._subscribers, callback]
        self.active = True
        return callback

    def unsubscribe(self, token) -> None:
        # ``==``, not ``is``: ``obj.method`` is a new bound-method object on every access
        self._subscribers = [s for s in self._subscribers if s != token]
        self.active = bool(self._subscribers)

    def emit(self, event) -> None:
        for callback in self._subscribers:
            try:
                callback(event)
            except Exception as exc:  # a listener must never break autograd
                key = id(callback)
                if key not in self._reported:
                    self._reported.add(key)
                    warnings.warn(
                        f"gradviz event subscriber {callback!r} raised {exc!r}; "
                        "further errors from it are not reported",
                        RuntimeWarning,
                        stacklevel=2,
                    )


dispatcher = Dispatcher()
