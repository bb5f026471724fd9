"""``app.view.drawn()``: what the frame draws, and which labels read (8 px or more), at a
realistic window size, for the tutorial and a 200-step training loop typed in the console."""

from __future__ import annotations

import pytest
from conftest import type_in

from gradviz.gui.shown_part import LEGIBLE_PX

SETUP = (
    "import gradviz.nn as nn",
    "import gradviz.nn.functional as F",
    "torch.manual_seed(0)",
    "net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))",
    "X = torch.randn(64, 4); Y = torch.randn(64, 1)",
    "opt = torch.optim.SGD(net.parameters(), lr=0.1)",
)
STEP = "opt.zero_grad(); loss = F.mse_loss(net(X), Y); loss.backward(); opt.step()"


def window(qtbot, tutorial):
    from gradviz.gui.app import App

    w = App(theme="light", tutorial=tutorial)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def tutorial_window(qtbot):
    w = window(qtbot, True)
    yield w
    w.close()


@pytest.fixture
def blank_window(qtbot):
    w = window(qtbot, False)
    yield w
    w.close()


def test_after_fit_every_tutorial_node_is_drawn_with_a_legible_label(tutorial_window):
    view = tutorial_window.view
    view.fit()
    drawn = view.drawn()
    assert sorted(drawn["nodes"]) == sorted(view.model.graph.nodes)
    assert sorted(drawn["labels"]) == sorted(drawn["nodes"])
    assert view.label_px() >= LEGIBLE_PX


def test_zoomed_out_nothing_reads_and_panned_away_nothing_is_drawn(tutorial_window):
    view = tutorial_window.view
    view.fit()
    view.zoom(0.3)
    drawn = view.drawn()
    assert drawn["nodes"] and drawn["labels"] == []
    view.pan(100_000, 0)
    assert view.drawn() == {"nodes": [], "labels": []}
    view.fit()
    view.zoom(3.0)  # zoomed in on the middle: some nodes are out of the frame
    drawn = view.drawn()
    assert 0 < len(drawn["nodes"]) < view.model.graph.number_of_nodes()
    assert drawn["labels"] == drawn["nodes"]


def test_a_200_step_training_loop_typed_in_the_console_stays_legible(blank_window):
    type_in(blank_window, *SETUP)
    for _ in range(200):
        type_in(blank_window, STEP)
    model, view = blank_window.model, blank_window.view
    assert model.backward_runs == 200
    assert model.graph.number_of_nodes() == 17  # this iteration's graph, no faded copies
    assert not any(d.get("released") for _, d in model.graph.nodes(data=True))
    view.fit()
    drawn = view.drawn()
    assert sorted(drawn["nodes"]) == sorted(model.graph.nodes)
    assert sorted(drawn["labels"]) == sorted(drawn["nodes"])
    losses = model.runs.losses()[1]
    assert len(losses) == 200 and losses[-1] < losses[0]
