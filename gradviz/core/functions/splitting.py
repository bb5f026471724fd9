"""``split``, ``chunk``, ``tensor_split`` and ``unbind``: a tensor cut into pieces along a dim.

torch records the pieces as the outputs of one node (SplitBackward0,
SplitWithSizesBackward0, UnbindBackward0); this engine's nodes have one output, so each
piece here is its own view, SliceBackward0 (``split``, ``chunk``) or SelectBackward0
(``unbind``). Values and gradients are torch's; the graph shows one node per piece.
``tensor_split`` is a slice per piece in torch too (SliceBackward0 each).

    >>> a, b = torch.arange(6.0).chunk(2)
    >>> b
    tensor([3., 4., 5.])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.functions import shape as SH
from gradviz.core.tensors.checks import _torch_type, tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["chunk", "split", "tensor_split", "unbind"]


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the sizes
    listed."""
    tensor_arg(tensor, "split")
    d = tensor._wrap_dim(dim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [min(size, n - start) for start in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
    pieces, start = [], 0
    for size in sizes:
        pieces.append(SH.narrow(tensor, d, start, size))
        start += size
    return tuple(pieces)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size (the last may be smaller)."""
    tensor_arg(input, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[input._wrap_dim(dim)]
    size = -(-n // chunks) if n else 1
    return split(input, size, dim)


def unbind(input, dim=0):
    """Every slice along ``dim``, that dim removed."""
    tensor_arg(input, "unbind")
    d = input._wrap_dim(dim)
    lead = (slice(None),) * d
    return tuple(input[(*lead, i)] for i in range(input._data.shape[d]))


def tensor_split(input, indices_or_sections, dim=0):
    """``sections`` pieces of sizes differing by at most one (the first ones larger), or the
    pieces between the ``indices`` listed (a list, or a 1-d tensor; a 0-d tensor is a number
    of sections): each ``input`` sliced along ``dim`` (SliceBackward0)."""
    tensor_arg(input, "tensor_split")
    if input._data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = input._wrap_dim(dim)
    n = input._data.shape[d]
    split_at = indices_or_sections
    if isinstance(split_at, Tensor):
        data = split_at._data
        if data.dtype != np.int64:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {_torch_type(data.dtype)}")
        if data.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {data.ndim} dims")
        split_at = int(data) if data.ndim == 0 else [int(i) for i in data]
    if isinstance(split_at, int | np.integer):
        if split_at <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {split_at}")
        size, extra = divmod(n, split_at)
        ends = np.cumsum([size + 1 if i < extra else size for i in range(split_at)])
        bounds = list(zip([0, *ends[:-1]], ends, strict=True))
    else:
        cuts = [int(i) for i in split_at]
        bounds = list(zip([0, *cuts], [*cuts, n], strict=True))
    lead = (slice(None),) * d
    return tuple(input[(*lead, slice(int(a), int(b)))] for a, b in bounds)
