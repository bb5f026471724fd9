"""Running a node's backward formulas: its saved values unpacked (checked against their
versions), each input's formula called and its gradient fitted to the input's shape and
dtype (broadcasting undone here, once, by ``sum_to``)."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.function import (
    FREED_MESSAGE,
    _holder,
    _result_tensor,
    _version_error,
)
from gradviz.core.tensors.dtypes import from_numpy_dtype
from gradviz.core.tensors.tensor import Tensor


def unpack(node, tensor_mode):
    """The node's saved values as its formulas take them (arrays, or Tensors)."""
    if node._freed:
        raise RuntimeError(FREED_MESSAGE)
    values = []
    append = values.append
    for kind, v in zip(node.op.save_kinds, node._saved):
        if v is None or kind == 2:  # not saved (no formula that runs needs it), an argument
            append(v)
        elif kind == 1:  # an input
            tv = type(v)
            if tv is Tensor:  # saved at version 0
                box = v._vbox
                if box is not None and box[0]:
                    raise _version_error(v, box[0], 0)
                append(v if tensor_mode else v._data)
            elif tv is tuple:  # (tensor, the version it was saved at)
                t, version = v
                box = t._vbox
                if box is not None and box[0] != version:
                    raise _version_error(t, box[0], version)
                append(t if tensor_mode else t._data)
            else:  # a Python number
                append(v)
        else:  # the result: (array, version box, version)
            data, box, version = v
            if box[0] != version:
                view_fn = getattr(node, "_result_fn", None)  # in place on a view: its grad_fn
                owner = (view_fn() if view_fn is not None else None) or node
                raise _version_error(_holder(data, owner), box[0], version)
            append(_result_tensor(data, node) if tensor_mode else data)
    return values


def apply_node(node, grad, tensor_mode):
    """Run one node's formulas: one gradient (or None) per ``next_functions`` entry.

    The one place formulas run: the engine calls it for every node, with or without hooks,
    listeners or ``create_graph`` (``tensor_mode``: the formulas get Tensors and record)."""
    op = node.op
    if op is None:  # a custom autograd.Function, or CopySlices: its own backward
        return node.run_backward(grad, tensor_mode)
    # saved tensors are checked against their versions; saved arguments are taken as they are
    values = unpack(node, tensor_mode) if op.saved_tensors else node._saved
    edges = node._next
    metas = node._meta
    grads = []
    append = grads.append
    compiled = op.tensor_compiled if tensor_mode else op.compiled
    if op.variadic:
        f = compiled[0]
        for i in range(len(edges)):
            append(None if edges[i] is None else _fit(f(grad, i, *values), metas[i]))
        return grads
    i = 0
    for nxt in edges:
        if nxt is None:  # no gradient flows there
            append(None)
        else:
            f = compiled[i]
            if f is None:
                raise RuntimeError(f"the derivative for '{op.inputs[i]}' is not implemented")
            g = f(grad, *values)
            # None: the formula gives this input no gradient; an exact op's node keeps no
            # metas, as its formulas' gradients fit already
            if g is not None and metas:
                shape, dtype = metas[i]
                if g.shape != shape or g.dtype != dtype:
                    g = _fit(g, metas[i])
            append(g)
        i += 1
    return grads


def _fit(g, meta):
    shape, dtype = meta
    if g.shape != shape:
        g = sum_to(g, shape)
    if isinstance(g, Tensor):  # under create_graph: a recorded cast, as torch's engine makes
        if g._data.dtype != dtype:
            g = g.to(from_numpy_dtype(dtype))
    elif g.dtype != dtype:
        g = g.astype(dtype)
    return g


def sum_to(g, shape):
    """Sum ``g`` down to ``shape`` (undoes broadcasting)."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    lead = len(g.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1
    )
    if isinstance(g, Tensor):
        if not shape:  # as torch's sum_to: a plain sum (SumBackward0)
            return g.sum()
        out = g.sum(dim=axes, keepdim=True) if axes else g
        return out.reshape(shape) if lead else out  # (a view only for leading dims, as torch)
    return np.sum(g, axis=axes, keepdims=True).reshape(shape) if axes else g.reshape(shape)
