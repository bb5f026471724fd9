"""torch's top-level names for picking, stacking and counting
(:mod:`gradviz.core.functions.picking`) and ``finfo``/``iinfo``, re-exported by
``gradviz``."""

from __future__ import annotations

from gradviz.core.functions.picking import (
    argwhere,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    column_stack,
    count_nonzero,
    cummax,
    cummin,
    dist,
    dstack,
    fliplr,
    flipud,
    hstack,
    isclose,
    masked_select,
    nanmean,
    nansum,
    nonzero,
    repeat_interleave,
    rot90,
    take,
    take_along_dim,
    tril_indices,
    triu_indices,
    vstack,
)
from gradviz.core.tensors.type_info import finfo, iinfo

__all__ = ["argwhere", "atleast_1d", "atleast_2d", "atleast_3d", "column_stack",
           "count_nonzero", "cummax", "cummin", "dist",
           "dstack", "finfo", "fliplr", "flipud", "hstack", "iinfo", "isclose",
           "masked_select", "nanmean", "nansum", "nonzero", "repeat_interleave", "rot90", "take",
           "take_along_dim", "tril_indices", "triu_indices", "vstack"]
