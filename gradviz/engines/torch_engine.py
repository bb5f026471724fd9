"""Real PyTorch as an :class:`~gradviz.engines.protocol.Engine`: torch's own ``grad_fn``
graph, values, gradients and saved tensors, live.

``GraphModel(engine="torch")`` records a torch program with the same
``with model.recording():`` as the NumPy engine. Function nodes are torch's grad_fn
objects (named by their class: ``MulBackward0``, ``AccumulateGrad``, a custom
``MyFnBackward``), tensor nodes torch's tensors. How forward and backward are seen is in
:mod:`gradviz.engines.torch_watch`, how ids and weak references work for objects that
take neither attributes nor weakrefs in :mod:`gradviz.engines.torch_ids`, what is read
off nodes and tensors in :mod:`gradviz.engines.torch_describe`. Watching never changes
torch's results (a test compares values and grads bit for bit with and without it).

    >>> import torch
    >>> model = GraphModel(engine="torch")
    >>> with model.recording():
    ...     w = torch.ones(3, requires_grad=True)
    ...     (w * 2).sum().backward()
    >>> sorted(d["name"] for _, d in model.graph.nodes(data=True) if d["kind"] == "function")
    ['AccumulateGrad', 'MulBackward0', 'SumBackward0']
    >>> model.grad(model.node_of(w))
    array([2., 2., 2.], dtype=float32)
"""

from __future__ import annotations

import contextlib
import warnings
import weakref

import torch

from gradviz.engines import torch_describe as describe
from gradviz.engines.protocol import FunctionInfo, TensorInfo
from gradviz.engines.torch_hooks import hook_nodes
from gradviz.engines.torch_ids import KEY, FunctionRef, Ids
from gradviz.engines.torch_watch import Watch, _tensors, backward_arguments
from gradviz.events import types as ev

__all__ = ["TorchEngine"]

_ZEROING = ("zero_", "_foreach_zero_")
_make = tuple.__new__  # an event from the tuple of its fields (the class call, minus a frame)
_FunctionCreated, _TensorCreated, _NodeExecuted = (ev.FunctionCreated, ev.TensorCreated,
                                                   ev.NodeExecuted)
copy = describe.copy
_current_node = torch._C._current_autograd_node  # inside a hook: the node that runs
_AccumulateGrad = type(torch.ones(1, requires_grad=True).view(1).grad_fn.next_functions[0][0])
PENDING = 64  # nodes run whose gradients are held before they are copied and reported


class TorchEngine:
    """PyTorch seen through the engine protocol (one per process: ``get_engine("torch")``)."""

    name = "torch"
    module = torch

    def __init__(self):
        self._ids = Ids()
        self._classes: dict[type, FunctionInfo] = {}
        self._saves: dict[type, bool] = {}  # whether a grad_fn class saves tensors
        self._subscribers: list = []
        self._reported: set[int] = set()
        self._mode = None
        self._grads: dict[int, tuple] = {}  # id(.grad tensor) -> (leaf ref, grad ref)
        self._runs: list = []  # per backward running (innermost last): a Ran
        self.tensor_id = self._ids.tensor_id
        self.function_id = self._ids.function_id
        self.tensor_by_id = self._ids.tensor_by_id

    def __repr__(self):
        return "TorchEngine()"

    # ------------------------------------------------------------ events
    def subscribe(self, callback, kinds=None):  # (emits every kind the model handles)
        self._subscribers = [*self._subscribers, callback]
        if self._mode is None:
            self._mode = Watch(self)
            self._mode.__enter__()  # on this thread; see watching() for others
        return callback

    def unsubscribe(self, token) -> None:
        self._subscribers = [s for s in self._subscribers if s != token]
        if not self._subscribers and self._mode is not None:
            mode, self._mode = self._mode, None
            mode.__exit__(None, None, None)

    @contextlib.contextmanager
    def watching(self):
        """Watch the calling thread too (torch keeps modes per thread), while subscribed;
        on a thread watched already it does nothing (each op is reported once)."""
        watched = torch.overrides._get_current_function_mode_stack()
        if self._mode is None or any(isinstance(m, Watch) for m in watched):
            yield
            return
        with Watch(self):
            yield

    def _emit(self, event) -> None:
        subscribers = self._subscribers
        if len(subscribers) == 1:  # the usual case: one model, called directly
            try:
                subscribers[0](event)
            except Exception as exc:  # noqa: BLE001 (reported below, once)
                self._report(subscribers[0], exc)
            return
        for callback in subscribers:
            try:
                callback(event)
            except Exception as exc:  # noqa: BLE001 (reported below, once)
                self._report(callback, exc)

    def _report(self, callback, exc) -> None:
        """Warn once per subscriber that raised: a listener never breaks the program."""
        if id(callback) not in self._reported:
            self._reported.add(id(callback))
            warnings.warn(f"gradviz event subscriber {callback!r} raised {exc!r}; "
                          "further errors from it are not reported", RuntimeWarning,
                          stacklevel=3)

    # ------------------------------------------------------------ objects and ids
    @staticmethod
    def is_tensor(obj) -> bool:
        return isinstance(obj, torch.Tensor)

    @staticmethod
    def is_function(obj) -> bool:
        return isinstance(obj, torch.autograd.graph.Node)

    def id_of(self, obj):
        if isinstance(obj, torch.Tensor):
            return self._ids.known_tensor(obj)
        if isinstance(obj, torch.autograd.graph.Node):
            anchor = obj.metadata.get(KEY)
            return None if anchor is None else anchor.id
        return None

    def reference(self, obj, callback, key):
        if isinstance(obj, torch.Tensor):
            return weakref.KeyedRef(obj, callback, key)
        if isinstance(obj, torch.autograd.graph.Node):
            return FunctionRef(self._ids.register(obj), callback, key)
        raise TypeError(f"cannot hold a {type(obj).__name__} weakly")

    # ------------------------------------------------------------ grad_fn nodes
    def describe_function(self, fn) -> FunctionInfo:
        info = self._classes.get(type(fn))
        if info is None:
            info = self._classes[type(fn)] = describe.describe_class(fn)
        return info

    @staticmethod
    def next_functions(fn) -> tuple:
        return fn.next_functions

    def is_freed(self, fn) -> bool:
        return describe.is_freed(fn, self.describe_function(fn))

    def saved_values(self, fn) -> list:
        with torch._C.DisableTorchFunction():
            return describe.saved_values(fn, self.describe_function(fn))

    @staticmethod
    def variable(fn):
        return getattr(fn, "variable", None) if type(fn).__name__ == "AccumulateGrad" else None

    # ------------------------------------------------------------ tensors
    @staticmethod
    def describe_tensor(t) -> TensorInfo:
        return TensorInfo(tuple(t.shape), describe.dtype_name(t), t.requires_grad,
                          t.grad_fn is None, describe.version(t), str(t.device))

    @staticmethod
    def shape(t) -> tuple:
        return tuple(t.shape)

    def grad_fn(self, t):
        fn = t.grad_fn
        if fn is not None:  # remember the output: how a weak reference finds fn again
            anchor = self._ids.register(fn)
            if anchor.out is None or anchor.out() is None:
                anchor.out = weakref.ref(t)
        return fn

    @staticmethod
    def requires_grad(t) -> bool:
        return t.requires_grad

    value = staticmethod(describe.to_numpy)

    @staticmethod
    def grad(t):
        if not (t.is_leaf or t.retains_grad):  # torch warns when a non-leaf's is read
            return None
        return describe.to_numpy(t.grad)

    @staticmethod
    def as_array(x):
        if not isinstance(x, torch.Tensor):
            return x
        return describe.to_numpy(x)

    # ------------------------------------------------------------ forward (from Watch)
    def _outputs(self, out, args) -> None:
        if isinstance(out, torch.Tensor):
            self._output(out, args)
        elif isinstance(out, (tuple, list)):
            for t in out:
                if isinstance(t, torch.Tensor):
                    self._output(t, args)

    def _output(self, t, args) -> None:
        fn = t.grad_fn
        ids = self._ids
        if fn is None:
            if t.requires_grad and ids.known_tensor(t) is None:
                self._emit(ev.TensorCreated(t, ids.tensor_id(t), "leaf"))
            return
        anchor = fn.metadata.get(KEY)
        if anchor is not None:  # another output of a node seen already
            if ids.known_tensor(t) is None:
                self._emit(ev.TensorCreated(t, ids.tensor_id(t), "output"))
            return
        made = ids.register_new(fn)
        tid = ids.tensor_id(t)
        made[0][0].out = ids.tensor_ref(tid)  # (the tensor's one weak reference)
        inputs = _tensors(args)
        taker = None  # the new node whose next_functions are the op's tensor inputs
        for entry in made:
            if _takes(entry[2], inputs):
                taker = entry[1]
                break
        emit, classes = self._emit, self._classes
        for anchor, node, _, next_ids in reversed(made):  # inputs before the nodes using them
            input_ids = ()
            if node is taker:
                input_ids = tuple([None if x.requires_grad else self._constant(x)
                                   for x in inputs])
            info = classes.get(type(node)) or self.describe_function(node)
            emit(_make(_FunctionCreated, (node, anchor.id, info.name, tuple(next_ids),
                                          tid if node is fn else None, input_ids, info.saved)))
        emit(_make(_TensorCreated, (t, tid, "output")))

    def _constant(self, x) -> int:
        tid = self._ids.known_tensor(x)
        if tid is None:
            tid = self._ids.tensor_id(x)
            self._emit(ev.TensorCreated(x, tid, "constant"))
        return tid

    def _changed_in_place(self, func, targets, args) -> None:
        zeroing = getattr(func, "__name__", "") in _ZEROING
        for t in targets:
            fn = t.grad_fn
            fid = None
            if fn is not None:
                if fn.metadata.get(KEY) is None:
                    self._output(t, args)
                fid = fn.metadata[KEY].id
            tid = self._ids.known_tensor(t)
            if tid is not None:
                self._emit(ev.InplaceChanged(t, tid, describe.version(t), fid))
            owner = self._grads.get(id(t)) if zeroing else None
            if owner is not None and owner[1]() is t:
                leaf = owner[0]()
                leaf_id = self._ids.known_tensor(leaf) if leaf is not None else None
                if leaf_id is not None:
                    self._emit(ev.GradZeroed(leaf, leaf_id))

    def _grad_set(self, t, value) -> None:
        tid = self._ids.known_tensor(t)
        if tid is not None:
            self._emit(ev.GradCleared(t, tid, value))

    def _requires_grad_set(self, t) -> None:
        self._emit(ev.RequiresGradChanged(t, self._ids.tensor_id(t), t.requires_grad))

    # ------------------------------------------------------------ backward (from Watch)
    def _backward(self, func, args, kwargs):
        roots, retain, create = backward_arguments(func, args, kwargs)
        root_fns, root_tensors = [], []
        for t in roots:
            fn = t.grad_fn if isinstance(t, torch.Tensor) else None
            if fn is not None:
                if fn.metadata.get(KEY) is None:  # made where the mode did not look
                    self._output(t, ())
                root_fns.append(fn)
                root_tensors.append(t)
        if not root_fns:
            return func(*args, **kwargs)
        root_ids = tuple(self.function_id(fn) for fn in root_fns)
        run = Ran()
        self._runs.append(run)
        nodes, leaves = _reachable(root_fns)
        handles = []
        for fn in leaves:
            handles += self._hook_leaf(fn, run)
        unhook = hook_nodes(nodes, self._after)
        self._emit(ev.BackwardStarted(root_ids, retain, create, tuple(root_tensors)))
        try:
            return func(*args, **kwargs)
        finally:
            unhook()
            for handle in handles:
                handle.remove()
            self._runs.pop()
            self._report_safely(run)
            if not retain and run.saving:  # torch released the saved tensors of the
                self._emit(ev.SavedTensorsFreed(tuple(run.saving)))  # nodes it ran
            self._emit(ev.BackwardFinished(root_ids))

    def _after(self, grads_passed, grads_received):
        """Every node's post-hook during a watched backward (one bound method for all:
        torch says which node runs): the node and its gradients, kept until reported."""
        pending = self._runs[-1].pending
        pending.append((_current_node(), grads_received, grads_passed))
        if len(pending) >= PENDING:
            self._report_safely(self._runs[-1])

    def _report_safely(self, run) -> None:
        """``_report_ran``, which never breaks the user's backward: a tensor gradviz cannot
        read is warned about once and its nodes left out."""
        try:
            self._report_ran(run)
        except Exception as exc:  # noqa: BLE001 (reported, once)
            self._report(self._report_ran, exc)

    def _report_ran(self, run) -> None:
        """Report the nodes ``run`` has kept, in the order they ran, as ``NodesExecuted``:
        their gradients copied to NumPy (each once: what a node passes, the next got)."""
        pending, run.pending = run.pending, []
        if not pending:
            return
        batches, events, arrays, saving = [], [], {}, run.saving
        saves, classes = self._saves, self._classes

        def once(t):  # each gradient copied once: what a node passes is what the next got
            if t is None:
                return None
            a = arrays.get(id(t))
            if a is None:
                a = arrays[id(t)] = copy(t)
            return a

        with torch._C.DisableTorchFunction():
            for fn, received, passed in pending:
                if fn is None:  # an event made as it came (an AccumulateGrad's)
                    event = received
                    if event.__class__ is _NodeExecuted:
                        events.append(event)
                    else:  # (a GradAccumulated: after the nodes before it)
                        batches += (events, event)
                        events = []
                    continue
                fid = fn.metadata[KEY].id
                cls = fn.__class__
                saved = saves.get(cls)
                if saved is None:
                    saved = saves[cls] = bool((classes.get(cls) or self.describe_function(fn))
                                              .saved_tensors)
                if saved:
                    saving.append(fid)
                g = once(received[0] if len(received) == 1 else _received(received))
                events.append(_make(_NodeExecuted, (fn, fid, g, tuple([once(p) for p in passed]))))
        batches += (events, None)
        emit = self._emit
        for i in range(0, len(batches), 2):
            if batches[i]:
                emit(ev.NodesExecuted(tuple(batches[i])))
            if batches[i + 1] is not None:
                emit(batches[i + 1])

    def _hook_leaf(self, fn, run):
        """The hooks that report an ``AccumulateGrad`` running (their handles)."""
        fid = fn.metadata[KEY].id
        leaf = self.variable(fn)
        before = []  # (.grad, the gradient received) as NumPy, as accumulating starts

        def before_accumulating(grads_received):
            # (what it received is read now: it may become .grad itself, which a hook of
            # the user's may change in place after the accumulation)
            before.append((describe.to_numpy(leaf.grad),
                           describe.to_numpy(_received(grads_received))))

        def accumulated(grads_passed, grads_received):
            was, received = (before.pop() if before else
                             (None, describe.to_numpy(_received(grads_received))))
            run.pending.append((None, _make(_NodeExecuted, (fn, fid, received, ())), None))
            grad = leaf.grad
            tid = self._ids.tensor_id(leaf)
            if grad is not None and id(grad) not in self._grads:
                key, grads = id(grad), self._grads
                grads[key] = (weakref.ref(leaf),
                              weakref.ref(grad, lambda _, key=key: grads.pop(key, None)))
            run.pending.append((None, ev.GradAccumulated(leaf, tid, was, describe.to_numpy(grad)),
                                None))
        return fn.register_prehook(before_accumulating), fn.register_hook(accumulated)


class Ran:
    """One watched backward's nodes run: those not reported yet, ``(node, gradients
    received, gradients passed)`` as torch gave them (held until reported: at most
    ``PENDING``) or ``(None, event, None)`` for an event made as it came; and the ids of
    those reported that had saved tensors (which torch frees without ``retain_graph``)."""

    __slots__ = ("pending", "saving")

    def __init__(self):
        self.pending: list = []
        self.saving: list = []


def _reachable(root_fns) -> tuple[list, list]:
    """The nodes reachable from ``root_fns``: ``(the others, the AccumulateGrad nodes)``."""
    # (a node's Python object is the same while one is held, and the lists hold each)
    seen, nodes, leaves = set(), [], []
    stack = list(root_fns)
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        if fn.__class__ is _AccumulateGrad:
            leaves.append(fn)
            continue  # (it has no next_functions)
        nodes.append(fn)
        for n, _ in fn.next_functions:
            if n is not None:
                stack.append(n)
    return nodes, leaves


def _takes(nexts, inputs) -> bool:
    """Whether ``nexts`` are edges to ``inputs``: one per input, empty where an input
    does not require grad (a composite op like ``matmul`` of a vector makes several
    nodes; its inputs, and the constants among them, belong to the one that matches)."""
    if len(nexts) != len(inputs) or not inputs:
        return False
    for (n, _), x in zip(nexts, inputs, strict=True):
        if (n is None) == x.requires_grad:
            return False
    return True


def _received(grads):
    """The gradient a node received (the first given, for a node of several outputs)."""
    for g in grads:
        if g is not None:
            return g
    return None
