"""The record buffer (gradviz/model/record_buffer.py): ops are kept raw while the program
runs and the graph is built when someone looks; nobody can tell the difference."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from model_programs import random_program, run_program, source

import gradviz
from gradviz.events import dispatcher
from gradviz.model import GraphModel, record_buffer


@pytest.fixture(autouse=True)
def _nobody_left_listening():
    assert not dispatcher.active
    yield
    assert not dispatcher.active


def snapshot(model):
    """The graph with node ids replaced by their rank (ids differ from run to run)."""
    g = model.graph
    rank = {n: i for i, n in enumerate(sorted(g.nodes))}

    def plain(value):
        if isinstance(value, np.ndarray):
            return ("array", value.dtype.str, value.shape, value.tolist())
        if isinstance(value, tuple):
            return tuple(plain(v) for v in value)
        return value

    nodes = [{k: rank.get(v) if k == "detached_from" else plain(v) for k, v in d.items()}
             for _, d in sorted(g.nodes(data=True), key=lambda nd: nd[0])]
    edges = sorted((rank[u], rank[v], k, tuple(sorted(d.items())))
                   for u, v, k, d in g.edges(keys=True, data=True))
    histories = [[(e.label, plain(e.value)) for e in model.history(n)] for n in sorted(g)]
    return nodes, edges, histories, model.runs.losses()


def session(policy):
    """A little of everything a user does, recorded without looking in between."""
    gradviz.manual_seed(0)
    model = GraphModel(release_policy=policy)
    net = gradviz.nn.Sequential(gradviz.nn.Linear(3, 4), gradviz.nn.ReLU(),
                                gradviz.nn.Linear(4, 1))
    model.watch_modules(net, "net")
    changes = []
    model.add_listener(changes.append)
    with model.recording():
        x = gradviz.ones(2, 3)
        w = gradviz.ones(3, requires_grad=True)
        h = (x * w).exp()
        y = net(h).sum() * 2
        y.backward(retain_graph=True)
        d = h.detach()
        h = h * 3
        with gradviz.no_grad():
            w.mul_(0.5)
        z = (w * w).sum()
        z.backward()
        w.grad.zero_()
        for p in net.parameters():
            p.grad = None
        loss = net(d).mean()
    model.set_names({"x": x, "w": w, "h": h, "d": d, "z": z, "loss": loss})
    added = [len(c.added) for c in changes]
    return model, added


@pytest.mark.parametrize("policy", ["latest", "fade", "remove", "keep"])
def test_kept_records_give_the_graph_recording_at_once_gives(policy, monkeypatch):
    kept, kept_changes = session(policy)
    monkeypatch.setattr(record_buffer, "LIMIT", 1)  # every op replayed as it comes
    at_once, changes = session(policy)
    shot = snapshot(kept)
    assert shot == snapshot(at_once)
    assert kept_changes == changes
    assert any(shot[2]) and len(shot[3][0]) == 2  # grad timelines and two runs compared


def test_random_programs_give_the_same_graph_kept_or_not(monkeypatch):
    for seed in range(30):
        program = random_program(np.random.default_rng(seed))
        shots = []
        for limit in (record_buffer.LIMIT, 1):
            monkeypatch.setattr(record_buffer, "LIMIT", limit)
            model = GraphModel()
            with model.recording():
                _, _, out = run_program(gradviz, *program)
                out.backward()
            shots.append(snapshot(model))
        assert shots[0] == shots[1], source(*program)


def test_an_op_is_kept_raw_until_someone_looks():
    model = GraphModel()
    model.attach()
    try:
        w = gradviz.ones(2, requires_grad=True)
        y = (w * 2).exp()
        assert len(model._records) > 0 and model._graph.number_of_nodes() == 1  # w alone
        fid = model.node_of(y.grad_fn)  # a query builds the graph first
        assert model._records == []
        assert model.graph.nodes[fid]["name"] == "ExpBackward0"
        assert model.graph.nodes[fid]["shape"] == (2,)
        assert model.function(fid) is y.grad_fn
    finally:
        model.detach()


def test_an_interrupt_while_an_op_is_recorded_leaves_no_half_record(monkeypatch):
    # the console's Stop raises KeyboardInterrupt in the user's thread, wherever it is:
    # here while the model reads where the op was made, the last step of its record
    model = GraphModel()
    model.attach()
    try:
        w = gradviz.ones(2, requires_grad=True)
        a = w * 2
        where = model._where

        def interrupted(*args):
            raise KeyboardInterrupt

        monkeypatch.setattr(model, "_where", interrupted)
        with pytest.raises(KeyboardInterrupt):
            w.exp()
        monkeypatch.setattr(model, "_where", where)
        b = (a + 1).sum()
        names = {model.graph.nodes[n]["name"] for n in model.graph}  # replays the records
        assert {"MulBackward0", "AddBackward0", "SumBackward0"} <= names
        assert model.node_of(b.grad_fn) in model.graph
    finally:
        model.detach()


def test_records_never_keep_an_output_tensor_alive():
    model = GraphModel()
    model.attach()
    try:
        w = gradviz.ones(2, requires_grad=True)
        y = w * 2
        ref = weakref.ref(y)
        y = y * 3  # the first output is released; its node lives on in the second's graph
        gc.collect()
        assert ref() is None and model._records
    finally:
        model.detach()


def test_records_are_replayed_at_the_limit(monkeypatch):
    monkeypatch.setattr(record_buffer, "LIMIT", 50)
    model = GraphModel()
    model.attach()
    try:
        y = gradviz.ones(1, requires_grad=True)
        for _ in range(100):
            y = y * 1.5
            assert len(model._records) < 50 + 9  # (an op is 9 items)
        assert model._graph.number_of_nodes() > 90  # built along the way, unasked
    finally:
        model.detach()


def test_nodes_made_inside_a_module_carry_its_path_without_a_look_between():
    net = gradviz.nn.Sequential(gradviz.nn.Linear(2, 2), gradviz.nn.Tanh())
    model = GraphModel()
    model.watch_modules(net, "net")
    with model.recording():
        x = gradviz.ones(1, 2, requires_grad=True)
        before = x * 2
        inside = net(before)
        after = inside * 3
    module = {model.graph.nodes[model.node_of(t.grad_fn)].get("module")
              for t in (before, inside, after)}
    assert module == {None, "net.1"}
    assert model.graph.nodes[model.node_of(inside.grad_fn)]["module"] == "net.1"
    assert model.graph.nodes[model.node_of(after.grad_fn)].get("module") is None


def test_provenance_is_read_when_the_op_runs():
    """A statement's nodes say so even when the graph is built after it ended."""
    model = GraphModel()
    namespace = {"w": gradviz.ones(1, requires_grad=True)}
    with model.recording():
        model.provenance.begin("y = w * 2")
        exec(compile("\ny = w * 2", "<console>", "exec"), namespace)
        model.provenance.end()
        z = namespace["w"] * 3
    first = model.graph.nodes[model.node_of(namespace["y"].grad_fn)]["where"]
    assert first == ("<console>", 2, 1)
    assert model.graph.nodes[model.node_of(z.grad_fn)]["where"][::2] == (__file__, None)


def _double(t):
    return t * 2  # the line a node made here names


def test_each_op_of_a_loop_names_its_own_line():
    """An op repeated at one instruction reuses the answer found there; an op of a
    function the loop calls, at the same depth or not, names the function's line."""
    model = GraphModel()
    with model.recording():
        y = gradviz.ones(1, requires_grad=True)
        made = []
        for _ in range(3):
            y = y * 3
            made.append((y, "loop"))
            y = _double(y)
            made.append((y, "function"))
    lines = {kind: {model.graph.nodes[model.node_of(t.grad_fn)]["where"][1] for t, kind2 in made
                    if kind2 == kind} for kind in ("loop", "function")}
    assert lines["function"] == {_double.__code__.co_firstlineno + 1}
    assert len(lines["loop"]) == 1 and lines["loop"] != lines["function"]
