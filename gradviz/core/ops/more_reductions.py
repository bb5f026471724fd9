"""flip, cumsum, logsumexp, amax and amin: rows with torch's formulas and grad_fn names."""

from __future__ import annotations

import numpy as np

from gradviz.core.ops.table import row


def _cumsum(x, dim):
    return np.cumsum(x, axis=dim, dtype=np.int64 if x.dtype.kind in "biu" else None)


def _logsumexp(x, dims, keepdim):
    top = np.max(x, axis=dims, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    out = np.log(np.sum(np.exp(x - top), axis=dims, keepdims=True)) + top
    return out if keepdim else np.squeeze(out, axis=dims)


FLIP = row("flip", "FlipBackward0", ("self",), lambda x, dims: np.flip(x, dims).copy(),
           attrs=("dims",), self="flip(grad, dims)", readable={"self": "grad flipped back"})
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
