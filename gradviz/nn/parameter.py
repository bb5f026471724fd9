"""``Parameter``: the tensor type a ``Module`` registers as a parameter."""

from __future__ import annotations

import numpy as np

from gradviz.core.tensors.dtypes import legacy_type_name
from gradviz.core.tensors.factories import get_default_dtype
from gradviz.core.tensors.tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf tensor that a ``Module`` registers as one of its parameters.

        >>> w = torch.nn.Parameter(torch.zeros(2))
        >>> w.requires_grad, w.is_leaf
        (True, True)

    It shares ``data``'s array and version counter, as torch's does.
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = Tensor._make(np.zeros(0, get_default_dtype().np))
        if requires_grad and data._data.dtype.kind not in "fc":  # (torch's _make_subclass)
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._data = data._data
        self._vbox = data._version_box()
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = Parameter(Tensor._make(self._data.copy()), self._requires_grad)
        return memo[id(self)]


def _rebuild_parameter(data, requires_grad):
    return Parameter(Tensor._make(data), requires_grad)


def typename(obj) -> str:
    """``gradviz.FloatTensor`` for a tensor, else the qualified class name (torch.typename)."""
    if isinstance(obj, Tensor):
        return legacy_type_name(obj._data.dtype)
    cls = type(obj)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"
