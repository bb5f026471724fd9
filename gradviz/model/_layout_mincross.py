"""Crossing reduction in plain Python for :mod:`gradviz.model._layout_order`, as Graphviz
dot's mincross does it (Gansner et al. 1993; lib/dotgen/mincross.c): weighted-median sweeps,
two down then two up, each followed by adjacent transpositions that, every other iteration,
also swap nodes whose crossings are equal, repeated while the crossings drop (these equal
swaps move the search out of local minima: without them the result is ~5% worse); runs from
a BFS order from the sources and one from the sinks, then more from the best, keeping the
best ordering seen.

Unlike dot, equal medians keep their order (dot reverses them every other iteration: ~5%
more crossings on random autograd graphs here), a start may first be swept (fewer
transpositions), and the effort can be capped (``work``). A transposition weighs a pair
again only if one of its nodes or their neighbours moved since it was last weighed.

Internal. Layers are lists of node ids, ``pos[v]`` the slot of ``v`` in its layer; per node,
the slots of its neighbours above (``above[v]``) and below (``below[v]``) are kept up to date
as nodes move, so that a transposition reads them without rebuilding. Layers of autograd
graphs hold a few dozen nodes, where lists beat NumPy's per-call cost. Crossings between
two layers are counted with an accumulator, per layer pair, recounted only where a layer
changed.
"""

from __future__ import annotations


class Mincross:
    """Orderings of a proper layered graph and their crossings.

    ``layers``: lists of node ids; ``up[v]`` / ``down[v]``: neighbours in the layer above /
    below; ``upw[v]`` / ``downw[v]``: their edges' weights, or None when all are 1;
    ``keep[v]``: the sweeps leave ``v`` in its slot; ``pinned[v]``: two pinned nodes never
    swap; ``comp[v]``: the nodes of a layer stay grouped by ``comp``.

        >>> m = Mincross([[0, 1], [2, 3]], [[], [], [1], [0]], [None] * 4,
        ...              [[3], [2], [], []], [None] * 4, [False] * 4, [False] * 4, [0] * 4)
        >>> m.crossings()
        1
        >>> m.run([(None, 0)]), m.layers
        (0, [[1, 0], [2, 3]])
    """

    def __init__(self, layers, up, upw, down, downw, keep, pinned, comp):
        self.up, self.upw, self.down, self.downw = up, upw, down, downw
        self.weighted = any(w is not None for w in upw)
        self.keep, self.pinned, self.comp = keep, pinned, comp
        n = len(up)
        # at_up[v][k]: where v is in down[up[v][k]]; at_down[v][k]: where v is in up[down[v][k]]
        slot_in_down = {}
        for u in range(n):
            for j, v in enumerate(down[u]):
                slot_in_down.setdefault((u, v), []).append(j)
        slot_in_up = {}
        for v in range(n):
            for k, u in enumerate(up[v]):
                slot_in_up.setdefault((u, v), []).append(k)
        at_up = [[slot_in_down[u, v].pop() for u in reversed(up[v])][::-1] for v in range(n)]
        at_down = [[slot_in_up[u, v].pop() for v in reversed(down[u])][::-1] for u in range(n)]
        self.at_down, self.at_up = at_down, at_up
        self.pos = [0] * n
        self.above = [[0] * len(up[v]) for v in range(n)]
        self.below = [[0] * len(down[v]) for v in range(n)]
        self.L = len(layers)
        self.set_layers(layers)
        self.work = 0  # nodes looked at by transpositions
        self.budget = float("inf")

    def set_layers(self, layers):
        self.layers = [list(lay) for lay in layers]
        pos = self.pos
        for lay in self.layers:
            for k, v in enumerate(lay):
                pos[v] = k
        above, below = self.above, self.below
        for v, nb in enumerate(self.up):
            above[v][:] = [pos[u] for u in nb]
        for v, nb in enumerate(self.down):
            below[v][:] = [pos[u] for u in nb]
        self.pair = [-1] * self.L  # crossings between layer r and r + 1, -1: not counted

    def _moved(self, lay, lo, hi):
        """Slots ``lo..hi-1`` of ``lay`` changed: tell the neighbours."""
        pos, up, down, above, below = self.pos, self.up, self.down, self.above, self.below
        at_up, at_down = self.at_up, self.at_down
        for k in range(lo, hi):
            v = lay[k]
            pos[v] = k
            for u, j in zip(up[v], at_up[v]):
                below[u][j] = k
            for u, j in zip(down[v], at_down[v]):
                above[u][j] = k

    def snapshot(self):
        return [lay[:] for lay in self.layers], self.pair[:]

    def restore(self, snap):
        layers, pair = snap
        self.set_layers(layers)
        self.pair = pair[:]

    # ------------------------------------------------------------------ crossings
    def _count(self, r):
        below, downw = self.below, self.downw
        acc = [0] * len(self.layers[r + 1])
        c = 0
        for v in self.layers[r]:
            ps = below[v]
            if not ps:
                continue
            ws = downw[v]
            if ws is None:
                for p in sorted(ps) if len(ps) > 1 else ps:
                    c += sum(acc[p + 1 :])
                    acc[p] += 1
                continue
            for p, w in sorted(zip(ps, ws)):
                c += w * sum(acc[p + 1 :])
                acc[p] += w
        return c

    def crossings(self):
        pair = self.pair
        for r in range(self.L - 1):
            if pair[r] < 0:
                pair[r] = self._count(r)
        return sum(pair[: self.L - 1])

    # ------------------------------------------------------------------ sweeps
    def sweep(self, down):
        """Each layer (after the first) sorted by the median slot of its nodes' neighbours in
        the layer just done (between the two middle ones when their number is even, nearer
        the side where they are packed closer, as dot interpolates); nodes without such
        neighbours stay in their slot, equal medians keep their order."""
        side = self.above if down else self.below
        keep, comp, pair = self.keep, self.comp, self.pair
        rng = range(1, self.L) if down else range(self.L - 2, -1, -1)
        for r in rng:
            lay = self.layers[r]
            if len(lay) < 2:
                continue
            slots = []
            items = []
            for k, v in enumerate(lay):
                ps = side[v]
                if not ps or keep[v]:
                    continue
                m = len(ps)
                if m == 1:
                    med = ps[0]
                elif m == 2:
                    med = (ps[0] + ps[1]) / 2
                else:
                    ps = sorted(ps)
                    h = m // 2
                    if m % 2:
                        med = ps[h]
                    else:
                        lm, rm = ps[h - 1] - ps[0], ps[-1] - ps[h]
                        if lm + rm == 0:
                            med = (ps[h - 1] + ps[h]) / 2
                        else:
                            med = (ps[h - 1] * rm + ps[h] * lm) / (lm + rm)
                slots.append(k)
                items.append((comp[v], med, k, v))
            if len(items) < 2:
                continue
            items.sort()
            lo = hi = -1
            for k, it in zip(slots, items):
                if lay[k] != it[3]:
                    lay[k] = it[3]
                    hi = k + 1
                    if lo < 0:
                        lo = k
            if lo >= 0:
                self._moved(lay, lo, hi)
                if r > 0:
                    pair[r - 1] = -1
                if r < self.L - 1:
                    pair[r] = -1

    # ------------------------------------------------------------------ transposition
    def _pair(self, v, w):
        """(crossings with v left of w, with w left of v) among their weighted edges."""
        c0 = c1 = 0
        for ps, ws in ((self.above, self.upw), (self.below, self.downw)):
            xv, xw, wv, ww = ps[v], ps[w], ws[v], ws[w]
            for k, a in enumerate(xv):
                ka = wv[k] if wv else 1
                for j, b in enumerate(xw):
                    if a > b:
                        c0 += ka * (ww[j] if ww else 1)
                    elif a < b:
                        c1 += ka * (ww[j] if ww else 1)
        return c0, c1

    def transpose(self, equal):
        """Swap adjacent nodes where that lowers crossings (with ``equal``, also where it
        keeps them equal) along each layer; layers next to a swap are looked at again, while
        the crossings drop. A pair is weighed again only if one of its nodes, or one of
        their neighbours, moved since it was last weighed (``dirty``)."""
        cand = [True] * self.L
        dirty = [True] * len(self.pos)
        pinned, comp, weighted = self.pinned, self.comp, self.weighted
        above, below, layers, pair = self.above, self.below, self.layers, self.pair
        last = self.L - 1
        pos, up, down, at_up, at_down = self.pos, self.up, self.down, self.at_up, self.at_down
        delta = 1
        while delta >= 1:
            delta = 0
            for r in range(self.L):
                if not cand[r]:
                    continue
                cand[r] = False
                lay = layers[r]
                self.work += len(lay)
                moved = []
                for i in range(len(lay) - 1):
                    v, w = lay[i], lay[i + 1]
                    if not (dirty[v] or dirty[w]):
                        continue
                    if comp[v] != comp[w] or (pinned[v] and pinned[w]):
                        continue
                    if weighted:
                        c0, c1 = self._pair(v, w)
                    else:  # above, then below, written out: a loop over the two costs 3%
                        c0 = c1 = 0
                        for a in above[v]:
                            for b in above[w]:
                                if a > b:
                                    c0 += 1
                                elif a < b:
                                    c1 += 1
                        for a in below[v]:
                            for b in below[w]:
                                if a > b:
                                    c0 += 1
                                elif a < b:
                                    c1 += 1
                    if c1 < c0 or (equal and c0 > 0 and c1 == c0):
                        lay[i], lay[i + 1] = w, v
                        pos[v] = i + 1
                        pos[w] = i
                        for x, k in ((v, i + 1), (w, i)):
                            for u, j in zip(up[x], at_up[x]):
                                below[u][j] = k
                                dirty[u] = True
                            for u, j in zip(down[x], at_down[x]):
                                above[u][j] = k
                                dirty[u] = True
                        moved.append(v)
                        moved.append(w)
                        delta += c0 - c1
                for x in lay:
                    dirty[x] = False
                if moved:
                    for x in moved:
                        dirty[x] = True
                    cand[r] = True
                    if r > 0:
                        cand[r - 1] = True
                        pair[r - 1] = -1
                    if r < last:
                        cand[r + 1] = True
                        pair[r] = -1

    # ------------------------------------------------------------------ driver
    def _iterate(self, best, best_snap, max_iter, min_quit, convergence=0.995):
        cur = self.crossings()
        if cur <= best:
            best, best_snap = cur, self.snapshot()
        trying = 0
        for it in range(max_iter):
            if trying >= min_quit or cur == 0 or self.work > self.budget:
                break
            trying += 1
            self.sweep(down=it % 4 < 2)
            self.transpose(equal=it % 2 == 1)
            cur = self.crossings()
            if cur <= best:
                if cur < convergence * best:
                    trying = 0
                best, best_snap = cur, self.snapshot()
        return best, best_snap

    def run(self, starts, max_iter=24, min_quit=8, start_iter=4, work=None):
        """dot's mincross: from each start ``(layers, presweeps)`` (layers: lists of node
        ids, or None for the current ones), ``presweeps`` median sweeps (down, up, ...), a
        transposition and ``start_iter`` iterations; then up to ``max_iter`` more from the
        best, stopping after ``min_quit`` without progress or (``work``) once the
        transpositions have looked at ``work`` nodes per node. Leaves the layers in the best
        ordering seen and returns its crossings."""
        self.work = 0
        self.budget = float("inf") if work is None else work * len(self.pos)
        best, snap = float("inf"), None
        for layers, presweeps in starts:
            if layers is not None:
                self.set_layers(layers)
            for k in range(presweeps):
                self.sweep(down=k % 2 == 0)
            self.transpose(False)
            best, snap = self._iterate(best, snap, start_iter, min_quit)
            if best == 0:
                break
        if best > 0 and max_iter:
            self.restore(snap)
            best, snap = self._iterate(best, snap, max_iter, min_quit)
        self.restore(snap)
        if best > 0:
            self.transpose(False)
            best = self.crossings()
        return best
