"""Crossing reduction in plain Python for :mod:`gradviz.model._layout_order`, as Graphviz
dot's mincross does it (Gansner et al. 1993; lib/dotgen/mincross.c): weighted-median sweeps,
two down then two up, each followed by adjacent transpositions that, every other iteration,
also swap nodes whose crossings are equal, repeated while the crossings drop (these equal
swaps move the search out of local minima: without them the result is ~5% worse); runs from
a BFS order from the sources and one from the sinks, then more from the best, keeping the
best ordering seen.

Unlike dot, equal medians keep their order (dot reverses them every other iteration: ~5%
more crossings on random autograd graphs here), a start may first be swept (fewer
transpositions), and the effort can be capped (``work``).

Internal. Layers are lists of node ids and ``pos[v]`` the slot of ``v`` in its layer, the one
thing kept up to date as nodes move: neighbours' slots are read through it (keeping them per
node, and weighing again only the pairs whose neighbours moved, cost a quarter more time
than they saved). Layers of autograd graphs hold a few dozen nodes, where lists beat NumPy's
per-call cost. Crossings between two layers are counted with an accumulator, per layer pair,
recounted only where a layer changed.
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
        self.pos = [0] * len(up)
        self.L = len(layers)
        self.set_layers(layers)
        self.work = 0
        self.budget = float("inf")

    def set_layers(self, layers):
        self.layers = [list(lay) for lay in layers]
        pos = self.pos
        for lay in self.layers:
            for k, v in enumerate(lay):
                pos[v] = k
        self.pair = [-1] * self.L  # crossings between layer r and r + 1, -1: not counted

    def snapshot(self):
        return [lay[:] for lay in self.layers], self.pair[:]

    def restore(self, snap):
        layers, pair = snap
        self.set_layers(layers)
        self.pair = pair[:]

    # ------------------------------------------------------------------ crossings
    def _count(self, r):
        pos, down, downw = self.pos, self.down, self.downw
        acc = [0] * len(self.layers[r + 1])
        c = 0
        for v in self.layers[r]:
            nb = down[v]
            if not nb:
                continue
            ws = downw[v]
            if ws is None:
                for p in sorted([pos[u] for u in nb]) if len(nb) > 1 else (pos[nb[0]],):
                    c += sum(acc[p + 1 :])
                    acc[p] += 1
                continue
            for p, w in sorted(zip([pos[u] for u in nb], ws)):
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
        side = self.up if down else self.down
        pos = self.pos
        keep, comp, pair = self.keep, self.comp, self.pair
        rng = range(1, self.L) if down else range(self.L - 2, -1, -1)
        for r in rng:
            lay = self.layers[r]
            if len(lay) < 2:
                continue
            slots = []
            items = []
            for k, v in enumerate(lay):
                nb = side[v]
                if not nb or keep[v]:
                    continue
                m = len(nb)
                if m == 1:
                    med = pos[nb[0]]
                elif m == 2:
                    med = (pos[nb[0]] + pos[nb[1]]) / 2
                else:
                    ps = sorted([pos[u] for u in nb])
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
            changed = False
            for k, it in zip(slots, items):
                v = it[3]
                if lay[k] != v:
                    lay[k] = v
                    pos[v] = k
                    changed = True
            if changed:
                if r > 0:
                    pair[r - 1] = -1
                if r < self.L - 1:
                    pair[r] = -1

    # ------------------------------------------------------------------ transposition
    def _pair(self, v, w):
        """(crossings with v left of w, with w left of v) among their weighted edges."""
        c0 = c1 = 0
        pos = self.pos
        for nbs, ws in ((self.up, self.upw), (self.down, self.downw)):
            xv, xw, wv, ww = nbs[v], nbs[w], ws[v], ws[w]
            for k, a in enumerate(xv):
                a = pos[a]
                ka = wv[k] if wv else 1
                for j, b in enumerate(xw):
                    b = pos[b]
                    if a > b:
                        c0 += ka * (ww[j] if ww else 1)
                    elif a < b:
                        c1 += ka * (ww[j] if ww else 1)
        return c0, c1

    def transpose(self, equal):
        """Swap adjacent nodes where that lowers crossings (with ``equal``, also where it
        keeps them equal) along each layer; layers next to a swap are looked at again, while
        the crossings drop."""
        L = self.L
        last = L - 1
        cand = [True] * L
        layers, pair, pos, up, down = self.layers, self.pair, self.pos, self.up, self.down
        pinned, comp, weighted = self.pinned, self.comp, self.weighted
        work = 0
        delta = 1
        while delta >= 1:
            delta = 0
            for r in range(L):
                if not cand[r]:
                    continue
                cand[r] = False
                lay = layers[r]
                m = len(lay)
                work += m
                moved = False
                v = lay[0]
                for i in range(1, m):
                    w = lay[i]
                    if comp[v] != comp[w] or (pinned[v] and pinned[w]):
                        v = w
                        continue
                    if weighted:
                        c0, c1 = self._pair(v, w)
                    else:  # above, then below, written out: the hot loop of the layout
                        c0 = c1 = 0
                        uw = up[w]
                        for a in up[v]:
                            a = pos[a]
                            for b in uw:
                                b = pos[b]
                                if a > b:
                                    c0 += 1
                                elif a < b:
                                    c1 += 1
                        dw = down[w]
                        for a in down[v]:
                            a = pos[a]
                            for b in dw:
                                b = pos[b]
                                if a > b:
                                    c0 += 1
                                elif a < b:
                                    c1 += 1
                    if c1 < c0 or (equal and c0 > 0 and c1 == c0):
                        lay[i - 1] = w
                        lay[i] = v
                        pos[v] = i
                        pos[w] = i - 1
                        moved = True
                        delta += c0 - c1
                        continue
                    v = w
                if moved:
                    cand[r] = True
                    if r > 0:
                        cand[r - 1] = True
                        pair[r - 1] = -1
                    if r < last:
                        cand[r + 1] = True
                        pair[r] = -1
        self.work += work

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
