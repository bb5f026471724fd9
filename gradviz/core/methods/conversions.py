"""Tensor's conversions: ``to``, ``type``, ``float``, ``long``, ``bool``... and ``cpu``.

    >>> import gradviz as torch
    >>> torch.ones(2).long()
    tensor([1, 1])
    >>> torch.ones(2).to(torch.float64).dtype
    torch.float64
"""

from __future__ import annotations

from gradviz.core.methods.math import TensorMath


class TensorConversions:
    """Mixed into Tensor: copies of a tensor with another dtype (recorded as ToCopyBackward0)."""

    __slots__ = ()

    def to(self, *args, **kwargs):
        from gradviz.core.tensors.dtypes import dtype

        target = kwargs.get("dtype")
        device = kwargs.get("device")
        for a in args:
            if isinstance(a, dtype | type):
                target = a
            elif isinstance(a, TensorMath):
                target = a.dtype
            elif isinstance(a, str) or type(a).__name__ == "device":
                device = a
        if device is not None and str(device).split(":")[0] == "cuda":
            raise AssertionError("Torch not compiled with CUDA enabled")  # a CPU-only torch
        if isinstance(target, type):
            from gradviz.core.tensors.dtypes import from_numpy_dtype, to_numpy_dtype

            target = from_numpy_dtype(to_numpy_dtype(target, "to"))
        if target is None or target.np == self._data.dtype:
            return self
        return self._cast(target)

    def _cast(self, target):
        from gradviz.core.optable.casts import cast

        return cast(self, target)

    def type(self, dtype=None):
        if dtype is None:
            from gradviz.core.tensors.dtypes import legacy_type_name

            return legacy_type_name(self._data.dtype).replace("gradviz.", "torch.")
        return self.to(dtype)

    def float(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.float32)

    def double(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.float64)

    def long(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.int64)

    def int(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.int32)

    def bool(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.bool)

    def half(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.float16)

    def cpu(self):
        return self
