"""Synchronous, in-order delivery of events to subscribers."""

from __future__ import annotations

import warnings

from gradviz.events.types import Event


class Dispatcher:
    """Delivers each event to every subscriber that wants it, in program order.

    ``active`` is True while anyone listens; the core checks it before building an
    event, so an unobserved program pays one attribute lookup per op. A subscriber may
    name the event classes it handles (``kinds``); an event no subscriber wants is then
    not even built where the core asks ``wants`` first (``TensorReleased``, one per dying
    tensor). A subscriber that raises is reported once (as a warning) and never breaks
    the computation.

        >>> from gradviz.events import TensorReleased
        >>> d = Dispatcher()
        >>> seen = []
        >>> token = d.subscribe(seen.append, kinds=(TensorReleased,))
        >>> d.emit(TensorReleased(3)), d.wants(TensorReleased), d.wants(Event)
        (None, True, False)
        >>> d.unsubscribe(token); seen
        [TensorReleased(tensor_id=3)]
    """

    __slots__ = ("active", "wanted", "_subscribers", "_kinds", "_routes", "_reported")

    def __init__(self):
        self.active = False
        self.wanted = frozenset()  # the event classes some subscriber wants
        self._subscribers: list = []
        self._kinds: list = []  # per subscriber: the classes it wants (None: all)
        self._routes: dict = {}  # event class -> the subscribers it goes to, in order
        self._reported: set[int] = set()

    def subscribe(self, callback, kinds=None):
        """Call ``callback(event)`` for every event (of the classes in ``kinds``, when
        given); returns a token for unsubscribe."""
        self._subscribers = [*self._subscribers, callback]
        self._kinds = [*self._kinds, None if kinds is None else frozenset(kinds)]
        self._route()
        return callback

    def unsubscribe(self, token) -> None:
        # ``==``, not ``is``: ``obj.method`` is a new bound-method object on every access
        kept = [i for i, s in enumerate(self._subscribers) if s != token]
        self._subscribers = [self._subscribers[i] for i in kept]
        self._kinds = [self._kinds[i] for i in kept]
        self._route()

    def _route(self) -> None:
        pairs = list(zip(self._subscribers, self._kinds, strict=True))
        self._routes = {cls: tuple([s for s, kinds in pairs if kinds is None or cls in kinds])
                        for cls in _event_classes()}
        self.wanted = frozenset([cls for cls, route in self._routes.items() if route])
        self.active = bool(self._subscribers)

    def wants(self, cls) -> bool:
        """Whether any subscriber wants events of class ``cls``."""
        return bool(self._routes.get(cls, self._subscribers))

    def emit(self, event) -> None:
        for callback in self._routes.get(event.__class__, self._subscribers):
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


def _event_classes() -> list:
    """Every event class defined so far (an engine may add its own)."""
    found, stack = [], [Event]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


dispatcher = Dispatcher()
