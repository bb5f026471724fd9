"""The IPython console (``gradviz --console ipython``, View > Console), driven as a user
drives it: typing cells, Tab, ``x?``, magics, Ctrl+C / Stop / app.interrupt() on a cell
that never ends while the window stays live; the graph gets the nodes."""

import importlib.util

import pytest
from PySide6 import QtCore

pytest.importorskip("qtconsole")  # the [console] extra, which the test command installs

import gradviz  # noqa: E402
from gradviz.gui.console_choice import INSTALL, ConsoleUnavailable  # noqa: E402
from gradviz.model.provenance import describe_where  # noqa: E402
from gradviz.session import Session  # noqa: E402
from tests.gui.conftest import node_named  # noqa: E402

TIMEOUT = 15_000
Key = QtCore.Qt.Key


@pytest.fixture
def rich(qtbot):
    from gradviz.gui.app import App

    window = App(theme="light", tutorial=False, console="ipython")
    qtbot.addWidget(window)
    window.resize(1280, 820)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def text(window) -> str:
    return window.console._control.toPlainText()


def idle(window, qtbot):
    qtbot.waitUntil(lambda: not window.session.running and not window.console._executing,
                    timeout=TIMEOUT)


def type_cell(window, qtbot, source: str, wait: bool = True) -> None:
    """Type ``source`` in the console's prompt and press Enter."""
    control = window.console._control
    control.setFocus()
    qtbot.keyClicks(control, source)
    if wait:  # until its reply has printed the next prompt
        with qtbot.waitSignal(window.console.executed, timeout=TIMEOUT):
            qtbot.keyClick(control, Key.Key_Return)
        idle(window, qtbot)
    else:
        qtbot.keyClick(control, Key.Key_Return)
        qtbot.waitUntil(lambda: window.session.running, timeout=TIMEOUT)


def test_a_typed_cell_is_recorded_like_the_built_in_consoles(rich, qtbot):
    type_cell(rich, qtbot, "import torch; w = torch.ones(3, requires_grad=True)")
    type_cell(rich, qtbot, "loss = (w * 2).sum(); loss")
    assert "Out[2]: tensor(6., grad_fn=<SumBackward0>)" in text(rich)
    assert rich.session.namespace["torch"] is gradviz  # import torch gave gradviz
    model = rich.model
    node_named(model, "w")
    mul = next(n for n, d in model.graph.nodes(data=True) if d.get("name") == "MulBackward0")
    where = describe_where(model.graph.nodes[mul]["where"], model.provenance.texts)
    assert where == "statement 2: loss = (w * 2).sum(); loss"
    type_cell(rich, qtbot, "loss.backward()")
    assert model.grad(node_named(model, "w")).tolist() == [2.0, 2.0, 2.0]
    qtbot.waitUntil(lambda: len(rich.view.scene) == model.shown_graph().number_of_nodes(),
                    timeout=TIMEOUT)
    assert "4 edges" in rich.counts.text() or "edges" in rich.counts.text()
    type_cell(rich, qtbot, "loss")  # Out[n] holds it, but _ and _4 do not rename it
    assert rich.model.graph.nodes[node_named(model, "loss")]["name"] == "loss"
    type_cell(rich, qtbot, "1/0")
    assert "ZeroDivisionError" in text(rich)
    assert isinstance(rich.session.last_error, ZeroDivisionError)
    assert "ZeroDivisionError" in rich.message.text()


def test_tab_completes_a_variable_and_a_method(rich, qtbot):
    type_cell(rich, qtbot, "learning_rate_value = 0.1")
    control = rich.console._control
    qtbot.keyClicks(control, "learning_rate_v")
    qtbot.keyClick(control, Key.Key_Tab)
    qtbot.waitUntil(lambda: rich.console.input_buffer == "learning_rate_value",
                    timeout=TIMEOUT)
    rich.console.input_buffer = ""
    type_cell(rich, qtbot, "w = torch.ones(2, requires_grad=True)")
    qtbot.keyClicks(control, "w.requires_gr")
    qtbot.keyClick(control, Key.Key_Tab)
    qtbot.waitUntil(lambda: rich.console.input_buffer.startswith("w.requires_grad"),
                    timeout=TIMEOUT)


def test_question_mark_help_and_magics(rich, qtbot):
    type_cell(rich, qtbot, "w = torch.ones(3, requires_grad=True)")
    type_cell(rich, qtbot, "w?")
    out = text(rich)
    assert "Type:" in out and "Tensor" in out and "Docstring:" in out
    type_cell(rich, qtbot, "%who")
    assert "w" in text(rich).rsplit("%who", 1)[1].split()
    type_cell(rich, qtbot, "%timeit -n 3 -r 2 (w * 2).sum()")
    assert "per loop" in text(rich)
    assert not rich.session.running


def test_ctrl_c_interrupts_an_endless_cell_while_the_window_stays_live(rich, qtbot):
    type_cell(rich, qtbot, "w = torch.ones(3, requires_grad=True); q = (w * 2).sum()")
    type_cell(rich, qtbot, "while True: pass", wait=False)
    assert rich.session.running, "Enter returned while the loop runs"
    qtbot.waitUntil(rich.stop_button.isVisible, timeout=TIMEOUT)
    fired = []
    QtCore.QTimer.singleShot(50, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)  # the event loop runs meanwhile
    qtbot.waitUntil(lambda: rich.message.text().startswith("Running while True: pass"),
                    timeout=2000)
    qtbot.keyClick(rich.console._control, Key.Key_C, QtCore.Qt.KeyboardModifier.ControlModifier)
    idle(rich, qtbot)
    assert "KeyboardInterrupt" in text(rich)
    assert isinstance(rich.session.last_error, KeyboardInterrupt)
    assert "interrupted" in rich.message.text() and not rich.stop_button.isVisible()
    node_named(rich.model, "q")  # built before: still there
    type_cell(rich, qtbot, "after = (w * 3).sum()")
    node_named(rich.model, "after")


@pytest.mark.parametrize("how", ["stop button", "app.interrupt()"])
def test_stop_and_app_interrupt_end_a_training_loop(rich, qtbot, how):
    type_cell(rich, qtbot, "model = torch.nn.Linear(3, 1); x = torch.randn(8, 3)")
    type_cell(rich, qtbot, "for step in range(10**9): loss = model(x).pow(2).mean(); "
                           "loss.backward()", wait=False)
    qtbot.waitUntil(lambda: rich.session.namespace.get("step", 0) > 3, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "AddmmBackward0" in {
        d.get("name") for _, d in rich.model.graph.nodes(data=True)}, timeout=TIMEOUT)
    if how == "stop button":
        qtbot.waitUntil(rich.stop_button.isVisible, timeout=TIMEOUT)
        qtbot.mouseClick(rich.stop_button, QtCore.Qt.MouseButton.LeftButton)
    else:
        assert rich.session.namespace["app"].interrupt()
    idle(rich, qtbot)
    assert "KeyboardInterrupt" in text(rich)
    type_cell(rich, qtbot, "done = step")
    assert rich.session.namespace["done"] > 3


def test_a_stop_inside_a_no_grad_block_leaves_grad_mode_on_in_ipython(rich, qtbot):
    # IPython catches the interrupt itself: the cell ends normally, and grad mode, which
    # a Stop as the block exits leaves off (here the exit never runs), is set back
    type_cell(rich, qtbot, "block = torch.no_grad(); block.__enter__(); "
                           "off = not torch.is_grad_enabled(); exec('while True: pass')",
              wait=False)
    qtbot.waitUntil(lambda: "off" in rich.session.namespace, timeout=TIMEOUT)
    assert rich.session.namespace["app"].interrupt()
    idle(rich, qtbot)
    assert "KeyboardInterrupt" in text(rich) and rich.session.namespace["off"] is True
    type_cell(rich, qtbot, "on = torch.is_grad_enabled()")
    assert rich.session.namespace["on"] is True


def test_view_menu_switches_console_and_keeps_the_namespace(qtbot, monkeypatch):
    from gradviz.gui.app import App

    window = App(theme="light", tutorial=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.console.console_kind == "builtin"
        window.console.run("kept = torch.ones(2, requires_grad=True)")
        window.console_actions["ipython"].trigger()
        assert window.console.console_kind == "ipython"
        assert window.console_dock.widget() is window.console
        assert window.settings.value("console") == "ipython"
        qtbot.waitUntil(window.console._control.isVisible, timeout=TIMEOUT)
        type_cell(window, qtbot, "again = (kept * 2).sum()")
        node_named(window.model, "again")
        window.set_theme("dark")  # the IPython console follows the theme
        qtbot.waitUntil(lambda: window.console.syntax_style == "monokai", timeout=TIMEOUT)
        window.console_actions["builtin"].trigger()
        assert window.console.console_kind == "builtin"
        window.console.run("back = again * 1")
        node_named(window.model, "back")
    finally:
        window.close()


def _without_qtconsole(monkeypatch):
    find = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "qtconsole" else find(name, *a))


def test_without_qtconsole_asking_for_ipython_says_how_to_get_it(qtbot, monkeypatch, capsys):
    from gradviz.cli import main
    from gradviz.gui.app import App

    _without_qtconsole(monkeypatch)
    assert main(["--console", "ipython"]) == 2
    assert INSTALL in capsys.readouterr().err
    session = Session()
    with pytest.raises(ConsoleUnavailable, match=r"pip install 'gradviz\[console\]'"):
        App(session=session, theme="light", tutorial=False, console="ipython")
    session.close()  # the window that refused never took it over
    window = App(theme="light", tutorial=False)  # the built-in console, as by default
    qtbot.addWidget(window)
    try:
        window.console_actions["ipython"].trigger()
        assert window.console.console_kind == "builtin"
        assert window.console_actions["builtin"].isChecked()
        assert INSTALL in window.message.text()
        window.console.run("still = torch.ones(1) + 1")
        assert window.session.namespace["still"].item() == 2.0
    finally:
        window.close()
    window.settings.setValue("console", "ipython")  # chosen when qtconsole was there
    again = App(theme="light", tutorial=False)
    qtbot.addWidget(again)
    try:
        assert again.console.console_kind == "builtin" and INSTALL in again.message.text()
    finally:
        again.close()


def test_up_recalls_restored_history(rich, qtbot):
    rich.console.add_history(["w = torch.zeros(2)", "v = w + 1"])
    control = rich.console._control
    control.setFocus()
    qtbot.keyClick(control, Key.Key_Up)
    assert rich.console.input_buffer == "v = w + 1"
    qtbot.keyClick(control, Key.Key_Up)
    assert rich.console.input_buffer == "w = torch.zeros(2)"


def test_on_the_torch_engine_cells_record_real_torch(qtbot):
    pytest.importorskip("torch")
    import torch

    from gradviz.gui.app import App
    from gradviz.model import GraphModel

    window = App(session=Session(GraphModel(engine="torch")), theme="light", tutorial=False,
                 console="ipython")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        type_cell(window, qtbot, "import torch; a = torch.ones(2, requires_grad=True)")
        type_cell(window, qtbot, "b = (a * 2).sum(); b.backward()")
        assert window.session.namespace["torch"] is torch  # the real one on this engine
        model = window.model
        assert "MulBackward0" in {d.get("name") for _, d in model.graph.nodes(data=True)}
        assert model.grad(node_named(model, "a")).tolist() == [2.0, 2.0]
    finally:
        window.close()
