"""Graph preparation and layer assignment for :mod:`gradviz.model.layout` (internal).

Nodes are indexed ``0..n-1`` in graph order; edges are aggregated into a dict
``{(u, v): multiplicity}`` with self-loops dropped.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque

import numpy as np

from gradviz.model._layout_simplex import tighten

INF = float("inf")
# Ties between integer edge weights are broken by adding TIE / (out-degree of the tail +
# in-degree of the head) to each edge: the sums over a node's in- or out-edges stay below TIE
# (< 1), so only ties change, and of two edges that could be stretched the one at the busier
# neighbour is (a shared weight's AccumulateGrad keeps the long edges, a step's ops stay with
# their step).
TIE = 0.5
# network simplex pivots cost O(nodes) each (in NumPy; Python walks only the cycle a pivot
# closes): at most SIMPLEX_STEPS / nodes of them, enough for the optimum up to ~10,000 nodes;
# past SIMPLEX_MAX_NODES the greedy moves alone (there the first pivots change no layer)
SIMPLEX_STEPS = 30_000_000
SIMPLEX_MAX_NODES = 10_000


def index_graph(graph):
    """Return ``(nodes, index, edges)`` with parallel edges merged into multiplicities."""
    nodes = list(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges: Counter = Counter()
    for u, v in graph.edges():
        if u != v:
            edges[index[u], index[v]] += 1
    return nodes, index, edges


def _adjacency(n, edges):
    succ = [[] for _ in range(n)]
    pred = [[] for _ in range(n)]
    for (u, v), w in edges.items():
        succ[u].append((v, w))
        pred[v].append((u, w))
    return succ, pred


def _kahn(n, succ, pred):
    indeg = [len(p) for p in pred]
    queue = deque(i for i in range(n) if indeg[i] == 0)
    order = []
    while queue:
        v = queue.popleft()
        order.append(v)
        for s, _ in succ[v]:
            indeg[s] -= 1
            if indeg[s] == 0:
                queue.append(s)
    return order


def make_acyclic(n, edges):
    """Reverse a feedback edge set if the graph has cycles (greedy Eades-Lin-Smyth order:
    sinks last, sources first, else the node with most out- minus in-weight next; the edges
    pointing backwards in that order are reversed).

    Returns ``(edges, topo_order)``; reversed edges are merged with existing ones.
    """
    succ, pred = _adjacency(n, edges)
    order = _kahn(n, succ, pred)
    if len(order) == n:
        return edges, order
    rank = _greedy_order(n, succ, pred)
    fixed: Counter = Counter()
    for (u, v), w in edges.items():
        if rank[u] > rank[v]:
            fixed[v, u] += w
        else:
            fixed[u, v] += w
    succ, pred = _adjacency(n, fixed)
    return fixed, _kahn(n, succ, pred)


def _greedy_order(n, succ, pred):
    """Position of each node in the Eades-Lin-Smyth order (few edges point backwards)."""
    win = [sum(w for _, w in p) for p in pred]
    wout = [sum(w for _, w in s) for s in succ]
    alive = [True] * n
    heap = [(win[v] - wout[v], v) for v in range(n)]
    heapq.heapify(heap)
    ends = deque(v for v in range(n) if win[v] == 0 or wout[v] == 0)
    head: list[int] = []
    tail: list[int] = []

    def remove(v):
        alive[v] = False
        for s, w in succ[v]:
            if alive[s]:
                win[s] -= w
                if win[s] == 0:
                    ends.append(s)
                heapq.heappush(heap, (win[s] - wout[s], s))
        for p, w in pred[v]:
            if alive[p]:
                wout[p] -= w
                if wout[p] == 0:
                    ends.append(p)
                heapq.heappush(heap, (win[p] - wout[p], p))

    left = n
    while left:
        if ends:
            v = ends.popleft()
            if not alive[v]:
                continue
            (tail if wout[v] == 0 else head).append(v)
        else:
            d, v = heapq.heappop(heap)
            if not alive[v] or d != win[v] - wout[v]:
                continue
            head.append(v)
        remove(v)
        left -= 1
    rank = [0] * n
    for i, v in enumerate(head + tail[::-1]):
        rank[v] = i
    return rank


def components(n, edges):
    """Weakly connected component id per node, numbered in order of first node."""
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for u, v in edges:
        ru, rv = find(u), find(v)
        if ru != rv:
            if ru < rv:
                parent[rv] = ru
            else:
                parent[ru] = rv
    comp = [0] * n
    ids: dict[int, int] = {}
    for i in range(n):
        comp[i] = ids.setdefault(find(i), len(ids))
    return comp


def assign_layers(n, edges, topo, comp, fixed, pref, passes=8):
    """Layer per node: longest path from the sources, then a pass shortening edges.

    ``fixed`` ({node: layer}) are hard (pinned) layers, ``pref`` soft ones (from a previous
    layout). Components with neither are shifted so that their top layer is 0.
    """
    succ, pred = _adjacency(n, edges)
    ub = [INF] * n
    for v in reversed(topo):
        b = fixed.get(v, pref.get(v, INF))
        for s, _ in succ[v]:
            if ub[s] - 1 < b:
                b = ub[s] - 1
        ub[v] = b
    layer = [0] * n
    for v in topo:
        if v in fixed:
            layer[v] = fixed[v]
            continue
        lb = max((layer[p] + 1 for p, _ in pred[v]), default=None)
        want = ub[v] if ub[v] < INF else None
        if lb is None:
            layer[v] = 0 if want is None else want
        elif want is None or want < lb:
            layer[v] = lb
        else:
            layer[v] = want
    anchored = {comp[v] for v in fixed} | {comp[v] for v in pref}
    low: dict[int, int] = {}
    for v in range(n):
        c = comp[v]
        if c not in anchored and layer[v] < low.get(c, INF):
            low[c] = layer[v]
    if low:
        for v in range(n):
            if comp[v] in low:
                layer[v] -= low[comp[v]]
    win = [0.0] * n
    wout = [0.0] * n
    for (u, v), w in edges.items():
        tw = w + TIE / (len(succ[u]) + len(pred[v]))
        wout[u] += tw
        win[v] += tw
    anchors = set(fixed) | set(pref)
    ids = ([[p for p, _ in ps] for ps in pred], [[s for s, _ in ss] for ss in succ])
    for _ in range(passes):
        moved = _node_moves(layer, topo, ids, win, wout, fixed, pref, passes)
        moved += _path_moves(layer, topo, pred, succ, win, wout, anchors)
        moved += _block_moves(n, layer, edges, anchors)
        if not moved:
            break
    if not anchors and edges and n <= SIMPLEX_MAX_NODES:
        # a fresh layout: least total edge length, as dot's ranks
        uv = np.fromiter((k for e in edges for k in e), np.int64, 2 * len(edges)).reshape(-1, 2)
        U, V = uv[:, 0], uv[:, 1]
        tw = [w + TIE / (len(succ[u]) + len(pred[v])) for (u, v), w in edges.items()]
        layer, _ = tighten(n, U, V, np.asarray(tw), layer, SIMPLEX_STEPS // n)
        low = {}
        for v in range(n):
            if layer[v] < low.get(comp[v], INF):
                low[comp[v]] = layer[v]
        layer = [y - low[c] for y, c in zip(layer, comp, strict=True)]
    return layer


def _node_moves(layer, topo, ids, win, wout, fixed, pref, passes):
    """Move single nodes down / up while that shortens their edges; number of moves."""
    rev = topo[::-1]
    moves = 0
    pids, sids = ids
    at = layer.__getitem__
    for it in range(passes):
        changed = False
        for v in rev if it % 2 == 0 else topo:
            if v in fixed:
                continue
            pv, sv = pids[v], sids[v]
            lo = max(map(at, pv)) + 1 if pv else None
            hi = min(map(at, sv)) - 1 if sv else None
            if lo is not None and hi is not None and lo > hi:
                continue
            cur = layer[v]
            if v in pref:
                t = pref[v]
                if lo is not None and t < lo:
                    t = lo
                if hi is not None and t > hi:
                    t = hi
            elif wout[v] > win[v]:
                t = hi
            elif win[v] > wout[v]:
                t = lo
            else:
                t = cur
            if t != cur:
                layer[v] = t
                changed = True
                moves += 1
        if not changed:
            break
    return moves


def _path_moves(layer, topo, pred, succ, win, wout, anchors):
    """Move each tight path of nodes with one parent and one child (a weight's TBackward0 ->
    MmBackward0 at step t) as a unit to the end whose edge weighs more; number of moves."""
    moves = 0
    inner = [len(p) == 1 and len(s) == 1 for p, s in zip(pred, succ, strict=True)]
    for v in anchors:
        inner[v] = False
    for v in topo:
        if not inner[v]:
            continue
        u = pred[v][0][0]
        if inner[u] and layer[u] + 1 == layer[v]:
            continue  # not the head of a path
        path = [v]
        c = succ[v][0][0]
        while inner[c] and layer[c] == layer[path[-1]] + 1:
            path.append(c)
            c = succ[c][0][0]
        if len(path) < 2:
            continue
        if wout[path[-1]] > win[v]:
            shift = layer[c] - 1 - layer[path[-1]]
        elif win[v] > wout[path[-1]]:
            shift = layer[u] + 1 - layer[v]
        else:
            continue
        if shift:
            for p in path:
                layer[p] += shift
            moves += 1
    return moves


def _block_moves(n, layer, edges, anchors, rounds=64):
    """Move whole components of the tight-edge subgraph (edges of length 1) down or up
    while that shortens the edges leaving them (a greedy take on network simplex's
    feasible-tree phase: e.g. a parameter's AccumulateGrad -> TBackward0 pair drops to just
    above its MmBackward0). Components holding pinned / previous nodes stay. Returns the
    number of moves; ``layer`` is updated in place."""
    if not edges:
        return 0
    uv = np.fromiter((k for e in edges for k in e), np.int64, 2 * len(edges)).reshape(-1, 2)
    U, V = uv[:, 0], uv[:, 1]
    W = np.fromiter(edges.values(), float, len(edges))
    y = np.asarray(layer, np.int64)
    anchor_arr = np.zeros(n, bool)
    for v in anchors:
        anchor_arr[v] = True
    moves = 0
    for _ in range(rounds):
        length = y[V] - y[U]
        tight = np.flatnonzero(length == 1)
        lab = _labels(n, U[tight], V[tight])
        cu, cv = lab[U], lab[V]
        cross = np.flatnonzero((cu != cv) & (length > 0))
        if cross.size == 0:
            break
        cu, cv, wc, slack = cu[cross], cv[cross], W[cross], length[cross] - 1
        w_out = np.bincount(cu, wc, minlength=n)
        w_in = np.bincount(cv, wc, minlength=n)
        s_out = np.full(n, np.iinfo(np.int64).max)
        s_in = s_out.copy()
        np.minimum.at(s_out, cu, slack)
        np.minimum.at(s_in, cv, slack)
        stuck = np.zeros(n, bool)
        stuck[lab[anchor_arr]] = True
        net = w_out - w_in
        delta = np.where(net > 0, s_out, np.where(net < 0, -s_in, 0))
        cand = np.flatnonzero((net != 0) & ~stuck & (delta != 0))
        if cand.size == 0:
            break
        gain = np.abs(net[cand] * delta[cand])
        cand = cand[np.argsort(-gain, kind="stable")]
        nbrs: dict[int, set] = {}
        for a, b in zip(cu.tolist(), cv.tolist(), strict=True):
            nbrs.setdefault(a, set()).add(b)
            nbrs.setdefault(b, set()).add(a)
        taken: set[int] = set()
        blocked: set[int] = set()
        for c in cand.tolist():
            if c in blocked:
                continue
            taken.add(c)
            blocked.add(c)
            blocked |= nbrs.get(c, set())
        shift = np.zeros(n, np.int64)
        idx = np.fromiter(taken, np.int64, len(taken))
        shift[idx] = delta[idx]
        y += shift[lab]
        moves += len(taken)
    layer[:] = y.tolist()
    return moves


def _labels(n, us, vs):
    """Connected component label (its smallest node) per node: hooking and pointer jumping
    with NumPy, O(log n) rounds."""
    lab = np.arange(n, dtype=np.int64)
    U = np.asarray(us, np.int64)
    V = np.asarray(vs, np.int64)
    while U.size:
        lu, lv = lab[U], lab[V]
        diff = lu != lv
        if not diff.any():
            break
        lu, lv, U, V = lu[diff], lv[diff], U[diff], V[diff]
        np.minimum.at(lab, np.maximum(lu, lv), np.minimum(lu, lv))
        while True:
            nxt = lab[lab]
            if np.array_equal(nxt, lab):
                break
            lab = nxt
    return lab
