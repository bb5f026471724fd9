"""Distances: ``cdist``'s two ways (CdistBackward0, any p; EuclideanDistBackward0, the
matmul form torch takes for p = 2 between many rows) and ``norm`` along a dim as
``pairwise_distance`` calls it (torch's ``at::norm``, NormBackward1)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.reductions import _norm
from gradviz.core.optable.table import row


def _cdist(x1, x2, p):
    diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        return np.count_nonzero(diff, axis=-1).astype(x1.dtype)
    if p == np.inf:
        return diff.max(-1, initial=0)
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return np.sqrt((diff * diff).sum(-1))
    return (diff ** p).sum(-1) ** (1 / p)


def _euclidean_dist(x1, x2):
    """torch's ``_euclidean_dist``: ``‖a‖² - 2 a·b + ‖b‖²`` by one matmul, clamped at 1e-30
    before the square root."""
    x1_norm = (x1 * x1).sum(-1, keepdims=True)
    x2_norm = (x2 * x2).sum(-1, keepdims=True)
    a = np.concatenate([x1 * -2, x1_norm, np.ones_like(x1_norm)], -1)
    b = np.concatenate([x2, np.ones_like(x2_norm), x2_norm], -1)
    return np.sqrt(np.maximum(a @ np.swapaxes(b, -1, -2), 1e-30))


CDIST = row("cdist", "CdistBackward0", ("x1", "x2"), _cdist, attrs=("p",),
            x1="cdist_backward(grad, x1, x2, p, result)",
            x2="cdist_backward(mT(grad), x2, x1, p, mT(result))",
            readable={"x1": "Σ_j grad_ij d‖x1_i - x2_j‖_p / d x1_i",
                      "x2": "Σ_i grad_ij d‖x1_i - x2_j‖_p / d x2_j"})
EUCLIDEAN_DIST = row("euclidean_dist", "EuclideanDistBackward0", ("x1", "x2"), _euclidean_dist,
                     x1="euclidean_dist_backward(grad, x1, x2, result)",
                     x2="euclidean_dist_backward(mT(grad), x2, x1, mT(result))",
                     readable={"x1": "x1 Σ_j r_ij - r @ x2, r = grad / result",
                               "x2": "x2 Σ_i r_ij - rᵀ @ x1"})
NORM_DIM = row("norm_dim", "NormBackward1", ("self",), _norm, attrs=("p", "dim", "keepdim"),
               self="norm_backward(grad, self, result, p, dim, keepdim)",
               readable={"self": "d‖self‖_p / d self along dim"})
