"""Exports of a ``GraphModel``: DOT (torchviz-like), GraphML, node-link JSON and a session
JSON that round-trips the model exactly.

    write(model, "graph.dot")          # format chosen by the extension
    save_session(model, "s.json"); same = load_session("s.json")

A session keeps tensor values and grads (up to ``stored_values.VALUES_CAP`` bytes) and
loads as a snapshot: fresh negative node ids (new statements never attach to it), no
node marked new, values and grads answered from the file.
"""

from __future__ import annotations

import json
import os

import networkx as nx
import numpy as np

from gradviz.model import stored_values
from gradviz.model.graph_model import GradEntry, GraphModel
from gradviz.model.layout_direction import DIRECTIONS, layout_direction

SESSION_FORMAT = "gradviz-session"
SESSION_VERSION = 2  # 2 keeps values and grads; 1 is still read

COLORS = {"leaf": "lightblue", "output": "darkolivegreen1", "constant": "white",
          "function": "lightgrey", "AccumulateGrad": "lightgrey"}


class SessionError(ValueError):
    """A session file that cannot be loaded (corrupt, truncated or of another format)."""


class ExportError(OSError):
    """A graph or session that could not be written; says where and the OS's reason.

        >>> from gradviz.model import GraphModel
        >>> write(GraphModel(), "/no/such/dir/graph.dot")
        Traceback (most recent call last):
        gradviz.model.export.ExportError: cannot write /no/such/dir/graph.dot: No such file ...
    """


    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


def cannot_write(path, exc: OSError) -> ExportError:
    """The ``ExportError`` for ``exc`` raised while writing ``path`` (errno kept)."""
    return ExportError(exc.errno, exc.strerror or str(exc), str(path))


def _shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")" if shape is not None else ""


def to_dot(model: GraphModel, saved: bool = False) -> str:
    """The graph in Graphviz DOT, drawn as torchviz draws it (inputs at the top, or on the
    left with ``rankdir=LR`` when the model's layout direction is left-right)."""
    rankdir = " rankdir=LR" if layout_direction(model) == "left-right" else ""
    lines = ["digraph {", f'\tgraph [size="12,12"{rankdir}]',
             '\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 '
             'shape=box style=filled]']
    for nid, d in model.graph.nodes(data=True):
        if d["kind"] == "function":
            label = d["name"]
            if saved and d.get("saved"):
                freed = set(d.get("saved_tensors", ())) if d.get("freed") else set()
                label += "\\n" + "\\n".join(
                    f"{s} (freed)" if s in freed else s for s in d["saved"])
            lines.append(f'\t{nid} [label="{label}" fillcolor={COLORS["function"]}]')
        else:
            name = d.get("name") or ""
            label = (name + "\\n" if name else "") + _shape(d["shape"])
            style = ' style="dashed,filled"' if d.get("ghost") else ""
            lines.append(f'\t{nid} [label="{label}" fillcolor={COLORS[d["role"]]}{style}]')
    for u, v in model.graph.edges():
        lines.append(f"\t{u} -> {v}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _plain(value):
    """A GraphML/JSON-safe scalar for one attribute (arrays become their shape)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.ndarray):
        return f"array{_shape(value.shape)}"
    if isinstance(value, tuple | list):
        return json.dumps([_plain(v) if not isinstance(v, int | float | str) else v
                           for v in value])
    return str(value)


def _plain_graph(model: GraphModel) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for nid, d in model.graph.nodes(data=True):
        g.add_node(nid, **{k: _plain(v) for k, v in d.items()})
    for u, v, k, d in model.graph.edges(keys=True, data=True):
        g.add_edge(u, v, key=k, **{a: _plain(b) for a, b in d.items()})
    return g


def to_graphml(model: GraphModel, path) -> None:
    nx.write_graphml(_plain_graph(model), path)


def to_json(model: GraphModel) -> dict:
    """networkx node-link data (``nodes`` and ``edges``)."""
    return nx.node_link_data(_plain_graph(model), edges="edges")


def write(model: GraphModel, path, saved: bool = False) -> None:
    """Write ``.dot``, ``.graphml`` or ``.json`` (node-link), chosen by the extension;
    ``ExportError`` (an OSError) with the OS's reason when the file cannot be written."""
    ext = os.path.splitext(str(path))[1].lower()
    if ext not in (".dot", ".gv", ".graphml", ".json"):
        raise ValueError(f"unknown export format {ext!r}: use .dot, .graphml or .json")
    try:
        if ext in (".dot", ".gv"):
            with open(path, "w", encoding="utf-8") as f:
                f.write(to_dot(model, saved))
        elif ext == ".graphml":
            to_graphml(model, path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                json.dump(to_json(model), f, indent=1)
    except OSError as exc:
        raise cannot_write(path, exc) from exc


# ---------------------------------------------------------------- sessions
def _encode(value):
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": value.dtype.name,
                "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _decode(value):
    if isinstance(value, dict):
        if "__array__" in value:
            return stored_values.decode_array({"dtype": value["dtype"], "shape": value["shape"],
                                               "data": _flat(value["__array__"])})
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        raise ValueError(f"unexpected object in session: {sorted(value)}")
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _flat(nested) -> list:
    out = []
    stack = [nested]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out


def session_dict(model: GraphModel, values_cap: int | None = None) -> dict:
    """The session as JSON-ready data; ``values_left_out`` lists the tensors whose values
    the cap (``stored_values.VALUES_CAP`` bytes by default) left out."""
    if values_cap is None:
        values_cap = stored_values.VALUES_CAP
    values, left_out = stored_values.collect(model, values_cap)
    return {
        "format": SESSION_FORMAT,
        "version": SESSION_VERSION,
        "release_policy": model.release_policy,
        "layout_direction": layout_direction(model),
        "nodes": [[nid, {k: _encode(v) for k, v in d.items()}]
                  for nid, d in model.graph.nodes(data=True)],
        "edges": [[u, v, k, {a: _encode(b) for a, b in d.items()}]
                  for u, v, k, d in model.graph.edges(keys=True, data=True)],
        "histories": [[nid, [[e.label, _encode(e.value)] for e in entries]]
                      for nid, entries in model._histories.items()],
        "backward_counts": [[k, v] for k, v in model._backward_counts.items()],
        "positions": [[nid, list(xy)] for nid, xy in model._positions.items()],
        "pinned": [[nid, list(xy)] for nid, xy in model._pinned.items()],
        "values": values,
        "values_cap": values_cap,
        "values_left_out": left_out,
    }


def save_session(model: GraphModel, path, values_cap: int | None = None) -> int:
    """Write the whole model (graph, attributes, histories, layout, values and grads up to
    ``values_cap`` bytes) as JSON; returns how many tensors' values the cap left out."""
    data = session_dict(model, values_cap)
    text = json.dumps(data)
    tmp = f"{path}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.isfile(tmp):
            os.remove(tmp)
        raise cannot_write(path, exc) from exc
    return len(data["values_left_out"])


def load_session(path) -> GraphModel:
    """A new, detached GraphModel from a session file; SessionError if it is unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"cannot read session {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SessionError(f"session {path} is corrupt or truncated: {exc}") from exc
    except RecursionError as exc:  # "[[[[..." nested beyond what json can read
        raise SessionError(f"session {path} is corrupt: nested too deeply") from exc
    return session_from_dict(data, path)


def session_from_dict(data, path="<session>") -> GraphModel:
    """The snapshot a session's data describes (see the module docstring); SessionError
    for anything that is not a gradviz session."""
    if not isinstance(data, dict) or data.get("format") != SESSION_FORMAT:
        raise SessionError(f"{path} is not a gradviz session file")
    if data.get("version") not in (1, SESSION_VERSION):
        raise SessionError(f"{path} has session version {data.get('version')!r}; "
                           f"this gradviz reads versions 1 and {SESSION_VERSION}")
    try:
        model = GraphModel(release_policy=data["release_policy"])
        ids = {}  # the file's node id -> the snapshot's: -1, -2, ... in graph order
        for nid, attrs in data["nodes"]:
            if nid in ids:
                raise SessionError(f"{path}: node {nid} appears twice")
            ids[nid] = new = -1 - len(ids)
            model.graph.add_node(new, **{k: _decode(v) for k, v in attrs.items()})
            model.graph.nodes[new]["new"] = False
        for u, v, k, attrs in data["edges"]:
            if u not in ids or v not in ids:
                raise SessionError(f"{path}: edge {u} -> {v} names a missing node")
            model.graph.add_edge(ids[u], ids[v], key=k,
                                 **{a: _decode(b) for a, b in attrs.items()})
        for nid, entries in data["histories"]:
            model._histories[ids[nid]] = [GradEntry(label, _decode(value))
                                          for label, value in entries]
        model._backward_counts = {ids[k]: v for k, v in data["backward_counts"] if k in ids}
        model._positions = {ids[nid]: tuple(xy) for nid, xy in data["positions"]}
        model._pinned = {ids[nid]: tuple(xy) for nid, xy in data["pinned"]}
        model.layout_direction = data.get("layout_direction", DIRECTIONS[0])
        if model.layout_direction not in DIRECTIONS:
            raise ValueError(f"layout direction {model.layout_direction!r}")
        for nid, value, grad in data.get("values", ()):
            model._stored[ids[nid]] = (
                None if value is None else stored_values.decode_array(value),
                None if grad is None else stored_values.decode_array(grad))
        model.values_left_out = {ids[nid] for nid in data.get("values_left_out", ())}
        model._layout_dirty = set(model._positions) != set(model.graph.nodes)
    except SessionError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError, RecursionError) as exc:
        raise SessionError(f"{path} is not a valid gradviz session: {exc!r}") from exc
    return model
