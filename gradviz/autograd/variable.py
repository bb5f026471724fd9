"""Legacy ``Variable``: since PyTorch 0.4 a Variable is a Tensor, kept so old code runs.

    >>> from gradviz.autograd import Variable
    >>> v = Variable(gradviz.ones(2), requires_grad=True)   # a new leaf sharing the data
    >>> isinstance(v, Variable), v.is_leaf
    (True, True)
"""

from __future__ import annotations

from gradviz.core.api import Tensor, tensor

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: ``data.detach()`` with ``requires_grad`` set,
    as torch returns it; every Tensor is an instance of ``Variable``."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        if data is None:
            return tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        out.requires_grad_(requires_grad)
        return out
