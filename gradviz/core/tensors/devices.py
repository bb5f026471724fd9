"""Devices as a CPU-only torch build has them: ``"cpu"`` is where tensors live, ``"meta"``
holds shapes without data, CUDA and MPS fail with the errors such a build raises, and
factories' ``out=`` write into the tensor given (as torch's ``out=`` does)."""

from __future__ import annotations

import numpy as np

from gradviz.core.tensors.dtypes import from_numpy_dtype

DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")


def parse_device(text):
    """torch's parsing of a device string (``"cpu"``, ``"cuda:1"``): its errors for one
    that is malformed or names no device type."""
    if not text:
        raise RuntimeError("Device string must not be empty")
    name, colon, index = text.partition(":")
    if (not name or not all(c.isalpha() or c == "_" for c in name)
            or (colon and not (index.isdigit() and index.isascii()))):
        raise RuntimeError(f"Invalid device string: '{text}'")
    if name not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of "
                           f"device string: {name}")


_CUDA_MESSAGE = "Torch not compiled with CUDA enabled"
default = [None]  # the device a ``with gradviz.device(...)`` block makes factories use


def check_device(device, creating=True) -> bool:
    """Fail for a device this build does not have, as CPU-only torch does (``creating``: a
    factory's ``device=``; else ``.to(device)``); True for the meta device (shapes without
    data, :mod:`gradviz.core.tensors.meta`)."""
    if device is None:
        device = default[0]
        if device is None:
            return False
    if isinstance(device, str):
        parse_device(device)
    kind = str(getattr(device, "type", device)).split(":")[0]
    if kind == "cpu":
        return False
    if kind == "meta":
        return True
    if kind == "cuda":
        raise AssertionError(_CUDA_MESSAGE)
    if kind == "mps":
        if creating:
            raise NotImplementedError(
                "Could not run 'aten::empty.memory_format' with arguments from the 'MPS' "
                "backend. gradviz, like a CPU-only torch build, has no MPS device.")
        raise RuntimeError("PyTorch is not linked with support for mps devices")
    raise RuntimeError(
        "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
        "maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of "
        f"device string: {kind}")


_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool"}


def into_out(out, data, func, warn=True):
    """``out=``: ``data`` written into the tensor ``out`` (resized if its shape differs, as
    torch does for an ``out`` of another size, with its warning where ``warn``: ops, not
    factories); returns ``out``."""
    if type(out).__name__ != "Tensor" and not hasattr(out, "_data"):
        raise TypeError(f"{func}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if out._requires_grad and out._grad_fn is None:
        raise RuntimeError(
            f"{func}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad.")
    if not np.can_cast(data.dtype, out._data.dtype, "same_kind"):
        raise RuntimeError(f"result type {_SCALAR_NAMES[data.dtype.name]} can't be cast to "
                           f"the desired output type {_SCALAR_NAMES[out._data.dtype.name]}")
    if out._data.shape == data.shape and out._data.flags.writeable:
        np.copyto(out._data, data, casting="unsafe")
    else:
        if out._data.size and warn:
            import warnings

            warnings.warn(
                "An output with one or more elements was resized since it had shape "
                f"{list(out._data.shape)}, which does not match the required output shape "
                f"{list(data.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).", UserWarning, stacklevel=3)
        out._data = np.array(data, dtype=out._data.dtype)
    from_numpy_dtype(out._data.dtype)
    box = out._vbox
    if box is None:
        out._vbox = [1]
    else:
        box[0] += 1
    return out


def is_available() -> bool:
    """``torch.cuda.is_available()`` and ``torch.backends.mps.is_available()``: False."""
    return False


def device_count() -> int:
    """``torch.cuda.device_count()``: 0."""
    return 0
