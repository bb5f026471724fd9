"""Autograd's dynamic graph, as torch 2.x: the graph is rebuilt on every forward,
control flow changes it, gradients accumulate across backward calls, nodes run in
torch's order; and very deep graphs (a 100,000-op chain, a deep ``create_graph``
chain) backpropagate without recursion.
"""

from __future__ import annotations

import math

import pytest

import gradviz


# ---------------------------------------------------------------- a dynamic graph
def test_graph_is_rebuilt_on_every_forward():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    first = (x * x).sum()
    second = (x * x).sum()
    assert first.grad_fn is not second.grad_fn
    assert first.grad_fn.next_functions[0][0] is not second.grad_fn.next_functions[0][0]
    # both graphs end in the same AccumulateGrad while they live, as in torch
    acc_1 = first.grad_fn.next_functions[0][0].next_functions[0][0]
    acc_2 = second.grad_fn.next_functions[0][0].next_functions[0][0]
    assert acc_1 is acc_2 and acc_1.variable is x


def test_control_flow_changes_the_graph():
    x = gradviz.tensor(3.0, requires_grad=True)
    names = []
    for step in range(3):
        y = x
        for _ in range(step + 1):
            y = y * 2 if step % 2 else y + 1
        names.append(y.grad_fn.name())
        y.backward()
    assert names == ["AddBackward0", "MulBackward0", "AddBackward0"]
    assert x.grad.item() == 1 + 4 + 1


def test_gradients_accumulate_across_backward_calls():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    assert x.grad is first  # accumulated in place into the same tensor
    assert x.grad.tolist() == [5.0, 7.0]
    x.grad.zero_()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0] and x.grad is not first


def test_tutorial_jacobian_products(oracle):
    results = []
    for lib in (gradviz, oracle):
        inp = lib.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        out.backward(lib.ones_like(out), retain_graph=True)
        out.backward(lib.ones_like(out), retain_graph=True)
        results.append(repr(inp.grad))
    assert results[0] == results[1]
    assert "[8., 4., 4., 4., 4.]" in results[0]


def test_a_tensor_used_twice_gets_one_summed_gradient(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        seen = []
        x.register_hook(lambda g, seen=seen: seen.append(("x", g.tolist())))
        y.register_hook(lambda g, seen=seen: seen.append(("y", g.tolist())))
        (y * 2 + y * 3 + x).sum().backward()
        assert seen == [("y", [5.0, 5.0]), ("x", [6.0, 6.0])]
        assert x.grad.tolist() == [6.0, 6.0]


def test_nodes_run_in_torchs_order(oracle):
    orders = []
    for lib in (gradviz, oracle):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        order = []
        a = x * 2
        b = a * 3
        c = a * 4
        d = x.exp()
        for name, t in (("a", a), ("b", b), ("c", c), ("d", d)):
            t.register_hook(lambda g, name=name, order=order: order.append(name))
        (c + b + d).sum().backward()
        orders.append(order)
    assert orders[0] == orders[1]


# ---------------------------------------------------------------- deep graphs
def test_a_chain_of_100000_ops_backpropagates():
    x = gradviz.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.0
        y = y + 1.0
    y.sum().backward()  # an iterative engine: no RecursionError
    assert x.grad.tolist() == [1.0]
    assert y.item() == 50_001.0
    del y  # freeing the long chain must not overflow the stack either


def test_a_deep_chain_of_create_graph_grads():
    x = gradviz.tensor(0.5, dtype=gradviz.float64, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y.sin()
    (g,) = gradviz.autograd.grad(y, x, create_graph=True)
    (h,) = gradviz.autograd.grad(g, x)
    v, d1 = 0.5, 1.0
    for _ in range(3000):  # forward-mode reference for the first derivative
        v, d1 = math.sin(v), d1 * math.cos(v)
    assert g.item() == pytest.approx(d1, rel=1e-9)
    assert math.isfinite(h.item())
