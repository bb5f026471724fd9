"""Fixtures for the app tests: settings in a temporary directory, a window per test."""

import pytest
from PySide6 import QtCore


@pytest.fixture(autouse=True)
def settings_dir(tmp_path_factory):
    """QSettings (geometry, recent files, console history) go to a fresh directory."""
    path = tmp_path_factory.mktemp("settings")
    QtCore.QSettings.setPath(QtCore.QSettings.Format.IniFormat,
                             QtCore.QSettings.Scope.UserScope, str(path))
    return path


@pytest.fixture(autouse=True)
def _previous_windows_deleted():
    """Delete the windows earlier tests closed: pytest-qt only calls ``deleteLater`` on them,
    and without a running event loop they would pile up (every new window's stylesheet
    then restyles all of them, and each test starts slower than the last)."""
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    yield


@pytest.fixture
def model():
    """A GraphModel recording (attached), detached after the test."""
    from gradviz.model import GraphModel

    m = GraphModel()
    m.attach()
    yield m
    m.detach()


def _window(qtbot, **kwargs):
    from gradviz.gui.app import App

    window = App(theme="light", **kwargs)
    qtbot.addWidget(window)
    window.resize(1280, 820)
    window.show()
    qtbot.waitExposed(window)
    window.view.fit()
    return window


def _close(window):
    """Close the window; a statement still running is interrupted by that, and must end
    (one that ran on would slow, and record into, every later test)."""
    window.close()
    assert window.session.runner.wait(5), "a statement outlived its window"


@pytest.fixture
def app(qtbot):
    """The main window as a newcomer sees it: the tutorial already run."""
    window = _window(qtbot)
    yield window
    _close(window)


@pytest.fixture
def blank(qtbot):
    """The main window with an empty graph."""
    window = _window(qtbot, tutorial=False)
    yield window
    _close(window)


@pytest.fixture
def on_torch(qtbot):
    """The window as ``gradviz --engine torch`` opens it (no tutorial), at 1280 x 800."""
    pytest.importorskip("torch")
    from gradviz.model import GraphModel
    from gradviz.session import Session

    window = _window(qtbot, session=Session(GraphModel(engine="torch")), tutorial=False)
    window.resize(1280, 800)
    yield window
    _close(window)


def type_in(window, *statements):
    """Type each statement into the console, press Enter and let it finish."""
    for cmd in statements:
        type_and_go_on(window, cmd)
        wait_idle(window)


def type_and_go_on(window, *statements):
    """Type each statement and press Enter, not waiting past the half second the console
    itself waits (a long statement goes on running: the interrupt tests)."""
    cw = window.console
    for cmd in statements:
        cw.repl.input.setText(cmd)
        cw.repl.input.execCmd()


def wait_idle(window, timeout: float = 60.0) -> None:
    """Let a statement still running on the session's worker finish (a slow machine may
    take longer than the half second the console waits), delivering what it posts."""
    import time

    from PySide6 import QtWidgets

    end = time.monotonic() + timeout
    while window.session.running and time.monotonic() < end:
        QtWidgets.QApplication.processEvents()
        time.sleep(0.005)
    QtWidgets.QApplication.processEvents()


def node_named(model, name):
    hits = [n for n, d in model.graph.nodes(data=True) if d.get("name") == name]
    assert hits, f"no node named {name!r} in the graph"
    return hits[0]


def console_text(window) -> str:
    return window.console.repl.output.toPlainText()
