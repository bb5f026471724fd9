"""Gradient flow at a glance, from what the last backward passed along each edge.

After a backward every function node that ran keeps the gradient it received
(``grad_in``) and those it passed on (``grads_out``, one per ``next_functions`` entry), so
the gradient that flowed along an edge ``u -> v`` is ``v``'s ``grads_out[input_nr]``
(along a leaf's edge into its ``AccumulateGrad``, what that node received).

    flow = gradient_flow(model)
    flow.edges[(u, v, key)]          # the L2 norm of the gradient along that edge
    flow.vanishing, flow.exploding   # edges below / above the thresholds
    flow.dead[relu_node]             # share of its inputs that got no gradient
    flow.parameters[w_node]          # ParameterFlow(grad_norm, value_norm, ratio)

Vanishing: below ``vanish`` times the largest norm; exploding: above ``explode`` times the
gradient backward started from (1 for a scalar loss).

``run_flow(model, ran)`` measures the same over the nodes one backward ran, as it ends:
the run history keeps its numbers per step (a training loop's earlier graphs are gone by
the time anyone looks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

RELU_LIKE = ("ReluBackward0", "ReluBackward1", "ThresholdBackward0", "LeakyReluBackward0",
             "HardtanhBackward0", "Relu6Backward0", "EluBackward0", "GeluBackward0",
             "CeluBackward0", "SeluBackward0", "SiluBackward0", "HardswishBackward0")
VANISH = 1e-6  # below this times the largest norm: vanishing
EXPLODE = 1e3  # above this times the norm backward started from: exploding


@dataclass(frozen=True)
class ParameterFlow:
    grad_norm: float
    value_norm: float
    ratio: float  # grad_norm / value_norm (inf for a zero value)


@dataclass
class GradientFlow:
    edges: dict = field(default_factory=dict)  # (u, v, key) -> gradient norm
    vanishing: set = field(default_factory=set)
    exploding: set = field(default_factory=set)
    dead: dict = field(default_factory=dict)  # ReLU-like node -> share of inputs given 0
    parameters: dict = field(default_factory=dict)  # leaf node -> ParameterFlow
    largest: float = 0.0
    smallest: float = 0.0  # the smallest non-zero norm
    root: float = 1.0  # the norm of the gradient backward started from

    def __repr__(self) -> str:  # the console echoes it: a line, not every edge's norm
        return (f"GradientFlow({len(self.edges)} edges, {len(self.exploding)} exploding, "
                f"{len(self.vanishing)} vanishing, largest {self.largest:.4g}, "
                f"{len(self.dead)} ReLU-like, {len(self.parameters)} parameters)")

    def log_range(self) -> tuple[float, float]:
        """(low, high) of log10 norms, for a colour scale."""
        if not self.largest:
            return (0.0, 0.0)
        low = math.log10(self.smallest) if self.smallest else math.log10(self.largest)
        return (low, math.log10(self.largest))


def _norm(g) -> float | None:
    if g is None:
        return None
    a = g if type(g) is np.ndarray else np.asarray(g)
    if a.dtype.kind not in "fc":
        return None
    if a.size == 1:  # a chain of scalars: most of a norm's cost is its set-up
        return float(abs(a.item()))
    with np.errstate(all="ignore"):
        return float(np.linalg.norm(a.astype(np.float64, copy=False).ravel()))


def _edge_norm(target: dict, edge: dict) -> float | None:
    """The norm of the gradient that flowed along ``edge`` into the executed ``target``."""
    kind = edge.get("kind")
    if kind == "next":
        outs = target.get("grads_out") or ()
        nr = edge.get("input_nr", 0)
        return _norm(outs[nr]) if nr < len(outs) else None
    if kind == "leaf":
        return _norm(target.get("grad_in"))
    return None


def _dead_share(data: dict) -> float | None:
    """A ReLU-like node's share of inputs that got a zero gradient (None: not one)."""
    if data.get("name") not in RELU_LIKE:
        return None
    outs = [g for g in (data.get("grads_out") or ()) if g is not None]
    return float(np.mean(np.asarray(outs[0]) == 0)) if outs else None


def _mark(flow: GradientFlow, roots, vanish: float, explode: float) -> None:
    """Largest, smallest, root; the vanishing and exploding edges."""
    norms = [n for n in flow.edges.values() if math.isfinite(n)]
    flow.largest = max(norms, default=0.0)
    flow.smallest = min((n for n in norms if n > 0), default=0.0)
    flow.root = next((r for r in roots if r), 1.0)
    for edge_key, norm in flow.edges.items():
        if not math.isfinite(norm) or norm > explode * flow.root:
            flow.exploding.add(edge_key)
        elif norm < vanish * flow.largest:
            flow.vanishing.add(edge_key)


def gradient_flow(model, vanish: float = VANISH, explode: float = EXPLODE) -> GradientFlow:
    """Norms along every edge the last backward used, the marks, dead units, parameters;
    the norms are also stored on the edges (``grad_norm``) for the view."""
    graph = model.graph
    flow = GradientFlow()
    roots = []
    for u, v, key, edge in graph.edges(keys=True, data=True):
        target = graph.nodes[v]
        norm = _edge_norm(target, edge) if target.get("executed") else None
        edge["grad_norm"] = norm
        if norm is not None:
            flow.edges[(u, v, key)] = norm
    for nid, data in graph.nodes(data=True):
        if data.get("kind") != "function" or not data.get("executed"):
            continue
        if data["executed"] == 1:  # the node backward started from
            roots.append(_norm(data.get("grad_in")))
        share = _dead_share(data)
        if share is not None:
            flow.dead[nid] = share
    _mark(flow, roots, vanish, explode)
    for nid, data in graph.nodes(data=True):
        if data.get("kind") == "tensor" and data.get("is_leaf") and data.get("requires_grad"):
            grad, value = model.grad(nid), model.value(nid)
            if grad is None or value is None:
                continue
            g, v = _norm(grad) or 0.0, _norm(value) or 0.0
            flow.parameters[nid] = ParameterFlow(g, v, g / v if v else math.inf)
    return flow


def run_flow(model, ran, vanish: float = VANISH, explode: float = EXPLODE) -> GradientFlow:
    """``gradient_flow`` over only the function nodes ``ran`` (those one backward ran, in
    its order), without parameters and without touching the graph: what a run keeps.

    ``flow.dead`` is keyed by where each ReLU-like node is (``relu_label``), so a training
    loop's new nodes each step continue the same curve."""
    graph = model.graph
    nodes, pred = graph._node, graph._pred
    flow = GradientFlow()
    roots, relus = [], []
    for v in ran:
        target = nodes.get(v)
        if target is None or not target.get("executed"):
            continue
        if target["executed"] == 1:
            roots.append(_norm(target.get("grad_in")))
        for u, keyed in pred[v].items():  # networkx's storage: in_edges' view costs more
            for key, edge in keyed.items():
                norm = _edge_norm(target, edge)
                if norm is not None:
                    flow.edges[(u, v, key)] = norm
        share = _dead_share(target)
        if share is not None:
            relus.append((v, relu_label(target), share))
    seen: dict = {}
    for _, label, share in sorted(relus):  # in the order the forward made them
        seen[label] = seen.get(label, 0) + 1
        flow.dead[label if seen[label] == 1 else f"{label} #{seen[label]}"] = share
    _mark(flow, roots, vanish, explode)
    return flow


def relu_label(data: dict) -> str:
    """``net.1 ReluBackward0`` (its module's path, when a module made it) or the name."""
    module = data.get("module")
    return f"{module} {data['name']}" if module else data["name"]
