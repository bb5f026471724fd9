"""Where a view's elements sit in its base: the index arrays that ``CopySlices`` and
``AsStridedBackward0`` use to route a view's gradient into its base's."""

from __future__ import annotations

import numpy as np


def positions(base, view) -> tuple:
    """Where each element of ``view`` (an array on ``base``'s memory) sits in ``base``: one
    index array per axis of ``base``, each of the view's shape. A 0-d base has no axis: its
    views (of one element) are it with new size-1 dims, ``None`` in each."""
    if base.ndim == 0:
        return (None,) * view.ndim
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    if base.flags.c_contiguous:  # the usual case: an element's offset is its flat index
        flat = (_byte_offsets(view) + start) // base.itemsize
    else:
        offsets = _byte_offsets(base).ravel()
        order = np.argsort(offsets, kind="stable")
        flat = order[np.searchsorted(offsets[order], _byte_offsets(view) + start)]
    return np.unravel_index(flat, base.shape)


def _byte_offsets(a):
    out = np.zeros(a.shape, dtype=np.intp)
    for axis, (n, stride) in enumerate(zip(a.shape, a.strides, strict=True)):
        shape = [1] * a.ndim
        shape[axis] = n
        out = out + (np.arange(n, dtype=np.intp) * stride).reshape(shape)
    return out
