"""Compare: a graph against a baseline marked earlier, or one saved session against another.

    baseline = snapshot(model)          # "mark as baseline"
    ...                                  # run more code: detach, no_grad, backward
    result = compare(baseline, snapshot(model))
    result.added, result.removed, result.changed, result.largest
    print(result.describe())

Within one session nodes are matched by id (ids are never reused). Two saved sessions
come from different runs, so there nodes are matched by what they are: kind, torch name
or variable name, and their rank among nodes alike in creation order
(``compare(..., match="structure")``). A node's numbers are its tensor's value and
``.grad`` (live tensors; a leaf's last ``.grad`` from its timeline in a saved session) and
a function node's gradients of the last backward; changed ones carry their largest
absolute difference. ``mark(model, result)`` writes ``compare`` on each node ("added",
"changed", "released") for the view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

MAX_ELEMENTS = 1_000_000  # a larger value is compared by its version, not element-wise


@dataclass(frozen=True)
class NodeState:
    kind: str
    title: str  # torch name for function nodes, the variable name or role for tensors
    released: bool
    numbers: dict  # "value" / "grad" / "grad_in" / "grads_out[i]" -> array
    version: int | None
    requires_grad: bool | None


@dataclass
class Snapshot:
    nodes: dict = field(default_factory=dict)  # node id -> NodeState
    edges: set = field(default_factory=set)  # (u, v, kind)


@dataclass
class Comparison:
    added: list = field(default_factory=list)  # node ids of the newer graph
    removed: list = field(default_factory=list)  # node ids of the baseline
    released: list = field(default_factory=list)  # alive in the baseline, released now
    changed: dict = field(default_factory=dict)  # newer node id -> {what: largest |diff|}
    edges_added: int = 0
    edges_removed: int = 0
    largest: tuple | None = None  # (newer node id, what, difference)
    titles: dict = field(default_factory=dict)  # node id -> title, for describe()

    def __bool__(self):
        return bool(self.added or self.removed or self.released or self.changed
                    or self.edges_added or self.edges_removed)

    def __repr__(self) -> str:  # the console echoes it: the status line's sentence
        return f"Comparison({self.describe()})"

    def describe(self) -> str:
        if not self:
            return "no change since the baseline"
        parts = [f"{len(self.added)} node(s) added", f"{len(self.removed)} removed"]
        if self.released:
            parts.append(f"{len(self.released)} released")
        parts.append(f"{len(self.changed)} changed")
        if self.edges_added or self.edges_removed:
            parts.append(f"edges +{self.edges_added} -{self.edges_removed}")
        text = ", ".join(parts)
        if self.largest is not None:
            nid, what, diff = self.largest
            text += (f"; largest difference {diff:.4g} in {what} of "
                     f"{self.titles.get(nid, nid)}")
        return text


def _copy(a):
    if a is None:
        return None
    a = np.asarray(a)
    return a.copy() if a.size <= MAX_ELEMENTS else None


def _title(data) -> str:
    if data.get("kind") == "function":
        return data.get("name") or "?"
    return data.get("name") or data.get("label") or data.get("role") or "tensor"


def snapshot(model) -> Snapshot:
    """The graph as it is now: nodes, edges and copies of their numbers."""
    snap = Snapshot()
    graph = model.graph
    for nid, data in graph.nodes(data=True):
        numbers = {}
        if data.get("kind") == "tensor":
            value = model.value(nid)
            if value is not None:
                numbers["value"] = _copy(value)
                grad = model.grad(nid)
            else:  # a saved session: the leaf's last .grad from its timeline
                history = model.history(nid)
                grad = history[-1].value if history else None
            if grad is not None:
                numbers["grad"] = _copy(grad)
        else:
            if data.get("grad_in") is not None:
                numbers["grad_in"] = _copy(data["grad_in"])
            for i, g in enumerate(data.get("grads_out") or ()):
                if g is not None:
                    numbers[f"grads_out[{i}]"] = _copy(g)
        snap.nodes[nid] = NodeState(data.get("kind"), _title(data), bool(data.get("released")),
                                    numbers, data.get("version"), data.get("requires_grad"))
    snap.edges = {(u, v, d.get("kind")) for u, v, d in graph.edges(data=True)}
    return snap


def structure_ids(snap: Snapshot) -> dict:
    """node id -> (kind, title, rank among nodes alike in id order)."""
    seen: dict = {}
    out = {}
    for nid in sorted(snap.nodes):
        state = snap.nodes[nid]
        base = (state.kind, state.title)
        seen[base] = seen.get(base, 0) + 1
        out[nid] = (*base, seen[base])
    return out


def _difference(a, b) -> float | None:
    """Largest |a - b|, inf when shapes differ; None when equal."""
    if a is None or b is None:
        return None
    if a.shape != b.shape:
        return float("inf")
    if a.dtype.kind not in "fciub" or b.dtype.kind not in "fciub":
        return None
    if not a.size or np.array_equal(a, b):  # most values did not move: no float copies
        return None
    a64 = np.atleast_1d(a.astype(np.float64))
    b64 = np.atleast_1d(b.astype(np.float64))
    with np.errstate(all="ignore"):
        d = np.abs(a64 - b64)
    nan = np.isnan(d)
    if nan.any():
        if (nan & ~(np.isnan(a64) & np.isnan(b64))).any():
            return float("inf")  # NaN on one side only
        d[nan] = 0.0  # NaN in both: unchanged
    return float(d.max()) or None


def compare(before: Snapshot, after: Snapshot, match: str = "id") -> Comparison:
    """What changed from ``before`` to ``after`` (``match``: "id" or "structure")."""
    if match == "structure":
        key_b, key_a = structure_ids(before), structure_ids(after)
    else:
        key_b = {n: n for n in before.nodes}
        key_a = {n: n for n in after.nodes}
    by_key_b = {k: n for n, k in key_b.items()}
    by_key_a = {k: n for n, k in key_a.items()}
    result = Comparison(titles={n: s.title for n, s in after.nodes.items()})
    result.added = sorted(n for n, k in key_a.items() if k not in by_key_b)
    result.removed = sorted(n for n, k in key_b.items() if k not in by_key_a)
    best = None
    for key, nid in by_key_a.items():
        old_id = by_key_b.get(key)
        if old_id is None:
            continue
        old, new = before.nodes[old_id], after.nodes[nid]
        if new.released and not old.released:
            result.released.append(nid)  # its numbers went with it: not a change
            continue
        changes = {}
        for what in old.numbers.keys() | new.numbers.keys():
            a, b = old.numbers.get(what), new.numbers.get(what)
            if (a is None) != (b is None):  # appeared or gone: no number to subtract
                changes[f"{what} {'appeared' if a is None else 'gone'}"] = math.nan
                continue
            diff = _difference(a, b)
            if diff is not None:
                changes[what] = diff
        if old.version != new.version and "value" not in changes and new.kind == "tensor":
            changes["version"] = float(abs((new.version or 0) - (old.version or 0)))
        if old.requires_grad != new.requires_grad and new.kind == "tensor":
            changes["requires_grad"] = 1.0
        if changes:
            result.changed[nid] = changes
            numeric = [(d, w) for w, d in changes.items() if not math.isnan(d)]
            if numeric:
                diff, what = max(numeric)
                if best is None or diff > best[2]:
                    best = (nid, what, diff)
    result.largest = best
    edges_b = {(key_b[u], key_b[v], k) for u, v, k in before.edges}
    edges_a = {(key_a[u], key_a[v], k) for u, v, k in after.edges}
    result.edges_added = len(edges_a - edges_b)
    result.edges_removed = len(edges_b - edges_a)
    result.released.sort()
    return result


def mark(model, result: Comparison | None) -> None:
    """Write ``compare`` ("added", "changed", "released" or None) on every node."""
    marks = dict.fromkeys(result.added, "added") if result is not None else {}
    if result is not None:
        marks.update(dict.fromkeys(result.changed, "changed"))
        marks.update(dict.fromkeys(result.released, "released"))
    with model.batch():
        for nid, data in model.graph.nodes(data=True):
            if data.get("compare") != marks.get(nid):
                data["compare"] = marks.get(nid)
                model.touch(nid)
