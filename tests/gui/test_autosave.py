"""Autosave: a real app process killed mid-session is restored at the next start, graph
and console history; a clean exit leaves nothing to restore (issue 9 section 2)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gradviz.session import autosave
from tests.gui.conftest import node_named, type_in

STATEMENTS = ["w = torch.ones(3, requires_grad=True)", "loss = (w * w).sum()",
              "loss.backward()", "this is not python"]

DRIVER = textwrap.dedent("""
    import sys
    from PySide6 import QtCore, QtWidgets
    qapp = QtWidgets.QApplication(sys.argv[:1])
    from gradviz.gui.app import App
    window = App(tutorial=False, restore=False)
    window.show()
    window.autosave_timer.setInterval(300)
    for cmd in %r:
        window.console.repl.input.setText(cmd)
        window.console.repl.input.execCmd()
    def check():
        saver = window.autosave
        if saver.saves and not saver.changed and not window.session.running:
            print("SAVED", saver.path, flush=True)
            timer.stop()
    timer = QtCore.QTimer()
    timer.timeout.connect(check)
    timer.start(100)
    qapp.exec()
""") % (STATEMENTS,)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADVIZ_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_a_killed_app_is_restored(data_dir, qtbot):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]),
               QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-c", DRIVER], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "SAVED" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
        assert "SAVED" in line, proc.stderr.read() if proc.poll() is not None else line
    finally:
        proc.send_signal(signal.SIGKILL)  # a crash: no clean exit, the autosave stays
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    saved = data_dir / f"autosave-{proc.pid}.json"
    assert saved.is_file() and autosave.find_crashed() == saved
    assert json.loads(saved.read_text())["console_history"] == STATEMENTS

    from gradviz.gui.app import App

    window = App(tutorial=False, restore=True)
    qtbot.addWidget(window)
    try:
        model = window.model
        w, loss = node_named(model, "w"), node_named(model, "loss")
        assert model.grad(w).tolist() == [2.0, 2.0, 2.0]  # from the autosave: no live w
        assert model.value(loss).item() == 3.0
        assert window.console.repl.input.history[1:1 + len(STATEMENTS)] == STATEMENTS[::-1]
        assert "restored" in window.message.text()
        assert not saved.exists() and autosave.find_crashed() is None
        type_in(window, "q = torch.zeros(2, requires_grad=True) * 2")
        qtbot.waitUntil(lambda: not window.session.running)
        assert window.autosave.save_if_changed()
        kept = json.loads(window.autosave.path.read_text())
        assert kept["console_history"][:len(STATEMENTS)] == STATEMENTS
        assert any(d.get("name") == "q" for _, d in kept["nodes"])
    finally:
        window.close()
    assert not window.autosave.path.exists(), "a clean exit leaves nothing to restore"
    assert autosave.find_crashed() is None


def test_autosave_writes_only_when_changed(data_dir, qtbot):
    from gradviz.gui.app import App

    window = App(tutorial=False)
    qtbot.addWidget(window)
    try:
        saver = window.autosave
        assert saver.save_if_changed() and not saver.save_if_changed()
        type_in(window, "a = torch.ones(2, requires_grad=True) + 1")
        qtbot.waitUntil(lambda: not window.session.running)
        assert saver.changed and saver.save_if_changed()
        assert saver.path.parent == data_dir
        assert find_nodes(saver.path) >= 2
    finally:
        window.close()


def find_nodes(path) -> int:
    return len(json.loads(Path(path).read_text())["nodes"])


def test_a_corrupt_autosave_is_refused_and_the_graph_stays(data_dir, qtbot, tmp_path):
    data_dir.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (data_dir / f"autosave-{dead.pid}.json").write_text('{"format": "gradviz-sess')
    from gradviz.gui.app import App

    window = App(restore=True)  # the tutorial's graph, then the refused restore
    qtbot.addWidget(window)
    try:
        node_named(window.model, "loss")
        assert "corrupt" in window.message.text()
        assert autosave.find_crashed() is None, "a refused autosave is not offered again"
        assert (data_dir / f"autosave-{dead.pid}.corrupt").is_file()
    finally:
        window.close()
