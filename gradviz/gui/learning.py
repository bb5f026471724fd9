"""The main window's learning docks: the tutorial panel and the backward stepper.

    add_learning_docks(window)      # window.lessons, window.stepper and their docks
    handlers = learning_handlers(window)      # ACTIONS key -> what it does
    add_learning_menu(window, window.menuBar())   # the Learn menu

Both are tabs, so the graph keeps its room: the tutorial beside the inspector (which a
click on a node brings forward), the stepper beside the console (its tab counts the steps
of the last backward). A step is shown by selecting its node (the inspector follows) and
painting the step over the graph; running a cell brings the console forward.
"""

from __future__ import annotations

from PySide6 import QtCore

from gradviz.gui.lessons import LessonsPanel
from gradviz.gui.stepper import Stepper
from gradviz.model.groups_view import GROUP_PREFIX

STEPPER_TITLE = "Backward stepper"


def _show(dock) -> None:
    dock.show()
    dock.raise_()


def add_learning_docks(window) -> None:
    """Create the tutorial panel and the stepper as docks of ``window`` (an ``App``)."""
    area = QtCore.Qt.DockWidgetArea
    window.stepper = Stepper(window.model)
    window.lessons = LessonsPanel(window.console, start_over=lambda: window.session.guarded(
        "Start over", window.session.clear))
    window.stepper_dock = window._dock(STEPPER_TITLE, window.stepper, area.BottomDockWidgetArea)
    window.lessons_dock = window._dock("Tutorial", window.lessons, area.RightDockWidgetArea)
    _FirstShow(window, lambda: tab_learning_docks(window))
    window.stepper.stepChanged.connect(lambda step: show_step(window, step))
    window.stepper.runChanged.connect(
        lambda n: window.stepper_dock.setWindowTitle(
            f"{STEPPER_TITLE} · {n} step{'s' if n != 1 else ''}" if n else STEPPER_TITLE))
    window.lessons.cellRun.connect(lambda i, error: _on_cell_run(window, i, error))
    window.stepper.runChanged.emit(len(window.stepper.steps))


def _on_cell_run(window, i: int, error) -> None:
    """Bring the console forward; a cell that raised already reported its error."""
    window.console_dock.raise_()
    if error is None:
        window.status(f"ran the tutorial's {window.lessons.cells[i].label}: its output is in "
                      f"the console")


class _FirstShow(QtCore.QObject):
    """Call ``fn`` when ``window`` is first shown (inside ``show()``)."""

    def __init__(self, window, fn):
        super().__init__(window)
        self.fn = fn
        window.installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() == QtCore.QEvent.Type.Show:
            obj.removeEventFilter(self)
            self.fn()
        return False


def tab_learning_docks(window) -> None:
    """Tab the stepper with the console and the tutorial with the inspector, unless the
    user put them elsewhere (a restored layout). Done when the window is shown: Qt 6.11
    leaves a stale copy of a tab bar drawn when docks are tabbed in two areas before."""
    area = QtCore.Qt.DockWidgetArea
    for dock, host, where in ((window.stepper_dock, window.console_dock,
                               area.BottomDockWidgetArea),
                              (window.lessons_dock, window.inspector_dock,
                               area.RightDockWidgetArea)):
        if (dock.isFloating() or dock.isHidden() or window.tabifiedDockWidgets(dock)
                or window.dockWidgetArea(dock) != where or window.dockWidgetArea(host) != where):
            continue
        window.tabifyDockWidget(host, dock)
        host.raise_()


def show_step(window, step) -> None:
    """Paint ``step`` over the graph, select its node (the inspector shows it), caption it."""
    view = window.view
    if step is None:
        view.set_step_highlight()
        return
    drawn = drawn_as(window.model, step.nid)
    view.set_step_highlight(window.stepper.done(), drawn, step.edges)
    if drawn == step.nid:
        view.select(step.nid, center=True)
    else:  # inside a collapsed module group: the group glows, the inspector shows the node
        view.select(None)
        window.session.select(step.nid, center=False)
        if drawn is not None:
            view.ensure_visible([drawn])
    window.status(step.caption)


def drawn_as(model, nid):
    """What the view draws for node ``nid``: itself, or the outermost collapsed module
    group it is in (``"group:model.head"``)."""
    path = model.collapsed_around(nid)
    return nid if path is None else GROUP_PREFIX + path


def learning_handlers(window) -> dict:
    """What the learning entries of ``ACTIONS`` do."""

    def stepping(method):
        def run():
            _show(window.stepper_dock)
            getattr(window.stepper, method)()
        return run

    def next_cell():
        _show(window.lessons_dock)
        window.lessons.run_next()

    return {
        "lessons": lambda: _show(window.lessons_dock),
        "lesson_next": next_cell,
        "stepper": lambda: _show(window.stepper_dock),
        "step_first": stepping("first"),
        "step_prev": stepping("previous"),
        "step_next": stepping("next"),
        "step_last": stepping("last"),
        "step_play": stepping("toggle_play"),
    }


def add_learning_menu(window, bar) -> None:
    """The Learn menu: the tutorial and the stepper's controls."""
    menu = bar.addMenu("&Learn")
    for key in ("lessons", "lesson_next", None, "stepper", "step_first", "step_prev",
                "step_play", "step_next", "step_last"):
        menu.addSeparator() if key is None else menu.addAction(window.actions[key])
