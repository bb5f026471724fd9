"""``Conv1d`` and ``Conv2d``: learnable convolutions, initialised as torch initialises them.

    >>> conv = torch.nn.Conv2d(3, 16, kernel_size=3, padding=1)
    >>> conv(torch.randn(8, 3, 32, 32)).shape
    torch.Size([8, 16, 32, 32])
"""

from __future__ import annotations

import math

import numpy as np

from gradviz.core.functions import conv as CF
from gradviz.core.tensors.dtypes import to_numpy_dtype
from gradviz.core.tensors.factories import get_default_dtype
from gradviz.core.tensors.tensor import Tensor
from gradviz.nn import init
from gradviz.nn.module import Module
from gradviz.nn.parameter import Parameter

__all__ = ["Conv1d", "Conv2d"]


class _ConvNd(Module):
    _dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__()
        nd = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode != "zeros":
            raise NotImplementedError(f"gradviz's convolutions pad with zeros only, not "
                                      f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = CF.ntuple(kernel_size, nd)
        self.stride = CF.ntuple(stride, nd)
        self.padding = padding if isinstance(padding, str) else CF.ntuple(padding, nd)
        self.dilation = CF.ntuple(dilation, nd)
        self.groups, self.padding_mode = groups, padding_mode
        self.transposed, self.output_padding = False, (0,) * nd
        np_dtype = to_numpy_dtype(dtype, type(self).__name__) if dtype is not None \
            else get_default_dtype().np
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(Tensor._make(np.zeros(shape, np_dtype)))
        if bias:
            self.bias = Parameter(Tensor._make(np.zeros(out_channels, np_dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """torch's initialisation: kaiming_uniform_ with a=sqrt(5), the bias from
        U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = (self.in_channels // self.groups) * math.prod(self.kernel_size)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = ("{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
             .format(**self.__dict__))
        nd = self._dims
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1d(_ConvNd):
    """1-d convolution over ``(N, C_in, L)``: ``(N, C_out, L_out)``."""

    _dims = 1

    def forward(self, input):
        return CF.conv1d(input, self.weight, self.bias, self.stride, self.padding,
                         self.dilation, self.groups)


class Conv2d(_ConvNd):
    """2-d convolution over ``(N, C_in, H, W)``: ``(N, C_out, H_out, W_out)``."""

    _dims = 2

    def forward(self, input):
        return CF.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                         self.dilation, self.groups)
