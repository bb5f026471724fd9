"""How the torch engine watches a backward: its one post-hook per node, registered
without a ``RemovableHandle`` (``gradviz/engines/torch_hooks.py``), and the gradients each
node received and passed, checked against an independent recompute with torch's own
hooks on an unwatched copy of the program."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from gradviz.engines import get_engine, torch_engine, torch_hooks  # noqa: E402
from gradviz.events import types as ev  # noqa: E402
from gradviz.model import GraphModel  # noqa: E402


@pytest.fixture(autouse=True)
def _nobody_left_watching():
    engine = get_engine("torch")
    yield
    assert not engine._subscribers and engine._mode is None


def test_docstring_example_runs():
    failed, _ = doctest.testmod(torch_hooks)
    assert failed == 0


def program():
    """A shared input used twice (torch sums its two gradients in an input buffer), a
    chain, a node of two outputs, and a leaf: every way a gradient arrives."""
    torch.manual_seed(0)
    w = torch.randn(3, 4, requires_grad=True)
    x = torch.randn(4, 2)
    h = (w @ x).tanh()
    a, b = h.unbind(1)
    y = (a * b + a.exp() * 2).sum()
    return w, y


def functions_in_order(model):
    nodes = [(d["executed"], d) for _, d in model.graph.nodes(data=True)
             if d["kind"] == "function" and d["executed"] is not None]
    return [d for _, d in sorted(nodes, key=lambda p: p[0])]


def torch_recompute(make):
    """``make()``'s program run unwatched, read with torch's own hooks, each gradient
    cloned at once: ``[(node name, gradient received, gradients passed)]`` in the order
    torch ran the nodes."""
    expected = []
    *_, y = make()
    stack, seen, handles = [y.grad_fn], set(), []
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        handles.append(fn.register_hook(lambda passed, received, fn=fn: expected.append((
            type(fn).__name__,
            next((g.clone() for g in received if g is not None), None),
            [None if g is None else g.clone() for g in passed]))))
        stack += [n for n, _ in fn.next_functions if n is not None]
    y.backward()
    for handle in handles:
        handle.remove()
    return expected


def assert_recorded_as_torch_ran(model, expected):
    recorded = functions_in_order(model)
    assert [d["name"] for d in recorded] == [name for name, _, _ in expected]
    for data, (name, received, passed) in zip(recorded, expected, strict=True):
        np.testing.assert_array_equal(data["grad_in"], received.numpy(), err_msg=name)
        if name != "AccumulateGrad":
            assert len(data["grads_out"]) == len(passed)
            for got, want in zip(data["grads_out"], passed, strict=True):
                if want is None:
                    assert got is None
                else:
                    np.testing.assert_array_equal(got, want.numpy(), err_msg=name)


def test_each_node_keeps_the_gradients_torch_computed_for_it():
    model = GraphModel(engine="torch")
    with model.recording():
        _, y = program()
        y.backward()
    assert_recorded_as_torch_ran(model, torch_recompute(program))


def long_program(hook=lambda g: None):
    """More nodes than the engine holds before reporting (``PENDING``), leaves met all
    along the chain, inputs used twice (gradients summed in torch's input buffer), and
    ``hook`` on a tensor made first (its node runs among the last)."""
    torch.manual_seed(1)
    leaves = [torch.randn(3, requires_grad=True) for _ in range(5)]
    first = leaves[0] * 1.0
    first.register_hook(hook)
    y = first
    for i in range(3 * torch_engine.PENDING):
        y = y * 0.9 + y.sin() if i % 3 else y * leaves[i % 5]
    return (*leaves, y.sum() + first.sum())


def test_a_long_backward_is_reported_in_bounded_batches_in_torchs_order():
    engine = get_engine("torch")
    model = GraphModel(engine="torch")
    seen, reported_by_then = [], []
    with model.recording():
        token = engine.subscribe(seen.append)
        try:
            *leaves, y = long_program(lambda g: reported_by_then.append(
                sum(isinstance(e, ev.NodesExecuted) for e in seen)))
            y.backward()
        finally:
            engine.unsubscribe(token)
    batches = [e.events for e in seen if isinstance(e, ev.NodesExecuted)]
    assert max(len(b) for b in batches) <= torch_engine.PENDING  # the gradients held
    assert reported_by_then[0] >= 3  # reported while the backward still ran
    kinds = [type(e).__name__ for e in seen]
    assert kinds[-1] == "BackwardFinished" and "NodeExecuted" not in kinds
    assert kinds.count("GradAccumulated") == len(leaves)
    assert_recorded_as_torch_ran(model, torch_recompute(long_program))


def test_a_leafs_gradient_is_read_before_a_hook_changes_grad_in_place():
    def zero(p):
        p.grad.mul_(0)

    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        w.register_hook(lambda g: g * 1)  # (a new tensor, that torch makes .grad itself)
        w.register_post_accumulate_grad_hook(zero)
        (w * 3).sum().backward()
    assert w.grad.tolist() == [0.0, 0.0]  # what the user's hook left
    acc = next(d for _, d in model.graph.nodes(data=True) if d.get("name") == "AccumulateGrad")
    np.testing.assert_array_equal(acc["grad_in"], [3.0, 3.0])  # what torch passed to it
    np.testing.assert_array_equal(model.grad(model.node_of(w)), [0.0, 0.0])


def test_a_second_backward_with_retain_graph_records_its_own_gradients():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        y = (w * 3).sum()
        y.backward(retain_graph=True)
        first = functions_in_order(model)[0]["grad_in"].copy()
        (y * 5).backward()
    mul = next(d for _, d in model.graph.nodes(data=True) if d.get("name") == "MulBackward0")
    np.testing.assert_array_equal(first, 1.0)  # (the first run's, kept as it was)
    np.testing.assert_array_equal(mul["grads_out"][0], [15.0, 15.0])
    assert w.grad.tolist() == [18.0, 18.0] and model.backward_runs == 2


def test_torchs_hook_registration_is_restored_and_used_by_other_hooks():
    function = torch.autograd.Function
    before = function._register_hook
    own = "_register_hook" in function.__dict__
    w = torch.ones(2, requires_grad=True)
    y, z = w * 2, w * 3
    ours, theirs = [], []

    def hook(passed, received):
        ours.append(type(torch._C._current_autograd_node()).__name__)

    def nodes():  # someone else registers a hook while gradviz's are being registered
        yield y.grad_fn
        handles.append(z.grad_fn.register_hook(lambda passed, received: theirs.append(1)))
        yield z.grad_fn

    handles = []
    remove = torch_hooks.hook_nodes(nodes(), hook)
    assert function._register_hook is before and ("_register_hook" in function.__dict__) == own
    (y.sum() + z.sum()).backward(retain_graph=True)
    assert sorted(ours) == ["MulBackward0", "MulBackward0"] and theirs == [1]
    handles[0].remove()  # a RemovableHandle of torch's own, that still works
    remove()
    (y.sum() + z.sum()).backward()
    assert len(ours) == 2 and theirs == [1]
    assert w.grad.tolist() == [10.0, 10.0]


def test_a_backward_that_raises_midway_leaves_no_hook_behind():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        h = w * 2
        raising = h.register_hook(lambda g: 1 / 0)
        y = (h * 3).sum()
        with pytest.raises(ZeroDivisionError):
            y.backward(retain_graph=True)
        ran = [d["name"] for d in functions_in_order(model)]
    assert ran == ["SumBackward0", "MulBackward0"]  # what ran before the error
    count = model.backward_runs
    raising.remove()
    y.backward()  # not recording, and a hook of gradviz's left behind would raise here
    assert model.backward_runs == count and w.grad.tolist() == [6.0, 6.0]


def test_a_registration_that_fails_midway_leaves_no_hook_behind():
    w = torch.ones(2, requires_grad=True)
    y = w * 2
    calls = []
    before = torch.autograd.Function._register_hook

    def nodes():
        yield y.grad_fn
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        torch_hooks.hook_nodes(nodes(), lambda passed, received: calls.append(1))
    assert torch.autograd.Function._register_hook is before
    y.sum().backward()
    assert calls == [] and w.grad.tolist() == [2.0, 2.0]
