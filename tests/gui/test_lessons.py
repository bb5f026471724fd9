"""The tutorial panel: the autograd tutorial's sections and cells, run in the console."""

import importlib.util
import json
from pathlib import Path

import pytest
from PySide6 import QtCore, QtWidgets

from gradviz.gui.lessons import assigned_names, load_lessons
from tests.gui.conftest import console_text, node_named

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ["Automatic Differentiation with `torch.autograd`",
            "Tensors, Functions and Computational Graph", "Computing Gradients",
            "Disabling Gradient Tracking", "More on Computational Graphs",
            "Tensor Gradients and Jacobian Products"]
CELLS = ["In [1]", "In [2]", "In [6]", "In [7]", "In [8]", "In [9]", "In [10]", "In [12]"]


def make_lessons():
    spec = importlib.util.spec_from_file_location("make_lessons",
                                                  ROOT / "scripts" / "make_lessons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cell(window, label):
    return next(c for c in window.lessons.cells if c.label == label)


def click(qtbot, button):
    qtbot.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)


def functions(model):
    return {d["name"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function"}


def test_the_panel_lists_the_tutorials_sections_and_cells(app):
    panel = app.lessons
    assert panel.section_titles == SECTIONS
    assert [c.label for c in panel.cells] == CELLS
    assert "out = (inp+1).pow(2).t()" in cell(app, "In [12]").code
    assert cell(app, "In [2]").code == "import gradviz as torch"  # the one change
    assert all(c.run_button.text() == "Run" for c in panel.cells)
    assert all(c.upto_button.text() == "Run all up to here" for c in panel.cells)
    texts = [w.text() for w in panel.widget().findChildren(type(panel.progress))
             if w.objectName() == "lesson_text"]
    assert any("Another way to achieve this is using `detach()`" in t for t in texts)
    notes = [c.note.text() for c in panel.cells if c.note is not None]
    assert any("AddBackward0" in n and "grad_fn" in n for n in notes)
    assert app.lessons_dock.windowTitle() == "Tutorial"
    assert {app.lessons_dock, app.module_dock, app.history_dock} <= set(
        app.tabifiedDockWidgets(app.inspector_dock))


def test_run_prints_the_tutorials_first_call_and_draws_the_graph(blank, qtbot):
    eye = cell(blank, "In [12]")
    expected = eye.expected  # what PyTorch printed, from the tutorial's text
    first_call = expected[expected.index("First call"):expected.index("Second call")]
    after = expected[expected.index("Call after zeroing"):]
    assert first_call.startswith("First call\ntensor([[4., 2., 2., 2., 2.],")
    click(qtbot, eye.run_button)
    text = console_text(blank)
    assert first_call in text and after in text
    assert ">>> out = (inp+1).pow(2).t()" in text, "the cell is echoed as typed"
    model = blank.model
    node_named(model, "inp")
    node_named(model, "out")
    assert {"TBackward0", "PowBackward0", "AddBackward0", "AccumulateGrad"} <= functions(model)
    assert "✓" in eye.state.text()
    assert blank.message.text().startswith("ran the tutorial's In [12]")
    assert [s.name for s in blank.session.steps()][0] == "TBackward0", \
        "the stepper has its backward"
    assert blank.lessons.next_cell == CELLS.index("In [12]") + 1


def test_a_cell_that_raises_shows_the_error_and_the_app_keeps_working(blank, qtbot):
    grads = cell(blank, "In [7]")
    click(qtbot, grads.run_button)  # z is not defined yet
    text = console_text(blank)
    assert "NameError: name 'z' is not defined" in text
    assert 'print(f"Gradient function for z = {z.grad_fn}")' in text.split("NameError")[0]
    assert "Run all up to here" in text.split("NameError")[1]
    assert "NameError" in grads.state.text()
    assert "NameError" in blank.message.text()
    click(qtbot, cell(blank, "In [8]").upto_button)
    assert "Gradient function for z = <AddBackward0 object at" in console_text(blank)
    assert blank.session.namespace["w"].grad is not None
    assert "✓" in grads.state.text()
    click(qtbot, cell(blank, "In [8]").run_button)  # backward through a freed graph
    assert "Trying to backward through the graph a second time" in console_text(blank)
    assert "RuntimeError" in cell(blank, "In [8]").state.text()
    click(qtbot, cell(blank, "In [12]").run_button)
    assert "Call after zeroing gradients" in console_text(blank).split("second time")[-1]
    assert "✓" in cell(blank, "In [12]").state.text()


def test_run_all_up_to_here_starts_over(app, qtbot):
    assert "inp" in app.session.namespace  # the tutorial ran at start
    click(qtbot, cell(app, "In [8]").upto_button)
    names = {d["name"] for _, d in app.model.graph.nodes(data=True) if d["kind"] == "tensor"}
    assert names == {"x", "y", "w", "b", "z", "loss"}
    assert "inp" not in app.session.namespace and "out" not in app.session.namespace
    assert [c.state.text() != "" for c in app.lessons.cells] == [True] * 5 + [False] * 3
    assert app.lessons.progress.text() == "next: In [9]"
    assert len(app.session.steps()) == 6


def test_run_next_cell_walks_the_whole_tutorial(blank):
    for _ in CELLS:
        blank.actions["lesson_next"].trigger()
    assert all("✓" in c.state.text() for c in blank.lessons.cells)
    assert blank.lessons.progress.text() == "all cells ran"
    assert not blank.lessons.next_button.isEnabled()
    assert blank.lessons.run_next() is None
    text = console_text(blank)
    assert "Automatic Differentiation with torch.autograd()" in text
    assert "False" in text and "Call after zeroing gradients" in text
    assert blank.session.namespace["z_det"].requires_grad is False
    assert blank.session.last_error is None


def test_assigned_names_are_what_start_over_forgets():
    assert assigned_names("z = a + b\nwith torch.no_grad():\n    y = z\n") == {"z", "y"}
    assert assigned_names("import gradviz as torch") == set()


def test_the_lesson_file_is_generated_from_the_tutorial_text(tmp_path):
    module = make_lessons()
    seed = module.SEED
    shipped = (ROOT / "resources" / "lessons" / "autograd_tutorial.json").read_text("utf-8")
    assert json.loads(shipped) == load_lessons()
    if seed.exists():  # beside the repository in the workspace it was made in
        assert module.render(seed.read_text(encoding="utf-8")) == shipped
    text = ("# Title\n\nIntro\n\nIn [3]:\nimport torch\nz = x\nprint(z)\n\ntensor([1.])\nFalse\n"
            "\n\nProse `code`.\n\n#### Part two\n\nIn [4]:\nwith a:\n    b = 1\n\nwith c:\n"
            "    d = 2\n\nOutput line\n\nmore output\n")
    data = module.parse(text)
    assert [s["title"] for s in data["sections"]] == ["Title", "Part two"]
    intro, code, prose = data["sections"][0]["blocks"]
    assert intro == {"kind": "text", "text": "Intro"} and prose["text"] == "Prose `code`."
    assert code["code"] == "import gradviz as torch\nz = x\nprint(z)"
    assert code["output"] == "tensor([1.])\nFalse"
    (second,) = data["sections"][1]["blocks"]
    assert second["code"] == "with a:\n    b = 1\n\nwith c:\n    d = 2"
    assert second["output"] == "Output line\n\nmore output"
    src = tmp_path / "t.txt"
    src.write_text(text)
    out = tmp_path / "t.json"
    assert module.main([str(src), "-o", str(out)]) == 0
    assert module.main([str(src), "-o", str(out), "--check"]) == 0
    out.write_text("{}")
    assert module.main([str(src), "-o", str(out), "--check"]) == 1


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_panel_follows_the_theme(blank, theme):
    blank.set_theme(theme)
    assert all(c.highlighter.dark == (theme == "dark") for c in blank.lessons.cells)
    code = cell(blank, "In [6]").view
    assert code.height() >= code.document().size().height()
    blank.lessons.resize(340, 500)
    assert blank.lessons.horizontalScrollBar().maximum() == 0, "the cells wrap, no side scroll"


def test_the_docks_are_tabs_and_stay_tabs_after_a_restart(qtbot):
    from PySide6 import QtWidgets

    from tests.gui.conftest import _window

    for _ in range(2):
        window = _window(qtbot)
        assert set(window.tabifiedDockWidgets(window.lessons_dock)) == {
            window.inspector_dock, window.module_dock, window.history_dock}
        assert window.tabifiedDockWidgets(window.stepper_dock) == [window.console_dock]
        qtbot.wait(20)  # the dock layout settles
        bars = [[b.tabText(i) for i in range(b.count())]
                for b in window.findChildren(QtWidgets.QTabBar) if b.isVisible()]
        assert sorted(bars) == [["Console", "Backward stepper · 4 steps"],
                                ["Inspector", "Modules", "History", "Tutorial"]], \
            "one tab bar a group, no stale copy"
        window.close()  # saves the layout; the second window restores it


def test_no_stray_heading_from_the_notebook_export(app):
    texts = [label.text() for label in app.lessons.findChildren(QtWidgets.QLabel)]
    assert not [t for t in texts if "Very Important" in t]
