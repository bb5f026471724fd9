"""Reductions (``gradviz.sum``, ``Tensor.mean``, ``max``/``min`` with indices, ``var``,
``std``, ``norm``): each is a thin call into a row of the op table.

    >>> x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.sum(dim=0)
    tensor([4., 6.], grad_fn=<SumBackward1>)
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from gradviz.core.autograd.record import apply_op, apply_unary
from gradviz.core.functions.pointwise import maximum, minimum
from gradviz.core.functions.shape import _dim_list
from gradviz.core.optable import reductions as R
from gradviz.core.tensors.checks import _torch_type, tensor_arg
from gradviz.core.tensors.return_types import minmax_result
from gradviz.core.tensors.tensor import Tensor


def _dim_arg(input, dim):
    """``dim`` wrapped and checked as torch does; a 0-d tensor's dim 0 (or -1) reduces no
    axis (``()``), where NumPy would say axis 0 is out of bounds."""
    if isinstance(dim, list | tuple):
        d = _dim_list(input, dim, "sum") if dim else ()
    else:
        d = input._wrap_dim(dim)
    return () if input._data.ndim == 0 else d


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
        if npdt is not None:  # (torch's SumBackward0 too; the engine casts the gradient back)
            return apply_op(R.SUM_DTYPE, (input,), (sizes, npdt))
        return apply_unary(R.SUM, input, (sizes,))
    d = _dim_arg(input, dim) if dim is not None else None
    return apply_op(R.SUM_DIM, (input,), (sizes, d, keepdim, npdt))


def _logical(input, dim, keepdim, reduce, name):
    """``all``/``any``: bool results (uint8 ones for uint8 input, as torch), over every
    element or along ``dim`` (an int or a tuple of ints), nothing recorded."""
    tensor_arg(input, name)
    data = input._data
    kind = np.uint8 if data.dtype == np.uint8 else np.bool_
    if dim is None:
        axis = tuple(range(data.ndim)) if keepdim else None
    elif isinstance(dim, list | tuple):
        axis = _dim_list(input, dim, name) if dim else tuple(range(data.ndim))
    else:
        axis = input._wrap_dim(dim)
    if data.ndim == 0:
        axis = None
    return Tensor._make(np.asarray(reduce(data, axis=axis, keepdims=keepdim), dtype=kind))


def all(input, dim=None, keepdim=False):  # noqa: A001
    """Whether every element (along ``dim``) is nonzero."""
    return _logical(input, dim, keepdim, np.all, "all")


def any(input, dim=None, keepdim=False):  # noqa: A001
    """Whether some element (along ``dim``) is nonzero."""
    return _logical(input, dim, keepdim, np.any, "any")


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


def nonempty_dim(input, d, name, shown=None):
    """torch's zero_numel_check_dims: a reduction along ``d`` needs something there
    (``shown``: the dim as the message names it, when torch names the one given)."""
    if input._data.ndim and not input._data.shape[d]:
        raise IndexError(f"{name}(): Expected reduction dim {d if shown is None else shown} to "
                         "have non-zero size.")


def _minmax(input, dim, keepdim, which):
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                f"{which}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return apply_op(R.MAX if which == "max" else R.MIN, (input,))
    if isinstance(dim, Tensor):
        return maximum(input, dim) if which == "max" else minimum(input, dim)
    d = input._wrap_dim(dim)
    nonempty_dim(input, d, which)
    arg = np.argmax if which == "max" else np.argmin
    indices = arg(input._data, axis=d, keepdims=keepdim) if input._data.ndim else np.asarray(0)
    op = R.MAX_DIM if which == "max" else R.MIN_DIM
    values = apply_op(op, (input,), (input._data.shape, d, indices, keepdim))

    return minmax_result(which, values, Tensor._make(np.asarray(indices, np.int64)))


def max(input, dim=None, keepdim=False):  # noqa: A001
    """Largest element (MaxBackward1), or ``(values, indices)`` along ``dim`` (MaxBackward0)."""
    return _minmax(input, dim, keepdim, "max")


def min(input, dim=None, keepdim=False):  # noqa: A001
    return _minmax(input, dim, keepdim, "min")


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased in (None, True) else 0


def _floating_only(input):
    tensor_arg(input, "var")
    if input._data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _floating_only(input)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    d = _dim_arg(input, dim) if dim is not None else None
    c = _correction(unbiased, correction)
    _dof_warning(input, d, c, "var")
    return apply_op(R.VAR, (input,), (d, c, keepdim))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    _floating_only(input)
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
    """The vector ``p``-norm of ``input`` (all of it, or along ``dim``), as
    ``torch.linalg.vector_norm``: ``sum(|x| ** p) ** (1 / p)``, the largest / smallest ``|x|``
    for ``p`` = inf / -inf and the number of nonzeros for ``p`` = 0 (which has no gradient);
    ``'fro'`` (the default) is 2. grad_fn ``LinalgVectorNormBackward0``.

        >>> torch.tensor([3.0, -4.0], requires_grad=True).norm(float("inf"))
        tensor(4., grad_fn=<LinalgVectorNormBackward0>)
    """
    if isinstance(p, str):
        ord = _matrix_order(p, dim)
    elif p is None:
        ord = 2.0
    elif isinstance(p, numbers.Number):
        ord = p
    else:
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {type(p).__name__}")
    if input._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_legacy_scalar(input)}")
    d = _dim_arg(input, dim) if dim is not None else None
    if ord < 0 or ord == np.inf:  # max, min and negative orders: no value for no elements
        _check_not_empty(input, ord, d)
    return apply_op(R.NORM, (input,), (ord, d, keepdim))


def _matrix_order(p, dim):
    """torch.norm's string orders: 'fro' over at most two dims is the vector 2-norm."""
    if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
        return 2
    if p == "nuc":
        raise NotImplementedError("gradviz does not implement the nuclear norm (p='nuc')")
    if p == "fro":
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                           + " ".join(str(x) for x in dim))
    raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")


def _check_not_empty(input, ord, d):
    shape = input._data.shape
    if d is None:
        if input._data.size == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on an empty "
                               "tensor because the operation does not have an identity")
        return
    for i in d if isinstance(d, tuple) else (d,):
        if shape and shape[i] == 0:  # (torch's message lacks the space after the dim)
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord:g} norm on the "
                               f"dimension {i}because this dimension is empty and the operation "
                               "does not have an identity")


def cumsum(input, dim, dtype=None):
    """Running sums along ``dim`` (integers and bools sum as int64)."""
    tensor_arg(input, "cumsum")
    if dtype is not None:
        input = input.to(dtype)
    return apply_op(R.CUMSUM, (input,), (_dim_arg(input, dim),))


def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input)))`` along ``dim``, computed without overflow."""
    tensor_arg(input, "logsumexp")
    dims = _dim_list(input, dim, "logsumexp")
    return apply_op(R.LOGSUMEXP, (input,), (() if input._data.ndim == 0 else dims, keepdim))


def _extreme(op, name, input, dim, keepdim):
    tensor_arg(input, name)
    dims = _dim_list(input, dim, name) if dim != () else tuple(range(input._data.ndim))
    if not input._data.size:
        given = (dim,) if isinstance(dim, int | np.integer) else tuple(dim)
        if not given:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        for shown in given:  # (torch names each dim as given)
            nonempty_dim(input, input._wrap_dim(shown), name, shown)
    return apply_op(op, (input,), (() if input._data.ndim == 0 else dims, keepdim))


def amax(input, dim=(), keepdim=False):
    """The maximum along ``dim`` (all dims by default); ties share the gradient."""
    return _extreme(R.AMAX, "amax", input, dim, keepdim)


def amin(input, dim=(), keepdim=False):
    """The minimum along ``dim`` (all dims by default); ties share the gradient."""
    return _extreme(R.AMIN, "amin", input, dim, keepdim)
