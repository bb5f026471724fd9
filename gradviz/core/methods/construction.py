"""Tensor's ``new_*`` methods (a new tensor with this one's dtype unless told otherwise, not
in the graph) and ``type_as``.

    >>> x = torch.zeros(2, dtype=torch.float64)
    >>> x.new_ones(3)
    tensor([1., 1., 1.], dtype=torch.float64)
"""

from __future__ import annotations

from gradviz.core.tensors import factories
from gradviz.core.tensors.tensor import Tensor


def _dtype(self, dtype):
    return self.dtype if dtype is None else dtype


class TensorConstruction:
    """Mixed into Tensor: factories that take their dtype from the tensor."""

    __slots__ = ()

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return factories.ones(*size, dtype=_dtype(self, dtype), requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return factories.zeros(*size, dtype=_dtype(self, dtype), requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return factories.empty(*size, dtype=_dtype(self, dtype), requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return factories.full(size, fill_value, dtype=_dtype(self, dtype),
                              requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        """A copy of ``data`` (a tensor's values are copied and detached) in this dtype."""
        if isinstance(data, Tensor):
            data = data.detach().numpy().copy()
        return factories.tensor(data, dtype=_dtype(self, dtype), requires_grad=requires_grad)

    def type_as(self, tensor):
        """This tensor cast to ``tensor``'s dtype (itself when they already agree)."""
        return self.to(tensor.dtype)
