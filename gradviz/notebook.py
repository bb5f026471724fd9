"""gradviz where learners work: IPython and Jupyter.

``make_dot(t)`` (torchviz's name) returns a graph of how ``t`` was computed, built
after the fact from the live objects; in a notebook it displays inline
(``_repr_svg_``/``_repr_png_``, drawn as the app draws it) and ``.save(path)`` writes
any format. ``show()`` opens the app's window on the caller's namespace (IPython with
``%gui qt``, or a Jupyter kernel with the Qt event loop): the graph follows what the
user runs in their own shell. Qt is imported only when a picture or a window is made.

    dot = gradviz.make_dot(loss)        # inline in Jupyter; dot.save("loss.svg")
    window = gradviz.show()             # after %gui qt
"""

from __future__ import annotations

import inspect
import os
import tempfile
from pathlib import Path

from gradviz.model.from_live import from_tensors


class Graph:
    """The graph of some tensors, for a notebook: shown inline, saved with ``save``."""

    def __init__(self, model, theme: str = "light"):
        self.model = model
        self.theme = theme

    def save(self, path) -> Path:
        """Write .svg .png (drawn) or .dot .graphml .json; returns the path."""
        from gradviz.gui.render import write_any

        return write_any(self.model, path, theme=self.theme)

    def _render(self, suffix: str) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"graph{suffix}"
            self.save(path)
            return path.read_bytes()

    def _repr_svg_(self) -> str:
        return self._render(".svg").decode("utf-8")

    def _repr_png_(self) -> bytes:
        return self._render(".png")

    def __repr__(self) -> str:
        names = sorted(d["name"] for _, d in self.model.graph.nodes(data=True)
                       if d.get("kind") != "function" and d.get("name"))
        return f"<gradviz graph: {self.model.graph.number_of_nodes()} nodes; {', '.join(names)}>"


def _caller_names(frame) -> dict:
    found = dict(frame.f_globals)
    found.update(frame.f_locals)
    return found


def make_dot(*tensors, names: dict | None = None, theme: str = "light", _frame=None) -> Graph:
    """The graph that computed ``tensors`` (torchviz's ``make_dot``), labelled with the
    caller's variable names (or ``names={"loss": loss, ...}``); unnamed tensors are
    called ``output``, ``output1``, ..."""
    if names is None:
        frame = _frame or inspect.currentframe().f_back
        try:
            scope = _caller_names(frame)
        finally:
            del frame
    else:
        scope = dict(names)
    named = {}
    from gradviz.autograd import graph as introspect

    # the caller's names for the given tensors and for everything they came from
    for k, v in scope.items():
        if not k.startswith("_") and introspect.is_tensor(v):
            named.setdefault(k, v)
    for i, t in enumerate(tensors):
        if not any(v is t for v in named.values()):
            named[f"output{i or ''}"] = t
    model = from_tensors(named)
    keep = _reachable(model, tensors)
    model.graph.remove_nodes_from([n for n in list(model.graph) if n not in keep])
    return Graph(model, theme)


def _reachable(model, tensors) -> set:
    """Nodes the given tensors were computed from (and the tensors)."""
    import networkx as nx

    keep = set()
    for t in tensors:
        nid = model.node_of(t)
        if nid is not None:
            keep |= nx.ancestors(model.graph, nid) | {nid}
    return keep


def show(namespace: dict | None = None, tutorial: bool = False, theme: str | None = None,
         _frame=None):
    """Open the gradviz window on ``namespace`` (the caller's globals by default): the
    graph records what runs while the window lives and takes names from that namespace
    after each IPython cell (or every half second without IPython). Returns the window."""
    if namespace is None:
        frame = _frame or inspect.currentframe().f_back
        try:
            namespace = frame.f_globals
        finally:
            del frame
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gradviz.gui.shell_window import open_on_namespace

    return open_on_namespace(namespace, tutorial=tutorial, theme=theme)
