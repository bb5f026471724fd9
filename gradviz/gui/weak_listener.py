"""A model listener that forwards to a Qt widget without keeping it alive."""

from __future__ import annotations

import weakref

import shiboken6


class WeakListener:
    """``model.add_listener(WeakListener(widget, model, "_on_change"))``: calls
    ``widget._on_change(change)`` while the widget lives, then removes itself."""

    def __init__(self, widget, model, method: str):
        self.widget = weakref.ref(widget)
        self.model = model
        self.method = method

    def __call__(self, change) -> None:
        widget = self.widget()
        if widget is None or not shiboken6.isValid(widget):
            self.model.remove_listener(self)
            return
        getattr(widget, self.method)(change)
