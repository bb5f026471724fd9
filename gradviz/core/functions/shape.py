"""Views, reshapes and joins, decomposed into grad_fn nodes as torch records them
(indexing is in ``index_ops``)."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.record import apply_op, apply_unary
from gradviz.core.optable import shape as S
from gradviz.core.tensors.checks import tensor_arg, type_name
from gradviz.core.tensors.dtypes import legacy_type_name
from gradviz.core.tensors.tensor import Tensor


def _view_of(t, out):
    """``out`` aliases ``t``'s memory: share its version counter and base."""
    out._vbox = t._version_box()
    base = out._base = t._base if t._base is not None else t
    out._base_fn = base._grad_fn  # to notice the base being modified in place later
    out._view_version = out._vbox[0]
    if t._requires_grad and not grad_state.enabled:  # as torch: it says it requires grad,
        out._requires_grad = out._nograd_view = True  # but no gradient reaches it
    if t._custom_view is not None:  # a view of a custom Function's view output is one too
        out._custom_view = (t._custom_view[0], 0)
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
    return _view_of(t, apply_unary(S.T, t))


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
    target = expand_check(t, sizes)
    return _view_of(t, apply_op(S.EXPAND, (t,), (t._data.shape, target)))


def expand_check(t, sizes):
    """The sizes ``t`` expands to (``-1`` kept from ``t``), or torch's error for ``sizes``
    it cannot take (also what addmm says of a bias that does not fit)."""
    have = t._data.shape
    if len(sizes) < len(have):  # (torch names a bool tensor's type CPUBoolType here)
        name = "CPUBoolType" if t._data.dtype == np.bool_ else legacy_type_name(t._data.dtype)
        raise RuntimeError(
            f"expand({name}{{{list(have)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(have)})"
        )
    lead = len(sizes) - len(have)
    target = list(sizes)
    for i, s in reversed(list(enumerate(sizes))):  # as torch: the last dims checked first
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
    return tuple(target)


def clone(t):
    return apply_op(S.CLONE, (t,))


def contiguous(t):
    """``t`` itself when its memory is in row-major order, else a row-major copy (a clone,
    CloneBackward0, whose strides are not ``t``'s as ``clone()``'s would be)."""
    if t._data.flags.c_contiguous:
        return t
    return apply_op(S.CLONE, (t,), data=np.ascontiguousarray(t._data))


def cat(tensors, dim=0):
    """Join along an existing dim; grad_fn ``CatBackward0``."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for k, x in enumerate(tensors):
        if not x._data.ndim:
            raise RuntimeError(f"zero-dimensional tensor (at position {k}) cannot be "
                               "concatenated")
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
    if isinstance(tensors, Tensor) or not isinstance(tensors, list | tuple):
        raise TypeError(f"{func}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type_name(tensors)}")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type_name(x)}")
    return list(tensors)


def _dim_list(input, dim, func):
    dims = tuple(dim) if isinstance(dim, list | tuple) else (dim,)
    wrapped = tuple(input._wrap_dim(d) for d in dims)
    seen = set()
    for d in wrapped:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return tuple(sorted(wrapped)) if func != "flip" else wrapped


def flip(input, *dims):
    """The elements in reverse order along ``dims`` (a copy, as torch's)."""
    tensor_arg(input, "flip")
    if len(dims) == 1 and isinstance(dims[0], list | tuple):
        dims = tuple(dims[0])
    dims = _dim_list(input, dims, "flip")
    return apply_op(S.FLIP, (input,), (dims if input._data.ndim else (),))


def narrow(input, dim, start, length):
    """``length`` elements from ``start`` along ``dim``: a view (SliceBackward0)."""
    tensor_arg(input, "narrow")
    d = input._wrap_dim(dim)
    size = input._data.shape[d]
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return input[(slice(None),) * d + (slice(start, start + length),)]
