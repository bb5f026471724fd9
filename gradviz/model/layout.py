"""Layered (Sugiyama) layout of an autograd graph.

``layered(graph)`` places a networkx DiGraph / MultiDiGraph top to bottom: sources (inputs,
parameters) at the top, sinks (the loss) at the bottom, in Qt coordinates (``y`` grows
downward, ``y = layer * layer_gap``). The steps:

1. cycles are broken by reversing a feedback edge set (greedy Eades-Lin-Smyth order),
   self-loops ignored, parallel edges merged into weights (:mod:`._layout_rank`);
2. layering: longest path from the sources, then passes that move single nodes, tight paths
   of one-parent one-child nodes and whole groups joined by length-1 edges down / up while
   that shortens the edges (a parameter's AccumulateGrad -> TBackward0 drops to just above
   its MmBackward0); ties go to the busier end, so a weight shared by every step of an
   unrolled loop stays just above its first consumer and each step's ops stay with the step
   (:mod:`._layout_rank`); a fresh layout (no previous / pinned nodes) of up to 10,000 nodes
   then goes on by network simplex to the least total edge length, as dot ranks
   (:mod:`._layout_simplex`);
3. long edges are split at virtual nodes, in number O(edges): edges spanning many layers
   from / to one hub share a trunk of virtual nodes, and lone long edges beyond a budget are
   left out of the ordering and of the x alignment (:mod:`._layout_route`); crossings are
   reduced as Graphviz dot's mincross does (weighted-median sweeps, adjacent transpositions
   that every other iteration also swap equal pairs, starts from BFS orders from the sources
   and from the sinks, the best ordering kept), in plain Python up to 3,500 proper-graph
   nodes (:mod:`._layout_mincross`), past that by barycenter sweeps counting crossings in
   O(E log V) with NumPy; the result is polished by sifting each node to its best slot
   (:mod:`._layout_order`, :mod:`._layout_moves`);
4. x coordinates by iterative median alignment under minimum separation (weighted isotonic
   regression per layer, virtual chains weighing most, edges leaving a trunk least), then
   every chain of single-parent nodes is made a vertical line, pushing its row neighbours
   aside (:mod:`._layout_coords`);
5. edges spanning several layers are drawn through their virtual nodes, given as bend points
   (``routes=``), so the drawing crosses exactly as the ordering planned; an edge along a
   hub's trunk gets the trunk's corners only (one bus for all of them).

Incremental use: nodes found in ``previous`` keep their exact position where it is still valid
(on the layer grid, not overlapping, edges between them pointing down, and no new node needing
a layer between them); the others are laid out again, seeded by their previous position. On a
graph of ``INSERT_FROM`` nodes or more with few new nodes, these are placed among the kept ones
without a full layout (:mod:`._layout_incremental`): a statement adding 10 nodes to a 5,000-node
graph costs tens of milliseconds. ``pinned`` nodes keep exactly their position. Disconnected
components are placed side by side (components with previous / pinned nodes keep their place,
new ones go to the right).

Only NumPy, networkx and the standard library are used.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Mapping

import numpy as np

from gradviz.model._layout_coords import assign_x
from gradviz.model._layout_incremental import insert_nodes, keep_previous
from gradviz.model._layout_order import Proper, inversions
from gradviz.model._layout_rank import assign_layers, components, index_graph, make_acyclic

__all__ = ["layered", "count_crossings", "mean_displacement"]

Pos = dict[Hashable, tuple[float, float]]
BIG = 40_000
# a graph of INSERT_FROM nodes or more whose new nodes are at most INSERT_SHARE of it gets them
# placed among the kept ones (no full layout); smaller graphs are laid out again around them
INSERT_FROM = 1000
INSERT_SHARE = 0.05
TRUNK_POINTS = 64  # bend points at most along a trunk (see _routes) ...
TRUNK_TOLERANCE = 0.02  # ... keeping it within this distance of its virtual nodes
# figures of the last layout, for tests and benchmarks: real nodes, distinct edges (parallel
# ones merged, cycles broken), virtual nodes, long edges left out of the crossing reduction
# (drawn straight), layers, nodes placed by the incremental fast path, and (full layouts)
# the crossings of the ordering with virtual nodes, before the edges are drawn straight
last_stats: dict[str, int] = {}


def layered(
    graph,
    pinned: Mapping | None = None,
    previous: Mapping | None = None,
    *,
    node_size: tuple[float, float] | Callable[[Hashable], tuple[float, float]] = (1.0, 1.0),
    layer_gap: float = 2.0,
    node_gap: float = 0.5,
    routes: dict | None = None,
) -> Pos:
    """Positions ``{node: (x, y)}`` of a layered drawing of ``graph`` (y grows downward).

    ``pinned``: ``{node: (x, y)}`` kept exactly. ``previous``: positions from an earlier call
    (e.g. on a subgraph); the nodes found there keep them where they are still valid (see
    the module docstring) and stay close otherwise.
    ``node_size``: ``(width, height)`` for all nodes or a callable giving it per node; nodes
    of a layer are at least ``(w1 + w2) / 2 + node_gap`` apart. ``layer_gap``: distance
    between layers.
    ``routes``: a dict to fill with ``{(u, v): [(x, y), ...]}``, the bend points of each
    edge ``u -> v`` spanning several layers, in order from ``u`` to ``v``: the positions of
    its virtual nodes, one per layer crossed, through which it is drawn (and counted by
    ``count_crossings``); along a trunk shared by a hub's edges, only its corners (the
    nodes within ``TRUNK_TOLERANCE`` of the line between them are left out; at most
    ``TRUNK_POINTS`` of them). Edges not in it (short ones, long ones left out of the ordering)
    are drawn from end to end. On input it may hold the routes of the layout ``previous``
    came from: when new nodes are placed among the kept ones without a full layout, the
    routes between kept nodes stay and the new edges get none.

        >>> import networkx as nx
        >>> pos = layered(nx.DiGraph([("w", "mul"), ("x", "mul"), ("mul", "loss")]))
        >>> pos["w"][1] < pos["mul"][1] < pos["loss"][1]
        True
    """
    if not layer_gap > 0 or not node_gap >= 0:
        raise ValueError(f"need layer_gap > 0 and node_gap >= 0, got {layer_gap}, {node_gap}")
    # many small lists and tuples are made but no reference cycles: the cyclic collector
    # would only walk the caller's (maybe huge) graph again and again
    enabled = gc.isenabled()
    gc.disable()
    try:
        pos, found = _layered(graph, pinned, previous, node_size, float(layer_gap),
                              float(node_gap))
    finally:
        if enabled:
            gc.enable()
    if routes is not None and found is None:  # new nodes placed among kept ones
        for u, v in list(routes):
            if u not in graph or v not in graph or not graph.has_edge(u, v) or (
                    previous is None or pos[u] != previous.get(u) or pos[v] != previous.get(v)):
                del routes[u, v]
    elif routes is not None:
        routes.clear()
        for u, v in graph.edges():
            if (u, v) in found:
                routes[u, v] = found[u, v]
            elif (v, u) in found:
                routes[u, v] = found[v, u][::-1]
    return pos


def _routes(P, x, nodes, base, gap):
    """``{(upper, lower): [(x, y), ...]}`` per edge drawn through virtual nodes (graph node
    keys, points from top to bottom). An edge along a trunk gets the trunk's corners before
    the node where it leaves, and that node: not one point per layer, as the trunk of a weight
    shared by every step of a long loop runs over thousands of layers; past TRUNK_POINTS
    corners, every k-th (the bus then cuts across between them)."""
    out = {}
    if not P.paths:
        return out
    xs = x.tolist()
    ys = ((P.layer + base) * gap).tolist()
    corners = []
    for t in P.trunks:  # the trunk's shape, from the hub on, within TRUNK_TOLERANCE
        c = _corners(x[t], (P.layer[t] + base) * gap)
        if c.size > TRUNK_POINTS:  # the same few for every edge along it: still one bus
            c = c[:: -(-c.size // TRUNK_POINTS)]
        corners.append(c)
    for (u, v), path in P.paths.items():
        if isinstance(path, tuple):  # along the bus, then off it where the trunk node is
            trunk, k = path
            t = P.trunks[trunk]
            c = corners[trunk]
            before = c[: np.searchsorted(c, k)].tolist()
            pts = [(xs[j], ys[j]) for j in t[before].tolist()]
            tk = int(t[k])
            if k in c or len(before) == len(c):
                pts.append((xs[tk], ys[tk]))
            else:  # on the line between the corners around it, as every edge along it
                a, b = int(t[before[-1]]), int(t[c[len(before)]])
                f = (ys[tk] - ys[a]) / (ys[b] - ys[a])
                pts.append((xs[a] + (xs[b] - xs[a]) * f, ys[tk]))
            if pts[0][1] > pts[-1][1]:
                pts.reverse()  # a trunk up from its hub: listed from the top
            out[nodes[u], nodes[v]] = pts
        else:
            out[nodes[u], nodes[v]] = [(xs[j], ys[j]) for j in path.tolist()]
    return out


def _corners(xs, ys):
    """Indices of the points a polyline needs to stay within TRUNK_TOLERANCE across of all
    its points (Douglas-Peucker; ``ys`` strictly monotonic), the first and last included."""
    keep = [0, xs.size - 1] if xs.size > 1 else [0]
    todo = [(0, xs.size - 1)]
    while todo:
        i, j = todo.pop()
        if j - i < 2:
            continue
        k = np.arange(i + 1, j)
        line = xs[i] + (xs[j] - xs[i]) * (ys[k] - ys[i]) / (ys[j] - ys[i])
        off = np.abs(xs[k] - line)
        m = int(np.argmax(off))
        if off[m] > TRUNK_TOLERANCE:
            keep.append(i + 1 + m)
            todo += [(i, i + 1 + m), (i + 1 + m, j)]
    return np.unique(np.asarray(keep, np.int64))


def _layered(graph, pinned, previous, node_size, gap, node_gap):
    global last_stats
    if graph.number_of_nodes() == 0:
        last_stats = {"nodes": 0, "edges": 0, "virtual": 0, "left_out": 0, "layers": 0,
                      "inserted": 0}
        return {}, {}
    nodes, index, edges = index_graph(graph)
    n = len(nodes)
    edges, topo = make_acyclic(n, edges)
    pin = {}
    for v, p in (pinned or {}).items():
        if v in index:
            pin[index[v]] = (float(p[0]), float(p[1]))
    prev = {}
    for v, p in (previous or {}).items():
        if v in index and index[v] not in pin:
            prev[index[v]] = (float(p[0]), float(p[1]))
    if callable(node_size):
        real_w = [max(0.0, float(node_size(v)[0])) for v in nodes]
    else:
        real_w = [max(0.0, float(node_size[0]))] * n
    kept, fixed_layer = keep_previous(prev, pin, real_w, edges, gap, node_gap)
    fixed = {**kept, **pin}
    if prev and n >= INSERT_FROM and n - len(fixed) <= n * INSERT_SHARE:

        def apart(ids):
            sub = graph.subgraph([nodes[i] for i in ids])
            sp = layered(sub, node_size=node_size, layer_gap=gap, node_gap=node_gap)
            return {i: sp[nodes[i]] for i in ids}

        placed = insert_nodes(n, edges, fixed, fixed_layer, real_w, gap, node_gap, apart)
        if placed is not None:
            last_stats = {"nodes": n, "edges": len(edges), "virtual": 0, "left_out": 0,
                          "layers": len({round(p[1] / gap) for p in placed.values()}),
                          "inserted": len(placed)}
            placed.update(fixed)
            return {v: placed[i] for i, v in enumerate(nodes)}, None
    comp = components(n, edges)
    layer = assign_layers(
        n,
        edges,
        topo,
        comp,
        {i: round(p[1] / gap) for i, p in pin.items()},
        {i: fixed_layer[i] for i in prev if i in fixed_layer},
    )
    # kept nodes are pinned, but for the layers of new nodes squeezed between them: those
    # that had to change layer are placed again (close to their previous x)
    kept = {i: p for i, p in kept.items() if layer[i] == fixed_layer[i]}
    pin.update(kept)
    prev = {i: p for i, p in prev.items() if i not in kept}
    base = min(layer)
    anchor_x = {i: p[0] for i, p in prev.items()}
    anchor_x.update((i, p[0]) for i, p in pin.items())
    P = Proper(n, [v - base for v in layer], comp, edges, anchor_x, list(anchor_x), list(anchor_x))
    # full effort up to BIG proper-graph nodes (real + virtual); huge graphs (e.g. random
    # graphs whose broken cycles leave very long edges) get a cheaper pass
    big = P.N > BIG
    order_crossings = P.minimize(
        max_iter=4 if big else 16,
        patience=2 if big else 5,
        restarts=not anchor_x and not big,
        sift=not big,
        rounds=3 if big else 12,
    )

    width = np.zeros(P.N)
    real_ids = P.new_of[:n]
    width[real_ids] = real_w
    pin_x = {int(P.new_of[i]): p[0] for i, p in pin.items()}
    prev_x = {int(P.new_of[i]): p[0] for i, p in prev.items()}
    x = assign_x(P, width, pin_x, prev_x, node_gap, sweeps=2)
    x = _pack_components(P, x, width, 2.0 * node_gap)
    last_stats = {
        "nodes": n,
        "edges": len(edges),
        "virtual": P.N - n,
        "left_out": len(P.cut),
        "layers": P.L,
        "inserted": 0,
        "order_crossings": int(order_crossings),
    }

    out: Pos = {}
    xr = x[real_ids].tolist()
    for i, v in enumerate(nodes):
        if i in pin:
            out[v] = pin[i]
        else:
            out[v] = (xr[i], layer[i] * gap)
    return out, _routes(P, x, nodes, base, gap)


def _pack_components(P, x, width, comp_gap):
    """Place components side by side, left to right. The group of components holding
    previous / pinned nodes (laid out together, in their own coordinates) stays put and the
    others follow on its right."""
    group = P.group
    anchored = group < 0
    if anchored.all():
        return x
    g = np.where(anchored, 0, group + 1)
    ng = int(g.max()) + 1
    left = np.full(ng, np.inf)
    right = np.full(ng, -np.inf)
    np.minimum.at(left, g, x - width / 2)
    np.maximum.at(right, g, x + width / 2)
    present = np.isfinite(left)
    size = np.where(present, right - left, 0.0)
    step = np.where(present, size + comp_gap, 0.0)
    new_left = np.concatenate(([0.0], np.cumsum(step)[:-1]))
    if anchored.any():
        new_left += right[0] + comp_gap - step[0]
    shift = np.where(present, new_left - left, 0.0)
    shift[0] = 0.0 if anchored.any() else shift[0]
    return x + shift[g]


def count_crossings(graph, pos: Mapping, routes: Mapping | None = None) -> int:
    """Edge crossings between adjacent layers of a layered drawing.

    Layers are the distinct y values of the graph's nodes in ``pos``. An edge ``u -> v`` is
    drawn through its bend points ``routes[u, v]`` (``[(x, y), ...]`` from ``u`` to ``v``, as
    ``layered(..., routes=...)`` gives them), else straight; each piece spanning several
    layers is split at virtual points on the straight line between its ends (one per layer
    crossed), and two segments between the same pair of layers cross when their ends are in
    strictly opposite order (touching is not crossing; x is compared to 1e-9). Parallel
    edges count separately; self-loops, edges within a layer and nodes missing from ``pos``
    are ignored. O(E log V) after splitting, with NumPy.

        >>> import networkx as nx
        >>> g = nx.DiGraph([("a", "c"), ("b", "d"), ("m", "n")])
        >>> pos = {"a": (0, 0), "b": (1, 0), "m": (5, 0), "n": (5, 1), "c": (0, 2), "d": (1, 2)}
        >>> count_crossings(g, pos)
        0
        >>> count_crossings(g, pos, {("a", "c"): [(2, 1)]})  # a -> c bends right of b -> d
        2
    """
    us, vs = [], []
    routes = routes or {}
    for u, v in graph.edges():
        if u != v and u in pos and v in pos:
            bends = routes.get((u, v))
            if bends:
                pts = [pos[u], *bends, pos[v]]
                us.extend(pts[:-1])
                vs.extend(pts[1:])
            else:
                us.append(pos[u])
                vs.append(pos[v])
    if len(us) < 2:
        return 0
    pu = np.asarray(us, float)
    pv = np.asarray(vs, float)
    node_y = [pos[v][1] for v in graph.nodes if v in pos]  # isolated nodes make layers too
    ally = np.concatenate((pu[:, 1], pv[:, 1], np.asarray(node_y, float)))
    scale = max(1.0, float(np.abs(ally).max()))
    _, first, inv = np.unique(np.round(ally / scale * 1e9), return_index=True, return_inverse=True)
    Y = ally[first]
    lu, lv = inv[: len(us)], inv[len(us) : 2 * len(us)]
    flip = lu > lv
    pu[flip], pv[flip] = pv[flip].copy(), pu[flip].copy()
    lu, lv = np.where(flip, lv, lu), np.where(flip, lu, lv)
    keep = lu < lv
    pu, pv, lu, lv = pu[keep], pv[keep], lu[keep], lv[keep]
    span = lv - lu
    tot = int(span.sum())
    e = np.repeat(np.arange(span.size), span)
    j = lu[e] + (np.arange(tot) - (np.cumsum(span) - span)[e])

    def at(k):
        xu, xv, yu, yv = pu[e, 0], pv[e, 0], pu[e, 1], pv[e, 1]
        t = (Y[k] - yu) / (yv - yu)
        xk = xu + (xv - xu) * t
        xk = np.where(k == lu[e], xu, np.where(k == lv[e], xv, xk))
        return np.round(xk * 1e9) / 1e9

    xt, xb = at(j), at(j + 1)
    o = np.lexsort((xb, j))
    rank = np.empty(tot, np.int64)
    new = np.ones(tot, bool)
    new[1:] = (j[o][1:] != j[o][:-1]) | (xb[o][1:] != xb[o][:-1])
    rank[o] = np.cumsum(new) - 1
    o = np.lexsort((xb, xt, j))
    return inversions(rank[o])


def mean_displacement(old_pos: Mapping, new_pos: Mapping) -> float:
    """Mean Euclidean distance moved by the nodes present in both position maps."""
    common = [v for v in old_pos if v in new_pos]
    if not common:
        return 0.0
    a = np.asarray([old_pos[v] for v in common], float)
    b = np.asarray([new_pos[v] for v in common], float)
    return float(np.hypot(*(a - b).T).mean())
