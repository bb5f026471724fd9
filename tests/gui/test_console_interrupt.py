"""A running console statement is stopped by the Stop button, Ctrl+C in the console or
app.interrupt(), while the window stays live (pytest-qt, as a user drives it)."""

import numpy as np
from PySide6 import QtCore

from gradviz.session import ActionError
from tests.gui.conftest import console_text, node_named
from tests.gui.conftest import type_and_go_on as type_in

TIMEOUT = 10_000


def idle(window, qtbot, timeout=TIMEOUT):
    qtbot.waitUntil(lambda: not window.session.running, timeout=timeout)


def assert_answers(window, qtbot, name="after"):
    """The app takes the next statement and runs it."""
    type_in(window, f"{name} = (torch.ones(2, requires_grad=True) * 3).sum()")
    idle(window, qtbot)
    assert name in window.session.namespace
    node_named(window.model, name)


def test_stop_button_interrupts_an_infinite_loop(blank, qtbot):
    type_in(blank, "w = torch.ones(3, requires_grad=True)", "q = (w * 2).sum()",
            "while True: pass", "")
    assert blank.session.running, "the console returned while the loop runs"
    assert blank.stop_button.isVisible() and blank.console.stop_button.isVisible()
    fired = []
    QtCore.QTimer.singleShot(50, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)  # the event loop runs meanwhile
    qtbot.waitUntil(lambda: blank.message.text().startswith("Running while True: pass"),
                    timeout=2000)
    qtbot.mouseClick(blank.stop_button, QtCore.Qt.MouseButton.LeftButton)
    idle(blank, qtbot)
    text = console_text(blank)
    assert "KeyboardInterrupt" in text
    assert 'File "<console>"' in text and "repl_widget" not in text
    assert not blank.stop_button.isVisible() and not blank.console.stop_button.isVisible()
    assert "interrupted" in blank.message.text()
    assert isinstance(blank.session.last_error, KeyboardInterrupt)
    node_named(blank.model, "q")  # built before: still there
    assert_answers(blank, qtbot)


def test_ctrl_c_in_the_console_interrupts_a_training_loop(blank, qtbot):
    type_in(blank, "model = torch.nn.Linear(3, 1)",
            "opt = torch.optim.SGD(model.parameters(), lr=0.1)",
            "x = torch.randn(8, 3); y = torch.randn(8, 1)")
    type_in(blank, "for step in range(10**9):\n"
                   "    opt.zero_grad(); loss = ((model(x) - y) ** 2).mean()\n"
                   "    loss.backward(); opt.step()\n")
    qtbot.waitUntil(lambda: blank.session.namespace.get("step", 0) > 5, timeout=TIMEOUT)
    # the graph follows while the loop runs (a few refreshes a second)
    qtbot.waitUntil(lambda: blank.session.running and "AddmmBackward0" in {
        d.get("name") for _, d in blank.model.graph.nodes(data=True)}
        and len(blank.view.scene) == blank.model.shown_graph().number_of_nodes(), timeout=TIMEOUT)
    assert blank.console.input.hasFocus() or blank.console.input.isEnabled()
    qtbot.keyClick(blank.console.input, QtCore.Qt.Key.Key_C,
                   QtCore.Qt.KeyboardModifier.ControlModifier)
    idle(blank, qtbot)
    assert "KeyboardInterrupt" in console_text(blank)
    steps = blank.session.namespace["step"]
    assert steps > 5 and node_named(blank.model, "loss")
    assert_answers(blank, qtbot)
    assert blank.session.namespace["step"] == steps, "the loop stays stopped"


def test_app_interrupt_during_backward(blank, qtbot):
    type_in(blank, "w = torch.ones(1, requires_grad=True)",
            "h = w\nfor _ in range(5000): h = h * 1.0\n")
    idle(blank, qtbot)
    type_in(blank, "import threading; started = threading.Event()",
            "hook = h.register_hook(lambda g: started.set())",
            "(h * h).sum().backward()")
    qtbot.waitUntil(lambda: blank.session.namespace["started"].is_set(), timeout=TIMEOUT)
    if blank.session.running:  # on a fast machine backward may already be over
        assert blank.session.interrupt() is True
        idle(blank, qtbot)
        assert "KeyboardInterrupt" in console_text(blank)
        assert blank.session.namespace["w"].grad is None
    assert_answers(blank, qtbot)
    type_in(blank, "v = torch.ones(2, requires_grad=True)", "(v * 3).sum().backward()")
    idle(blank, qtbot)
    np.testing.assert_allclose(blank.session.namespace["v"].grad.numpy(), [3.0, 3.0])


def test_an_interrupt_between_statements_does_nothing(blank, qtbot):
    type_in(blank, "a = 1")
    before = console_text(blank)
    qtbot.keyClick(blank.console.input, QtCore.Qt.Key.Key_C,
                   QtCore.Qt.KeyboardModifier.ControlModifier)
    assert blank.session.interrupt() is False
    qtbot.wait(50)
    assert console_text(blank) == before
    type_in(blank, "stopped = app.interrupt()", "b = a + 1")
    assert blank.session.namespace["stopped"] is False and blank.session.namespace["b"] == 2
    assert "KeyboardInterrupt" not in console_text(blank)


def test_output_appears_while_the_statement_runs(blank, qtbot):
    type_in(blank, "import time",
            "for i in range(10**9):\n    print('tick', i)\n    time.sleep(0.05)\n")
    qtbot.waitUntil(lambda: "tick 3" in console_text(blank), timeout=TIMEOUT)
    assert blank.session.running
    blank.session.interrupt()
    idle(blank, qtbot)
    assert "KeyboardInterrupt" in console_text(blank)
    assert_answers(blank, qtbot)


def test_the_window_stays_live_while_a_statement_runs(app, qtbot):
    type_in(app, "import time", "time.sleep(30)")
    assert app.session.running
    # a menu opens, the view pans and repaints, actions that need the graph say why not
    menu = app.menuBar().actions()[0].menu()
    menu.popup(app.mapToGlobal(QtCore.QPoint(10, 10)))
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    menu.close()
    corner = app.view.to_world(QtCore.QPointF(0, 0))
    app.view.pan(40, 0)
    assert app.view.to_world(QtCore.QPointF(0, 0)) != corner
    assert not app.view.grab().isNull()
    nodes = app.model.graph.number_of_nodes()
    for key in ("zero_grad", "clear", "backward"):
        app.actions[key].trigger()
        assert "a statement is running" in app.message.text(), key
    assert isinstance(app.lessons.run_cell(1), ActionError), "a tutorial cell waits too"
    assert app.model.graph.number_of_nodes() == nodes
    typed = "late = 1"
    type_in(app, typed)  # typed while it runs: waits its turn
    assert "late" not in app.session.namespace
    qtbot.keyClick(app.console.input, QtCore.Qt.Key.Key_C,
                   QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "late" in app.session.namespace, timeout=TIMEOUT)
    idle(app, qtbot)
    assert "KeyboardInterrupt" in console_text(app)


def test_run_file_from_the_menu_can_be_stopped(blank, qtbot, tmp_path):
    script = tmp_path / "long.py"
    script.write_text("import time\nw = torch.ones(2, requires_grad=True)\n"
                      "built = (w * 2).sum()\ntime.sleep(30)\n")
    blank.run_file(script)
    qtbot.waitUntil(lambda: "built" in blank.session.namespace, timeout=TIMEOUT)
    assert blank.session.running
    qtbot.mouseClick(blank.stop_button, QtCore.Qt.MouseButton.LeftButton)
    idle(blank, qtbot)
    assert "KeyboardInterrupt" in console_text(blank)
    assert f"app.run_file({str(script)!r})" in console_text(blank)
    node_named(blank.model, "built")
    assert str(script.resolve()) in blank.recent_files()
