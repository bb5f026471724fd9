"""Picking, stacking and counting, recorded as torch records them: ``masked_select``,
``take``, ``take_along_dim`` (GatherBackward0), ``nansum``, ``nanmean`` (DivBackward0 over
NansumBackward0), ``rot90``, ``fliplr``/``flipud``, ``hstack``/``vstack``/``dstack``/
``column_stack`` and ``atleast_1d/2d/3d`` (CatBackward0 over views), ``repeat_interleave``
(a view of an expanded clone); and, without gradients, ``nonzero``, ``argwhere``,
``count_nonzero``, ``isclose``, ``tril_indices`` and ``triu_indices``.

    >>> torch.vstack([torch.tensor([1, 2]), torch.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import selection as SE
from gradviz.core.functions import shape as SH
from gradviz.core.optable import picking as K
from gradviz.core.optable import shape as S
from gradviz.core.tensors.checks import broadcast_check, tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["cummax", "cummin", "dist",
           "argwhere", "atleast_1d", "atleast_2d", "atleast_3d", "column_stack",
           "count_nonzero", "dstack", "fliplr", "flipud", "hstack", "isclose", "masked_select",
           "nanmean", "nansum", "nonzero", "repeat_interleave", "rot90", "take",
           "take_along_dim", "tril_indices", "triu_indices", "vstack"]


def _dims(input, dim):
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(input._wrap_dim(d) for d in dims)


# ---------------------------------------------------------------- picking
def masked_select(input, mask):
    """The elements where ``mask`` (broadcast) is True, as a 1-D tensor."""
    tensor_arg(input, "masked_select")
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    broadcast_check(mask, input)
    return apply_op(K.MASKED_SELECT, (input,), (mask._data,))


def take(input, index):
    """The elements at the flat positions ``index``, in ``index``'s shape."""
    tensor_arg(input, "take")
    idx = index._data
    n = input._data.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max() if idx.max() >= n else idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    return apply_op(K.TAKE, (input,), (idx % n if n else idx,))


def take_along_dim(input, indices, dim=None):
    """``gather`` along ``dim`` (of the flattened input when ``dim`` is None)."""
    if dim is None:
        return SE.gather(SH.view(input, -1), 0, SH.view(indices, -1))
    d = input._wrap_dim(dim)
    sizes = list(input._data.shape)
    sizes[d] = indices._data.shape[d]
    shape = list(np.broadcast_shapes(tuple(sizes), indices._data.shape))
    index = Tensor._make(np.ascontiguousarray(np.broadcast_to(indices._data, shape)))
    shape[d] = input._data.shape[d]
    return SE.gather(SH.expand(input, *shape), d, index)  # torch broadcasts both


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum with nans counted as zero."""
    tensor_arg(input, "nansum")
    return apply_op(K.NANSUM, (input,), (_dims(input, dim), keepdim))


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the numbers that are not nan: ``nansum / count``, as torch."""
    count = (~input.isnan()).sum(dim=dim, keepdim=keepdim) if dim is not None \
        else (~input.isnan()).sum()
    return nansum(input, dim, keepdim) / count


def rot90(input, k=1, dims=(0, 1)):
    """Turned by ``k`` quarter turns in the plane of ``dims``; Rot90Backward0."""
    tensor_arg(input, "rot90")
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    d = tuple(input._wrap_dim(x) for x in dims)
    return apply_op(K.ROT90, (input,), (k % 4, d))


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return SH.flip(input, 1)


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return SH.flip(input, 0)


def _running(op, name, input, dim):
    tensor_arg(input, name)
    d = input._wrap_dim(dim) if input._data.ndim else 0
    data = input._data if input._data.ndim else input._data.reshape(1)
    _, indices = K._cumulative_extreme(data, d, name == "cummax")
    indices = indices.reshape(input._data.shape)
    values = apply_op(op, (input,), (input._data.shape, d, indices)) if input._data.ndim \
        else input.clone()
    return _values_indices(name)(values, Tensor._make(indices))


def cummax(input, dim):
    """``(values, indices)``: the running maximum along ``dim`` and where it was found."""
    return _running(K.CUMMAX, "cummax", input, dim)


def cummin(input, dim):
    """``(values, indices)``: the running minimum along ``dim`` and where it was found."""
    return _running(K.CUMMIN, "cummin", input, dim)


class _ValuesIndices(NamedTuple):
    values: object
    indices: object


def _values_indices(name):
    """``torch.return_types.<name>``: values and indices, printed as torch prints them."""
    def __repr__(self):  # noqa: N807
        return (f"torch.return_types.{name}(\nvalues={self.values!r},\n"
                f"indices={self.indices!r})")

    return type(name, (_ValuesIndices,), {"__repr__": __repr__, "__slots__": ()})


def dist(input, other, p=2):
    """``‖input - other‖_p`` over all elements (broadcast); DistBackward0."""
    tensor_arg(input, "dist")
    tensor_arg(other, "dist", "other", 2)
    return apply_op(K.DIST, (input, other), (float(p),))


# ---------------------------------------------------------------- stacking
def _listed(tensors):
    return list(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], list | tuple) \
        else list(tensors)


def _atleast(t, n):
    shape = t._data.shape
    if len(shape) >= n:
        return t
    if n == 1:
        return SH.reshape(t, 1)
    if n == 2:
        return SH.unsqueeze(t, 0) if len(shape) == 1 else SH.reshape(t, 1, 1)
    if len(shape) == 0:
        return SH.reshape(t, 1, 1, 1)
    if len(shape) == 1:
        return SH.unsqueeze(SH.unsqueeze(t, 0), -1)
    return SH.unsqueeze(t, -1)


def _each(n):
    def atleast(*tensors):
        items = _listed(tensors)
        out = [_atleast(t, n) for t in items]
        return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)

    atleast.__name__ = f"atleast_{n}d"
    atleast.__doc__ = f"Each tensor with at least {n} dims."
    return atleast


atleast_1d, atleast_2d, atleast_3d = _each(1), _each(2), _each(3)


def hstack(tensors):
    """Joined along dim 1 (dim 0 for vectors)."""
    items = [_atleast(t, 1) for t in tensors]
    return SH.cat(items, 0 if items[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Joined along dim 0, vectors as rows."""
    return SH.cat([_atleast(t, 2) for t in tensors], 0)


def dstack(tensors):
    """Joined along dim 2."""
    return SH.cat([_atleast(t, 3) for t in tensors], 2)


def column_stack(tensors):
    """Vectors as columns, joined along dim 1."""
    items = [SH.reshape(t, t._data.size, 1) if t._data.ndim <= 1 else t for t in tensors]
    return SH.cat(items, 1)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element repeated ``repeats`` times (along ``dim``; the flattened input without)."""
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated by count
        counts = input._data
        return Tensor._make(np.repeat(np.arange(counts.size), counts).astype(np.int64))
    if isinstance(repeats, Tensor) and repeats._data.size != 1:
        if dim is None:
            input, dim = SH.flatten(input), 0
        index = np.repeat(np.arange(input._data.shape[dim]), repeats._data)
        return SE.index_select(input, dim, Tensor._make(index.astype(np.int64)))
    r = int(repeats.item() if isinstance(repeats, Tensor) else repeats)
    if dim is None:
        input, dim = SH.flatten(input), 0
    d = input._wrap_dim(dim)
    shape = list(input._data.shape)
    grown = shape[:d + 1] + [r] + shape[d + 1:]
    expanded = SH.expand(SH.unsqueeze(input, d + 1), *grown)
    out_shape = shape[:d] + [shape[d] * r] + shape[d + 1:]
    copy = apply_op(S.CLONE, (expanded,), data=np.ascontiguousarray(expanded._data))
    return SH.view(copy, *out_shape)


# ---------------------------------------------------------------- counting, no gradient
def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: one row each (or one tensor per dim)."""
    found = np.nonzero(input._data) if input._data.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in found)
    return Tensor._make(np.stack(found, 1).astype(np.int64).reshape(-1, input._data.ndim))


def argwhere(input):
    return nonzero(input)


def count_nonzero(input, dim=None):
    return Tensor._make(np.asarray(np.count_nonzero(input._data, axis=_dims(input, dim)),
                                   np.int64))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Where ``|input - other| <= atol + rtol * |other|``."""
    b = other._data if isinstance(other, Tensor) else other
    return Tensor._make(np.isclose(input._data, b, rtol, atol, equal_nan))


def _indices(row, col, offset, lower):
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return Tensor._make(np.stack([r, c]).astype(np.int64))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the lower triangle of a ``row`` x ``col`` matrix."""
    return _indices(row, col, offset, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (row, column) indices of the upper triangle."""
    return _indices(row, col, offset, False)
