"""Attention: ``scaled_dot_product_attention`` as torch's CPU kernel records it (one
ScaledDotProductFlashAttentionForCpuBackward0 node for 4-D inputs whose query, key and value
have one feature size; others take torch's math path, whose softmax is ``_safe_softmax``,
SafeSoftmaxBackward0: rows with nothing to attend to give zeros) and ``baddbmm``
(BaddbmmBackward0, the masked scores of ``nn.MultiheadAttention``)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.matrix_helpers import attention
from gradviz.core.optable.table import row

SDPA = row("scaled_dot_product_attention", "ScaledDotProductFlashAttentionForCpuBackward0",
           ("query", "key", "value"), attention, attrs=("bias", "scale"),
           query="attention_backward(grad, query, key, value, bias, scale, 0)",
           key="attention_backward(grad, query, key, value, bias, scale, 1)",
           value="attention_backward(grad, query, key, value, bias, scale, 2)",
           readable={"query": "(P ⊙ (grad vᵀ - rowsum(grad vᵀ ⊙ P))) @ key * scale",
                     "key": "(P ⊙ (grad vᵀ - rowsum(grad vᵀ ⊙ P)))ᵀ @ query * scale",
                     "value": "Pᵀ @ grad  (P = softmax(q kᵀ scale + mask))"})


def _baddbmm(bias, batch1, batch2, beta, alpha):
    out = batch1 @ batch2
    if alpha != 1:
        out = out * alpha
    return out + (bias if beta == 1 else bias * beta)


BADDBMM = row("baddbmm", "BaddbmmBackward0", ("self", "batch1", "batch2"), _baddbmm,
              attrs=("beta", "alpha"),
              self="grad if beta == 1 else grad * beta",
              batch1="grad @ mT(batch2) if alpha == 1 else (grad @ mT(batch2)) * alpha",
              batch2="mT(batch1) @ grad if alpha == 1 else (mT(batch1) @ grad) * alpha",
              readable={"self": "beta * grad (summed to self's shape)",
                        "batch1": "alpha * grad @ batch2ᵀ", "batch2": "alpha * batch1ᵀ @ grad"})


def _safe_softmax(x, dim):
    top = np.max(x, axis=dim, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(top), top, 0))
    total = np.sum(e, axis=dim, keepdims=True)
    return np.where(total > 0, e / np.where(total > 0, total, 1), 0).astype(x.dtype)


SAFE_SOFTMAX = row("safe_softmax", "SafeSoftmaxBackward0", ("self",), _safe_softmax,
                   attrs=("dim",), self="softmax_backward(grad, result, dim)",
                   readable={"self": "result * (grad - sum(grad * result, dim))"})
