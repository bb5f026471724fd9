"""``GraphModel``: a networkx graph kept in step with the autograd core's events.

    >>> model = GraphModel()
    >>> with model.recording():
    ...     w = gradviz.ones(3, requires_grad=True)
    ...     loss = (w * 2).sum()
    >>> sorted(d["name"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function")
    ['AccumulateGrad', 'MulBackward0', 'SumBackward0']

Function nodes and the edges between them are torch's backward graph; tensor
nodes are leaves, outputs the user holds (named, or backward roots) and ghost
constants. Objects are held weakly. Listeners get one batched ``Change`` per
statement or backward call (see ``flush``).
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from gradviz.core.emit import tensor_id, tensor_of
from gradviz.core.function import AccumulateGrad
from gradviz.events import dispatcher
from gradviz.events import types as events_types

POLICIES = ("keep", "fade", "remove")
_FORMULAS: dict = {}  # grad_fn class -> its formula text (computed once per class)


@dataclass(frozen=True)
class GradEntry:
    """One point of a leaf's ``.grad`` timeline."""

    label: str  # "backward 1", "zeroed", "set to None", "set"
    value: np.ndarray | None


@dataclass
class Change:
    added: set = field(default_factory=set)
    removed: set = field(default_factory=set)
    updated: set = field(default_factory=set)

    def __bool__(self):
        return bool(self.added or self.removed or self.updated)


class GraphModel:
    """The live autograd graph as a ``networkx.MultiDiGraph`` (no Qt)."""

    def __init__(self, release_policy: str = "fade", history_limit: int = 200):
        if release_policy not in POLICIES:
            raise ValueError(f"release_policy must be one of {POLICIES}, not {release_policy!r}")
        self.graph = nx.MultiDiGraph()
        self.release_policy = release_policy
        self.history_limit = history_limit
        self._refs: dict[int, weakref.ref] = {}  # node id -> weakref to tensor / grad_fn
        self._outputs: dict[int, int] = {}  # function id -> id of the tensor it produced
        self._histories: dict[int, list[GradEntry]] = {}
        self._backward_counts: dict[int, int] = {}
        self._listeners: list = []
        self._pending = Change()
        self._last_new: set = set()
        self._dead: list[int] = []
        dead = self._dead

        def reaper(ref):  # holds only the list, so a model can die before its tensors
            dead.append(ref.key)

        self._reaper = reaper
        self._batch_depth = 0
        self._attached = False
        self._positions: dict = {}
        self._pinned: dict = {}
        self._layout_dirty = True
        self._executed = 0
        self._ran: list[int] = []  # function nodes numbered by the last backward

    # ------------------------------------------------------------ recording
    def attach(self) -> None:
        """Start recording the core's events."""
        if not self._attached:
            self._token = dispatcher.subscribe(self._on_event)  # keep it: bound methods differ
            self._attached = True

    def detach(self) -> None:
        if self._attached:
            dispatcher.unsubscribe(self._token)
            self._attached = False

    @property
    def attached(self) -> bool:
        return self._attached

    @contextlib.contextmanager
    def recording(self):
        """Record the block's autograd activity, then flush one change."""
        was = self._attached
        self.attach()
        try:
            with self.batch():
                yield self
        finally:
            if not was:
                self.detach()

    @contextlib.contextmanager
    def batch(self):
        """Group notifications: listeners hear once, when the outermost batch ends."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if not self._batch_depth:
                self.flush()

    # ------------------------------------------------------------ listeners
    def add_listener(self, callback) -> None:
        self._listeners.append(callback)

    def remove_listener(self, callback) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def flush(self) -> Change:
        """Deliver the pending change (if any) to every listener; returns it."""
        self._reap()
        change, self._pending = self._pending, Change()
        if not change:
            return change
        cache = getattr(self.graph, "__networkx_cache__", None)
        if cache:  # what networkx caches about a graph it saw change (recording bypasses it)
            cache.clear()
        for nid in self._last_new:
            if nid in self.graph and nid not in change.added:
                self.graph.nodes[nid]["new"] = False
        self._last_new = set(change.added)
        if change.added or change.removed:
            self._layout_dirty = True
        for callback in list(self._listeners):
            callback(change)
        return change

    # ------------------------------------------------------------ queries
    def _live(self, nid):
        ref = self._refs.get(nid)
        return ref() if ref is not None else None

    def tensor(self, nid):
        obj = self._live(nid)
        return obj if obj is not None and hasattr(obj, "_data") else None

    def function(self, nid):
        obj = self._live(nid)
        return obj if obj is not None and hasattr(obj, "next_functions") else None

    def node_of(self, obj):
        """The node id of a Tensor or grad_fn shown in the graph, else None."""
        nid = getattr(obj, "_gv_id", None) if hasattr(obj, "_data") else getattr(obj, "id", None)
        return nid if nid is not None and nid in self.graph else None

    def value(self, nid):
        t = self.tensor(nid)
        return None if t is None else np.array(t._data)

    def grad(self, nid):
        t = self.tensor(nid)
        return None if t is None or t._grad is None else np.array(t._grad._data)

    def history(self, nid) -> list[GradEntry]:
        return list(self._histories.get(nid, ()))

    def clear(self) -> None:
        removed = set(self.graph.nodes)
        self.graph.clear()
        for store in (self._refs, self._outputs, self._histories, self._backward_counts,
                      self._positions, self._pinned):
            store.clear()
        self._last_new = set()
        self._pending.removed |= removed
        self._pending.added -= removed
        self._pending.updated -= removed
        self._layout_dirty = True
        self.flush()

    # ------------------------------------------------------------ names and layout
    def set_names(self, namespace: dict) -> None:
        """Label tensor nodes with the user's variable names (``z``, ``loss``)."""
        named = {}
        for name, obj in namespace.items():
            if name.startswith("_") or not (hasattr(obj, "_data") and hasattr(obj, "_grad_fn")):
                continue
            nid = obj._gv_id
            if nid is None or (nid not in self.graph and not self._show_output(obj)):
                continue
            named.setdefault(nid, name)
        for nid, data in self.graph.nodes(data=True):
            if data["kind"] == "tensor":
                new = named.get(nid)
                if data.get("name") != new:
                    data["name"] = new
                    data["label"] = new or data["role"]
                    self._pending.updated.add(nid)

    def positions(self) -> dict:
        """Layered positions, recomputed incrementally when the graph changed."""
        if self._layout_dirty or set(self._positions) != set(self.graph.nodes):
            from gradviz.model.layout import layered

            self._positions = layered(self.graph, pinned=dict(self._pinned),
                                      previous=dict(self._positions))
            self._layout_dirty = False
        return self._positions

    def pin(self, nid, xy) -> None:
        self._pinned[nid] = (float(xy[0]), float(xy[1]))
        self._positions[nid] = self._pinned[nid]

    def unpin(self, nid) -> None:
        self._pinned.pop(nid, None)
        self._layout_dirty = True

    @property
    def pinned(self) -> dict:
        return dict(self._pinned)

    # ------------------------------------------------------------ graph building
    # Recording writes networkx's documented storage (``_node``, ``_succ``, ``_pred``: dicts
    # of dicts) directly: add_node/add_edge's checks and copies cost more than the rest of
    # recording a node. Both ends of an edge are always in the graph already.
    def _add(self, nid, obj, attrs):
        attrs["new"] = True
        g = self.graph
        if nid in g._node:
            g._node[nid].update(attrs)
        else:
            g._succ[nid] = {}
            g._pred[nid] = {}
            g._node[nid] = attrs
        if obj is not None:
            try:
                self._refs[nid] = weakref.KeyedRef(obj, self._reaper, nid)
            except TypeError:
                pass
        self._pending.added.add(nid)

    def _edge(self, u, v, kind, input_nr=0):
        """Add one more edge u -> v (parallel edges kept, keys 0, 1, ... as networkx)."""
        g = self.graph
        data = {"kind": kind, "input_nr": input_nr}
        out = g._succ[u]
        keys = out.get(v)
        if keys is None:
            out[v] = g._pred[v][u] = {0: data}
        else:
            key = len(keys)
            while key in keys:
                key += 1
            keys[key] = data

    def _touch(self, nid):
        if nid in self.graph and nid not in self._pending.added:
            self._pending.updated.add(nid)

    def _tensor_attrs(self, t, role):
        return dict(kind="tensor", role=role, ghost=role == "constant", label=role,
                    name=None, shape=tuple(t._data.shape), dtype=t._data.dtype.name,
                    requires_grad=bool(t._requires_grad), is_leaf=t._grad_fn is None,
                    version=t._version, released=False)

    def _ensure_function(self, fn):
        """Add ``fn`` and any ancestors not yet in the graph, parents first (no recursion)."""
        nodes = self.graph._node
        if fn.id in nodes:
            return
        for nxt, _ in fn.next_functions:
            if nxt is not None and nxt.id not in nodes:
                break
        else:  # the usual case: every input is drawn already
            self._add_function(fn)
            return
        order, seen, stack = [], set(), [(fn, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if node.id in nodes or node.id in seen:
                continue
            seen.add(node.id)
            stack.append((node, True))
            for nxt, _ in node.next_functions:
                if nxt is not None and nxt.id not in nodes and nxt.id not in seen:
                    stack.append((nxt, False))
        for node in order:
            self._add_function(node)

    def _add_function(self, node):
        cls = node.__class__
        op = getattr(node, "op", None)
        formula = _FORMULAS.get(cls)
        if formula is None:
            formula = _FORMULAS[cls] = (op.formula_text() if op is not None
                                        else getattr(node, "formula", ""))
        name = cls.__name__
        nid = node.id
        self._add(nid, node, {"kind": "function", "name": name, "label": name,
                              "formula": formula, "saved": op.saved if op is not None else (),
                              "freed": node.freed, "shape": None, "executed": None,
                              "grad_in": None, "grads_out": ()})
        if cls is AccumulateGrad:
            variable = node.variable
            tid = self._ensure_tensor(variable, "leaf")
            self.graph._node[nid]["shape"] = tuple(variable._data.shape)
            self._edge(tid, nid, "leaf")
        i = 0
        for nxt, _ in node.next_functions:
            if nxt is not None:
                self._edge(nxt.id, nid, "next", i)
            i += 1

    def _ensure_tensor(self, t, role):
        nid = tensor_id(t)
        if nid not in self.graph:
            self._add(nid, t, self._tensor_attrs(t, role))
        return nid

    def _show_output(self, t):
        """Add a held output tensor with an edge from its grad_fn."""
        fn = t._grad_fn
        if fn is None:
            return False
        self._ensure_function(fn)
        nid = self._ensure_tensor(t, "output")
        if not self.graph.has_edge(fn.id, nid):
            self._edge(fn.id, nid, "output")
        return True

    # ------------------------------------------------------------ event handlers
    def _on_event(self, event):
        handler = _HANDLERS.get(event.__class__)
        if handler is not None:
            handler(self, event)

    def _reap(self):
        while self._dead:
            self._release(self._dead.pop())

    def _release(self, nid):
        self._refs.pop(nid, None)
        self._outputs.pop(nid, None)
        if nid not in self.graph:
            return
        if self.release_policy == "remove":
            self.graph.remove_node(nid)
            self._histories.pop(nid, None)
            self._positions.pop(nid, None)
            self._pending.added.discard(nid)
            self._pending.updated.discard(nid)
            self._pending.removed.add(nid)
        elif self.release_policy == "fade":
            self.graph.nodes[nid]["released"] = True
            self._touch(nid)

    def _on_TensorCreated(self, e):  # noqa: N802
        if e.role == "output":
            t = e.tensor
            fn = t._grad_fn
            if fn is not None:
                self._outputs[fn.id] = e.tensor_id  # dropped when fn's node is released
                data = self.graph._node.get(fn.id)
                if data is not None:
                    data["shape"] = tuple(t._data.shape)
            return
        self._ensure_tensor(e.tensor, e.role)

    def _on_FunctionCreated(self, e):  # noqa: N802
        if self._dead:
            self._reap()
        self._ensure_function(e.function)
        nodes = self.graph._node
        i = 0
        for (fid, _), tid in zip(e.next_functions, e.input_ids, strict=False):
            if fid is None and tid is not None and tid in nodes:
                self._edge(tid, e.function_id, "constant", i)
            i += 1

    def _on_BackwardStarted(self, e):  # noqa: N802
        self._reap()
        self._executed = 0
        nodes = self.graph._node
        for nid in self._ran:
            data = nodes.get(nid)
            if data is not None:
                data["executed"] = None
                self._pending.updated.add(nid)
        self._ran = []
        for fid in e.roots:
            tid = self._outputs.get(fid)
            t = tensor_of(tid) if tid is not None else None
            if t is not None and t._grad_fn is not None and t._grad_fn.id == fid:
                self._show_output(t)

    def _on_NodeExecuted(self, e):  # noqa: N802
        if e.function_id not in self.graph:
            self._ensure_function(e.function)
        self._executed += 1
        self._ran.append(e.function_id)
        data = self.graph.nodes[e.function_id]
        data["executed"] = self._executed
        data["grad_in"] = _array(e.grad_in)
        data["grads_out"] = tuple(_array(g) for g in e.grads_out)
        self._touch(e.function_id)

    def _on_GradAccumulated(self, e):  # noqa: N802
        n = self._backward_counts.get(e.tensor_id, 0) + 1
        self._backward_counts[e.tensor_id] = n
        self._append(e.tensor_id, GradEntry(f"backward {n}", e.after))

    def _on_BackwardFinished(self, e):  # noqa: N802
        if not self._batch_depth:
            self.flush()

    def _on_SavedTensorsFreed(self, e):  # noqa: N802
        for fid in e.function_ids:
            if fid in self.graph:
                self.graph.nodes[fid]["freed"] = True
                self._touch(fid)

    def _on_GradZeroed(self, e):  # noqa: N802
        self._append(e.tensor_id, GradEntry("zeroed", np.array(e.tensor._grad._data)))

    def _on_GradCleared(self, e):  # noqa: N802
        if e.value is None:
            self._append(e.tensor_id, GradEntry("set to None", None))
        else:
            self._append(e.tensor_id, GradEntry("set", np.array(e.value._data)))

    def _append(self, nid, entry):
        hist = self._histories.setdefault(nid, [])
        hist.append(entry)
        del hist[:-self.history_limit]
        self._touch(nid)

    def _on_InplaceChanged(self, e):  # noqa: N802
        if e.tensor_id in self.graph:
            data = self.graph.nodes[e.tensor_id]
            data["version"] = e.version
            if e.function_id is not None and data["role"] == "output":
                for u, _, k in list(self.graph.in_edges(e.tensor_id, keys=True)):
                    self.graph.remove_edge(u, e.tensor_id, k)
                self._show_output(e.tensor)
            self._touch(e.tensor_id)
        if e.function_id is not None:
            self._outputs[e.function_id] = e.tensor_id

    def _on_RequiresGradChanged(self, e):  # noqa: N802
        if e.tensor_id in self.graph:
            self.graph.nodes[e.tensor_id]["requires_grad"] = e.requires_grad
            self._touch(e.tensor_id)

    def _on_Detached(self, e):  # noqa: N802
        if e.in_place and e.result_id in self.graph:
            data = self.graph.nodes[e.result_id]
            data.update(is_leaf=True, requires_grad=False)
            for u, _, k in list(self.graph.in_edges(e.result_id, keys=True)):
                self.graph.remove_edge(u, e.result_id, k)
            self._touch(e.result_id)

    def _on_TensorReleased(self, e):  # noqa: N802
        if e.tensor_id in self.graph._node:  # (its weakref's reaper usually got there first)
            self._dead.append(e.tensor_id)


# event class -> handler, looked up once per event (no string building per event)
_HANDLERS = {getattr(events_types, name[4:]): handler
             for name, handler in vars(GraphModel).items()
             if name.startswith("_on_") and hasattr(events_types, name[4:])}


def _array(x):
    if x is None:
        return None
    data = getattr(x, "_data", x)
    return np.asarray(data)
