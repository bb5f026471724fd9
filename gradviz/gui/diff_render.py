"""``gradviz diff A.json B.json -o diff.png``: two saved sessions compared, drawn headlessly.

The picture is session B's graph with what session A had and B lacks added back (marked
"removed", red), B's new nodes marked "added" (green) and nodes whose numbers changed
"changed" (amber); the summary line is printed. Nodes are matched by structure
(:func:`gradviz.model.compare.compare` with ``match="structure"``).

    model, result = diff_sessions("a.json", "b.json")
    render_diff(model, "diff.png")
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6 import QtCore, QtGui

from gradviz.gui.debug_overlay import COMPARE, DebugOverlay
from gradviz.gui.graph_drawing import NEW
from gradviz.gui.render import _scene, ensure_qapp, image_size, save_png
from gradviz.gui.theme import THEMES
from gradviz.model import compare as model_compare
from gradviz.model.export import ExportError, SessionError, load_session


def diff_sessions(a_path, b_path):
    """(the union model, the Comparison) of two session files."""
    a, b = load_session(a_path), load_session(b_path)
    before, after = model_compare.snapshot(a), model_compare.snapshot(b)
    result = model_compare.compare(before, after, match="structure")
    keys_a = model_compare.structure_ids(before)
    by_key_b = {k: n for n, k in model_compare.structure_ids(after).items()}
    into_b = {n: by_key_b[k] for n, k in keys_a.items() if k in by_key_b}
    fresh = max(b.graph.nodes, default=0) + 1
    for nid in result.removed:  # A's nodes that B lacks, drawn back in
        into_b[nid] = fresh
        b.graph.add_node(fresh, **dict(a.graph.nodes[nid]), compare="removed")
        fresh += 1
    for u, v, data in a.graph.edges(data=True):
        if (u in result.removed or v in result.removed) and u in into_b and v in into_b:
            b.graph.add_edge(into_b[u], into_b[v], **data)
    for nid, data in b.graph.nodes(data=True):
        if data.get("compare") != "removed":
            data["compare"] = ("added" if nid in result.added else "changed"
                               if nid in result.changed else None)
    return b, result


def render_diff(model, path, theme: str = "light", device_scale: float = 2.0) -> Path:
    """The union graph with its compare marks and a key, as a PNG."""
    ensure_qapp()
    path = Path(path)
    scene = _scene(model, THEMES[theme])
    scene.flags &= ~NEW  # a loaded session's nodes all say "new": no halo
    size = image_size(scene, legend=False)
    size = QtCore.QSizeF(max(size.width(), 420), size.height() + 40)
    image = QtGui.QImage(round(size.width() * device_scale), round(size.height() * device_scale),
                         QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(device_scale)
    painter = QtGui.QPainter(image)
    painter.fillRect(QtCore.QRectF(QtCore.QPointF(0, 0), size),
                     QtGui.QColor(scene.theme.background))
    bounds = scene.bounds(margin=28)
    scale = min(1.0, size.width() / bounds.width(), (size.height() - 40) / bounds.height())
    painter.save()
    painter.translate(0, 40)
    painter.scale(scale, scale)
    painter.translate(-bounds.left(), -bounds.top())
    scene.paint(painter, bounds, scale)
    DebugOverlay(model).paint_over(painter, scene, bounds, max(scale, 1.0))
    painter.restore()
    x = 12.0
    for what, color in COMPARE.items():
        if what == "released":
            continue
        painter.setPen(QtGui.QPen(QtGui.QColor(color), 3))
        painter.drawRoundedRect(QtCore.QRectF(x, 12, 22, 14), 4, 4)
        painter.setPen(QtGui.QColor(scene.theme.text))
        painter.drawText(QtCore.QPointF(x + 28, 24), what)
        x += 100
    painter.end()
    save_png(image, path)
    return path


def diff_command(argv) -> int:
    """``gradviz diff A.json B.json -o diff.png``."""
    p = argparse.ArgumentParser(prog="gradviz diff",
                                description="Compare two saved sessions and draw the result.")
    p.add_argument("before", help="session JSON (File > Save session)")
    p.add_argument("after", help="session JSON to compare with it")
    p.add_argument("-o", "--output", required=True, help="a .png")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    args = p.parse_args(argv)
    if Path(args.output).suffix.lower() != ".png":
        print("gradviz diff: the output must be a .png", file=sys.stderr)
        return 2
    try:
        model, result = diff_sessions(args.before, args.after)
        render_diff(model, args.output, theme=args.theme)
    except (SessionError, ExportError) as exc:
        print(f"gradviz diff: {exc}", file=sys.stderr)
        return 1
    print(result.describe())
    print(f"wrote {args.output}")
    return 0
