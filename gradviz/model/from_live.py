"""A ``GraphModel`` built after the fact from live tensors, by walking their grad_fn and
``next_functions`` through the engine protocol (nothing was recording).

    >>> import gradviz as torch
    >>> w = torch.ones(2, requires_grad=True)
    >>> loss = (w * 3).sum()
    >>> model = from_tensors({"w": w, "loss": loss})
    >>> sorted(d["name"] for _, d in model.graph.nodes(data=True))
    ['AccumulateGrad', 'MulBackward0', 'SumBackward0', 'loss', 'w']
"""

from __future__ import annotations

from gradviz.model.graph_model import GraphModel


def from_tensors(named: dict, engine="numpy") -> GraphModel:
    """The graph that produced the tensors in ``named`` (``{name: tensor}``; other values
    are skipped), each tensor labelled by its name, as the app draws a console's names."""
    model = GraphModel(engine=engine)
    model.set_names({k: v for k, v in named.items() if model.engine.is_tensor(v)})
    model.flush()
    return model


def same_graph(a: GraphModel, b: GraphModel) -> list[str]:
    """What differs between two models' graphs, ignoring what only recording knows (the
    "new" flag, executed order, backward records) and nodes ``a`` holds that are no longer
    alive; an empty list when ``b``'s graph is in ``a``."""
    problems = []
    keys = ("kind", "name", "shape")
    for nid, d in b.graph.nodes(data=True):
        if nid not in a.graph:
            problems.append(f"node {nid} ({d.get('name')}) missing from the model")
            continue
        mine = a.graph.nodes[nid]
        for k in keys:
            if d.get(k) is None or (k == "name" and d["kind"] != "function"):
                continue  # a grad_fn's shape comes from recording; tensors may have 2 names
            if mine.get(k) != d[k]:
                problems.append(f"node {nid}: {k} {mine.get(k)!r} != {d[k]!r}")
    for u, v in b.graph.edges():
        if u in a.graph and v in a.graph and not a.graph.has_edge(u, v):
            problems.append(f"edge {u} -> {v} missing from the model")
    return problems
