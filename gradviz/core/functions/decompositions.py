"""``torch.linalg``: norms, inverses, determinants, solvers, cross products and the SVD,
recorded as torch records them (``linalg.norm(A, 2)`` is AmaxBackward0 over
LinalgSvdBackward0 over PermuteBackward0, ``matrix_power(A, 3)`` two MmBackward0), and the
order statistics ``median``, ``nanmedian`` and ``kthvalue``.

    >>> A = torch.tensor([[2.0, 0.0], [0.0, 4.0]], requires_grad=True)
    >>> torch.linalg.inv(A)
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]], grad_fn=<LinalgInvExBackward0>)
    >>> torch.linalg.det(A)
    tensor(8., grad_fn=<LinalgDetBackward0>)
"""

from __future__ import annotations

import numbers
import warnings
from typing import NamedTuple

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import linalg as LA
from gradviz.core.functions import reductions as RD
from gradviz.core.functions import shape as SH
from gradviz.core.functions.pointwise import where
from gradviz.core.optable import decompositions as D
from gradviz.core.tensors.checks import _torch_type, tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["LinAlgError", "cross", "det", "inv", "inv_ex", "kthvalue", "logdet", "matrix_norm",
           "matrix_power", "median", "multi_dot", "nanmedian", "norm", "slogdet", "solve",
           "solve_ex", "svd", "svdvals", "torch_svd", "vecdot", "vector_norm"]


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a matrix that cannot be inverted or solved with."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"  # as torch prints it


def _named(name, fields):
    """A ``torch.return_types.<name>`` named tuple, printed as torch prints it."""
    base = NamedTuple(name, [(f, object) for f in fields])

    def __repr__(self):  # noqa: N807
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{body})"

    return type(name, (base,), {"__repr__": __repr__, "__slots__": ()})


_svd = _named("linalg_svd", ("U", "S", "Vh"))
_torch_svd = _named("svd", ("U", "S", "V"))
_slogdet = _named("linalg_slogdet", ("sign", "logabsdet"))
_inv_ex = _named("linalg_inv_ex", ("inverse", "info"))
_solve_ex = _named("linalg_solve_ex", ("result", "info"))
_median = _named("median", ("values", "indices"))
_nanmedian = _named("nanmedian", ("values", "indices"))
_kthvalue = _named("kthvalue", ("values", "indices"))


def _float_input(A, func):
    tensor_arg(A, func, "A")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"{func}: Expected a floating point or complex tensor as input. "
                           f"Got {_torch_type(A._data.dtype)}")


def _square(A, func):
    _float_input(A, func)
    shape = A._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"{func}: The input tensor A must have at least 2 dimensions.")
    if shape[-1] != shape[-2]:
        raise RuntimeError(f"{func}: A must be batches of square matrices, but they are "
                           f"{shape[-2]} by {shape[-1]} matrices")


def _singular(func, what):
    return LinAlgError(f"{func}: {what}")


# ---------------------------------------------------------------- inverse, determinants
def inv(A, *, out=None):
    """The inverse of a square matrix (or of each in a batch); LinalgInvExBackward0."""
    _square(A, "linalg.inv")
    try:
        data = np.linalg.inv(A._data)
    except np.linalg.LinAlgError:
        raise _singular("linalg.inv", "The diagonal element 1 is zero, the inversion could "
                        "not be completed because the input matrix is singular.") from None
    return apply_op(D.INV, (A,), data=data.astype(A._data.dtype, copy=False))


def inv_ex(A, *, check_errors=False):
    """``(inverse, info)``; info 0 where the matrix was inverted."""
    return _inv_ex(inv(A), Tensor._make(np.zeros(A._data.shape[:-2], np.int32)))


def det(A):
    """The determinant; LinalgDetBackward0 (its gradient is the cofactor matrix)."""
    _square(A, "linalg.det")
    return apply_op(D.DET, (A,))


def slogdet(A):
    """``(sign, logabsdet)``: the determinant as ``sign * exp(logabsdet)``."""
    _square(A, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(A._data)
    sign, logabs = (np.asarray(v, A._data.dtype) for v in (sign, logabs))
    return _slogdet(apply_op(D.SLOGDET_SIGN, (A,), (sign, logabs), data=sign),
                    apply_op(D.SLOGDET_LOGABSDET, (A,), (sign, logabs), data=logabs))


def logdet(A):
    """``log(det(A))``: nan for a negative determinant (WhereBackward0 over slogdet)."""
    sign, logabs = slogdet(A)
    return where(sign == -1, Tensor._make(np.asarray(np.nan, A._data.dtype)), logabs)


# ---------------------------------------------------------------- solve
def solve(A, B, *, left=True, out=None):
    """``X`` with ``A @ X = B`` (B a vector or a matrix, batches broadcast);
    LinalgSolveExBackward0."""
    _square(A, "linalg.solve")
    tensor_arg(B, "linalg.solve", "B", 2)
    if not left:
        return SH.transpose(solve(SH.transpose(A, -1, -2), SH.transpose(B, -1, -2)), -1, -2)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_torch_type(A._data.dtype)} and B of type "
                           f"{_torch_type(B._data.dtype)} instead")
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1
                                   and B._data.shape == A._data.shape[:-1])
    try:
        return apply_op(D.SOLVE, (A, B), (vector,))
    except np.linalg.LinAlgError:
        raise _singular("torch.linalg.solve", "The solver failed because the input matrix is "
                        "singular.") from None


def solve_ex(A, B, *, left=True, check_errors=False):
    return _solve_ex(solve(A, B, left=left),
                     Tensor._make(np.zeros(A._data.shape[:-2], np.int32)))


# ---------------------------------------------------------------- cross
def cross(input, other, dim=None):
    """torch.cross: without ``dim``, the first dim of size 3 (torch warns it is deprecated)."""
    tensor_arg(input, "cross")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross."
                      "\nThe default value of dim will change to agree with that of "
                      "linalg.cross in a future release.", UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return linalg_cross(input, other, dim=dim)


def linalg_cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim``; LinalgCrossBackward0."""
    tensor_arg(input, "linalg.cross")
    tensor_arg(other, "linalg.cross", "other", 2)
    d = input._wrap_dim(dim)
    a, b = input._data.shape, other._data.shape
    if a[d] != 3 or (len(b) > d and b[d] != 3):
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a[d]} and {b[d] if len(b) > d else 1}")
    return apply_op(D.CROSS, (input, other), (d,))


# ---------------------------------------------------------------- svd
def svd(A, full_matrices=True, *, driver=None):
    """``(U, S, Vh)`` with ``A = U @ diag(S) @ Vh``; LinalgSvdBackward0 on each."""
    _float_input(A, "linalg.svd")
    if A._data.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    u, s, vh = np.linalg.svd(A._data, full_matrices=full_matrices)
    dt = A._data.dtype
    u, s, vh = (np.ascontiguousarray(v, dtype=dt) for v in (u, s, vh))
    attrs = (u, s, vh, full_matrices)
    return _svd(apply_op(D.SVD_U, (A,), attrs, data=u), apply_op(D.SVD_S, (A,), attrs, data=s),
                apply_op(D.SVD_VH, (A,), attrs, data=vh))


def svdvals(A):
    """The singular values, largest first."""
    _float_input(A, "linalg.svdvals")
    u, s, vh = np.linalg.svd(A._data, full_matrices=False)
    dt = A._data.dtype
    return apply_op(D.SVD_S, (A,), (u.astype(dt), s.astype(dt), vh.astype(dt), False),
                    data=np.ascontiguousarray(s, dtype=dt))


def torch_svd(input, some=True, compute_uv=True):
    """torch.svd: ``(U, S, V)`` (V, not Vh: TransposeBackward0 over the SVD)."""
    u, s, vh = svd(input, full_matrices=not some)
    return _torch_svd(u, s, SH.transpose(vh, -2, -1))


# ---------------------------------------------------------------- norms
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``sum(|x| ** ord) ** (1 / ord)`` over ``dim`` (all elements by default)."""
    if dtype is not None:
        x = x.to(dtype)
    if ord is None:
        ord = 2
    return RD.norm(x, float(ord) if isinstance(ord, numbers.Number) else ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The Frobenius, nuclear, spectral (2, -2) or max-column / max-row sum (1, inf) norm."""
    _float_input(A, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    d = tuple(A._wrap_dim(i) for i in dim)
    if ord == "fro":
        return RD.norm(A, 2.0, d, keepdim)
    if ord == "nuc" or ord in (2, -2):
        n = A._data.ndim
        rest = [i for i in range(n) if i not in d]
        values = svdvals(SH.permute(A, *rest, *d))
        out = (values.sum(-1) if ord == "nuc" else
               RD.amax(values, -1) if ord == 2 else RD.amin(values, -1))
        if keepdim:
            out = SH.unsqueeze(SH.unsqueeze(out, min(d)), max(d))
        return out
    if ord in (1, -1, float("inf"), float("-inf")):
        d0, d1 = d if abs(ord) == 1 else d[::-1]
        if not keepdim and d0 < d1:
            d1 -= 1
        inner = RD.norm(A, 1.0, (d0,), keepdim)
        return (RD.amax if ord > 0 else RD.amin)(inner, d1, keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """torch.linalg.norm: a matrix norm for a string ``ord``, or an ``ord`` with two dims (a
    2-D input without ``dim``); else the vector norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(ord, str) or (ord is not None and (
            (dim is not None and len(dim) == 2) or (dim is None and A._data.ndim == 2))):
        return matrix_norm(A, "fro" if ord is None else ord, dim or (-2, -1), keepdim,
                           dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


# ---------------------------------------------------------------- products of matrices
def matrix_power(A, n):
    """``A @ A @ ... @ A`` (n times; the inverse's powers for negative n), as torch records
    it: CloneBackward0 for 1, repeated squaring with MmBackward0 above."""
    _square(A, "linalg.matrix_power")
    if n == 0:
        return Tensor._make(np.broadcast_to(np.eye(A._data.shape[-1], dtype=A._data.dtype),
                                            A._data.shape).copy())
    if n < 0:
        A, n = inv(A), -n
        if n == 1:
            return A
    if n == 1:
        return SH.clone(A)
    if n == 2:
        return LA.matmul(A, A)
    if n == 3:
        return LA.matmul(LA.matmul(A, A), A)
    result = z = None
    while n:  # torch's binary powering: multiply in the squares whose bit is set
        bit, n = n & 1, n >> 1
        z = A if z is None else LA.matmul(z, z)
        if bit:
            result = z if result is None else LA.matmul(result, z)
    return result


def multi_dot(tensors):
    """The product of a chain of matrices (the first and last may be vectors), multiplied in
    the cheapest order, as torch: one MmBackward0 per product and a view to the result."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0], tensors[-1]
    mats = list(tensors)
    if first._data.ndim == 1:
        mats[0] = SH.unsqueeze(first, 0)
    if last._data.ndim == 1:
        mats[-1] = SH.unsqueeze(last, 1)
    out_shape = [s for t, s in ((first, mats[0]._data.shape[0]), (last, mats[-1]._data.shape[1]))
                 if t._data.ndim == 2]
    if len(mats) == 2:
        return SH.view(LA.mm(mats[0], mats[1]), *out_shape)
    if len(mats) == 3:
        a, b = mats[0]._data.shape
        c, d = mats[2]._data.shape[0], mats[2]._data.shape[1]
        if a * c * (b + d) > b * d * (a + c):
            out = LA.mm(mats[0], LA.mm(mats[1], mats[2]))
        else:
            out = LA.mm(LA.mm(mats[0], mats[1]), mats[2])
        return SH.view(out, *out_shape)
    return SH.view(_chain(mats, _chain_order(mats), 0, len(mats) - 1), *out_shape)


def _chain_order(mats):
    """The matrix-chain order of least cost (torch's dynamic programme): split[i][j]."""
    p = [m._data.shape[0] for m in mats] + [mats[-1]._data.shape[1]]
    n = len(mats)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return LA.mm(_chain(mats, split, i, k), _chain(mats, split, k + 1, j))


def vecdot(x, y, *, dim=-1):
    """``(x * y).sum(dim)`` (the dot product along ``dim``)."""
    return (x * y).sum(dim)


# ---------------------------------------------------------------- order statistics
def _order_stat(input, k, dim, keepdim, op, result, nan_last=False):
    """``(values, indices)`` of the element at sorted position ``k`` along ``dim`` (``k`` a
    number, or per slice an array of them with the dim kept)."""
    d = input._wrap_dim(dim)
    data = input._data
    if data.ndim == 0:
        indices = np.asarray(0)
    else:
        nans = np.isnan(data)
        key = np.where(nans, np.inf, data) if nan_last else data  # nanmedian: nans last
        order = np.argsort(key, axis=d, kind="stable")
        kept = list(data.shape)
        kept[d] = 1
        pick = np.broadcast_to(np.asarray(k), kept)
        indices = np.take_along_axis(order, pick, d)
        if not nan_last and nans.any():  # median and kthvalue: a nan is the answer
            first_nan = np.argmax(nans, axis=d, keepdims=True)
            indices = np.where(nans.any(axis=d, keepdims=True), first_nan, indices)
        if not keepdim:
            indices = np.squeeze(indices, d)
    values = apply_op(op, (input,), (data.shape, d, indices, keepdim))
    return result(values, Tensor._make(np.asarray(indices, np.int64)))


def median(input, dim=None, keepdim=False):
    """The lower median of all elements (MedianBackward0), or ``(values, indices)`` along
    ``dim`` (MedianBackward1)."""
    tensor_arg(input, "median")
    if dim is None:
        return apply_op(D.MEDIAN, (input,))
    RD.nonempty_dim(input, input._wrap_dim(dim), "median")
    n = input._data.shape[input._wrap_dim(dim)] if input._data.ndim else 1
    return _order_stat(input, (n - 1) // 2, dim, keepdim, D.MEDIAN_DIM, _median)


def nanmedian(input, dim=None, keepdim=False):
    """The median ignoring nans."""
    tensor_arg(input, "nanmedian")
    if dim is None:
        return apply_op(D.NANMEDIAN, (input,))
    d = input._wrap_dim(dim)
    RD.nonempty_dim(input, d, "median")  # (torch names median here)
    data = input._data
    counts = (~np.isnan(data)).sum(axis=d, keepdims=True) if data.ndim else 1
    lower = np.maximum((np.asarray(counts) - 1) // 2, 0)  # per slice, of its numbers
    return _order_stat(input, lower, dim, keepdim, D.NANMEDIAN_DIM, _nanmedian, nan_last=True)


def kthvalue(input, k, dim=-1, keepdim=False):
    """``(values, indices)``: the k-th smallest element along ``dim``; KthvalueBackward0."""
    tensor_arg(input, "kthvalue")
    d = input._wrap_dim(dim)
    RD.nonempty_dim(input, d, "kthvalue")
    n = input._data.shape[d] if input._data.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return _order_stat(input, k - 1, dim, keepdim, D.KTHVALUE, _kthvalue)
