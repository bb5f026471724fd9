"""Whole programs under the torch engine: watching changes none of torch's values or
gradients (bit for bit), the tutorial gives the same graph under both engines, random
programs give torch's grad_fn graph and execution order, and the ResNet and
transformer examples record."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

torch = pytest.importorskip("torch")

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS / "model"), str(TESTS / "core")]

from model_programs import (  # noqa: E402
    describe,
    function_subgraph,
    random_program,
    run_program,
    same_graph,
    walked_graph,
    walked_graph_objects,
)
from test_tutorial import TUTORIAL, parse_cells, run_cells  # noqa: E402

import gradviz  # noqa: E402
from gradviz.model import GraphModel  # noqa: E402

EXAMPLES = TESTS.parent / "resources" / "examples"


# ---------------------------------------------------------------- programs and their results
class Double(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return 2 * a * grad


def custom_and_in_place():
    torch.manual_seed(1)
    w = torch.randn(4, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    y = Double.apply(w @ torch.randn(3, 3)) + b
    y = y.clone()
    y[0] = 0.0
    y.mul_(torch.sigmoid(b))
    z = torch.stack([y.softmax(1).log(), torch.tanh(y)]).sum()
    half = (w.half() * 3).float().sum() + (w.to(torch.bfloat16) ** 2).float().sum()
    (z + half).backward()
    return {"w": w, "b": b, "y": y, "z": z, "half": half}


def random_programs():
    namespace = {}
    for seed in range(25):
        leaves, steps = random_program(np.random.default_rng(seed))
        tensors, pool, out = run_program(torch, leaves, steps)
        out.backward()
        namespace.update({f"p{seed}_{k}": t for k, t in enumerate(pool + tensors)})
    return namespace


def example(name):
    def run():
        return runpy.run_path(str(EXAMPLES / name))
    return run


PROGRAMS = {"custom_and_in_place": custom_and_in_place, "random": random_programs,
            "resnet": example("torch_resnet.py"), "transformer": example("torch_transformer.py")}


def results(namespace) -> dict:
    """Every tensor the program left, its parameters', and their grads, by name."""
    found = {}
    for name, obj in namespace.items():
        if isinstance(obj, torch.Tensor):
            found[name] = obj
            if (obj.is_leaf or obj.retains_grad) and obj.grad is not None:
                found[name + ".grad"] = obj.grad
        elif isinstance(obj, torch.nn.Module):
            for pname, p in obj.named_parameters():
                found[f"{name}.{pname}"] = p
                found[f"{name}.{pname}.grad"] = p.grad
            for bname, buf in obj.named_buffers():
                found[f"{name}.{bname}"] = buf
    return found


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_watching_changes_no_value_or_gradient(name):
    plain = results(PROGRAMS[name]())
    model = GraphModel(engine="torch")
    with model.recording():
        watched = results(PROGRAMS[name]())
    assert len(model.graph) > 5 and model.backward_runs >= 1
    assert sorted(plain) == sorted(watched) and len(plain) > 3
    for key in plain:
        a, b = plain[key], watched[key]
        assert (a is None) == (b is None), key
        if a is not None:
            assert a.dtype == b.dtype and torch.equal(a, b), key


# ---------------------------------------------------------------- the tutorial, both engines
def whole_graph(model) -> nx.MultiDiGraph:
    """The model's graph with each node named by what it shows (function name or tensor
    role and shape) and each edge by its kind."""
    g = nx.MultiDiGraph()
    for nid, d in model.graph.nodes(data=True):
        label = d["name"] if d["kind"] == "function" else f"{d['role']} {d['shape']}"
        g.add_node(nid, name=label, executed=d.get("executed"), freed=d.get("freed"))
    for u, v, d in model.graph.edges(data=True):
        g.add_edge(u, v, input_nr=(d["kind"], d["input_nr"]))
    return g


def test_the_tutorial_gives_the_same_graph_under_both_engines():
    cells = parse_cells(TUTORIAL.read_text())
    graphs = {}
    for engine, module in (("numpy", gradviz), ("torch", torch)):
        module.manual_seed(0)
        model = GraphModel(engine=engine)
        with model.recording():
            _, namespace = run_cells(cells, module, sorted(cells))
        model.set_names(namespace)
        graphs[engine] = whole_graph(model)
    numpy_graph, torch_graph = graphs["numpy"], graphs["torch"]
    assert describe(numpy_graph) == describe(torch_graph)
    assert same_graph(numpy_graph, torch_graph)
    match = nx.algorithms.isomorphism.categorical_node_match(
        ["name", "executed", "freed"], [None, None, None])
    assert nx.is_isomorphic(numpy_graph, torch_graph, node_match=match)
    executed = sorted((d["executed"], d["name"]) for _, d in torch_graph.nodes(data=True)
                      if d["executed"])
    assert [name for _, name in executed] == ["TBackward0", "PowBackward0", "AddBackward0",
                                              "AccumulateGrad"]


# ---------------------------------------------------------------- random programs
@pytest.mark.parametrize("seed", range(40))
def test_random_programs_give_torchs_graph_and_execution_order(seed):
    leaves, steps = random_program(np.random.default_rng(seed))
    model = GraphModel(engine="torch")
    with model.recording():
        _, _, out = run_program(torch, leaves, steps)
        root = out.grad_fn
        want = walked_graph(root)
        nodes = walked_graph_objects(root)
        torch_order = []  # torch's own order, told by hooks the test registers itself
        handles = [fn.register_hook(lambda gi, go, fn=fn: torch_order.append(
            model.node_of(fn))) for fn in nodes]
        out.backward()
        for handle in handles:
            handle.remove()
    got = function_subgraph(model)
    assert same_graph(got, want), (describe(got), describe(want))
    # the same nodes, not only the same shape: each grad_fn is the node the model drew
    assert {model.node_of(fn) for fn in nodes} == set(got.nodes)
    executed = sorted((d["executed"], n) for n, d in model.graph.nodes(data=True)
                      if d["kind"] == "function" and d["executed"] is not None)
    assert [n for _, n in executed] == torch_order and len(torch_order) == len(nodes)


# ---------------------------------------------------------------- the examples
@pytest.mark.parametrize(("script", "needs"), [
    ("torch_resnet.py", {"ConvolutionBackward0", "NativeBatchNormBackward0", "ReluBackward0",
                         "MaxPool2DWithIndicesBackward0", "AddBackward0"}),
    ("torch_transformer.py", {"EmbeddingBackward0", "NativeLayerNormBackward0",
                              "ReluBackward0", "NllLossBackward0"})])
def test_examples_record_forward_and_backward(script, needs):
    model = GraphModel(engine="torch")
    with model.recording():
        namespace = runpy.run_path(str(EXAMPLES / script))
    model.set_names(namespace)
    names = {d["name"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function"}
    assert needs <= names, sorted(names)
    functions = [d for _, d in model.graph.nodes(data=True) if d["kind"] == "function"]
    assert all(d["executed"] is not None for d in functions)  # all ran in the one backward
    assert function_subgraph(model).number_of_nodes() == len(
        walked_graph_objects(namespace["loss"].grad_fn))
    net = namespace["model"]
    for p in net.parameters():
        np.testing.assert_array_equal(model.grad(model.node_of(p)), p.grad.numpy())


# ---------------------------------------------------------------- torch's own machinery
def _checkpointed(lin, x):
    from torch.utils.checkpoint import checkpoint

    out = checkpoint(lambda a: lin(a).relu(), x, use_reentrant=False)
    out.sum().backward()
    return x.grad.clone(), lin.weight.grad.clone()


def _func_transforms(x):
    from torch.func import grad, vmap

    g = grad(lambda t: (t.sin() ** 2).sum())(x)
    per_row = vmap(grad(lambda t: t.sin().sum()))(x.detach().reshape(2, 3))
    (x * g.detach()).sum().backward()
    return g.detach().clone(), per_row, x.grad.clone()


@pytest.mark.parametrize("program", ["checkpoint", "torch.func"])
def test_torchs_own_transforms_run_watched_with_torchs_results(program):
    """A module re-run by torch.utils.checkpoint inside backward, and torch.func's grad
    and vmap (tensors without storage), run watched as they run alone."""

    def run():
        torch.manual_seed(0)
        if program == "checkpoint":
            lin = torch.nn.Linear(5, 5)
            return _checkpointed(lin, torch.randn(1, 5, requires_grad=True))
        return _func_transforms(torch.randn(6, requires_grad=True))

    alone = run()
    model = GraphModel(engine="torch")
    with model.recording():
        watched = run()
    for a, b in zip(alone, watched, strict=True):
        assert torch.equal(a, b)
    assert model.backward_runs >= 1
    names = {d["name"] for d in model.graph.nodes.values()}
    assert "AccumulateGrad" in names and len(model.graph) > 3


def test_a_gradient_gradviz_cannot_read_never_breaks_the_backward(monkeypatch):
    from gradviz.engines import torch_engine

    def unreadable(t):
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    torch.manual_seed(0)
    x = torch.randn(3, requires_grad=True)
    model = GraphModel(engine="torch")
    monkeypatch.setattr(torch_engine, "copy", unreadable)
    with model.recording(), pytest.warns(RuntimeWarning, match="storage"):
        (x.exp() * 2).sum().backward()
    assert torch.equal(x.grad, 2 * x.detach().exp())
