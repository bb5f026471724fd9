"""What an action applies to: a Tensor or grad_fn found from what the user gave.

    resolve(session, "loss")       # a console variable
    resolve(session, 12)           # a node id
    resolve(session, None)         # the selected node's Tensor or grad_fn
    backward_root(session, None)   # the selected output, else the latest one held

Each raises ``ActionError`` with a sentence for the user when nothing fits.
"""

from __future__ import annotations

import re

__all__ = ["HIDDEN", "ActionError", "backward_root", "leaves", "node_object", "resolve",
           "tensor_of", "user_names"]

HIDDEN = frozenset({"sel", "app", "__console__"})  # never used as a node's name
OUTPUT_CACHE = re.compile(r"_{1,3}|_\d+")  # IPython's _, __, ___, _12: earlier results


class ActionError(Exception):
    """An action that cannot apply to the current selection (no tensor selected, ...)."""


def user_names(namespace: dict) -> dict:
    """The console variables that name tensors in the graph (``sel`` is only an alias).

    ``dict(namespace)`` copies in one step, so a statement running on another thread
    cannot change the dict while it is read."""
    return {k: v for k, v in dict(namespace).items()
            if k not in HIDDEN and not OUTPUT_CACHE.fullmatch(k)}


def node_object(model, nid):
    """The live Tensor or grad_fn of node ``nid`` (None once it is gone)."""
    t = model.tensor(nid)
    return t if t is not None else model.function(nid)


def resolve(session, obj):
    """A Tensor or grad_fn from an object, node id, variable name or the selection."""
    if obj is None:
        nid = session.selected
        return None if nid is None else node_object(session.model, nid)
    if isinstance(obj, str):
        if obj not in session.namespace:
            raise ActionError(f"no console variable named {obj!r}")
        return session.namespace[obj]
    if isinstance(obj, int) and not isinstance(obj, bool):
        return node_object(session.model, obj)
    return obj


def tensor_of(session, obj, what: str) :
    """``resolve`` that insists on a Tensor (``what`` names the action in the message)."""
    t = resolve(session, obj)
    if not session.model.engine.is_tensor(t):
        raise ActionError(f"{what}: select a tensor node (a leaf or an output) first")
    return t


def backward_root(session, obj) :
    """The tensor backward starts from: ``obj``, the output a selected grad_fn made, or
    the latest output still held."""
    model = session.model
    graph = model.graph
    t = resolve(session, obj)
    if t is not None and not session.model.engine.is_tensor(t):  # a grad_fn: the output it made
        fid = model.node_of(t)
        outs = [model.tensor(n) for n in graph.successors(fid)
                if graph.nodes[n].get("role") == "output"] if fid is not None else []
        t = next((o for o in outs if o is not None), None)
    if t is None:
        held = [n for n, d in graph.nodes(data=True)
                if d.get("role") == "output" and not d.get("released")]
        t = next((model.tensor(n) for n in sorted(held, reverse=True)
                  if model.tensor(n) is not None), None)
    if not session.model.engine.is_tensor(t):
        raise ActionError("Backward: select an output tensor (such as loss) first")
    return t


def leaves(session, tensors) -> list:
    """The leaves ``zero_grad`` and friends act on: ``tensors``, else the selected leaf,
    else every leaf that requires grad."""
    if tensors is None:
        sel = resolve(session, None)
        if session.model.engine.is_tensor(sel) and sel.is_leaf:
            return [sel]
        model = session.model
        found = [model.tensor(n) for n, d in model.graph.nodes(data=True)
                 if d.get("role") == "leaf" and d.get("requires_grad")]
        return [t for t in found if t is not None]
    if isinstance(tensors, str | int) or session.model.engine.is_tensor(tensors):
        tensors = [tensors]
    return [tensor_of(session, t, "zero_grad") for t in tensors]
