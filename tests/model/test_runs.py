"""The run history's gradient-flow numbers per backward (grad-to-value ratios, dead units,
vanishing and exploding edges), checked against the tensors, and its memory over 1,000
steps."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

import gradviz
import gradviz.nn as nn
import gradviz.nn.functional as F
from gradviz.model import GraphModel
from gradviz.model.gradient_flow import gradient_flow
from gradviz.model.runs import RunHistory


def _norm(a) -> float:
    return float(np.linalg.norm(np.asarray(a, np.float64).ravel()))


def _mlp(model):
    gradviz.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
    model.watch_modules(net, "net")
    X, Y = gradviz.randn(32, 4), gradviz.randn(32, 1)
    return net, X, Y, gradviz.optim.SGD(net.parameters(), lr=0.1)


def test_each_step_keeps_ratios_dead_units_and_edge_counts_equal_to_the_tensors():
    model = GraphModel()
    model.track_flow = True
    model.attach()
    net, X, Y, opt = _mlp(model)
    expected = []
    for _ in range(4):
        opt.zero_grad()
        pre = net[0](X)
        seen = {}
        pre.register_hook(lambda g, seen=seen: seen.__setitem__("grad", g.numpy().copy()))
        loss = F.mse_loss(net[2](net[1](pre)), Y)
        loss.backward()
        ratios = {model.node_of(p): _norm(p.grad.numpy()) / _norm(p.detach().numpy())
                  for p in net.parameters()}
        expected.append((ratios, float(np.mean(seen["grad"] == 0)), gradient_flow(model)))
        opt.step()
    model.detach()
    assert [r.number for r in model.runs] == [1, 2, 3, 4]
    for run, (ratios, dead, flow) in zip(model.runs, expected, strict=True):
        assert run.ratios.keys() == ratios.keys()
        for nid, ratio in ratios.items():
            assert run.ratios[nid] == pytest.approx(ratio, rel=1e-6)
        assert run.dead == {"net.1 ReluBackward0": pytest.approx(dead)}
        assert 0 < dead < 1  # some units dead, not all: the test can tell them apart
        assert (run.vanishing, run.exploding) == (len(flow.vanishing), len(flow.exploding))
    w = model.node_of(net[0].weight)
    xs, ys = model.runs.series("ratios")[w]  # one curve a leaf, over the runs
    assert xs == [1, 2, 3, 4] and ys == [r.ratios[w] for r in model.runs]
    assert list(model.runs.series("dead")) == ["net.1 ReluBackward0"]


def test_an_exploding_chain_counts_the_edges_above_the_threshold():
    model = GraphModel()
    model.track_flow = True
    with model.recording():
        x = gradviz.ones(4, requires_grad=True)
        ys, y = [], x
        for _ in range(6):
            y = y * 10.0
            y.retain_grad()
            ys.append(y)
        y.sum().backward()
    # an edge carries the gradient of each product, and x's twice (into and out of its
    # AccumulateGrad); the backward started from 1, so above 1e3 explodes
    norms = [_norm(t.grad.numpy()) for t in ys] + [_norm(x.grad.numpy())] * 2
    (run,) = model.runs
    assert run.exploding == sum(n > 1e3 for n in norms) == 5
    assert run.vanishing == 0 and run.dead == {}
    assert run.ratios == {model.node_of(x): pytest.approx(1e6)}


def test_without_track_flow_only_the_ratios_are_kept():
    model = GraphModel()
    with model.recording():
        w = gradviz.tensor([3.0, 4.0], requires_grad=True)
        (w * 2).relu().sum().backward()
    (run,) = model.runs
    assert run.ratios == {model.node_of(w): pytest.approx(8 ** 0.5 / 5)}  # ‖2, 2‖ / ‖3, 4‖
    assert run.dead is None and run.vanishing is None and run.exploding is None


def _steps(model, net, X, Y, opt, n):
    for _ in range(n):
        opt.zero_grad()
        loss = F.mse_loss(net(X), Y)
        loss.backward()
        opt.step()


def test_memory_stays_flat_over_a_thousand_steps():
    model = GraphModel()
    model.track_flow = True
    model.runs = RunHistory(limit=100)  # what RUNS_KEPT does at 10,000, sooner
    model.attach()
    net, X, Y, opt = _mlp(model)
    _steps(model, net, X, Y, opt, 100)
    tracemalloc.start()
    try:  # what was made before tracing is replaced while traced: 100 runs, 200 .grad entries
        _steps(model, net, X, Y, opt, 200)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        nodes = model.graph.number_of_nodes()
        _steps(model, net, X, Y, opt, 700)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        model.detach()
    assert model.backward_runs == 1000 and len(model.runs) == 100
    assert model.graph.number_of_nodes() == nodes == 17
    assert after - before < 64 * 1024  # 700 more steps; a step's run alone is ~1 KB
