"""Tensor dtypes with torch's names, each backed by a NumPy dtype."""

from __future__ import annotations

import builtins

import numpy as np


class dtype:  # noqa: N801 - torch's name
    """A tensor element type, printed as torch prints it (``torch.float32``)."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_legacy")

    def __init__(self, name, np_type, legacy):
        self.name = name
        self.np = np.dtype(np_type)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize
        self._legacy = legacy

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = half = dtype("float16", np.float16, "HalfTensor")
float32 = float = dtype("float32", np.float32, "FloatTensor")  # noqa: A001
float64 = double = dtype("float64", np.float64, "DoubleTensor")
int8 = dtype("int8", np.int8, "CharTensor")
uint8 = dtype("uint8", np.uint8, "ByteTensor")
int16 = short = dtype("int16", np.int16, "ShortTensor")
int32 = int = dtype("int32", np.int32, "IntTensor")  # noqa: A001
int64 = long = dtype("int64", np.int64, "LongTensor")
bool = dtype("bool", np.bool_, "BoolTensor")  # noqa: A001

ALL = (float16, float32, float64, int8, uint8, int16, int32, int64, bool)
_FROM_NP = {d.np: d for d in ALL}
_NAMES = {d.name: d for d in ALL}


_PYTHON_TYPES = {builtins.float: float64, builtins.int: int64, builtins.bool: bool}


def _by_name(name):
    return _NAMES[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The gradviz dtype for a NumPy dtype; TypeError for unsupported ones."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, int64, int32, int16, int8, "
            "uint8, and bool."
        ) from None


def to_numpy_dtype(d, func="tensor") -> np.dtype:
    """Check a ``dtype=`` argument the way torch does and return its NumPy dtype."""
    if isinstance(d, dtype):
        return d.np
    py = _PYTHON_TYPES.get(d) if isinstance(d, type) else None
    if py is not None:  # torch takes float, int and bool for float64, int64 and bool
        return py.np
    raise TypeError(f"{func}(): argument 'dtype' must be gradviz.dtype, not {type(d).__name__}")


def legacy_type_name(np_dtype) -> str:
    """``gradviz.FloatTensor``-style names used in torch's error messages."""
    return "gradviz." + _FROM_NP[np_dtype]._legacy


def from_legacy_name(name):
    """The dtype of a legacy type name (``Tensor.type("torch.DoubleTensor")``), or torch's
    ValueError for a string that names none."""
    if name.startswith("torch.cuda."):
        raise AssertionError("Torch not compiled with CUDA enabled")
    for prefix in ("torch.", "gradviz."):
        if name.startswith(prefix):
            for d in _FROM_NP.values():
                if d._legacy == name[len(prefix):]:
                    return d
    raise ValueError(f"invalid type: '{name}'")
