"""Training loops and the "latest" release policy: the current iteration's graph, at
most one released generation faded, and the run history (loss, grad norms) per backward."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest

import gradviz
from gradviz.model import GraphModel

SETUP = """
import gradviz as torch
import gradviz.nn as nn
import gradviz.nn.functional as F
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
X = torch.randn(32, 4); Y = torch.randn(32, 1)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
"""
STEP = "opt.zero_grad(); loss = F.mse_loss(net(X), Y); loss.backward(); opt.step()"
TUTORIAL = Path(__file__).parents[2] / "resources" / "examples" / "tutorial.py"


def statement(model, ns, source):
    """Run ``source`` as the console runs a typed statement: one batch, then the names."""
    with model.batch():
        exec(source, ns)
        model.set_names(ns)


def names(model, released=None):
    return sorted(d["label"] for _, d in model.graph.nodes(data=True)
                  if released is None or bool(d.get("released")) == released)


@pytest.fixture
def loop():
    model = GraphModel()
    model.attach()
    ns = {}
    statement(model, ns, SETUP)
    yield model, ns
    model.detach()


def test_a_typed_loop_shows_only_the_current_iteration(loop):
    model, ns = loop
    statement(model, ns, STEP)
    first = names(model)
    statement(model, ns, STEP)  # the first released iteration is new: drawn faded
    assert names(model, released=True) == sorted(
        ["AddmmBackward0"] * 2 + ["TBackward0"] * 2 + ["ReluBackward0", "MseLossBackward0",
                                                        "output"])
    sizes = []
    for _ in range(50):
        statement(model, ns, STEP)
        sizes.append(model.graph.number_of_nodes())
    assert names(model) == first  # a repeat leaves the picture; no faded copy stays
    assert set(sizes) == {len(first)}
    assert model.graph.number_of_nodes() == 17
    assert model.node_of(ns["loss"]) is not None


def test_a_loop_in_one_statement_leaves_no_faded_copies(loop):
    model, ns = loop
    statement(model, ns, f"for _ in range(20):\n    {STEP}\n")
    assert names(model, released=True) == []
    assert model.graph.number_of_nodes() == 17
    assert model.backward_runs == 20


def test_the_tutorials_reassigned_z_stays_faded_then_goes_on_a_repeat():
    model = GraphModel()
    model.attach()
    ns = {}
    statement(model, ns, TUTORIAL.read_text())
    # In [9]'s graph, dropped when z was reassigned under no_grad, teaches something
    assert names(model, released=True) == ["AddBackward0", "MmBackward0", "SqueezeBackward4"]
    statement(model, ns, "z = torch.matmul(x, w) + b")  # the same shape again
    assert names(model, released=True) == []
    statement(model, ns, "z = (z * 2).sum()")  # nothing released: the new z holds the old
    statement(model, ns, "z = w.sum()")  # the whole (z * 2).sum() graph dies: a new shape
    assert names(model, released=True) == sorted(
        ["AddBackward0", "MmBackward0", "SqueezeBackward4", "MulBackward0", "SumBackward0",
         "output"])
    statement(model, ns, "q = (w * 3).sum(); q = None")  # a newer generation: one at most
    assert names(model, released=True) == ["MulBackward0", "SumBackward0"]
    model.detach()


def test_the_run_history_has_each_steps_loss_and_grad_norms(loop):
    model, ns = loop
    losses, norms = [], []
    for _ in range(5):
        statement(model, ns, STEP)
        losses.append(ns["loss"].item())
        norms.append({model.node_of(p): float(np.linalg.norm(p.grad.numpy().astype(np.float64)))
                      for p in ns["net"].parameters()})
    runs = list(model.runs)
    assert [r.number for r in runs] == [1, 2, 3, 4, 5]
    np.testing.assert_allclose([r.loss for r in runs], losses, rtol=1e-6)
    for run, expected in zip(runs, norms, strict=True):
        assert run.grad_norms.keys() == expected.keys()
        keys = sorted(expected)
        np.testing.assert_allclose([run.grad_norms[k] for k in keys],
                                   [expected[k] for k in keys], rtol=1e-6)
    xs, ys = model.runs.losses()
    assert xs == [1, 2, 3, 4, 5] and ys == [r.loss for r in runs]
    assert losses[-1] < losses[0]  # the loop trains


def test_backward_from_a_larger_output_records_no_loss():
    model = GraphModel()
    with model.recording():
        a = gradviz.ones(3, requires_grad=True)
        (a * 2).backward(gradviz.ones(3))
    (run,) = model.runs
    assert run.loss is None and run.grad_norms == {model.node_of(a): pytest.approx(12 ** 0.5)}


def test_the_policy_can_change_while_nodes_are_released(loop):
    model, ns = loop
    model.set_release_policy("fade")
    for _ in range(3):
        statement(model, ns, STEP)
    assert len(names(model, released=True)) == 14  # two iterations, faded
    model.set_release_policy("keep")
    assert names(model, released=True) == [] and model.graph.number_of_nodes() == 31
    model.set_release_policy("fade")
    model.set_release_policy("latest")  # nodes released before count as one generation
    statement(model, ns, STEP)
    assert model.graph.number_of_nodes() == 17
    model.set_release_policy("fade")
    statement(model, ns, STEP)
    model.set_release_policy("remove")
    assert names(model, released=True) == [] and model.graph.number_of_nodes() == 17
    with pytest.raises(ValueError, match="release_policy"):
        model.set_release_policy("forget")


def test_memory_of_released_shapes_is_bounded(loop):
    model, ns = loop
    from gradviz.model.generations import SHAPES_REMEMBERED

    for k in range(SHAPES_REMEMBERED + 20):
        statement(model, ns, "h = X" + " * 2" * (k % 7 + 1) + " + net[0].weight.sum()")
    gc.collect()
    assert len(model.generations._seen) <= SHAPES_REMEMBERED
    assert model.graph.number_of_nodes() < 40
