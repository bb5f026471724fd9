"""``Linear`` (``y = x @ weight.T + bias``) and ``Identity``.

    >>> fc = torch.nn.Linear(784, 10)
    >>> fc.weight.shape, fc.bias.shape
    (torch.Size([10, 784]), torch.Size([10]))
"""

from __future__ import annotations

import math

from gradviz.core.functions import nn_functional as F
from gradviz.core.tensors.factories import empty
from gradviz.nn import init
from gradviz.nn.module import Module
from gradviz.nn.parameter import Parameter

__all__ = ["Identity", "Linear"]


class Linear(Module):
    """``y = x @ weight.T + bias``, weight and bias drawn from U(-1/sqrt(in), 1/sqrt(in)).

        >>> fc = torch.nn.Linear(784, 10)
        >>> fc.weight.shape, fc.bias.shape
        (torch.Size([10, 784]), torch.Size([10]))
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        # torch.empty's checks of the sizes and dtype (a negative or float size, a bad dtype)
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """torch's initialisation: kaiming_uniform_ with a=sqrt(5), then the bias alike."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input (a placeholder; arguments are ignored, as in torch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
