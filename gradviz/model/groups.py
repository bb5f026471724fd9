"""Module groups: which ``nn.Module`` made each node, and the parameters' names.

Mixed into :class:`gradviz.model.graph_model.GraphModel`. While the model records, global
forward hooks (the engine's ``nn.modules.module.register_module_forward_pre_hook`` /
``register_module_forward_hook``, public API of torch and of gradviz alike) keep a stack of
the module calls whose ``forward`` is running; a node created meanwhile belongs to the
innermost. Modules get their paths from a name map built from named roots
(``watch_modules(net, "net")``, or any Module a ``set_names`` namespace holds), so a node
made inside ``net[3].body[0]`` carries ``module="net.3.body.0"``; nodes recorded before
their module was named are placed when it is. Parameters get their qualified names
(``net.0.weight``) as node names when no variable names them.

Each call of a module is a group of its own: a module called twice in one ``forward``
(``self.pool`` after each convolution, one activation reused, an RNN cell run per time
step) makes ``net.pool`` and ``net.pool#2``, and a module called again at the top level
(``rnn(x[t], h)`` in a loop) ``rnn``, ``rnn#2``... counted from the last backward (each
step of a training loop starts again at ``net``) among the calls still in the graph.
Drawn as one box, the calls would enclose what runs between them, and a collapsed one
would be a cycle::

    model.watch_modules(net, "net")
    with model.recording():
    ...     net(x).sum().backward()
    model.groups()["net.0"]["label"]
    'net.0 · Linear(4→16)'

Which groups are drawn collapsed is ``model.collapsed`` (see :mod:`.groups_view`).
"""

from __future__ import annotations

import warnings
import weakref

import networkx as nx

from gradviz.model.groups_view import (
    GROUP_PREFIX,
    choose_depth,
    collapsed_at,
    collapsed_graph,
    depth_of,
    module_path,
    outermost_collapsed,
    parent_path,
)

__all__ = ["ModuleGroups", "module_summary"]

LAYOUT_HINT_LIMIT = 1500  # nodes drawn; bigger graphs are laid out without group hints
HINT_MIN_SIBLINGS = 4  # hints only for chains of blocks: a short chain reads better compact


def module_summary(module) -> str:
    """``Linear(4→16)``, ``Conv2d(3→8)``, ``Sequential(12 × Block)`` (a container of
    modules all of one class), or the class name."""
    name = type(module).__name__
    for a, b in (("in_features", "out_features"), ("in_channels", "out_channels")):
        i, o = getattr(module, a, None), getattr(module, b, None)
        if isinstance(i, int) and isinstance(o, int):
            return f"{name}({i}→{o})"
    children = list(module.children()) if callable(getattr(module, "children", None)) else []
    kinds = {type(c).__name__ for c in children}
    if len(children) > 2 and len(kinds) == 1:
        return f"{name}({len(children)} × {kinds.pop()})"
    return name


def is_module(obj) -> bool:
    """A module instance of either engine (duck-typed: no import of any nn package)."""
    return (not isinstance(obj, type) and callable(getattr(obj, "named_modules", None))
            and callable(getattr(obj, "register_forward_hook", None)))


UNPLACED_CHECK = 256  # an unnamed module's node ids are pruned to those in the graph from


class _Call:
    """One call of a module's ``forward``: its group once the module has a path."""

    __slots__ = ("module", "parent", "number", "kids", "root", "live", "path")

    def __init__(self, module, parent, number):
        self.module = weakref.ref(module)
        self.parent = parent  # the call it was made in (None at the top level)
        self.number = number  # 1 for the module's first call in ``parent`` (or since backward)
        self.kids: dict = {}  # id(module) -> how many calls of it this call made so far
        self.root = self if parent is None else parent.root
        # (top-level calls) the ops of this call and of those inside it still in the graph;
        # parameters and their AccumulateGrad outlive a call and do not count
        self.live = 0
        self.path = None  # the group path ("net.pool#2"), once known


class ModuleGroups:
    """Mixed into GraphModel: module paths on nodes, parameter names, the group tree."""

    def _init_groups(self):
        self._scope: list = []  # modules whose forward is running, innermost last
        self._scope_args: list = []  # per module of _scope: ids of the objects it was passed
        self._scope_calls: list = []  # per module of _scope: its _Call
        self._top_calls = weakref.WeakKeyDictionary()  # module -> its top-level calls in use
        self._node_call: dict = {}  # node id -> (the _Call that made it, whether it is live)
        self._paths = weakref.WeakKeyDictionary()  # module -> its path ("net.0")
        self._roots: dict[str, weakref.ref] = {}  # root name -> module
        self._group_info: dict[str, str] = {}  # path -> "net.0 · Linear(4→16)"
        self._param_names: dict[int, str] = {}  # tensor id -> "net.0.weight"
        self._unplaced = weakref.WeakKeyDictionary()  # unnamed module -> [node ids]
        self._unplaced_check = weakref.WeakKeyDictionary()  # module -> length to prune at
        self._call_hooks: list = []  # handles of the global hooks while attached
        self._module_hooked = weakref.WeakKeyDictionary()  # per-module hooks (fallback)
        self.collapsed: set[str] = set()  # paths of the groups drawn as one node
        self._shown = None  # the collapsed graph, until the graph or ``collapsed`` changes
        self._open_depth: int | None = None  # depth ``open_collapsed`` chose
        self._seen_groups: set[str] = set()  # groups ``open_collapsed`` already decided on
        self._auto_collapsed: set[str] = set()  # what it collapsed; unlike it: the user's

    # ------------------------------------------------------------ hooks
    def _hook_api(self):
        """The engine's ``nn.modules.module`` if it has torch's global forward hooks."""
        api = getattr(getattr(getattr(getattr(self.engine, "module", None), "nn", None),
                              "modules", None), "module", None)
        return api if callable(getattr(api, "register_module_forward_hook", None)) else None

    def _watch_calls(self) -> None:
        api = self._hook_api()
        if api is None or self._call_hooks:
            return
        enter, leave = _scope_hooks(weakref.ref(self))
        self._call_hooks = [api.register_module_forward_pre_hook(enter),
                            api.register_module_forward_hook(leave, always_call=True)]

    def _unwatch_calls(self) -> None:
        for handle in self._call_hooks:
            handle.remove()
        self._call_hooks = []
        self._scope.clear()
        self._scope_args.clear()
        self._scope_calls.clear()

    def _call_started(self, module) -> _Call:
        """A module's forward starts: its call, numbered in its caller's call, or at the top
        level among the calls since the last backward that still have nodes."""
        if self._scope_calls:
            parent = self._scope_calls[-1]
            number = parent.kids[id(module)] = parent.kids.get(id(module), 0) + 1
            return _Call(module, parent, number)
        calls = self._top_calls.get(module)
        if calls is None:
            calls = self._top_calls[module] = []
        calls[:] = [c for c in calls if c.live]
        used = {c.number for c in calls}
        number = 1
        while number in used:
            number += 1
        call = _Call(module, None, number)
        calls.append(call)
        return call

    def _calls_restart(self) -> None:
        """A backward started: the next top-level call of each module is its first again."""
        self._top_calls = weakref.WeakKeyDictionary()

    def _call_path(self, call: _Call) -> str | None:
        """``net.pool#2``: the module's path, the caller's group in place of the caller's
        module path, and ``#n`` from the second call on; None while the module is unnamed."""
        if call.path is None:
            module = call.module()
            path = self._paths.get(module) if module is not None else None
            if path is None:
                return None
            caller = self._call_path(call.parent) if call.parent is not None else None
            if caller is not None:
                prefix = module_path(caller) + "."
                if path.startswith(prefix):
                    path = f"{caller}.{path[len(prefix):]}"
            call.path = f"{path}#{call.number}" if call.number > 1 else path
        return call.path

    def _untag(self, nid) -> None:
        """Node ``nid`` left the graph."""
        call, live = self._node_call.pop(nid, (None, False))
        if live:
            call.root.live -= 1

    def _untag_all(self) -> None:
        for call, _ in self._node_call.values():
            call.root.live = 0
        self._node_call.clear()

    def _tag(self, nid, obj, attrs) -> None:
        """Put a node just created in the innermost running module (called by ``_add``). A
        tensor passed into a module from outside (the input ``X``) stays outside it: it
        goes to the module around the outermost one it was passed to, or to none."""
        depth = len(self._scope)
        if attrs.get("kind") == "tensor" and obj is not None:
            key = id(obj)
            for i, passed in enumerate(self._scope_args):
                if key in passed:
                    depth = i
                    break
            if not depth:
                return
        module = self._scope[depth - 1]
        call = self._scope_calls[depth - 1]
        self._untag(nid)  # (a node tagged again: counted once)
        live = attrs.get("kind") == "function" and attrs.get("name") != "AccumulateGrad"
        self._node_call[nid] = (call, live)
        call.root.live += live
        path = call.path or self._call_path(call)
        if path is not None:
            attrs["module"] = path
        else:
            nids = self._unplaced.setdefault(module, [])
            nids.append(nid)
            if len(nids) >= self._unplaced_check.get(module, UNPLACED_CHECK):
                # a loop through an unnamed module: keep the ids still in the graph, and
                # look again when the list has doubled (amortised O(1) an id)
                nodes = self._graph._node
                nids[:] = [n for n in nids if n in nodes]
                self._unplaced_check[module] = max(UNPLACED_CHECK, 2 * len(nids))

    # ------------------------------------------------------------ names
    def watch_modules(self, root, name: str) -> None:
        """Name ``root`` and its submodules (``name``, ``name.0``, ...) so the nodes their
        forward creates carry those paths, and its parameters' nodes their qualified names."""
        self._roots[name] = weakref.ref(root)
        api = self._hook_api()
        for sub, module in root.named_modules():
            path = f"{name}.{sub}" if sub else name
            if module not in self._paths:
                self._paths[module] = path
                self._group_info[path] = f"{path} · {module_summary(module)}"
            path = self._paths[module]
            for pname, p in module.named_parameters(recurse=False):
                tid = self.engine.id_of(p)
                if tid is not None:
                    self._param_names.setdefault(tid, f"{path}.{pname}")
            if api is None and module not in self._module_hooked:  # no global hooks
                enter, leave = _scope_hooks(weakref.ref(self))
                self._module_hooked[module] = (module.register_forward_pre_hook(enter),
                                               module.register_forward_hook(leave))
        self._place_unplaced()

    def _watch_namespace(self, namespace: dict) -> None:
        """Name every Module instance ``namespace`` holds (``set_names`` calls this)."""
        for name, obj in namespace.items():
            if not name.startswith("_") and is_module(obj):
                self.watch_modules(obj, name)  # again each time: submodules added since

    def _place_unplaced(self) -> None:
        nodes = self.graph._node
        for module, nids in list(self._unplaced.items()):
            if self._paths.get(module) is None:
                continue
            for nid in nids:
                data = nodes.get(nid)
                call, _ = self._node_call.get(nid, (None, False))
                if data is not None and data.get("module") is None and call is not None:
                    data["module"] = self._call_path(call)
                    self._touch(nid)
            del self._unplaced[module]

    def group_label(self, path: str) -> str:
        """``net.0 · Linear(4→16)``; ``net.pool#2 · MaxPool2d`` for a second call."""
        label = self._group_info.get(path)
        if label is None:
            own = module_path(path)
            label = self._group_info.get(own)
            return path if label is None else path + label[len(own):]
        return label

    def parameter_name(self, nid) -> str | None:
        """``net.0.weight`` for a parameter of a named module, else None."""
        return self._param_names.get(nid)

    # ------------------------------------------------------------ the group tree
    def groups(self) -> dict:
        """``{path: {"label", "parent", "nodes"}}`` for every module that made a node in
        the graph; ``nodes`` holds the node ids inside the group (its submodules' too)."""
        out: dict = {}
        for nid, data in self.graph.nodes(data=True):
            path = data.get("module")
            while path is not None:
                group = out.get(path)
                if group is None:
                    group = out[path] = {"label": self.group_label(path),
                                         "parent": parent_path(path), "nodes": set()}
                group["nodes"].add(nid)
                path = group["parent"]
        return out


    # ------------------------------------------------------------ collapsing
    def shown_graph(self):
        """The graph as drawn: ``graph`` itself, or with collapsed groups as one node each
        (ids ``"group:<path>"``, attribute ``kind="group"``)."""
        if not self.collapsed:
            return self.graph
        if self._shown is None:
            self._shown = collapsed_graph(self.graph, self.collapsed, self.group_label)
        return self._shown

    def layout_graph(self):
        """What the layout places: ``shown_graph()`` plus, for each open group, an edge from
        each node feeding the group to each of its sources (its parameters), so a group's
        nodes sit below what feeds it and the boxes of a chain of blocks do not interleave
        (groups among at least ``HINT_MIN_SIBLINGS`` siblings; a short
        chain is laid out compact). Graphs of more than ``LAYOUT_HINT_LIMIT`` nodes are laid
        out as shown."""
        shown = self.shown_graph()
        if not self._group_info or shown.number_of_nodes() > LAYOUT_HINT_LIMIT:
            return shown
        members: dict[str, set] = {}
        nodes = shown.nodes
        for n, data in nodes(data=True):
            path = parent_path(data["path"]) if data["kind"] == "group" else data.get("module")
            while path is not None:
                members.setdefault(path, set()).add(n)
                path = parent_path(path)
        if not members:
            return shown
        hints = []
        pred = shown._pred
        siblings: dict = {}
        for path in self.groups():
            parent = parent_path(path)
            siblings[parent] = siblings.get(parent, 0) + 1
        for path, inside in members.items():
            if siblings.get(parent_path(path), 0) < HINT_MIN_SIBLINGS:
                continue  # a short chain (an MLP's few layers): laid out compact, legible
            sources = [n for n in inside if not pred[n]]
            feeding = {u for v in inside for u in pred[v] if u not in inside}
            if not sources or not feeding:
                continue
            for s in sources:
                below = None
                for u in feeding:
                    if below is None:
                        below = nx.descendants(shown, s)
                    if u not in below:  # (an edge back into a group would make a cycle)
                        hints.append((u, s))
        if not hints:
            return shown
        graph = nx.MultiDiGraph(shown)
        graph.add_edges_from(hints, kind="hint")
        return graph

    def _groups_changed(self) -> None:
        self._shown = None
        self._positions = {}  # a fresh layout of what is drawn
        self._layout_dirty = True
        self._pending.updated.add(None)  # (a change for the listeners; no such node)
        self.flush()

    def _calls_of(self, path: str) -> set[str]:
        """The groups ``path`` names: itself, or every call of the module path it is."""
        path = path[len(GROUP_PREFIX):] if path.startswith(GROUP_PREFIX) else path
        groups = self.groups()
        if path in groups and "#" in path:
            return {path}
        calls = {p for p in groups if module_path(p) == path}
        if not calls:
            raise KeyError(f"no module group {path!r} in the graph")
        return calls

    def collapsed_around(self, nid) -> str | None:
        """The outermost collapsed group that node ``nid`` is drawn as (``"net.3"``), or
        None when it is drawn itself."""
        module = self.graph.nodes[nid].get("module") if nid in self.graph else None
        if module is None or not self.collapsed:
            return None
        return outermost_collapsed(module, self.collapsed)

    def collapse(self, path: str) -> None:
        """Draw group ``path`` (``"net.0"``) as one node; a module called more than once
        (``"net.pool"``) as one node per call (``"net.pool#2"`` names one call)."""
        calls = self._calls_of(path)
        if not calls <= self.collapsed:
            self.collapsed |= calls
            self._groups_changed()

    def expand(self, path: str) -> None:
        """Draw the nodes of group ``path`` again, one level at a time: when it was drawn
        as one node, its subgroups now are (``net`` shows its blocks, each one node). A
        collapsed group around it is opened the same way, so the group shows. A module
        called more than once: every call of it."""
        groups = self.groups()
        changed = False
        for call in sorted(self._calls_of(path)):
            around = {p for p in self.collapsed if call == p or call.startswith(p + ".")}
            self.collapsed -= around
            for p in around:  # show the way down to the call, collapsed beside it
                for child in groups:
                    if parent_path(child) == p and not call.startswith(child + ".") \
                            and child != call:
                        self.collapsed.add(child)
            changed = changed or bool(around)
        if changed:
            self._groups_changed()

    def expand_all(self) -> None:
        if self.collapsed:
            self.collapsed.clear()
            self._groups_changed()

    def open_collapsed(self, fits) -> int | None:
        """Collapse new groups to the deepest level at which the drawing ``fits`` (a
        callable taking the collapsed graph, True when it reads at Fit). Decided again
        each time new groups appear (a script drawn halfway through, a model growing), as
        long as the user has not expanded or collapsed one; after that, groups appearing
        later (at the depth chosen) join collapsed. Returns the depth chosen (None:
        nothing collapsed)."""
        groups = self.groups()
        new = set(groups) - self._seen_groups
        if not new:
            return self._open_depth
        if self.collapsed == self._auto_collapsed:  # only what this chose: choose again
            self._open_depth = choose_depth(
                groups, lambda c: fits(collapsed_graph(self.graph, c, self.group_label)))
            chosen = collapsed_at(groups, self._open_depth) if self._open_depth is not None \
                else set()
            self._auto_collapsed = set(chosen)
        else:
            d = self._open_depth
            chosen = self.collapsed | {p for p in new if d is not None and depth_of(p) == d}
        self._seen_groups |= set(groups)
        if chosen != self.collapsed:
            self.collapsed = set(chosen)
            self._groups_changed()
        return self._open_depth


def _scope_hooks(model_ref):
    """A (pre, post) pair of forward hooks keeping ``model._scope``; they hold the model
    weakly, so a model that was not detached does not live on in the global hook table."""

    # the records kept raw belong to the scope as it is: they are replayed before it changes.
    # A forward run by a backward (torch.utils.checkpoint recomputing) is left alone: the
    # graph is not built in the middle of torch's backward, where reading a node's saved
    # tensors would recompute them again
    def enter(module, args):
        model = model_ref()
        if model is None or model._backward_depth:
            return
        try:
            if model._records:
                model._replay()
            call = model._call_started(module)
            passed = {id(a) for a in args}
        except Exception as exc:  # noqa: BLE001 (a fault of gradviz's: the user's forward runs on)
            _hook_failed(model, exc)
            return
        model._scope_calls.append(call)
        model._scope.append(module)
        model._scope_args.append(passed)

    def leave(module, args, output):
        model = model_ref()
        if model is not None and model._scope and model._scope[-1] is module:
            try:
                if model._records and not model._backward_depth:
                    model._replay()
            except Exception as exc:  # noqa: BLE001 (as in enter)
                _hook_failed(model, exc)
            model._scope.pop()
            model._scope_args.pop()
            model._scope_calls.pop()

    return enter, leave


def _hook_failed(model, exc) -> None:
    """Warn once per model that following module calls failed: never the user's forward."""
    if not getattr(model, "_hook_warned", False):
        model._hook_warned = True
        warnings.warn(f"gradviz could not follow a module call ({exc!r}); the program runs "
                      "on, further errors are not reported", RuntimeWarning, stacklevel=3)
