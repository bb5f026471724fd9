"""Tensor's methods for ``functions.picking`` (``x.masked_select(m)``, ``x.take(i)``,
``x.nansum()``, ``x.rot90()``, ``x.repeat_interleave(2)``, ``x.nonzero()``...)."""

from __future__ import annotations

from gradviz.core.functions import picking as P


class TensorPicking:
    """Mixed into Tensor: the method forms of those functions."""

    __slots__ = ()

    masked_select, take, take_along_dim = P.masked_select, P.take, P.take_along_dim
    nansum, nanmean, rot90, fliplr, flipud = P.nansum, P.nanmean, P.rot90, P.fliplr, P.flipud
    repeat_interleave, nonzero, argwhere = P.repeat_interleave, P.nonzero, P.argwhere
    count_nonzero, isclose = P.count_nonzero, P.isclose
    cummax, cummin, dist = P.cummax, P.cummin, P.dist
