"""The graph seen from far away, painted as one image with NumPy (a level of detail).

Zoomed out over thousands of nodes, every box is a few pixels and every edge a short line:
drawing them one ``QRectF`` / ``QLineF`` at a time costs Python and Qt ~100 ms a frame at
50,000 nodes. Here the frame is an array of pixels instead: edges are sampled one point per
pixel along their straight line (clipped to the view first), node boxes are filled with a
2-D difference array (boxes do not overlap, so each pixel gets its box's colour), and the
result goes to the painter as one ``QImage``, pixel for pixel. A frame costs a few
milliseconds whatever the number of nodes.

    image, pixels = far_image(scene, rect, scale, ratio=1.0)   # rect at that zoom
    painter.drawImage(rect, image)   # (image shows pixels: keep them until drawn)
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui

MAX_SAMPLES = 200_000  # edge points per frame at most (long edges are sampled sparser)
MIN_BOX = 3.0  # pixels: the least width and height of a node seen from far away


def _argb(color) -> np.uint32:
    c = QtGui.QColor(color)
    return np.uint32((0xFF << 24) | (c.red() << 16) | (c.green() << 8) | c.blue())


def far_image(scene, rect, scale: float, ratio: float = 1.0):
    """The nodes and edges of ``scene`` inside ``rect`` (scene pixels) as drawn at zoom
    ``scale`` on a device of ``ratio`` pixels per logical pixel: ``(image, pixels)``, an ARGB32
    ``QImage`` of ``rect``'s size on screen over the NumPy array ``pixels`` (which must live
    while the image is used): transparent where nothing is (module boxes painted before show
    through), boxes in their style's fill colour and edges as one-pixel lines under them."""
    k = scale * ratio  # image pixels per scene pixel
    width = max(1, int(np.ceil(rect.width() * k)))
    height = max(1, int(np.ceil(rect.height() * k)))
    buf = np.zeros((height, width), np.uint32)  # transparent: what is under shows
    left, top = rect.left(), rect.top()
    if scene.eu.size:
        x0, y0, x1, y1 = scene._edge_ends()
        _draw_lines(buf, (x0 - left) * k, (y0 - top) * k, (x1 - left) * k, (y1 - top) * k,
                    _argb(scene.theme.edge))
    if len(scene):
        _fill_boxes(buf, scene, left, top, k, [_argb(b.color()) for b in scene._brushes])
    image = QtGui.QImage(buf.data, width, height, 4 * width,
                         QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    return image, buf


def _draw_lines(buf, x0, y0, x1, y1, color) -> None:
    """One-pixel lines from (x0, y0) to (x1, y1) (image pixels), clipped to the image."""
    h, w = buf.shape
    out = ((np.maximum(x0, x1) < 0) | (np.minimum(x0, x1) >= w)
           | (np.maximum(y0, y1) < 0) | (np.minimum(y0, y1) >= h))
    if out.all():
        return
    if out.any():
        keep = ~out
        x0, y0, x1, y1 = x0[keep], y0[keep], x1[keep], y1[keep]
    x0, y0 = x0.astype(np.float32), y0.astype(np.float32)
    dx, dy = x1.astype(np.float32) - x0, y1.astype(np.float32) - y0
    inside = (np.minimum(x0, x0 + dx) >= 0) & (np.maximum(x0, x0 + dx) < w) & (
        np.minimum(y0, y0 + dy) >= 0) & (np.maximum(y0, y0 + dy) < h)
    if not inside.all():  # Liang-Barsky on the lines that leave the image
        part = np.flatnonzero(~inside)
        px0, py0, pdx, pdy = x0[part], y0[part], dx[part], dy[part]
        t0, t1 = np.zeros(part.size, np.float32), np.ones(part.size, np.float32)
        for p, q in ((-pdx, px0), (pdx, w - 1e-3 - px0), (-pdy, py0), (pdy, h - 1e-3 - py0)):
            ratio = np.divide(q, p, out=np.zeros_like(q), where=p != 0)
            t0 = np.where(p < 0, np.maximum(t0, ratio), t0)
            t1 = np.where(p > 0, np.minimum(t1, ratio), t1)
            t1 = np.where((p == 0) & (q < 0), -1.0, t1)
        t1 = np.maximum(t1, t0)  # (nothing left: one clamped point)
        x0[part], y0[part] = px0 + t0 * pdx, py0 + t0 * pdy
        dx[part], dy[part] = (t1 - t0) * pdx, (t1 - t0) * pdy
    n = np.ceil(np.maximum(np.abs(dx), np.abs(dy))).astype(np.int64) + 1
    total = int(n.sum())
    if total > MAX_SAMPLES:  # sparser points on the long lines
        n = np.maximum(2, (n * (MAX_SAMPLES / total)).astype(np.int64))
        total = int(n.sum())
    e = np.repeat(np.arange(n.size), n)
    t = np.arange(total, dtype=np.float32)
    t -= np.repeat((np.cumsum(n) - n).astype(np.float32), n)
    t /= np.repeat(np.maximum(n - 1, 1).astype(np.float32), n)
    xs = (x0[e] + dx[e] * t).astype(np.int64)
    ys = (y0[e] + dy[e] * t).astype(np.int64)
    np.clip(xs, 0, w - 1, out=xs)
    np.clip(ys, 0, h - 1, out=ys)
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
    r0, r1, c0, c1 = int(ya.min()), int(yb.max()), int(xa.min()), int(xb.max())
    ya, yb, xa, xb = ya - r0, yb - r0, xa - c0, xb - c0  # within the boxes' bounding box
    diff = np.zeros((r1 - r0 + 1, c1 - c0 + 1), np.int32)
    np.add.at(diff, (ya, xa), code)
    np.add.at(diff, (ya, xb), -code)
    np.add.at(diff, (yb, xa), -code)
    np.add.at(diff, (yb, xb), code)
    cover = np.cumsum(np.cumsum(diff[:-1, :-1], axis=0), axis=1)
    hit = cover > 0
    # boxes do not overlap in a layout; where inflated ones touch, the sum is some style
    buf[r0:r1, c0:c1][hit] = palette[(cover[hit] - 1) % palette.size]
