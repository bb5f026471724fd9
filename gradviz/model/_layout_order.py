"""Proper layered graph (virtual nodes) and crossing reduction for :mod:`gradviz.model.layout`:
dot's mincross in :mod:`._layout_mincross` up to a few thousand nodes, beyond it barycenter
sweeps vectorised over the layers here; which edges get which virtual nodes in
:mod:`._layout_route`, transposition and sifting in :mod:`._layout_moves`.

Internal. Node ids of the proper graph are layer-major: layer ``i`` holds the ids
``start[i]..start[i+1]-1``; ``perm[start[i]:start[i+1]]`` is the current left-to-right order of
the layer and ``slot[id]`` the inverse permutation (global slot of a node).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from gradviz.model._layout_mincross import Mincross
from gradviz.model._layout_moves import LocalMoves
from gradviz.model._layout_route import split_edges

SMALL = 16  # layers up to this many nodes are swept in plain Python, larger with NumPy
POLISH_BOTH = 4000  # proper-graph nodes up to which both orderings are sifted
# proper graphs up to this many nodes, with layers up to DOT_LAYER nodes, are ordered as dot
# does (:mod:`._layout_mincross`), larger ones by the vectorised sweeps here (at 3,800 nodes,
# an unrolled MLP, dot's way takes twice as long for 1% fewer crossings)
DOT_NODES = 3500
DOT_LAYER = 200
DOT_MAX_ITER, DOT_MIN_QUIT, DOT_START_ITER = 24, 8, 4  # dot's MaxIter, MinQuit, and 4
# ... but the start from the sources is first swept twice (random DAGs: 2.6% fewer crossings
# at 1,000 nodes; the one from the sinks is not: the sweeps lose a third on unrolled MLPs),
# and the iterations stop once transpositions have looked at DOT_WORK nodes per node (their
# equal swaps can go on for long: dot's ~140 per node give ~1% fewer crossings in twice the
# time)
DOT_PRESWEEPS = (2,)  # sweeps before each start from the sources ...
DOT_PRESWEEPS_SINKS = (0,)  # ... and from the sinks
DOT_WORK = 60
# past DOT_AGAIN_FROM nodes, the iterations go on from the sifted ordering, with DOT_AGAIN
# looks per node (random DAGs of 1,000 nodes: 0.8% fewer crossings for a quarter more time;
# of 300 nodes: no gain)
DOT_AGAIN_FROM = 1000
DOT_AGAIN = 20


def inversions(vals, weights=None, levels=None):
    """Weighted number of pairs ``i < j`` with ``vals[i] > vals[j]``.

    ``vals`` are non-negative ints. If ``levels`` is given, the sequence must already be
    sorted by ``vals >> levels`` (groups), and only inversions inside the groups exist, so
    only the low ``levels`` bits are examined: O(n * levels) with NumPy.
    """
    vals = np.asarray(vals, dtype=np.int64)
    n = vals.size
    if n < 2:
        return 0
    if levels is None:
        levels = int(vals.max()).bit_length()
    w = np.ones(n, np.int64) if weights is None else np.asarray(weights, np.int64)
    ar = np.arange(n)
    total = 0
    for b in range(levels - 1, -1, -1):
        prefix = vals >> (b + 1)
        bit = (vals >> b) & 1
        newg = np.empty(n, bool)
        newg[0] = True
        np.not_equal(prefix[1:], prefix[:-1], out=newg[1:])
        gstart = np.flatnonzero(newg)
        gfirst = gstart[np.cumsum(newg) - 1]
        ones_w = w * bit
        excl = np.cumsum(ones_w) - ones_w
        before = excl - excl[gfirst]
        total += int((before * (w - ones_w)).sum())
        if b == 0:
            break
        zero = 1 - bit
        zex = np.cumsum(zero) - zero
        zbefore = zex - zex[gfirst]
        zcount = np.add.reduceat(zero, gstart)
        zin = zcount[np.cumsum(newg) - 1]
        newpos = np.where(bit == 0, gfirst + zbefore, gfirst + zin + (ar - gfirst - zbefore))
        nv = np.empty_like(vals)
        nv[newpos] = vals
        nw = np.empty_like(w)
        nw[newpos] = w
        vals, w = nv, nw
    return total


class Proper(LocalMoves):
    """The layered graph with long edges split at virtual nodes, and its ordering."""

    def __init__(self, n_real, layer, comp, edges, anchor_x, fixed_order, pinned=()):
        """``layer``/``comp``: per real node (layers >= 0); ``edges``: {(u, v): w};
        ``anchor_x``: {real node: x} (previous or pinned x) seeding the order;
        ``fixed_order``: real nodes whose slot the sweeps keep (previous / pinned ones);
        ``pinned``: real nodes that never swap with each other (previous / pinned ones, so
        their relative order stays)."""
        vlayer, vcomp, seg, key, cut, paths, trunks = split_edges(layer, comp, edges, anchor_x)
        self.cut = cut  # long edges left out (drawn straight)
        n_all = len(vlayer)
        down = [[] for _ in range(n_all)]
        up = [[] for _ in range(n_all)]
        for a, b, *_ in seg:
            down[a].append(b)
            up[b].append(a)
        for v, x in anchor_x.items():
            key[v] = x
        anchored_comps = {vcomp[v] for v in key}
        keys = _initial_keys(n_all, vlayer, vcomp, up, down, key, anchored_comps)
        # the components with previous / pinned nodes are ordered together, as one block
        # (rank 0) before the others, which keep their graph order
        rank = {}
        for c in range(max(comp, default=-1) + 1):
            rank[c] = 0 if c in anchored_comps else len(rank) + 1
        order = sorted(range(n_all), key=lambda i: (vlayer[i], rank[vcomp[i]], keys[i]))
        new_id = np.empty(n_all, np.int64)
        new_id[np.asarray(order, np.int64)] = np.arange(n_all)
        self.n_real = n_real
        self.N = n_all
        self.old_of = np.asarray(order, np.int64)  # new id -> old id (old < n_real: real)
        self.new_of = new_id
        # (upper real, lower real) -> new ids of the virtual nodes the edge is drawn through,
        # or (trunk, k): through the first k + 1 nodes of trunks[trunk] (new ids, from the hub)
        self.paths = {e: p if isinstance(p, tuple) else new_id[p] for e, p in paths.items()}
        self.trunks = [new_id[np.asarray(t, np.int64)] for t in trunks]
        lay = np.asarray(vlayer, np.int64)[self.old_of]
        self.layer = lay
        self.comp = np.asarray([rank[c] for c in vcomp], np.int64)[self.old_of]
        # layout group: -1 for the components with anchors, else the component rank
        self.group = np.where(self.comp == 0, -1, self.comp)
        self.L = int(lay.max()) + 1 if n_all else 0
        self.start = np.searchsorted(lay, np.arange(self.L + 1))
        if seg:
            s = np.asarray(seg, np.int64)
            self.eu = new_id[s[:, 0]]
            self.el = new_id[s[:, 1]]
            self.ew = s[:, 2].copy()
            self.branch = s[:, 3].astype(bool)  # trunk -> end point segments
        else:
            self.eu = self.el = self.ew = np.zeros(0, np.int64)
            self.branch = np.zeros(0, bool)
        self.is_real = self.old_of < n_real
        fx = np.zeros(n_all, bool)
        for v in fixed_order:
            fx[new_id[v]] = True
        self.fixed = fx
        pn = np.zeros(n_all, bool)
        for v in pinned:
            pn[new_id[v]] = True
        self.pinned = pn
        self.any_pinned = bool(pn.any())
        self.perm = np.arange(n_all, dtype=np.int64)
        self.slot = np.arange(n_all, dtype=np.int64)
        self._prepare()

    # ------------------------------------------------------------------ structure
    def _side(self, lower_side):
        """Per layer with two movable nodes or more (nodes with neighbours on that side, not
        previous / pinned): ``(i, small, data)``. Layers up to SMALL nodes are swept in plain
        Python (``data``: {id: (neighbour ids, weights, total weight)}), larger ones with
        NumPy (``data``: local index, neighbour id, weight, total per local, movable)."""
        out = []
        node = self.el if lower_side else self.eu
        other = self.eu if lower_side else self.el
        o = np.argsort(node, kind="stable")
        node, other, w = node[o], other[o], self.ew[o]
        bounds = np.searchsorted(self.layer[node], np.arange(self.L + 1))
        self.by_layer[lower_side] = (node, other, w.astype(float), bounds)
        mov_all = np.zeros(self.N, bool)
        mov_all[node] = True
        mov_all &= ~self.fixed
        n_mov = np.bincount(self.layer[mov_all], minlength=self.L)
        bounds = bounds.tolist()
        start = self.start.tolist()
        for i in np.flatnonzero(n_mov >= 2).tolist():
            s, e = start[i], start[i + 1]
            a, b = bounds[i], bounds[i + 1]
            if e - s <= SMALL:
                adj: dict[int, tuple] = {}
                for v, u, ww in zip(node[a:b].tolist(), other[a:b].tolist(), w[a:b].tolist()):
                    if mov_all[v]:
                        nb = adj.setdefault(v, ([], [], [0]))
                        nb[0].append(u)
                        nb[1].append(float(ww))
                        nb[2][0] += ww
                out.append((i, True, {v: (n, ws, t[0]) for v, (n, ws, t) in adj.items()}))
                continue
            loc = node[a:b] - s
            cnt = np.bincount(loc, weights=w[a:b], minlength=e - s)
            out.append((i, False, (loc, other[a:b], w[a:b].astype(float), cnt, mov_all[s:e])))
        return out

    def _csr(self, node, other):
        o = np.argsort(node, kind="stable")
        ptr = np.zeros(self.N + 1, np.int64)
        np.cumsum(np.bincount(node, minlength=self.N), out=ptr[1:])
        return ptr, other[o], self.ew[o]

    def _prepare(self):
        self.by_layer = {}  # lower_side -> (node, neighbour, weight, bounds per layer)
        self.from_up = self._side(True)  # neighbours in the layer above, for down sweeps
        self.from_down = self._side(False)
        self.up_csr = self._csr(self.el, self.eu)
        self.down_csr = self._csr(self.eu, self.el)
        (up_ptr, up_nbr, up_w), (dn_ptr, dn_nbr, dn_w) = self.up_csr, self.down_csr
        self.cat = (
            (up_ptr[:-1], dn_ptr[:-1] + up_nbr.size),
            (np.diff(up_ptr), np.diff(dn_ptr)),
            np.concatenate((up_nbr, dn_nbr)),
            np.concatenate((up_w, dn_w)).astype(float),
        )
        lay = self.layer
        local = np.arange(self.N) - self.start[lay]
        has_right = np.arange(self.N) + 1 < self.start[lay + 1]
        self.phases = []
        for q in (0, 1):
            for r in (0, 1):
                sel = np.flatnonzero(has_right & (lay % 2 == q) & (local % 2 == r))
                if sel.size:
                    self.phases.append(sel)
        self.bits = max(1, int(np.diff(self.start).max(initial=1)).bit_length())

    # ------------------------------------------------------------------ crossings
    def crossings(self):
        if self.eu.size < 2:
            return 0
        su, sl = self.slot[self.eu], self.slot[self.el]
        o = np.argsort(su * self.N + sl)
        lay = self.layer[self.el[o]]
        vals = (lay << self.bits) | (sl[o] - self.start[lay])
        return inversions(vals, self.ew[o], self.bits)

    # ------------------------------------------------------------------ sweeps
    def sweep(self, down, flip=False):
        """One barycenter sweep down (or up): each layer is sorted by the mean slot of its
        nodes' neighbours in the layer just done; nodes without such neighbours and
        previous / pinned nodes keep their slots. O(size) per layer."""
        perm, slot, start = self.perm, self.slot, self.start
        perm_l, slot_l = perm.tolist(), slot.tolist()
        sides = self.from_up if down else self.from_down[::-1]
        for i, small, data in sides:
            s, e = int(start[i]), int(start[i + 1])
            if small:
                cur = perm_l[s:e]
                at = [k for k, v in enumerate(cur) if v in data]
                ids = [cur[k] for k in at]
                keys = []
                for v in ids:
                    nb, ws, tot = data[v]
                    acc = 0.0
                    for u, ww in zip(nb, ws):
                        acc += slot_l[u] * ww
                    keys.append(acc / tot)
                if flip:  # equal keys: reverse their current order
                    ids.reverse()
                    keys.reverse()
                srt = sorted(range(len(ids)), key=keys.__getitem__)
                for k, j in zip(at, srt):
                    cur[k] = ids[j]
                perm_l[s:e] = cur
                perm[s:e] = cur
                for k, v in enumerate(cur, s):
                    slot_l[v] = k
                slot[cur] = range(s, e)
                continue
            loc, nbr, w, cnt, mov = data
            ps = slot[nbr].astype(float)
            bary = np.bincount(loc, weights=ps * w, minlength=e - s) / np.where(cnt > 0, cnt, 1)
            cur = perm[s:e]
            m = mov[cur - s]
            ids = cur[m]
            if flip:
                srt = ids[::-1][np.argsort(bary[ids[::-1] - s], kind="stable")]
            else:
                srt = ids[np.argsort(bary[ids - s], kind="stable")]
            cur = cur.copy()
            cur[m] = srt
            perm[s:e] = cur
            slot[cur] = np.arange(s, e)
            cl = cur.tolist()
            perm_l[s:e] = cl
            for k, v in enumerate(cl, s):
                slot_l[v] = k

    def _run(self, max_iter, patience, start_down=True, rounds=12):
        self.transpose(rounds)
        best = self.crossings()
        best_perm = self.perm.copy()
        stall = 0
        for it in range(max_iter):
            if best == 0:
                break
            # every other pair of iterations, equal keys / equal crossings swap places
            flip = it % 4 >= 2
            self.sweep(down=(it % 2 == 0) == start_down, flip=flip)
            self.transpose(rounds, equal=flip)
            c = self.crossings()
            if c < best:
                best = c
                best_perm = self.perm.copy()
                stall = 0
            else:
                stall += 1
                if stall >= patience:
                    break
        return best, best_perm

    def set_perm(self, perm):
        self.perm[:] = perm
        self.slot[perm] = np.arange(self.N)

    def bfs_perm(self, from_sinks):
        """Order each layer by BFS discovery from the sources (or sinks), comps kept apart."""
        ptr, nbr, _ = self.up_csr if from_sinks else self.down_csr
        optr, _, _ = self.down_csr if from_sinks else self.up_csr
        ptr, nbr = ptr.tolist(), nbr.tolist()
        roots = np.flatnonzero(np.diff(optr) == 0)
        roots = roots[np.argsort(self.slot[roots], kind="stable")].tolist()
        disc = [0] * self.N
        seen = [False] * self.N
        count = 0
        for r in roots:
            if seen[r]:
                continue
            seen[r] = True
            queue = deque([r])
            while queue:
                v = queue.popleft()
                disc[v] = count
                count += 1
                for k in range(ptr[v], ptr[v + 1]):
                    s = nbr[k]
                    if not seen[s]:
                        seen[s] = True
                        queue.append(s)
        return np.lexsort((np.asarray(disc), self.comp, self.layer))

    def minimize(self, max_iter=16, patience=5, restarts=True, sift=True, rounds=12):
        """Crossing reduction from the current order (BFS from the sources) and, if
        ``restarts``, from a BFS order from the sinks, keeping the best; it is then polished
        by sifting. Up to DOT_NODES nodes (layers up to DOT_LAYER), dot's mincross in plain
        Python (:mod:`._layout_mincross`); beyond, barycenter sweeps with transposition
        vectorised over the layers, each start polished up to POLISH_BOTH nodes, else only
        the best. Returns the number of crossings."""
        if self.N <= DOT_NODES and np.diff(self.start).max(initial=0) <= DOT_LAYER:
            return self._mincross(restarts, sift)
        both = self.N <= POLISH_BOTH
        best, best_perm = self._run(max_iter, patience, rounds=rounds)
        best, best_perm = self._polish(best, best_perm, sift and both)
        if restarts and best > 0:
            self.set_perm(self.bfs_perm(True))
            run = self._run(max_iter, patience, start_down=False, rounds=rounds)
            c, p = self._polish(*run, sift and both)
            if c < best:
                best, best_perm = c, p
        if not both:
            best, best_perm = self._polish(best, best_perm, sift)
        self.set_perm(best_perm)
        return best

    def _layers(self, perm):
        perm, start = perm.tolist(), self.start.tolist()
        return [perm[start[i] : start[i + 1]] for i in range(self.L)]

    def _mincross(self, restarts, sift):
        """dot's mincross (:mod:`._layout_mincross`), then sifting (and, past DOT_AGAIN_FROM
        nodes, a few more iterations and sifting again)."""
        up = [[] for _ in range(self.N)]
        down = [[] for _ in range(self.N)]
        upw = [None] * self.N
        downw = [None] * self.N
        eu, el, ew = self.eu.tolist(), self.el.tolist(), self.ew.tolist()
        for a, b in zip(eu, el):
            down[a].append(b)
            up[b].append(a)
        if any(w != 1 for w in ew):
            upw = [[] for _ in range(self.N)]
            downw = [[] for _ in range(self.N)]
            for a, b, w in zip(eu, el, ew):
                downw[a].append(w)
                upw[b].append(w)
            upw = [ws if any(w != 1 for w in ws) else None for ws in upw]
            downw = [ws if any(w != 1 for w in ws) else None for ws in downw]
        first = self._layers(self.perm)  # (Mincross keeps copies of the layers it is given)
        mc = Mincross(first, up, upw, down, downw, self.fixed.tolist(), self.pinned.tolist(),
                      self.comp.tolist())
        starts = [(first, p) for p in DOT_PRESWEEPS]
        if restarts:
            sinks = self._layers(self.bfs_perm(True))
            starts += [(sinks, p) for p in DOT_PRESWEEPS_SINKS]
        best = mc.run(starts, DOT_MAX_ITER, DOT_MIN_QUIT, DOT_START_ITER, DOT_WORK)
        self.set_perm(_joined(mc.layers))
        c, perm = self._polish(best, self.perm.copy(), sift)
        if self.N > DOT_AGAIN_FROM and c < best:  # sifting found better: iterate from there
            again = mc.run([(self._layers(perm), 0)], DOT_MAX_ITER, DOT_MIN_QUIT, 0, DOT_AGAIN)
            if again < c:
                self.set_perm(_joined(mc.layers))
                c, perm = self._polish(again, self.perm.copy(), sift)
        self.set_perm(perm)
        return c

    def _polish(self, crossings, perm, sift):
        """Sifting and transposition from ``perm``: (crossings, ordering)."""
        if crossings == 0 or not sift:
            return crossings, perm
        self.set_perm(perm)
        self.sift(min_gain=0.002 * crossings)
        self.transpose()
        c = self.crossings()
        if c > crossings:  # never worse than the ordering given
            self.set_perm(perm)
            return crossings, perm
        return c, self.perm.copy()


def _joined(layers) -> np.ndarray:
    """An ordering given as lists per layer, as one array (``perm``'s form)."""
    return np.asarray([v for lay in layers for v in lay], np.int64)


def _initial_keys(n_all, vlayer, vcomp, up, down, key, anchored_comps):
    """Seed order: BFS discovery order, or interpolated anchor x for anchored components."""
    keys = [0.0] * n_all
    seen = [False] * n_all
    count = 0
    for r in sorted(range(n_all), key=lambda i: (vlayer[i], i)):
        if seen[r] or up[r]:
            continue
        seen[r] = True
        queue = deque([r])
        while queue:
            v = queue.popleft()
            keys[v] = count
            count += 1
            for s in down[v]:
                if not seen[s]:
                    seen[s] = True
                    queue.append(s)
    for v in range(n_all):  # nodes only reachable through cycles of flat edges
        if not seen[v]:
            keys[v] = count
            count += 1
    if not anchored_comps:
        return keys
    known = dict(key)
    todo = [v for v in range(n_all) if vcomp[v] in anchored_comps and v not in known]
    by_layer = sorted(todo, key=lambda i: vlayer[i])
    for _ in range(4):
        if not by_layer:
            break
        for seq in (by_layer, by_layer[::-1]):
            for v in seq:
                if v in known:
                    continue
                nb = [known[u] for u in up[v] if u in known] or [
                    known[u] for u in down[v] if u in known
                ]
                if nb:
                    known[v] = sum(nb) / len(nb)
        by_layer = [v for v in by_layer if v not in known]
    for v in range(n_all):
        if vcomp[v] in anchored_comps:
            keys[v] = known.get(v, 0.0)
    return keys
