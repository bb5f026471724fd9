"""How an engine's events become ``GraphModel``'s graph: function and tensor nodes,
their edges, and the attributes backward, ``.grad`` and in-place ops change.

``GraphEvents`` is mixed into :class:`gradviz.model.graph_model.GraphModel`; each
``_on_<Event>`` method handles one event class of :mod:`gradviz.events.types`::

    >>> from gradviz.model import GraphModel
    >>> model = GraphModel()
    >>> with model.recording():
    ...     w = gradviz.ones(3, requires_grad=True)
    ...     (w * 2).sum().backward()
    >>> [entry.label for entry in model.history(model.node_of(w))]
    ['backward 1']
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from gradviz.events import types as events_types
from gradviz.model.nonfinite import tensor_finite as output_finite
from gradviz.model.provenance import Provenance
from gradviz.model.saved_memory import measure as measure_saved


@dataclass(frozen=True)
class GradEntry:
    """One point of a leaf's ``.grad`` timeline."""

    label: str  # "backward 1", "zeroed", "set to None", "set"
    value: np.ndarray | None


class GraphEvents:
    """Mixed into GraphModel: builds its graph from an engine's events.

    Objects the events carry are read only through the model's ``engine`` (the protocol
    of :mod:`gradviz.engines.protocol`); the methods used on every recorded op are bound
    once, in ``_bind``."""

    def _bind(self, engine):
        self.engine = engine
        self._reference = engine.reference
        self._describe_function = engine.describe_function
        self._describe_tensor = engine.describe_tensor
        self._is_freed = engine.is_freed
        self._shape = engine.shape
        self._made = (None, None)  # (output id, function id) of the last FunctionCreated
        # where each function node was created: the first frame outside gradviz and the
        # engine's own package
        library = getattr(getattr(engine, "module", None), "__file__", None)
        self.provenance = Provenance(os.path.dirname(library) if library else None)
        self._where = self.provenance.where
        # measure each node's saved tensors when a backward starts, before it frees them
        # (for the saved-memory timeline; costs a saved_values call per node, so opt-in)
        self.track_saved_memory = False
        # check each op's output for NaN/Inf as it is made, so find_nonfinite still knows
        # once a temporary is released (one pass over the values per op, so opt-in)
        self.watch_nonfinite = False
        # per backward, the run history's dead units and vanishing / exploding edges (a norm
        # per edge the backward used, so opt-in; the ratios are measured always)
        self.track_flow = False

    # ------------------------------------------------------------ graph building
    # Recording writes networkx's documented storage (``_node``, ``_succ``, ``_pred``: dicts
    # of dicts) directly: add_node/add_edge's checks and copies cost more than the rest of
    # recording a node. Both ends of an edge are always in the graph already.
    def _add(self, nid, obj, attrs):
        attrs["new"] = True
        g = self._graph
        if nid in g._node:
            g._node[nid].update(attrs)
        else:
            g._succ[nid] = {}
            g._pred[nid] = {}
            g._node[nid] = attrs
            if self._scope:  # made inside a running Module's forward (``groups``)
                self._tag(nid, obj, attrs)
        if obj is not None:
            try:
                self._refs[nid] = self._reference(obj, self._reaper, nid)
            except TypeError:
                pass
        self._pending.added.add(nid)

    def _edge(self, u, v, kind, input_nr=0):
        """Add one more edge u -> v (parallel edges kept, keys 0, 1, ... as networkx)."""
        g = self._graph
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
        if nid in self._graph and nid not in self._pending.added:
            self._pending.updated.add(nid)

    def _tensor_attrs(self, t, role):
        shape, dtype, requires_grad, is_leaf, version, device = self._describe_tensor(t)
        return dict(kind="tensor", role=role, ghost=role == "constant", label=role,
                    name=None, shape=tuple(shape), dtype=dtype, requires_grad=requires_grad,
                    is_leaf=is_leaf, version=version, released=False, device=device)

    def _next_ids(self, fn):
        """``next_functions`` as ``((node id or None, input_nr), ...)``, as events carry it."""
        function_id = self.engine.function_id
        return tuple([(None if n is None else function_id(n), nr)
                      for n, nr in self.engine.next_functions(fn)])

    def _ensure_function(self, fn):
        """Add ``fn`` and any ancestors not yet in the graph, parents first (no recursion)."""
        nodes = self._graph._node
        function_id = self.engine.function_id
        if function_id(fn) in nodes:
            return
        order, seen, stack = [], set(), [(fn, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            nid = function_id(node)
            if nid in nodes or nid in seen:
                continue
            seen.add(nid)
            stack.append((node, True))
            for nxt, _ in self.engine.next_functions(node):
                if nxt is not None:
                    i = function_id(nxt)
                    if i not in nodes and i not in seen:
                        stack.append((nxt, False))
        for node in order:
            self._add_function(node, function_id(node), self._next_ids(node))

    def _add_function(self, node, nid, next_ids, where=None, shape=None):
        name, formula, saved, saved_tensors = self._describe_function(node)
        self._add(nid, node, {"kind": "function", "name": name, "label": name,
                              "formula": formula, "saved": saved,
                              "saved_tensors": saved_tensors,
                              "freed": self._is_freed(node), "shape": shape, "executed": None,
                              "grad_in": None, "grads_out": (), "where": where})
        if name == "AccumulateGrad":
            variable = self.engine.variable(node)
            tid = self._ensure_tensor(variable, "leaf")
            self._graph._node[nid]["shape"] = tuple(self.engine.shape(variable))
            self._edge(tid, nid, "leaf")
        i = 0
        for nxt, _ in next_ids:
            if nxt is not None:
                self._edge(nxt, nid, "next", i)
            i += 1

    def _ensure_tensor(self, t, role, nid=None):
        if nid is None:
            nid = self.engine.tensor_id(t)
        if nid not in self._graph._node:
            self._add(nid, t, self._tensor_attrs(t, role))
        return nid

    def _show_output(self, t):
        """Add a held output tensor with an edge from its grad_fn."""
        fn = self.engine.grad_fn(t)
        if fn is None:
            return False
        self._ensure_function(fn)
        fid = self.engine.function_id(fn)
        nid = self._ensure_tensor(t, "output")
        if not self._graph.has_edge(fid, nid):
            self._edge(fid, nid, "output")
        return True

    # ------------------------------------------------------------ event handlers
    # (``RecordBuffer._on_event`` calls them, in program order)
    def _reap(self):
        while self._dead:
            self._release(self._dead.pop())

    def _release(self, nid):
        self._refs.pop(nid, None)
        self._outputs.pop(nid, None)
        if nid not in self._graph:
            return
        if self.release_policy == "remove":
            self._remove_node(nid)
            return
        self._gone.add(nid)
        if self.release_policy in ("fade", "latest"):
            self._graph.nodes[nid]["released"] = True
            self._touch(nid)
            if self.release_policy == "latest":
                self.generations.released(nid)

    def _remove_node(self, nid):
        self._graph.remove_node(nid)
        self._untag(nid)
        self._gone.discard(nid)
        self._histories.pop(nid, None)
        self._backward_counts.pop(nid, None)
        self._positions.pop(nid, None)
        self._pinned.pop(nid, None)
        self._pending.added.discard(nid)
        self._pending.updated.discard(nid)
        self._pending.removed.add(nid)

    def _settle_generations(self):
        """The "latest" policy: drop the released pieces that repeat a shape, and the
        generation faded before (see ``gradviz.model.generations``)."""
        remove, _ = self.generations.settle(self._graph)
        for nid in remove:
            if nid in self._graph:
                self._remove_node(nid)

    def _on_TensorCreated(self, e):  # noqa: N802
        if e.role == "output":
            out_id, fid = self._made
            if out_id != e.tensor_id:  # not the output of the FunctionCreated just before
                fn = self.engine.grad_fn(e.tensor)
                if fn is None:
                    return
                fid = self.engine.function_id(fn)
                self._outputs[fid] = e.tensor_id  # dropped when fn's node is released
            data = self._graph._node.get(fid)
            if data is not None:
                data["shape"] = tuple(self.engine.shape(e.tensor))
                if self.watch_nonfinite:  # known even once the output is released
                    data["output_finite"] = output_finite(self, e.tensor)
            return
        self._ensure_tensor(e.tensor, e.role, e.tensor_id)

    def _on_FunctionCreated(self, e):  # noqa: N802
        self._record_function(e.function, e.function_id, e.next_functions, e.output_id,
                              e.input_ids, self.provenance.where())

    def _record_function(self, function, fid, next_functions, output_id, input_ids, where,
                         shape=None):
        """A ``FunctionCreated``'s fields (``where``: the user's line that made it;
        ``shape``: its output's, when known already)."""
        if self._dead:
            self._reap()
        nodes = self._graph._node
        if fid not in nodes:
            for nxt, _ in next_functions:
                if nxt is not None and nxt not in nodes:
                    self._ensure_function(function)  # an ancestor made before recording
                    data = nodes.get(fid)
                    if data is not None:
                        data["where"] = where
                    break
            else:  # the usual case: every input is drawn already
                self._add_function(function, fid, next_functions, where, shape)
        if output_id is not None:
            self._outputs[fid] = output_id  # dropped when fn's node is released
            self._made = (output_id, fid)
        i = 0
        for (nxt, _), tid in zip(next_functions, input_ids, strict=False):
            if nxt is None and tid is not None and tid in nodes:
                self._edge(tid, fid, "constant", i)
            i += 1

    def _record_output(self, shape):
        """The ``TensorCreated`` of the output of the ``FunctionCreated`` just recorded
        (``shape``: its shape, read when it was made)."""
        data = self._graph._node.get(self._made[1])
        if data is not None:
            data["shape"] = tuple(shape)

    def _on_BackwardStarted(self, e):  # noqa: N802
        if not e.tensors:  # an engine that names its roots by id only: find their tensors
            engine, outputs = self.engine, self._outputs
            e = e.__class__(e.roots, e.retain_graph, e.create_graph, tuple(
                [engine.tensor_by_id(outputs[fid]) if fid in outputs else None
                 for fid in e.roots]))
        roots = self._backward_roots(e)
        if self.track_saved_memory:
            self._reap()
            measure_saved(self)  # what each node saved, before this backward frees it
        self._backward_started(e.roots, *roots)

    def _backward_roots(self, e) -> tuple:
        """What a backward needs of the program as it starts: the root tensors that its
        roots made (shown as outputs) and the first one's value (for ``runs``)."""
        engine = self.engine
        made = []
        for fid, t in zip(e.roots, e.tensors, strict=False):
            fn = engine.grad_fn(t) if t is not None else None
            made.append(t if fn is not None and engine.function_id(fn) == fid else None)
        first = made[0] if made else None
        return tuple(made), None if first is None else engine.value(first)

    def _backward_started(self, roots, tensors, value):
        self._reap()
        self._calls_restart()
        self.backward_runs += 1
        self.runs.start(self.backward_runs, value)
        self._executed = 0
        nodes = self._graph._node
        for nid in self._ran:
            data = nodes.get(nid)
            if data is not None:
                data["executed"] = None
                self._pending.updated.add(nid)
        self._ran = []
        for t in tensors:
            if t is not None:
                self._show_output(t)

    def _on_NodeExecuted(self, e):  # noqa: N802
        self._nodes_ran((e,))

    def _on_NodesExecuted(self, e):  # noqa: N802
        self._nodes_ran(e.events)

    def _nodes_ran(self, events):
        """``NodeExecuted`` events, in the order the nodes ran: each node's execution order
        and its gradients (arrays: the event's record made them, record_buffer)."""
        nodes, ran, updated, added = (self._graph._node, self._ran, self._pending.updated,
                                      self._pending.added)
        executed = self._executed
        for event in events:
            fid = event.function_id
            data = nodes.get(fid)
            if data is None:
                self._ensure_function(event.function)
                data = nodes[fid]
            executed += 1
            ran.append(fid)
            data["executed"] = executed
            data["grad_in"] = event.grad_in
            data["grads_out"] = event.grads_out
            if fid not in added:
                updated.add(fid)
        self._executed = executed

    def _on_GradAccumulated(self, e):  # noqa: N802
        n = self._backward_counts.get(e.tensor_id, 0) + 1
        self._backward_counts[e.tensor_id] = n
        self.runs.accumulated(e.tensor_id, e.after)
        self._append(e.tensor_id, GradEntry(f"backward {n}", e.after))

    def _on_BackwardFinished(self, e):  # noqa: N802
        self._backward_depth = max(0, self._backward_depth - 1)
        self.runs.finish(self, self._ran if self.track_flow else None)
        if not self._batch_depth:
            self.flush()

    def _on_SavedTensorsFreed(self, e):  # noqa: N802
        nodes = self._graph._node
        for fid in e.function_ids:
            data = nodes.get(fid)
            if data is not None:
                data["freed"] = True
                self._touch(fid)

    def _on_GradZeroed(self, e):  # noqa: N802
        self._append(e.tensor_id, GradEntry("zeroed", self.engine.grad(e.tensor)))

    def _on_GradCleared(self, e):  # noqa: N802
        if e.value is None:
            self._append(e.tensor_id, GradEntry("set to None", None))
        else:
            self._append(e.tensor_id, GradEntry("set", self.engine.value(e.value)))

    def _append(self, nid, entry):
        hist = self._histories.setdefault(nid, [])
        hist.append(entry)
        del hist[:-self.history_limit]
        self._touch(nid)

    def _on_InplaceChanged(self, e):  # noqa: N802
        if e.tensor_id in self._graph:
            data = self._graph.nodes[e.tensor_id]
            data["version"] = e.version
            if e.function_id is not None and data["role"] == "output":
                for u, _, k in list(self._graph.in_edges(e.tensor_id, keys=True)):
                    self._graph.remove_edge(u, e.tensor_id, k)
                self._show_output(e.tensor)
            self._touch(e.tensor_id)
        if e.function_id is not None:
            self._outputs[e.function_id] = e.tensor_id

    def _on_RequiresGradChanged(self, e):  # noqa: N802
        if e.tensor_id in self._graph:
            self._graph.nodes[e.tensor_id]["requires_grad"] = e.requires_grad
            self._touch(e.tensor_id)

    def _on_Detached(self, e):  # noqa: N802
        if not e.in_place:
            self._detached[e.result_id] = e.source_id
            return
        if e.result_id in self._graph:
            data = self._graph.nodes[e.result_id]
            data.update(is_leaf=True, requires_grad=False)
            for u, _, k in list(self._graph.in_edges(e.result_id, keys=True)):
                self._graph.remove_edge(u, e.result_id, k)
            self._touch(e.result_id)

    def _on_TensorReleased(self, e):  # noqa: N802
        if e.tensor_id in self._graph._node:  # (its weakref's reaper usually got there first)
            self._dead.append(e.tensor_id)


# event class -> handler, looked up once per event (no string building per event)
GraphEvents._handlers = {getattr(events_types, name[4:]): handler
                         for name, handler in vars(GraphEvents).items()
                         if name.startswith("_on_") and hasattr(events_types, name[4:])}

