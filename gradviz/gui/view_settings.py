"""The View menu's graph settings, the History dock, and "Show only..." on a node.

    add_history_dock(window)            # window.history, window.history_dock
    add_view_settings(window, view_menu) # Layout direction ▸, Released nodes ▸, Hide
                                         # constants, History
    add_node_focus_entries(window, menu, nid)   # the node's context menu

The release policy (``GraphModel.release_policy``) is a setting the user sees and keeps
across runs: what becomes of nodes whose tensor or grad_fn died. So is the layout direction
(top-down or left-right, the model's ``layout_direction``; a loaded session brings its own).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.history_panel import HistoryPanel
from gradviz.model.layout_direction import DIRECTIONS

# policy, menu text, tooltip
RELEASE_CHOICES = (
    ("latest", "Current graph (fade a new released one)",
     "a loop shows its current iteration; a released graph is drawn faded the first time "
     "one of its shape dies (the tutorial's reassigned z), and leaves at the next"),
    ("fade", "Fade every released node",
     "every node whose object died stays, faded (a training loop piles up its iterations)"),
    ("remove", "Remove released nodes", "a node leaves the graph as soon as its object dies"),
    ("keep", "Keep released nodes as if alive", "released nodes are drawn as if still alive"),
)


def add_history_dock(window) -> None:
    """The History dock (loss and grad norms per backward run), tabbed with the inspector
    at once (stacked, three docks would make the window's least height 600 px)."""
    window.history = HistoryPanel(window.model)
    window.history_dock = window._dock("History", window.history,
                                       QtCore.Qt.DockWidgetArea.RightDockWidgetArea)
    window.tabifyDockWidget(window.inspector_dock, window.history_dock)
    window.inspector_dock.raise_()


def set_release_policy(window, policy: str) -> None:
    """Apply and remember the release policy; the menu follows."""
    window.model.set_release_policy(policy)
    window.settings.setValue("release_policy", policy)
    for action in window.release_actions.actions():
        action.setChecked(action.data() == policy)
    window.view.refresh()


DIRECTION_CHOICES = (("top-down", "Top to bottom", "inputs at the top, the loss at the bottom"),
                     ("left-right", "Left to right", "inputs on the left, the loss on the right"))


def set_direction(window, direction: str) -> None:
    """Draw the graph top-down or left-right, and remember it; the menu follows (and is
    synced when opened: a script or a loaded session may have turned it)."""
    window.view.set_direction(direction)
    window.settings.setValue("layout_direction", direction)
    sync_direction_menu(window)


def sync_direction_menu(window) -> None:
    for action in window.direction_actions.actions():
        action.setChecked(action.data() == window.view.direction)


def add_view_settings(window, menu: QtWidgets.QMenu) -> None:
    """Layout direction ▸, Released nodes ▸ (the policy), Hide constants, Hide released
    nodes, History."""
    directions, window.direction_actions = _choice_menu(
        menu, "Layout direction", DIRECTION_CHOICES, lambda d: set_direction(window, d))
    directions.aboutToShow.connect(lambda: sync_direction_menu(window))  # a script may turn it
    saved = window.settings.value("layout_direction")
    if saved in DIRECTIONS and saved != window.view.direction:
        set_direction(window, saved)
    sync_direction_menu(window)
    _, window.release_actions = _choice_menu(
        menu, "Released nodes", RELEASE_CHOICES, lambda p: set_release_policy(window, p))
    for action in window.release_actions.actions():
        action.setChecked(action.data() == window.model.release_policy)
    saved = window.settings.value("release_policy")
    if saved in {c[0] for c in RELEASE_CHOICES} and saved != window.model.release_policy:
        set_release_policy(window, saved)
    for key, text, attr in (("hide_constants", "Hide constants", "hide_constants"),
                            ("hide_released", "Hide released nodes", "hide_released")):
        action = menu.addAction(text)
        action.setCheckable(True)
        action.toggled.connect(lambda on, a=attr: setattr(window.view, a, on))
        window.actions[key] = action
    menu.addSeparator()
    menu.addAction(window.history_dock.toggleViewAction())


def _choice_menu(menu, title: str, choices, choose) -> tuple:
    """A submenu ``title`` of exclusive checkable entries, one per ``(value, text, tip)`` of
    ``choices``, calling ``choose(value)`` when picked: ``(the submenu, its action group)``."""
    sub = menu.addMenu(title)
    sub.setToolTipsVisible(True)
    group = QtGui.QActionGroup(sub)
    group.setExclusive(True)
    for value, text, tip in choices:
        action = sub.addAction(text)
        action.setData(value)
        action.setToolTip(tip)
        action.setCheckable(True)
        group.addAction(action)
        action.triggered.connect(lambda _=False, v=value: choose(v))
    return sub, group


def add_node_focus_entries(window, menu: QtWidgets.QMenu, nid) -> None:
    """"Show only what feeds this node" / "what this node feeds", and the way back."""
    view = window.view
    if nid is not None:
        menu.addAction("Show only what feeds this node", lambda: view.show_only(nid, "feeds"))
        menu.addAction("Show only what this node feeds", lambda: view.show_only(nid, "fed"))
    if view.focus is not None:
        menu.addAction("Show the whole graph (Esc)", view.show_all)
