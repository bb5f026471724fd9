"""Gradient flow: norms along edges, vanishing/exploding marks, dead ReLUs, parameters."""

from __future__ import annotations

import math

import numpy as np

import gradviz
from gradviz.model import GraphModel
from gradviz.model.gradient_flow import gradient_flow


def test_exploding_chain_of_multiplications_marks_the_edges_near_the_leaf():
    model = GraphModel()
    with model.recording():
        x = gradviz.ones(4, requires_grad=True)
        y = x
        for _ in range(6):
            y = y * 10.0
        loss = y.sum()
        loss.backward()
    flow = gradient_flow(model)
    leaf = model.node_of(x)
    leaf_edges = [k for k in flow.edges if k[0] == leaf]
    assert len(leaf_edges) == 1
    assert math.isclose(flow.edges[leaf_edges[0]], 1e6 * 2, rel_tol=1e-5)  # |ones(4)| = 2
    assert leaf_edges[0] in flow.exploding
    norms = sorted(flow.edges.values())
    assert norms[0] == 2.0 and math.isclose(norms[-1], 2e6, rel_tol=1e-5)
    assert not flow.vanishing
    assert flow.exploding and all(flow.edges[k] > 1e3 for k in flow.exploding)
    p = flow.parameters[leaf]
    assert math.isclose(p.grad_norm, 2e6, rel_tol=1e-5) and p.value_norm == 2.0
    assert math.isclose(p.ratio, 1e6, rel_tol=1e-5)
    assert repr(flow) == ("GradientFlow(8 edges, 5 exploding, 0 vanishing, largest 2e+06, "
                          "0 ReLU-like, 1 parameters)")  # what the console echoes


def test_vanishing_edges_and_dead_relu_units():
    model = GraphModel()
    with model.recording():
        x = gradviz.tensor(np.array([-1.0, -2.0, 3.0, 4.0], np.float32), requires_grad=True)
        h = gradviz.relu(x)
        tiny = x * 1e-4
        loss = h.sum() + (tiny * 1e-4 * 1e-4).sum()
        loss.backward()
    flow = gradient_flow(model)
    relu = model.node_of(h.grad_fn)
    assert flow.dead[relu] == 0.5  # two of four inputs were negative
    into_tiny = [k for k in flow.edges if k[1] == model.node_of(tiny.grad_fn)]
    assert into_tiny and all(k in flow.vanishing for k in into_tiny)  # 1e-12 of the largest
    for key in flow.vanishing:
        assert flow.edges[key] < 1e-6 * flow.largest
