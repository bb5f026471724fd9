"""What backward keeps: saved tensors' bytes per node, the total, and the timeline."""

from __future__ import annotations

import gradviz
from gradviz.autograd import graph as autograd_graph
from gradviz.model import GraphModel
from gradviz.model.saved_memory import (
    format_bytes,
    node_saved_bytes,
    saved_bytes_by_node,
    timeline,
    total_saved_bytes,
)


def _saved_arrays_by_hand(roots):
    """Every saved tensor reachable from ``roots`` through the public graph API, each
    memory once (what the model's figure must equal)."""
    seen_nodes, memory, stack = set(), {}, [r.grad_fn for r in roots]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen_nodes:
            continue
        seen_nodes.add(id(fn))
        for entry in autograd_graph.saved_values(fn):
            if entry.value is not None and hasattr(entry.value, "nbytes"):
                memory[entry.value.__array_interface__["data"][0]] = entry.value.nbytes
        stack.extend(n for n, _ in autograd_graph.next_functions(fn))
    return sum(memory.values())


def test_tutorial_graph_saved_bytes_equal_the_sum_of_its_saved_tensors():
    model = GraphModel()
    model.track_saved_memory = True
    with model.recording():
        x = gradviz.ones(5)
        y = gradviz.zeros(3)
        w = gradviz.randn(5, 3, requires_grad=True)
        b = gradviz.randn(3, requires_grad=True)
        z = gradviz.matmul(x, w) + b
        loss = gradviz.nn.functional.binary_cross_entropy_with_logits(z, y)
    expected = _saved_arrays_by_hand([loss])
    assert expected > 0
    assert total_saved_bytes(model) == expected
    assert sum(saved_bytes_by_node(model).values()) == expected
    with model.recording():
        loss.backward()
    assert total_saved_bytes(model) == 0  # backward freed them
    points = timeline(model)
    forward = [p for p in points if p[0] == "forward"]
    backward = [p for p in points if p[0] == "backward"]
    assert forward[-1][2] == expected and backward and backward[-1][2] == 0
    assert max(p[2] for p in points) == expected


def test_a_result_saved_by_two_nodes_is_counted_once():
    model = GraphModel()
    with model.recording():
        x = gradviz.ones(1000, requires_grad=True)  # float32: 4,000 bytes
        y = x.exp()            # saves its result
        z = (y * y).sum()      # saves y as self and other
    assert node_saved_bytes(model, model.node_of(y.grad_fn)) == 4000
    mul = model.next_functions(model.node_of(z.grad_fn))[0][0]
    assert node_saved_bytes(model, mul) == 4000
    assert total_saved_bytes(model) == 4000
    assert format_bytes(4000) == "4.0 kB"


def test_retain_graph_keeps_the_bytes_alive_in_the_timeline():
    model = GraphModel()
    model.track_saved_memory = True
    with model.recording():
        x = gradviz.ones(10, requires_grad=True)
        z = (x.exp() * 2).sum()
        z.backward(retain_graph=True)
    assert total_saved_bytes(model) == 40
    assert timeline(model)[-1] == ("backward", timeline(model)[-1][1], 40)


def test_without_tracking_a_backward_in_the_same_statement_leaves_nothing_to_measure():
    model = GraphModel()
    with model.recording():
        x = gradviz.ones(10, requires_grad=True)
        (x.exp() * 2).sum().backward()
    assert total_saved_bytes(model) == 0
    assert all(p[2] == 0 for p in timeline(model))  # freed before anyone asked: unknown
