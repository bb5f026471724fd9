"""What backward keeps: each node's saved tensors with their bytes, the graph's total, and
a timeline of saved bytes alive through the forward and the backward.

A saved tensor is keyed by the memory it holds (the array's address and size), so a
result saved by its own node and by the next one (``y = x.exp(); z = y * 2``), or an
input two nodes save, is counted once. A node is measured once, when first asked or, with
``model.track_saved_memory = True`` (the app sets it), when a backward starts, before it
frees them; what a node held is remembered after backward frees it, for the timeline
(without tracking, a node freed before anyone asked counts as unknown there).

    model = GraphModel()
    with model.recording():
    ...     x = gradviz.ones(1000, requires_grad=True)
    ...     y = x.exp()                      # saves its result: 4,000 bytes
    ...     z = (y * y).sum()                # saves y twice: the same memory
    total_saved_bytes(model)
    4000
"""

from __future__ import annotations

import numpy as np


def _key(array) -> tuple:
    a = np.asarray(array)
    return (a.__array_interface__["data"][0], a.nbytes)


def measure_node(model, nid) -> tuple | None:
    """``((name, key, nbytes), ...)`` of node ``nid``'s saved tensors, remembered as
    ``saved_memory`` on the node; None when it can no longer be measured."""
    data = model.graph.nodes[nid]
    known = data.get("saved_memory")
    if known is not None:
        return known
    if data.get("kind") != "function" or data.get("freed"):
        return None
    values = model.saved_values(nid)
    if values is None:  # the grad_fn is gone: nothing more can be known
        data["saved_memory"] = None
        return None
    entries = []
    for entry in values:
        value = entry.value
        if isinstance(value, np.ndarray):
            key = _key(value)
            entries.append((entry.name, key, key[1]))
    data["saved_memory"] = tuple(entries)
    return data["saved_memory"]


def measure(model, nids=None) -> None:
    """Measure every function node not measured yet (before backward may free them)."""
    graph = model.graph
    for nid in (graph.nodes if nids is None else nids):
        data = graph.nodes.get(nid) if nids is not None else graph.nodes[nid]
        if data is not None and data.get("kind") == "function" and (
                "saved_memory" not in data) and not data.get("freed"):
            measure_node(model, nid)


def node_saved_bytes(model, nid) -> int:
    """Bytes of node ``nid``'s own saved tensors (a tensor it saves twice counted once)."""
    entries = measure_node(model, nid) or ()
    return sum(dict((key, n) for _, key, n in entries).values())


def _alive(model):
    """key -> bytes over the nodes whose saved tensors are still held."""
    held = {}
    graph = model.graph
    for nid, data in graph.nodes(data=True):
        if data.get("kind") != "function" or data.get("freed"):
            continue
        for _, key, n in measure_node(model, nid) or ():
            held[key] = n
    return held


def total_saved_bytes(model) -> int:
    """Bytes of the saved tensors backward would keep alive now, each memory once."""
    return sum(_alive(model).values())


def saved_bytes_by_node(model) -> dict:
    """node id -> bytes of its saved tensors (shared memory counted with the node that
    saved it first, so the values add up to ``total_saved_bytes``)."""
    owner = {}
    out = {}
    graph = model.graph
    for nid in sorted(n for n, d in graph.nodes(data=True)
                      if d.get("kind") == "function" and not d.get("freed")):
        total = 0
        for _, key, n in measure_node(model, nid) or ():
            if key not in owner:
                owner[key] = nid
                total += n
        out[nid] = total
    return out


def timeline(model) -> list[tuple[str, int, int]]:
    """``(phase, node id, bytes alive after it)``: the forward adds each node's saved
    tensors in creation order; the last backward frees each node's as it runs (nothing
    when it kept the graph with ``retain_graph``)."""
    graph = model.graph
    nodes = sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == "function")
    holders: dict = {}  # key -> number of nodes holding it
    sizes: dict = {}
    alive = 0
    points = []
    for nid in nodes:
        for key, n in {key: n for _, key, n in measure_node(model, nid) or ()}.items():
            holders[key] = holders.get(key, 0) + 1
            if holders[key] == 1:
                sizes[key] = n
                alive += n
        points.append(("forward", nid, alive))
    ran = sorted((graph.nodes[n].get("executed"), n) for n in nodes
                 if graph.nodes[n].get("executed"))
    for _, nid in ran:
        if graph.nodes[nid].get("freed"):
            for key in {key for _, key, _ in measure_node(model, nid) or ()}:
                holders[key] -= 1
                if not holders[key]:
                    alive -= sizes[key]
        points.append(("backward", nid, alive))
    return points


def format_bytes(n: int) -> str:
    """``512 B``, ``4.0 kB``, ``12.3 MB``."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"
