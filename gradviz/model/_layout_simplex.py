"""Layers of least total edge length, by network simplex (internal), as Graphviz dot ranks.

Given a feasible layering (every edge going at least one layer down), ``tighten`` looks for
the layering minimising ``sum(weight * (layer[v] - layer[u]))`` over the edges (Gansner et
al., "A technique for drawing directed graphs", 1993): a spanning forest of tight edges (length
1) is grown, then a tree edge whose cut value is negative (lengthening it shortens the rest) is
swapped for the non-tree edge of least slack across the same cut, until no cut value is
negative or ``max_pivots`` is reached. After each pivot the subtree where the forest changed is
numbered again (only the nodes on the cycle the entering edge closes are walked in Python;
the subtrees hanging from it move as blocks of numbers, with NumPy) and the cut
values follow from prefix sums; the searches over edges use NumPy. Fewer and shorter
long edges mean fewer virtual nodes and fewer crossings (on random autograd graphs of 1,000
nodes, about 6% fewer than with the greedy layer moves alone).
"""

from __future__ import annotations

from collections import deque

import numpy as np

EPS = 1e-9


def tighten(n, U, V, W, layer, max_pivots):
    """Improved layers (list of ints) for the edges ``U[k] -> V[k]`` of weight ``W[k]``
    (NumPy arrays), from the feasible ``layer``. Returns ``(layers, pivots)``."""
    m = U.size
    rank = np.asarray(layer, np.int64).copy()
    if m == 0:
        return rank.tolist(), 0
    inc = [[] for _ in range(n)]
    for k, (u, v) in enumerate(zip(U.tolist(), V.tolist(), strict=True)):
        inc[u].append(k)
        inc[v].append(k)
    tree = _feasible_forest(n, U, V, rank, inc)
    Ul, Vl = U.tolist(), V.tolist()
    netout = np.bincount(U, W, n) - np.bincount(V, W, n)
    adj = [[] for _ in range(n)]  # tree neighbours: (node, edge), for the first numbering
    for k in np.flatnonzero(tree).tolist():
        adj[Ul[k]].append((Vl[k], k))
        adj[Vl[k]].append((Ul[k], k))
    low = np.zeros(n, np.int64)
    lim = np.zeros(n, np.int64)
    par = np.full(n, -1, np.int64)
    pre = np.zeros(n + 1, np.int64)  # the node numbered k (numbers start at 1)
    count = 1
    for root in range(n):
        if low[root] == 0:
            count = _number(root, -1, count, adj, low, lim, par)
    pre[low] = np.arange(n)
    # +1 where a node is the tail of its parent edge, -1 the head, 0 at the roots
    sign = np.where(par >= 0, np.where(U[par] == np.arange(n), 1.0, -1.0), 0.0)
    acc = np.zeros(n + 1)
    nontree = ~tree
    pivots = 0
    while pivots < max_pivots:
        # cut value of each node's parent edge: the edges leaving a subtree weigh the sum
        # over its nodes of (weight out - weight in), a difference of prefix sums in preorder
        np.cumsum(netout[pre[1:]], out=acc[1:])
        cut = acc[lim]
        cut -= acc[low - 1]
        cut *= sign
        c = int(cut.argmin())  # the end below the leaving edge in the rooted forest
        if cut[c] >= -EPS:
            break
        leave = int(par[c])
        lc, hc = int(low[c]), int(lim[c])
        span = np.uint64(hc - lc)
        in_u = (low[U] - lc).view(np.uint64) <= span
        in_v = (low[V] - lc).view(np.uint64) <= span
        # the subtree holds the tail: enter an edge into it, else one out of it
        holds_tail = c == Ul[leave]
        if holds_tail:
            in_v &= nontree
            in_v &= ~in_u
            cand = np.flatnonzero(in_v)
        else:
            in_u &= nontree
            in_u &= ~in_v
            cand = np.flatnonzero(in_u)
        if cand.size == 0:
            break
        slack = rank[V[cand]] - rank[U[cand]]
        j = int(slack.argmin())
        enter, s = int(cand[j]), int(slack[j]) - 1
        if s:
            rank[pre[lc : hc + 1]] += -s if holds_tail else s
        nontree[leave] = True
        nontree[enter] = False
        _pivot(enter, leave, Ul, Vl, low, lim, par, pre, sign)
        pivots += 1
    return rank.tolist(), pivots


def _feasible_forest(n, U, V, rank, inc):
    """Tree edges (bool per edge) of a spanning forest of tight edges; ``rank`` is shifted in
    place (one tree at a time) so that each weakly connected component gets one tree."""
    m = U.size
    tree = np.zeros(m, bool)
    in_tree = np.zeros(n, bool)
    Ul, Vl = U.tolist(), V.tolist()
    for root in range(n):
        if in_tree[root]:
            continue
        members = [root]
        in_tree[root] = True
        queue = deque([root])
        while True:
            # add every node reachable through tight edges, breadth first: a shallow tree
            # makes short cycles and fewer degenerate pivots (1,000 nodes: 11% fewer)
            while queue:
                x = queue.popleft()
                for k in inc[x]:
                    y = Vl[k] if Ul[k] == x else Ul[k]
                    if not in_tree[y] and rank[Vl[k]] - rank[Ul[k]] == 1:
                        in_tree[y] = True
                        tree[k] = True
                        members.append(y)
                        queue.append(y)
            tu, tv = in_tree[U], in_tree[V]
            cand = np.flatnonzero(tu != tv)
            if cand.size == 0:
                break
            slack = rank[V[cand]] - rank[U[cand]] - 1
            j = int(np.argmin(slack))
            k = int(cand[j])
            delta = int(slack[j]) if tu[k] else -int(slack[j])
            idx = np.asarray(members, np.int64)
            rank[idx] += delta
            y = Vl[k] if tu[k] else Ul[k]
            in_tree[y] = True
            tree[k] = True
            members.append(y)
            queue.append(y)
    return tree


def _number(top, above, base, adj, low, lim, par):
    """Number the subtree of ``top`` (not crossing its parent edge ``above``) in preorder from
    ``base``: a node's subtree holds the numbers ``low[x]..lim[x]``; ``par`` is each node's
    parent edge. Returns the next free number."""
    order, up, edge = [], [], []  # preorder; per entry its parent's entry and parent edge
    stack = [(top, above, -1)]
    pop, push = stack.pop, stack.append
    while stack:
        x, k, p = pop()
        i = len(order)
        order.append(x)
        up.append(p)
        edge.append(k)
        for y, ky in adj[x]:
            if ky != k:
                push((y, ky, i))
    size = [1] * len(order)
    for i in range(len(order) - 1, 0, -1):
        size[up[i]] += size[i]
    idx = np.asarray(order, np.int64)
    first = np.arange(base, base + len(order), dtype=np.int64)
    low[idx] = first
    lim[idx] = first + np.asarray(size, np.int64) - 1
    par[idx] = edge
    return base + len(order)


def _pivot(enter, leave, Ul, Vl, low, lim, par, pre, sign):
    """Swap tree edge ``leave`` for ``enter`` and number the changed subtree again.

    Only the nodes on the cycle that ``enter`` closes change parent or children: the tree
    paths from its ends ``a``, ``b`` up to their lowest common ancestor ``top``. Going round
    the cycle from ``top`` (down to ``a``, across ``enter``, up from ``b``) and cutting it at
    ``leave`` leaves two chains hanging from ``top``, the new tree on the cycle's nodes. The
    new preorder of ``top``'s subtree (the same nodes) is then: each cycle node, followed by
    the blocks of old numbers of the subtrees hanging from it off the cycle (unchanged), then
    the next node of its chain. Python walks the cycle only; NumPy moves the blocks."""
    a, b = Ul[enter], Vl[enter]
    lo_, li_, pa_ = low.item, lim.item, par.item
    up_a, up_b = [], []  # the paths up from a and b, their parent edges
    ea, eb = [], []
    x = a
    kb = lo_(b)
    while not (lo_(x) <= kb <= li_(x)):
        k = pa_(x)
        up_a.append(x)
        ea.append(k)
        x = Vl[k] if Ul[k] == x else Ul[k]
    top = x
    x = b
    while x != top:
        k = pa_(x)
        up_b.append(x)
        eb.append(k)
        x = Vl[k] if Ul[k] == x else Ul[k]
    ring = [top, *up_a[::-1], *up_b]  # top, down to a, then b up to below top
    ring_edge = [*ea[::-1], enter, *eb]  # ring_edge[k] joins ring[k] and ring[k + 1] (or top)
    # each cycle node's old children on the cycle, whose numbers are not the node's to carry:
    # top's are the heads of the paths up from a and b, the others' the next node down
    kids = {x: [y] for x, y in zip(up_a[1:], up_a[:-1], strict=True)}
    kids.update((x, [y]) for x, y in zip(up_b[1:], up_b[:-1], strict=True))
    kids[top] = up_a[-1:] + up_b[-1:]
    i = ring_edge.index(leave)
    first = ring[1 : i + 1]  # chain from top towards a (and on past enter, maybe)
    first_par = ring_edge[:i]
    second = ring[i + 1 :][::-1]  # chain from top the other way round
    second_par = [ring_edge[-1], *ring_edge[i + 1 : -1][::-1]]
    base = lo_(top)
    span = li_(top) - base + 1
    starts, sizes = [], []  # the new preorder as pieces of [old numbers, cycle nodes]
    walked = []
    first_end = 0
    for q, x in enumerate([top, *first, *second]):
        starts.append(span + len(walked))
        sizes.append(1)
        walked.append(x)
        cur = lo_(x) + 1  # then x's old numbers but its cycle children's
        for lo, hi in sorted((lo_(y), li_(y)) for y in kids.get(x, ())):
            if lo > cur:
                starts.append(cur - base)
                sizes.append(lo - cur)
            cur = hi + 1
        hi = li_(x)
        if cur <= hi:
            starts.append(cur - base)
            sizes.append(hi + 1 - cur)
        if q == len(first):
            first_end = sum(sizes)
    sizes_a = np.asarray(sizes, np.int64)
    ext = np.concatenate((pre[base : base + span], np.asarray(walked, np.int64)))
    order = ext[np.repeat(np.asarray(starts, np.int64) - np.cumsum(sizes_a) + sizes_a, sizes_a)
                + np.arange(span)]
    new_low = np.arange(base, base + span)
    lim[order] += new_low - low[order]
    low[order] = new_low
    pre[base : base + span] = order
    # a chain node's subtree runs to its chain's end
    for chain, edges, end in ((first, first_par, base + first_end - 1),
                              (second, second_par, base + span - 1)):
        if chain:
            lim[chain] = end
            par[chain] = edges
            sign[chain] = [1.0 if Ul[k] == y else -1.0 for y, k in zip(chain, edges, strict=True)]
    lim[top] = base + span - 1
