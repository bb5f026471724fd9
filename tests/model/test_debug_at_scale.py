"""The debugging tools on a 5,000-node graph give the same answers as on a small one (the
time they take is measured in scripts/bench_debug.py)."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz.model import GraphModel
from gradviz.model.compare import compare, snapshot
from gradviz.model.gradient_flow import gradient_flow
from gradviz.model.saved_memory import saved_bytes_by_node, timeline, total_saved_bytes


@pytest.fixture(scope="module")
def big():
    """A tanh MLP applied ~1,700 times (5,000 nodes), a log of negatives branching off at
    step 1,200 (NaN born there, the loss not fed by it), then a backward that keeps the
    graph."""
    rng = np.random.default_rng(0)
    w = gradviz.tensor(rng.standard_normal((8, 8)).astype(np.float32), requires_grad=True)
    h = gradviz.tensor(rng.standard_normal((4, 8)).astype(np.float32))
    model = GraphModel()
    keep, planted = [], None
    with model.recording(), np.errstate(all="ignore"):
        while model.graph.number_of_nodes() < 5_000:
            h = (h @ w).tanh()
            if len(keep) == 1_200:
                planted = h.log()  # tanh's negatives: NaN born here
            keep.append(h)
        loss = h.sum()
        loss.backward(retain_graph=True)
    return model, w, keep, planted, loss


def test_nan_origin_found_thousands_of_nodes_deep(big):
    model, _, keep, planted, _ = big
    assert model.graph.number_of_nodes() >= 5_000
    origin = model.find_nonfinite()
    assert origin == model.node_of(planted.grad_fn)
    report = model.last_nonfinite
    assert report.phase == "forward" and report.certain
    assert report.forward == (origin,) and not report.backward  # a branch: nothing after


def test_gradient_flow_covers_every_edge_backward_used(big):
    model, w, _, _, _ = big
    flow = gradient_flow(model)
    ran = {n for n, d in model.graph.nodes(data=True) if d.get("executed")}
    used = [(u, v, k) for u, v, k, d in model.graph.edges(keys=True, data=True)
            if d.get("kind") in ("next", "leaf") and v in ran]  # not into the log's branch
    assert len(used) > 5_000 and set(flow.edges) == set(used)
    p = flow.parameters[model.node_of(w)]
    assert p.grad_norm == pytest.approx(float(np.linalg.norm(w.grad.numpy().astype(np.float64))))
    assert flow.largest > 0 and all(np.isfinite(n) for n in flow.edges.values())


def test_saved_bytes_and_the_timeline_at_scale(big):
    model, *_ = big
    total = total_saved_bytes(model)
    per_node = saved_bytes_by_node(model)
    assert len(per_node) > 3_000 and 0 < total <= sum(per_node.values())
    points = timeline(model)
    assert max(alive for _, _, alive in points) >= total


def test_compare_after_another_backward_finds_the_grad_changed(big):
    model, w, _, _, loss = big
    before = snapshot(model)
    grad = w.grad.numpy().copy()
    with model.recording(), np.errstate(all="ignore"):
        loss.backward(retain_graph=True)  # accumulates: w.grad doubles
    result = compare(before, snapshot(model))
    assert not result.added and not result.removed
    changes = result.changed[model.node_of(w)]
    assert changes["grad"] == pytest.approx(float(np.abs(grad).max()), rel=1e-6)
