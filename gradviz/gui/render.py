"""Headless drawing: a model's graph to PNG or SVG, and a whole script to any format.

    render_model(model, "graph.png")                 # or .svg
    render_script("resources/examples/tutorial.py", "graph.svg")

``write_any`` picks the format from the extension: .png and .svg are drawn here, .dot,
.graphml and .json come from ``gradviz.model.export``. No window is opened; without a
display Qt runs on its offscreen platform.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.clusters import Clusters
from gradviz.gui.graph_drawing import NEW, GraphScene
from gradviz.gui.legend import legend_size, paint_legend
from gradviz.gui.theme import THEMES
from gradviz.model import GraphModel
from gradviz.model import export as model_export
from gradviz.model.groups_view import collapsed_at
from gradviz.model.layout_direction import layout_direction
from gradviz.torch_alias import torch_imports

IMAGE_FORMATS = (".png", ".svg")
DATA_FORMATS = (".dot", ".gv", ".graphml", ".json")


def ensure_qapp() -> QtWidgets.QApplication:
    """The running QApplication, or a new one (offscreen when there is no display)."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QtWidgets.QApplication(sys.argv[:1])
    return app


def _scene(model: GraphModel, theme, positions=None, routes=None) -> GraphScene:
    scene = GraphScene(theme)
    scene.direction = layout_direction(model)  # top-down or left-right
    if positions is None:
        positions, routes = model.positions(), model.routes()
    scene.sync(model.shown_graph(), positions, pinned=model.pinned, routes=routes or {})
    scene.clusters = Clusters()  # the module groups' boxes, painted under the graph
    scene.clusters.update(model, scene)
    return scene


def paint_graph(painter: QtGui.QPainter, scene: GraphScene, size: QtCore.QSizeF,
                legend: bool, show_new: bool, vector: bool = False) -> None:
    """Paint the whole graph into ``size`` (scaled down if needed), legend on the right;
    ``vector``: edges as whole paths (SVG)."""
    theme = scene.theme
    painter.fillRect(QtCore.QRectF(QtCore.QPointF(0, 0), size), QtGui.QColor(theme.background))
    if not show_new:
        scene.flags &= ~NEW
    bounds = scene.bounds(margin=28)
    lw = legend_size().width() + 24 if legend else 0.0
    scale = min(1.0, (size.width() - lw) / bounds.width(), size.height() / bounds.height())
    painter.save()
    painter.translate((size.width() - lw - bounds.width() * scale) / 2, 0)
    painter.scale(scale, scale)
    painter.translate(-bounds.left(), -bounds.top())
    clusters = getattr(scene, "clusters", None)
    if clusters is not None:
        clusters.paint(painter, bounds, scale, theme)
    scene.paint(painter, bounds, scale, vector=vector)
    painter.restore()
    if legend:
        paint_legend(painter, QtCore.QPointF(size.width() - lw + 8, 16), theme)


def image_size(scene: GraphScene, legend: bool, max_side: int = 4000) -> QtCore.QSizeF:
    bounds = scene.bounds(margin=28)
    lsize = legend_size()
    w = bounds.width() + (lsize.width() + 24 if legend else 0)
    h = max(bounds.height(), lsize.height() + 32 if legend else 0)
    k = min(1.0, max_side / max(w, h))
    return QtCore.QSizeF(round(w * k), round(h * k))


def render_model(model: GraphModel, path, theme: str = "light", legend: bool = True,
                 show_new: bool = False, device_scale: float = 2.0, positions=None,
                 routes=None) -> Path:
    """Draw ``model``'s graph to ``path`` (.png or .svg) as the app shows it; an
    ``ExportError`` (OSError) with the OS's reason when it cannot be written.

    ``positions``: ``{node: (x, y)}`` in layout units (default ``model.positions()``, with
    ``model.routes()``); ``routes``: the bend points of long edges that go with them."""
    ensure_qapp()
    path = Path(path)
    ext = path.suffix.lower()
    scene = _scene(model, THEMES[theme], positions, routes)
    size = image_size(scene, legend)
    if ext == ".png":
        image = QtGui.QImage(round(size.width() * device_scale),
                             round(size.height() * device_scale),
                             QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(device_scale)
        painter = QtGui.QPainter(image)
        paint_graph(painter, scene, size, legend, show_new)
        painter.end()
        save_png(image, path)
    elif ext == ".svg":
        from PySide6 import QtSvg

        buffer = QtCore.QBuffer()  # drawn in memory: Qt cannot say why a file failed
        buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
        gen = QtSvg.QSvgGenerator()
        gen.setOutputDevice(buffer)
        gen.setSize(size.toSize())
        gen.setViewBox(QtCore.QRectF(QtCore.QPointF(0, 0), size))
        gen.setTitle("gradviz graph")
        gen.setResolution(96)  # font sizes in pixels as laid out, not points taken as pixels
        painter = QtGui.QPainter(gen)
        paint_graph(painter, scene, size, legend, show_new, vector=True)
        painter.end()
        write_file(path, bytes(buffer.data()))
    else:
        raise ValueError(f"unknown image format {ext!r}: use .png or .svg")
    return path


def write_file(path, data: bytes) -> None:
    """Write ``data`` to ``path``; ``ExportError`` with the OS's reason if it cannot."""
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as exc:
        raise model_export.cannot_write(path, exc) from exc


def save_png(image: QtGui.QImage, path) -> None:
    """``image`` as a PNG file at ``path``; ``ExportError`` with the OS's reason if not."""
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    write_file(path, bytes(data))


def write_any(model: GraphModel, path, theme: str = "light", scale: float = 2.0,
              positions=None, routes=None) -> Path:
    """Write ``model`` to ``path`` in the format its extension names.

    write_any(model, "graph.graphml")
    """
    ext = Path(path).suffix.lower()
    if ext in IMAGE_FORMATS:
        return render_model(model, path, theme=theme, device_scale=scale, positions=positions,
                            routes=routes)
    if ext in DATA_FORMATS:
        model_export.write(model, path)
        return Path(path)
    raise ValueError(f"unknown format {ext!r}: use one of "
                     + ", ".join(IMAGE_FORMATS + DATA_FORMATS))


def run_script(path, model: GraphModel, namespace: dict | None = None) -> dict:
    """Run the Python file ``path`` as ``__main__`` with ``model`` recording; returns its
    namespace. Exceptions propagate; what was built before them stays in the model."""
    path = Path(path)
    source = path.read_text(encoding="utf-8")
    ns = namespace if namespace is not None else {}
    ns.update(__name__="__main__", __file__=str(path))
    code = compile(source, str(path), "exec")
    argv, sys.argv = sys.argv, [str(path)]
    sys.path.insert(0, str(path.parent.resolve()))
    try:
        with model.recording(), torch_imports(model.engine.name):
            try:
                exec(code, ns)
            finally:
                model.set_names(ns)
    finally:
        sys.argv = argv
        sys.path.remove(str(path.parent.resolve()))
    return ns


def render_script(script, out, theme: str = "light", scale: float = 2.0,
                  engine: str = "numpy", collapse: int | None = None) -> GraphModel:
    """Run ``script`` headlessly and write its graph to ``out`` (by extension); ``scale``:
    PNG pixels per drawing unit (2 for sharp text on high-density screens); ``engine``:
    the autograd engine recorded ("torch": the script's real PyTorch); ``collapse``: draw
    the module groups at that depth as one node each (0: the outermost modules)."""
    if Path(out).suffix.lower() not in IMAGE_FORMATS + DATA_FORMATS:
        raise ValueError(f"unknown format {Path(out).suffix!r}: use one of "
                         + ", ".join(IMAGE_FORMATS + DATA_FORMATS))
    model = GraphModel(engine=engine)
    ns: dict = {}
    try:
        run_script(script, model, ns)
        if collapse is not None:
            for path in sorted(collapsed_at(model.groups(), collapse)):
                model.collapse(path)
        write_any(model, out, theme=theme, scale=scale)
    finally:
        ns.clear()
    return model
