"""Builds events from core objects. Called only when ``dispatcher.active``.

The functions here run for every recorded op while someone listens, so they build each
event as a bare tuple of its fields (``tuple.__new__(FunctionCreated, (...))``, what the
class call does without its Python frame) and give a tensor its id with a plain weak
reference (a ``_Watch``) whose death becomes ``TensorReleased`` only when a subscriber
wants that event."""

from __future__ import annotations

import weakref

import numpy as np

from gradviz.core.autograd.function import AccumulateGrad, _ids
from gradviz.core.tensors.tensor import Tensor
from gradviz.events import dispatcher
from gradviz.events import types as ev

_make = tuple.__new__  # an event from the tuple of its fields
_FunctionCreated, _TensorCreated, _TensorReleased = (ev.FunctionCreated, ev.TensorCreated,
                                                     ev.TensorReleased)
_NO_EDGE = (None, 0)


class _Watch(weakref.ref):
    """A weak reference announcing its tensor's death. No Python ``__new__`` or
    ``__init__`` (``weakref.KeyedRef`` has both): made at C speed, then its id is set."""

    __slots__ = ("tensor_id",)


_watches: dict = {}  # tensor id -> _Watch: keeps each watch alive until its tensor dies


def tensor_id(t):
    i = t._gv_id
    if i is None:
        i = t._gv_id = next(_ids)
        watch = _watches[i] = _Watch(t, _released)
        watch.tensor_id = i
    return i


def tensor_of(i):
    """The live tensor with gradviz id ``i`` (one that an event named), or None."""
    watch = _watches.get(i)
    return watch() if watch is not None else None


def _released(watch):
    i = watch.tensor_id
    del _watches[i]
    if _TensorReleased in dispatcher.wanted:
        dispatcher.emit(_TensorReleased(i))


def _is_tensor(x):
    return isinstance(x, Tensor)


def function_created(node, out, inputs):
    input_ids = []
    for x in inputs:
        if type(x) is Tensor or isinstance(x, Tensor):
            if x._grad_fn is None and not x._requires_grad:
                while x._base is not None and not x._base._requires_grad:
                    x = x._base  # a view of a constant is shown as that constant
                tensor_created(x, "constant")
            i = x._gv_id
            input_ids.append(i if i is not None else tensor_id(x))
        else:
            input_ids.append(None)
    nf = []
    for fn in node._next:
        nf.append(_NO_EDGE if fn is None else (fn.id, 0))
    if out is not None:
        out_id = out._gv_id
        if out_id is None:  # (tensor_id, inline: a new output, every op)
            out_id = out._gv_id = next(_ids)
            watch = _watches[out_id] = _Watch(out, _released)
            watch.tensor_id = out_id
    else:
        out_id = None
    if type(node) is AccumulateGrad:
        variable = node.variable
        tensor_created(variable, "leaf")
        input_ids = [tensor_id(variable)]
        saved = ()
    else:
        op = getattr(node, "op", None)  # a Node without an op row saves nothing
        saved = op.saved if op is not None else ()
    emit = dispatcher.emit
    emit(_make(_FunctionCreated, (node, node.id, type(node).__name__, tuple(nf), out_id,
                                  tuple(input_ids), saved)))
    if out is not None:
        emit(_make(_TensorCreated, (out, out_id, "output")))


def tensor_created(t, role):
    dispatcher.emit(_make(_TensorCreated, (t, tensor_id(t), role)))


def backward_started(roots, retain_graph, create_graph, tensors=()):
    dispatcher.emit(ev.BackwardStarted(tuple(n.id for n, _ in roots), bool(retain_graph),
                                       bool(create_graph), tuple(tensors)))


def node_executed(node, grad, grads):
    dispatcher.emit(ev.NodeExecuted(node, node.id, grad, tuple(grads)))


def backward_finished(roots, freed):
    if freed:
        ids = tuple(n.id for n in freed if n.freed)  # only nodes that saved a tensor
        if ids:
            dispatcher.emit(ev.SavedTensorsFreed(ids))
    dispatcher.emit(ev.BackwardFinished(tuple(n.id for n, _ in roots)))


def grad_accumulated(t, before):
    after = t._grad
    dispatcher.emit(ev.GradAccumulated(t, tensor_id(t), before,
                                       None if after is None else np.array(after._data)))


def grad_cleared(t, value):
    dispatcher.emit(ev.GradCleared(t, tensor_id(t), value))


def inplace_changed(t, node):
    owner = t._grad_owner() if t._grad_owner is not None else None
    if owner is not None and owner._grad is t and not np.any(t._data):
        dispatcher.emit(ev.GradZeroed(owner, tensor_id(owner)))
        return
    dispatcher.emit(ev.InplaceChanged(t, tensor_id(t), t._version,
                                      None if node is None else node.id))


def requires_grad_changed(t):
    dispatcher.emit(ev.RequiresGradChanged(t, tensor_id(t), t._requires_grad))


def detached(source, result, in_place):
    dispatcher.emit(ev.Detached(tensor_id(source), result, tensor_id(result), in_place))
