"""Module groups in the model: paths on nodes from forward hooks, parameter names,
``groups()``, collapsing a group into one node with its edges, opening collapsed."""

import pytest

import gradviz as torch
from gradviz import nn
from gradviz.model.graph_model import GraphModel
from gradviz.model.groups_view import depth_of

BLOCKS = 12


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, width))

    def forward(self, x):
        return x + self.body(x)


def residual(name_first=True):
    """A recorded forward and backward of 12 residual blocks; the namespace names ``net``
    before the forward (console use) or only after it (a script run as one statement)."""
    model = GraphModel()
    torch.manual_seed(0)
    net = nn.Sequential(*[Block(6) for _ in range(BLOCKS)])
    X = torch.randn(3, 6)
    if name_first:
        model.set_names({"net": net})
    with model.recording():
        loss = net(X).pow(2).mean()
        loss.backward()
    model.set_names({"net": net, "X": X, "loss": loss})
    return model, net, X, loss


def named(model, name):
    return next(n for n, d in model.graph.nodes(data=True) if d.get("name") == name)


@pytest.mark.parametrize("name_first", [True, False], ids=["named_before", "named_after"])
def test_nodes_carry_their_innermost_module_path(name_first):
    model, net, X, loss = residual(name_first)
    g = model.graph
    by_path = {}
    for d in g.nodes.values():
        by_path.setdefault(d.get("module"), []).append(d.get("name"))
    assert sorted(by_path["net.3.body.0"]) == sorted(
        ["AccumulateGrad", "AccumulateGrad", "TBackward0", "AddmmBackward0",
         "net.3.body.0.weight", "net.3.body.0.bias"])
    assert by_path["net.3.body.1"] == ["ReluBackward0"]
    assert by_path["net.3"] == ["AddBackward0"]  # the skip connection
    assert g.nodes[named(model, "X")].get("module") is None  # the input stays outside
    assert g.nodes[named(model, "loss")].get("module") is None
    assert {d["name"] for d in g.nodes.values() if d.get("module") is None} >= {
        "PowBackward0", "MeanBackward0"}


def test_parameters_are_named_from_their_modules():
    model, net, _, _ = residual()
    names = {d["name"] for d in model.graph.nodes.values() if d["kind"] == "tensor"}
    expected = {name for name, _ in net.named_parameters()}
    assert {"net." + n for n in expected} <= names
    w = named(model, "net.0.body.0.weight")
    assert model.graph.nodes[w]["shape"] == (6, 6)
    model.set_names({"net": net, "w0": net[0].body[0].weight})  # a variable name wins
    assert model.graph.nodes[w]["name"] == "w0"


def test_groups_are_the_module_tree_with_labels():
    model, _, _, _ = residual()
    groups = model.groups()
    assert len(groups) == 1 + BLOCKS * 5  # net, blocks, bodies, two Linear and a ReLU each
    assert groups["net.0.body.0"]["label"] == "net.0.body.0 · Linear(6→6)"
    assert groups["net.5"]["label"] == "net.5 · Block"
    assert groups["net"]["label"] == "net · Sequential(12 × Block)"
    assert groups["net.5.body"]["label"] == "net.5.body · Sequential"  # of mixed layers
    assert groups["net.5"]["parent"] == "net" and groups["net"]["parent"] is None
    assert groups["net.5.body"]["nodes"] < groups["net.5"]["nodes"] < groups["net"]["nodes"]
    assert len(groups["net.5"]["nodes"]) == 6 + 6 + 1 + 1  # two Linears, ReLU, the add


def test_a_collapsed_group_is_one_node_with_its_merged_edges():
    model, _, _, _ = residual()
    g = model.graph
    inside = model.groups()["net.4"]["nodes"]
    model.collapse("net.4")
    shown = model.shown_graph()
    assert "group:net.4" in shown and not inside & set(shown)
    assert shown.number_of_nodes() == g.number_of_nodes() - len(inside) + 1
    # what crosses the border, one edge per pair of ends
    into = {u for u, v in g.edges() if v in inside and u not in inside}
    out = {v for u, v in g.edges() if u in inside and v not in inside}
    assert set(shown.predecessors("group:net.4")) == into
    assert set(shown.successors("group:net.4")) == out
    assert shown.number_of_edges("group:net.4", next(iter(out))) == 1
    assert into == {n for n in g if g.nodes[n].get("module") == "net.3"}  # block 3's add
    assert len(out) == 2  # block 5's first Linear and its skip add
    assert set(model.positions()) == set(shown)
    model.expand("net.4")
    assert "group:net.4" not in model.shown_graph() and model.collapsed == {"net.4.body"}
    model.expand_all()
    assert model.shown_graph() is g and not model.collapsed


def test_expanding_inside_a_collapsed_group_keeps_its_siblings_collapsed():
    model, _, _, _ = residual()
    model.collapse("net")
    assert [n for n in model.shown_graph() if isinstance(n, str)] == ["group:net"]
    model.expand("net.3")
    shown = model.shown_graph()
    groups = {n for n in shown if isinstance(n, str)}
    assert groups == {f"group:net.{i}" for i in range(BLOCKS) if i != 3}
    with pytest.raises(KeyError):
        model.collapse("nope")


def test_a_big_graph_opens_collapsed_to_the_deepest_depth_that_fits():
    model, _, _, _ = residual()
    seen = []

    def fits(shown):
        seen.append(shown.number_of_nodes())
        return shown.number_of_nodes() <= 20

    depth = model.open_collapsed(fits)
    assert depth == 1  # the blocks: 12 nodes and the few outside them
    assert model.collapsed == {f"net.{i}" for i in range(BLOCKS)}
    assert seen[0] == model.graph.number_of_nodes() and seen[-1] <= 20 < seen[-2]
    assert all(depth_of(p) == 1 for p in model.collapsed)
    assert model.open_collapsed(fits) == 1 and len(seen) == 4  # decided once


def test_a_graph_seen_halfway_is_collapsed_again_as_it_grows_until_the_user_chooses():
    model = GraphModel()
    torch.manual_seed(0)
    net = nn.Sequential(*[Block(6) for _ in range(BLOCKS)])
    model.set_names({"net": net})
    fits = lambda shown: shown.number_of_nodes() <= 20  # noqa: E731
    x = torch.randn(3, 6)
    with model.recording():  # the app draws a running script a few times a second
        for i, block in enumerate(net):
            x = block(x)
            if i == 0:  # one block drawn whole fits: nothing collapsed yet
                assert model.open_collapsed(fits) is None and not model.collapsed
    assert model.open_collapsed(fits) == 1  # twelve blocks do not: chosen again
    assert model.collapsed == {f"net.{i}" for i in range(BLOCKS)}
    model.expand("net.3")  # the user's choice stays, and new groups join at depth 1
    head = nn.Linear(6, 2)
    model.set_names({"net": net, "head": head})
    with model.recording():
        head(x)
    assert model.open_collapsed(fits) == 1
    assert "net.3" not in model.collapsed and "head" not in model.collapsed
    assert {f"net.{i}" for i in range(BLOCKS) if i != 3} <= model.collapsed


def test_recording_without_named_modules_tags_nothing():
    model = GraphModel()
    with model.recording():
        w = torch.ones(3, requires_grad=True)
        (w * 2).sum().backward()
    assert model.groups() == {}
    assert model.shown_graph() is model.graph


def test_open_blocks_of_a_chain_are_laid_out_one_below_the_other():
    model, _, _, _ = residual()
    model.collapse("net")
    model.expand("net.3")
    model.expand("net.4")
    pos = model.positions()
    groups = model.groups()
    shown = set(model.shown_graph())
    y3 = [pos[n][1] for n in groups["net.3"]["nodes"] & shown]
    y4 = [pos[n][1] for n in groups["net.4"]["nodes"] & shown]
    assert max(y3) < min(y4)  # the parameters of block 4 do not float up beside block 3
    hints = [e for e in model.layout_graph().edges(data="kind") if e[2] == "hint"]
    assert hints and all(v in groups["net.4"]["nodes"] | groups["net.3"]["nodes"]
                         or not isinstance(v, int) or model.graph.nodes[v].get("module")
                         for _, v, _ in hints)
