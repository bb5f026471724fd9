"""Edges of the layered graph split at virtual nodes, in bounded number (internal).

An edge spanning k layers takes part in crossing reduction as a chain of k - 1 virtual nodes,
one per layer crossed. A weight shared by every step of an unrolled loop has an edge to each
step, so the sum of the spans grows as the square of the depth. Here, the edges spanning more
than ``LONG`` layers that share an end point (a hub: a shared weight's AccumulateGrad above
its steps, a loss summing terms from every depth below them) share one chain of virtual
nodes, a trunk, from the hub to its farthest neighbour, with all the hub's edges spanning two
layers or more leaving it at the layer next to their other end (a bus; the straight edges
the view draws fan out along it). A trunk segment weighs the edges it carries. Trunks and
lone long edges are then admitted, cheapest per edge first, while the virtual nodes stay
within ``BUDGET`` per edge (plus ``FLOOR``); the edges left out are drawn straight and
placed by their other edges only.
"""

from __future__ import annotations

LONG = 8  # edges spanning more layers than this may share a trunk or be left out
BUDGET = 8  # virtual nodes per edge of the graph ...
FLOOR = 4000  # ... plus this many (small graphs keep every long edge)


def split_edges(layer, comp, edges, anchor_x):
    """Proper graph of ``edges`` ({(u, v): w}) on real nodes ``0..n-1`` with ``layer``.

    Returns ``(vlayer, vcomp, seg, key, cut, paths, trunks)``: layer and component per node (real
    ones first, then virtual), the segments ``(upper, lower, w, branch)`` between adjacent
    layers (``branch``: from a trunk to an end point), the seed
    x of virtual nodes (interpolated or below / above an anchored hub, from ``anchor_x``),
    the edges ``(upper, lower, w)`` left out and, per edge ``(upper, lower)`` drawn through
    virtual nodes, their ids from top to bottom (its bend points) or, for an edge along a
    trunk, ``(trunk, k)``: it follows the trunk's first ``k + 1`` nodes (``trunks``: the
    trunks' virtual ids from their hub on; returned last). Edges within a layer are dropped.
    """
    oriented = []  # (upper, lower, w, span), span >= 1, in edge order
    ndown: dict[int, int] = {}  # long edges per upper / lower end point
    nup: dict[int, int] = {}
    for (u, v), w in edges.items():
        lu, lv = layer[u], layer[v]
        if lu == lv:
            continue
        if lu > lv:
            u, v, lu, lv = v, u, lv, lu
        oriented.append((u, v, w, lv - lu))
        if lv - lu > LONG:
            ndown[u] = ndown.get(u, 0) + 1
            nup[v] = nup.get(v, 0) + 1
    down: dict[int, list] = {}  # hub -> [(lower, w)]: a trunk down from the hub
    up: dict[int, list] = {}  # hub -> [(upper, w)]: a trunk up from the hub
    route = []  # per oriented edge: None (alone) or the trunk it joins
    for u, v, w, span in oriented:
        cd, cu = ndown.get(u, 0), nup.get(v, 0)
        if span == 1 or max(cd, cu) < 2:
            route.append(None)
        elif cd >= cu:
            route.append(("down", u))
            down.setdefault(u, []).append((v, w))
        else:
            route.append(("up", v))
            up.setdefault(v, []).append((u, w))

    # admit trunks and lone long edges, cheapest (virtual nodes per edge) first
    budget = BUDGET * len(edges) + FLOOR
    used = 0
    optional = []
    for k, (*_, span) in enumerate(oriented):
        if route[k] is None:
            if span > LONG:
                optional.append((span - 1, span - 1, ("edge", k)))
            else:
                used += span - 1
    for kind, hubs in (("down", down), ("up", up)):
        for h, members in hubs.items():
            far = [layer[m] for m, _ in members]
            cost = max(far) - layer[h] - 1 if kind == "down" else layer[h] - min(far) - 1
            optional.append((cost / len(members), cost, (kind, h)))
    optional.sort(key=lambda t: t[:2])
    admitted = set()
    for _, cost, group in optional:
        if used + cost <= budget:
            used += cost
            admitted.add(group)

    vlayer = list(layer)
    vcomp = list(comp)
    seg: list[tuple] = []
    key: dict[int, float] = {}
    cut = []
    paths: dict[tuple[int, int], list[int] | tuple[int, int]] = {}
    trunks: list[range] = []
    for k, (u, v, w, span) in enumerate(oriented):
        group = route[k]
        if group is None:
            alone = span <= LONG or ("edge", k) in admitted
        else:  # the short edges of a trunk over budget go alone, its long ones are cut
            alone = group not in admitted and span <= LONG
            if group in admitted:
                continue
        if alone:
            first = len(vlayer)
            _chain(vlayer, vcomp, seg, key, anchor_x, u, v, w)
            if span > 1:
                paths[u, v] = list(range(first, len(vlayer)))
        else:
            cut.append((u, v, w))
    for kind, hubs in (("down", down), ("up", up)):
        for h, members in hubs.items():
            if (kind, h) in admitted:
                _trunk(vlayer, vcomp, seg, key, anchor_x, h, members, kind == "down",
                       paths, trunks)
    return vlayer, vcomp, seg, key, cut, paths, trunks


def _chain(vlayer, vcomp, seg, key, anchor_x, u, v, w):
    """One virtual node per layer strictly between u (above) and v."""
    lu, lv = vlayer[u], vlayer[v]
    xu, xv = anchor_x.get(u), anchor_x.get(v)
    prev = u
    for lay in range(lu + 1, lv):
        x = len(vlayer)
        vlayer.append(lay)
        vcomp.append(vcomp[u])
        if xu is not None and xv is not None:
            key[x] = xu + (xv - xu) * (lay - lu) / (lv - lu)
        seg.append((prev, x, w, False))
        prev = x
    seg.append((prev, v, w, False))


def _trunk(vlayer, vcomp, seg, key, anchor_x, hub, members, downward, paths, trunks):
    """A chain of virtual nodes from ``hub`` towards its farthest member; each member edge
    leaves it at the layer next to the member (its route into ``paths``, the trunk into
    ``trunks``: O(1) per member). Segments weigh the edges they carry."""
    lh = vlayer[hub]
    step = 1 if downward else -1
    far = max(vlayer[m] for m, _ in members) if downward else min(vlayer[m] for m, _ in members)
    n_t = abs(far - lh) - 1
    first = len(vlayer)
    hx = anchor_x.get(hub)
    for k in range(n_t):
        vlayer.append(lh + step * (k + 1))
        vcomp.append(vcomp[hub])
        if hx is not None:
            key[first + k] = hx
    carry = [0] * (n_t + 1)  # carry[k]: weight of the segment ending at trunk node k
    for m, w in members:
        k = abs(vlayer[m] - lh) - 2  # trunk node next to m
        t = first + k
        seg.append((t, m, w, True) if downward else (m, t, w, True))
        carry[k] += w
        paths[(hub, m) if downward else (m, hub)] = (len(trunks), k)
    trunks.append(range(first, first + n_t))
    for k in range(n_t - 2, -1, -1):
        carry[k] += carry[k + 1]
    prev = hub
    for k in range(n_t):
        t = first + k
        seg.append((prev, t, carry[k], False) if downward else (t, prev, carry[k], False))
        prev = t
