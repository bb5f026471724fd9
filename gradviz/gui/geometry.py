"""Vectorised geometry of the graph's edges (NumPy only): parallel edge offsets and
S-curves flattened into segments clipped to the visible rectangle.

    >>> parallel_offsets(np.array([0, 0]), np.array([1, 1]))    # a * a
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


_T = np.linspace(0.0, 1.0, 17)
_B = np.stack([(1 - _T) ** 3, 3 * (1 - _T) ** 2 * _T, 3 * (1 - _T) * _T ** 2, _T ** 3])


def clipped_curves(x0, y0, x1, y1, rect) -> np.ndarray:
    """The vertical S-curves from (x0, y0) down to (x1, y1), as line segments clipped to
    ``rect``: an array of rows (ax, ay, bx, by)."""
    bend = np.maximum(18.0, np.abs(y1 - y0) / 2)
    xs = np.outer(x0, _B[0] + _B[1]) + np.outer(x1, _B[2] + _B[3])
    ys = (np.outer(y0, _B[0]) + np.outer(y0 + bend, _B[1]) + np.outer(y1 - bend, _B[2])
          + np.outer(y1, _B[3]))
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
