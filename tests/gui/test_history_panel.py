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
    assert panel.details.text().startswith(f"run 3   loss {losses[2]:.6g}")
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


def test_many_parameters_keep_the_legend_short(blank):
    from gradviz.gui.history_panel import LEGEND_ROWS

    blank.history_dock.show()
    blank.history_dock.raise_()
    type_in(blank, "ps = [torch.ones(2, requires_grad=True) for _ in range(12)]",
            "sum((p * k).sum() for k, p in enumerate(ps)).backward()")
    panel = blank.history
    assert len(panel._curves) == 12  # every leaf plotted
    assert len(panel.legend.items) == LEGEND_ROWS  # the first few named
    panel.pick(1)
    assert panel.details.text().count("leaf (node") == 12  # every leaf's number on a pick
