"""``GraphModel``: a networkx graph kept in step with an autograd engine's events.

    >>> model = GraphModel()
    >>> with model.recording():
    ...     w = gradviz.ones(3, requires_grad=True)
    ...     loss = (w * 2).sum()
    >>> sorted(d["name"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function")
    ['AccumulateGrad', 'MulBackward0', 'SumBackward0']

Function nodes and the edges between them are torch's backward graph; tensor
nodes are leaves, outputs the user holds (named, or backward roots) and ghost
constants. Objects are held weakly. Listeners get one batched ``Change`` per
statement or backward call (see ``flush``). How each event changes the graph is
in ``graph_events``. The model reads its engine (``engine="numpy"``, the default)
only through the protocol of :mod:`gradviz.engines.protocol`.
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from gradviz.engines import get_engine
from gradviz.events.types import TensorReleased
from gradviz.model.generations import POLICIES, Generations
from gradviz.model.graph_events import GradEntry, GraphEvents
from gradviz.model.groups import ModuleGroups
from gradviz.model.record_buffer import RecordBuffer
from gradviz.model.runs import RunHistory

__all__ = ["POLICIES", "Change", "GraphModel"]

_KINDS = tuple(kind for kind in GraphEvents._handlers if kind is not TensorReleased)


@dataclass
class Change:
    added: set = field(default_factory=set)
    removed: set = field(default_factory=set)
    updated: set = field(default_factory=set)

    def __bool__(self):
        return bool(self.added or self.removed or self.updated)


class GraphModel(RecordBuffer, GraphEvents, ModuleGroups):
    """The live autograd graph of an engine as a ``networkx.MultiDiGraph`` (no Qt).

    ``engine`` is a name (``"numpy"``, ``"torch"``) or an object following
    :class:`gradviz.engines.protocol.Engine`."""

    def __init__(self, release_policy: str = "latest", history_limit: int = 200,
                 engine="numpy"):
        if release_policy not in POLICIES:
            raise ValueError(f"release_policy must be one of {POLICIES}, not {release_policy!r}")
        self._bind(get_engine(engine))
        self._init_records()  # an op's events, kept raw until someone looks (record_buffer)
        self._graph = nx.MultiDiGraph()
        self.release_policy = release_policy
        self.generations = Generations()  # the "latest" policy's faded generation
        self.runs = RunHistory()  # per backward: the loss and each leaf's grad norm
        self._gone: set = set()  # drawn nodes whose object died (under any policy)
        self.history_limit = history_limit
        self._refs: dict[int, weakref.ref] = {}  # node id -> weakref to tensor / grad_fn
        self._outputs: dict[int, int] = {}  # function id -> id of the tensor it produced
        self._detached: dict[int, int] = {}  # detach() result id -> the source's id
        self._histories: dict[int, list[GradEntry]] = {}
        self._backward_counts: dict[int, int] = {}
        self._stored: dict[int, tuple] = {}  # node id -> (value, grad) a loaded session kept
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
        self._routes: dict = {}  # edge -> bend points, from the layout of _positions
        self._pinned: dict = {}
        self._layout_dirty = True
        self._executed = 0
        self._ran: list[int] = []  # function nodes numbered by the last backward
        self.backward_runs = 0  # backward passes recorded: tells one run from the next
        self._init_groups()  # module paths on nodes, collapsed groups (``groups``)

    # ------------------------------------------------------------ recording
    def attach(self) -> None:
        """Start recording the engine's events."""
        if not self._attached:
            # keep the token: bound methods differ. Dying tensors it draws it hears of
            # through its own weak references, so it asks for no TensorReleased.
            self._token = self.engine.subscribe(self._on_event, kinds=_KINDS)
            self._attached = True
            self._backward_depth = 0  # (a backward it stopped hearing of while detached)
            self._watch_calls()

    def detach(self) -> None:
        if self._attached:
            self.engine.unsubscribe(self._token)
            self._attached = False
            if self._records:  # while the running modules' scope is known
                self._replay()
            self._unwatch_calls()

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The graph: function and tensor nodes, torch's backward edges (built from the
        records kept since the last look, see :mod:`gradviz.model.record_buffer`)."""
        if self._records:
            self._replay()
        return self._graph

    @graph.setter
    def graph(self, graph) -> None:
        self._records.clear()
        self._graph = graph

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
        if self._records:
            self._replay()
        self._reap()
        if self.release_policy == "latest":
            self._settle_generations()
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
        self._shown = None  # membership of the collapsed groups may have changed
        change.updated.discard(None)  # (``_groups_changed``'s mark)
        for callback in list(self._listeners):
            callback(change)
        return change

    # ------------------------------------------------------------ queries
    def _live(self, nid):
        if self._records:
            self._replay()
        ref = self._refs.get(nid)
        return ref() if ref is not None else None

    def tensor(self, nid):
        """The live tensor of node ``nid`` (held weakly), or None."""
        obj = self._live(nid)
        return obj if obj is not None and self.engine.is_tensor(obj) else None

    def function(self, nid):
        """The live grad_fn of node ``nid`` (held weakly), or None."""
        obj = self._live(nid)
        return obj if obj is not None and self.engine.is_function(obj) else None

    def node_of(self, obj):
        """The node id of a tensor or grad_fn shown in the graph, else None."""
        nid = self.engine.id_of(obj)
        return nid if nid is not None and nid in self.graph else None

    def value(self, nid) -> np.ndarray | None:
        """A NumPy copy of a tensor node's value (None once the tensor is gone; a loaded
        session's node answers with the value it saved)."""
        t = self.tensor(nid)
        if t is None:
            return self._stored.get(nid, (None, None))[0]
        return self.engine.value(t)

    def grad(self, nid) -> np.ndarray | None:
        """A NumPy copy of a tensor node's ``.grad``, or None (a loaded session's node:
        the ``.grad`` it saved)."""
        t = self.tensor(nid)
        if t is None:
            return self._stored.get(nid, (None, None))[1]
        return self.engine.grad(t)

    def next_functions(self, nid) -> tuple | None:
        """``((node id or None, name), ...)`` per ``next_functions`` entry of a live grad_fn
        (the name is the grad_fn's torch name, None for an empty entry); None when the
        grad_fn is gone."""
        fn = self.function(nid)
        if fn is None:
            return None
        engine = self.engine
        return tuple([(None, None) if n is None else
                      (self.node_of(n), engine.describe_function(n).name)
                      for n, _ in engine.next_functions(fn)])

    def saved_values(self, nid) -> list | None:
        """The saved values of a live grad_fn (``SavedValue`` entries of
        :mod:`gradviz.engines.protocol`; empty once freed), None when it is gone."""
        fn = self.function(nid)
        return None if fn is None else self.engine.saved_values(fn)

    def grad_fn_of(self, nid) -> tuple | None:
        """``(node id or None, name)`` of a live tensor's grad_fn, None when it has none."""
        t = self.tensor(nid)
        fn = self.engine.grad_fn(t) if t is not None else None
        if fn is None:
            return None
        return self.node_of(fn), self.engine.describe_function(fn).name

    def set_release_policy(self, policy: str) -> None:
        """Change what happens to released nodes (one of ``POLICIES``); nodes already
        released follow the new policy at once ("keep" shows them as if alive)."""
        if policy not in POLICIES:
            raise ValueError(f"release_policy must be one of {POLICIES}, not {policy!r}")
        if policy == self.release_policy:
            return
        self.release_policy = policy
        self.generations.forget()
        for nid in sorted(self._gone):
            if policy == "remove":
                self._remove_node(nid)
                continue
            self.graph.nodes[nid]["released"] = policy != "keep"
            self._touch(nid)
            if policy == "latest":
                self.generations.released(nid)
        self.flush()

    def output_of(self, nid) -> int | None:
        """The node id of the tensor function node ``nid`` produced (None if unknown)."""
        if self._records:
            self._replay()
        return self._outputs.get(nid)

    def touch(self, nid) -> None:
        """Tell listeners, with the next change, that node ``nid``'s attributes changed."""
        self._touch(nid)

    def find_nonfinite(self):
        """Mark the nodes holding NaN or Inf (forward, then backward) and return the origin's
        node id, None when all is finite; ``last_nonfinite.describe(model)`` also says what
        released values hide (:mod:`gradviz.model.nonfinite`)."""
        from gradviz.model.nonfinite import find_origin

        return find_origin(self)

    def history(self, nid) -> list[GradEntry]:
        return list(self._histories.get(nid, ()))

    def clear(self) -> None:
        removed = set(self.graph.nodes)  # (built from the records first: they are removed too)
        self.graph.clear()
        self._untag_all()
        for store in (self._refs, self._outputs, self._histories, self._backward_counts,
                      self._positions, self._routes, self._pinned, self._stored):
            store.clear()
        self._last_new = set()
        self.generations.forget()
        self.runs.clear()
        self._gone.clear()
        self._pending.removed |= removed
        self._pending.added -= removed
        self._pending.updated -= removed
        self._layout_dirty = True
        self.flush()

    # ------------------------------------------------------------ names and layout
    def set_names(self, namespace: dict) -> None:
        """Label tensor nodes with the user's variable names (``z``, ``loss``), parameters
        of the Modules it holds with their qualified names (``net.0.weight``)."""
        self._watch_namespace(namespace)
        named = {}
        is_tensor = self.engine.is_tensor
        for name, obj in namespace.items():
            if name.startswith("_") or not is_tensor(obj):
                continue
            nid = self.engine.id_of(obj)
            if nid is None or nid not in self.graph:
                nid = self._show_named(obj)
                if nid is None:
                    continue
            named.setdefault(nid, name)
        for nid, data in self.graph.nodes(data=True):
            if data["kind"] == "tensor":
                new = named.get(nid) or self._param_names.get(nid)
                if data.get("name") != new:
                    data["name"] = new
                    data["label"] = new or data["role"]
                    self._pending.updated.add(nid)

    def _show_named(self, t):
        """A tensor the user named but the graph does not show yet: an output (with an
        edge from its grad_fn), a leaf that requires grad, or a detach() result (a new leaf
        without history). Returns its node id, or None when it stays hidden."""
        engine = self.engine
        if engine.grad_fn(t) is not None:
            self._show_output(t)
            return engine.id_of(t)
        tid = engine.id_of(t)
        source = self._detached.get(tid) if tid is not None else None
        if not engine.requires_grad(t) and source is None:
            return None  # a plain constant appears once an op uses it (as a ghost)
        nid = self._ensure_tensor(t, "leaf")
        if source is not None:
            self.graph.nodes[nid]["detached_from"] = source
        return nid

    def positions(self) -> dict:
        """Layered positions, recomputed incrementally when the graph changed."""
        graph = self.shown_graph()
        if self._layout_dirty or set(self._positions) != set(graph.nodes):
            from gradviz.model.layout import layered

            pinned = {n: xy for n, xy in self._pinned.items() if n in graph}
            self._positions = layered(self._layout_graph(self.layout_graph()), pinned=pinned,
                                      previous=dict(self._positions), routes=self._routes)
            self._layout_dirty = False
        return self._positions

    def routes(self) -> dict:
        """``{(u, v): [(x, y), ...]}``: the bend points the edges spanning several layers are
        drawn through, from the layout of ``positions()`` (see ``layout.layered``)."""
        return self._routes

    def _layout_graph(self, base):
        """The graph the layout places: ``base``, plus an edge from each shown ``detach()``
        result's source to it, so the result sits below its source (the view draws that
        link dashed), not among unrelated leaves."""
        nodes = base.nodes
        links = [(d["detached_from"], n) for n, d in nodes(data=True)
                 if d.get("detached_from") is not None and d["detached_from"] in nodes]
        if not links:
            return base
        graph = base.copy()
        for src, n in links:
            graph.add_edge(src, n, kind="detached")
        return graph

    def pin(self, nid, xy) -> None:
        self._pinned[nid] = (float(xy[0]), float(xy[1]))
        self._positions[nid] = self._pinned[nid]
        self._routes = {e: r for e, r in self._routes.items() if nid not in e}

    def unpin(self, nid) -> None:
        self._pinned.pop(nid, None)
        self._layout_dirty = True

    @property
    def pinned(self) -> dict:
        return dict(self._pinned)
