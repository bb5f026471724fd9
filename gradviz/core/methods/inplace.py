"""Tensor's in-place methods (``add_``, ``mul_``, ``clamp_``, ``copy_``...) and
operators (``+=``, ``*=``...): each checks its arguments and calls ``inplace_ops.inplace``.

    >>> import gradviz as torch
    >>> x = torch.zeros(2)
    >>> x += 1
    >>> x.mul_(3)
    tensor([3., 3.])
"""

from __future__ import annotations

import numbers

import numpy as np

from gradviz.core.autograd.inplace import check_partial_overlap, inplace
from gradviz.core.functions.masked import masked_fill_
from gradviz.core.methods.math import _alpha, _number_or_tensor, _other
from gradviz.core.optable import pointwise as P
from gradviz.core.optable import shape as S
from gradviz.core.tensors.tensor import Tensor


class TensorInPlace:
    """Mixed into Tensor: the methods and operators that write into the tensor."""

    __slots__ = ()

    # ------------------------------------------------------------ operators
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ifloordiv__(self, other):
        if not isinstance(other, numbers.Number | Tensor):
            return NotImplemented  # as torch: Python then raises its TypeError
        return self.floor_divide_(other)

    def __imod__(self, other):
        if not isinstance(other, numbers.Number | Tensor):
            return NotImplemented
        return self.remainder_(other)

    # ------------------------------------------------------------ methods
    def add_(self, other, *, alpha=1):
        alpha = _alpha(self, alpha, "add_")
        return inplace(self, P.ADD, (_other(other, "add_"),), (alpha,))

    def sub_(self, other, *, alpha=1):
        alpha = _alpha(self, alpha, "sub_")
        return inplace(self, P.SUB, (_other(other, "sub_"),), (alpha,))

    def mul_(self, other):
        return inplace(self, P.MUL, (_other(other, "mul_"),))

    def div_(self, other):
        return inplace(self, P.DIV, (_other(other, "div_"),))

    def pow_(self, exponent):
        _number_or_tensor(exponent, "pow_", "exponent")
        if isinstance(exponent, Tensor):
            return inplace(self, P.POW_TENSOR, (exponent,))
        return inplace(self, P.POW, (), (exponent,))

    def floor_divide_(self, other):
        other = _number_or_tensor(other, "floor_divide_", "other")
        return inplace(self, P.FLOOR_DIVIDE_INPLACE, (other,))

    def remainder_(self, other):
        _number_or_tensor(other, "remainder_", "other")
        if isinstance(other, Tensor):
            return inplace(self, P.REMAINDER_TENSOR, (other,))
        return inplace(self, P.REMAINDER, (), (other,))

    def neg_(self):
        return inplace(self, P.NEG)

    def exp_(self):
        return inplace(self, P.EXP)

    def abs_(self):
        return inplace(self, P.ABS)

    def sqrt_(self):
        return inplace(self, P.SQRT)

    def log_(self):
        return inplace(self, P.LOG)

    def relu_(self):
        return inplace(self, P.RELU)

    def sigmoid_(self):
        return inplace(self, P.SIGMOID)

    def tanh_(self):
        return inplace(self, P.TANH)

    def clamp_(self, min=None, max=None):  # noqa: A002
        return inplace(self, P.CLAMP, (), (min, max))

    def masked_fill_(self, mask, value):
        return masked_fill_(self, mask, value)

    def fill_(self, value):
        _number_or_tensor(value, "fill_", "value")
        if isinstance(value, Tensor):  # FillBackward3: the value gets the summed gradient
            if value._data.ndim:
                raise RuntimeError("fill_ only supports 0-dimension value tensor but got "
                                   f"tensor with {value._data.ndim} dimensions.")
            return inplace(self, S.FILL_TENSOR, (value,))
        return inplace(self, S.FILL, (), (value,))

    def zero_(self):
        return inplace(self, S.ZERO)

    def copy_(self, src):
        if type(src) in (int, float, bool):  # as torch: the number becomes a 0-d tensor
            src = Tensor._make(np.asarray(src, dtype=self._data.dtype))
        if not isinstance(src, Tensor):
            raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                            f"{type(src).__name__}")
        check_partial_overlap(self, src)
        try:
            np.broadcast_shapes(src._data.shape, self._data.shape)
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({self._data.shape[-1]}) must match the size of tensor b "
                f"({src._data.shape[-1]}) at non-singleton dimension {self._data.ndim - 1}"
            ) from None
        return inplace(self, S.COPY, (src,))
