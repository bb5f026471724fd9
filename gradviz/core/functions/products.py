"""``prod`` (ProdBackward0, or ProdBackward1 along a dim) and ``cumprod``
(CumprodBackward0)."""

from __future__ import annotations

from gradviz.core.autograd.record import apply_op
from gradviz.core.optable import tensor_ops as O
from gradviz.core.tensors.checks import tensor_arg

__all__ = ["cumprod", "prod"]


def _promoted(input, dtype):
    if dtype is not None:
        return input.to(dtype)
    if input._data.dtype.kind in "biu":  # as torch: integer and bool products are int64
        return input.long()
    return input


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product of all elements, or along ``dim``."""
    tensor_arg(input, "prod")
    input = _promoted(input, dtype)
    if dim is None:
        return apply_op(O.PROD, (input,))
    return apply_op(O.PROD_DIM, (input,), (input._wrap_dim(dim), keepdim))


def cumprod(input, dim, *, dtype=None):
    """Running products along ``dim``."""
    tensor_arg(input, "cumprod")
    input = _promoted(input, dtype)
    return apply_op(O.CUMPROD, (input,), (input._wrap_dim(dim),))
