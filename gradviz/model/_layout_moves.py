"""Local moves for :mod:`gradviz.model._layout_order`: between and after the barycenter
sweeps, nodes move within their layer where that lowers the exact number of crossings:
adjacent pairs swap (``transpose``) and single nodes go to their best slot (``sift``).

Internal. ``LocalMoves`` is mixed into ``Proper`` and uses its ``perm``/``slot``/``start``
arrays, its adjacency (``cat``, ``by_layer``) and its ``phases`` (see that
module's docstring).
"""

from __future__ import annotations

import numpy as np


class LocalMoves:
    """Mixed into Proper: transposition and sifting within layers."""

    # ------------------------------------------------------------------ transposition
    def _pair_cross(self, u, v):
        """Crossings among the edges of u and v (u left of v, and v left of u), over the
        edges to the layer above and to the layer below."""
        ptr, deg, nbr, w = self.cat
        P = u.size
        pu = np.concatenate((ptr[0][u], ptr[1][u]))
        pv = np.concatenate((ptr[0][v], ptr[1][v]))
        du = np.concatenate((deg[0][u], deg[1][u]))
        dv = np.concatenate((deg[0][v], deg[1][v]))
        m = du * dv
        tot = int(m.sum())
        if tot == 0:
            z = np.zeros(P)
            return z, z
        pid = np.repeat(np.arange(2 * P), m)
        first = np.cumsum(m) - m
        j = np.arange(tot) - first[pid]
        dvp = dv[pid]
        iu = pu[pid] + j // dvp
        iv = pv[pid] + j % dvp
        a = self.slot[nbr[iu]]
        b = self.slot[nbr[iv]]
        ww = w[iu] * w[iv]
        c1 = np.bincount(pid, weights=ww * (a > b), minlength=2 * P)
        c2 = np.bincount(pid, weights=ww * (a < b), minlength=2 * P)
        return c1[:P] + c1[P:], c2[:P] + c2[P:]

    def transpose(self, max_rounds=12, equal=False):
        """Swap adjacent nodes while that lowers crossings (even/odd layers and pairs at once);
        after the first round only layers next to a swap are looked at again."""
        perm, slot, layer = self.perm, self.slot, self.layer
        active = None
        for _ in range(max_rounds):
            touched = np.zeros(self.L + 2, bool)
            for sel in self.phases:
                if active is not None:
                    sel = sel[active[layer[sel]]]
                    if sel.size == 0:
                        continue
                u = perm[sel]
                v = perm[sel + 1]
                c_uv, c_vu = self._pair_cross(u, v)
                ok = (c_uv > c_vu) | ((c_uv == c_vu) & (c_uv > 0)) if equal else c_uv > c_vu
                if self.any_pinned:
                    ok &= ~(self.pinned[u] & self.pinned[v])
                if not ok.any():
                    continue
                s = sel[ok]
                a, b = u[ok], v[ok]
                perm[s] = b
                perm[s + 1] = a
                slot[b] = s
                slot[a] = s + 1
                touched[layer[s] + 1] = True
            if not touched.any():
                break
            equal = False
            active = touched[1:-1] | touched[:-2] | touched[2:]

    # ------------------------------------------------------------------ sifting
    def _layer_matrix(self, i, cur):
        """C[a, b]: crossings between the edges of the nodes at positions a and b of layer i
        (to both neighbouring layers) when a is left of b."""
        s = self.start[i]
        m = cur.size
        C = np.zeros((m, m))
        for lower_side, j in ((True, i - 1), (False, i + 1)):
            node, nbr, w, bounds = self.by_layer[lower_side]
            a, b = bounds[i], bounds[i + 1]
            if a == b:
                continue
            nbr, w = nbr[a:b], w[a:b]
            rows = self.slot[node[a:b]] - s
            cols = self.slot[nbr] - self.start[j]
            K = int(self.start[j + 1] - self.start[j])
            A = np.bincount(rows * K + cols, weights=w, minlength=m * K).reshape(m, K)
            C += A @ (np.cumsum(A, axis=1) - A).T
        return C

    def sift(self, max_passes=4, max_cells=60_000, min_gain=0.0):
        """Sifting within layers: move each node to the position of its layer that gives the
        fewest crossings with both neighbouring layers (others fixed); sweeps down and up
        until nothing improves. Previous / pinned nodes are not moved."""
        perm, slot, start = self.perm, self.slot, self.start
        look = [True] * self.L  # layers worth a look: a neighbouring layer changed
        for it in range(max_passes):
            gain = 0.0
            changed = [False] * self.L
            layers = range(self.L) if it % 2 == 0 else range(self.L - 1, -1, -1)
            for i in layers:
                if not (look[i] or changed[i - 1 if i else 0] or changed[min(i + 1, self.L - 1)]):
                    continue
                s, e = int(start[i]), int(start[i + 1])
                m = e - s
                width = int(start[min(i + 1, self.L - 1) + 1] - start[max(i - 1, 0)])
                if m < 2 or m * width > max_cells:
                    continue
                cur = perm[s:e].copy()
                C = self._layer_matrix(i, cur)
                if not C.any():
                    continue
                comp = self.comp[cur].tolist()
                locked = self.pinned[cur].tolist()
                Ea = C.T - C  # Ea[v, u]: change when u is left of v instead of right of it
                E = Ea.tolist()
                order = list(range(m))
                a = 0
                while a < m:
                    b = a
                    while b < m and comp[b] == comp[a]:
                        b += 1
                    sub = order[a:b]
                    for v in range(a, b):
                        if locked[v] or b - a < 2:
                            continue
                        k = sub.index(v)
                        rest = sub[:k] + sub[k + 1 :]
                        if len(rest) > 48:  # long rows: prefix sums with NumPy
                            pre = np.cumsum(Ea[v, rest])
                            bestp = int(np.argmin(pre)) + 1
                            best = min(0.0, float(pre[bestp - 1]))
                            bestp = bestp if best < 0 else 0
                            here = float(pre[k - 1]) if k else 0.0
                        else:
                            ev = E[v]
                            acc = best = here = 0.0
                            bestp = 0
                            for q, u in enumerate(rest, 1):
                                acc += ev[u]
                                if q == k:
                                    here = acc
                                if acc < best:
                                    best = acc
                                    bestp = q
                        if best < here - 1e-9:
                            gain += here - best
                            sub = rest[:bestp] + [v] + rest[bestp:]
                    order[a:b] = sub
                    a = b
                if order != sorted(order):
                    changed[i] = True
                    new = cur[np.asarray(order)]
                    perm[s:e] = new
                    slot[new] = np.arange(s, e)
            if gain <= min_gain:
                break
            look = [
                changed[i] or changed[max(i - 1, 0)] or changed[min(i + 1, self.L - 1)]
                for i in range(self.L)
            ]
