"""Layers and containers: ``Linear``, ``Sequential``, ``ModuleList``, ``Identity``,
``Flatten`` and the activations ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``, ``LogSoftmax``.

    >>> model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
    ...                             torch.nn.Linear(256, 10))
    >>> model(torch.randn(32, 784)).shape
    torch.Size([32, 10])
"""

from __future__ import annotations

import math
import operator
from collections import OrderedDict

import numpy as np

from gradviz.core import functional as F
from gradviz.core import math_ops as M
from gradviz.core import nn_init as init
from gradviz.core import shape_ops as SH
from gradviz.core.dtypes import to_numpy_dtype
from gradviz.core.factories import get_default_dtype
from gradviz.core.nn_modules import Module, Parameter, _addindent
from gradviz.core.tensor import Tensor

# ---------------------------------------------------------------- layers


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
        np_dtype = to_numpy_dtype(dtype, "Linear") if dtype is not None else get_default_dtype().np
        self.weight = Parameter(Tensor._make(np.zeros((out_features, in_features), np_dtype)))
        if bias:
            self.bias = Parameter(Tensor._make(np.zeros(out_features, np_dtype)))
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


class Flatten(Module):
    """Flattens dims ``start_dim..end_dim``: (N, 1, 28, 28) -> (N, 784) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return SH.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


# ---------------------------------------------------------------- activations


class ReLU(Module):
    """``max(x, 0)`` element-wise (in place with ``inplace=True``)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return input.relu_() if self.inplace else M.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    def forward(self, input):
        return M.sigmoid(input)


class Tanh(Module):
    def forward(self, input):
        return M.tanh(input)


class Softmax(Module):
    """``softmax`` along ``dim``: ``nn.Softmax(dim=1)`` for (batch, classes) scores."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, input):
        return F.log_softmax(input, self.dim)


# ---------------------------------------------------------------- containers


def _index(idx, size):
    idx = operator.index(idx)
    if not -size <= idx < size:
        raise IndexError(f"index {idx} is out of range")
    return idx % size


class Sequential(Module):
    """Modules run one after the other, each on the previous one's output.

        >>> torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU())
        Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): ReLU()
        )

    An ``OrderedDict`` of modules names the steps instead of numbering them.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[_index(idx, len(self))]

    def __setitem__(self, idx, module):
        setattr(self, list(self._modules)[_index(idx, len(self))], module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        for key in keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys))]]:
            delattr(self, key)
        self._renumber(list(self._modules.values()))

    def _renumber(self, modules):
        self._modules = {str(i): m for i, m in enumerate(modules)}

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        modules = list(self._modules.values())
        modules.insert(index % (n + 1) if index < 0 else index, module)
        self._renumber(modules)
        return self


class ModuleList(Sequential):
    """A list of modules whose parameters the parent registers (no ``forward``)."""

    def __init__(self, modules=None):
        Module.__init__(self)
        if modules is not None:
            self.extend(modules)

    forward = Module.forward

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return list(self._modules.values())[_index(idx, len(self))]

    def __iadd__(self, modules):
        return self.extend(modules)

    def __repr__(self):
        # runs of equal modules print once: "(0-2): 3 x Linear(...)", as torch's
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        runs = []  # [first, last, text]
        for i, text in enumerate(reprs):
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = [_addindent(f"({a}): {t}" if a == b else f"({a}-{b}): {b - a + 1} x {t}", 2)
                 for a, b, t in runs]
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
