"""``split``, ``chunk`` and ``unbind``: a tensor cut into pieces along a dim.

torch records the pieces as the outputs of one node (SplitBackward0,
SplitWithSizesBackward0, UnbindBackward0); this engine's nodes have one output, so each
piece here is its own view, SliceBackward0 (``split``, ``chunk``) or SelectBackward0
(``unbind``). Values and gradients are torch's; the graph shows one node per piece.

    >>> a, b = torch.arange(6.0).chunk(2)
    >>> b
    tensor([3., 4., 5.])
"""

from __future__ import annotations

from gradviz.core.functions import shape as SH
from gradviz.core.tensors.checks import tensor_arg

__all__ = ["chunk", "split", "unbind"]


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
