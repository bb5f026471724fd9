"""Quality and determinism of the layered layout on autograd-shaped graphs of moderate size:
crossings against fixed references, the same drawing on every run, a valid drawing of a
2,000-node graph. No Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
from test_layout import assert_edges_down, assert_no_overlap, autograd_like

from gradviz.model import layout
from gradviz.model.layout import count_crossings, layered

ROOT = Path(__file__).resolve().parents[2]

# Graphviz dot 2.43's drawings of autograd_like(300, seed) for seeds 0, 1, 2, counted with
# count_crossings through the points where dot's edge splines pass each rank (as
# scripts/bench_layout.py counts them): 55 + 57 + 85. Ours, through our bend points: 59 + 49
# + 96 = 204, 1.04x (on the benchmark's random autograd DAGs: 0.97x at 300 nodes, 1.005x at
# 1,000). The target is dot's or fewer; this guards against losing ground meanwhile.
DOT_CROSSINGS_300 = 197
WITHIN = 1.07
# straight edges may cross where the ordering's virtual nodes did not (the view draws long
# edges through them, see test_layout_routes); the x assignment aims virtual nodes at the
# straight line between their edge's ends, so even straight lines keep close to the ordering
STRAIGHT_LOSS = 1.2


def test_crossings_near_dot_on_autograd_like_graphs():
    ours = 0
    for seed in range(3):
        g = autograd_like(300, seed)
        routes = {}
        pos = layered(g, routes=routes)
        c = count_crossings(g, pos, routes)
        assert c == layout.last_stats["order_crossings"]
        assert count_crossings(g, pos) <= STRAIGHT_LOSS * c
        ours += c
    assert ours <= WITHIN * DOT_CROSSINGS_300


def test_ordering_removes_most_crossings_of_its_initial_order():
    """Sweeps, transpositions and sifting leave under 40% of the crossings of the order they
    start from (breadth-first from the sources; measured: 30%)."""
    from gradviz.model._layout_order import Proper
    from gradviz.model._layout_rank import (
        assign_layers,
        components,
        index_graph,
        make_acyclic,
    )

    g = autograd_like(1000, 4)
    nodes, _, edges = index_graph(g)
    n = len(nodes)
    edges, topo = make_acyclic(n, edges)
    comp = components(n, edges)
    P = Proper(n, assign_layers(n, edges, topo, comp, {}, {}), comp, edges, {}, [])
    start = P.crossings()
    best = P.minimize()
    assert best == P.crossings() <= 0.4 * start
    pos = layered(g)
    assert layout.last_stats["order_crossings"] == best
    assert count_crossings(g, pos) <= STRAIGHT_LOSS * best


def test_same_drawing_every_time():
    g = autograd_like(400, 6)
    first = layered(g)
    assert layered(g) == first
    assert layered(g.copy()) == first
    again = nx.DiGraph()
    again.add_nodes_from(g.nodes)
    again.add_edges_from(g.edges)
    assert layered(again) == first


def test_same_drawing_whatever_the_string_hash_seed():
    """Node names are strings in the app: set and dict orders must not depend on their hash."""
    script = (
        "import json, sys\n"
        "sys.path.insert(0, 'tests/model')\n"
        "import networkx as nx\n"
        "from test_layout import autograd_like\n"
        "from gradviz.model.layout import layered\n"
        "g = nx.relabel_nodes(autograd_like(150, 9), lambda v: f'node{v}')\n"
        "pos = layered(g)\n"
        "print(json.dumps(sorted((k, list(p)) for k, p in pos.items())))\n"
    )
    out = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        res = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
            check=True,
        )
        out.append(json.loads(res.stdout))
    assert out[0] == out[1]


def test_2000_node_graph_is_a_valid_layered_drawing():
    g = autograd_like(2000, 7)
    widths = {v: 0.6 + (v % 4) * 0.5 for v in g}
    pos = layered(g, node_size=lambda v: (widths[v], 1.0), node_gap=0.4, layer_gap=3.0)
    assert set(pos) == set(g)
    assert_edges_down(g, pos)
    assert_no_overlap(pos, widths, gap=0.4)
    assert all(p[1] % 3.0 == 0 for p in pos.values())
    # every layer but the top one holds only nodes with an input on the layer just above,
    # or parameters pulled down next to their consumer
    layers = {p[1] for p in pos.values()}
    assert layers == {3.0 * k for k in range(len(layers))}
