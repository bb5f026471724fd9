"""torch's legacy tensor types: ``torch.FloatTensor([1, 2])`` builds a float32 tensor,
``torch.LongTensor(3)`` an int64 one of size 3, and ``isinstance(x, torch.FloatTensor)``
asks for the dtype.

    >>> torch.LongTensor([1, 2])
    tensor([1, 2])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.tensors.factories import _size, _to_array
from gradviz.core.tensors.tensor import Tensor

__all__ = ["BoolTensor", "ByteTensor", "DoubleTensor", "FloatTensor", "HalfTensor",
           "IntTensor", "LongTensor", "ShortTensor"]


class _LegacyType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls._np

    def __call__(cls, *args):
        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]
            if isinstance(data, Tensor):
                data = data._data
            return Tensor._make(_to_array(data, cls._np, cls.__name__))
        shape = _size(args, cls.__name__) if args else (0,)
        return Tensor._make(np.zeros(shape, cls._np))


def _legacy(name, np_dtype):
    return _LegacyType(name, (), {"_np": np.dtype(np_dtype), "__module__": "torch",
                                  "__doc__": f"torch.{name}: {np.dtype(np_dtype)} tensors"})


FloatTensor = _legacy("FloatTensor", np.float32)
DoubleTensor = _legacy("DoubleTensor", np.float64)
HalfTensor = _legacy("HalfTensor", np.float16)
LongTensor = _legacy("LongTensor", np.int64)
IntTensor = _legacy("IntTensor", np.int32)
ShortTensor = _legacy("ShortTensor", np.int16)
ByteTensor = _legacy("ByteTensor", np.uint8)
BoolTensor = _legacy("BoolTensor", np.bool_)
