"""``torch.finfo`` and ``torch.iinfo``: the limits of a floating-point or integer dtype,
printed as torch prints them.

    >>> torch.finfo(torch.float32).eps
    1.1920928955078125e-07
    >>> torch.iinfo(torch.int8)
    iinfo(min=-128, max=127, dtype=int8)
"""

from __future__ import annotations

import numpy as np

from gradviz.core.tensors.dtypes import to_numpy_dtype
from gradviz.core.tensors.factories import get_default_dtype

__all__ = ["finfo", "iinfo"]


class finfo:  # noqa: N801 - torch's name
    """The limits of a floating-point dtype (the default dtype when none is given)."""

    def __init__(self, type=None):  # noqa: A002 - torch's argument name
        np_dtype = to_numpy_dtype(type or get_default_dtype(), "finfo")
        if np_dtype.kind != "f":
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = np.finfo(np_dtype)
        self.bits, self.dtype = info.bits, np_dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - torch's name
    """The limits of an integer dtype."""

    def __init__(self, type):  # noqa: A002 - torch's argument name
        np_dtype = to_numpy_dtype(type, "iinfo")
        if np_dtype.kind not in "iu":
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(np_dtype)
        self.bits, self.dtype = info.bits, np_dtype.name
        self.min, self.max = int(info.min), int(info.max)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
