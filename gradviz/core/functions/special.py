"""More elementwise functions: ``erf`` (ErfBackward0), ``log2`` (Log2Backward0), ``exp2``
(Exp2Backward0), ``lerp``
(LerpBackward0/1), ``nan_to_num`` (NanToNumBackward0); the tests ``isnan``, ``isinf``,
``isfinite``; and the function forms of comparisons (``eq``, ``ne``, ``lt``...) and of the
bitwise and logical operators."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.optable import tensor_ops as O
from gradviz.core.tensors.checks import _torch_type, broadcast_check, operand, tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor", "eq", "erf", "exp2", "ge",
           "greater", "greater_equal", "gt", "isfinite", "isinf", "isnan", "le", "lerp", "less",
           "less_equal", "log2", "logical_and", "logical_not", "logical_or", "logical_xor",
           "lt", "nan_to_num", "ne", "not_equal"]


def _float(input, name):
    tensor_arg(input, name)
    if input._data.dtype.kind != "f":
        return input.float()
    return input


def erf(input):
    """The error function, ``2 / sqrt(pi)`` times the integral of ``exp(-t²)`` from 0."""
    return apply_op(O.ERF, (_float(input, "erf"),))


def log2(input):
    """The base-2 logarithm."""
    return apply_op(O.LOG2, (_float(input, "log2"),))


def exp2(input):
    """``2 ** input``, element-wise (integers give floats)."""
    return apply_op(O.EXP2, (_float(input, "exp2"),))


def lerp(input, end, weight):
    """``input + weight * (end - input)``; ``weight`` a number or a tensor."""
    tensor_arg(input, "lerp")
    tensor_arg(end, "lerp", "end", 2)
    if input._data.dtype != end._data.dtype:
        raise RuntimeError(f"expected dtype {_torch_type(input._data.dtype).lower()} for `end` "
                           f"but got dtype {_torch_type(end._data.dtype).lower()}")
    if isinstance(weight, Tensor):
        return apply_op(O.LERP_TENSOR, (input, end, weight))
    return apply_op(O.LERP, (input, end), (weight,))


def _addc(op, name, input, tensor1, tensor2, value):
    tensor_arg(input, name)
    tensor_arg(tensor1, name, "tensor1", 2)
    tensor_arg(tensor2, name, "tensor2", 3)
    broadcast_check(input, tensor1)
    broadcast_check(input, tensor2)
    broadcast_check(tensor1, tensor2)
    if op is O.ADDCDIV and tensor1._data.dtype.kind in "biu" and \
            tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic "
            "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
            "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
            "tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    return apply_op(op, (input, tensor1, tensor2), (value,))


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2`` (Adam's second moment, written by hand)."""
    return _addc(O.ADDCMUL, "addcmul", input, tensor1, tensor2, value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2`` (Adam's step, written by hand)."""
    return _addc(O.ADDCDIV, "addcdiv", input, tensor1, tensor2, value)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN replaced by ``nan``, infinities by the largest finite values (or those given)."""
    tensor_arg(input, "nan_to_num")
    if input._data.dtype.kind != "f":
        return input.clone()
    return apply_op(O.NAN_TO_NUM, (input,), (nan, posinf, neginf))


def _test(fn):
    def test(input):
        tensor_arg(input, fn.__name__)
        return Tensor._make(fn(input._data))

    test.__name__ = fn.__name__
    test.__doc__ = f"Where the elements are {fn.__name__[2:]} (a bool tensor)."
    return test


isnan, isinf, isfinite = _test(np.isnan), _test(np.isinf), _test(np.isfinite)


def _compare(method, name):
    def compare(input, other):
        tensor_arg(input, name)
        return getattr(input, method)(operand(other, name))

    compare.__name__ = name
    compare.__doc__ = f"``input {method}`` other, elementwise (a bool tensor)."
    return compare


eq = _compare("__eq__", "eq")
ne = not_equal = _compare("__ne__", "ne")
lt = less = _compare("__lt__", "lt")
le = less_equal = _compare("__le__", "le")
gt = greater = _compare("__gt__", "gt")
ge = greater_equal = _compare("__ge__", "ge")
bitwise_and = _compare("__and__", "bitwise_and")
bitwise_or = _compare("__or__", "bitwise_or")
bitwise_xor = _compare("__xor__", "bitwise_xor")


def bitwise_not(input):
    tensor_arg(input, "bitwise_not")
    if input._data.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for "
                           f"'{_torch_type(input._data.dtype)}'")
    return Tensor._make(np.invert(input._data))


def _logical(fn, name):
    def logical(input, other):
        tensor_arg(input, name)
        b = other._data if isinstance(other, Tensor) else other
        return Tensor._make(fn(input._data.astype(bool), np.asarray(b).astype(bool)))

    logical.__name__ = name
    return logical


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input):
    tensor_arg(input, "logical_not")
    return Tensor._make(np.logical_not(input._data))
