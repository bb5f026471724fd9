"""``masked_fill``: ``value`` where ``mask`` holds (attention masks, padding).

    >>> x = torch.tensor([-1.0, 2.0, -3.0], requires_grad=True)
    >>> x.masked_fill(x < 0, 0.0)          # no gradient where filled
    tensor([0., 2., 0.], grad_fn=<MaskedFillBackward0>)
    >>> x.masked_fill(x < 0, torch.tensor(5.0, requires_grad=True))   # a 0-dim tensor value
    tensor([5., 2., 5.], grad_fn=<MaskedFillBackward1>)
"""

from __future__ import annotations

import numbers

import numpy as np

from gradviz.core.autograd import record
from gradviz.core.autograd.inplace import inplace
from gradviz.core.optable import pointwise as P
from gradviz.core.tensors.checks import broadcast_check, tensor_arg
from gradviz.core.tensors.tensor import Tensor

_CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
              "uint8": "unsigned char", "float16": "c10::Half"}


def _describe(x, detail=False) -> str:
    """An argument's type as torch's argument errors name it (lists with their items' types
    in the per-signature lines)."""
    if detail and isinstance(x, list | tuple):
        return f"{type(x).__name__} of [{', '.join(type(e).__name__ for e in x)}]"
    return "Tensor" if isinstance(x, Tensor) else type(x).__name__


def _arguments(mask, value, func):
    """The op row and its inputs and arguments, or torch's error for bad ones."""
    T = Tensor
    good_value = isinstance(value, T | numbers.Number) and not isinstance(value, str)
    if not isinstance(mask, T) or not good_value:
        got_mask, got_value = _describe(mask), _describe(value)
        shown_mask, shown_value = _describe(mask, True), _describe(value, True)
        bad = (f"!{shown_mask}!" if not isinstance(mask, T) else shown_mask,
               f"!{shown_value}!" if not isinstance(mask, T) or not good_value else shown_value)
        why = f"didn't match because some of the arguments have invalid types: ({bad[0]}, {bad[1]})"
        raise TypeError(
            f"{func}() received an invalid combination of arguments - got ({got_mask}, "
            f"{got_value}), but expected one of:\n * (Tensor mask, Tensor value)\n      {why}\n"
            f" * (Tensor mask, Number value)\n      {why}\n"
        )
    if mask._data.dtype != np.bool_:
        name = _CPP_NAMES.get(mask._data.dtype.name, mask._data.dtype.name)
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{name}")
    if isinstance(value, T):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value._data.ndim} dimension(s).")
        return P.MASKED_FILL_TENSOR, (value,), (mask._data,)
    return P.MASKED_FILL, (), (mask._data, value)


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` where ``mask`` (broadcast against it) is True."""
    tensor_arg(input, "masked_fill")
    op, others, attrs = _arguments(mask, value, "masked_fill")
    try:
        np.broadcast_shapes(mask._data.shape, input._data.shape)
    except ValueError:
        broadcast_check(mask, input)  # torch's message: the mask is tensor a
        raise
    return record.apply_op(op, (input, *others), attrs)


def masked_fill_(input, mask, value):
    """``masked_fill`` in place."""
    op, others, attrs = _arguments(mask, value, "masked_fill_")
    return inplace(input, op, others, attrs)
