"""Vectorised geometry of the graph's edges (NumPy only): parallel edge offsets and
S-curves flattened into segments clipped to the visible rectangle.

    parallel_offsets(np.array([0, 0]), np.array([1, 1]))    # a * a
    array([-4.5,  4.5])
"""

from __future__ import annotations

import numpy as np


def parallel_offsets(eu, ev) -> np.ndarray:
    """Spread parallel edges (``a * a``) side by side, 9 px apart."""
    off = np.zeros(eu.size)
    if eu.size < 2:
        return off
    key = eu * (int(ev.max()) + 1) + ev
    order = np.argsort(key, kind="stable")
    k = key[order]
    start = np.r_[0, np.flatnonzero(k[1:] != k[:-1]) + 1]
    counts = np.diff(np.r_[start, k.size])
    if counts.max() == 1:
        return off
    rank = np.arange(k.size) - np.repeat(start, counts)
    off[order] = (rank - (np.repeat(counts, counts) - 1) / 2) * 9.0
    return off


_BASES: dict[int, np.ndarray] = {}


def _bernstein(pieces: int) -> np.ndarray:
    if pieces not in _BASES:
        t = np.linspace(0.0, 1.0, pieces + 1)
        _BASES[pieces] = np.stack([(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2,
                                   t ** 3])
    return _BASES[pieces]


def clipped_curves(x0, y0, x1, y1, rect, pieces: int = 16) -> np.ndarray:
    """The vertical S-curves from (x0, y0) down to (x1, y1), each as ``pieces`` line
    segments, clipped to ``rect``: an array of rows (ax, ay, bx, by)."""
    bend = np.maximum(18.0, np.abs(y1 - y0) / 2)
    return clipped_beziers(x0, y0, x0, y0 + bend, x1, y1 - bend, x1, y1, rect, pieces)


def clipped_beziers(x0, y0, ax, ay, bx, by, x1, y1, rect, pieces: int = 16) -> np.ndarray:
    """Cubic Bezier curves from (x0, y0) to (x1, y1) with control points (ax, ay), (bx, by),
    each as ``pieces`` line segments, clipped to ``rect``: rows (ax, ay, bx, by)."""
    B = _bernstein(pieces)
    xs = np.outer(x0, B[0]) + np.outer(ax, B[1]) + np.outer(bx, B[2]) + np.outer(x1, B[3])
    ys = np.outer(y0, B[0]) + np.outer(ay, B[1]) + np.outer(by, B[2]) + np.outer(y1, B[3])
    ax, ay = xs[:, :-1].ravel(), ys[:, :-1].ravel()
    bx, by = xs[:, 1:].ravel(), ys[:, 1:].ravel()
    dx, dy = bx - ax, by - ay
    t0, t1 = np.zeros(ax.size), np.ones(ax.size)
    for p, q in ((-dx, ax - rect.left()), (dx, rect.right() - ax),
                 (-dy, ay - rect.top()), (dy, rect.bottom() - ay)):  # Liang-Barsky
        ratio = np.divide(q, p, out=np.zeros_like(q), where=p != 0)
        t0 = np.where(p < 0, np.maximum(t0, ratio), t0)
        t1 = np.where(p > 0, np.minimum(t1, ratio), t1)
        t1 = np.where((p == 0) & (q < 0), -1.0, t1)
    keep = t0 <= t1
    t0, t1 = t0[keep], t1[keep]
    ax, ay, dx, dy = ax[keep], ay[keep], dx[keep], dy[keep]
    return np.column_stack((ax + t0 * dx, ay + t0 * dy, ax + t1 * dx, ay + t1 * dy))


def routed_pieces(x0, y0, x1, y1, bx, by, counts):
    """Smooth curves through bend points, as cubic Bezier pieces (one between each pair of
    consecutive points). Edge ``e`` runs from ``(x0[e], y0[e])`` through its ``counts[e]``
    bend points (the next ones of ``bx``, ``by``) to ``(x1[e], y1[e])``, y along the flow.
    It leaves and arrives along the flow (as the S-curves do) and passes each bend point
    with the direction of the line joining its neighbours (Catmull-Rom), so bend points in
    a straight line give a straight edge, but never beyond them across the flow (along the
    flow where the points turn back or run straight on one side). Returns ``(edge, x0, y0,
    ax, ay, bx, by, x1, y1)`` per piece, for ``clipped_beziers``.
    """
    counts = np.asarray(counts, np.int64)
    n = counts + 2
    first = np.cumsum(n) - n
    last = first + n - 1
    total = int(n.sum())
    inner = np.ones(total, bool)
    inner[first] = inner[last] = False
    qx, qy = np.empty(total), np.empty(total)
    qx[first], qy[first], qx[last], qy[last] = x0, y0, x1, y1
    qx[inner], qy[inner] = bx, by
    tx, ty = np.empty(total), np.empty(total)  # a third of the tangent at each point
    tx[1:-1] = (qx[2:] - qx[:-2]) / 6
    ty[1:-1] = (qy[2:] - qy[:-2]) / 6
    # no overshoot across the flow (monotone, as Fritsch-Carlson): where the edge turns back
    # or runs straight on one side (leaving a shared trunk), it passes the point along the
    # flow; elsewhere its slope stays within that of both sides
    before = np.zeros(total)
    after = np.zeros(total)
    before[1:-1] = qx[1:-1] - qx[:-2]
    after[1:-1] = qx[2:] - qx[1:-1]
    limit = np.minimum(np.abs(before), np.abs(after)) / 2
    tx = np.where(before * after > 0, np.clip(tx, -limit, limit), 0.0)
    for ends, nxt in ((first, first + 1), (last, last - 1)):
        dy = qy[ends] - qy[nxt]
        tx[ends] = 0.0
        ty[ends] = np.sign(-dy if ends is first else dy) * np.maximum(18.0, np.abs(dy) / 2)
    start = np.flatnonzero(~np.isin(np.arange(total), last))
    edge = np.repeat(np.arange(counts.size), n - 1)
    a, b = start, start + 1
    return (edge, qx[a], qy[a], qx[a] + tx[a], qy[a] + ty[a], qx[b] - tx[b], qy[b] - ty[b],
            qx[b], qy[b])


def thin_through(vis, eu, x0, y0, x1, y1, rect, per_source: int = 8) -> np.ndarray:
    """Of the edges ``vis`` that cross ``rect`` with neither end inside it, keep at most
    ``per_source`` per source node (spread over their targets): a parameter feeding every
    step of a long loop sends hundreds of such edges through the view, one on another."""
    inside0 = ((x0[vis] >= rect.left()) & (x0[vis] <= rect.right())
               & (y0[vis] >= rect.top()) & (y0[vis] <= rect.bottom()))
    inside1 = ((x1[vis] >= rect.left()) & (x1[vis] <= rect.right())
               & (y1[vis] >= rect.top()) & (y1[vis] <= rect.bottom()))
    through = ~inside0 & ~inside1
    if np.count_nonzero(through) <= 4 * per_source:
        return vis
    idx = vis[through]
    idx = idx[np.lexsort((x1[idx], eu[idx]))]
    src = eu[idx]
    start = np.r_[0, np.flatnonzero(src[1:] != src[:-1]) + 1]
    counts = np.diff(np.r_[start, src.size])
    rank = np.arange(src.size) - np.repeat(start, counts)
    step = np.maximum(1, np.repeat(counts, counts) // per_source)
    return np.concatenate((vis[~through], idx[rank % step == 0]))
