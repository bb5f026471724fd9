"""Picking elements out: ``masked_select`` (MaskedSelectBackward0), ``take``
(TakeBackward0), ``nansum`` (NansumBackward0) and ``rot90`` (Rot90Backward0)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.table import row

__all__ = ["MASKED_SELECT", "NANSUM", "ROT90", "TAKE"]


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
