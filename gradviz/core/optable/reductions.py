"""Reductions: sum, mean, max/min (all and along a dim), var, std, norm, cumsum, logsumexp,
amax and amin."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.table import mark_exact, row


def _axis(dim):
    return tuple(dim) if isinstance(dim, list) else dim


def _integral(x, dtype):
    """The dtype a sum is taken in: torch's int64 for bool and integer tensors (NumPy's
    would be uint64 for unsigned ones)."""
    return np.int64 if dtype is None and x.dtype.kind in "biu" else dtype


def _sum(x, sizes, dim, keepdim, dtype):
    return np.sum(x, axis=_axis(dim), keepdims=keepdim, dtype=_integral(x, dtype))


def _sum_all(x, sizes):
    return np.add.reduce(x, axis=None, dtype=_integral(x, None))


def _mean(x, sizes, dim, keepdim):
    if x.size == 0:  # nan where nothing is averaged, without NumPy's "Mean of empty slice"
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.sum(x, axis=_axis(dim), keepdims=keepdim, dtype=x.dtype)
            return np.asarray(total / np.zeros((), x.dtype), dtype=x.dtype)
    return np.mean(x, axis=_axis(dim), keepdims=keepdim, dtype=x.dtype)


def _var(x, dim, correction, keepdim):
    n = x.size if dim is None else int(np.prod([x.shape[d] for d in np.atleast_1d(dim)]))
    if n - correction <= 0:  # as torch: the squares' sum / 0, inf (or nan for no spread)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.mean(x, axis=_axis(dim), keepdims=True) if n else x.sum(
                axis=_axis(dim), keepdims=True)
            squares = np.sum((x - mean) ** 2, axis=_axis(dim), keepdims=keepdim)
            return np.asarray(squares / np.zeros((), x.dtype), dtype=x.dtype)
    return np.var(x, axis=_axis(dim), ddof=correction, keepdims=keepdim).astype(x.dtype)


def _std(x, dim, correction, keepdim):
    return np.sqrt(_var(x, dim, correction, keepdim))


def _norm(x, ord, dim, keepdim):
    """torch.linalg.vector_norm: ``sum(|x| ** ord) ** (1 / ord)``, max/min of ``|x|`` for
    ``ord`` inf/-inf and the number of nonzeros for ``ord`` 0."""
    axis = _axis(dim)
    if ord == 2:
        out = np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdim))
    elif ord == 1:
        out = np.sum(np.abs(x), axis=axis, keepdims=keepdim)
    elif ord == np.inf:
        out = np.max(np.abs(x), axis=axis, keepdims=keepdim)
    elif ord == -np.inf:
        out = np.min(np.abs(x), axis=axis, keepdims=keepdim)
    elif ord == 0:
        out = np.sum(x != 0, axis=axis, keepdims=keepdim)
    else:
        out = np.sum(np.abs(x) ** ord, axis=axis, keepdims=keepdim) ** (1.0 / ord)
    return np.asarray(out).astype(x.dtype, copy=False)


SUM = row("sum", "SumBackward0", ("self",), _sum_all,
          attrs=("self_sym_sizes",),
          self="expand(grad, self_sym_sizes)",
          readable={"self": "grad expanded to self's shape"})
SUM_DIM = row("sum_dim", "SumBackward1", ("self",), _sum,
              attrs=("self_sym_sizes", "dim", "keepdim", "dtype"),
              self="sum_backward(grad, self_sym_sizes, dim, keepdim)",
              readable={"self": "grad expanded along dim to self's shape"})
def _mean_all(x, sizes):
    return np.asarray(np.add.reduce(x, axis=None) / x.size, dtype=x.dtype) if x.size else \
        np.asarray(np.nan, dtype=x.dtype)


MEAN = row("mean", "MeanBackward0", ("self",), _mean_all,
           attrs=("self_sym_sizes",),
           self="mean_backward(grad, self_sym_sizes, None, False)",
           readable={"self": "grad / numel, expanded to self's shape"})
MEAN_DIM = row("mean_dim", "MeanBackward1", ("self",), _mean,
               attrs=("self_sym_sizes", "dim", "keepdim"),
               self="mean_backward(grad, self_sym_sizes, dim, keepdim)",
               readable={"self": "grad / size of dim, expanded along dim"})
MAX = row("max", "MaxBackward1", ("self",), np.max, self="evenly_distribute(grad, self, result)",
          readable={"self": "grad shared among the elements equal to the max"})
MIN = row("min", "MinBackward1", ("self",), np.min, self="evenly_distribute(grad, self, result)",
          readable={"self": "grad shared among the elements equal to the min"})
def _select(x, sizes, dim, indices, keepdim):
    if x.ndim == 0:
        return x.copy()
    out = np.take_along_axis(x, indices if keepdim else np.expand_dims(indices, dim), dim)
    return out if keepdim else np.squeeze(out, dim)


MAX_DIM = row("max_dim", "MaxBackward0", ("self",), _select, frees=("indices",),
              attrs=("self_sym_sizes", "dim", "indices", "keepdim"),
              self="value_selecting(grad, dim, indices, self_sym_sizes, keepdim)")
MIN_DIM = row("min_dim", "MinBackward0", ("self",), _select, frees=("indices",),
              attrs=("self_sym_sizes", "dim", "indices", "keepdim"),
              self="value_selecting(grad, dim, indices, self_sym_sizes, keepdim)")
VAR = row("var", "VarBackward0", ("self",), _var, attrs=("dim", "correction", "keepdim"),
          self="var_backward(grad, self, dim, correction, keepdim)",
          readable={"self": "grad * 2 (self - mean) / (N - correction)"})
STD = row("std", "StdBackward0", ("self",), _std, attrs=("dim", "correction", "keepdim"),
          self="std_backward(grad, self, result, dim, correction, keepdim)",
          readable={"self": "grad * (self - mean) / ((N - correction) * result)"})
NORM = row("norm", "LinalgVectorNormBackward0", ("self",), _norm, attrs=("ord", "dim", "keepdim"),
           self="norm_backward(grad, self, result, ord, dim, keepdim)")

SUM_DTYPE = row("sum_dtype", "SumBackward0", ("self",),
                lambda x, sizes, dtype: np.sum(x, dtype=dtype), attrs=("self_sym_sizes", "dtype"),
                self="expand(grad, self_sym_sizes)",
                readable={"self": "grad expanded to self's shape"})
# torch's var_mean, std_mean and aminmax are one node with two outputs; this engine's nodes
# have one, so each output is its own row under torch's name (the gradients are torch's)
VAR_MEAN_VAR = row("var_mean_var", "VarMeanBackward0", ("self",), _var,
                   attrs=("dim", "correction", "keepdim"),
                   self="var_backward(grad, self, dim, correction, keepdim)",
                   readable={"self": "grad * 2 (self - mean) / (N - correction)"})
VAR_MEAN_MEAN = row("var_mean_mean", "VarMeanBackward0", ("self",), _mean,
                    attrs=("self_sym_sizes", "dim", "keepdim"),
                    self="mean_backward(grad, self_sym_sizes, dim, keepdim)",
                    readable={"self": "grad / N, expanded along dim"})
STD_MEAN_STD = row("std_mean_std", "StdMeanBackward0", ("self",), _std,
                   attrs=("dim", "correction", "keepdim"),
                   self="std_backward(grad, self, result, dim, correction, keepdim)",
                   readable={"self": "grad * (self - mean) / ((N - correction) * result)"})
STD_MEAN_MEAN = row("std_mean_mean", "StdMeanBackward0", ("self",), _mean,
                    attrs=("self_sym_sizes", "dim", "keepdim"),
                    self="mean_backward(grad, self_sym_sizes, dim, keepdim)",
                    readable={"self": "grad / N, expanded along dim"})
mark_exact(SUM)


def _cumsum(x, dim):
    if dim == ():  # a 0-d tensor's running sum is itself
        return x.astype(np.int64) if x.dtype.kind in "biu" else x.copy()
    return np.cumsum(x, axis=dim, dtype=np.int64 if x.dtype.kind in "biu" else None)


def _logsumexp(x, dims, keepdim):
    if x.size == 0:  # the log of an empty sum
        with np.errstate(divide="ignore"):
            return np.log(np.sum(np.exp(x), axis=dims, keepdims=keepdim))
    top = np.max(x, axis=dims, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    out = np.log(np.sum(np.exp(x - top), axis=dims, keepdims=True)) + top
    return out if keepdim else np.squeeze(out, axis=dims)


CUMSUM = row("cumsum", "CumsumBackward0", ("self",), _cumsum, attrs=("dim",),
             self="cumsum_backward(grad, dim)",
             readable={"self": "reversed cumulative sum of grad along dim"})
LOGSUMEXP = row("logsumexp", "LogsumexpBackward0", ("self",), _logsumexp,
                attrs=("dim", "keepdim"),
                self="logsumexp_backward(grad, self, result, dim, keepdim)",
                readable={"self": "grad * exp(self - result)"})
AMAX = row("amax", "AmaxBackward0", ("self",),
           lambda x, dims, keepdim: np.max(x, axis=dims, keepdims=keepdim),
           attrs=("dim", "keepdim"), self="amax_backward(grad, self, result, dim, keepdim)",
           readable={"self": "grad shared among the maxima along dim"})
AMIN = row("amin", "AminBackward0", ("self",),
           lambda x, dims, keepdim: np.min(x, axis=dims, keepdims=keepdim),
           attrs=("dim", "keepdim"), self="amax_backward(grad, self, result, dim, keepdim)",
           readable={"self": "grad shared among the minima along dim"})
AMINMAX_MIN = row("aminmax_min", "AminmaxBackward0", ("self",), AMIN.forward,
                  attrs=("dim", "keepdim"),
                  self="amax_backward(grad, self, result, dim, keepdim)",
                  readable={"self": "grad shared among the minima along dim"})
AMINMAX_MAX = row("aminmax_max", "AminmaxBackward0", ("self",), AMAX.forward,
                  attrs=("dim", "keepdim"),
                  self="amax_backward(grad, self, result, dim, keepdim)",
                  readable={"self": "grad shared among the maxima along dim"})
