"""The graph seen from far away, painted as one image with NumPy (a level of detail).

Zoomed out over thousands of nodes, every box is a few pixels and every edge a short line:
drawing them one ``QRectF`` / ``QLineF`` at a time costs Python and Qt ~100 ms a frame at
50,000 nodes. Here the frame is an array of pixels instead: edges are sampled one point per
pixel along their straight line (clipped to the view first), node boxes are filled with a
2-D difference array (boxes do not overlap, so each pixel gets its box's colour), and the
result goes to the painter as one ``QImage``, pixel for pixel. A frame costs a few
milliseconds whatever the number of nodes.

    raster = far_image(scene, rect, scale, ratio=1.0)   # QImage of rect at that zoom
    painter.drawImage(rect, raster)
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui

MAX_SAMPLES = 200_000  # edge points per frame at most (long edges are sampled sparser)
MIN_BOX = 3.0  # pixels: the least width and height of a node seen from far away


def _argb(color) -> np.uint32:
    c = QtGui.QColor(color)
    return np.uint32((0xFF << 24) | (c.red() << 16) | (c.green() << 8) | c.blue())


def far_image(scene, rect, scale: float, ratio: float = 1.0) -> QtGui.QImage:
    """The nodes and edges of ``scene`` inside ``rect`` (scene pixels) as drawn at zoom
    ``scale`` on a device of ``ratio`` pixels per logical pixel: an ARGB32 image of
    ``rect``'s size on screen, background filled, boxes in their style's fill colour and
    edges as one-pixel lines under them."""
    k = scale * ratio  # image pixels per scene pixel
    width = max(1, int(np.ceil(rect.width() * k)))
    height = max(1, int(np.ceil(rect.height() * k)))
    theme = scene.theme
    buf = np.full((height, width), _argb(theme.background), np.uint32)
    left, top = rect.left(), rect.top()
    if scene.eu.size:
        x0, y0, x1, y1 = scene._edge_ends()
        _draw_lines(buf, (x0 - left) * k, (y0 - top) * k, (x1 - left) * k, (y1 - top) * k,
                    _argb(theme.edge))
    if len(scene):
        _fill_boxes(buf, scene, left, top, k, [_argb(b.color()) for b in scene._brushes])
    image = QtGui.QImage(buf.data, width, height, 4 * width, QtGui.QImage.Format.Format_RGB32)
    image = image.copy()  # own the pixels (buf goes away)
    image.setDevicePixelRatio(ratio)
    return image


def _draw_lines(buf, x0, y0, x1, y1, color) -> None:
    """One-pixel lines from (x0, y0) to (x1, y1) (image pixels), clipped to the image."""
    h, w = buf.shape
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = np.zeros(x0.size), np.ones(x0.size)
    for p, q in ((-dx, x0), (dx, w - 1e-6 - x0), (-dy, y0), (dy, h - 1e-6 - y0)):  # Liang-Barsky
        ratio = np.divide(q, p, out=np.zeros_like(q), where=p != 0)
        t0 = np.where(p < 0, np.maximum(t0, ratio), t0)
        t1 = np.where(p > 0, np.minimum(t1, ratio), t1)
        t1 = np.where((p == 0) & (q < 0), -1.0, t1)
    keep = t0 <= t1
    if not keep.any():
        return
    ax, ay = x0[keep] + t0[keep] * dx[keep], y0[keep] + t0[keep] * dy[keep]
    ddx, ddy = (t1[keep] - t0[keep]) * dx[keep], (t1[keep] - t0[keep]) * dy[keep]
    n = np.ceil(np.maximum(np.abs(ddx), np.abs(ddy))).astype(np.int64) + 1
    total = int(n.sum())
    if total > MAX_SAMPLES:  # sparser points on the long lines
        n = np.maximum(2, (n * (MAX_SAMPLES / total)).astype(np.int64))
        total = int(n.sum())
    e = np.repeat(np.arange(n.size), n)
    t = np.arange(total, dtype=float)
    t -= np.repeat(np.cumsum(n) - n, n)
    t /= np.repeat(np.maximum(n - 1, 1), n)
    xs = np.clip((ax[e] + ddx[e] * t).astype(np.int64), 0, w - 1)
    ys = np.clip((ay[e] + ddy[e] * t).astype(np.int64), 0, h - 1)
    ys *= w
    ys += xs
    buf.ravel()[ys] = color  # (flat indices: several times faster than buf[ys, xs])


def _fill_boxes(buf, scene, left, top, k, colors) -> None:
    """Each node's box (at least ``MIN_BOX`` pixels) filled with its style's colour."""
    h, w = buf.shape
    bw = np.maximum(scene.W * k, MIN_BOX) / 2
    bh = np.maximum(scene.H * k, MIN_BOX) / 2
    cx, cy = (scene.X - left) * k, (scene.Y - top) * k
    xa = np.clip(np.round(cx - bw), 0, w).astype(np.int64)
    xb = np.clip(np.round(cx + bw), 0, w).astype(np.int64)
    ya = np.clip(np.round(cy - bh), 0, h).astype(np.int64)
    yb = np.clip(np.round(cy + bh), 0, h).astype(np.int64)
    inside = (xa < xb) & (ya < yb)
    if not inside.any():
        return
    xa, xb, ya, yb = xa[inside], xb[inside], ya[inside], yb[inside]
    palette = np.asarray(colors, np.uint32)
    color = palette[scene.style[inside]]
    span_x, span_y = int((xb - xa).max()), int((yb - ya).max())
    if span_x * span_y <= 16:  # tiny boxes: a few strided writes
        flat, base = buf.ravel(), ya * w + xa
        sx, sy = xb - xa, yb - ya
        for dy in range(span_y):
            for dx in range(span_x):
                if dx == 0 and dy == 0:
                    flat[base] = color
                    continue
                m = (sx > dx) & (sy > dy)
                flat[base[m] + (dy * w + dx)] = color[m]
        return
    code = scene.style[inside].astype(np.int32) + 1  # 0: no node
    diff = np.zeros((h + 1, w + 1), np.int32)
    np.add.at(diff, (ya, xa), code)
    np.add.at(diff, (ya, xb), -code)
    np.add.at(diff, (yb, xa), -code)
    np.add.at(diff, (yb, xb), code)
    cover = np.cumsum(np.cumsum(diff[:h, :w], axis=0), axis=1)
    hit = cover > 0
    # boxes do not overlap in a layout; where inflated ones touch, the sum is some style
    buf[hit] = palette[(cover[hit] - 1) % palette.size]
