"""Views, reshapes, joins and indexing, decomposed into grad_fn nodes as torch records them."""

from __future__ import annotations

import numpy as np

from gradviz.core import record
from gradviz.core.dtypes import legacy_type_name
from gradviz.core.grad_mode import state as grad_state
from gradviz.core.math_ops import inplace
from gradviz.core.ops import shape as S
from gradviz.core.record import apply_op


def _view_of(t, out):
    """``out`` aliases ``t``'s memory: share its version counter and base."""
    out._vbox = t._version_box()
    base = out._base = t._base if t._base is not None else t
    out._base_fn = base._grad_fn  # to notice the base being modified in place later
    return out


def _sizes(args, func="view"):
    if len(args) == 1 and isinstance(args[0], list | tuple):
        args = tuple(args[0])
    for a in args:
        if not isinstance(a, int | np.integer) or isinstance(a, bool):
            raise TypeError(f"{func}(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(a).__name__}")
    return tuple(int(a) for a in args)


def _infer(t, shape):
    n = t._data.size
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = int(np.prod([s for s in shape if s != -1])) if shape else 1
    if (-1 in shape and (known == 0 or n % known)) or (-1 not in shape and known != n):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {n}")
    return tuple(n // known if s == -1 else s for s in shape)


def view(t, *shape):
    shape = _infer(t, _sizes(shape))
    try:
        np.reshape(t._data, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return _view_of(t, apply_op(S.VIEW, (t,), (t._data.shape, shape)))


def reshape(t, *shape):
    """A view of a contiguous tensor (ViewBackward0), an alias of a strided one whose
    layout allows it (ReshapeAliasBackward0), else a copy (UnsafeViewBackward0 over
    CloneBackward0), exactly as torch records it."""
    shape = _infer(t, _sizes(shape, "reshape"))
    if t._data.flags.c_contiguous:
        return _view_of(t, apply_op(S.VIEW, (t,), (t._data.shape, shape)))
    try:
        np.reshape(t._data, shape, copy=False)
    except ValueError:
        copy = apply_op(S.CLONE, (t,))
        return apply_op(S.UNSAFE_VIEW, (copy,), (t._data.shape, shape))
    return _view_of(t, apply_op(S.RESHAPE_ALIAS, (t,), (t._data.shape, shape)))


def flatten(t, start_dim=0, end_dim=-1):
    if t._data.ndim == 0:
        return reshape(t, 1)
    s, e = t._wrap_dim(start_dim), t._wrap_dim(end_dim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return t
    shape = t._data.shape
    return reshape(t, *shape[:s], -1, *shape[e + 1:])


def t_(t):
    if t._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{t._data.ndim}D")
    return _view_of(t, apply_op(S.T, (t,)))


def permute(t, *dims):
    dims = _sizes(dims, "permute")
    if len(dims) != t._data.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{t._data.ndim} is not equal to len(dims) = {len(dims)}"
        )
    dims = tuple(t._wrap_dim(d) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _view_of(t, apply_op(S.PERMUTE, (t,), (dims,)))


def transpose(t, dim0, dim1):
    d0, d1 = t._wrap_dim(dim0), t._wrap_dim(dim1)
    return _view_of(t, apply_op(S.TRANSPOSE, (t,), (d0, d1)))


def squeeze(t, dim=None):
    sizes = t._data.shape
    if dim is None:
        return _view_of(t, apply_op(S.SQUEEZE, (t,), (sizes,)))
    if isinstance(dim, tuple | list):
        dims = tuple(d for d in (t._wrap_dim(x) for x in dim) if sizes[d] == 1)
        return _view_of(t, apply_op(S.SQUEEZE_DIMS, (t,), (sizes, dims)))
    return _view_of(t, apply_op(S.SQUEEZE_DIM, (t,), (sizes, t._wrap_dim(dim))))


def unsqueeze(t, dim):
    return _view_of(t, apply_op(S.UNSQUEEZE, (t,), (t._wrap_dim(dim, extra=1),)))


def expand(t, *sizes):
    sizes = _sizes(sizes, "expand")
    have = t._data.shape
    if len(sizes) < len(have):
        raise RuntimeError(
            f"expand({legacy_type_name(t._data.dtype)}{{{list(have)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(have)})"
        )
    lead = len(sizes) - len(have)
    target = list(sizes)
    for i, s in enumerate(sizes):
        if i >= lead:
            h = have[i - lead]
            if s == -1:
                target[i] = h
            elif h != 1 and h != s:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size ({h}) "
                    f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                    f"Tensor sizes: {list(have)}"
                )
        elif s == -1:
            raise RuntimeError(
                f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                f"non-existing dimension {i}"
            )
    return _view_of(t, apply_op(S.EXPAND, (t,), (have, tuple(target))))


def clone(t):
    return apply_op(S.CLONE, (t,))


def contiguous(t):
    return t if t._data.flags.c_contiguous else clone(t)


def cat(tensors, dim=0):
    """Join along an existing dim; grad_fn ``CatBackward0``."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    first = tensors[0]
    d = first._wrap_dim(dim)
    for k, x in enumerate(tensors[1:], 1):
        if x._data.ndim != first._data.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first._data.ndim} and "
                f"{x._data.ndim}"
            )
        for i, (a, b) in enumerate(zip(first._data.shape, x._data.shape, strict=True)):
            if i != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} "
                    f"but got size {b} for tensor number {k} in the list."
                )
    sizes = tuple(x._data.shape[d] for x in tensors)
    offsets = tuple(int(o) for o in np.cumsum((0,) + sizes[:-1]))
    return apply_op(S.CAT, tuple(tensors), (d, offsets, sizes))


def stack(tensors, dim=0):
    """Join along a new dim; grad_fn ``StackBackward0``."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for k, x in enumerate(tensors[1:], 1):
        if x._data.shape != tensors[0]._data.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got "
                f"{list(tensors[0]._data.shape)} at entry 0 and {list(x._data.shape)} at entry {k}"
            )
    d = tensors[0]._wrap_dim(dim, extra=1)
    return apply_op(S.STACK, tuple(tensors), (d,))


def _tensor_list(tensors, func):
    if isinstance(tensors, record.Tensor) or not isinstance(tensors, list | tuple):
        raise TypeError(f"{func}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    for i, x in enumerate(tensors):
        if not isinstance(x, record.Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    return list(tensors)


# ---------------------------------------------------------------- indexing
def _is_int(k):
    return isinstance(k, int | np.integer) and not isinstance(k, bool | np.bool_)


def _advanced(k):
    if isinstance(k, record.Tensor):
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
                | record.Tensor)):
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
    if isinstance(k, record.Tensor) and k._data.ndim == 0 and k._data.dtype.kind in "iub":
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
    return tuple(_advanced(k) if isinstance(k, record.Tensor | list) else k for k in key)


def setitem(t, key, value):
    """``t[key] = value``: in place, recorded as CopySlices when a gradient flows."""
    if isinstance(value, record.Tensor):
        src = value
    elif isinstance(value, int | float | bool | np.number):
        src = value
    else:
        raise TypeError(f"can't assign a {type(value).__name__} to a "
                        f"{t.dtype._legacy.replace('Tensor', '')} tensor")
    if grad_state.enabled and t._requires_grad and t._grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    nkey = _numpy_key(key)
    region = t._data[nkey].shape
    if _only_advanced(key):  # no view in between: index_put_ on t itself
        if isinstance(src, record.Tensor):
            try:
                np.broadcast_shapes(src._data.shape, region)
            except ValueError:
                raise RuntimeError(
                    f"shape mismatch: value tensor of shape {list(src._data.shape)} cannot be "
                    f"broadcast to indexing result of shape {list(region)}"
                ) from None
            if _strip_ones(src._data.shape) != src._data.shape:
                src = view(src, *_strip_ones(src._data.shape))
        inplace(t, S.INDEX_PUT, (src,), (nkey,))
        return
    if isinstance(src, record.Tensor) and src._data.ndim and src._data.shape != region:
        src = view(src, *_strip_ones(src._data.shape))  # torch's copy_to
        if src._data.shape != region:
            src = expand(src, *region)
    inplace(t, S.COPY_SLICES, (src,), (nkey,))


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
        if isinstance(k, record.Tensor) and k._data.ndim == 0 and k._data.dtype != np.bool_:
            return False
        found = True
    return found
