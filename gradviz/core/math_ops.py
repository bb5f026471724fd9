"""Element-wise and reduction functions (``gradviz.add``, ``gradviz.exp``, ``Tensor.sum``...)
and the in-place machinery: each is a thin call into a row of the op table."""

from __future__ import annotations

import builtins
import numbers
import warnings

import numpy as np

from gradviz.core import record
from gradviz.core.grad_mode import state as grad_state
from gradviz.core.ops import pointwise as P
from gradviz.core.ops import reduction as R
from gradviz.core.record import apply_op, apply_unary
from gradviz.events import dispatcher

_SCALARS = (int, float, bool, np.number, np.bool_)


def _T():
    return record.Tensor


def operand(x, func, arg="other", position=2):
    """A Tensor or Python scalar argument, or torch's TypeError."""
    if x.__class__ is record.Tensor or isinstance(x, (*_SCALARS, record.Tensor)):
        return x
    if isinstance(x, np.ndarray):
        return record.Tensor._make(x)
    raise TypeError(
        f"{func}(): argument '{arg}' (position {position}) must be Tensor, "
        f"not {type(x).__name__}"
    )


def tensor_arg(x, func, arg="input", position=1):
    if not isinstance(x, record.Tensor):
        raise TypeError(
            f"{func}(): argument '{arg}' (position {position}) must be Tensor, "
            f"not {type(x).__name__}"
        )
    return x


def broadcast_check(a, b):
    """torch's message for shapes that do not broadcast, naming both sizes."""
    sa = a._data.shape if isinstance(a, record.Tensor) else ()
    sb = b._data.shape if isinstance(b, record.Tensor) else ()
    for i in range(1, builtins.min(len(sa), len(sb)) + 1):  # min/max are torch's here
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {builtins.max(len(sa), len(sb)) - i}"
            )


def binary(op, a, b, attrs=()):
    try:
        return apply_op(op, (a, b), attrs)
    except ValueError:
        broadcast_check(a, b)
        raise


# ---------------------------------------------------------------- arithmetic
def add(input, other, *, alpha=1):
    """``input + alpha * other`` with broadcasting; grad_fn ``AddBackward0``."""
    tensor_arg(input, "add")
    return binary(P.ADD, input, operand(other, "add"), (alpha,))


def sub(input, other, *, alpha=1):
    tensor_arg(input, "sub")
    return binary(P.SUB, input, operand(other, "sub"), (alpha,))


subtract = sub


def rsub(input, other, *, alpha=1):
    return apply_op(P.RSUB, (input,), (other, alpha))


def mul(input, other):
    """Element-wise product; grad_fn ``MulBackward0``."""
    tensor_arg(input, "mul")
    return binary(P.MUL, input, operand(other, "mul"))


multiply = mul


def div(input, other):
    tensor_arg(input, "div")
    return binary(P.DIV, input, operand(other, "div"))


divide = true_divide = div


def pow(input, exponent):  # noqa: A001 - torch's name
    """``input ** exponent``: PowBackward0 (scalar exponent), 1 (tensor), 2 (scalar base)."""
    if not isinstance(input, record.Tensor):
        return apply_op(P.RPOW, (tensor_arg(exponent, "pow", "exponent", 2),), (input,))
    if isinstance(exponent, record.Tensor):
        return binary(P.POW_TENSOR, input, exponent)
    operand(exponent, "pow", "exponent")
    return apply_op(P.POW, (input,), (exponent,))


def neg(input):
    return apply_op(P.NEG, (tensor_arg(input, "neg"),))


negative = neg


def reciprocal(input):
    return apply_op(P.RECIPROCAL, (tensor_arg(input, "reciprocal"),))


def _unary(op, fname):
    def f(input):
        if input.__class__ is not record.Tensor:
            tensor_arg(input, fname)
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


def clamp(input, min=None, max=None):  # noqa: A002
    tensor_arg(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, record.Tensor) or isinstance(max, record.Tensor):
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


def where(condition, input, other):
    """Pick ``input`` where ``condition`` holds, else ``other``; grad_fn ``WhereBackward0``."""
    T = record.Tensor
    cond = condition if isinstance(condition, T) else T._make(np.asarray(condition))
    if cond._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_torch_type(cond._data.dtype)}")
    a = operand(input, "where", "input", 2)
    b = operand(other, "where", "other", 3)
    try:
        return apply_op(P.WHERE, (a, b), (cond._data,))
    except ValueError:  # torch broadcasts condition, input, other in that order
        so_far = cond
        for x in (a, b):
            broadcast_check(so_far, x)
            if isinstance(x, T):
                shape = np.broadcast_shapes(so_far._data.shape, x._data.shape)
                so_far = T._make(np.broadcast_to(np.zeros((), bool), shape))
        raise


# ---------------------------------------------------------------- reductions
def _dim_arg(input, dim):
    if isinstance(dim, list | tuple):
        return tuple(input._wrap_dim(d) for d in dim)
    return input._wrap_dim(dim)


def sum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A001
    """Sum of all elements (SumBackward0) or along ``dim`` (SumBackward1)."""
    tensor_arg(input, "sum")
    if dim is not None and not isinstance(dim, int | np.integer | list | tuple):
        raise TypeError(
            f"sum() received an invalid combination of arguments - got ({type(dim).__name__}), "
            "but expected one of:\n * (*, gradviz.dtype dtype = None)\n * (tuple of ints dim, "
            "bool keepdim = False, *, gradviz.dtype dtype = None)\n"
        )
    sizes = input._data.shape
    npdt = None if dtype is None else dtype.np
    if dim is None and not keepdim:
        if npdt is not None:
            return apply_op(R.SUM_DIM, (input,), (sizes, None, False, npdt))
        return apply_unary(R.SUM, input, (sizes,))
    d = _dim_arg(input, dim) if dim is not None else None
    return apply_op(R.SUM_DIM, (input,), (sizes, d, keepdim, npdt))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    tensor_arg(input, "mean")
    if dtype is not None:
        if not dtype.is_floating_point:
            raise RuntimeError(
                "mean(): could not infer output dtype. Optional dtype must be either a floating "
                f"point or complex dtype. Got: {_torch_type(dtype.np)}"
            )
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_legacy_scalar(input)}"
        )
    sizes = input._data.shape
    if dim is None and not keepdim:
        return apply_unary(R.MEAN, input, (sizes,))
    d = _dim_arg(input, dim) if dim is not None else None
    return apply_op(R.MEAN_DIM, (input,), (sizes, d, keepdim))


def _legacy_scalar(t):
    return {"int64": "Long", "int32": "Int", "bool": "Bool", "int16": "Short",
            "int8": "Char", "uint8": "Byte"}.get(t._data.dtype.name, t._data.dtype.name)


def _minmax(input, dim, keepdim, which):
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                f"{which}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return apply_op(R.MAX if which == "max" else R.MIN, (input,))
    if isinstance(dim, record.Tensor):
        return maximum(input, dim) if which == "max" else minimum(input, dim)
    d = input._wrap_dim(dim)
    arg = np.argmax if which == "max" else np.argmin
    indices = arg(input._data, axis=d, keepdims=keepdim) if input._data.ndim else np.asarray(0)
    op = R.MAX_DIM if which == "max" else R.MIN_DIM
    values = apply_op(op, (input,), (input._data.shape, d, indices, keepdim))
    from gradviz.core.return_types import minmax_result

    return minmax_result(which, values, record.Tensor._make(np.asarray(indices, np.int64)))


def max(input, dim=None, keepdim=False):  # noqa: A001
    """Largest element (MaxBackward1), or ``(values, indices)`` along ``dim`` (MaxBackward0)."""
    return _minmax(input, dim, keepdim, "max")


def min(input, dim=None, keepdim=False):  # noqa: A001
    return _minmax(input, dim, keepdim, "min")


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased in (None, True) else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    d = _dim_arg(input, dim) if dim is not None else None
    c = _correction(unbiased, correction)
    _dof_warning(input, d, c, "var")
    return apply_op(R.VAR, (input,), (d, c, keepdim))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    d = _dim_arg(input, dim) if dim is not None else None
    c = _correction(unbiased, correction)
    _dof_warning(input, d, c, "std")
    return apply_op(R.STD, (input,), (d, c, keepdim))


def _dof_warning(input, d, correction, func):
    shape = input._data.shape
    dims = range(len(shape)) if d is None else (d if isinstance(d, tuple) else (d,))
    if int(np.prod([shape[i] for i in dims])) - correction <= 0:
        warnings.warn(f"{func}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)


def norm(input, p="fro", dim=None, keepdim=False):
    """Vector 2-norm (``p=2``/``'fro'``) or 1-norm; grad_fn ``LinalgVectorNormBackward0``."""
    ord = 2 if p in ("fro", 2, 2.0, None) else p
    if ord not in (1, 2):
        raise NotImplementedError(f"gradviz implements norm for p=1 and p=2, not p={p!r}")
    d = _dim_arg(input, dim) if dim is not None else None
    return apply_op(R.NORM, (input,), (ord, d, keepdim))


# ---------------------------------------------------------------- in place
def check_inplace(t):
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


def inplace(t, op, others=(), attrs=()):
    """Run ``op`` on ``t`` and write the result into ``t``: its data, version and grad_fn."""
    check_inplace(t)
    T = record.Tensor
    if grad_state.enabled and t._base is not None and (t._base._requires_grad or any(
            isinstance(o, T) and o._requires_grad for o in others)):
        raise RuntimeError(
            "gradviz cannot record an in-place operation on a view of a tensor that is part of "
            "the graph (torch rewrites the base's grad_fn as CopySlices). Index the base "
            "instead (x[i] = value) or use the out-of-place op."
        )
    if grad_state.enabled and (t._requires_grad or any(
            isinstance(o, T) and o._requires_grad for o in others)):
        shadow = T._make(t._data.copy())
        shadow._grad_fn, shadow._requires_grad = t._grad_fn, t._requires_grad
        shadow._acc = t._acc
        out = apply_op(op, (shadow, *others), attrs)
    else:
        ufunc = _INPLACE_UFUNCS.get(op)
        if ufunc is not None and (not attrs or attrs == (1,)) and t._data.dtype.kind == "f":
            other = others[0]
            try:
                ufunc(t._data, other._data if isinstance(other, T) else other, out=t._data,
                      casting="same_kind")  # no graph to record: write in place directly
            except ValueError:
                _broadcast_into_error(t, others, None)
                raise
            t._version_box()[0] += 1
            if dispatcher.active:
                from gradviz.core import emit

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
        t._grad_fn = node
        t._requires_grad = True
        if node.op.saved and node.op.saved[0] == "result":
            node._saved = ((t._data, box, box[0]), *node._saved[1:])
    if dispatcher.active:
        from gradviz.core import emit

        emit.inplace_changed(t, node)
    return t


_INPLACE_UFUNCS = {P.ADD: np.add, P.SUB: np.subtract, P.MUL: np.multiply, P.DIV: np.true_divide}


def _broadcast_into_error(t, others, data):
    """torch's messages for an in-place op whose operands do not fit ``t``."""
    for o in others:
        if isinstance(o, record.Tensor):
            broadcast_check(t, o)
    shape = data.shape if data is not None else np.broadcast_shapes(
        t._data.shape, *(o._data.shape for o in others if isinstance(o, record.Tensor)))
    raise RuntimeError(
        f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
        f"{list(shape)}"
    )


def _torch_type(npdt):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool", "float16": "Half"}.get(npdt.name, npdt.name)


class _no_record:  # noqa: N801
    def __enter__(self):
        self.prev = grad_state.enabled
        grad_state.enabled = False

    def __exit__(self, *exc):
        grad_state.enabled = self.prev


def is_scalar(x):
    return isinstance(x, numbers.Number)
