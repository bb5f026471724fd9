"""Edges drawn through the layout's bend points (internal to ``GraphScene``).

The layered layout gives each edge spanning several layers its bend points, one per layer
crossed (``layout.layered(routes=...)``); ``RoutedEdges`` keeps them per edge of the scene,
in pixels, and hands them to the painting flat (``geometry.routed_pieces`` turns them into
smooth curves); ``polylines`` and ``routed_paths`` are their zoomed-out and SVG forms.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui


class RoutedEdges:
    """Mixed into GraphScene: ``bends`` {edge index: (xs, ys) pixels} and their caches.
    Uses the scene's ``eu``/``ev``/``eoff`` edge arrays, ``ids``/``index``, ``to_pixels``
    and ``_flow``."""

    def set_routes(self, routes) -> None:
        """Draw the edges ``(u, v)`` of ``routes`` through their bend points (layout units)."""
        self._routes_in = routes
        self._take_bends(routes, pixels=False)

    def _take_bends(self, routes, pixels: bool) -> None:
        self.bends = {}
        self._routed = self._lines = self._far = None
        if not routes or not self.eu.size:
            return
        index = self.index
        pairs = [(index[u], index[v], r) for (u, v), r in routes.items()
                 if u in index and v in index and len(r)]
        if not pairs:
            return
        n = len(self.ids)
        key = self.eu * n + self.ev
        order = np.argsort(key, kind="stable")
        sk = key[order]
        want = np.fromiter((a * n + b for a, b, _ in pairs), np.int64, len(pairs))
        lo, hi = np.searchsorted(sk, want, "left"), np.searchsorted(sk, want, "right")
        if pixels:
            found = [r for _, _, r in pairs]
        else:  # all points to pixels at once, then one slice per route
            counts = [len(r) for _, _, r in pairs]
            pts = np.asarray([p for _, _, r in pairs for p in r], float).reshape(-1, 2)
            px, py = self.to_pixels(pts[:, 0], pts[:, 1])
            cuts = np.cumsum(counts)[:-1]
            found = list(zip(np.split(px, cuts), np.split(py, cuts)))
        for xy, a, b in zip(found, lo.tolist(), hi.tolist()):
            if a == b:
                continue
            for e in order[a:b].tolist():
                if self.eoff[e] == 0.0:  # parallel edges (side by side) stay S-curves
                    self.bends[e] = xy

    def _routed_edges(self):
        """``(edge indices, bend counts, bend xs, bend ys, per-edge min / max x and y of
        the bends)`` of the routed edges (pixels), cached."""
        if self._routed is None:
            es = np.fromiter(self.bends, np.int64, len(self.bends))
            es.sort()
            xs = [np.asarray(self.bends[e][0], float) for e in es.tolist()]
            ys = [np.asarray(self.bends[e][1], float) for e in es.tolist()]
            counts = np.fromiter((len(x) for x in xs), np.int64, len(xs))
            bx = np.concatenate(xs) if xs else np.zeros(0)
            by = np.concatenate(ys) if ys else np.zeros(0)
            lo_x = np.full(self.eu.size, np.inf)
            hi_x = np.full(self.eu.size, -np.inf)
            lo_y, hi_y = lo_x.copy(), hi_x.copy()
            if es.size:
                at = np.cumsum(counts) - counts
                lo_x[es], hi_x[es] = np.minimum.reduceat(bx, at), np.maximum.reduceat(bx, at)
                lo_y[es], hi_y[es] = np.minimum.reduceat(by, at), np.maximum.reduceat(by, at)
            self._routed = (es, counts, bx, by, (lo_x, hi_x, lo_y, hi_y))
        return self._routed

    def _bends_of(self, edges):
        """Bend counts and points (flow frame: across, along) of ``edges``, all routed."""
        es, counts, bx, by, _ = self._routed_edges()
        k = np.searchsorted(es, edges)
        c = counts[k]
        at = (np.cumsum(counts) - counts)[k]
        idx = np.repeat(at - (np.cumsum(c) - c), c) + np.arange(int(c.sum()))
        fx, fy, _, _ = self._flow(bx[idx], by[idx], 0, 0)
        return c, fx, fy


def polylines(x0, y0, x1, y1, routed, bends) -> list:
    """Per edge, its lines (pixels) from end to end, through its bend points if routed."""
    out = []
    for e, (a, b, c, d) in enumerate(zip(x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist())):
        if not routed[e]:
            out.append((QtCore.QLineF(a, b, c, d),))
            continue
        xs = [a, *np.asarray(bends[e][0], float).tolist(), c]
        ys = [b, *np.asarray(bends[e][1], float).tolist(), d]
        out.append(tuple(QtCore.QLineF(xs[k], ys[k], xs[k + 1], ys[k + 1])
                         for k in range(len(xs) - 1)))
    return out


def routed_paths(edge, x0, y0, ax, ay, bx, by, x1, y1) -> list:
    """One path per routed edge from its Bezier pieces (``edge``: the edge of each)."""
    paths = []
    last = None
    for e, *p in zip(edge.tolist(), x0.tolist(), y0.tolist(), ax.tolist(), ay.tolist(),
                     bx.tolist(), by.tolist(), x1.tolist(), y1.tolist()):
        if e != last:
            paths.append(QtGui.QPainterPath(QtCore.QPointF(p[0], p[1])))
            last = e
        paths[-1].cubicTo(*p[2:])
    return paths
