"""Edges spanning several layers are drawn through their virtual nodes: ``layered(routes=)``
gives their bend points, ``count_crossings`` counts the drawing through them. No Qt."""

from __future__ import annotations

import networkx as nx
import numpy as np
from test_layout import autograd_like

import gradviz as gv
from gradviz.model import GraphModel, layout
from gradviz.model._layout_route import LONG
from gradviz.model.layout import count_crossings, layered

GAP = 2.0  # layered's default layer_gap


def _layer(y):
    return round(y / GAP)


def test_every_long_edge_bends_once_per_layer_it_crosses():
    g = autograd_like(300, 4)
    routes = {}
    pos = layered(g, routes=routes)
    assert layout.last_stats["left_out"] == 0
    for u, v in g.edges():
        span = _layer(pos[v][1]) - _layer(pos[u][1])
        bends = routes.get((u, v), [])
        assert len(bends) == max(0, span - 1), (u, v, span)
        # one per layer strictly between the ends, in order from u down to v
        assert [_layer(y) for _, y in bends] == list(range(_layer(pos[u][1]) + 1,
                                                           _layer(pos[v][1])))
        assert all(y == _layer(y) * GAP for _, y in bends)
    assert set(routes) <= set(g.edges())


def test_the_drawing_crosses_exactly_as_the_ordering_planned():
    for seed in range(3):
        g = autograd_like(300, seed)
        routes = {}
        pos = layered(g, routes=routes)
        drawn = count_crossings(g, pos, routes)
        assert drawn == layout.last_stats["order_crossings"]
        assert drawn <= count_crossings(g, pos)  # straight lines cross more


def test_a_shared_weight_feeds_every_step_along_one_trunk():
    """A parameter used at every step of an unrolled loop: its edges follow one bus down the
    side (the trunk's corners only, not a point per layer), each leaving it just above its
    step; the drawing crosses exactly as the ordering planned."""
    g = nx.DiGraph()
    prev = "h0"
    for t in range(40):
        g.add_edge("W", f"mm{t}")
        g.add_edge(prev, f"mm{t}")
        g.add_edge(f"mm{t}", f"tanh{t}")
        prev = f"tanh{t}"
    routes = {}
    pos = layered(g, routes=routes)
    assert count_crossings(g, pos, routes) == layout.last_stats["order_crossings"]
    long = [(u, v) for u, v in g.edges() if _layer(pos[v][1]) - _layer(pos[u][1]) > LONG + 1]
    assert long and all(e in routes for e in long)
    deepest = max(long, key=lambda e: pos[e[1]][1])
    bus_x = [x for x, _ in routes[deepest]]
    bus_y = [y for _, y in routes[deepest]]
    assert len(bus_x) < _layer(pos[deepest[1]][1]) // 2, "corners only"
    for u, v in long:
        last = routes[u, v][-1]
        assert _layer(last[1]) == _layer(pos[v][1]) - 1  # leaves the bus just above v
        for x, y in routes[u, v]:  # on the bus
            assert abs(x - float(np.interp(y, bus_y, bus_x))) < 1e-9


def test_edges_reversed_to_break_a_cycle_are_routed_from_their_source():
    g = nx.DiGraph([(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)])
    routes = {}
    pos = layered(g, routes=routes)
    up = [(u, v) for u, v in g.edges() if pos[u][1] > pos[v][1] + GAP]
    assert up
    for u, v in up:
        ys = [y for _, y in routes[u, v]]
        assert ys == sorted(ys, reverse=True) and pos[u][1] > ys[0] > ys[-1] > pos[v][1]


def test_adding_a_few_nodes_to_a_large_graph_keeps_the_routes_between_kept_nodes():
    g = autograd_like(1200, 1)
    routes = {}
    pos = layered(g, routes=routes)
    before = dict(routes)
    assert before
    g2 = g.copy()
    src = next(iter(g))
    g2.add_edges_from([(src, "new0"), ("new0", "new1")])
    pos2 = layered(g2, previous=pos, routes=routes)
    assert layout.last_stats["inserted"] > 0  # the fast path: no full layout
    assert all(pos2[v] == pos[v] for v in g)
    assert routes == before  # the new edges are short; nothing kept moved


def test_the_model_drops_the_routes_of_a_node_the_user_pins_elsewhere():
    model = GraphModel()
    with model.recording():
        w = gv.ones(3, requires_grad=True)
        h = w * 1.0
        for _ in range(4):
            h = (h * 2.0).tanh()
        (h * w).sum().backward()  # w's edge to the last product spans every step
    pos = dict(model.positions())
    routes = model.routes()
    assert routes
    end = next(iter(routes))[0]
    model.pin(end, (pos[end][0] + 7.0, pos[end][1]))
    assert not any(end in e for e in model.routes())
    assert model.positions()[end] == (pos[end][0] + 7.0, pos[end][1])


def test_count_crossings_follows_the_routes():
    g = nx.DiGraph([("a", "c"), ("b", "d"), ("m", "n")])
    pos = {"a": (0, 0), "b": (1, 0), "m": (5, 0), "n": (5, 1), "c": (0, 2), "d": (1, 2)}
    assert count_crossings(g, pos) == 0
    assert count_crossings(g, pos, {("a", "c"): [(2.0, 1.0)]}) == 2
    assert count_crossings(g, pos, {("a", "c"): [(0.5, 1.0)]}) == 0
