"""The in-place machinery behind ``add_``, ``mul_``, ``x[i] = v``...: run the op,
write its result into the tensor, bump its version and give it the op's grad_fn.

    >>> x = torch.ones(2, requires_grad=True).clone()
    >>> x.mul_(3)
    tensor([3., 3.], grad_fn=<MulBackward0>)
    >>> x._version
    1
"""

from __future__ import annotations

import re

import numpy as np

from gradviz.core.autograd import emit, record, view_inplace
from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.record import apply_op
from gradviz.core.tensors.checks import _torch_type, broadcast_check
from gradviz.core.tensors.tensor import Tensor
from gradviz.events import dispatcher

NOGRAD_VIEW_MESSAGE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
    "be tracked)."
)


OVERLAP_MESSAGE = (
    "unsupported operation: some elements of the input tensor and the written-to tensor refer "
    "to a single memory location. Please clone() the tensor before performing the operation."
)


def _custom_view_message(t):
    several, index = t._custom_view
    name = re.sub(r"Backward\d*$", "", t._grad_fn.name()) if t._grad_fn is not None else ""
    text = f"Output {index} of {name} is a view and is being modified inplace. "
    if several:
        return text + ("This view is the output of a function that returns multiple views. "
                       "Such functions do not allow the output views to be modified inplace. "
                       "You should replace the inplace operation by an out-of-place one.")
    return text + (
        "This view was created inside a custom Function (or because an input was returned "
        "as-is) and the autograd logic to handle view+inplace would override the custom "
        "backward associated with the custom Function, leading to incorrect gradients. This "
        "behavior is forbidden. You can fix this by cloning the output of the custom Function.")


def check_inplace(t):
    if t._inference and not grad_state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can "
            "make a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details."
        )
    if grad_state.enabled and t._custom_view is not None:
        raise RuntimeError(_custom_view_message(t))
    if grad_state.enabled and t._nograd_view:
        raise RuntimeError(NOGRAD_VIEW_MESSAGE)
    if grad_state.enabled and t._requires_grad:
        if t._grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
    base = t._base
    if grad_state.enabled and base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    if not t._data.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )


def check_partial_overlap(t, src, full_ok=True):
    """torch's copy_ check (``get_overlap_status``): ``src`` may be ``t``'s memory exactly
    (unless not ``full_ok``: index_put_'s check), or memory torch finds too hard to compare
    (not dense), but not part of it."""
    a, b = t._data, src._data
    if a is b and not full_ok:
        raise RuntimeError(OVERLAP_MESSAGE)
    if a is b or not a.size or not b.size or not np.may_share_memory(a, b):
        return
    if not (_dense(a) and _dense(b)):
        return
    a0, b0 = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    a1, b1 = a0 + a.nbytes, b0 + b.nbytes
    full = (a0, a1) == (b0, b1) and a.strides == b.strides
    if full and full_ok or not (a0 < b1 and b0 < a1):
        return
    raise RuntimeError(OVERLAP_MESSAGE)


def _dense(x) -> bool:
    """Non-overlapping and dense: its elements fill its span, in some order of dims."""
    expected = x.itemsize
    for size, stride in sorted(zip(x.shape, x.strides), key=lambda d: d[1]):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


def inplace(t, op, others=(), attrs=()):
    """Run ``op`` on ``t`` and write the result into ``t``: its data, version and grad_fn."""
    check_inplace(t)
    if op.name == "zero_" and not (grad_state.enabled and (
            t._requires_grad or (t._base is not None and t._base._requires_grad))):
        t._data.fill(0)  # zero_grad's hot path: nothing to record
        t._version_box()[0] += 1
        if dispatcher.active:
            emit.inplace_changed(t, None)
        return t
    T = Tensor
    if t._base is not None and record.is_stale(t):
        record.refresh(t)
    # an integer or bool tensor written in place takes no gradient (torch's copy_ into it)
    recording = grad_state.enabled and t._data.dtype.kind == "f"
    on_view = recording and t._base is not None and (t._base._requires_grad or any(
        isinstance(o, T) and o._requires_grad for o in others))
    if on_view or (recording and (t._requires_grad or any(
            isinstance(o, T) and o._requires_grad for o in others))):
        shadow = T._make(t._data.copy())
        shadow._grad_fn, shadow._requires_grad = t._grad_fn, t._requires_grad
        shadow._acc = t._acc
        if on_view:  # the op's node goes inside the base's CopySlices, not in the graph
            with view_inplace.quiet():
                out = apply_op(op, (shadow, *others), attrs)
        else:
            out = apply_op(op, (shadow, *others), attrs)
    else:
        ufunc = _INPLACE_UFUNCS.get(op.name)
        other = others[0] if others else None
        if ufunc is not None and (not attrs or attrs == (1,)) and t._data.dtype.kind == "f" \
                and not (ufunc is np.subtract and _is_bool(other)):  # torch refuses those
            try:
                ufunc(t._data, other._data if isinstance(other, T) else other, out=t._data,
                      casting="same_kind")  # no graph to record: write in place directly
            except ValueError:
                _broadcast_into_error(t, others, None)
                raise
            t._version_box()[0] += 1
            if dispatcher.active:
                emit.inplace_changed(t, None)
            return t
        with _no_record():
            out = apply_op(op, (t, *others), attrs)
    data = out._data
    if data.shape != t._data.shape:
        _broadcast_into_error(t, others, data)
    if not np.can_cast(data.dtype, t._data.dtype, "same_kind"):
        raise RuntimeError(
            f"result type {_torch_type(data.dtype)} can't be cast to the desired output type "
            f"{_torch_type(t._data.dtype)}"
        )
    np.copyto(t._data, data, casting="same_kind")
    box = t._version_box()
    box[0] += 1
    node = out._grad_fn
    if node is not None:
        if node.op.saved and node.op.saved[0] == "result":
            node._saved = ((t._data, box, box[0]), *node._saved[1:])
        if on_view:
            view_inplace.rebase(t, node, others)
            node = t._grad_fn
        else:
            t._grad_fn = node
            t._requires_grad = True
    if dispatcher.active:
        emit.inplace_changed(t, node)
    return t


def _is_bool(x) -> bool:
    return type(x) is bool or isinstance(x, Tensor) and x._data.dtype == np.bool_


_INPLACE_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}


def _broadcast_into_error(t, others, data):
    """torch's messages for an in-place op whose operands do not fit ``t``."""
    for o in others:
        if isinstance(o, Tensor):
            broadcast_check(t, o)
    shape = data.shape if data is not None else np.broadcast_shapes(
        t._data.shape, *(o._data.shape for o in others if isinstance(o, Tensor)))
    raise RuntimeError(
        f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
        f"{list(shape)}"
    )


class _no_record:  # noqa: N801
    def __enter__(self):
        self.prev = grad_state.enabled
        grad_state.enabled = False

    def __exit__(self, *exc):
        grad_state.enabled = self.prev

