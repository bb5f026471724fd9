"""Which way a model's graph is drawn: ``"top-down"`` (inputs at the top, the loss at the
bottom: the default, as torchviz draws) or ``"left-right"`` (inputs on the left, Graphviz's
``rankdir=LR``).

The layered layout is the same either way: positions are in layout units, ``y`` the layer
(``layer * layer_gap``) and ``x`` the place along it. Drawers (the window, ``gradviz render``)
turn a position to the screen by the direction, so switching moves no node in the layout,
pinned nodes stay pinned, and an incremental layout goes on from the same positions. The
direction is a setting of the ``GraphModel`` (its ``layout_direction``), kept in saved
sessions and autosaves and written as ``rankdir=LR`` in DOT exports; setting it notifies the
model's listeners (the window redraws and refits).

    >>> from gradviz.model import GraphModel
    >>> model = GraphModel()
    >>> layout_direction(model)
    'top-down'
    >>> set_layout_direction(model, "left-right")
    >>> layout_direction(model)
    'left-right'
"""

from __future__ import annotations

__all__ = ["DIRECTIONS", "layout_direction", "set_layout_direction"]

DIRECTIONS = ("top-down", "left-right")


def layout_direction(model) -> str:
    """The direction ``model``'s graph is drawn in (``"top-down"`` unless set)."""
    return getattr(model, "layout_direction", DIRECTIONS[0])


def set_layout_direction(model, direction: str) -> None:
    """Draw ``model``'s graph ``"top-down"`` or ``"left-right"``; its listeners are told."""
    if direction not in DIRECTIONS:
        raise ValueError(f"layout direction must be one of {DIRECTIONS}, not {direction!r}")
    if layout_direction(model) == direction:
        return
    model.layout_direction = direction
    model._pending.updated.add(None)  # a change for the listeners (no node), as groups do
    model.flush()
