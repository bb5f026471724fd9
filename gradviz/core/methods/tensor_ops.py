"""Tensor's methods for the ops of ``functions.products``, ``repetition``, ``matrices``,
``selection`` and ``special`` (``x.prod()``, ``x.repeat(2, 1)``, ``x.gather(1, i)``,
``x.sort()``, ``x.isnan()``, ``x.eq(y)``...)."""

from __future__ import annotations

from gradviz.core.functions import (
    matrices,
    paired_reductions,
    products,
    repetition,
    selection,
    special,
    splitting,
)


class TensorOps:
    """Mixed into Tensor: the method forms of those functions."""

    __slots__ = ()

    prod, cumprod = products.prod, products.cumprod
    tile, roll, broadcast_to = repetition.tile, repetition.roll, repetition.broadcast_to
    tril, triu, diagonal, diag, trace = (matrices.tril, matrices.triu, matrices.diagonal,
                                         matrices.diag, matrices.trace)
    gather, scatter, scatter_add = selection.gather, selection.scatter, selection.scatter_add
    index_add, exp2, aminmax = selection.index_add, special.exp2, paired_reductions.aminmax
    tensor_split = splitting.tensor_split
    index_select, sort, argsort, topk = (selection.index_select, selection.sort,
                                         selection.argsort, selection.topk)
    unique = selection.unique
    split, chunk, unbind = splitting.split, splitting.chunk, splitting.unbind
    erf, log2, lerp, nan_to_num = special.erf, special.log2, special.lerp, special.nan_to_num
    addcmul, addcdiv = special.addcmul, special.addcdiv
    isnan, isinf, isfinite = special.isnan, special.isinf, special.isfinite
    eq, ne, not_equal, lt, le, gt, ge = (special.eq, special.ne, special.ne, special.lt,
                                         special.le, special.gt, special.ge)
    less, less_equal, greater, greater_equal = special.lt, special.le, special.gt, special.ge
    bitwise_and, bitwise_or, bitwise_xor = (special.bitwise_and, special.bitwise_or,
                                            special.bitwise_xor)
    bitwise_not = special.bitwise_not
    logical_and, logical_or, logical_xor, logical_not = (
        special.logical_and, special.logical_or, special.logical_xor, special.logical_not)

    def repeat(self, *repeats):
        return repetition.repeat(self, *repeats)
