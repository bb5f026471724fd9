"""Tensor methods and operators, each a call into math_ops, reduction_ops, shape_ops or
linalg_ops (the in-place ones are in ``tensor_inplace``, conversions in ``tensor_convert``)."""

from __future__ import annotations

import numbers

import numpy as np

from gradviz.core.autograd.record import apply_binary, apply_op
from gradviz.core.functions import indexing as IX
from gradviz.core.functions import linalg as LA
from gradviz.core.functions import pointwise as M
from gradviz.core.functions import reductions as RD
from gradviz.core.functions import shape as SH
from gradviz.core.functions.masked import masked_fill
from gradviz.core.functions.nn_functional import log_softmax, softmax
from gradviz.core.optable import pointwise as P
from gradviz.core.tensors.tensor import Tensor

_SCALARS = (int, float, bool, np.number, np.bool_)
_PLAIN_NUMBERS = frozenset((int, float))  # checked before the slow numbers.Number ABC


def _compare(ufunc):
    def method(self, other):
        if isinstance(other, Tensor):
            other = other._data
        elif not isinstance(other, (*_SCALARS, np.ndarray)):
            return NotImplemented
        try:
            data = ufunc(self._data, other)
        except ValueError:
            M.broadcast_check(self, _wrap(other))
            raise
        return type(self)._make(np.asarray(data))

    return method


_T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor.",
    "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
)


_SCALAR = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _other(x, func):
    """A method's ``other`` argument (a Tensor or a number), or torch's TypeError."""
    cls = type(x)
    if cls is float or cls is int or isinstance(x, (*_SCALARS, Tensor)):
        return x
    if isinstance(x, np.ndarray):
        return _wrap(x)
    raise TypeError(f"{func}(): argument 'other' (position 1) must be Tensor, not "
                    f"{type(x).__name__}")


def _alpha(t, alpha, func):
    if type(alpha) is int:
        return alpha
    if not isinstance(alpha, numbers.Number):
        raise TypeError(f"{func}(): argument 'alpha' must be Number, not {type(alpha).__name__}")
    return alpha  # (a float alpha with an integral result: the op's forward refuses it)


def _number_or_tensor(x, func, arg):
    """torch's message for an argument that may be a Tensor or a Number, but is neither."""
    if type(x) in _PLAIN_NUMBERS or isinstance(x, numbers.Number | Tensor):
        return x
    got = type(x).__name__
    raise TypeError(
        f"{func}() received an invalid combination of arguments - got ({got}), but expected one "
        f"of:\n * (Tensor {arg})\n      didn't match because some of the arguments have invalid "
        f"types: (!{got}!)\n * (Number {arg})\n      didn't match because some of the arguments "
        f"have invalid types: (!{got}!)\n"
    )


def _wrap(x):
    return Tensor._make(x) if isinstance(x, np.ndarray) else x


_FLOAT_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half"}


def _float_result(a, b):
    """The floating dtype torch promotes ``a`` (an array) and ``b`` (an array or a Python
    number) to: a number or a 0-d array does not widen a tensor of the same kind."""
    if not isinstance(b, np.ndarray):
        return a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        if (a.ndim == 0) != (b.ndim == 0):
            return a.dtype if b.ndim == 0 else b.dtype
        return np.result_type(a, b)
    return a.dtype if a.dtype.kind == "f" else b.dtype


def _logical(ufunc, name):
    def method(self, other):
        if isinstance(other, Tensor):
            other = other._data
        elif not isinstance(other, _SCALARS):
            return NotImplemented
        if self._data.dtype.kind == "f" or np.asarray(other).dtype.kind == "f":
            kind = _float_result(self._data, other).name
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_FLOAT_NAMES.get(kind, kind)}'")
        return type(self)._make(np.asarray(ufunc(self._data, other)))

    return method


def _operator(op, reflected=False):
    """A binary operator: NotImplemented for foreign types, so Python raises its TypeError."""

    attrs = (1,) if op in (P.ADD, P.SUB) else ()

    def method(self, other):
        cls = type(other)
        if cls is not type(self) and cls is not float and cls is not int:
            if isinstance(other, np.ndarray):
                other = _wrap(other)
            elif not isinstance(other, (*_SCALARS, Tensor)):
                return NotImplemented
        try:
            return apply_binary(op, self, other, attrs)
        except ValueError:
            M.broadcast_check(self, other)
            raise

    return method


def _arg_extreme(t, dim, keepdim, pick, name):
    """argmax/argmin with torch's checks: no bools, a dim in range (0-d tensors take 0 and
    -1), nothing empty to reduce."""
    data = t._data
    if data.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if not data.size:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        return type(t)._make(np.asarray(pick(data), dtype=np.int64))
    d = t._wrap_dim(dim)
    if not data.ndim:
        return type(t)._make(np.zeros((), dtype=np.int64))
    if not data.shape[d]:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return type(t)._make(np.asarray(pick(data, axis=d, keepdims=keepdim), dtype=np.int64))


class TensorMath:
    """Mixed into Tensor: arithmetic, math functions, reductions, shapes, indexing."""

    __slots__ = ()

    # ------------------------------------------------------------ operators
    __add__ = __radd__ = _operator(P.ADD)
    __sub__ = _operator(P.SUB)
    __mul__ = __rmul__ = _operator(P.MUL)
    __truediv__ = _operator(P.DIV)
    __floordiv__ = _operator(P.FLOOR_DIVIDE)

    def __rsub__(self, other):
        if not isinstance(other, _SCALARS):
            return NotImplemented
        return apply_op(P.RSUB, (self,), (other, 1))

    def __rtruediv__(self, other):
        if not isinstance(other, _SCALARS):
            return NotImplemented
        return M.reciprocal(self) * other

    def __rfloordiv__(self, other):
        if not isinstance(other, _SCALARS):
            return NotImplemented
        return M.floor_divide(other, self)

    def __mod__(self, other):
        if isinstance(other, np.ndarray):
            other = _wrap(other)
        elif not isinstance(other, (*_SCALARS, Tensor)):
            return NotImplemented
        return M.remainder(self, other)

    def __rmod__(self, other):
        if not isinstance(other, _SCALARS):
            return NotImplemented
        return M.remainder(other, self)

    def __pow__(self, exponent):
        if not isinstance(exponent, (*_SCALARS, Tensor)):
            return NotImplemented
        return M.pow(self, exponent)

    def __rpow__(self, base):
        if not isinstance(base, _SCALARS):
            return NotImplemented
        return M.pow(base, self)

    def __neg__(self):
        return apply_op(P.NEG, (self,))

    def __pos__(self):
        return self

    def __abs__(self):
        return M.abs(self)

    def __matmul__(self, other):
        if type(other) is type(self):
            a, b = self._data, other._data
            if (a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]
                    and a.dtype == b.dtype):  # the common case, checked: straight to mm
                return apply_binary(LA.L.MM, self, other)
        elif not isinstance(other, Tensor):
            return NotImplemented
        return LA.matmul(self, other)

    def __rmatmul__(self, other):
        if isinstance(other, np.ndarray):
            return LA.matmul(_wrap(other), self)
        return NotImplemented

    __eq__ = _compare(np.equal)
    __ne__ = _compare(np.not_equal)
    __lt__ = _compare(np.less)
    __le__ = _compare(np.less_equal)
    __gt__ = _compare(np.greater)
    __ge__ = _compare(np.greater_equal)
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    __and__ = __rand__ = _logical(np.bitwise_and, "bitwise_and")
    __or__ = __ror__ = _logical(np.bitwise_or, "bitwise_or")
    __xor__ = __rxor__ = _logical(np.bitwise_xor, "bitwise_xor")

    def __invert__(self):
        if self._data.dtype.kind == "f":
            raise TypeError(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
            )
        return type(self)._make(np.invert(self._data))

    def logical_not(self):
        return type(self)._make(np.logical_not(self._data))

    # ------------------------------------------------------------ methods
    def add(self, other, *, alpha=1):
        return M.add(self, _other(other, "add"), alpha=_alpha(self, alpha, "add"))

    def sub(self, other, *, alpha=1):
        return M.sub(self, _other(other, "sub"), alpha=_alpha(self, alpha, "sub"))

    def mul(self, other):
        return M.mul(self, _other(other, "mul"))

    def div(self, other, *, rounding_mode=M._UNSET):
        return M.div(self, _other(other, "div"), rounding_mode=rounding_mode)

    def pow(self, exponent):
        return M.pow(self, _number_or_tensor(exponent, "pow", "exponent"))

    def floor_divide(self, other):
        return M.floor_divide(self, _number_or_tensor(other, "floor_divide", "other"))

    def remainder(self, other):
        return M.remainder(self, _number_or_tensor(other, "remainder", "other"))

    subtract, multiply, divide, true_divide = M.sub, M.mul, M.div, M.div
    neg, negative, reciprocal = M.neg, M.neg, M.reciprocal
    exp, log, sqrt, abs, sin, cos = M.exp, M.log, M.sqrt, M.abs, M.sin, M.cos
    tanh, sigmoid, relu, sgn, sign = M.tanh, M.sigmoid, M.relu, M.sgn, M.sign
    log1p, expm1, rsqrt, tan, sinh, cosh = M.log1p, M.expm1, M.rsqrt, M.tan, M.sinh, M.cosh
    atan, asin, acos, floor, ceil = M.atan, M.asin, M.acos, M.floor, M.ceil
    arctan, arcsin, arccos = M.atan, M.asin, M.acos
    round = M.round  # noqa: A003
    clamp = clip = M.clamp
    clamp_min, clamp_max = M.clamp_min, M.clamp_max
    maximum, minimum = M.maximum, M.minimum
    sum, mean, max, min = RD.sum, RD.mean, RD.max, RD.min
    var, std, norm = RD.var, RD.std, RD.norm

    def square(self):
        """``self ** 2`` (PowBackward0, as torch; a bool squares to int64)."""
        return M.pow(self, 2)

    def rsub(self, other, alpha=1):
        return M.rsub(self, other, alpha=alpha)

    def where(self, condition, other):
        return M.where(condition, self, other)

    def flip(self, *dims):
        return SH.flip(self, *dims)

    def cumsum(self, dim, dtype=None):
        return RD.cumsum(self, dim, dtype)

    def logsumexp(self, dim, keepdim=False):
        return RD.logsumexp(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return RD.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return RD.amin(self, dim, keepdim)

    def narrow(self, dim, start, length):
        return SH.narrow(self, dim, start, length)

    def masked_fill(self, mask, value):
        return masked_fill(self, mask, value)

    def softmax(self, dim):
        return softmax(self, dim)

    def log_softmax(self, dim):
        return log_softmax(self, dim)

    def argmax(self, dim=None, keepdim=False):
        return _arg_extreme(self, dim, keepdim, np.argmax, "argmax")

    def argmin(self, dim=None, keepdim=False):
        return _arg_extreme(self, dim, keepdim, np.argmin, "argmin")

    def all(self, dim=None, keepdim=False):
        return RD.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return RD.any(self, dim, keepdim)

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False):
        if self._data.dtype != other._data.dtype:
            raise RuntimeError(f"{_SCALAR[self._data.dtype.name]} did not match "
                               f"{_SCALAR[other._data.dtype.name]}")
        return bool(np.allclose(self._data, other._data, rtol, atol, equal_nan))

    def equal(self, other):
        return self._data.shape == other._data.shape and bool(np.all(self._data == other._data))

    # ------------------------------------------------------------ shapes
    view, reshape, flatten = SH.view, SH.reshape, SH.flatten
    t, permute, transpose = SH.t_, SH.permute, SH.transpose
    squeeze, unsqueeze, expand = SH.squeeze, SH.unsqueeze, SH.expand
    clone, contiguous = SH.clone, SH.contiguous
    __getitem__, __setitem__ = IX.getitem, IX.setitem
    select = IX.select
    matmul, mm, mv, dot, bmm, outer = LA.matmul, LA.mm, LA.mv, LA.dot, LA.bmm, LA.outer
    swapaxes = transpose

    @property
    def T(self):  # noqa: N802 - torch's name
        ndim = self._data.ndim
        if ndim != 2:
            import warnings

            warnings.warn(_T_WARNING[ndim == 0], UserWarning, stacklevel=2)
        return SH.permute(self, *reversed(range(ndim)))

    @property
    def mT(self):  # noqa: N802
        if self._data.ndim == 0:
            import warnings

            warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity "
                          "in these cases.", UserWarning, stacklevel=2)
            return self
        if self._data.ndim < 2:
            raise RuntimeError(
                f"tensor.mT is only supported on matrices or batches of matrices. Got "
                f"{self._data.ndim}-D tensor."
            )
        return SH.transpose(self, -2, -1)

    def expand_as(self, other):
        return SH.expand(self, *other._data.shape)

    def view_as(self, other):
        return SH.view(self, *other._data.shape)

    def reshape_as(self, other):
        return SH.reshape(self, *other._data.shape)
