"""Horizontal coordinate assignment for :mod:`gradviz.model.layout` (internal).

Iterative median alignment with minimum separation: layers are swept down and up; in each
layer every node gets a target (the median x of its neighbours in the layer just placed,
blended with its previous x) and a weight (virtual chains weigh most, so long edges and
chains straighten; the virtual nodes of a long edge aim at the straight line between its
ends and the ends at the x that puts the line through them, so that long edges, drawn
through their virtual nodes, are nearly straight), and the layer is placed by weighted
isotonic regression (pool adjacent violators) under the separation constraints
``x[k+1] - x[k] >= gap[k]``; pinned nodes are hard bounds.
"""

from __future__ import annotations

import numpy as np

NO_NEIGHBOUR_WEIGHT = 0.05
PREVIOUS_WEIGHT = 100.0
OMEGA = (1.0, 2.0, 8.0)  # edge weight by number of virtual end points (as in dot)
BRANCH = 0.5  # an edge leaving a shared trunk: lighter than the node's own edges
VGAP = 1.0
VGAP_PREVIOUS = 0.5
# Long edges are drawn through their virtual nodes (layout.layered's routes), and look best
# nearly straight: a virtual node aims at the line between the edge's ends (weight
# LINE_WEIGHT) and each end at the x that would put the line through the virtual node
# (END_WEIGHT, times the square of the end's share in the line's x there).
LINE_WEIGHT = 8.0
END_WEIGHT = 8.0


def isotonic(y, w):
    """Weighted least-squares non-decreasing fit of ``y`` (pool adjacent violators)."""
    vals: list[float] = []
    wts: list[float] = []
    cnts: list[int] = []
    for v, ww in zip(y, w, strict=True):
        c = 1
        while vals and vals[-1] > v:
            pw = wts.pop()
            v = (vals.pop() * pw + v * ww) / (pw + ww)
            ww += pw
            c += cnts.pop()
        vals.append(v)
        wts.append(ww)
        cnts.append(c)
    if len(vals) == len(y):
        return vals
    out: list[float] = []
    for v, c in zip(vals, cnts, strict=True):
        out.extend([v] * c)
    return out


def place_row(t, w, offs, pins):
    """Positions for one ordered row: minimise sum w (x - t)^2 with x[k] - offs[k]
    non-decreasing (``offs`` = cumulative separations) and pinned indices exact."""
    y = [a - b for a, b in zip(t, offs, strict=True)]
    if not pins:
        fit = isotonic(y, w)
        return [a + b for a, b in zip(fit, offs, strict=True)]
    out = [0.0] * len(t)
    lo_y = -np.inf
    lo_k = 0
    for k, px in [*pins, (len(t), None)]:
        hi_y = np.inf if px is None else px - offs[k]
        if k > lo_k:
            fit = isotonic(y[lo_k:k], w[lo_k:k])
            for j, v in enumerate(fit, lo_k):
                v = min(max(v, lo_y), hi_y) if lo_y <= hi_y else lo_y
                out[j] = v + offs[j]
        if px is not None:
            out[k] = px
            lo_y = px - offs[k]
            lo_k = k + 1
    return out


def assign_x(P, width, pin_x, prev_x, node_gap, sweeps=8):
    """x per proper-graph node id. ``width``: array per id; ``pin_x``/``prev_x``: {id: x}."""
    N = P.N
    x = [0.0] * N
    if N == 0:
        return np.zeros(0)
    real = P.is_real.tolist()
    up = [[] for _ in range(N)]
    dn = [[] for _ in range(N)]
    branches = set()
    segs = zip(P.eu.tolist(), P.el.tolist(), P.ew.tolist(), P.branch.tolist(), strict=True)
    for a, b, w, branch in segs:
        c = OMEGA[(not real[a]) + (not real[b])] * w
        if branch:
            c = BRANCH * w
            branches.add(b)
        up[b].append((a, c))
        dn[a].append((b, c))
    comp = P.group.tolist()
    wid = width.tolist()
    rows_by_comp: dict[int, list] = {}
    perm = P.perm.tolist()
    start = P.start.tolist()
    vgap = node_gap * (VGAP_PREVIOUS if prev_x else VGAP)
    half = [w * 0.5 for w in wid]

    def sep(a, b):
        return half[a] + half[b] + (node_gap if real[a] and real[b] else vgap)

    for i in range(P.L):
        row = perm[start[i] : start[i + 1]]
        k = 0
        while k < len(row):
            c = comp[row[k]]
            j = k + 1
            while j < len(row) and comp[row[j]] == c:
                j += 1
            ids = row[k:j]
            if pin_x and sum(1 for v in ids if v in pin_x) > 1:
                ids = _clear_pin_gaps(ids, pin_x, sep)
            offs = [0.0]
            acc = 0.0
            prev = ids[0]
            for v in ids[1:]:
                acc += sep(prev, v)
                offs.append(acc)
                prev = v
            pins = [(q, pin_x[v]) for q, v in enumerate(ids) if v in pin_x] if pin_x else []
            rows_by_comp.setdefault(c, []).append((ids, offs, pins))
            k = j
    lines = _lines(P, real, up, dn)
    for rows in rows_by_comp.values():
        _sweep_component(rows, x, up, dn, prev_x, sweeps, lines)
    _straighten_chains(rows_by_comp, x, up, dn, pin_x, real, branches)
    return np.asarray(x)


def _clear_pin_gaps(ids, pin_x, sep):
    """Move nodes that do not fit between two pinned nodes of a row to the right of them."""
    ids = list(ids)
    p = None
    q = 0
    while q < len(ids):
        if ids[q] in pin_x:
            if p is not None and q > p + 1:
                need = sum(sep(ids[k - 1], ids[k]) for k in range(p + 1, q + 1))
                if pin_x[ids[q]] - pin_x[ids[p]] < need - 1e-9:
                    ids[p + 1 : q + 1] = [ids[q], *ids[p + 1 : q]]
                    q = p + 1
            p = q
        q += 1
    return ids


def _chains(x, up, dn, branches):
    """Maximal paths u -> v -> ... where each link is u's only child and v's only parent
    (links leaving a trunk, into ``branches``, excepted)."""
    out = []
    for v in range(len(x)):
        if len(up[v]) == 1 and len(dn[up[v][0][0]]) == 1 and v not in branches:
            continue  # not the head of a chain
        chain = [v]
        while len(dn[chain[-1]]) == 1:
            nxt = dn[chain[-1]][0][0]
            if len(up[nxt]) != 1 or nxt in branches:
                break
            chain.append(nxt)
        if len(chain) > 1:
            out.append(chain)
    return out


def _straighten_chains(rows_by_comp, x, up, dn, pin_x, real, branches):
    """Make chains vertical lines: first where the rows leave room as they are, then, for
    chains of real nodes (longest first), by pushing the other nodes of their rows aside
    (minimal moves, pinned and already straightened nodes stay)."""
    where = {}
    rows = []
    for comp_rows in rows_by_comp.values():
        for row in comp_rows:
            r = len(rows)
            rows.append(row)
            for q, v in enumerate(row[0]):
                where[v] = (r, q)
    hard: dict[int, dict[int, float]] = {}
    for v, px in pin_x.items():
        r, q = where[v]
        hard.setdefault(r, {})[q] = px
    chains = _chains(x, up, dn, branches)
    chains.sort(key=len, reverse=True)
    for chain in chains:
        pinned = {pin_x[c] for c in chain if c in pin_x}
        if len(pinned) > 1:
            continue
        xs = sorted(x[c] for c in chain)
        if not pinned and xs[-1] - xs[0] < 1e-9:
            continue
        t = pinned.pop() if pinned else xs[len(xs) // 2]
        left, right = -np.inf, np.inf
        for c in chain:
            r, q = where[c]
            ids, offs, _ = rows[r]
            if q > 0:
                left = max(left, x[ids[q - 1]] + offs[q] - offs[q - 1])
            if q + 1 < len(ids):
                right = min(right, x[ids[q + 1]] - offs[q + 1] + offs[q])
        if left <= right + 1e-9 and (not pin_x or left - 1e-9 <= t <= right + 1e-9):
            t = min(max(t, left), right)
            for c in chain:
                x[c] = t
            continue
        if not all(real[c] for c in chain) or len(chain) < 3:
            continue
        ok = True
        for c in chain:  # pinned / straightened nodes of the rows must leave room at t
            r, q = where[c]
            offs = rows[r][1]
            for k, xk in hard.get(r, {}).items():
                if k != q and (t - xk) * (1 if k < q else -1) < abs(offs[q] - offs[k]) - 1e-9:
                    ok = False
                    break
            if not ok:
                break
        if not ok:
            continue
        for c in chain:
            r, q = where[c]
            ids, offs, _ = rows[r]
            fixed = hard.setdefault(r, {})
            fixed[q] = t
            target = [x[v] for v in ids]
            weights = [1.0] * len(ids)
            pos = place_row(target, weights, offs, sorted(fixed.items()))
            for v, p in zip(ids, pos, strict=True):
                x[v] = p


def _lines(P, real, up, dn):
    """``{virtual node: (top end, bottom end, fraction)}`` for the virtual nodes of plain long
    edges (not trunks): the view draws the edge as a straight line from its top end to its
    bottom end, which passes the virtual node's layer at ``fraction`` of the way."""
    lay = P.layer.tolist()
    out = {}
    for a in range(len(real)):
        if not real[a]:
            continue
        for v, _ in dn[a]:
            if real[v]:
                continue
            chain = []
            while not real[v] and len(up[v]) == 1 and len(dn[v]) == 1:
                chain.append(v)
                v = dn[v][0][0]
            if not real[v] or not chain or len(up[chain[0]]) != 1:
                continue
            span = lay[v] - lay[a]
            for c in chain:
                out[c] = (a, v, (lay[c] - lay[a]) / span)
    return out


def _sweep_component(rows, x, up, dn, prev_x, sweeps, lines):
    ends = {}
    for vv, (a, b, tt) in lines.items():
        ends.setdefault(a, []).append((vv, b, tt, True))
        ends.setdefault(b, []).append((vv, a, tt, False))
    any_pins = False
    for ids, offs, pins in rows:  # initial: packed and centred (or previous / pinned)
        c = offs[-1] * 0.5
        for v, o in zip(ids, offs, strict=True):
            x[v] = prev_x.get(v, o - c)
        if pins or prev_x:
            any_pins = any_pins or bool(pins)
            pos = place_row([x[v] for v in ids], [1.0] * len(ids), offs, pins)
            for v, p in zip(ids, pos, strict=True):
                x[v] = p
    if len(rows) < 2 and not any_pins and not prev_x:
        return
    moved = 0.0
    for s in range(sweeps):
        down = s % 2 == 0
        adj = up if down else dn
        for ids, offs, pins in rows if down else reversed(rows):
            if len(ids) == 1 and not pins:  # a row of one: its target, as place_row would
                v = ids[0]
                tv = prev_x.get(v)
                if tv is None:
                    nb = adj[v]
                    if not nb:
                        continue
                    if len(nb) == 1:
                        tv = x[nb[0][0]]
                    else:
                        tv = _weighted_median([(x[u], c) for u, c in nb])[0]
                d = abs(tv - x[v])
                if d > moved:
                    moved = d
                x[v] = tv
                continue
            t = []
            w = []
            for v in ids:
                px = prev_x.get(v) if prev_x else None
                ln = lines.get(v)
                if px is not None:
                    tv = px
                    wv = PREVIOUS_WEIGHT
                elif ln is not None:
                    a = x[ln[0]]
                    tv = a + (x[ln[1]] - a) * ln[2]
                    wv = LINE_WEIGHT
                else:
                    nb = adj[v]
                    if not nb:
                        tv = x[v]
                        wv = NO_NEIGHBOUR_WEIGHT
                    elif len(nb) == 1:
                        u, wv = nb[0]
                        tv = x[u]
                    else:
                        tv, wv = _weighted_median([(x[u], c) for u, c in nb])
                    en = ends.get(v) if ends else None
                    if en:  # least squares: the lines through v pass their virtual nodes
                        acc = tv * wv
                        tot = wv
                        for vv, o, tt, mine in en:
                            if mine:  # v is the top end: x_vv = (1 - tt) x_v + tt x_o
                                q = (x[vv] - tt * x[o]) / (1 - tt)
                                ww = END_WEIGHT * (1 - tt) ** 2
                            else:
                                q = (x[vv] - (1 - tt) * x[o]) / tt
                                ww = END_WEIGHT * tt * tt
                            acc += q * ww
                            tot += ww
                        tv = acc / tot
                        wv = tot
                t.append(tv)
                w.append(wv)
            for v, p in zip(ids, place_row(t, w, offs, pins), strict=True):
                d = abs(p - x[v])
                if d > moved:
                    moved = d
                x[v] = p
        if not down:  # a sweep down and up that moved nothing: later ones would not either
            if moved < 1e-12:
                break
            moved = 0.0


def _weighted_median(pairs):
    """(weighted median of the x values, total weight) of ``[(x, weight), ...]``."""
    pairs.sort()
    total = 0.0
    for _, c in pairs:
        total += c
    half = total * 0.5
    acc = 0.0
    for k, (xv, c) in enumerate(pairs):
        acc += c
        if acc > half + 1e-12:
            return xv, total
        if abs(acc - half) <= 1e-12:
            return (xv + pairs[k + 1][0]) * 0.5, total
    return pairs[-1][0], total
