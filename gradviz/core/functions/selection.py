"""Reading and writing along a dim: ``gather`` (GatherBackward0), ``scatter``
(ScatterBackward0/1), ``scatter_add`` (ScatterAddBackward0), ``index_select``
(IndexSelectBackward0), ``index_add`` (IndexAddBackward0), ``sort`` (SortBackward0),
``argsort``, ``topk`` (TopkBackward0) and
``unique``."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.optable import tensor_ops as O
from gradviz.core.tensors.checks import _torch_type, tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["argsort", "gather", "index_add", "index_select", "scatter", "scatter_add", "sort",
           "topk",
           "unique"]


class _ValuesIndices(NamedTuple):
    values: object
    indices: object


class _sort(_ValuesIndices):  # noqa: N801 - torch.return_types.sort
    __slots__ = ()

    def __repr__(self):
        return f"torch.return_types.sort(\nvalues={self.values!r},\nindices={self.indices!r})"


class _topk(_ValuesIndices):  # noqa: N801 - torch.return_types.topk
    __slots__ = ()

    def __repr__(self):
        return f"torch.return_types.topk(\nvalues={self.values!r},\nindices={self.indices!r})"


def _index(index, name):
    """An index tensor's array: int64 or int32, as torch takes."""
    if not isinstance(index, Tensor) or index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    return index._data.astype(np.int64, copy=False)


def _sizes(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _nonempty(shape):
    """torch's ensure_nonempty_dim/size: a 0-d tensor counts as one dim of size 1."""
    return shape if shape else (1,)


def _in_bounds(idx, dim, size):
    """torch's kernel check: every index within ``[0, size)`` (no wrapping of negatives)."""
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        raise RuntimeError(f"index {int(bad[0])} is out of bounds for dimension {dim} with "
                           f"size {size}")


def _scatter_checks(input, d, idx, src):
    """torch's dtype and shape checks, then the kernel's bounds check."""
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if not idx.size:
        return
    shape, ishape = _nonempty(input._data.shape), _nonempty(idx.shape)
    if len(shape) != len(ishape):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    sshape = _nonempty(src._data.shape) if isinstance(src, Tensor) else None
    if sshape is not None and len(sshape) != len(ishape):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    wrong = any(n > m for i, (n, m) in enumerate(zip(ishape, shape)) if i != d)
    if sshape is not None:
        wrong = wrong or any(n > m for n, m in zip(ishape, sshape))
        if wrong:
            raise RuntimeError(f"Expected index {_sizes(idx.shape)} to be no larger than self "
                               f"{_sizes(input._data.shape)} apart from dimension {d} and to "
                               f"be no larger size than src {_sizes(src._data.shape)}")
    elif wrong:
        raise RuntimeError(f"Expected index {_sizes(idx.shape)} to be no larger than self "
                           f"{_sizes(input._data.shape)} apart from dimension {d}")
    _in_bounds(idx, d, shape[d])


def gather(input, dim, index, *, sparse_grad=False):
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (here dim 1)."""
    tensor_arg(input, "gather")
    d = input._wrap_dim(dim)
    idx = _index(index, "gather")
    shape, ishape = _nonempty(input._data.shape), _nonempty(idx.shape)
    if len(ishape) != len(shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    for i, (n, m) in enumerate(zip(ishape, shape)):
        if i != d and n > m:
            raise RuntimeError(f"Size does not match at dimension {i} expected index "
                               f"{_sizes(idx.shape)} to be no larger than self "
                               f"{_sizes(input._data.shape)} apart from dimension {d}")
    _in_bounds(idx, d, shape[d])
    return apply_op(O.GATHER, (input,), (input._data.shape, d, idx))


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor, or a number) written at ``index`` along
    ``dim``."""
    tensor_arg(input, "scatter")
    if reduce is not None:
        raise NotImplementedError("gradviz's scatter has no reduce argument")
    d = input._wrap_dim(dim)
    idx = _index(index, "scatter")
    if src is None:
        src = value
    _scatter_checks(input, d, idx, src)
    if isinstance(src, Tensor):
        return apply_op(O.SCATTER, (input, src), (src._data.shape, d, idx))
    return apply_op(O.SCATTER_VALUE, (input,), (d, idx, src))


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    tensor_arg(input, "scatter_add")
    d = input._wrap_dim(dim)
    idx = _index(index, "scatter")  # torch names scatter in scatter_add's message
    _scatter_checks(input, d, idx, src)
    return apply_op(O.SCATTER_ADD, (input, src), (src._data.shape, d, idx))


def index_select(input, dim, index):
    """The slices of ``input`` at the positions ``index`` along ``dim``."""
    tensor_arg(input, "index_select")
    d = input._wrap_dim(dim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    idx = idx.reshape(-1)
    size = input._data.shape[d] if input._data.ndim else 1
    bad = idx[(idx < 0) | (idx >= size)]
    if bad.size:
        if input._data.ndim == 2 and d == 1 and input.is_contiguous():
            # torch's kernel for dim 1 of a contiguous matrix has its own words
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad[0])} "
                               f"axis_dim={size}")
        raise IndexError("index out of range in self")
    return apply_op(O.INDEX_SELECT, (input,), (input._data.shape, d, idx))


def index_add_args(input, dim, index, source, alpha):
    """index_add's checks, as torch's; its row's arguments (dim, index, alpha, source_dim)."""
    tensor_arg(input, "index_add")
    tensor_arg(source, "index_add", "source", 4)
    d = input._wrap_dim(dim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{idx.ndim} with type: {_torch_type(idx.dtype)} and size: "
                         f"{list(idx.shape)}")
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{_torch_type(idx.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"index_add_(): self ({_torch_type(input._data.dtype)}) and source "
                           f"({_torch_type(source._data.dtype)}) must have the same scalar type")
    idx = idx.reshape(-1)
    if source._data.ndim and source._data.shape[d] != idx.size:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({source._data.shape[d]}), for dim: {d}")
    _in_bounds(idx, d, input._data.shape[d] if input._data.ndim else 1)
    return d, idx.astype(np.int64), alpha, source._data.ndim


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at the positions ``index`` along
    ``dim`` (repeated positions add up)."""
    return apply_op(O.INDEX_ADD, (input, source),
                    index_add_args(input, dim, index, source, alpha))


def _order(data, dim, descending):
    if data.ndim == 0:
        return np.asarray(0)
    key = -data if descending and data.dtype.kind != "b" else data
    order = np.argsort(key, axis=dim, kind="stable")
    if descending and data.dtype.kind == "b":
        order = np.flip(np.argsort(data, axis=dim, kind="stable"), dim)
    return order


def sort(input, dim=-1, descending=False, stable=False):
    """``(values, indices)``: the elements along ``dim`` in order."""
    tensor_arg(input, "sort")
    d = input._wrap_dim(dim)
    order = _order(input._data, d, descending)
    values = apply_op(O.SORT, (input,), (input._data.shape, d, order))
    return _sort(values, Tensor._make(np.asarray(order, np.int64)))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    return sort(input, dim, descending, stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``."""
    tensor_arg(input, "topk")
    d = input._wrap_dim(dim)
    size = input._data.shape[d] if input._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    order = _order(input._data, d, largest)
    if input._data.ndim:
        order = np.take(order, range(k), axis=d)
    values = apply_op(O.TOPK, (input,), (input._data.shape, d, order))
    return _topk(values, Tensor._make(np.asarray(order, np.int64)))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements, sorted; optionally where each element went and how often each
    occurs."""
    tensor_arg(input, "unique")
    if dim is not None:
        raise NotImplementedError("gradviz's unique has no dim argument")
    values, inverse, counts = np.unique(input._data, return_inverse=True, return_counts=True)
    out = [Tensor._make(values)]
    if return_inverse:
        out.append(Tensor._make(inverse.reshape(input._data.shape).astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)
