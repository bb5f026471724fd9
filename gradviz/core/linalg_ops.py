"""``matmul`` and friends, decomposed into mm/mv/dot/bmm exactly as torch records them
(``vector @ matrix`` gives SqueezeBackward4 over MmBackward0)."""

from __future__ import annotations

import numpy as np

from gradviz.core import shape_ops
from gradviz.core.math_ops import tensor_arg
from gradviz.core.ops import linalg as L
from gradviz.core.ops import shape as S
from gradviz.core.record import apply_binary, apply_op, apply_unary


def _dims(a, b, func):  # noqa: ARG001
    if a._data.dtype != b._data.dtype:
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
    """Outer product of two vectors (recorded as unsqueeze and mul)."""
    return shape_ops.unsqueeze(input, 1) * shape_ops.unsqueeze(vec2, 0)


def _unsafe_view(t, shape):
    return apply_op(S.UNSAFE_VIEW, (t,), (t._data.shape, tuple(shape)))


def matmul(input, other):
    """``input @ other`` for every 1-D, 2-D and batched case, recorded as torch records it."""
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
        row = shape_ops.unsqueeze(input, 0)
        _mm_check(row, other)
        _dims(row, other, "mm")
        out = apply_binary(L.MM, row, other)
        return apply_unary(S.SQUEEZE_, out, (out._data.shape, (0,)))
    if d1 == 2 and d2 == 2:
        return mm(input, other)
    if d1 >= 3 and d2 <= 2:
        # fold the batch into the rows: (b..., n, k) -> (b*n, k)
        k = input._data.shape[-1]
        if other._data.shape[0] != k:
            _fold_error(input, other)
        folded = shape_ops.reshape(input, -1, k)
        out = mm(folded, other) if d2 == 2 else mv(folded, other)
        tail = input._data.shape[:-1] + other._data.shape[1:]
        return _unsafe_view(out, tail)
    if d1 <= 2 and d2 >= 3:
        # (a @ B) = (B^T @ a^T)^T, folding B's batch
        bt = shape_ops.transpose(other, -1, -2)
        k = other._data.shape[-2]
        if input._data.shape[-1] != k:
            _fold_error(input, other)
        folded = shape_ops.reshape(bt, -1, k)
        batch = other._data.shape[:-2]
        if d1 == 1:
            out = mv(folded, input)
            return _unsafe_view(out, batch + other._data.shape[-1:])
        out = mm(folded, shape_ops.t_(input))
        out = _unsafe_view(out, batch + (other._data.shape[-1], input._data.shape[0]))
        return shape_ops.contiguous(shape_ops.transpose(out, -1, -2))
    return _batched(input, other)


def _fold_error(a, b):
    sa, sb = a._data.shape, b._data.shape
    if len(sa) >= 3:
        rows = int(np.prod(sa[:-1]))
        left = f"{rows}x{sa[-1]}"
    else:
        left = "x".join(str(s) for s in (sa if len(sa) == 2 else (1,) + sa))
    right = "x".join(str(s) for s in (sb[-2:] if len(sb) >= 2 else sb + (1,)))
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({left} and {right})")


def _batched(a, b):
    n, k = a._data.shape[-2:]
    k2, m = b._data.shape[-2:]
    if k != k2:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{int(np.prod(a._data.shape[:-2]))}, {k}] but got: "
            f"[{int(np.prod(b._data.shape[:-2]))}, {k2}]."
        )
    try:
        batch = np.broadcast_shapes(a._data.shape[:-2], b._data.shape[:-2])
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({a._data.shape[-3]}) must match the size of tensor b "
            f"({b._data.shape[-3]}) at non-singleton dimension 0"
        ) from None
    nb = int(np.prod(batch))
    a3 = shape_ops.reshape(shape_ops.expand(a, *batch, n, k), nb, n, k)
    b3 = shape_ops.reshape(shape_ops.expand(b, *batch, k, m), nb, k, m)
    return _unsafe_view(bmm(a3, b3), batch + (n, m))
