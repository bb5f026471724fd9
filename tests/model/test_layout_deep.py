"""Tests of the layered layout on deep graphs with long edges: shared weights of unrolled
loops, hubs, and inputs whose long edges exceed the virtual-node budget. No Qt."""

from __future__ import annotations

import time

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from test_layout import assert_edges_down, assert_no_overlap, autograd_like, dags

import gradviz.model._layout_route as route
from gradviz.model import layout
from gradviz.model.layout import layered, mean_displacement

GAP = 2.0  # default layer_gap


def unrolled_rnn(steps):
    """h_t = tanh(x_t @ W_ih.T + h_{t-1} @ W_hh.T + b) as autograd records it: three leaf
    tensors, one AccumulateGrad each, shared by every step. Returns (graph, hubs, steps)
    with ``steps[t]`` the nodes of step t by name."""
    g = nx.DiGraph()
    hubs = {}
    for name in ("W_ih", "W_hh", "b"):
        g.add_edge(name, f"acc_{name}")
        hubs[name] = f"acc_{name}"
    h = None
    out = []
    for t in range(steps):
        s = {k: f"{k}{t}" for k in ("T_ih", "Mm_ih", "T_hh", "Mm_hh", "Add", "AddB", "Tanh")}
        g.add_edges_from([(hubs["W_ih"], s["T_ih"]), (s["T_ih"], s["Mm_ih"])])
        x = s["Mm_ih"]
        if h is not None:
            g.add_edges_from([(hubs["W_hh"], s["T_hh"]), (s["T_hh"], s["Mm_hh"]), (h, s["Mm_hh"])])
            g.add_edges_from([(x, s["Add"]), (s["Mm_hh"], s["Add"])])
            x = s["Add"]
        g.add_edges_from([(x, s["AddB"]), (hubs["b"], s["AddB"]), (s["AddB"], s["Tanh"])])
        h = s["Tanh"]
        out.append(s)
    g.add_edge(h, "loss")
    return g, set(hubs.values()), out


# ----------------------------------------------------------------------------- shared weights
def test_unrolled_rnn_has_linear_virtual_nodes_and_is_fast():
    """Edges from the shared weights span up to the whole depth: split one virtual node per
    layer they would need ~6 * steps^2 (540,000 here); they share a trunk per weight."""
    g, _, _ = unrolled_rnn(300)
    t0 = time.process_time()
    pos = layered(g)
    cpu = time.process_time() - t0
    stats = layout.last_stats
    assert stats["nodes"] == g.number_of_nodes()
    assert stats["virtual"] <= 2 * stats["edges"]  # measured 1.5x (3 trunks of ~1,200)
    assert stats["left_out"] == 0
    assert cpu < 2.0  # regression guard only: measured ~0.1 s (see scripts/bench_layout.py)
    assert_edges_down(g, pos)
    assert_no_overlap(pos, gap=0.5)


def test_unrolled_rnn_steps_stay_together():
    """Each step's ops sit with their step (every edge not from a shared weight spans one
    layer); each weight's AccumulateGrad is just above its first consumer."""
    g, hubs, steps = unrolled_rnn(60)
    pos = layered(g)
    for u, v in g.edges():
        if u not in hubs and not u.startswith(("W_", "b")):
            assert pos[v][1] - pos[u][1] == GAP, (u, v)
        if u.startswith(("W_", "b")) and u not in hubs:  # leaf tensor -> AccumulateGrad
            assert pos[v][1] - pos[u][1] == GAP
    for hub in hubs:
        first = min(pos[c][1] for c in g.successors(hub))
        assert pos[hub][1] == first - GAP
    # a weight's TBackward0 -> MmBackward0 is a chain: a vertical line
    for s in steps:
        assert pos[s["T_ih"]][0] == pytest.approx(pos[s["Mm_ih"]][0])


def test_unrolled_rnn_pinned_and_incremental():
    g, _, steps = unrolled_rnn(100)
    base = layered(g)
    pins = {
        "acc_W_ih": (base["acc_W_ih"][0] - 3.0, base["acc_W_ih"][1]),
        steps[50]["Tanh"]: (base[steps[50]["Tanh"]][0] + 2.5, base[steps[50]["Tanh"]][1]),
    }
    pos = layered(g, pinned=pins)
    for v, p in pins.items():
        assert pos[v] == p
    assert_edges_down(g, pos)
    assert_no_overlap(pos, gap=0.5)
    g2 = g.copy()
    nx.add_path(g2, [steps[99]["Tanh"], "n1", "n2", "n3", "n4", "n5"])
    again = layered(g2, previous=base)
    assert mean_displacement(base, again) < 0.2  # measured 0.04; from scratch ~4
    assert_edges_down(g2, again)


# ----------------------------------------------------------------------------- hubs, chains
def test_long_chain_is_straight_and_cheap():
    g = nx.path_graph(5000, create_using=nx.DiGraph)
    pos = layered(g)
    assert len({round(pos[v][0], 9) for v in g}) == 1
    assert [pos[v][1] for v in (0, 1, 4999)] == [0.0, GAP, 4999 * GAP]
    assert layout.last_stats["virtual"] == 0


@pytest.mark.parametrize("upward", [False, True])
def test_hub_feeding_a_chain_shares_one_trunk(upward):
    """A weight used by every op of a chain (or a loss summing every op) gets one trunk of
    virtual nodes: one per layer, not one per layer per edge."""
    g = nx.path_graph(400, create_using=nx.DiGraph)
    g.add_edges_from((v, "hub") if upward else ("hub", v) for v in range(400))
    pos = layered(g)
    assert layout.last_stats["virtual"] <= 400
    assert_edges_down(g, pos)
    assert_no_overlap(pos, gap=0.5)
    xs = [pos[v][0] for v in range(1, 399)]  # the ends are also pulled by the hub's edges
    assert max(xs) - min(xs) < 1e-6  # the chain stays straight
    assert abs(pos[0][0] - xs[0]) < 1.0 and abs(pos[399][0] - xs[0]) < 1.0


def test_star_of_many_leaves():
    g = nx.DiGraph((k, "stack") for k in range(5000))
    pos = layered(g)
    assert {pos[k][1] for k in range(5000)} == {0.0}
    assert pos["stack"][1] == GAP
    assert_no_overlap(pos, gap=0.5)


def test_split_edges_trunk_weights():
    """Three long edges from one hub: one trunk down to the farthest, each edge leaving it
    next to its end; trunk segments weigh the edges still carried."""
    layer = [0, 12, 15, 20]
    edges = {(0, 1): 1, (0, 2): 2, (0, 3): 1}
    vlayer, _, seg, _, cut, _, _ = route.split_edges(layer, [0] * 4, edges, {})
    assert cut == []
    assert vlayer[4:] == list(range(1, 20))  # 19 virtual nodes, one per layer
    trunk = {vlayer[b]: w for a, b, w, branch in seg if b >= 4 and not branch}
    assert trunk[1] == 4 and trunk[11] == 4 and trunk[12] == 3 and trunk[15] == 1
    ends = {b: (vlayer[a], w) for a, b, w, branch in seg if branch}
    assert ends == {1: (11, 1), 2: (14, 2), 3: (19, 1)}


# ----------------------------------------------------------------------------- budget
def _skip_ladder(n, k):
    g = nx.path_graph(n, create_using=nx.DiGraph)
    g.add_edges_from((i, i + k) for i in range(n - k))
    return g


def test_edges_over_budget_are_left_out_but_layout_is_valid(monkeypatch):
    monkeypatch.setattr(route, "FLOOR", 0)
    monkeypatch.setattr(route, "BUDGET", 2)
    g = _skip_ladder(200, 30)  # 170 lone edges of span 30: no hub to share a trunk
    pos = layered(g)
    stats = layout.last_stats
    assert stats["left_out"] > 0
    assert stats["virtual"] <= 2 * stats["edges"]
    assert_edges_down(g, pos)
    assert_no_overlap(pos, gap=0.5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags(max_nodes=30))
def test_random_dags_with_trunks_and_left_out_edges(g):
    """Every edge of span > 1 may join a trunk, and the budget leaves some out."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(route, "LONG", 1)
        mp.setattr(route, "FLOOR", 0)
        mp.setattr(route, "BUDGET", 1)
        pos = layered(g)
        nodes = list(g)
        pins = {v: (pos[v][0] + 1.5, pos[v][1]) for v in nodes[:2]}
        again = layered(g, pinned=pins, previous={v: pos[v] for v in nodes[2:10]})
    assert set(pos) == set(g)
    assert_edges_down(g, pos)
    assert_no_overlap(pos, gap=0.5)
    for v, p in pins.items():
        assert again[v] == p
    assert_edges_down(g, again)
    assert_no_overlap(again, gap=0.5, skip=set(pins))


def test_autograd_like_graphs_keep_every_edge():
    """Ordinary autograd graphs are far within the budget: no edge is left out."""
    layered(autograd_like(400, 1))
    assert layout.last_stats["left_out"] == 0
