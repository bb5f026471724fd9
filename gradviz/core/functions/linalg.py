"""``matmul`` and friends, decomposed into mm/mv/dot/bmm exactly as torch records them
(``vector @ matrix`` gives SqueezeBackward4 over MmBackward0)."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd import record
from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.record import apply_binary, apply_op, apply_unary
from gradviz.core.functions import shape as shape_ops
from gradviz.core.functions.pointwise import _torch_type, broadcast_check, tensor_arg, with_out
from gradviz.core.optable import linalg as L
from gradviz.core.optable import shape as S
from gradviz.core.tensors.tensor import Tensor


def _dims(a, b, func):
    if a._data.dtype != b._data.dtype:
        ta, tb = _torch_type(a._data.dtype), _torch_type(b._data.dtype)
        if func == "mv":  # torch's mv is addmv(vec-typed self, mat, vec)
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {tb}, "
                               f"{ta}, and {tb}")
        if func == "dot":
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {ta} "
                               f"and {tb}")
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_name(a)} != {_name(b)}"
        )


def _name(t):
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "bool": "bool", "float16": "c10::Half"}.get(t._data.dtype.name, t._data.dtype.name)


def _mm_check(a, b):
    if a._data.shape[1] != b._data.shape[0]:
        sa, sb = a._data.shape, b._data.shape
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})"
        )


def mm(input, mat2):
    """Matrix product of two 2-D tensors; grad_fn ``MmBackward0``."""
    tensor_arg(input, "mm")
    tensor_arg(mat2, "mm", "mat2", 2)
    for name, t in (("self", input), ("mat2", mat2)):
        if t._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix")
    _dims(input, mat2, "mm")
    _mm_check(input, mat2)
    return apply_op(L.MM, (input, mat2))


def mv(input, vec):
    tensor_arg(input, "mv")
    tensor_arg(vec, "mv", "vec", 2)
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}"
        )
    if input._data.shape[1] != vec._data.shape[0]:
        m = input._data.shape
        raise RuntimeError(
            f"size mismatch, got input ({m[0]}), mat ({m[0]}x{m[1]}), vec ({vec._data.shape[0]})"
        )
    _dims(input, vec, "mv")
    return apply_op(L.MV, (input, vec))


def dot(input, tensor):
    tensor_arg(input, "dot")
    tensor_arg(tensor, "dot", "tensor", 2)
    if input._data.ndim != 1 or tensor._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {tensor._data.ndim}D tensors"
        )
    n, m = input._data.shape[0], tensor._data.shape[0]
    if n != m:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    _dims(input, tensor, "dot")
    return apply_op(L.DOT, (input, tensor))


def bmm(input, mat2):
    if input._data.ndim != 3 or mat2._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input._data.ndim != 3
                           else "batch2 must be a 3D tensor")
    a, b = input._data.shape, mat2._data.shape
    if a[0] != b[0] or a[2] != b[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a[0]}, {a[2]}] "
            f"but got: [{b[0]}, {b[1]}]."
        )
    return apply_op(L.BMM, (input, mat2))


def outer(input, vec2):
    """Outer product of two vectors, recorded as torch: ``input.reshape(n, 1) * vec2``
    (MulBackward0 over ViewBackward0 and ``vec2``'s own node)."""
    tensor_arg(input, "outer")
    tensor_arg(vec2, "outer", "vec2", 2)
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return shape_ops.reshape(input, input._data.shape[0], 1) * vec2


def _unsafe_view(t, shape):
    return apply_op(S.UNSAFE_VIEW, (t,), (t._data.shape, tuple(shape)))


def matmul(input, other, *, out=None):
    """``input @ other`` for every 1-D, 2-D and batched case, recorded as torch records it
    (``out=`` writes the product into that tensor, as torch's)."""
    if out is not None:
        return with_out(matmul(input, other), out, "matmul", (input, other))
    tensor_arg(input, "matmul")
    tensor_arg(other, "matmul", "other", 2)
    d1, d2 = input._data.ndim, other._data.ndim
    if d1 == 0 or d2 == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D"
        )
    if d1 == 1 and d2 == 1:
        return dot(input, other)
    if d1 == 2 and d2 == 1:
        return mv(input, other)
    if d1 == 1 and d2 == 2:
        return _vector_matrix(input, other)
    if d1 == 2 and d2 == 2:
        return mm(input, other)
    if _should_fold(input, other):
        return _folded(input, other)
    return _batched(input, other)


def _vector_matrix(vec, mat):
    """``vec @ mat`` as torch records it: SqueezeBackward4 over MmBackward0 of vec as a row."""
    if vec._requires_grad:
        row = shape_ops.unsqueeze(vec, 0)
    else:  # nothing to record for the unsqueeze: a plain (1, n) tensor will do
        row = Tensor._make(vec._data.reshape(1, -1))
        row._base = vec  # a view of vec: the model shows vec as the constant input
    _mm_check(row, mat)
    _dims(row, mat, "mm")
    if mat._data.dtype.kind != "f" or not (mat._requires_grad or vec._requires_grad):
        out = apply_binary(L.MM, row, mat)
        return apply_unary(S.SQUEEZE_, out, (out._data.shape, (0,)))
    product = np.matmul(row._data, mat._data)  # the (1, m) result of the mm
    out = Tensor._make(product.reshape(product.shape[1:]))
    if grad_state.enabled:
        mm = Tensor._make(product)
        record.record(L.MM, mm, (row, mat), ())
        record.record(S.SQUEEZE_, out, (mm,), (product.shape, (0,)))
    return out


def _should_fold(a, b):
    """torch's choice between folding the batch into mm/mv rows and expanding into bmm: fold
    when the smaller operand requires grad, or when the larger one folds without a copy."""
    a_larger = a._data.ndim >= b._data.ndim
    t1 = a._data if a_larger else np.swapaxes(b._data, -1, -2)
    small = b if a_larger else a
    if not (t1.ndim >= 3 and small._data.ndim <= 2):
        return False
    if small._requires_grad:
        return True
    if a._data.ndim == 2:
        return False
    if t1.size == 0:
        return True
    st, sh = t1.strides, t1.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(t1.ndim - 2))


def _folded(a, b):
    """(b..., n, k) @ (k, m) as one (b*n, k) @ (k, m); a 2-D/1-D ``a`` goes through b^T."""
    transpose = b._data.ndim > a._data.ndim
    t1 = shape_ops.transpose(b, -1, -2) if transpose else a
    t2 = b if not transpose else (shape_ops.t_(a) if a._data.ndim == 2 else a)
    sizes = t1._data.shape
    out_shape = sizes[:-1] + (t2._data.shape[1],) if t2._data.ndim == 2 else sizes[:-1]
    folded = shape_ops.reshape(t1, int(np.prod(sizes[:-1])), sizes[-1])
    if t2._data.ndim == 1:
        return _unsafe_view(mv(folded, t2), out_shape)
    out = _unsafe_view(mm(folded, t2), out_shape)
    return shape_ops.contiguous(shape_ops.transpose(out, -1, -2)) if transpose else out


def _infer_size(sa, sb):
    try:
        return tuple(np.broadcast_shapes(sa, sb))
    except ValueError:
        T = Tensor
        broadcast_check(T._make(np.broadcast_to(0.0, sa)), T._make(np.broadcast_to(0.0, sb)))
        raise


def _batched(a, b):
    """Expand both batches to their broadcast and run one bmm (torch's matmul tail)."""
    d1, d2 = a._data.ndim, b._data.ndim
    sa, sb = a._data.shape, b._data.shape
    n = sa[-2] if d1 > 1 else 1
    m1 = sa[-1]
    m2 = sb[-2] if d2 > 1 else sb[0]
    p = sb[-1] if d2 > 1 else 1
    batch1, batch2 = sa[:max(d1 - 2, 0)], sb[:max(d2 - 2, 0)]
    if d1 == 3 and d2 == 3 and batch1[0] != batch2[0]:
        if batch1[0] == 1 and a._requires_grad:
            return matmul(shape_ops.squeeze(a, 0), b)
        if batch2[0] == 1 and b._requires_grad:
            return matmul(a, shape_ops.squeeze(b, 0))
    batch = _infer_size(batch1, batch2)
    nb = int(np.prod(batch))
    a3 = shape_ops.reshape(shape_ops.expand(a, *batch, n, m1), nb, n, m1)
    if d2 == 1:
        b3 = shape_ops.expand(b, *batch, m2)
        b3 = shape_ops.unsqueeze(shape_ops.reshape(b3, nb, m2), 2)
    else:
        b3 = shape_ops.reshape(shape_ops.expand(b, *batch, m2, p), nb, m2, p)
    out_shape = batch + ((n,) if d1 > 1 else ()) + ((p,) if d2 > 1 else ())
    out = bmm(a3, b3)
    if d2 == 1:
        out = shape_ops.squeeze(out, -1)
    return _unsafe_view(out, out_shape)
