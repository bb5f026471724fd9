"""``repeat`` and ``tile`` (RepeatBackward0), ``roll`` (RollBackward0) and
``broadcast_to`` (ExpandBackward0)."""

from __future__ import annotations

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import shape as SH
from gradviz.core.optable import tensor_ops as O
from gradviz.core.tensors.checks import tensor_arg

__all__ = ["broadcast_to", "repeat", "roll", "tile"]


def _sizes(args):
    if len(args) == 1 and not isinstance(args[0], int):
        return tuple(int(a) for a in args[0])
    return tuple(int(a) for a in args)


def repeat(input, *repeats):
    """The tensor copied ``repeats[d]`` times along each dim (more dims may be added in
    front)."""
    repeats = _sizes(repeats)
    if len(repeats) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    shape = (1,) * (len(repeats) - input._data.ndim) + input._data.shape
    target = [n * r for n, r in zip(shape, repeats)]
    for n in target:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {target}")
    return apply_op(O.REPEAT, (input,), (input._data.shape, repeats))


def tile(input, dims):
    """``repeat`` with ones put in front of ``dims`` for the missing dims."""
    tensor_arg(input, "tile")
    dims = _sizes((dims,))
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


def roll(input, shifts, dims=None):
    """Elements shifted along ``dims`` (all of the flattened tensor when None), wrapping."""
    tensor_arg(input, "roll")
    if dims is not None:
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
        shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
        if len(dims) != len(shifts):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               f"dims:{len(dims)}")
        dims = tuple(input._wrap_dim(d) for d in dims)
    else:
        shifts = shifts if isinstance(shifts, int) else tuple(shifts)
    return apply_op(O.ROLL, (input,), (shifts, dims))


def broadcast_to(input, size):
    """``expand``, by its NumPy name."""
    return SH.expand(input, *size)
