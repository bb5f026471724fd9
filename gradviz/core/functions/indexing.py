"""Indexing: ``t[key]`` decomposed into grad_fn nodes as torch records them (SelectBackward0,
SliceBackward0, IndexBackward0, AliasBackward0), and ``t[key] = value`` (CopySlices,
IndexPutBackward0).

    >>> import gradviz as torch
    >>> x = torch.ones(3, 4, requires_grad=True)
    >>> x[0, 1:3]
    tensor([1., 1.], grad_fn=<SliceBackward0>)
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.inplace import check_inplace, check_partial_overlap
from gradviz.core.autograd.record import apply_op
from gradviz.core.functions.pointwise import inplace
from gradviz.core.functions.shape import _view_of, expand, unsqueeze, view
from gradviz.core.optable import shape as S
from gradviz.core.tensors.checks import tensor_arg
from gradviz.core.tensors.tensor import Tensor


def _is_int(k):
    return isinstance(k, int | np.integer) and not isinstance(k, bool | np.bool_)


def _advanced(k):
    if isinstance(k, Tensor):
        return k._data
    return np.asarray(k)


def getitem(t, key):
    """``t[key]``: ints select (SelectBackward0), slices slice (SliceBackward0), None
    unsqueezes, and tensor/list/mask indices gather (IndexBackward0); a key that changes
    nothing (``t[...]``, ``t[:, :]``) is an alias (AliasBackward0), as in torch."""
    bare_slice = isinstance(key, slice)  # torch always records t[:] as a slice
    if t._data.ndim == 0 and (bare_slice or _is_int(key)):
        raise IndexError("slice() cannot be applied to a 0-dim tensor." if bare_slice else
                         "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(_scalar_index(k) for k in key)
    for k in key:
        if not (k is None or k is Ellipsis or isinstance(
                k, int | np.integer | bool | np.bool_ | slice | list | tuple | np.ndarray
                | Tensor)):
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                f"Variables are valid indices (got {type(k).__name__})"
            )
    used = sum(_dims_used(k) for k in key)
    if used > t._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
    out, dim, advanced = t, 0, {}
    for position, k in enumerate(key):
        if k is None:
            out = unsqueeze(out, dim)
            dim += 1
        elif k is Ellipsis:
            dim += t._data.ndim - used
        elif _is_int(k):
            out = _select(out, dim, int(k), position)
        elif isinstance(k, slice):
            if bare_slice or k != slice(None):
                out = _slice(out, dim, k)
            dim += 1
        elif isinstance(k, bool | np.bool_):  # t[True]: a new dim of size 1, masked
            out = unsqueeze(out, dim)
            advanced[dim] = np.array([bool(k)])
            dim += 1
        else:
            idx = _advanced(k)
            if idx.dtype.kind not in "iub":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            advanced[dim] = idx
            dim += idx.ndim if idx.dtype == np.bool_ else 1
    if not advanced:
        if out is t:
            return _view_of(t, apply_op(S.ALIAS, (t,)))
        return out
    return apply_op(S.INDEX, (out,), (out._data.shape, _numpy_index(out, advanced)))


def _scalar_index(k):
    """A 0-dim integer tensor indexes like an int, a 0-dim bool tensor like a bool."""
    if isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype.kind in "iub":
        return k._data.item()
    return k


def _dims_used(k):
    if k is None or k is Ellipsis or isinstance(k, bool | np.bool_):
        return 0
    if _is_int(k) or isinstance(k, slice):
        return 1
    idx = _advanced(k)
    return idx.ndim if idx.dtype == np.bool_ else 1


def _numpy_index(out, advanced):
    """The NumPy key for IndexBackward0: masks become their nonzero() arrays."""
    shape = out._data.shape
    flat, d, arrays = [], 0, 0
    while d < len(shape):
        idx = advanced.get(d)
        if idx is None:
            flat.append(slice(None))
            d += 1
        elif idx.dtype == np.bool_:
            if idx.shape != shape[d:d + idx.ndim]:
                raise IndexError(
                    f"The shape of the mask {list(idx.shape)} at index {d} does not match the "
                    f"shape of the indexed tensor {list(shape)} at index {d}"
                )
            flat.extend(idx.nonzero())
            d += idx.ndim
            arrays += idx.ndim
        else:
            size = shape[d]
            bad = idx[(idx >= size) | (idx < -size)]
            if bad.size and not size:  # (torch's message for an empty dim)
                raise IndexError("index is out of bounds for dimension with size 0")
            if bad.size:  # torch names the index array's place among the arrays
                raise IndexError(f"index {int(bad.flat[0])} is out of bounds for dimension "
                                 f"{arrays} with size {size}")
            flat.append(idx)
            d += 1
            arrays += 1
    return tuple(flat)


def _select(t, dim, index, position=None):
    """``t`` at ``index`` along ``dim``; errors name the key's ``position``, as torch's do."""
    if t._data.ndim == 0:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    size = t._data.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension "
                         f"{dim if position is None else position} with size {size}")
    index %= size
    key = (slice(None),) * dim + (index,)
    return _view_of(t, apply_op(S.SELECT, (t,), (t._data.shape, dim, index, key)))


def select(input, dim, index):
    """``input`` at ``index`` along ``dim``: a view one dim smaller (SelectBackward0), as
    ``input[..., index]`` at that dim."""
    tensor_arg(input, "select")
    if not _is_int(index) and not (isinstance(index, Tensor) and index._data.ndim == 0
                                   and index._data.dtype.kind in "iu"):
        raise TypeError(f"select(): argument 'index' (position 2) must be int, not "
                        f"{type(index).__name__}")
    if input._data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = input._wrap_dim(dim)
    index = int(index)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return _select(input, d, index)


def _slice(t, dim, k):
    if k.step is not None and k.step <= 0:
        raise ValueError("step must be greater than zero")
    start, end, step = k.indices(t._data.shape[dim])
    end = max(end, start)
    key = (slice(None),) * dim + (slice(start, end, step),)
    return _view_of(t, apply_op(S.SLICE, (t,), (t._data.shape, dim, start, end, step, key)))


def _numpy_key(key):
    if not isinstance(key, tuple):
        key = (key,)
    return tuple(_advanced(k) if isinstance(k, Tensor | list) else k for k in key)


def setitem(t, key, value):
    """``t[key] = value``: in place, recorded as CopySlices when a gradient flows."""
    if isinstance(value, Tensor):
        src = value
    elif isinstance(value, int | float | bool | np.number):
        src = value
    else:
        raise TypeError(f"can't assign a {type(value).__name__} to a "
                        f"{t.dtype._legacy.replace('Tensor', '')} tensor")
    whole = key is Ellipsis or (type(key) is tuple and len(key) == 1 and key[0] is Ellipsis)
    advanced = not whole and _only_advanced(key)
    if advanced:  # index_put_ checks the leaf first; other keys fit the value first
        _leaf_check(t, "a leaf")
    if whole and not isinstance(src, Tensor):  # as torch: the number becomes a tensor
        src = Tensor._make(np.asarray(src, dtype=t._data.dtype))
    elif whole:
        check_partial_overlap(t, src)
    if whole and not src._data.ndim and t._data.ndim:  # torch's copy_to: t.fill_(v)
        _leaf_check(t, "a leaf")
        inplace(t, S.FILL_TENSOR, (src,))
        return
    if whole:  # t[...] = v is t.copy_(v): no view in between
        if src._data.ndim and src._data.shape != t._data.shape:
            src = view(src, *_strip_ones(src._data.shape))  # torch's copy_to
            if src._data.shape != t._data.shape:
                src = expand(src, *t._data.shape)
        _leaf_check(t, "a leaf")
        inplace(t, S.COPY, (src,))
        return
    nkey = _numpy_key(key)
    try:
        region = t._data[nkey].shape
    except IndexError:
        getitem(Tensor._make(t._data), key)  # raises torch's words for the key
        raise
    if advanced:  # no view in between: index_put_ on t itself
        if isinstance(src, Tensor):
            mask = isinstance(key, Tensor) and key._data.dtype == np.bool_
            if src._data.ndim or not mask:  # (t[mask] = 0-d is masked_fill_: no check)
                check_inplace(t)  # (a view of a leaf is named first)
                check_partial_overlap(t, src, full_ok=False)
            try:  # the value must broadcast to the region, not the region to it
                shape = _strip_ones(src._data.shape)
                if np.broadcast_shapes(shape, region) != tuple(region):
                    raise ValueError
            except ValueError:
                raise RuntimeError(
                    f"shape mismatch: value tensor of shape {list(src._data.shape)} cannot be "
                    f"broadcast to indexing result of shape {list(region)}"
                ) from None
            if _strip_ones(src._data.shape) != src._data.shape:
                src = view(src, *_strip_ones(src._data.shape))
        inplace(t, S.INDEX_PUT, (src,), (nkey,))
        return
    if isinstance(src, Tensor) and src._data.ndim and src._data.shape != region:
        src = view(src, *_strip_ones(src._data.shape))  # torch's copy_to
        if src._data.shape != region:
            src = expand(src, *region)
    _leaf_check(t, "a view of a leaf")
    inplace(t, S.COPY_SLICES, (src,), (nkey,))


def _leaf_check(t, what):
    if grad_state.enabled and t._requires_grad and t._grad_fn is None:
        raise RuntimeError(
            f"{what} Variable that requires grad is being used in an in-place operation."
        )


def _strip_ones(shape):
    """``shape`` without its leading 1s (how torch fits a value into ``t[key]``)."""
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return tuple(shape[i:])


def _only_advanced(key):
    """Tensor/list/mask indices, the rest whole slices or ``...``: no view is taken."""
    key = key if isinstance(key, tuple) else (key,)
    found = False
    for k in key:
        if k is Ellipsis or (isinstance(k, slice) and k == slice(None)):
            continue
        if k is None or _is_int(k) or isinstance(k, slice | bool | np.bool_):
            return False
        if isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype != np.bool_:
            return False
        found = True
    return found
