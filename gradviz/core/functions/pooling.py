"""torch's pooling functions: ``max_pool1d/2d`` (MaxPool2DWithIndicesBackward0),
``avg_pool1d/2d`` (AvgPool2DBackward0), ``adaptive_avg_pool1d/2d``
(AdaptiveAvgPool2DBackward0, or MeanBackward1 for an output of one element, as torch).
The 1-d forms run the 2-d op between ``unsqueeze(-2)`` and ``squeeze(-2)``, as torch does.

    >>> F.max_pool2d(torch.randn(1, 1, 4, 4), 2).shape
    torch.Size([1, 1, 2, 2])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import reductions as RD
from gradviz.core.functions import shape as SH
from gradviz.core.functions.conv import ntuple
from gradviz.core.optable import conv as CV
from gradviz.core.optable import conv_helpers as C
from gradviz.core.tensors.checks import tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d",
           "max_pool1d", "max_pool2d"]


def _pool_args(input, name, kernel_size, stride, padding, dilation=1, ceil_mode=False):
    tensor_arg(input, name)
    x = input._data
    if x.ndim not in (3, 4) or x.size == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel = ntuple(kernel_size, 2, "kernel_size")
    stride = kernel if stride is None or stride == [] else ntuple(stride, 2, "stride")
    padding = ntuple(padding, 2, "padding")
    dilation = ntuple(dilation, 2, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should be greater than zero, but got "
                           f"dH: {stride[0]} dW: {stride[1]}")
    for k, p, d in zip(kernel, padding, dilation, strict=True):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    out = [C.pool_out_size(n, k, st, p, d, ceil_mode) for n, k, st, p, d in
           zip(x.shape[-2:], kernel, stride, padding, dilation, strict=True)]
    if min(out) < 1:
        planes, h, w = x.shape[-3:]
        raise RuntimeError(f"Given input size: ({planes}x{h}x{w}). Calculated output size: "
                           f"({planes}x{out[0]}x{out[1]}). Output size is too small")
    return kernel, stride, padding, dilation


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The max of each ``kernel_size`` window; with ``return_indices`` also where it was."""
    kernel, stride, padding, dilation = _pool_args(input, "max_pool2d", kernel_size, stride,
                                                   padding, dilation, ceil_mode)
    values, indices = C.max_pool_with_indices(input._data, kernel, stride, padding, dilation,
                                              ceil_mode)
    out = apply_op(CV.MAX_POOL2D, (input,),
                   (kernel, stride, padding, dilation, ceil_mode, indices), data=values)
    return (out, Tensor._make(indices)) if return_indices else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """``max_pool2d`` over the last dim, between an unsqueeze and a squeeze."""
    tensor_arg(input, "max_pool1d")
    if input._data.ndim not in (2, 3):
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got "
                           f"{list(input._data.shape)}")
    k, st, p, d = (ntuple(v, 1)[0] for v in (
        kernel_size, stride if stride not in (None, []) else kernel_size, padding, dilation))
    size = C.pool_out_size(input._data.shape[-1], k, st, p, d, ceil_mode)
    if size < 1 and k > 0 and st > 0 and d > 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {size}")
    out = max_pool2d(SH.unsqueeze(input, -2), (1, *ntuple(kernel_size, 1)),
                     (1, *ntuple(stride if stride not in (None, []) else kernel_size, 1)),
                     (0, *ntuple(padding, 1)), (1, *ntuple(dilation, 1)), ceil_mode,
                     return_indices)
    if return_indices:
        return SH.squeeze(out[0], -2), SH.squeeze(out[1], -2)
    return SH.squeeze(out, -2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each ``kernel_size`` window (padding counted unless
    ``count_include_pad=False``)."""
    kernel, stride, padding, _ = _pool_args(input, "avg_pool2d", kernel_size, stride, padding,
                                            ceil_mode=ceil_mode)
    if input._data.dtype.kind != "f":
        raise RuntimeError("\"avg_pool2d\" not implemented for 'Long'"
                           if input._data.dtype == np.int64 else
                           f"\"avg_pool2d\" not implemented for '{input._data.dtype.name}'")
    return apply_op(CV.AVG_POOL2D, (input,),
                    (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override))


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """``avg_pool2d`` over the last dim, between an unsqueeze and a squeeze."""
    tensor_arg(input, "avg_pool1d")
    out = avg_pool2d(SH.unsqueeze(input, -2), (1, *ntuple(kernel_size, 1)),
                     (1, *ntuple(stride if stride not in (None, []) else kernel_size, 1)),
                     (0, *ntuple(padding, 1)), ceil_mode, count_include_pad)
    return SH.squeeze(out, -2)


def adaptive_avg_pool2d(input, output_size):
    """Mean pooling to a fixed ``output_size`` whatever the input's size."""
    tensor_arg(input, "adaptive_avg_pool2d")
    x = input._data
    if x.ndim not in (3, 4):
        raise RuntimeError("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(x.shape)}")
    size = ntuple(output_size, 2, "output_size") if not isinstance(output_size, tuple | list) \
        else tuple(x.shape[-2 + i] if s is None else s for i, s in enumerate(output_size))
    if size == (1, 1):  # torch computes it as a mean
        return RD.mean(input, (-1, -2), keepdim=True)
    return apply_op(CV.ADAPTIVE_AVG_POOL2D, (input,), (size,))


def adaptive_avg_pool1d(input, output_size):
    """``adaptive_avg_pool2d`` over the last dim, between an unsqueeze and a squeeze."""
    tensor_arg(input, "adaptive_avg_pool1d")
    size = ntuple(output_size, 1, "output_size")
    return SH.squeeze(adaptive_avg_pool2d(SH.unsqueeze(input, -2), (1, size[0])), -2)
