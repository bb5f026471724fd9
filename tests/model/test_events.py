"""The events the core emits (gradviz/events, gradviz/core/autograd/emit.py): vocabulary, program
order, backward order against the engine and torch, and the seam's safety and cost."""

from __future__ import annotations

import dataclasses
import gc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_programs import random_program, run_program, source, torch_execution_order

import gradviz
from gradviz import events as ev
from gradviz.events import dispatcher
from gradviz.model import GraphModel


@pytest.fixture(autouse=True)
def _nobody_left_listening():
    """Every test starts and ends with no subscriber (a leaked one would slow the core)."""
    assert not dispatcher.active, dispatcher._subscribers
    yield
    assert not dispatcher.active, dispatcher._subscribers


@pytest.fixture
def events():
    """A list receiving every event while the test runs."""
    seen = []
    token = dispatcher.subscribe(seen.append)
    yield seen
    dispatcher.unsubscribe(token)


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


# ---------------------------------------------------------------- subscription
def test_subscribe_and_unsubscribe_switch_the_seam():
    seen = []
    token = dispatcher.subscribe(seen.append)
    assert dispatcher.active
    w = gradviz.ones(2, requires_grad=True)
    (w * 2).sum()
    dispatcher.unsubscribe(token)
    assert not dispatcher.active
    count = len(seen)
    assert count > 0
    (w * 3).sum()
    assert len(seen) == count


def test_a_bound_method_unsubscribes_with_a_fresh_bound_method():
    """``obj.method`` is a new object on every access: unsubscribing with it must work."""

    class Listener:
        def __init__(self):
            self.seen = []

        def on_event(self, event):
            self.seen.append(event)

    listener = Listener()
    dispatcher.subscribe(listener.on_event)
    dispatcher.unsubscribe(listener.on_event)
    assert not dispatcher.active
    gradviz.ones(2, requires_grad=True).sum()
    assert listener.seen == []


def test_model_detach_stops_recording():
    model = GraphModel()
    model.attach()
    model.detach()
    assert not dispatcher.active
    with model.recording():
        pass
    assert not dispatcher.active
    gradviz.ones(2, requires_grad=True).exp()
    assert model.graph.number_of_nodes() == 0


def test_events_are_frozen():
    event = ev.BackwardStarted((1,), False, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.retain_graph = True


def test_nothing_is_built_when_nobody_listens(monkeypatch):
    """With no subscriber the core never calls into emit.py (the seam is one check)."""
    from gradviz.core.autograd import emit

    def boom(*args, **kwargs):
        raise AssertionError("an event was built with nobody listening")

    for name in ("function_created", "tensor_created", "backward_started", "node_executed",
                 "backward_finished", "grad_accumulated", "grad_cleared", "inplace_changed",
                 "requires_grad_changed", "detached"):
        monkeypatch.setattr(emit, name, boom)
    x = gradviz.ones(3)
    w = gradviz.ones(3, 2).requires_grad_()
    loss = gradviz.matmul(x, w).exp().sum()
    loss.backward()
    w.grad.zero_()
    w.grad = None
    loss.detach()
    with gradviz.no_grad():
        w.mul_(2)
    assert w.grad is None


# ---------------------------------------------------------------- the forward pass
def test_forward_events_in_program_order(events):
    x = gradviz.ones(3)
    w = gradviz.ones(3, requires_grad=True)
    y = w * x
    s = y.sum()
    created = of(events, ev.FunctionCreated)
    assert [e.name for e in created] == ["AccumulateGrad", "MulBackward0", "SumBackward0"]
    acc, mul, total = created
    assert acc.function is y.grad_fn.next_functions[0][0] and acc.function.variable is w
    assert mul.function is y.grad_fn and mul.function_id == y.grad_fn.id
    assert mul.next_functions == ((acc.function_id, 0), (None, 0))
    assert mul.output_id == y._gv_id
    assert mul.input_ids == (w._gv_id, x._gv_id)
    assert total.next_functions == ((mul.function_id, 0),)
    assert total.function is s.grad_fn
    roles = [(e.role, e.tensor) for e in of(events, ev.TensorCreated)]
    assert [r for r, _ in roles] == ["leaf", "constant", "output", "output"]
    assert roles[0][1] is w and roles[1][1] is x and roles[2][1] is y and roles[3][1] is s
    # the leaf is announced before the node that uses it
    assert events.index(of(events, ev.TensorCreated)[0]) < events.index(mul)


def test_a_scalar_operand_has_no_input_id(events):
    w = gradviz.ones(2, requires_grad=True)
    w * 2.0
    (mul,) = [e for e in of(events, ev.FunctionCreated) if e.name == "MulBackward0"]
    assert mul.input_ids == (w._gv_id, None)


def test_ids_are_stable_and_never_python_ids(events):
    w = gradviz.ones(2, requires_grad=True)
    y = w * w
    first = y.grad_fn.id
    del y
    gc.collect()
    y = w * w
    assert y.grad_fn.id != first  # a new node, a new id, even if id() is reused
    ids = [e.function_id for e in of(events, ev.FunctionCreated)]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------- backward
def test_backward_events_and_grads():
    w = gradviz.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (w * w).sum()
    seen = []
    token = dispatcher.subscribe(seen.append)
    try:
        y.backward()
    finally:
        dispatcher.unsubscribe(token)
    kinds = [type(e).__name__ for e in seen]
    assert kinds == ["BackwardStarted", "NodeExecuted", "NodeExecuted", "GradAccumulated",
                     "NodeExecuted", "SavedTensorsFreed", "BackwardFinished"]
    start, total, mul, acc, acc_run, freed, finish = seen
    assert start.roots == (y.grad_fn.id,) and not start.retain_graph and not start.create_graph
    assert total.function is y.grad_fn
    np.testing.assert_array_equal(np.asarray(total.grad_in), 1.0)
    mul_fn = y.grad_fn.next_functions[0][0]
    assert mul.function is mul_fn and len(mul.grads_out) == 2  # a * a: two edges, two grads
    for g in mul.grads_out:
        np.testing.assert_array_equal(np.asarray(g), [1.0, 2.0, 3.0])
    assert acc.tensor is w and acc.before is None
    np.testing.assert_array_equal(acc.after, [2.0, 4.0, 6.0])
    assert acc_run.function is mul_fn.next_functions[0][0] and acc_run.grads_out == ()
    # SumBackward0 saved only sizes, which stay (as torch): it is not freed
    assert freed.function_ids == (mul_fn.id,)
    assert mul_fn.freed and not y.grad_fn.freed
    assert finish.roots == start.roots


def test_grad_accumulated_before_and_after(events):
    w = gradviz.ones(2, requires_grad=True)
    y = (w * 3).sum()
    y.backward(retain_graph=True)
    y.backward()
    first, second = of(events, ev.GradAccumulated)
    assert first.before is None
    np.testing.assert_array_equal(first.after, [3.0, 3.0])
    np.testing.assert_array_equal(second.before, [3.0, 3.0])
    np.testing.assert_array_equal(second.after, [6.0, 6.0])
    assert first.after is not w.grad._data  # copies, not the live buffer
    assert of(events, ev.BackwardStarted)[0].retain_graph
    assert len(of(events, ev.SavedTensorsFreed)) == 1  # only the second call frees


def test_retain_graph_frees_nothing(events):
    w = gradviz.ones(2, requires_grad=True)
    (w.exp() * w).sum().backward(retain_graph=True)
    assert of(events, ev.SavedTensorsFreed) == []


def test_grad_zeroed_cleared_and_set(events):
    w = gradviz.ones(2, requires_grad=True)
    (w * 2).sum().backward()
    w.grad.zero_()
    w.grad = None
    g = gradviz.full((2,), 5.0)
    w.grad = g
    (zeroed,) = of(events, ev.GradZeroed)
    assert zeroed.tensor is w and zeroed.tensor_id == w._gv_id
    cleared, assigned = of(events, ev.GradCleared)
    assert cleared.tensor is w and cleared.value is None
    assert assigned.value is g


def test_inplace_change_with_and_without_a_graph(events):
    w = gradviz.ones(2, requires_grad=True)
    a = w * 2
    a.add_(1)
    with gradviz.no_grad():
        w.mul_(2)
    recorded, untracked = of(events, ev.InplaceChanged)
    assert recorded.tensor is a and recorded.version == 1
    assert recorded.function_id == a.grad_fn.id and a.grad_fn.name() == "AddBackward0"
    assert untracked.tensor is w and untracked.function_id is None and untracked.version == 1


def test_requires_grad_changed_and_detach(events):
    t = gradviz.ones(2)
    t.requires_grad_()
    t.requires_grad_()  # no change, no event
    y = t * 2
    d = y.detach()
    y.detach_()
    (changed,) = of(events, ev.RequiresGradChanged)
    assert changed.tensor is t and changed.requires_grad
    out_of_place, in_place = of(events, ev.Detached)
    assert out_of_place.result is d and not out_of_place.in_place
    assert out_of_place.source_id == y._gv_id
    assert in_place.result is y and in_place.in_place and in_place.result_id == y._gv_id


def test_tensor_released():
    released = []

    def on_event(event):  # keeps no other event: they hold their tensors
        if isinstance(event, ev.TensorReleased):
            released.append(event.tensor_id)

    token = dispatcher.subscribe(on_event)
    try:
        w = gradviz.ones(2, requires_grad=True)
        y = w * 2
        yid = y._gv_id
        assert yid is not None
        del y
        gc.collect()
    finally:
        dispatcher.unsubscribe(token)
    assert yid in released


# ---------------------------------------------------------------- backward order
def check_backward_order(leaves, steps, torch=None):
    model = GraphModel()
    executed = []

    def on_event(event):
        if isinstance(event, ev.NodeExecuted):
            executed.append(event)

    token = dispatcher.subscribe(on_event)
    try:
        with model.recording():
            _, _, out = run_program(gradviz, leaves, steps)
            with np.errstate(all="ignore"):
                out.backward()
    finally:
        dispatcher.unsubscribe(token)
    program = source(leaves, steps)
    # the model numbers nodes in the order they were announced
    numbers = [model.graph.nodes[e.function_id]["executed"] for e in executed]
    assert numbers == list(range(1, len(executed) + 1)), program
    # each node runs once, after every consumer that feeds it a gradient
    position = {e.function_id: k for k, e in enumerate(executed)}
    assert len(position) == len(executed), program
    for e in executed:
        for nxt, _ in e.function.next_functions:
            if nxt is not None:
                assert position[nxt.id] > position[e.function_id], program
    assert executed[0].function is out.grad_fn
    if torch is not None:
        _, _, tout = run_program(torch, leaves, steps)
        want = torch_execution_order(torch, tout.grad_fn, tout.backward)
        assert [type(e.function).__name__ for e in executed] == want, program


def test_tutorial_backward_order(oracle):
    rng = np.random.default_rng(0)
    x_val = np.ones(5, np.float32)
    w_val = rng.standard_normal((5, 3)).astype(np.float32)
    b_val = rng.standard_normal(3).astype(np.float32)
    orders = []
    for lib in (gradviz, oracle):
        x = lib.tensor(x_val)
        w = lib.tensor(w_val, requires_grad=True)
        b = lib.tensor(b_val, requires_grad=True)
        loss = lib.nn.functional.binary_cross_entropy_with_logits(
            lib.matmul(x, w) + b, lib.zeros(3))
        if lib is gradviz:
            seen = []
            token = dispatcher.subscribe(seen.append)
            try:
                loss.backward()
            finally:
                dispatcher.unsubscribe(token)
            orders.append([type(e.function).__name__ for e in of(seen, ev.NodeExecuted)])
        else:
            orders.append(torch_execution_order(oracle, loss.grad_fn, loss.backward))
    assert orders[0] == orders[1]
    assert orders[0][0] == "BinaryCrossEntropyWithLogitsBackward0"


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_random_programs_run_in_engine_order(seed):
    check_backward_order(*random_program(np.random.default_rng(seed)))


def test_random_programs_run_in_torchs_order(oracle):
    for seed in range(40):
        check_backward_order(*random_program(np.random.default_rng(seed)), torch=oracle)


# ---------------------------------------------------------------- a failing subscriber
def test_a_raising_subscriber_does_not_disturb_backward():
    calls = []

    def broken(event):
        calls.append(event)
        raise ValueError("listener bug")

    model = GraphModel()
    model.attach()
    token = dispatcher.subscribe(broken)
    try:
        with pytest.warns(RuntimeWarning, match="listener bug") as caught:
            w = gradviz.tensor([1.0, 2.0], requires_grad=True)
            y = (w * w * 3).sum()
            y.backward()
    finally:
        dispatcher.unsubscribe(token)
        model.detach()
    assert len([c for c in caught if "listener bug" in str(c.message)]) == 1
    assert len(calls) > 5  # it kept receiving events after the first failure
    np.testing.assert_array_equal(w.grad.numpy(), [6.0, 12.0])
    names = {d["name"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function"}
    assert names == {"AccumulateGrad", "MulBackward0", "SumBackward0"}
    executed = [d["executed"] for _, d in model.graph.nodes(data=True)
                if d["kind"] == "function"]
    assert sorted(executed) == [1, 2, 3, 4]
