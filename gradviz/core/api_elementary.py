"""torch's top-level names for the elementary functions of
:mod:`gradviz.core.functions.elementary` (``torch.log10``, ``torch.atan2``...),
``movedim``/``moveaxis``, ``swapaxes``/``swapdims``, ``addmm``, ``diag_embed`` and
``torch.functional``-style helpers (``meshgrid``, ``broadcast_tensors``), re-exported by
``gradviz``.

    >>> xs, ys = torch.meshgrid(torch.arange(2), torch.arange(3), indexing="ij")
    >>> ys
    tensor([[0, 1, 2],
            [0, 1, 2]])
"""

from __future__ import annotations

import warnings

import numpy as np

from gradviz.core.functions import shape as SH
from gradviz.core.functions.attention import addmm
from gradviz.core.functions.elementary import (
    acosh,
    arccosh,
    arcsinh,
    arctan2,
    arctanh,
    asinh,
    atan2,
    atanh,
    deg2rad,
    erfc,
    fix,
    frac,
    hypot,
    log10,
    logaddexp,
    rad2deg,
    trunc,
    xlogy,
)
from gradviz.core.methods.elementary import movedim

__all__ = ["acosh", "addmm", "arccosh", "arcsinh", "arctan2", "arctanh", "asinh", "atan2",
           "atanh", "broadcast_tensors", "deg2rad", "erfc", "fix", "frac", "hypot", "log10",
           "logaddexp", "meshgrid", "moveaxis", "movedim", "rad2deg", "swapaxes", "swapdims",
           "trunc", "xlogy"]

moveaxis = movedim


def swapaxes(input, axis0, axis1):
    """``input.transpose(axis0, axis1)``."""
    return SH.transpose(input, axis0, axis1)


swapdims = swapaxes


def broadcast_tensors(*tensors):
    """The tensors expanded to their common shape (ExpandBackward0 where one grows)."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(SH.expand(t, *shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors (``indexing="ij"``, the default, or ``"xy"``), as
    torch builds them: a view of each, expanded."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0], *tensors[2:])
    shape = tuple(t._data.shape[0] if t._data.ndim else 1 for t in tensors)
    grids = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[i] = -1
        grids.append(SH.expand(SH.view(t, *view), *shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
