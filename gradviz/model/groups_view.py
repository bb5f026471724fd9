"""Collapsed module groups: the graph as drawn when some groups are one node each.

A collapsed group (``model.collapsed``, paths) is drawn as one node ``"group:<path>"`` in
place of every node inside it; its edges are the edges crossing its border, merged (one per
pair of ends). A group inside a collapsed group is hidden with it.

    shown = collapsed_graph(model.graph, {"net.0"}, model.group_label)
    shown.nodes["group:net.0"]["label"]
    'net.0 · Linear(4→16)'

``choose_depth`` picks how deep a big graph opens: the deepest level of the group tree at
which the collapsed graph still fits the screen readably (the caller says what fits).
"""

from __future__ import annotations

import re

import networkx as nx

__all__ = ["GROUP_PREFIX", "collapsed_graph", "group_id", "depth_of", "choose_depth",
           "collapsed_at", "parent_path", "module_path", "outermost_collapsed"]

GROUP_PREFIX = "group:"
_CALL = re.compile(r"#\d+")


def parent_path(path: str) -> str | None:
    """``net.3`` for ``net.3.body``; None for a root."""
    return path.rsplit(".", 1)[0] if "." in path else None


def module_path(path: str) -> str:
    """The module's own path of a group: ``net.pool`` for ``net.pool#2`` (its second call
    in one call of ``net``) and for ``net#2.pool`` (inside the second call of ``net``)."""
    return _CALL.sub("", path) if "#" in path else path


def group_id(path: str) -> str:
    return GROUP_PREFIX + path


def depth_of(path: str) -> int:
    """0 for a root (``net``), 1 for ``net.0``, ..."""
    return path.count(".")


def outermost_collapsed(path, collapsed, memo=None):
    """The outermost collapsed group containing module ``path`` (itself included), or None."""
    memo = {} if memo is None else memo
    if path in memo:
        return memo[path]
    parent = parent_path(path)
    found = outermost_collapsed(parent, collapsed, memo) if parent is not None else None
    if found is None and path in collapsed:
        found = path
    memo[path] = found
    return found


def collapsed_graph(graph, collapsed, label) -> nx.MultiDiGraph:
    """``graph`` with each outermost collapsed group replaced by one node. Node attribute
    dicts of the nodes kept are shared with ``graph`` (so updates show); ``label(path)``
    is a group's label."""
    memo: dict = {}
    rep: dict = {}
    members: dict[str, list] = {}  # group id -> [member count, any member new]
    for nid, data in graph.nodes(data=True):
        path = data.get("module")
        top = outermost_collapsed(path, collapsed, memo) if path is not None else None
        if top is not None:
            gid = group_id(top)
            rep[nid] = gid
            m = members.setdefault(gid, [0, False])
            m[0] += 1
            m[1] = m[1] or bool(data.get("new"))
    shown = nx.MultiDiGraph()
    for nid, data in graph.nodes(data=True):
        if nid not in rep:
            shown._succ[nid], shown._pred[nid] = {}, {}
            shown._node[nid] = data
    for gid, (count, new) in members.items():
        path = gid[len(GROUP_PREFIX):]
        text = label(path)
        shown.add_node(gid, kind="group", path=path, name=text, label=text, count=count,
                       shape=None, new=new)
    for u, v, data in graph.edges(data=True):
        ru, rv = rep.get(u, u), rep.get(v, v)
        if ru == rv and (u != ru):
            continue  # inside one collapsed group
        if ru != u or rv != v:
            if shown.has_edge(ru, rv):
                continue  # merged: one edge per pair of ends
            shown.add_edge(ru, rv, kind=data.get("kind"), input_nr=0)
        else:
            shown.add_edge(u, v, **data)
    return shown


def collapsed_at(groups: dict, depth: int) -> set[str]:
    """The groups to collapse to show the tree down to ``depth``: those at that depth."""
    return {path for path in groups if depth_of(path) == depth}


def choose_depth(groups: dict, fits) -> int | None:
    """The deepest depth whose collapsed graph ``fits(collapsed set)`` says reads well;
    None when the whole graph does (nothing to collapse); the shallowest depth (0) when
    nothing fits."""
    if not groups:
        return None
    deepest = max(depth_of(p) for p in groups)
    if fits(set()):
        return None
    for depth in range(deepest, 0, -1):
        if fits(collapsed_at(groups, depth)):
            return depth
    return 0
