"""Tensor's conversions: its constructor, ``to``, ``type``, ``float``, ``long``, ``bool``...
and ``cpu``.

    >>> import gradviz as torch
    >>> torch.ones(2).long()
    tensor([1, 1])
    >>> torch.ones(2).to(torch.float64).dtype
    torch.float64
"""

from __future__ import annotations

from gradviz.core.optable.casts import cast
from gradviz.core.tensors import dtypes
from gradviz.core.tensors.devices import check_device
from gradviz.core.tensors.dtypes import dtype, from_numpy_dtype, legacy_type_name, to_numpy_dtype
from gradviz.core.tensors.factories import _tensor_constructor
from gradviz.core.tensors.meta import MetaArray, meta_like
from gradviz.core.tensors.tensor import Tensor


class TensorConversions:
    """Mixed into Tensor: copies of a tensor with another dtype (recorded as ToCopyBackward0)."""

    __slots__ = ()

    def __init__(self, *args):
        """``gradviz.Tensor(data)`` (float32) or ``gradviz.Tensor(*sizes)`` (zeros), torch's
        legacy constructor."""
        self._data = _tensor_constructor(args)

    def to(self, *args, **kwargs):
        target = kwargs.get("dtype")
        device = kwargs.get("device")
        for a in args:
            if isinstance(a, dtype | type):
                target = a
            elif isinstance(a, Tensor):
                target = a.dtype
            elif isinstance(a, str) or type(a).__name__ == "device":
                device = a
        to_meta = check_device(device, creating=False)  # as a CPU-only torch build
        if isinstance(self._data, MetaArray) and device is not None and not to_meta:
            raise NotImplementedError("Cannot copy out of meta tensor; no data!")
        if to_meta and not isinstance(self._data, MetaArray):  # the shape, without the data
            out = self.detach() if target is None else self.detach()._cast(target)
            moved = Tensor._make(meta_like(out._data))
            moved._requires_grad = self._requires_grad and self._grad_fn is None
            return moved
        if isinstance(target, type):
            target = from_numpy_dtype(to_numpy_dtype(target, "to"))
        if target is None or target.np == self._data.dtype:
            return self
        return self._cast(target)

    def _cast(self, target):
        return cast(self, target)

    def type(self, dtype=None):
        if dtype is None:
            return legacy_type_name(self._data.dtype).replace("gradviz.", "torch.")
        if isinstance(dtype, str):  # a legacy type name: "torch.DoubleTensor"
            dtype = dtypes.from_legacy_name(dtype)
        return self.to(dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def half(self):
        return self.to(dtypes.float16)

    def bfloat16(self):
        raise TypeError("gradviz's NumPy engine has no bfloat16 (NumPy has no such type): use "
                        "half() for 16-bit floats, or `gradviz --engine torch` for real PyTorch")

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        check_device("cuda")
