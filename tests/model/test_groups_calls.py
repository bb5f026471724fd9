"""One group per module call: a module run twice in one forward (a pooling after each
convolution, an activation reused, an RNN cell per time step) makes two groups, drawn
apart and collapsed without a cycle; top-level calls are counted from the last backward
among those still in the graph. On both engines (torch when installed)."""

import networkx as nx
import pytest

import gradviz
from gradviz.model.graph_model import GraphModel


def _pooled_net(nn):
    class Net(nn.Module):
        """conv -> pool -> conv -> pool: ``self.pool`` runs twice."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 2, 3, padding=1)
            self.conv2 = nn.Conv2d(2, 2, 3, padding=1)
            self.pool = nn.MaxPool2d(2)

        def forward(self, x):
            return self.pool(self.conv2(self.pool(self.conv1(x))))

    return Net()


def _engines():
    out = [("numpy", gradviz)]
    try:
        import torch
    except ImportError:  # pragma: no cover - CI installs torch
        return out
    return [*out, ("torch", torch)]


@pytest.fixture(params=_engines(), ids=lambda e: e[0])
def engine(request):
    return request.param


def _pooled(engine):
    name, lib = engine
    model = GraphModel(engine=name)
    lib.manual_seed(0)
    net = _pooled_net(lib.nn)
    model.set_names({"net": net})
    with model.recording():
        loss = net(lib.randn(1, 1, 8, 8)).sum()
        loss.backward()
    return model, net, loss


def _names(model, nodes):
    return sorted(model.graph.nodes[n]["name"] for n in nodes)


def test_a_module_called_twice_in_one_forward_makes_two_groups(engine):
    model, _, _ = _pooled(engine)
    groups = model.groups()
    assert {"net.pool", "net.pool#2"} <= set(groups)
    pools = [n for n, d in model.graph.nodes(data=True)
             if d["name"] == "MaxPool2DWithIndicesBackward0"]
    assert len(pools) == 2
    first, second = sorted(pools, key=lambda n: model.graph.nodes[n]["module"])
    assert model.graph.nodes[first]["module"] == "net.pool"
    assert model.graph.nodes[second]["module"] == "net.pool#2"
    # the second convolution runs between the calls: in neither group
    conv2 = groups["net.conv2"]["nodes"]
    assert not conv2 & groups["net.pool"]["nodes"]
    assert not conv2 & groups["net.pool#2"]["nodes"]
    assert groups["net.pool#2"]["parent"] == "net"
    assert groups["net.pool#2"]["label"] == "net.pool#2 · MaxPool2d"
    assert groups["net.pool"]["label"] == "net.pool · MaxPool2d"


def test_collapsing_a_module_called_twice_draws_each_call_and_no_cycle(engine):
    model, _, _ = _pooled(engine)
    model.collapse("net.pool")  # the module: every call of it
    assert model.collapsed == {"net.pool", "net.pool#2"}
    shown = model.shown_graph()
    assert {"group:net.pool", "group:net.pool#2"} <= set(shown)
    assert nx.is_directed_acyclic_graph(shown)
    conv2 = "group:net.conv2" if "group:net.conv2" in shown else None
    assert conv2 is None  # only the pool's calls were collapsed
    # data flows pool -> conv2 -> pool#2
    assert nx.has_path(shown, "group:net.pool", "group:net.pool#2")
    model.expand("net.pool")
    assert not model.collapsed
    model.collapse("net.pool#2")  # one call by its name
    assert model.collapsed == {"net.pool#2"}
    model.collapse("net")
    assert nx.is_directed_acyclic_graph(model.shown_graph())
    with pytest.raises(KeyError):
        model.collapse("net.pool#3")


def test_an_rnn_cell_run_per_step_at_the_top_level_is_a_group_per_step(engine):
    name, lib = engine
    model = GraphModel(engine=name, release_policy="remove")
    lib.manual_seed(0)
    cell = lib.nn.RNNCell(3, 4)
    xs = lib.randn(3, 2, 3)
    model.set_names({"cell": cell})
    with model.recording():
        h = lib.zeros(2, 4)
        for t in range(3):
            h = cell(xs[t], h)
    groups = model.groups()
    assert {"cell", "cell#2", "cell#3"} <= set(groups)
    model.collapse("cell")
    shown = model.shown_graph()
    assert nx.is_directed_acyclic_graph(shown)
    assert nx.has_path(shown, "group:cell", "group:cell#3")
    with model.recording():
        h.sum().backward()
        h2 = cell(xs[0], lib.zeros(2, 4))  # after a backward: the first call again
    made = {model.graph.nodes[n].get("module") for n in model.graph
            if model.graph.nodes[n]["name"] == "TanhBackward0"}
    assert made == {"cell", "cell#2", "cell#3"}  # h2's call shares "cell" with step 0
    assert h2 is not None


def test_top_level_calls_whose_nodes_left_the_graph_free_their_number(engine):
    name, lib = engine
    model = GraphModel(engine=name, release_policy="remove")
    lib.manual_seed(0)
    lin = lib.nn.Linear(2, 2)
    x = lib.randn(1, 2)
    model.set_names({"lin": lin})
    with model.recording():
        a = lin(x)
        b = lin(x)
    assert {"lin", "lin#2"} <= set(model.groups())
    del a  # the first call's output dies: its nodes leave the graph
    model.flush()
    with model.recording():
        c = lin(x)
    modules = {model.graph.nodes[n].get("module") for n in model.graph
               if model.graph.nodes[n]["name"] == "AddmmBackward0"}
    assert modules == {"lin", "lin#2"}  # c took the free number, b kept its own
    assert b is not None and c is not None


def test_a_fault_in_following_module_calls_never_breaks_the_forward(monkeypatch):
    model = GraphModel()
    gradviz.manual_seed(0)
    lin = gradviz.nn.Linear(2, 2)
    model.set_names({"lin": lin})

    def broken(*args):
        raise RuntimeError("a bug of gradviz's")

    monkeypatch.setattr(model, "_call_started", broken)
    with model.recording(), pytest.warns(RuntimeWarning, match="a bug of gradviz") as seen:
        y = lin(gradviz.ones(1, 2)).sum()
        z = lin(gradviz.ones(1, 2)).sum()
    assert sum("could not follow" in str(w.message) for w in seen) == 1  # reported once
    expected = (gradviz.ones(1, 2) @ lin.weight.t() + lin.bias).sum()
    assert gradviz.equal(y, expected) and gradviz.equal(z, expected)
    assert not model._scope and not model._scope_calls
