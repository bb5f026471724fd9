"""The last backward pass as a list of steps, read from the ``GraphModel`` (no Qt).

    steps = backward_steps(model)          # after the tutorial's loss.backward()
    steps[1].caption   # '2/6 AddBackward0: received a (3,) gradient; passed grad -> self,
                       #  grad if alpha == 1 else grad * alpha -> other (b)'
    steps[-1].caption  # '6/6 AccumulateGrad: w.grad += (5, 3) gradient (backward 1)'

One step per function node that ran, in the engine's order (the nodes' ``executed``
attribute). A step's caption says, in the user's vocabulary, what the node received
and what it passed to each input, with the derivative from the op table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gradviz.session.array_summary import shape_text

_PART = re.compile(r";\s*(?=[A-Za-z_]\w*\s*:)")  # "self: grad * other; other: grad * self"


@dataclass(frozen=True)
class Step:
    """One node run by backward: step ``k`` of ``total``."""

    k: int
    total: int
    nid: int  # the function node that ran
    name: str  # its torch name ("MulBackward0", "AccumulateGrad")
    caption: str  # one line: what it received and passed on
    received: str  # the gradient's shape, e.g. "(3,)"
    passed: str  # what went where, e.g. "grad * other -> self (w)"
    edges: tuple  # (u, v, key) graph edges its gradients flowed along
    leaf: int | None = None  # the leaf tensor node whose .grad it filled (AccumulateGrad)


def backward_steps(model) -> list[Step]:
    """Every node the last backward ran, in order (empty before any backward)."""
    nodes = model.graph.nodes
    ran = sorted((d["executed"], n) for n, d in nodes(data=True)
                 if d["kind"] == "function" and d.get("executed"))
    return [_step(model, k, len(ran), nid) for k, (_, nid) in enumerate(ran, 1)]


def done_nodes(steps: list[Step], k: int) -> set:
    """The nodes run by steps 1..k, and the leaves whose grad they filled."""
    done = {s.nid for s in steps[:k]}
    done.update(s.leaf for s in steps[:k] if s.leaf is not None)
    return done


def root_name(model, steps: list[Step]) -> str:
    """The variable backward started from (``loss``), or the first node's torch name."""
    if not steps:
        return ""
    graph = model.graph
    if steps[0].nid not in graph:  # a kept record whose nodes were released since
        return steps[0].name
    for _, v, d in graph.out_edges(steps[0].nid, data=True):
        if d.get("kind") == "output" and graph.nodes[v].get("name"):
            return graph.nodes[v]["name"]
    return steps[0].name


def _gradient(array) -> str:
    if array is None:
        return "no gradient"
    shape = tuple(array.shape)
    return "a scalar gradient" if shape == () else f"a {shape_text(shape)} gradient"


def _tensor_name(graph, nid) -> str | None:
    """The user's name for the tensor a node stands for: itself, its leaf, or its output."""
    data = graph.nodes[nid]
    if data["kind"] == "tensor":
        return data.get("name")
    for u, _, d in graph.in_edges(nid, data=True):
        if d.get("kind") == "leaf":
            return graph.nodes[u].get("name")
    for _, v, d in graph.out_edges(nid, data=True):
        if d.get("kind") == "output" and graph.nodes[v].get("name"):
            return graph.nodes[v]["name"]
    return None


def _inputs(graph, nid) -> dict:
    """input position -> (edge or None, the user's name of that input or None)."""
    found = {}
    for u, _, key, d in graph.in_edges(nid, keys=True, data=True):
        if d.get("kind") in ("next", "constant"):
            found[d.get("input_nr", 0)] = ((u, nid, key) if d["kind"] == "next" else None,
                                           _tensor_name(graph, u))
    return found


def _formulas(formula: str, count: int) -> list[tuple[str, str]] | None:
    """(input name, derivative) per input from the op table's one-line formula."""
    parts = []
    for part in _PART.split(formula or ""):
        name, sep, expr = part.partition(":")
        if not sep:
            return None
        parts.append((name.strip(), expr.strip()))
    if len(parts) == count:
        return parts
    if len(parts) == 1 and count > 1:  # a list input: cat's "tensors: narrow(grad, ...)"
        return [(f"{parts[0][0]}[{i}]", parts[0][1]) for i in range(count)]
    return None


def _step(model, k: int, total: int, nid: int) -> Step:
    graph = model.graph
    data = graph.nodes[nid]
    name = data["name"]
    received = _gradient(data.get("grad_in"))
    head = f"{k}/{total} {name}:"
    if name == "AccumulateGrad":
        leaf = next((u for u, _, d in graph.in_edges(nid, data=True) if d.get("kind") == "leaf"),
                    None)
        edges = tuple((u, v, key) for u, v, key, d in graph.in_edges(nid, keys=True, data=True)
                      if d.get("kind") == "leaf")
        var = (graph.nodes[leaf].get("name") if leaf is not None else None) or "leaf"
        runs = [e.label for e in model.history(leaf)] if leaf is not None else []
        count = next((r for r in reversed(runs) if r.startswith("backward")), "")
        passed = f"{var}.grad += {received.removeprefix('a ')}" + (f" ({count})" if count else "")
        return Step(k, total, nid, name, f"{head} {passed}", received, passed, edges, leaf)
    grads = data.get("grads_out") or ()
    inputs = _inputs(graph, nid)
    formulas = _formulas(data.get("formula", ""), len(grads))
    sent, idle, edges = [], [], []
    for i, g in enumerate(grads):
        edge, var = inputs.get(i, (None, None))
        label = formulas[i][0] if formulas else f"input {i}"
        who = f"{label} ({var})" if var and var != label else label
        if g is None:
            idle.append(who)
            continue
        sent.append(f"{formulas[i][1]} -> {who}" if formulas else f"{_gradient(g)} -> {who}")
        if edge is not None:
            edges.append(edge)
    passed = ", ".join(sent) if sent else "nothing (no input needs a gradient)"
    if idle:
        passed += "; " + ", ".join(idle) + (" needs" if len(idle) == 1 else " need") \
                  + " no gradient"
    caption = f"{head} received {received}; passed {passed}"
    return Step(k, total, nid, name, caption, received, passed, tuple(edges))
