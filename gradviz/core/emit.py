"""Builds events from core objects. Called only when ``dispatcher.active``."""

from __future__ import annotations

import numpy as np

from gradviz.events import dispatcher
from gradviz.events import types as ev


def tensor_id(t):
    i = t._gv_id
    if i is None:
        from gradviz.core.function import new_id

        i = t._gv_id = new_id()
        import weakref

        weakref.finalize(t, _released, i)
    return i


def _released(i):
    if dispatcher.active:
        dispatcher.emit(ev.TensorReleased(i))


def _is_tensor(x):
    return hasattr(x, "_data") and hasattr(x, "_grad_fn")


def function_created(node, out, inputs):
    input_ids = []
    for x in inputs:
        if _is_tensor(x):
            if x._grad_fn is None and not x._requires_grad:
                while x._base is not None and not x._base._requires_grad:
                    x = x._base  # a view of a constant is shown as that constant
                tensor_created(x, "constant")
            input_ids.append(tensor_id(x))
        else:
            input_ids.append(None)
    nf = tuple((fn.id if fn is not None else None, nr) for fn, nr in node.next_functions)
    out_id = tensor_id(out) if out is not None else None
    variable = getattr(node, "variable", None)
    if variable is not None:
        tensor_created(variable, "leaf")
        input_ids = [tensor_id(variable)]
    saved = tuple(node.op.saved) if getattr(node, "op", None) is not None else ()
    dispatcher.emit(ev.FunctionCreated(node, node.id, type(node).__name__, nf, out_id,
                                       tuple(input_ids), saved))
    if out is not None:
        dispatcher.emit(ev.TensorCreated(out, out_id, "output"))


def tensor_created(t, role):
    dispatcher.emit(ev.TensorCreated(t, tensor_id(t), role))


def backward_started(roots, retain_graph, create_graph):
    dispatcher.emit(ev.BackwardStarted(tuple(n.id for n, _ in roots), bool(retain_graph),
                                       bool(create_graph)))


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
