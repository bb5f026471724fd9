"""Tests of the network simplex layering (gradviz.model._layout_simplex) against networkx's
min-cost flow, whose optimum is the least total edge length (linear programming duality)."""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from test_layout import autograd_like, dags

from gradviz.model._layout_simplex import tighten


def least_length(g, weight):
    """min sum w (y_v - y_u) subject to y_v - y_u >= 1, as the dual min-cost flow."""
    f = nx.DiGraph()
    for v in g:
        f.add_node(v, demand=0)
    for u, v in g.edges():
        w = weight[u, v]
        f.nodes[v]["demand"] += w
        f.nodes[u]["demand"] -= w
        f.add_edge(u, v, weight=-1)
    cost, _ = nx.network_simplex(f)
    return -cost


def check(g, weight, max_pivots=10**6):
    nodes = list(g)
    index = {v: i for i, v in enumerate(nodes)}
    U = np.asarray([index[u] for u, _ in g.edges()], np.int64)
    V = np.asarray([index[v] for _, v in g.edges()], np.int64)
    W = np.asarray([weight[e] for e in g.edges()], float)
    longest = [0] * len(nodes)
    for v in nx.topological_sort(g):
        for u in g.predecessors(v):
            longest[index[v]] = max(longest[index[v]], longest[index[u]] + 1)
    layer, pivots = tighten(len(nodes), U, V, W, longest, max_pivots)
    y = np.asarray(layer)
    assert (y[V] - y[U] >= 1).all()
    return float((W * (y[V] - y[U])).sum()), pivots


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags(max_nodes=25))
def test_least_total_length_on_random_dags(g):
    weight = {e: 1 + (hash(e) % 3) for e in g.edges()}
    total, _ = check(g, weight)
    assert total == least_length(g, weight)


def test_least_total_length_on_an_autograd_like_graph():
    g = autograd_like(600, 3)
    weight = dict.fromkeys(g.edges(), 1)
    total, pivots = check(g, weight)
    assert total == least_length(g, weight)
    assert pivots > 0  # longest path was not already optimal: the pivots did the work
    capped, _ = check(g, weight, max_pivots=3)  # a cap stops early, still feasible
    assert capped >= total


def test_every_pivot_leaves_a_consistent_numbering(monkeypatch):
    """After each pivot, which numbers again only the cycle its entering edge closes, the
    tree numbering is what a fresh preorder would satisfy: a node's subtree is the range
    ``low..lim``, nested in its parent's, of the size of its children's plus one."""
    import gradviz.model._layout_simplex as simplex

    pivot = simplex._pivot
    checked = []

    def checked_pivot(enter, leave, Ul, Vl, low, lim, par, pre, sign):
        pivot(enter, leave, Ul, Vl, low, lim, par, pre, sign)
        n = low.size
        assert (pre[low] == np.arange(n)).all()
        size = lim - low + 1
        total = np.ones(n, np.int64)
        for x in range(n):
            k = int(par[x])
            if k < 0:
                continue
            assert x in (Ul[k], Vl[k])
            p = Vl[k] if Ul[k] == x else Ul[k]
            assert low[p] < low[x] and lim[x] <= lim[p]
            assert sign[x] == (1.0 if Ul[k] == x else -1.0)
            total[p] += size[x]
        assert (total == size).all()
        checked.append(enter)

    monkeypatch.setattr(simplex, "_pivot", checked_pivot)
    g = autograd_like(600, 3)
    weight = dict.fromkeys(g.edges(), 1)
    total, pivots = check(g, weight)
    assert pivots == len(checked) > 10
    assert total == least_length(g, weight)
