"""``scaled_dot_product_attention`` (``softmax(q kᵀ / sqrt(d) + mask) v``, one node as
torch's CPU kernel records it), ``baddbmm`` (``input + batch1 @ batch2``) and ``addmm``.

    >>> q = torch.ones(1, 2, 4)
    >>> torch.nn.functional.scaled_dot_product_attention(q, q, torch.arange(8.0).view(1, 2, 4))
    tensor([[[2., 3., 4., 5.],
             [2., 3., 4., 5.]]])
"""

from __future__ import annotations

import math

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import linalg as LA
from gradviz.core.functions.random import dropout_noise
from gradviz.core.functions.shape import expand_check
from gradviz.core.optable import attention as A
from gradviz.core.optable import derivative_ops as P
from gradviz.core.optable import linalg as L
from gradviz.core.tensors.checks import _torch_type, tensor_arg
from gradviz.core.tensors.tensor import Tensor

__all__ = ["addmm", "baddbmm", "scaled_dot_product_attention"]


def _bias(attn_mask, is_causal, query, key):
    """The mask as a float bias added to the scores (``-inf`` where attention is not
    allowed), or None."""
    L, S = query._data.shape[-2], key._data.shape[-2]  # noqa: N806 - torch's names
    dtype = query._data.dtype
    bias = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
        bias = np.where(np.tril(np.ones((L, S), bool)), 0, -np.inf).astype(dtype)
    elif attn_mask is not None:
        m = attn_mask._data
        if m.dtype == np.bool_:
            bias = np.where(m, 0, -np.inf).astype(dtype)
        else:
            if m.dtype != dtype:
                raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match "
                                   f"query dtype, but got attn_mask.dtype: "
                                   f"{_torch_type(m.dtype)} and  query.dtype: "
                                   f"{_torch_type(dtype)} instead.")
            bias = m
    return bias


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(query @ keyᵀ * scale + mask) @ value``, scale ``1 / sqrt(E)`` by default;
    a bool mask says where attention is allowed, a float one is added to the scores."""
    for name, t, pos in (("query", query, 1), ("key", key, 2), ("value", value, 3)):
        tensor_arg(t, "scaled_dot_product_attention", name, pos)
    if not (query._data.dtype == key._data.dtype == value._data.dtype):
        raise RuntimeError(
            f"Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_torch_type(query._data.dtype)} key.dtype: {_torch_type(key._data.dtype)} and "
            f"value.dtype: {_torch_type(value._data.dtype)} instead.")
    s = 1.0 / math.sqrt(query._data.shape[-1]) if scale is None else float(scale)
    bias = _bias(attn_mask, is_causal, query, key)
    dims = {t._data.shape[-1] for t in (query, key, value)}
    if dropout_p > 0.0 or query._data.ndim != 4 or len(dims) > 1:  # torch's math path
        root = math.sqrt(s)
        scores = LA.matmul(_scaled(query, root), _scaled(key.transpose(-2, -1), root))
        if bias is not None:
            scores = scores + Tensor._make(bias)
        weights = _safe_softmax(scores, -1)
        if dropout_p > 0.0:
            noise = dropout_noise(weights._data.shape, weights._data.dtype, dropout_p)
            weights = weights * Tensor._make(noise)
        return LA.matmul(weights, value)
    return apply_op(A.SDPA, (query, key, value), (bias, s))


def _safe_softmax(input, dim):
    """torch._safe_softmax: softmax, with zeros for a row that is all ``-inf``."""
    return apply_op(A.SAFE_SOFTMAX, (input,), (input._wrap_dim(dim),))


def _scaled(t, number):
    """``t * number`` as ATen multiplies by a C++ scalar (MulBackward1)."""
    return apply_op(P.MUL_SCALAR, (t,), (number,))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (batch1 @ batch2)`` per batch; BaddbmmBackward0."""
    tensor_arg(input, "baddbmm")
    if batch1._data.ndim != 3 or batch2._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if batch1._data.ndim != 3
                           else "batch2 must be a 3D tensor")
    return apply_op(A.BADDBMM, (input, batch1, batch2), (beta, alpha))


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``; AddmmBackward0 (what ``nn.Linear`` runs)."""
    tensor_arg(input, "addmm")
    if mat1._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got "
                           f"{mat1._data.ndim}-D tensor" if mat1._data.ndim != 2 else
                           f"mat2 must be a matrix, got {mat2._data.ndim}-D tensor")
    LA._mm_check(mat1, mat2)
    expand_check(input, (mat1._data.shape[0], mat2._data.shape[1]))
    return apply_op(L.ADDMM, (input, mat1, mat2), (beta, alpha))
