"""Element-wise functions (``gradviz.add``, ``gradviz.exp``, ``Tensor.clamp``...): each is
a thin call into a row of the op table.

The reductions live in ``reduction_ops``; the in-place machinery (``inplace_ops``) and
the argument checks (``op_args``) are importable from here too.
"""

from __future__ import annotations

import numbers

import numpy as np

from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.inplace import check_inplace, inplace  # noqa: F401
from gradviz.core.autograd.record import apply_binary, apply_op, apply_unary, zero_dim_dtype
from gradviz.core.optable import derivative_ops as B
from gradviz.core.optable import pointwise as P
from gradviz.core.tensors.checks import (  # noqa: F401
    _torch_type,
    broadcast_check,
    invalid_arguments,
    operand,
    tensor_arg,
)
from gradviz.core.tensors.devices import into_out
from gradviz.core.tensors.factories import get_default_dtype
from gradviz.core.tensors.tensor import Tensor


def with_out(result, out, func, inputs):
    """An op's ``out=``: ``result`` written into ``out`` (torch refuses it when an input
    requires grad while grad mode is on)."""
    if out is None:
        return result
    if grad_state.enabled and any(isinstance(x, Tensor) and x._requires_grad for x in inputs):
        raise RuntimeError(f"{func}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    return into_out(out, result._data, func)


# ---------------------------------------------------------------- arithmetic
def _number_first(input, other, func):
    """A Python number first and a Tensor second (``torch.add(2, x)``) as torch takes it: the
    number becomes a 0-d tensor (a float one in ``other``'s float dtype or the default), so
    the graph has its two edges, the number's None."""
    if isinstance(other, Tensor) and type(input) in (int, float, bool):
        if type(input) is float:
            kind = other._data.dtype if other._data.dtype.kind == "f" else get_default_dtype().np
        else:
            kind = np.bool_ if type(input) is bool else np.int64
        return Tensor._make(np.asarray(input, dtype=kind))
    return tensor_arg(input, func)


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting; grad_fn ``AddBackward0``."""
    input = _number_first(input, other, "add")
    result = binary(P.ADD, input, operand(other, "add"), (alpha,))
    return result if out is None else with_out(result, out, "add", (input, other))


def sub(input, other, *, alpha=1, out=None):
    input = _number_first(input, other, "sub")
    result = binary(P.SUB, input, operand(other, "sub"), (alpha,))
    return result if out is None else with_out(result, out, "sub", (input, other))


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``: ``RsubBackward0`` with a tensor ``other`` (both get a
    gradient, dtypes promote), ``RsubBackward1`` with a number."""
    tensor_arg(input, "rsub")
    if isinstance(other, Tensor):
        return binary(P.RSUB_TENSOR, input, other, (alpha,))
    return apply_op(P.RSUB, (input,), (operand(other, "rsub"), alpha))


def mul(input, other, *, out=None):
    """Element-wise product; grad_fn ``MulBackward0``."""
    input = _number_first(input, other, "mul")
    result = binary(P.MUL, input, operand(other, "mul"))
    return result if out is None else with_out(result, out, "mul", (input, other))


multiply = mul


_UNSET = object()


def div(input, other, *, rounding_mode=_UNSET, out=None):
    """``input / other``: DivBackward0; with ``rounding_mode`` (None, 'trunc' or 'floor')
    torch's DivBackward2, whose rounded quotient has a zero gradient."""
    input = _number_first(input, other, "div")
    if rounding_mode is _UNSET:
        result = binary(P.DIV, input, operand(other, "div"))
    else:
        if rounding_mode not in (None, "trunc", "floor"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                               f"'floor' but found '{rounding_mode}'")
        result = binary(P.DIV_MODE, input, operand(other, "div"), (rounding_mode,))
    return result if out is None else with_out(result, out, "div", (input, other))


divide = true_divide = div


def square(input):
    """``input ** 2`` (PowBackward0, as torch; a bool squares to int64)."""
    return pow(tensor_arg(input, "square"), 2)


def pow(input, exponent):  # noqa: A001 - torch's name
    """``input ** exponent``: PowBackward0 (scalar exponent), 1 (tensor), 2 (scalar base)."""
    if type(input) is Tensor and type(exponent) in (int, float):
        return apply_unary(P.POW, input, (exponent,))  # the usual case: x ** 2
    if not isinstance(input, Tensor):
        return apply_op(P.RPOW, (tensor_arg(exponent, "pow", "exponent", 2),), (input,))
    if isinstance(exponent, Tensor):
        return binary(P.POW_TENSOR, input, exponent)
    operand(exponent, "pow", "exponent")
    return apply_op(P.POW, (input,), (exponent,))


_FLOOR_DIVIDE_SIGNATURES = ("(Tensor input, Tensor other, *, Tensor out = None)",
                            "(Tensor input, Number other)")
_REMAINDER_SIGNATURES = ("(Tensor input, Tensor other, *, Tensor out = None)",
                         "(Number self, Tensor other)",
                         "(Tensor input, Number other, *, Tensor out = None)")


def _number_or_tensor(x):
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    return x if isinstance(x, numbers.Number | Tensor) else None


def _binary_promoted(op, a, b):
    """``binary`` with the operators' promotion (a 0-dim tensor does not raise the dtype)."""
    if not isinstance(a, Tensor):
        return binary(op, a, b)
    try:
        return apply_binary(op, a, b)
    except ValueError:
        broadcast_check(a, b)
        raise


def floor_divide(input, other):
    """``input // other``, rounded down. torch cannot differentiate it: the result's grad_fn
    is ``NotImplemented`` and backward through it fails.

        >>> x = torch.tensor([7.0, -7.0], requires_grad=True)
        >>> x // 2
        tensor([ 3., -4.], grad_fn=<NotImplemented>)
    """
    a, b = _number_or_tensor(input), _number_or_tensor(other)
    if a is None or b is None:
        raise invalid_arguments("floor_divide", (input, other), _FLOOR_DIVIDE_SIGNATURES, 1,
                                ("Tensor", "Number"))
    return _binary_promoted(P.FLOOR_DIVIDE, a, b)


def remainder(input, other):
    """Python's ``%``: the result has the divisor's sign. grad_fn ``RemainderBackward0`` for
    a number divisor, ``RemainderBackward1`` for a tensor one (``other``'s gradient is
    ``-grad * (input // other)``); a number divided by a tensor is ``NotImplemented``.

        >>> x = torch.tensor([7.0, -7.0], requires_grad=True)
        >>> x % 3
        tensor([1., 2.], grad_fn=<RemainderBackward0>)
    """
    a, b = _number_or_tensor(input), _number_or_tensor(other)
    if a is None or b is None or not (isinstance(a, Tensor)
                                      or isinstance(b, Tensor)):
        raise invalid_arguments("remainder", (input, other), _REMAINDER_SIGNATURES, 1,
                                ("Number", "Tensor"))
    if not isinstance(a, Tensor):
        return binary(P.RREMAINDER, a, b)
    if isinstance(b, Tensor):
        return _binary_promoted(P.REMAINDER_TENSOR, a, b)
    return apply_op(P.REMAINDER, (a,), (b,))


def neg(input):
    return apply_op(P.NEG, (tensor_arg(input, "neg"),))


negative = neg


def reciprocal(input):
    return apply_op(P.RECIPROCAL, (tensor_arg(input, "reciprocal"),))


def _unary(op, fname):
    def f(input):
        if type(input) is not Tensor:
            tensor_arg(input, fname)
        if input._data.dtype == np.bool_ and op not in _KEEP_BOOL:
            input = input.to(get_default_dtype())  # NumPy would compute bools in float16
        return apply_unary(op, input)

    f.__name__ = fname
    f.__doc__ = f"Element-wise {fname}; grad_fn ``{op.grad_fn}``."
    return f


exp = _unary(P.EXP, "exp")
log = _unary(P.LOG, "log")
sqrt = _unary(P.SQRT, "sqrt")
abs = _unary(P.ABS, "abs")  # noqa: A001
sin = _unary(P.SIN, "sin")
cos = _unary(P.COS, "cos")
tanh = _unary(P.TANH, "tanh")
sigmoid = _unary(P.SIGMOID, "sigmoid")
relu = _unary(P.RELU, "relu")
_KEEP_BOOL = frozenset((B.SGN, B.SIGN, P.FLOOR, P.CEIL, P.ROUND, P.ABS, P.RELU))
sgn = _unary(B.SGN, "sgn")
sign = _unary(B.SIGN, "sign")
log1p = _unary(P.LOG1P, "log1p")
expm1 = _unary(P.EXPM1, "expm1")
rsqrt = _unary(P.RSQRT, "rsqrt")
tan = _unary(P.TAN, "tan")
sinh = _unary(P.SINH, "sinh")
cosh = _unary(P.COSH, "cosh")
atan = arctan = _unary(P.ATAN, "atan")
asin = arcsin = _unary(P.ASIN, "asin")
acos = arccos = _unary(P.ACOS, "acos")
floor = _unary(P.FLOOR, "floor")
ceil = _unary(P.CEIL, "ceil")
_round = _unary(P.ROUND, "round")


def round(input, *, decimals=_UNSET):  # noqa: A001
    """Element-wise round half to even (RoundBackward0), or to ``decimals`` decimal places
    (RoundBackward1, which torch records whenever ``decimals`` is given, 0 included)."""
    if decimals is _UNSET:
        return _round(input)
    if type(input) is not Tensor:
        tensor_arg(input, "round")
    return apply_unary(P.ROUND_DECIMALS, input, (int(decimals),))


def clamp(input, min=None, max=None):  # noqa: A002
    tensor_arg(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return apply_op(P.CLAMP_TENSOR, (input, min, max))
    return apply_op(P.CLAMP, (input,), (min, max))


clip = clamp


def clamp_min(input, min):  # noqa: A002
    return clamp(input, min=min)


def clamp_max(input, max):  # noqa: A002
    return clamp(input, max=max)


def maximum(input, other):
    return binary(P.MAXIMUM, tensor_arg(input, "maximum"), tensor_arg(other, "maximum", "other", 2))


def minimum(input, other):
    return binary(P.MINIMUM, tensor_arg(input, "minimum"), tensor_arg(other, "minimum", "other", 2))


_NOTHING = object()


def where(condition, input=_NOTHING, other=_NOTHING):
    """Pick ``input`` where ``condition`` holds, else ``other``; grad_fn ``WhereBackward0``.
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as torch."""
    T = Tensor
    if input is _NOTHING and other is _NOTHING:
        from gradviz.core.functions.picking import nonzero

        return nonzero(condition, as_tuple=True)
    if input is _NOTHING or other is _NOTHING:
        raise TypeError("where() missing 1 required positional argument: "
                        f"'{'input' if input is _NOTHING else 'other'}'")
    cond = condition if isinstance(condition, T) else T._make(np.asarray(condition))
    if cond._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_torch_type(cond._data.dtype)}")
    a = operand(input, "where", "input", 2)
    b = operand(other, "where", "other", 3)
    try:
        data = None
        if isinstance(a, T) and isinstance(b, T):  # a 0-d side does not raise the dtype
            wanted = zero_dim_dtype(a, b)
            if wanted is not None:
                data = np.where(cond._data, a._data, b._data)
                if data.dtype.kind == wanted.kind:
                    data = data.astype(wanted)
                else:
                    data = None
        return apply_op(P.WHERE, (a, b), (cond._data,), data)
    except ValueError:  # torch broadcasts condition, input, other in that order
        so_far = cond
        for x in (a, b):
            broadcast_check(so_far, x)
            if isinstance(x, T):
                shape = np.broadcast_shapes(so_far._data.shape, x._data.shape)
                so_far = T._make(np.broadcast_to(np.zeros((), bool), shape))
        raise


def binary(op, a, b, attrs=()):
    """A binary op on a Tensor ``a`` and a Tensor or scalar ``b`` (torch's promotion)."""
    try:
        if isinstance(a, Tensor):
            return apply_binary(op, a, b, attrs)
        return apply_op(op, (a, b), attrs)
    except ValueError:
        broadcast_check(a, b)
        raise
