"""The backward stepper: the tutorial's loss.backward() replayed node by node."""

import pytest
from PySide6 import QtCore, QtGui

from gradviz.session import ActionError
from gradviz.session.steps import done_nodes
from tests.gui.conftest import node_named, type_in

TUTORIAL = (
    "x = torch.ones(5)",
    "y = torch.zeros(3)",
    "w = torch.randn(5, 3, requires_grad=True)",
    "b = torch.randn(3, requires_grad=True)",
    "z = torch.matmul(x, w) + b",
    "loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)",
)


def executed(model):
    """Function nodes of the last backward in the engine's order."""
    ran = [(d["executed"], n) for n, d in model.graph.nodes(data=True)
           if d["kind"] == "function" and d.get("executed")]
    return [n for _, n in sorted(ran)]


@pytest.fixture
def tutorial(blank):
    """The blank window after the tutorial's forward pass and loss.backward()."""
    type_in(blank, *TUTORIAL, "loss.backward()")
    return blank


def pixel(view, point: QtCore.QPointF) -> QtGui.QColor:
    view.repaint()
    return view.grab().toImage().pixelColor(view.to_screen(point).toPoint())


def test_nothing_ran_yet_says_how_to_start(blank):
    stepper = blank.stepper
    assert stepper.steps == [] and stepper.position == 0
    assert "select loss and press Backward" in stepper.caption.text()
    assert not stepper.next_button.isEnabled() and not stepper.play_button.isEnabled()
    with pytest.raises(ActionError, match="no backward"):
        blank.session.step(1)
    assert blank.view.step_highlight == (frozenset(), None, ())


def test_one_step_per_node_in_the_engines_order(tutorial):
    steps = tutorial.session.steps()
    order = executed(tutorial.model)
    assert len(steps) == len(order) == 6
    assert [s.nid for s in steps] == order
    assert [s.k for s in steps] == [1, 2, 3, 4, 5, 6]
    assert steps[0].name == "BinaryCrossEntropyWithLogitsBackward0"
    assert sorted(s.name for s in steps).count("AccumulateGrad") == 2
    assert tutorial.stepper_dock.windowTitle() == "Backward stepper · 6 steps"
    assert tutorial.stepper.table.topLevelItemCount() == 6
    assert tutorial.stepper.position == 0
    assert "Backward from loss ran 6 nodes" in tutorial.stepper.caption.text()


def test_stepping_highlights_the_view_and_inspects_the_node(tutorial, qtbot):
    app, view, stepper = tutorial, tutorial.view, tutorial.stepper
    steps = app.session.steps()
    for k, step in enumerate(steps, 1):
        assert app.session.step(k) is step
        done, current, edges = view.step_highlight
        assert current == step.nid
        assert done == frozenset(done_nodes(steps, k))
        assert {s.nid for s in steps[:k]} <= done and not {s.nid for s in steps[k:]} & done
        assert edges == step.edges and edges, "the gradient's way is drawn"
        assert app.inspector.nid == step.nid
        assert view.selected == step.nid
        assert stepper.slider.value() == k
        assert stepper.table.currentItem().text(0) == str(k)
        assert stepper.caption.text() == step.caption
        assert app.message.text() == step.caption
    # the buttons and the keyboard actions move it
    app.session.step(2)
    qtbot.mouseClick(stepper.next_button, QtCore.Qt.MouseButton.LeftButton)
    assert stepper.position == 3
    app.actions["step_prev"].trigger()
    app.actions["step_prev"].trigger()
    assert stepper.position == 1
    app.actions["step_last"].trigger()
    assert stepper.position == 6 and view.step_highlight[1] == steps[-1].nid
    app.actions["step_first"].trigger()
    assert stepper.position == 1
    stepper.slider.setValue(4)
    assert view.step_highlight[1] == steps[3].nid
    item = stepper.table.topLevelItem(1)
    stepper.table.itemClicked.emit(item, 0)
    assert stepper.position == 2
    assert app.session.step(-1) is steps[-1]
    with pytest.raises(IndexError, match="out of range"):
        app.session.step(7)


def test_the_overlay_is_painted_and_removed(tutorial):
    app, view = tutorial, tutorial.view
    step = app.session.step(2)
    glow = view.scene.rect(step.nid).adjusted(-8, 0, 0, 0).topLeft() + QtCore.QPointF(0, 12)
    background = QtGui.QColor(view.scene.theme.background)
    assert pixel(view, glow) != background, "the current node glows"
    app.session.step(0)
    assert view.step_highlight == (frozenset(), None, ())
    assert pixel(view, glow) == background
    assert view.last_paint_ms < 200


def test_captions_name_the_node_and_its_formula(tutorial):
    model = tutorial.model
    steps = {s.name: s for s in tutorial.session.steps() if s.name != "AccumulateGrad"}
    mm = steps["MmBackward0"]
    formula = model.graph.nodes[mm.nid]["formula"]
    derivative = formula.split("mat2:")[1].strip()
    assert mm.caption == (f"5/6 MmBackward0: received a (1, 3) gradient; passed {derivative} "
                          f"-> mat2 (w); self (x) needs no gradient")
    add = steps["AddBackward0"]
    assert add.caption.startswith("2/6 AddBackward0: received a (3,) gradient; passed grad -> self")
    assert add.caption.endswith("-> other (b)")
    bce = steps["BinaryCrossEntropyWithLogitsBackward0"]
    assert "received a scalar gradient" in bce.caption and "-> self (z)" in bce.caption
    assert "target (y) needs no gradient" in bce.caption
    accumulate = [s for s in tutorial.session.steps() if s.name == "AccumulateGrad"]
    assert [s.caption.split(": ", 1)[1] for s in accumulate] == [
        "b.grad += (3,) gradient (backward 1)", "w.grad += (5, 3) gradient (backward 1)"]
    assert accumulate[1].leaf == node_named(model, "w")
    assert accumulate[1].leaf in tutorial.stepper.done() or tutorial.stepper.position < 6


def test_mul_caption_reads_like_the_op_table(blank):
    type_in(blank, "a = torch.ones(3, requires_grad=True)", "c = torch.full((3,), 2.0, "
            "requires_grad=True)", "q = (a * c).sum()", "q.backward()")
    mul = next(s for s in blank.session.steps() if s.name == "MulBackward0")
    assert mul.caption == ("2/4 MulBackward0: received a (3,) gradient; passed grad * other -> "
                           "self (a), grad * self -> other (c)")
    assert len(mul.edges) == 2


def test_a_new_backward_resets_the_stepper(tutorial):
    app, stepper = tutorial, tutorial.stepper
    app.session.step(4)
    type_in(app, TUTORIAL[4], TUTORIAL[5], "loss.backward()")
    assert stepper.position == 0
    assert app.view.step_highlight == (frozenset(), None, ())
    assert [s.nid for s in app.session.steps()] == executed(app.model)
    assert app.session.steps()[-1].caption.endswith("w.grad += (5, 3) gradient (backward 2)")
    # the same nodes in the same order again is still a new run
    type_in(app, "out = (w * 2).sum()", "out.backward(retain_graph=True)")
    first = [s.nid for s in app.session.steps()]
    app.session.step(2)
    app.session.backward(app.session.namespace["out"], retain_graph=True)  # the toolbar's way
    assert [s.nid for s in app.session.steps()] == first
    assert stepper.position == 0
    assert app.session.steps()[-1].caption.endswith("(backward 4)")


def test_a_failed_backward_and_clear(tutorial):
    app = tutorial
    before = [s.caption for s in app.stepper.steps]
    type_in(app, "loss.backward()")  # the graph was freed by the first call
    assert [s.caption for s in app.stepper.steps] == before, "the previous record is kept"
    caption = app.stepper.caption.text()
    assert "stopped before any node ran" in caption and "the one before it" in caption
    n = len(before)
    assert app.stepper_dock.windowTitle() == f"Backward stepper · {n} steps"
    type_in(app, TUTORIAL[5], "loss.backward()")  # a new loss on z, whose graph was freed
    # four nodes ran before MmBackward0 raised: still the first backward is shown
    assert [s.caption for s in app.stepper.steps] == before
    assert "failed after 4 nodes ran" in app.stepper.caption.text()
    assert [s.name for s in app.session.steps()] == [  # the model has the failed run
        "BinaryCrossEntropyWithLogitsBackward0", "AddBackward0", "AccumulateGrad",
        "SqueezeBackward4"]
    assert "RuntimeError" in app.message.text()
    app.session.step(2)
    app.session.clear()
    assert app.session.steps() == [] and app.view.step_highlight == (frozenset(), None, ())
    assert "select loss and press Backward" in app.stepper.caption.text()


def test_a_one_step_backward_is_one_step(blank):
    type_in(blank, "v = torch.ones(2, requires_grad=True)", "v.backward(torch.ones(2))")
    assert len(blank.session.steps()) == 1
    assert blank.stepper_dock.windowTitle() == "Backward stepper · 1 step"
    assert "ran 1 node." in blank.stepper.caption.text()


def test_play_advances_with_a_timer(tutorial, qtbot):
    stepper = tutorial.stepper
    stepper.set_interval(20)
    tutorial.actions["step_play"].trigger()
    assert stepper.playing and stepper.play_button.property("glyph") == "pause"
    qtbot.waitUntil(lambda: stepper.position >= 2, timeout=3000)
    qtbot.waitUntil(lambda: stepper.position == 6, timeout=3000)
    qtbot.waitUntil(lambda: not stepper.playing, timeout=1000)
    assert stepper.play_button.property("glyph") == "play"
    assert tutorial.view.step_highlight[1] == tutorial.session.steps()[-1].nid
    stepper.play()  # at the end: plays again from the start
    assert stepper.position == 0 and stepper.playing
    stepper.pause()
    assert not stepper.playing


def test_shortcuts_are_listed_in_help(tutorial):
    dialog = tutorial.show_shortcuts()
    rows = {dialog.table.item(r, 1).text(): dialog.table.item(r, 0).text()
            for r in range(dialog.table.rowCount())}
    assert rows["Next backward step"] == "Alt+Right"
    assert rows["Play / pause backward steps"] == "F5"
    assert tutorial.actions["step_next"].shortcut().toString() == "Alt+Right"
    dialog.close()


def test_the_window_opens_with_the_tutorials_last_backward(app):
    """At start the tutorial's last call, out.backward(), is ready to replay."""
    names = [s.name for s in app.session.steps()]
    assert names == ["TBackward0", "PowBackward0", "AddBackward0", "AccumulateGrad"]
    assert app.session.steps()[-1].caption == \
        "4/4 AccumulateGrad: inp.grad += (4, 5) gradient (backward 3)"


def test_the_screenshot_script_runs_headless(qapp, tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "screenshot_stepper.py"
    spec = importlib.util.spec_from_file_location("screenshot_stepper", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "stepper.png"
    assert module.main(["-o", str(out), "--step", "3"]) == 0
    assert "3/6 AccumulateGrad: b.grad += (3,) gradient" in capsys.readouterr().out
    image = QtGui.QImage(str(out))
    assert image.format() == QtGui.QImage.Format.Format_Indexed8 and image.width() == 1360
    assert out.stat().st_size < 150_000


def test_a_backward_failing_midway_keeps_the_previous_record(blank):
    type_in(blank, "w = torch.ones(3, requires_grad=True)", "q = (w * 2).sum()", "q.backward()")
    first = [s.caption for s in blank.stepper.steps]
    assert [s.name for s in blank.session.steps()] == [
        "SumBackward0", "MulBackward0", "AccumulateGrad"]
    blank.session.select("q")
    blank.actions["backward"].trigger()  # SumBackward0 runs, MulBackward0's saved w is gone
    assert "second time" in blank.message.text()
    assert [s.caption for s in blank.stepper.steps] == first
    assert "failed after 1 node ran" in blank.stepper.caption.text()
    assert blank.stepper_dock.windowTitle() == "Backward stepper · 3 steps"
    type_in(blank, "q.backward()")  # typed: the same
    assert [s.caption for s in blank.stepper.steps] == first


def test_an_unrelated_error_does_not_hide_the_next_backward(blank):
    type_in(blank, "w = torch.ones(3, requires_grad=True)", "undefined_name",
            "r = (w * 3).sum()", "r.backward()")
    assert [s.name for s in blank.session.steps()] == [
        "SumBackward0", "MulBackward0", "AccumulateGrad"]
    assert "failed" not in blank.stepper.caption.text()
