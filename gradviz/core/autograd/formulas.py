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
    for (kind, _), v in zip(node.op.save_plan, node._saved):
        if kind == 1 and type(v) is Tensor:  # an input saved at version 0
            box = v._vbox
            if box is not None and box[0]:
                raise _version_error(v, box[0], 0)
            values.append(v if tensor_mode else v._data)
        elif kind == 1 and type(v) is tuple:
            t, version = v
            box = t._vbox
            if box is not None and box[0] != version:
                raise _version_error(t, box[0], version)
            values.append(t if tensor_mode else t._data)
        elif kind == 0 and v is not None:
            data, box, version = v
            if box[0] != version:
                view_fn = getattr(node, "_result_fn", None)  # in place on a view: its grad_fn
                owner = (view_fn() if view_fn is not None else None) or node
                raise _version_error(_holder(data, owner), box[0], version)
            values.append(_result_tensor(data, node) if tensor_mode else data)
        else:
            values.append(v)
    return values


def apply_node(node, grad, tensor_mode):
    """Run one OpNode's formulas: one gradient (or None) per ``next_functions`` entry."""
    op = node.op
    if op is None:  # a custom autograd.Function: its own backward
        return node.run_backward(grad, tensor_mode)
    values = unpack(node, tensor_mode) if op.saved else ()
    edges = node._next
    metas = node._meta
    grads = []
    if op.variadic:
        f = op.compiled[0]
        for i in range(len(edges)):
            grads.append(None if edges[i] is None else _fit(f(grad, i, *values), metas[i]))
        return grads
    compiled = op.compiled
    for i in range(len(edges)):
        if edges[i] is None:
            grads.append(None)
            continue
        f = compiled[i]
        if f is None:
            raise RuntimeError(f"the derivative for '{op.inputs[i]}' is not implemented")
        g = f(grad, *values)
        if g is None:  # the formula gives this input no gradient
            grads.append(None)
            continue
        if metas:  # an exact op's node keeps none: g fits already
            shape, dtype = metas[i]
            if g.shape != shape or g.dtype != dtype:
                g = _fit(g, metas[i])
        grads.append(g)
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
