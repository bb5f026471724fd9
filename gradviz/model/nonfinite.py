"""NaN and Inf traced to their origin, on a ``GraphModel``'s graph.

Forward: a function node whose output holds a non-finite value is marked
(``nonfinite="forward"``); the origin is the earliest such node whose inputs were all
finite (``nonfinite_origin=True``), a leaf that holds one being its own origin. Backward
(the last one recorded): a node is marked ``nonfinite="backward"`` when a gradient it
passed on is non-finite; the origin is the first node, in the order backward ran them,
that turned finite incoming gradients into non-finite ones.

    model = GraphModel()
    with model.recording():
    ...     x = gradviz.tensor([1.0, -2.0], requires_grad=True)
    ...     y = (x * 3).log().exp()        # log(-6): NaN, carried on by exp
    report = scan(model)
    model.graph.nodes[report.origin]["name"], report.phase
    ('LogBackward0', 'forward')

Values are read where they are (``Engine.all_finite`` when the engine has it: a finite sum
proves a tensor finite without a copy). A node whose output tensor was released can no
longer be checked, unless its node saved its result or the model watched outputs as they
were made (``model.watch_nonfinite = True``, which the app sets); the report lists the
others as ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradviz.model.provenance import describe_where


@dataclass(frozen=True)
class NonFiniteReport:
    """What ``scan`` found: the origin node (None when all is finite), its phase
    (``"forward"`` or ``"backward"``), the nodes marked in each phase and those whose
    values were released (nothing can be said about them)."""

    origin: int | None
    phase: str | None
    forward: tuple = ()
    backward: tuple = ()
    unknown: tuple = ()
    certain: bool = True  # False: an input of the origin was released unchecked

    def describe(self, model) -> str:
        """One sentence for a status bar or the console."""
        if self.origin is None:
            text = "no NaN or Inf in the values and gradients the graph holds"
            if self.unknown:
                text += (f"; {len(self.unknown)} node(s) had their values released, "
                         "so NaN or Inf there can no longer be seen")
            return text
        data = model.graph.nodes[self.origin]
        name = data.get("name") or data.get("label") or str(self.origin)
        where = describe_where(data.get("where"), model.provenance.texts)
        at = f" ({where})" if where else ""
        if self.phase == "forward":
            doubt = "" if self.certain else (
                "; an input of it was released unchecked, so it may have been born earlier")
            return f"NaN/Inf first appears in the forward output of {name}{at}{doubt}"
        return f"NaN/Inf first appears in the gradients {name} passed on in backward{at}"


def _finite_array(a) -> bool:
    if a is None:
        return True
    if type(a) is not np.ndarray:
        a = np.asarray(a)
    if a.dtype.kind not in "fc":
        return True
    if a.size <= 1 << 16:  # a small mask costs less than the sum's error-state switch
        return bool(np.isfinite(a).all())
    with np.errstate(all="ignore"):  # a finite sum proves every element finite, uncopied
        if np.isfinite(np.add.reduce(a, axis=None)):
            return True
    return bool(np.isfinite(a).all())


def tensor_finite(model, t) -> bool:
    """Whether every value of tensor ``t`` is finite, read in place when the engine can."""
    engine = model.engine
    check = getattr(engine, "all_finite", None)  # optional in the protocol
    return bool(check(t)) if check is not None else _finite_array(engine.value(t))


def forward_finiteness(model) -> dict:
    """node id -> True / False (its value holds NaN or Inf) / None (released, unknown), for
    function nodes (their output's value; an AccumulateGrad: its leaf's) and tensor nodes."""
    graph = model.graph
    finite: dict = {}
    leaf_of = {}
    for nid, data in graph.nodes(data=True):
        if data["kind"] == "tensor":
            t = model.tensor(nid)
            finite[nid] = None if t is None else tensor_finite(model, t)
            for _, v, edge in graph.out_edges(nid, data=True):
                if edge.get("kind") == "leaf":
                    leaf_of[v] = nid  # its AccumulateGrad -> the leaf
    for nid, data in graph.nodes(data=True):
        if data["kind"] != "function":
            continue
        if data.get("name") == "AccumulateGrad":
            finite[nid] = finite.get(leaf_of.get(nid))
            continue
        out = model.output_of(nid)
        t = model.engine.tensor_by_id(out) if out is not None else None
        if t is not None:
            finite[nid] = tensor_finite(model, t)
        else:  # released: what was seen when it was made, or the result its node saved
            finite[nid] = data.get("output_finite", _saved_result(model, nid))
    return finite


def _saved_result(model, nid):
    """A released output's finiteness from the result its node saved (exp, tanh,
    sigmoid, ...); None when it saved none."""
    for entry in model.saved_values(nid) or ():
        if entry.name == "result" and entry.tensor is None and entry.value is not None:
            return _finite_array(entry.value)
    return None


def _forward_origin(model, finite):
    graph = model.graph
    bad = sorted(n for n, ok in finite.items() if ok is False
                 and (graph.nodes[n]["kind"] == "function" or not graph.in_degree(n)))
    for nid in bad:
        data = graph.nodes[nid]
        if data["kind"] == "tensor" or data.get("name") == "AccumulateGrad":
            return nid, bad, True  # a leaf (or a constant) holding NaN/Inf is its own origin
        if all(finite.get(u) is True for u in graph.predecessors(nid)):
            return nid, bad, True
    return (bad[0] if bad else None), bad, not bad


def _backward(model):
    """(origin, marked): from the gradients the last backward's nodes received and passed."""
    graph = model.graph
    ran = sorted((data["executed"], nid) for nid, data in graph.nodes(data=True)
                 if data["kind"] == "function" and data.get("executed"))
    origin, marked = None, []
    for _, nid in ran:
        data = graph.nodes[nid]
        outs = data.get("grads_out") or ()
        if data.get("name") == "AccumulateGrad":
            outs = (data.get("grad_in"),)
        if all(_finite_array(g) for g in outs):
            continue
        marked.append(nid)
        if origin is None and _finite_array(data.get("grad_in")):
            origin = nid
    if origin is None and marked:
        origin = marked[0]  # the gradient backward started from was not finite
    return origin, marked


def scan(model) -> NonFiniteReport:
    """Check every value and gradient the graph holds, mark the nodes (attributes
    ``nonfinite`` and ``nonfinite_origin``, listeners told) and report the origin."""
    finite = forward_finiteness(model)
    f_origin, f_marked, certain = _forward_origin(model, finite)
    b_origin, b_marked = _backward(model)
    unknown = tuple(sorted(n for n, ok in finite.items() if ok is None
                           and model.graph.nodes[n]["kind"] == "function"))
    marks = {n: "forward" for n in f_marked}
    for n in b_marked:
        marks.setdefault(n, "backward")
    origin, phase = (f_origin, "forward") if f_origin is not None else (
        (b_origin, "backward") if b_origin is not None else (None, None))
    with model.batch():
        for nid, data in model.graph.nodes(data=True):
            mark, is_origin = marks.get(nid), nid == origin
            if data.get("nonfinite") != mark or data.get("nonfinite_origin", False) != is_origin:
                data["nonfinite"] = mark
                data["nonfinite_origin"] = is_origin
                model.touch(nid)
    return NonFiniteReport(origin, phase, tuple(f_marked), tuple(b_marked), unknown,
                           certain or phase != "forward")


def find_origin(model) -> int | None:
    """``scan``, returning the origin's node id (the report, whose ``describe`` also says
    what released values hide, is kept as ``model.last_nonfinite``)."""
    report = scan(model)
    model.last_nonfinite = report
    return report.origin
