"""Tests of the layered layout (gradviz.model.layout). No Qt."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.model._layout_order import inversions
from gradviz.model.layout import count_crossings, layered, mean_displacement

GAP = 0.5


# ----------------------------------------------------------------------------- helpers
def assert_no_overlap(pos, widths=None, gap=GAP, skip=()):
    """Nodes on the same y are at least (w1 + w2) / 2 + gap apart."""
    widths = widths or {}
    rows: dict[float, list] = {}
    for v, (x, y) in pos.items():
        rows.setdefault(round(y, 9), []).append((x, v))
    for row in rows.values():
        row.sort(key=lambda t: t[0])
        for (xa, a), (xb, b) in itertools.pairwise(row):
            if a in skip and b in skip:
                continue
            need = (widths.get(a, 1.0) + widths.get(b, 1.0)) / 2 + gap
            assert xb - xa >= need - 1e-6, (a, b, xa, xb, need)


def assert_edges_down(g, pos):
    for u, v in g.edges():
        if u != v:
            assert pos[u][1] < pos[v][1], (u, v, pos[u], pos[v])


def brute_crossings(g, pos):
    """O(E^2) reference: straight segments between adjacent layers, split at each layer."""
    ys = sorted({pos[v][1] for v in g})
    segs = []
    for u, v in g.edges():
        if u == v:
            continue
        (xu, yu), (xv, yv) = pos[u], pos[v]
        if yu == yv:
            continue
        if yu > yv:
            xu, yu, xv, yv = xv, yv, xu, yu
        layers = [y for y in ys if yu <= y <= yv]

        def at(y, xu=xu, yu=yu, xv=xv, yv=yv):
            x = xu if y == yu else xv if y == yv else xu + (xv - xu) * (y - yu) / (yv - yu)
            return round(x, 9)  # touching at a layer is not a crossing, despite float noise

        for a, b in itertools.pairwise(layers):
            segs.append((a, at(a), at(b)))
    count = 0
    for (ya, ta, ba), (yb, tb, bb) in itertools.combinations(segs, 2):
        if ya == yb and (ta - tb) * (ba - bb) < 0:
            count += 1
    return count


def autograd_like(n, seed):
    """Random DAG with 1-2 parents per node, mostly from the previous layer."""
    rng = random.Random(seed)
    g = nx.DiGraph()
    layers = [[0, 1]]
    g.add_nodes_from([0, 1])
    nid = 2
    while nid < n:
        row = []
        for _ in range(rng.randint(1, 6)):
            g.add_edge(rng.choice(layers[-1]), nid)
            if rng.random() < 0.4:
                src = rng.choice(layers[-min(len(layers), rng.randint(1, 3))])
                if src != nid:
                    g.add_edge(src, nid)
            row.append(nid)
            nid += 1
        layers.append(row)
    return g


@st.composite
def dags(draw, max_nodes=25, multi=False):
    n = draw(st.integers(1, max_nodes))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    raw = draw(st.lists(pairs, max_size=3 * n))
    g = nx.MultiDiGraph() if multi else nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((min(a, b), max(a, b)) for a, b in raw if a != b)
    return g


# ----------------------------------------------------------------------------- basics
def test_empty_graph():
    assert layered(nx.DiGraph()) == {}
    assert count_crossings(nx.DiGraph(), {}) == 0


def test_bad_gaps_rejected():
    with pytest.raises(ValueError):
        layered(nx.DiGraph([(0, 1)]), layer_gap=0)
    with pytest.raises(ValueError):
        layered(nx.DiGraph([(0, 1)]), node_gap=-1)


def test_single_node_and_any_hashable_keys():
    assert set(layered(nx.DiGraph([("a", ("b", 1))]))) == {"a", ("b", 1)}
    g = nx.DiGraph()
    g.add_node(frozenset({1}))
    pos = layered(g)
    assert list(pos) == [frozenset({1})]


def test_sources_top_sink_bottom_and_layer_gap():
    g = nx.DiGraph([("x", "mul"), ("w", "mul"), ("mul", "add"), ("b", "add"), ("add", "loss")])
    pos = layered(g, layer_gap=3.0)
    assert_edges_down(g, pos)
    assert pos["loss"][1] == max(p[1] for p in pos.values())
    assert pos["mul"][1] == 3.0 and pos["add"][1] == 6.0
    # the parameter b is pulled down next to its consumer, not left at the top
    assert pos["b"][1] == pos["mul"][1]
    assert all(p[1] % 3.0 == 0 for p in pos.values())


def test_chain_is_straight_vertical_line():
    g = nx.path_graph(30, create_using=nx.DiGraph)
    pos = layered(g)
    xs = {round(pos[v][0], 9) for v in g}
    assert len(xs) == 1
    assert [pos[v][1] for v in range(30)] == [2.0 * i for i in range(30)]


def test_chain_inside_graph_stays_straight():
    """A long chain of single-parent nodes hanging off a busy graph is vertical."""
    g = autograd_like(60, 3)
    top = max(g) + 1
    g.add_edge(5, top)
    for k in range(top, top + 15):
        g.add_edge(k, k + 1)
    pos = layered(g)
    xs = [pos[k][0] for k in range(top + 1, top + 16)]
    assert max(xs) - min(xs) < 1e-6


def test_no_overlap_with_variable_widths():
    g = autograd_like(120, 5)
    widths = {v: 0.5 + (v % 5) * 0.6 for v in g}
    pos = layered(g, node_size=lambda v: (widths[v], 1.0), node_gap=0.3)
    assert_no_overlap(pos, widths, gap=0.3)
    assert_edges_down(g, pos)


def test_tuple_node_size_and_gaps():
    g = nx.DiGraph([(0, k) for k in range(1, 6)])
    pos = layered(g, node_size=(2.0, 1.0), node_gap=1.0, layer_gap=5.0)
    assert_no_overlap(pos, dict.fromkeys(g, 2.0), gap=1.0)
    assert {p[1] for v, p in pos.items() if v} == {5.0}
    # the parent is centred over its children
    xs = sorted(pos[k][0] for k in range(1, 6))
    assert pos[0][0] == pytest.approx((xs[0] + xs[-1]) / 2)


# ----------------------------------------------------------------------------- graphs
def test_parallel_edges_multigraph():
    g = nx.MultiDiGraph()
    g.add_edges_from([(0, 1), (0, 1), (0, 1), (1, 2), (0, 2), (2, 3), (2, 3)])
    pos = layered(g)
    assert_edges_down(g, pos)
    assert_no_overlap(pos)
    assert set(pos) == {0, 1, 2, 3}
    # parallel edges cross separately
    h = nx.MultiDiGraph([("a", "d"), ("a", "d"), ("b", "c")])
    drawing = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (0.0, 1.0), "d": (1.0, 1.0)}
    assert count_crossings(h, drawing) == 2


def test_self_loops_ignored():
    g = nx.DiGraph([(0, 0), (0, 1), (1, 1), (1, 2)])
    pos = layered(g)
    assert pos[0][1] < pos[1][1] < pos[2][1]


def test_cycles_do_not_crash():
    g = nx.DiGraph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 1), (3, 4), (4, 4)])
    pos = layered(g)
    assert set(pos) == set(g)
    assert_no_overlap(pos)
    # every node is on its own layer or spaced apart, and only feedback edges point up
    up = sum(1 for u, v in g.edges() if u != v and pos[u][1] >= pos[v][1])
    assert 1 <= up <= 2
    big = nx.gnp_random_graph(80, 0.05, seed=1, directed=True)
    assert_no_overlap(layered(big))


def test_undirected_two_cycle():
    g = nx.DiGraph([(0, 1), (1, 0), (1, 2)])
    pos = layered(g)
    assert pos[0][1] != pos[1][1]


def test_disconnected_components_side_by_side():
    g = nx.DiGraph()
    nx.add_path(g, [0, 1, 2, 3])
    g.add_edges_from([(10, 11), (10, 12), (10, 13), (11, 14), (12, 14)])
    g.add_node(20)
    g.add_edges_from([(30, 31), (32, 31)])
    pos = layered(g)
    comps = [list(c) for c in nx.weakly_connected_components(g)]
    boxes = sorted(
        (min(pos[v][0] for v in c) - 0.5, max(pos[v][0] for v in c) + 0.5) for c in comps
    )
    for (_, right), (left, _) in itertools.pairwise(boxes):
        assert left >= right + GAP - 1e-9
    assert_no_overlap(pos)
    assert min(p[1] for p in pos.values()) == 0.0


def test_zero_crossings_when_drawable_without():
    # a binary tree, a ladder of diamonds and two interleaved fans: all drawable with 0
    tree = nx.balanced_tree(2, 5, create_using=nx.DiGraph)
    assert count_crossings(tree, layered(tree)) == 0
    ladder = nx.DiGraph()
    for k in range(10):
        ladder.add_edges_from([(3 * k, 3 * k + 1), (3 * k, 3 * k + 2)])
        ladder.add_edges_from([(3 * k + 1, 3 * k + 3), (3 * k + 2, 3 * k + 3)])
    assert count_crossings(ladder, layered(ladder)) == 0
    # inputs listed in an order that crosses: a0->c1, a1->c0 style
    g = nx.DiGraph()
    g.add_nodes_from(["a", "b", "c", "d"])
    g.add_edges_from([("a", "d2"), ("b", "c2"), ("c", "b2"), ("d", "a2")])
    g.add_edges_from([("a2", "z"), ("b2", "z"), ("c2", "z"), ("d2", "z"), ("a", "b2")])
    assert count_crossings(g, layered(g)) == 0


def test_attention_like_graph_has_few_crossings():
    """Residual blocks with parameter leaves can be drawn without crossings."""
    g = nx.DiGraph()
    x = "embed"
    for b in range(4):
        w, t, mm, bias, add = (f"{s}{b}" for s in ("W", "T", "Mm", "bias", "Add"))
        g.add_edges_from([(w, t), (t, mm), (x, mm), (mm, add), (bias, add)])
        res = f"Res{b}"
        g.add_edges_from([(add, f"Relu{b}"), (f"Relu{b}", res), (x, res)])
        x = res
    g.add_edge(x, "loss")
    pos = layered(g)
    assert count_crossings(g, pos) == 0
    assert pos["W3"][1] == pos["T3"][1] - 2.0 == pos["Mm3"][1] - 4.0


# ----------------------------------------------------------------------------- pinning
def test_pinned_nodes_keep_exact_position():
    g = autograd_like(80, 11)
    free = layered(g)
    pins = {3: (100.25, 2.0), 40: (-7.5, free[40][1]), 41: (free[41][0] + 0.3, free[41][1])}
    pos = layered(g, pinned=pins)
    for v, p in pins.items():
        assert pos[v] == p
    assert_no_overlap(pos)
    assert_edges_down(g, pos)


def test_pinned_overlapping_request_only_pins_may_overlap():
    g = nx.DiGraph([(0, k) for k in range(1, 8)])
    pins = {1: (0.0, 2.0), 2: (0.2, 2.0)}
    pos = layered(g, pinned=pins)
    assert pos[1] == (0.0, 2.0) and pos[2] == (0.2, 2.0)
    assert_no_overlap(pos, skip={1, 2})


def test_pinned_node_not_in_graph_is_ignored():
    g = nx.DiGraph([(0, 1)])
    pos = layered(g, pinned={99: (1.0, 1.0)}, previous={98: (0.0, 0.0)})
    assert set(pos) == {0, 1}


# ----------------------------------------------------------------------------- incremental
def test_previous_same_graph_barely_moves():
    g = autograd_like(200, 2)
    pos = layered(g)
    again = layered(g, previous=pos)
    assert mean_displacement(pos, again) < 0.1  # measured 0.023


def test_incremental_one_node_small_displacement():
    g = autograd_like(200, 4)
    pos = layered(g)
    fresh_moves = []
    for k, parent in enumerate((7, 60, 150, 199)):
        g2 = g.copy()
        g2.add_edge(parent, 1000 + k)
        new = layered(g2, previous=pos)
        # measured 0.015-0.04 (node width 1, layer gap 2); from scratch it is up to 8.5
        assert mean_displacement(pos, new) < 0.15
        assert_no_overlap(new)
        assert_edges_down(g2, new)
        fresh_moves.append(mean_displacement(pos, layered(g2)))
    assert max(fresh_moves) > 0.3  # the bound above is not vacuous


def test_incremental_new_parent_above_keeps_old_layers():
    g = nx.path_graph(6, create_using=nx.DiGraph)
    pos = layered(g)
    g2 = g.copy()
    g2.add_edge("new", 0)
    new = layered(g2, previous=pos)
    for v in g:
        assert new[v] == pytest.approx(pos[v])
    assert new["new"][1] < new[0][1]


def test_incremental_from_subgraph_keeps_order():
    g = autograd_like(150, 8)
    sub = g.subgraph([v for v in g if v < 100]).copy()
    old = layered(sub)
    new = layered(g, previous=old)
    rows: dict[float, list] = {}
    for v in sub:
        rows.setdefault(new[v][1], []).append(v)
    for row in rows.values():
        assert sorted(row, key=lambda v: old[v][0]) == sorted(row, key=lambda v: new[v][0])
    assert_no_overlap(new)


def test_mean_displacement():
    assert mean_displacement({1: (0, 0), 2: (1, 1)}, {1: (3, 4), 3: (0, 0)}) == 5.0
    assert mean_displacement({}, {1: (0, 0)}) == 0.0


# ----------------------------------------------------------------------------- crossings
def test_count_crossings_hand_made():
    k22 = nx.DiGraph([("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")])
    assert count_crossings(k22, {"a": (0, 0), "b": (1, 0), "c": (0, 1), "d": (1, 1)}) == 1
    two = nx.DiGraph([("a", "c"), ("b", "d")])
    assert count_crossings(two, {"a": (0, 0), "b": (1, 0), "c": (0, 1), "d": (1, 1)}) == 0
    assert count_crossings(two, {"a": (0, 0), "b": (1, 0), "c": (1, 1), "d": (0, 1)}) == 1
    # shared end points never cross
    fan = nx.DiGraph([("a", "c"), ("a", "d"), ("b", "d")])
    assert count_crossings(fan, {"a": (0, 0), "b": (1, 0), "c": (0, 1), "d": (1, 1)}) == 0
    # a long edge is split at the layers it passes: it crosses the short edges it cuts
    long = nx.DiGraph([("a", "z"), ("b", "c"), ("c", "d")])
    drawing = {"a": (0, 0), "z": (4, 2), "b": (3, 0), "c": (1, 1), "d": (5, 2)}
    assert count_crossings(long, drawing) == 2
    # direction of edges and the y scale do not matter
    rev = nx.DiGraph([("c", "a"), ("d", "b")])
    assert count_crossings(rev, {"a": (0, 0), "b": (1, 0), "c": (1, 10), "d": (0, 10)}) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags(max_nodes=12, multi=True), st.integers(0, 10**6))
def test_count_crossings_matches_brute_force(g, seed):
    rng = np.random.default_rng(seed)
    pos = {v: (float(rng.integers(0, 6)), float(rng.integers(0, 4))) for v in g}
    assert count_crossings(g, pos) == brute_crossings(g, pos)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=60), st.lists(st.integers(1, 3), min_size=60))
def test_inversions_match_brute_force(vals, weights):
    w = weights[: len(vals)]
    expect = sum(
        w[i] * w[j] for i, j in itertools.combinations(range(len(vals)), 2) if vals[i] > vals[j]
    )
    assert inversions(np.array(vals, dtype=np.int64), np.array(w, dtype=np.int64)) == expect


# ----------------------------------------------------------------------------- properties
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags(max_nodes=30))
def test_random_dags_point_down_and_do_not_overlap(g):
    pos = layered(g)
    assert set(pos) == set(g)
    assert_edges_down(g, pos)
    assert_no_overlap(pos)
    assert all(np.isfinite(c) for p in pos.values() for c in p)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags(max_nodes=20, multi=True), st.data())
def test_random_multigraphs_with_pins_and_previous(g, data):
    nodes = list(g)
    base = layered(g)
    pinned_nodes = data.draw(st.lists(st.sampled_from(nodes), max_size=3, unique=True))
    pins = {v: (base[v][0] + data.draw(st.floats(-3, 3)), base[v][1]) for v in pinned_nodes}
    previous = {v: base[v] for v in nodes[: len(nodes) // 2]}
    pos = layered(g, pinned=pins, previous=previous)
    for v, p in pins.items():
        assert pos[v] == p
    assert_no_overlap(pos, skip=set(pins))
    assert_edges_down(g, pos)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags(max_nodes=14))
def test_forests_have_no_crossings_and_counts_agree(g):
    """A forest (every node has at most one parent) is drawn without crossings, and our
    fast count agrees with the brute force count on our own drawings."""
    pos = layered(g)
    assert count_crossings(g, pos) == brute_crossings(g, pos)
    forest = nx.DiGraph()
    forest.add_nodes_from(g)
    for u, v in g.edges():
        if forest.in_degree(v) == 0:
            forest.add_edge(u, v)
    assert count_crossings(forest, layered(forest)) == 0
