"""Picking elements out: ``masked_select`` (MaskedSelectBackward0), ``take``
(TakeBackward0), ``nansum`` (NansumBackward0), ``rot90`` (Rot90Backward0), the running
``cummax``/``cummin`` (CummaxBackward0, CumminBackward0) and ``dist`` (DistBackward0)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.reductions import _norm
from gradviz.core.optable.table import row

__all__ = ["CUMMAX", "CUMMIN", "DIST", "MASKED_SELECT", "NANSUM", "ROT90", "TAKE"]


def _masked_select(x, mask):
    shape = np.broadcast_shapes(x.shape, mask.shape)
    return np.broadcast_to(x, shape)[np.broadcast_to(mask, shape)]


def _nansum(x, dim, keepdim):
    return np.asarray(np.nansum(x, axis=dim, keepdims=keepdim)).astype(x.dtype, copy=False)


MASKED_SELECT = row("masked_select", "MaskedSelectBackward0", ("self",), _masked_select,
                    attrs=("mask",), self="masked_select_backward(grad, self, mask)",
                    readable={"self": "grad put back where mask is True, 0 elsewhere"})
TAKE = row("take", "TakeBackward0", ("self",), lambda x, index: np.take(x.reshape(-1), index),
           attrs=("index",), self="take_backward(grad, self, index)",
           readable={"self": "grad added back at each flat index"})
NANSUM = row("nansum", "NansumBackward0", ("self",), _nansum, attrs=("dim", "keepdim"),
             self="nansum_backward(grad, self, dim, keepdim)",
             readable={"self": "grad expanded to self's shape, 0 where self is nan"})
ROT90 = row("rot90", "Rot90Backward0", ("self",), lambda x, k, dims: np.rot90(x, k, dims).copy(),
            attrs=("k", "dims"), self="rot90_backward(grad, k, dims)",
            readable={"self": "grad turned back by -k quarter turns"})


def _cumulative_extreme(x, dim, larger):
    """Running max (or min) along ``dim`` and where each was found (the latest of ties)."""
    moved = np.moveaxis(x, dim, 0)
    values = np.empty_like(moved)
    indices = np.zeros(moved.shape, np.int64)
    for i in range(moved.shape[0]):
        if i == 0:
            values[0] = moved[0]
            continue
        better = moved[i] >= values[i - 1] if larger else moved[i] <= values[i - 1]
        better |= np.isnan(moved[i])
        values[i] = np.where(better, moved[i], values[i - 1])
        indices[i] = np.where(better, i, indices[i - 1])
    return np.moveaxis(values, 0, dim), np.moveaxis(indices, 0, dim)


CUMMAX = row("cummax", "CummaxBackward0", ("self",),
             lambda x, sizes, dim, indices: np.take_along_axis(x, indices, dim),
             attrs=("self_sym_sizes", "dim", "indices"), frees=("indices",),
             self="gather_backward(grad, self_sym_sizes, dim, indices)",
             readable={"self": "grad added back where each running max was found"})
CUMMIN = row("cummin", "CumminBackward0", ("self",),
             lambda x, sizes, dim, indices: np.take_along_axis(x, indices, dim),
             attrs=("self_sym_sizes", "dim", "indices"), frees=("indices",),
             self="gather_backward(grad, self_sym_sizes, dim, indices)",
             readable={"self": "grad added back where each running min was found"})
DIST = row("dist", "DistBackward0", ("self", "other"),
           lambda a, b, p: _vector_norm(a - b, p), attrs=("p",),
           self="norm_backward(grad, self - other, result, p, None, False)",
           other="-norm_backward(grad, self - other, result, p, None, False)",
           readable={"self": "d‖self - other‖_p / d self", "other": "-(the same)"})


def _vector_norm(x, p):
    return _norm(x, p, None, False)
