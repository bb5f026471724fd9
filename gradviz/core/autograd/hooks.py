"""What the engine runs around a node: the hooks users register on tensors and grad_fns,
with torch's checks on what they return.
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.custom_function import _OutputGrads
from gradviz.core.tensors.dtypes import legacy_type_name
from gradviz.core.tensors.tensor import Tensor


def to_tensor(x):
    """A gradient as the user sees it: always a Tensor."""
    if isinstance(x, Tensor):
        return x
    return Tensor._make(np.asarray(x))


def _hook_name(hook):
    return getattr(hook, "__name__", type(hook).__name__)


def _check_tuple(hook, out, expected):
    """torch's checks on what a grad_fn hook returned (a tuple of the right length)."""
    if not isinstance(out, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
    if len(out) != expected:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values (got "
            f"{len(out)}, but expected {expected})"
        )


def check_tensor_hook(hook, out, grad):
    """torch's checks on what a tensor hook returned (None, or a Tensor of the same size)."""
    if out is None:
        return None
    if not isinstance(out, Tensor):
        name = type(out).__name__
        raise TypeError("expected Variable, but hook returned "
                        f"'{'torch.Size' if name == 'Size' else name}'")
    _check_value(hook, grad, out)
    return out


def _check_value(hook, original, result):
    """torch's check_variable_result: a hook may replace a gradient, not change its dtype or
    size."""
    was = original._data if isinstance(original, Tensor) else np.asarray(original)
    got = result._data
    if was.dtype != got.dtype:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the type of value (was "
            f"{legacy_type_name(was.dtype)} got {legacy_type_name(got.dtype)})"
        )
    if was.shape != got.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")


def _output_grads(grad):
    """A node's incoming gradient as its hooks see it: one per output (None where none
    arrived, for a node with several outputs)."""
    if isinstance(grad, _OutputGrads):
        return tuple(None if g is None else to_tensor(g) for g in grad.grads)
    return (to_tensor(grad),)


def run_pre_hooks(node, grad, create_graph):
    several = isinstance(grad, _OutputGrads)
    grads = _output_grads(grad)
    for hook in list(node._pre_hooks):
        out = hook(grads)
        if out is not None:
            _check_tuple(hook, out, len(grads))
            for old, new in zip(grads, out, strict=True):
                if old is not None and new is not None:
                    _check_value(hook, old, new)
            grads = out
            raw = [None if g is None else g if create_graph else np.asarray(g._data)
                   for g in out]
            grad = _OutputGrads(raw) if several else raw[0]
    return grad


def run_post_hooks(node, grads, grad, create_graph):
    wrapped = tuple(None if g is None else to_tensor(g) for g in grads)
    for hook in list(node._hooks):
        out = hook(wrapped, _output_grads(grad))
        if out is not None:
            _check_tuple(hook, out, len(wrapped))
            for old, new in zip(wrapped, out, strict=True):
                if old is None and new is not None:
                    raise RuntimeError("can't replace a None gradient with a non-None value")
                if new is not None:
                    _check_value(hook, old, new)
            wrapped = out
    return [None if g is None else (g if create_graph else g._data) for g in wrapped]
