"""GraphModel (gradviz/model/graph_model.py): its graph is torch's backward graph, its
tensor nodes, grad timelines, saved-tensor state, release policies and batching."""

from __future__ import annotations

import contextlib
import gc

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_programs import (
    OPS,
    describe,
    function_subgraph,
    random_program,
    run_program,
    same_graph,
    source,
    walked_graph,
)

import gradviz
from gradviz.events import dispatcher
from gradviz.model import GraphModel
from gradviz.model.graph_model import POLICIES


@pytest.fixture(autouse=True)
def _nobody_left_listening():
    """Every test ends with no subscriber (a leaked one is removed, then reported)."""
    assert not dispatcher.active, dispatcher._subscribers
    yield
    leaked = list(dispatcher._subscribers)
    for callback in leaked:
        dispatcher.unsubscribe(callback)
    assert not leaked


def tutorial(lib, seed=0):
    """The tutorial's first cell (In [6]) on ``lib``, with seeded values; its namespace."""
    rng = np.random.default_rng(seed)
    x = lib.ones(5)
    y = lib.zeros(3)
    w = lib.tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    z = lib.matmul(x, w) + b
    loss = lib.nn.functional.binary_cross_entropy_with_logits(z, y)
    return {"x": x, "y": y, "w": w, "b": b, "z": z, "loss": loss}


def nodes(model, **match):
    return [n for n, d in model.graph.nodes(data=True)
            if all(d.get(k) == v for k, v in match.items())]


def functions(model):
    return nodes(model, kind="function")


def edges_into(model, nid, kind):
    return [(u, d) for u, _, d in model.graph.in_edges(nid, data=True) if d["kind"] == kind]


# ---------------------------------------------------------------- the function graph
def test_tutorial_function_graph_is_the_walked_graph():
    model = GraphModel()
    with model.recording():
        ns = tutorial(gradviz)
    got = function_subgraph(model)
    want = walked_graph(ns["loss"].grad_fn)
    assert same_graph(got, want), (describe(got), describe(want))
    assert sorted(d["name"] for _, d in got.nodes(data=True)) == [
        "AccumulateGrad", "AccumulateGrad", "AddBackward0",
        "BinaryCrossEntropyWithLogitsBackward0", "MmBackward0", "SqueezeBackward4"]


def test_tutorial_function_graph_is_torchs(oracle):
    model = GraphModel()
    with model.recording():
        tutorial(gradviz)
    got = function_subgraph(model)
    want = walked_graph(tutorial(oracle)["loss"].grad_fn)
    assert same_graph(got, want), (describe(got), describe(want))


def test_reuse_gives_parallel_edges():
    model = GraphModel()
    with model.recording():
        a = gradviz.ones(2, requires_grad=True)
        y = a * a
    mul = model.node_of(y.grad_fn)
    acc = model.node_of(y.grad_fn.next_functions[0][0])
    parallel = model.graph.get_edge_data(acc, mul)
    assert sorted(d["input_nr"] for d in parallel.values()) == [0, 1]
    assert all(d["kind"] == "next" for d in parallel.values())
    assert model.graph.number_of_edges(acc, mul) == 2


NOT_DIFFERENTIABLE = {
    "floordiv_constant": lambda lib, x, c: x // c,
    "constant_floordiv": lambda lib, x, c: c // x,
    "number_mod": lambda lib, x, c: 2 % x,
    "floordiv_both": lambda lib, x, c: lib.floor_divide(x, x.exp()),
}


@pytest.mark.parametrize("name", list(NOT_DIFFERENTIABLE))
def test_not_implemented_node_links_only_inputs_that_require_grad(name, oracle):
    """floor_divide and number % tensor: torch's NotImplemented grad_fn, with edges from the
    inputs that require grad only (a constant operand gets no ghost node)."""
    program = NOT_DIFFERENTIABLE[name]
    model = GraphModel()
    with model.recording():
        x = gradviz.tensor([3.5, -2.5], requires_grad=True)
        y = program(gradviz, x, gradviz.tensor([2.0, 1.5]))
    want = program(oracle, oracle.tensor([3.5, -2.5], requires_grad=True),
                   oracle.tensor([2.0, 1.5]))
    assert same_graph(function_subgraph(model), walked_graph(want.grad_fn))
    data = model.graph.nodes[model.node_of(y.grad_fn)]
    assert data["name"] == "NotImplemented" and "not_implemented(" in data["formula"]
    assert not [n for n, d in model.graph.nodes(data=True) if d.get("role") == "constant"]


@st.composite
def programs(draw):
    """Leaves (some requiring grad, at least one) and steps over every op of OPS."""
    flags = draw(st.lists(st.booleans(), min_size=1, max_size=4))
    flags[draw(st.integers(0, len(flags) - 1))] = True
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    leaves = [(f, rng.uniform(-0.5, 0.5, (3, 3)).astype(np.float32)) for f in flags]
    step = st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 99), st.integers(0, 99))
    return leaves, draw(st.lists(step, min_size=1, max_size=8))


def check_program(leaves, steps, torch=None):
    model = GraphModel()
    tensor_inputs = {}  # function id -> how many of its inputs were tensors (from the events)

    def count(e):
        if type(e).__name__ == "FunctionCreated":
            tensor_inputs[e.function_id] = sum(i is not None for i in e.input_ids)

    token = dispatcher.subscribe(count)
    try:
        with model.recording():
            _, _, out = run_program(gradviz, leaves, steps)
    finally:
        dispatcher.unsubscribe(token)
    got = function_subgraph(model)
    want = walked_graph(out.grad_fn)
    assert same_graph(got, want), (source(leaves, steps), describe(got), describe(want))
    check_tensor_edges(model, source(leaves, steps), tensor_inputs)
    if torch is not None:
        _, _, tout = run_program(torch, leaves, steps)
        theirs = walked_graph(tout.grad_fn)
        assert same_graph(got, theirs), (source(leaves, steps), describe(got), describe(theirs))
    return model, out


def check_tensor_edges(model, program, tensor_inputs):
    """Every tensor input of every op is drawn: a ``next`` edge where autograd records
    one, a ghost constant's edge where it does not; each leaf feeds one AccumulateGrad."""
    g = model.graph
    for n in functions(model):
        kinds = [d["kind"] for _, _, d in g.in_edges(n, data=True)]
        fn = model.function(n)
        if g.nodes[n]["name"] == "AccumulateGrad":
            assert kinds == ["leaf"], program
            assert model.tensor(next(iter(g.predecessors(n)))) is fn.variable, program
            continue
        assert len(kinds) == tensor_inputs[n], (program, g.nodes[n]["name"], kinds)
        assert set(kinds) <= {"next", "constant"}, program
    for n, d in g.nodes(data=True):
        if d["kind"] != "tensor":
            continue
        out_kinds = {k for _, _, k in g.out_edges(n, data="kind")}
        if d["role"] == "leaf":
            assert out_kinds == {"leaf"} and g.out_degree(n) == 1 and not d["ghost"], program
        elif d["role"] == "constant":
            assert out_kinds == {"constant"} and d["ghost"] and not d["requires_grad"], program


@settings(max_examples=80, deadline=None)
@given(programs())
def test_random_programs_function_graph(program):
    check_program(*program)


def test_random_programs_function_graph_is_torchs(oracle):
    for seed in range(60):
        check_program(*random_program(np.random.default_rng(seed)), torch=oracle)


def test_every_op_of_the_generator_is_exercised(oracle):
    """Each op, alone on a leaf used twice, gives torch's graph (the generator's coverage)."""
    for op in sorted(OPS):
        leaves = [(True, np.full((3, 3), 0.25, np.float32)), (False, np.ones((3, 3), np.float32))]
        check_program(leaves, [(op, 0, 0)], torch=oracle)
        check_program(leaves, [(op, 0, 1)], torch=oracle)
        check_program(leaves, [(op, 1, 0)], torch=oracle)


def test_in_place_on_a_view_is_drawn_as_torch_records_it(oracle):
    """The loss's graph is torch's (CopySlices on the base, the op's own node hidden inside
    it); the view's own history (its SliceBackward0, then AsStridedBackward0) sits beside."""
    graphs = {}
    for lib in (gradviz, oracle):
        a = lib.ones(3, 3, requires_grad=True)
        model = GraphModel()
        with model.recording() if lib is gradviz else contextlib.nullcontext():
            x = a * 1
            v = x[1:]
            v.mul_(2)
            loss = (x * x).sum()
        graphs[lib.__name__] = (model, loss, v)
    model, loss, v = graphs["gradviz"]
    got = function_subgraph(model)
    root = loss.grad_fn.id
    on_path = got.subgraph(nx.ancestors(got, root) | {root})
    want = walked_graph(graphs["torch"][1].grad_fn)
    assert same_graph(on_path, want), (describe(on_path), describe(want))
    beside = sorted(d["name"] for n, d in got.nodes(data=True) if n not in on_path)
    assert beside == ["AsStridedBackward0", "SliceBackward0"]
    assert model.graph.nodes[v.grad_fn.id]["name"] == "AsStridedBackward0"
    with model.recording():
        loss.backward()
    copy_slices = loss.grad_fn.next_functions[0][0].next_functions[0][0]  # x's, under x * x
    assert type(copy_slices).__name__ == "CopySlices"
    assert model.graph.nodes[copy_slices.id]["executed"] is not None
    assert model.graph.nodes[copy_slices.id]["freed"]  # its MulBackward0's saved 2 is gone


def test_attached_mid_program_builds_the_full_graph():
    rng = np.random.default_rng(1)
    x = gradviz.ones(5)
    w = gradviz.tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
    h = w * 2  # recorded before the model listened
    model = GraphModel()
    with model.recording():
        b = gradviz.zeros(3, requires_grad=True)
        loss = (gradviz.matmul(x, h) + b).exp().sum()
    got = function_subgraph(model)
    want = walked_graph(loss.grad_fn)
    assert same_graph(got, want), (describe(got), describe(want))
    w_node, b_node = model.node_of(w), model.node_of(b)
    assert w_node is not None and b_node is not None
    assert [model.graph.nodes[v]["name"] for _, v in model.graph.out_edges(w_node)] == [
        "AccumulateGrad"]
    x_node = model.node_of(x)
    assert x_node is not None and model.graph.nodes[x_node]["ghost"]
    with model.recording():
        loss.backward()
    assert all(model.graph.nodes[n]["executed"] is not None for n in functions(model))


# ---------------------------------------------------------------- tensor nodes
def test_tutorial_tensor_nodes():
    model = GraphModel()
    with model.recording():
        ns = tutorial(gradviz)
    model.set_names(ns)
    for name in ("w", "b"):
        t = ns[name]
        nid = model.node_of(t)
        d = model.graph.nodes[nid]
        assert (d["kind"], d["role"], d["name"], d["label"]) == ("tensor", "leaf", name, name)
        assert d["ghost"] is False and d["requires_grad"] and d["is_leaf"]
        assert d["shape"] == tuple(t.shape) and d["dtype"] == "float32" and d["version"] == 0
        assert model.tensor(nid) is t
        np.testing.assert_array_equal(model.value(nid), t.detach().numpy())
        (acc,) = [v for _, v, k in model.graph.out_edges(nid, data="kind") if k == "leaf"]
        assert model.graph.nodes[acc]["name"] == "AccumulateGrad"
        assert model.function(acc).variable is t
        assert model.graph.nodes[acc]["shape"] == tuple(t.shape)
    for name in ("x", "y"):
        nid = model.node_of(ns[name])
        d = model.graph.nodes[nid]
        assert (d["role"], d["ghost"], d["name"], d["label"]) == ("constant", True, name, name)
        assert not d["requires_grad"]
        (consumer,) = [v for _, v in model.graph.out_edges(nid)]
        assert model.graph.nodes[consumer]["kind"] == "function"
    assert model.graph.nodes[model.node_of(ns["x"])]["shape"] == (5,)
    for name in ("z", "loss"):
        t = ns[name]
        nid = model.node_of(t)
        d = model.graph.nodes[nid]
        assert (d["role"], d["name"], d["ghost"], d["is_leaf"]) == ("output", name, False, False)
        assert edges_into(model, nid, "output") == [
            (model.node_of(t.grad_fn), {"kind": "output", "input_nr": 0})]
    loss_fn = model.graph.nodes[model.node_of(ns["loss"].grad_fn)]
    assert loss_fn["shape"] == ()
    # exactly these tensor nodes: nothing the user does not hold is shown as an output
    assert sorted(model.graph.nodes[n]["name"] for n in nodes(model, kind="tensor")) == [
        "b", "loss", "w", "x", "y", "z"]


def test_set_names_follows_reassignment():
    model = GraphModel()
    with model.recording():
        ns = tutorial(gradviz)
    model.set_names(ns)
    old_z = model.node_of(ns["z"])
    ns["z2"] = ns.pop("z")
    model.set_names(ns)
    assert model.graph.nodes[old_z]["name"] == "z2"
    del ns["x"]
    model.set_names(ns)
    x_node = nodes(model, role="constant", shape=(5,))[0]
    assert model.graph.nodes[x_node]["name"] is None


def test_backward_roots_appear_as_outputs():
    model = GraphModel()
    model.attach()
    try:
        w = gradviz.ones(2, requires_grad=True)
        loss = (w * 3).sum()
        assert model.node_of(loss) is None  # not shown before it is named or used
        loss.backward()
    finally:
        model.detach()
    nid = model.node_of(loss)
    assert nid is not None and model.graph.nodes[nid]["role"] == "output"
    np.testing.assert_array_equal(model.grad(model.node_of(w)), [3.0, 3.0])


def test_tensor_state_changes():
    model = GraphModel()
    with model.recording():
        t = gradviz.ones(2)
        t.requires_grad_()
        y = t * 2
        with gradviz.no_grad():
            t.add_(1)
    model.set_names({"t": t, "y": y})
    d = model.graph.nodes[model.node_of(t)]
    assert d["requires_grad"] and d["version"] == 1
    with model.recording():
        y.detach_()
    d = model.graph.nodes[model.node_of(y)]
    assert d["is_leaf"] and not d["requires_grad"]
    assert list(model.graph.in_edges(model.node_of(y))) == []


def test_inplace_on_an_output_redraws_its_edge():
    model = GraphModel()
    with model.recording():
        w = gradviz.ones(2, requires_grad=True)
        a = w * 2
    model.set_names({"a": a})
    with model.recording():
        a.exp_()
    nid = model.node_of(a)
    assert model.graph.nodes[nid]["version"] == 1
    (src,) = [u for u, _ in edges_into(model, nid, "output")]
    assert model.graph.nodes[src]["name"] == "ExpBackward0" and src == model.node_of(a.grad_fn)


# ---------------------------------------------------------------- backward state
def test_executed_numbers_follow_the_last_backward():
    model = GraphModel()
    with model.recording():
        ns = tutorial(gradviz)
        ns["loss"].backward(retain_graph=True)
    first = {n: model.graph.nodes[n]["executed"] for n in functions(model)}
    assert sorted(first.values()) == list(range(1, len(first) + 1))
    with model.recording():
        ns["z"].sum().backward()
    again = {n: model.graph.nodes[n]["executed"] for n in first}
    assert again[model.node_of(ns["loss"].grad_fn)] is None  # not part of this backward
    assert again[model.node_of(ns["z"].grad_fn)] == 2  # after the new SumBackward0
    root = model.graph.nodes[model.node_of(ns["loss"].grad_fn)]
    np.testing.assert_array_equal(root["grad_in"], 1.0)
    assert len(root["grads_out"]) == 2 and root["grads_out"][1] is None  # y needs no grad


def test_timeline_of_the_eye_pow_t_example():
    model = GraphModel()
    model.attach()
    inp = gradviz.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    nid = model.node_of(inp)
    for _ in range(2):
        out.backward(gradviz.ones_like(out), retain_graph=True)
    inp.grad.zero_()
    out.backward(gradviz.ones_like(out), retain_graph=True)
    first = 2 * (np.eye(4, 5, dtype=np.float32) + 1)  # 4 on the diagonal, 2 elsewhere
    want = [("backward 1", first), ("backward 2", 2 * first), ("zeroed", 0 * first),
            ("backward 3", first)]
    assert [(e.label, e.value.tolist()) for e in model.history(nid)] == [
        (label, value.tolist()) for label, value in want]
    assert model.history(nid)[0].value.dtype == np.float32
    inp.grad = None
    model.detach()
    last = model.history(nid)[-1]
    assert (last.label, last.value) == ("set to None", None)
    assert len(model.history(nid)) == 5
    # the timeline holds copies: later accumulation does not rewrite history
    out.backward(gradviz.ones_like(out))
    assert model.history(nid)[0].value.tolist() == first.tolist()


def test_history_limit():
    model = GraphModel(history_limit=3)
    with model.recording():
        w = gradviz.ones(1, requires_grad=True)
        y = w * 1
        for _ in range(5):
            y.backward(retain_graph=True)
    assert [e.label for e in model.history(model.node_of(w))] == [
        "backward 3", "backward 4", "backward 5"]


@pytest.mark.parametrize("retain", [False, True])
def test_saved_tensors_freed(retain):
    model = GraphModel()
    with model.recording():
        ns = tutorial(gradviz)
        ns["loss"].backward(retain_graph=retain)
    saved_a_tensor = 0
    for n in functions(model):
        d = model.graph.nodes[n]
        fn = model.function(n)
        assert d["freed"] is fn.freed, d["name"]
        if d["name"] in ("MmBackward0", "BinaryCrossEntropyWithLogitsBackward0"):
            saved_a_tensor += 1
            assert d["saved"] and d["freed"] is not retain, d["name"]
        else:
            assert d["freed"] is False, d["name"]
    assert saved_a_tensor == 2


# ---------------------------------------------------------------- release policies
def run_and_release(policy, keep=()):
    model = GraphModel(release_policy=policy)
    changes = []
    model.add_listener(changes.append)
    with model.recording():
        ns = tutorial(gradviz)
        ns["loss"].backward()
    model.set_names(ns)
    model.flush()
    before = {model.graph.nodes[n]["name"] if model.graph.nodes[n]["kind"] == "tensor" else n: n
              for n in model.graph.nodes}
    kept = {k: ns[k] for k in keep}
    ns.clear()
    gc.collect()
    changes.clear()
    model.flush()
    return model, before, changes, kept


def test_release_keep():
    model, before, changes, _ = run_and_release("keep")
    assert set(model.graph.nodes) == set(before.values())
    assert not any(d.get("released") for _, d in model.graph.nodes(data=True))
    assert all(model.tensor(n) is None and model.function(n) is None for n in model.graph)


def test_release_fade():
    model, before, changes, _ = run_and_release("fade")
    assert set(model.graph.nodes) == set(before.values())
    assert all(d.get("released") is True for _, d in model.graph.nodes(data=True))
    (change,) = changes
    assert change.updated == set(before.values()) and not change.removed


def test_release_remove():
    model, before, changes, _ = run_and_release("remove")
    assert model.graph.number_of_nodes() == 0
    (change,) = changes
    assert change.removed == set(before.values()) and not change.updated
    assert model.history(before["w"]) == []


def test_release_remove_keeps_what_the_user_still_holds():
    model, before, changes, kept = run_and_release("remove", keep=("w", "b", "x"))
    assert set(model.graph.nodes) == {before["w"], before["b"], before["x"]}
    assert [e.label for e in model.history(before["w"])] == ["backward 1"]
    assert model.tensor(before["w"]) is kept["w"]


def test_release_is_noticed_while_detached():
    model = GraphModel(release_policy="remove")
    with model.recording():
        w = gradviz.ones(2, requires_grad=True)
        y = (w * w).sum()
    assert not dispatcher.active
    del y
    gc.collect()
    model.flush()
    assert set(model.graph.nodes) == {model.node_of(w)}


def test_unknown_policy():
    with pytest.raises(ValueError, match="release_policy"):
        GraphModel(release_policy="forget")
    assert POLICIES == ("latest", "keep", "fade", "remove")


# ---------------------------------------------------------------- batching
@pytest.fixture
def listened():
    model = GraphModel()
    changes = []
    model.add_listener(changes.append)
    model.attach()
    yield model, changes
    model.detach()


def test_no_notification_per_event(listened):
    model, changes = listened
    w = gradviz.ones(1, requires_grad=True)
    y = w
    for _ in range(50):
        y = y * 1.5
    assert changes == []
    change = model.flush()
    assert changes == [change]
    assert len(change.added) == 52  # w, its AccumulateGrad and 50 MulBackward0
    assert model.flush().added == set() and len(changes) == 1  # nothing pending: silent


def test_one_notification_per_backward(listened):
    model, changes = listened
    w = gradviz.ones(2, requires_grad=True)
    y = (w * w).sum()
    model.flush()
    changes.clear()
    y.backward(retain_graph=True)
    assert len(changes) == 1
    assert changes[0].updated >= set(functions(model))
    y.backward()
    assert len(changes) == 2


def test_one_notification_per_batch(listened):
    model, changes = listened
    with model.batch():
        w = gradviz.ones(2, requires_grad=True)
        y = (w * w).sum()
        y.backward(retain_graph=True)
        with model.batch():  # nested: still one
            y.backward()
        assert changes == []
    assert len(changes) == 1
    with model.batch():
        pass
    assert len(changes) == 1


def test_recording_is_one_batch():
    model = GraphModel()
    changes = []
    model.add_listener(changes.append)
    with model.recording():
        ns = tutorial(gradviz)
        ns["loss"].backward(retain_graph=True)
    assert len(changes) == 1
    model.remove_listener(changes.append)
    with model.recording():
        ns["z"].sum().backward()
    assert len(changes) == 1


def test_new_flag_marks_the_latest_batch(listened):
    model, changes = listened
    w = gradviz.ones(2, requires_grad=True)
    y = w * 2
    model.flush()
    first = set(model.graph.nodes)
    assert all(model.graph.nodes[n]["new"] for n in first)
    z = y.exp()
    model.flush()
    assert not any(model.graph.nodes[n]["new"] for n in first)
    assert model.graph.nodes[model.node_of(z.grad_fn)]["new"]


def test_clear():
    model = GraphModel()
    changes = []
    model.add_listener(changes.append)
    with model.recording():
        tutorial(gradviz)
    ids = set(model.graph.nodes)
    model.clear()
    assert model.graph.number_of_nodes() == 0
    assert changes[-1].removed == ids and not changes[-1].added


def test_a_raising_listener_does_not_break_the_batch():
    """A model listener that raises propagates (it is the GUI's own bug), but the model's
    state stays consistent and the next flush works."""
    model = GraphModel()
    calls = []

    def broken(change):
        calls.append(change)
        raise RuntimeError("view bug")

    model.add_listener(broken)
    with pytest.raises(RuntimeError, match="view bug"), model.recording():
        w = gradviz.ones(2, requires_grad=True)
        (w * 2).sum()
    assert not dispatcher.active
    assert len(calls) == 1 and model.graph.number_of_nodes() == 4
    assert model.flush().added == set()


# ---------------------------------------------------------------- scripts/bench_model.py
def test_bench_model_runs_and_training_memory_stays_flat(monkeypatch):
    """The benchmark runs headless (small sizes); its training loop keeps the model flat."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "bench_model.py"
    spec = importlib.util.spec_from_file_location("bench_model", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "N_OPS", 300)
    monkeypatch.setattr(bench, "REPS", 2)
    monkeypatch.setattr(bench, "STEPS", (10, 40, 80))
    rows = []
    bench.run(lambda name, value, reference="": rows.append((name, value, reference)))
    names = [name for name, _, _ in rows]
    assert any("recorded by an attached GraphModel" in n for n in names)
    assert any("nobody subscribed" in n for n in names)
    assert sum("training loop" in n for n in names) == 3
    seen, _ = bench.training_loop(checkpoints=(10, 40, 80))
    assert len({nodes for nodes, _, _ in seen.values()}) == 1, seen
    assert seen[80][2] < seen[10][2]  # it does train
    assert not dispatcher.active


def test_named_leaves_and_detached_results_appear_without_history():
    """The issue: detach "creates the detached tensor ... shown as a new leaf without
    history"; a leaf that requires grad shows once named, even before any op uses it."""
    model = GraphModel()
    with model.recording():
        w = gradviz.randn(3, requires_grad=True)
        unused = gradviz.ones(2, requires_grad=True)
        c = gradviz.ones(2)
        z = w * 2
        z_det = z.detach()
        model.set_names(dict(w=w, unused=unused, c=c, z=z, z_det=z_det))
    by_name = {d["name"]: (n, d) for n, d in model.graph.nodes(data=True)
               if d["kind"] == "tensor" and d["name"]}
    assert set(by_name) == {"w", "unused", "z", "z_det"}  # c: a constant no op used yet
    nid, data = by_name["z_det"]
    assert data["role"] == "leaf" and data["is_leaf"] and not data["requires_grad"]
    assert data["detached_from"] == by_name["z"][0]
    assert model.graph.in_degree(nid) == 0 and model.graph.out_degree(nid) == 0
    nid, data = by_name["unused"]
    assert data["requires_grad"] and model.graph.degree(nid) == 0


def test_backward_runs_counts_each_backward_pass():
    """Two backward passes over the same nodes are told apart by ``backward_runs``."""
    model = GraphModel()
    with model.recording():
        w = gradviz.ones(2, requires_grad=True)
        out = (w * 3).sum()
        assert model.backward_runs == 0
        out.backward(retain_graph=True)
        first = [d["executed"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function"]
        out.backward()
        again = [d["executed"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function"]
    assert model.backward_runs == 2
    assert first == again  # same nodes, same order: only the counter differs
