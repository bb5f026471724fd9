"""``app.view`` in the console: the graph view's scripting API, run on the GUI thread.

A console statement runs on a worker thread, and the view belongs to the GUI thread, so
each call is handed over and waited for (``GuiThread.blocking``). Targets are what
``app.select`` takes: a Tensor, a ``grad_fn``, a node id or a variable name.

    app.view.drawn()                 # {"nodes": [...], "labels": [...]} of this frame
    app.view.fit()                   # the whole graph in the window
    app.view.show_only(z, "feeds")   # or "fed"; app.view.show_all()
    app.view.hide_constants = True   # also hide_released
"""

from __future__ import annotations

__all__ = ["ConsoleView"]


class ConsoleView:
    """What a script can ask of the window's graph view."""

    def __init__(self, view, session, gui):
        self._view, self._session, self._gui = view, session, gui

    def _on_gui(self, fn, *args):
        return self._gui.blocking(fn)(*args)

    def drawn(self) -> dict:
        """``{"nodes": [...], "labels": [...]}``: the ids drawn in the current frame (a
        collapsed group's id for its members) and those whose label is drawn at 8 px or
        more on screen."""
        return self._on_gui(self._view.drawn)

    def fit(self) -> None:
        """Show the whole graph, as View > Fit."""
        self._on_gui(self._view.fit)

    def show_only(self, target, direction: str = "feeds") -> None:
        """Show only what feeds ``target`` (``"feeds"``) or what it feeds (``"fed"``)."""
        nid = self._session.node_id(target)
        self._on_gui(self._view.show_only, nid, direction)

    def show_all(self) -> None:
        """The whole graph again, after ``show_only``."""
        self._on_gui(self._view.show_all)

    @property
    def hide_constants(self) -> bool:
        return self._view.hide_constants

    @hide_constants.setter
    def hide_constants(self, on: bool) -> None:
        self._on_gui(setattr, self._view, "hide_constants", bool(on))

    @property
    def hide_released(self) -> bool:
        return self._view.hide_released

    @hide_released.setter
    def hide_released(self, on: bool) -> None:
        self._on_gui(setattr, self._view, "hide_released", bool(on))

    def __repr__(self) -> str:
        return ("<the window's graph view: drawn(), fit(), show_only(target, 'feeds' | "
                "'fed'), show_all(), hide_constants, hide_released>")
