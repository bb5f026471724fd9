"""The History dock: each backward run's loss and leaf grad norms, plotted and picked; the
release policy as a View setting; a leaf's .grad timeline picked from its plot."""

from __future__ import annotations

import numpy as np
from conftest import type_in
from PySide6 import QtCore

SETUP = (
    "import gradviz.nn as nn",
    "import gradviz.nn.functional as F",
    "torch.manual_seed(0)",
    "net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))",
    "X = torch.randn(16, 4); Y = torch.randn(16, 1)",
    "opt = torch.optim.SGD(net.parameters(), lr=0.1)",
)
STEP = "opt.zero_grad(); loss = F.mse_loss(net(X), Y); loss.backward(); opt.step()"


def train(window, steps):
    type_in(window, *SETUP)
    losses = []
    for _ in range(steps):
        type_in(window, STEP)
        losses.append(window.session.namespace["loss"].item())
    return losses


def test_the_history_plots_each_steps_loss_and_grad_norms(blank):
    blank.history_dock.show()
    blank.history_dock.raise_()
    losses = train(blank, 6)
    panel = blank.history
    xs, ys = panel.loss_curve.getData()
    assert list(xs) == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(ys, losses, rtol=1e-6)
    params = [blank.model.node_of(p) for p in blank.session.namespace["net"].parameters()]
    assert sorted(panel._curves) == sorted(params)  # one curve a parameter
    w0 = blank.session.namespace["net"][0].weight
    xs, ys = panel._curves[blank.model.node_of(w0)].getData()
    assert len(xs) == 6
    assert ys[-1] == np.linalg.norm(w0.grad.numpy().astype(np.float64))
    assert "6 backward runs" in panel.summary.text()


def test_clicking_a_point_shows_that_runs_numbers(blank, qtbot):
    blank.history_dock.show()
    blank.history_dock.raise_()
    losses = train(blank, 5)
    panel = blank.history
    panel.plots.resize(400, 300)
    qtbot.wait(50)
    vb = panel.loss_plot.vb
    vb.setXRange(1, 5, padding=0)
    vb.setYRange(min(losses), max(losses), padding=0.1)
    scene_pos = vb.mapViewToScene(QtCore.QPointF(3, losses[2]))
    view_pos = panel.plots.mapFromScene(scene_pos)
    picked = []
    panel.runPicked.connect(picked.append)
    qtbot.mouseClick(panel.plots.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=view_pos)
    assert picked == [3]
    assert panel.details_text.startswith(f"run 3   loss {losses[2]:.6g}")
    assert panel.marks[0].value() == 3


def test_the_history_starts_over_when_the_graph_is_cleared(blank):
    blank.history_dock.show()
    blank.history_dock.raise_()
    train(blank, 3)
    blank.session.clear()
    assert len(blank.history.loss_curve.getData()[0] or []) == 0
    type_in(blank, STEP)
    assert list(blank.history.loss_curve.getData()[0]) == [4]  # runs keep their numbers


def test_the_release_policy_is_a_view_setting_that_persists(blank, qtbot):
    from gradviz.gui.app import App

    actions = {a.data(): a for a in blank.release_actions.actions()}
    assert set(actions) == {"latest", "fade", "remove", "keep"}
    assert actions["latest"].isChecked()
    actions["fade"].trigger()
    assert blank.model.release_policy == "fade"
    train(blank, 4)
    faded = [n for n, d in blank.model.graph.nodes(data=True) if d.get("released")]
    assert len(faded) == 3 * 7  # three released iterations pile up
    actions["latest"].trigger()
    assert not any(d.get("released") for _, d in blank.model.graph.nodes(data=True))
    assert blank.model.graph.number_of_nodes() == 17
    actions["remove"].trigger()
    blank.close()
    second = App(theme="light", tutorial=False)
    qtbot.addWidget(second)
    assert second.model.release_policy == "remove"
    assert {a.data() for a in second.release_actions.actions() if a.isChecked()} == {"remove"}
    second.close()


def test_a_leafs_grad_timeline_row_is_picked_from_its_plot(app, qtbot):
    from gradviz.gui.inspector.timeline import TimelineView

    view = TimelineView()
    qtbot.addWidget(view)
    model = app.model
    type_in(app, "q = (inp * 3).sum()", "q.backward()")
    view.set_history(model.history(model.node_of(app.session.namespace["inp"])))
    view.resize(360, 420)
    view.show()
    qtbot.waitExposed(view)
    assert view.list.count() == 5
    vb = view.plot.getPlotItem().vb
    scene_pos = vb.mapViewToScene(QtCore.QPointF(2, 0))
    qtbot.mouseClick(view.plot.viewport(), QtCore.Qt.MouseButton.LeftButton,
                     pos=view.plot.mapFromScene(scene_pos))
    assert view.list.currentRow() == 1  # the second entry: backward 2
    assert "backward 2" in view.entry.summary.text()


def test_many_parameters_keep_the_legend_short(blank, qtbot):
    from gradviz.gui.history_panel import LEGEND_ROWS

    blank.history_dock.show()
    blank.history_dock.raise_()
    type_in(blank, "ps = [torch.ones(2, requires_grad=True) for _ in range(12)]",
            "sum((p * k).sum() for k, p in enumerate(ps)).backward()")
    panel = blank.history
    # the panel draws when the run reaches it (on a loaded machine after the statement ends)
    qtbot.waitUntil(lambda: len(panel._curves) == 12, timeout=10000)  # every leaf plotted
    assert len(panel.legend.items) == LEGEND_ROWS  # the first few named
    panel.pick(1)
    norms, ratios = panel.details_text.split("\n")[1:3]
    assert norms.startswith("‖grad‖ ") and ratios.startswith("‖grad‖ / ‖value‖ ")
    assert norms.count("leaf (node") == ratios.count("leaf (node") == 12  # every leaf's


LOOP = ("seen = []",
        "for _ in range(12): opt.zero_grad(); loss = F.mse_loss(net(X), Y); loss.backward(); "
        "seen.append([(p.grad.numpy().copy(), p.detach().numpy().copy()) "
        "for p in net.parameters()] + [net[0](X).detach().numpy()]); opt.step()",
        "")


def _norm(a):
    return float(np.linalg.norm(np.asarray(a, np.float64).ravel()))


def _click_step(panel, qtbot, plot, x, y):
    vb = plot.vb
    view_pos = panel.plots.mapFromScene(vb.mapViewToScene(QtCore.QPointF(x, y)))
    qtbot.mouseClick(panel.plots.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=view_pos)


def test_a_typed_training_loop_plots_each_steps_gradient_flow(blank, qtbot):
    type_in(blank, *SETUP, *LOOP)
    blank.history_dock.show()
    blank.history_dock.raise_()
    panel = blank.history
    panel.plots.resize(400, 300)
    qtbot.wait(50)
    ns = blank.session.namespace
    params = [blank.model.node_of(p) for p in ns["net"].parameters()]
    seen = ns["seen"]  # per step: each parameter's (grad, value), the ReLU's input
    ratios = [[_norm(g) / _norm(v) for g, v in step[:-1]] for step in seen]
    dead = [100 * float(np.mean(step[-1] <= 0)) for step in seen]  # no gradient below 0
    box = panel.series_box
    box.setCurrentIndex(box.findData("ratios"))  # the list under the plots
    assert panel.grad_plot.getAxis("left").labelText == "‖grad‖ / ‖value‖"
    for k, nid in enumerate(params):
        xs, ys = panel._curves[nid].getData()
        assert list(xs) == list(range(1, 13))
        np.testing.assert_allclose(ys, [r[k] for r in ratios], rtol=1e-6)
    box.setCurrentIndex(box.findData("dead"))
    (curve,) = panel._curves.values()
    np.testing.assert_allclose(curve.getData()[1], dead, rtol=1e-6)
    assert 0 < min(dead) and max(dead) < 100  # a share, not all or nothing
    box.setCurrentIndex(box.findData("edges"))
    assert sorted(panel._curves) == ["exploding", "vanishing"]
    assert list(panel._curves["exploding"].getData()[1]) == [0] * 12  # a tame MLP
    # click step 7 on the lower plot: its numbers below, as computed from the tensors
    panel.grad_plot.vb.setXRange(1, 12, padding=0)
    panel.grad_plot.vb.setYRange(-1, 1, padding=0)
    picked = []
    panel.runPicked.connect(picked.append)
    _click_step(panel, qtbot, panel.grad_plot, 7, 0)
    assert picked == [7]
    lines = panel.details_text.split("\n")
    assert lines[0].startswith("run 7   loss ")
    w0 = blank.model.parameter_name(params[0])
    assert f"{w0} {_norm(seen[6][0][0]):.4g}" in lines[1]  # ‖grad‖
    assert f"{w0} {ratios[6][0]:.4g}" in lines[2]  # ‖grad‖ / ‖value‖
    assert lines[3] == f"dead units  net.1 ReluBackward0 {dead[6]:.1f}%"
    assert lines[4] == "edges  vanishing 0   exploding 0"
    shown = panel.details.toPlainText()  # the table under the plots says the same
    assert panel.details.isVisible() and f"{ratios[6][0]:.4g}" in shown
    assert f"net.1 ReluBackward0 {dead[6]:.1f}%" in shown and "0 vanishing, 0 exploding" in shown


def test_a_nan_loss_is_left_off_the_plot_and_listed_when_picked(blank):
    blank.history_dock.show()
    blank.history_dock.raise_()
    type_in(blank, "w = torch.tensor([1.0, -1.0], requires_grad=True)",
            "w.log().sum().backward()",  # NaN loss (and a NaN gradient)
            "(w * 2).sum().backward()")
    xs, ys = blank.history.loss_curve.getData()
    assert list(xs) == [2] and list(ys) == [0.0]
    assert blank.history.pick(1).startswith("run 1   loss nan")
