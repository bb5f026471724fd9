"""Reductions that give two results at once: ``var_mean``, ``std_mean`` and ``aminmax``.

torch records each pair as the two outputs of one node (VarMeanBackward0,
StdMeanBackward0, AminmaxBackward0); this engine's nodes have one output, so each result
here is its own node under torch's name. Values and gradients are torch's.

    >>> var, mean = torch.var_mean(torch.tensor([1.0, 2.0, 6.0], requires_grad=True))
    >>> var, mean
    (tensor(7., grad_fn=<VarMeanBackward0>), tensor(3., grad_fn=<VarMeanBackward0>))
"""

from __future__ import annotations

import warnings

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions.reductions import _correction, _dim_arg
from gradviz.core.optable import reductions as R
from gradviz.core.tensors import return_types
from gradviz.core.tensors.checks import tensor_arg

__all__ = ["aminmax", "std_mean", "var_mean"]


def _moments(name, spread, input, dim, unbiased, keepdim, correction):
    tensor_arg(input, name)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    d = _dim_arg(input, dim) if dim is not None else None
    c = _correction(unbiased, correction)
    shape = input._data.shape
    dims = range(len(shape)) if d is None else (d if isinstance(d, tuple) else (d,))
    if int(np.prod([shape[i] for i in dims])) - c <= 0:  # (reported at the user's call)
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    mean_row = R.VAR_MEAN_MEAN if spread is R.VAR_MEAN_VAR else R.STD_MEAN_MEAN
    return (apply_op(spread, (input,), (d, c, keepdim)),
            apply_op(mean_row, (input,), (input._data.shape, d, keepdim)))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` along ``dim`` (all dims by default), ``correction`` 1 unless told."""
    return _moments("var_mean", R.VAR_MEAN_VAR, input, dim, unbiased, keepdim, correction)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` along ``dim`` (all dims by default), ``correction`` 1 unless told."""
    return _moments("std_mean", R.STD_MEAN_STD, input, dim, unbiased, keepdim, correction)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` of ``input`` (along ``dim``); ties share the gradient, as amin/amax."""
    tensor_arg(input, "aminmax")
    shape = input._data.shape
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        dims = tuple(range(len(shape)))
    else:
        d = input._wrap_dim(dim)
        if shape and shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        dims = (d,) if shape else ()
    attrs = (dims, keepdim)
    return return_types.aminmax(apply_op(R.AMINMAX_MIN, (input,), attrs),
                                apply_op(R.AMINMAX_MAX, (input,), attrs))
