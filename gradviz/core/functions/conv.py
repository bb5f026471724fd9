"""torch's convolutions (``F.conv1d``, ``F.conv2d``): one ConvolutionBackward0 node whose
inputs are the input, the weight and the bias (``None`` edge without one); an unbatched
input is unsqueezed first and squeezed after, as torch does.

    >>> x = torch.randn(1, 3, 8, 8)
    >>> w = torch.randn(4, 3, 3, 3, requires_grad=True)
    >>> F.conv2d(x, w, padding=1).shape
    torch.Size([1, 4, 8, 8])
"""

from __future__ import annotations

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import shape as SH
from gradviz.core.optable import conv as CV
from gradviz.core.tensors.checks import _torch_type, tensor_arg

__all__ = ["conv1d", "conv2d", "ntuple"]


def ntuple(value, n, name="kernel_size"):
    """``3`` -> ``(3, 3)``; a sequence of ``n`` ints as a tuple."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(value)}")
    return value


def _same_padding(kernel, dilation, stride):
    if any(s != 1 for s in stride):
        raise ValueError("padding='same' is not supported for strided convolutions")
    total = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
    if any(t % 2 for t in total):
        raise NotImplementedError("gradviz: padding='same' with an even effective kernel size "
                                  "(torch pads one side more) is not supported")
    return tuple(t // 2 for t in total)


def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    name = f"conv{nd}d"
    tensor_arg(input, name)
    tensor_arg(weight, name, "weight", 2)
    x, w = input._data, weight._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(x.shape)}")
    if bias is not None and bias._data.dtype != x.dtype:  # (torch checks the bias first)
        raise RuntimeError(f"Input type ({_type_word(x.dtype)}) and bias type "
                           f"({_type_word(bias._data.dtype)}) should be the same")
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {_torch_type(x.dtype)} but found "
                           f"{_torch_type(w.dtype)}")
    stride = ntuple(stride, nd, "stride")
    dilation = ntuple(dilation, nd, "dilation")
    kernel = w.shape[2:]
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             "{'valid', 'same'}")
        padding = (0,) * nd if padding == "valid" else _same_padding(kernel, dilation, stride)
    padding = ntuple(padding, nd, "padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    batched = x.ndim == nd + 2
    channels = x.shape[1] if batched else x.shape[0]
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size "
                           f"[{list(w.shape)}] instead")
    if channels != w.shape[1] * groups:
        shown = list(x.shape) if batched else [1, *x.shape]
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                           f"input{shown} to have {w.shape[1] * groups} channels, but got "
                           f"{channels} channels instead")
    spatial = x.shape[-nd:]
    padded = tuple(n + 2 * p for n, p in zip(spatial, padding, strict=True))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    if any(p < s for p, s in zip(padded, span, strict=True)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, span))}). Kernel size can't be greater "
                           "than actual input size")
    if not batched:
        input = SH.unsqueeze(input, 0)
    out = apply_op(CV.CONVOLUTION, (input, weight, bias), (stride, padding, dilation, groups))
    return out if batched else SH.squeeze(out, 0)


def _type_word(dtype):
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "float16": "c10::Half"}.get(dtype.name, dtype.name)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution of ``(N, C, L)`` (or ``(C, L)``) with ``(O, C / groups, K)``."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution of ``(N, C, H, W)`` (or ``(C, H, W)``) with ``(O, C / groups, KH,
    KW)``: grad_fn ``ConvolutionBackward0``."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


