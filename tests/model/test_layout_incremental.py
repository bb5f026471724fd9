"""Tests of incremental layout (``previous=``): nodes drawn before keep their exact place, and
a few new nodes on a big graph are placed among them without a full layout. No Qt."""

from __future__ import annotations

import networkx as nx
import numpy as np
from test_layout import assert_edges_down, assert_no_overlap, autograd_like

from gradviz.model import layout
from gradviz.model.layout import INSERT_FROM, layered


def grow(g, added, seed):
    """A copy of ``g`` with ``added`` new ops, each using a random old node and the previous
    new op (a statement's chain), plus a new leaf feeding one of them."""
    rng = np.random.default_rng(seed)
    g2 = g.copy()
    old = list(g.nodes)
    nxt = max(old) + 1
    for k in range(added):
        g2.add_edge(int(rng.choice(old)), nxt + k)
        if k:
            g2.add_edge(nxt + k - 1, nxt + k)
    g2.add_edge(nxt + added, nxt + added // 2)  # a new parameter feeding the middle op
    return g2


def test_previous_nodes_keep_their_exact_position():
    g = autograd_like(150, 1)
    pos = layered(g)
    g2 = grow(g, 6, 1)
    new = layered(g2, previous=pos)
    assert layout.last_stats["inserted"] == 0  # small graph: laid out again around them
    assert all(new[v] == pos[v] for v in g)
    assert_no_overlap(new)
    assert_edges_down(g2, new)
    assert layered(g, previous=pos) == pos


def test_ten_nodes_on_a_5000_node_graph_move_no_existing_node():
    g = autograd_like(5000, 2)
    pos = layered(g)
    g2 = grow(g, 10, 2)
    g2.add_node("lonely")  # a new leaf nobody uses yet
    new = layered(g2, previous=pos)
    assert layout.last_stats["inserted"] == 12  # the fast path: no full layout
    assert all(new[v] == pos[v] for v in g)
    assert_no_overlap(new)
    assert_edges_down(g2, new)
    # the new chain hangs under its inputs: one layer below the lowest of them
    for v in g2:
        if v not in g and v != "lonely":
            parents = list(g2.predecessors(v))
            if parents:
                assert new[v][1] == max(new[p][1] for p in parents) + 2.0
    # the new component is to the right of everything, at the top
    assert new["lonely"][1] == 0.0
    assert new["lonely"][0] > max(x for x, _ in pos.values())


def test_inserted_nodes_sit_near_their_inputs():
    g = autograd_like(INSERT_FROM + 200, 3)
    pos = layered(g)
    g2 = g.copy()
    parent = 700
    g2.add_edge(parent, "op")
    new = layered(g2, previous=pos)
    assert layout.last_stats["inserted"] == 1
    row = [x for x, y in pos.values() if y == new["op"][1]]
    target = pos[parent][0]
    # the free place nearest to its input (brute force on a grid of 0.01)
    grid = target + np.arange(-3000, 3001) * 0.01
    free = grid[[all(abs(c - x) >= 1.5 - 1e-9 for x in row) for c in grid]]
    assert abs(new["op"][0] - target) <= np.abs(free - target).min() + 0.01
    assert_no_overlap(new)


def test_many_new_nodes_get_a_full_layout_that_keeps_the_old_ones():
    g = autograd_like(INSERT_FROM + 100, 4)
    sub = g.subgraph(sorted(g)[: len(g) // 2]).copy()
    old = layered(sub)
    new = layered(g, previous=old)
    assert layout.last_stats["inserted"] == 0
    assert all(new[v] == old[v] for v in sub)
    assert_no_overlap(new)
    assert_edges_down(g, new)


def test_invalid_previous_positions_are_laid_out_again():
    """Previous positions that overlap, sit off the layer grid or put an input below its
    consumer are not kept; the others are."""
    g = nx.DiGraph([("a", "c"), ("b", "c"), ("c", "d"), ("e", "d")])
    pos = layered(g)
    bad = dict(pos)
    bad["b"] = (pos["a"][0] + 0.2, pos["a"][1])  # on top of a
    bad["e"] = (pos["e"][0], pos["e"][1] + 0.7)  # between layers
    new = layered(g, previous=bad)
    assert new["a"] == pos["a"] and new["c"] == pos["c"] and new["d"] == pos["d"]
    assert_no_overlap(new)
    assert_edges_down(g, new)
    upside = {**pos, "d": (pos["d"][0], pos["a"][1] - 2.0)}  # d above its inputs
    new = layered(g, previous=upside)
    assert_edges_down(g, new)
    assert new["a"] == pos["a"]


def test_new_node_that_does_not_fit_between_layers_falls_back_to_a_full_layout():
    g = autograd_like(INSERT_FROM + 50, 5)
    pos = layered(g)
    u, v = next((u, v) for u, v in g.edges() if pos[v][1] - pos[u][1] == 2.0)
    g2 = g.copy()
    g2.add_edges_from([(u, "mid"), ("mid", v)])  # needs a layer between u and v
    new = layered(g2, previous=pos)
    assert layout.last_stats["inserted"] == 0
    assert_edges_down(g2, new)
    assert_no_overlap(new)
    moved = sum(new[w] != pos[w] for w in g)
    assert 0 < moved < len(g)  # only what the new layer displaced was laid out again
