"""Parts of matrices: ``tril``, ``triu``, ``diagonal`` (DiagonalBackward0), ``diag``
(DiagEmbedBackward0 from a vector, the diagonal of a matrix), ``trace``."""

from __future__ import annotations

from gradviz.core.autograd.record import apply_op
from gradviz.core.optable import tensor_ops as O
from gradviz.core.tensors.checks import tensor_arg

__all__ = ["diag", "diagonal", "trace", "tril", "triu"]


def _matrix(input, name):
    tensor_arg(input, name)
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions.")


def tril(input, diagonal=0):
    """The lower triangle (below and on the ``diagonal``-th diagonal); zeros above."""
    _matrix(input, "tril")
    return apply_op(O.TRIL, (input,), (diagonal,))


def triu(input, diagonal=0):
    """The upper triangle; zeros below."""
    _matrix(input, "triu")
    return apply_op(O.TRIU, (input,), (diagonal,))


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset``-th diagonal of the matrices in dims ``dim1`` and ``dim2`` (a copy
    here, where torch returns a view)."""
    tensor_arg(input, "diagonal")
    d1, d2 = input._wrap_dim(dim1), input._wrap_dim(dim2)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return apply_op(O.DIAGONAL, (input,), (input._data.shape, offset, d1, d2))


def diag(input, diagonal=0):
    """A vector -> the square matrix with it on the ``diagonal``-th diagonal; a matrix -> its
    diagonal."""
    tensor_arg(input, "diag")
    nd = input._data.ndim
    if nd == 1:
        return apply_op(O.DIAG_EMBED, (input,), (diagonal,))
    if nd == 2:
        return apply_op(O.DIAGONAL_COPY, (input,), (input._data.shape, diagonal, 0, 1))
    raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{nd}D")


def trace(input):
    """The sum of the main diagonal of a matrix."""
    tensor_arg(input, "trace")
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._data.ndim}")
    return apply_op(O.TRACE, (input,), (input._data.shape,))
