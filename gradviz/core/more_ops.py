"""``flip``, ``cumsum``, ``logsumexp``, ``amax``/``amin`` and ``narrow``, under torch's names
and with torch's errors."""

from __future__ import annotations

from gradviz.core.op_args import tensor_arg
from gradviz.core.ops import more_reductions as MR
from gradviz.core.record import apply_op


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
    return apply_op(MR.FLIP, (input,), (_dim_list(input, dims, "flip"),))


def cumsum(input, dim, dtype=None):
    """Running sums along ``dim`` (integers and bools sum as int64)."""
    tensor_arg(input, "cumsum")
    if dtype is not None:
        input = input.to(dtype)
    return apply_op(MR.CUMSUM, (input,), (input._wrap_dim(dim),))


def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input)))`` along ``dim``, computed without overflow."""
    tensor_arg(input, "logsumexp")
    return apply_op(MR.LOGSUMEXP, (input,), (_dim_list(input, dim, "logsumexp"), keepdim))


def _extreme(op, name, input, dim, keepdim):
    tensor_arg(input, name)
    dims = _dim_list(input, dim, name) if dim != () else tuple(range(input._data.ndim))
    return apply_op(op, (input,), (dims, keepdim))


def amax(input, dim=(), keepdim=False):
    """The maximum along ``dim`` (all dims by default); ties share the gradient."""
    return _extreme(MR.AMAX, "amax", input, dim, keepdim)


def amin(input, dim=(), keepdim=False):
    """The minimum along ``dim`` (all dims by default); ties share the gradient."""
    return _extreme(MR.AMIN, "amin", input, dim, keepdim)


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
