"""Incremental layout for :mod:`gradviz.model.layout` (internal): which previous positions are
kept exactly, and the fast path that places a few new nodes among kept ones.

A statement typed in the console adds a handful of nodes to a graph that is already drawn. The
nodes drawn before keep their exact position (``keep_previous``) when it is still valid: on the
layer grid, not overlapping another kept or pinned node, and with the edges between kept /
pinned nodes pointing down. When only a few nodes are new, ``insert_nodes`` places them without
a full layout: each gets the layer just below its inputs (a new source just above its first
consumer) and the free place of that layer nearest to the median x of its placed neighbours,
in O(new nodes x row width) after one pass over the kept nodes. New nodes not connected to any
kept one (a fresh component, an isolated leaf) are laid out on their own and put on the right.

Node ids here are the indices ``0..n-1`` of :func:`gradviz.model._layout_rank.index_graph`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque

GRID = 1e-6  # a previous y this far (in layers) from the layer grid is still on it


def keep_previous(prev, pin, width, edges, gap, node_gap):
    """``(kept, layer)``: the previous positions ``{i: (x, y)}`` that stay exactly where they
    are, and the layer of the pinned nodes and of the previous ones on the grid whose edges
    point the right way (kept or not, for overlaps).

    ``prev``/``pin``: ``{i: (x, y)}`` (pinned nodes are never in ``prev``); ``width``: per
    node; ``edges``: ``{(u, v): w}`` (acyclic). A previous node is dropped (and laid out again)
    when its y is off the layer grid, when an edge joins it to a kept or pinned node that is
    not below (above) it, or when it overlaps a pinned node or a kept node on its left.
    """
    layer = {}
    for i, (_, y) in prev.items():
        f = y / gap
        r = round(f)
        if abs(f - r) <= GRID:
            layer[i] = r
    for i, (_, y) in pin.items():
        layer[i] = round(y / gap)
    bad = set()
    for u, v in edges:
        lu, lv = layer.get(u), layer.get(v)
        if lu is not None and lv is not None and lu >= lv:
            bad.update(k for k in (u, v) if k not in pin)
    for i in bad:
        del layer[i]
    rows: dict[int, list] = {}
    for i, lay in layer.items():
        x = pin[i][0] if i in pin else prev[i][0]
        rows.setdefault(lay, []).append((x, i in pin, i))
    kept = {}
    for row in rows.values():
        row.sort()
        pins = [(x, i) for x, is_pin, i in row if is_pin]
        pin_x = [x for x, _ in pins]
        last = None  # the last kept previous node of the row: (x, half width)
        for x, is_pin, i in row:
            if is_pin:
                continue
            h = width[i] / 2
            if last is not None and x - last[0] < last[1] + h + node_gap - 1e-9:
                continue
            if pins:
                k = bisect_left(pin_x, x)
                near = pins[max(k - 1, 0) : k + 1]
                if any(abs(x - px) < width[j] / 2 + h + node_gap - 1e-9 for px, j in near):
                    continue
            kept[i] = prev[i]
            last = (x, h)
    return kept, layer


def insert_nodes(n, edges, fixed, layer, width, gap, node_gap, lay_out_apart):
    """Positions ``{i: (x, y)}`` of the nodes not in ``fixed`` (``{i: (x, y)}``, kept as they
    are, on the layers ``layer``), or None when they do not fit between the fixed layers (the
    caller then lays out the whole graph). ``lay_out_apart(ids)`` lays out the new nodes
    joined to no fixed one: it returns ``{i: (x, y)}`` with its top layer at y = 0, which is
    moved to the right of the drawing."""
    new = [i for i in range(n) if i not in fixed]
    if not new:
        return {}
    is_new = [False] * n
    for i in new:
        is_new[i] = True
    pred: dict[int, list] = {i: [] for i in new}
    succ: dict[int, list] = {i: [] for i in new}
    for u, v in edges:
        if is_new[v]:
            pred[v].append(u)
        if is_new[u]:
            succ[u].append(v)
    layer = {i: layer[i] for i in fixed}
    topo = _topo(new, pred, succ, is_new)
    down = []  # placed from their inputs, in topological order
    for v in topo:
        lbs = [layer[p] + 1 for p in pred[v] if p in layer]
        if lbs:
            layer[v] = max(lbs)
            down.append(v)
    up = []  # new sources (and what only they feed), placed from their consumers
    for v in reversed(topo):
        if v in layer:
            continue
        ubs = [layer[s] - 1 for s in succ[v] if s in layer]
        if ubs:
            layer[v] = min(ubs)
            up.append(v)
    for v in new:
        for s in succ[v]:
            if s in layer and v in layer and layer[v] >= layer[s]:
                return None
        for p in pred[v]:
            if p in layer and v in layer and layer[p] >= layer[v]:
                return None
    rows: dict[int, tuple[list, list]] = {layer[v]: ([], []) for v in down + up}
    right = None
    for i, (x, _) in fixed.items():
        r = x + width[i] / 2
        if right is None or r > right:
            right = r
        row = rows.get(layer[i])
        if row is not None:
            row[0].append(x)
            row[1].append(i)
    for xs, ids in rows.values():
        o = sorted(range(len(xs)), key=xs.__getitem__)
        xs[:] = [xs[k] for k in o]
        ids[:] = [ids[k] for k in o]
    pos = {}
    for v, nbrs in [(v, pred[v]) for v in down] + [(v, succ[v]) for v in up]:
        known = sorted(_x(u, fixed, pos) for u in nbrs if u in fixed or u in pos)
        target = known[len(known) // 2] if len(known) % 2 else _mid(known)
        xs, ids = rows[layer[v]]
        x = _free_place(xs, ids, width, v, target, node_gap)
        k = bisect_left(xs, x)
        xs.insert(k, x)
        ids.insert(k, v)
        pos[v] = (x, layer[v] * gap)
        r = x + width[v] / 2
        if right is None or r > right:
            right = r
    apart = [v for v in new if v not in layer]
    if apart:
        sub = lay_out_apart(apart)
        left = min(sub[v][0] - width[v] / 2 for v in apart)
        shift = (0.0 if right is None else right + 2 * node_gap) - left
        for v in apart:
            pos[v] = (sub[v][0] + shift, sub[v][1])
    return pos


def _x(u, fixed, pos):
    return fixed[u][0] if u in fixed else pos[u][0]


def _mid(known):
    if not known:
        return 0.0
    k = len(known) // 2
    return (known[k - 1] + known[k]) / 2


def _topo(new, pred, succ, is_new):
    indeg = {v: sum(1 for p in pred[v] if is_new[p]) for v in new}
    queue = deque(v for v in new if indeg[v] == 0)
    out = []
    while queue:
        v = queue.popleft()
        out.append(v)
        for s in succ[v]:
            if is_new[s]:
                indeg[s] -= 1
                if indeg[s] == 0:
                    queue.append(s)
    return out


def _free_place(xs, ids, width, v, target, node_gap):
    """The x nearest to ``target`` where node ``v`` overlaps none of the row ``xs`` (sorted
    centres of the nodes ``ids``)."""
    h = width[v] / 2

    def lo_of(j):  # leftmost x right of node j
        return xs[j] + width[ids[j]] / 2 + h + node_gap

    def hi_of(j):  # rightmost x left of node j
        return xs[j] - width[ids[j]] / 2 - h - node_gap

    k = bisect_left(xs, target)
    best = None
    # gaps g = k, k+1, ... (right of target) and k, k-1, ... (left): gap g lies between
    # nodes g - 1 and g
    for g in range(k, len(xs) + 1):
        lo = lo_of(g - 1) if g > 0 else float("-inf")
        hi = hi_of(g) if g < len(xs) else float("inf")
        if lo <= hi:
            best = min(max(target, lo), hi)
            break
    for g in range(k, -1, -1):
        lo = lo_of(g - 1) if g > 0 else float("-inf")
        hi = hi_of(g) if g < len(xs) else float("inf")
        if lo <= hi:
            cand = min(max(target, lo), hi)
            if best is None or abs(cand - target) < abs(best - target):
                best = cand
            break
    return best

