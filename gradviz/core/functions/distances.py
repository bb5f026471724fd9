"""Distances between rows: ``torch.cdist`` and ``nn.functional.pairwise_distance``, recorded
as torch records them. ``cdist`` is CdistBackward0, but for p = 2 between more than 25 rows
(or with ``compute_mode="use_mm_for_euclid_dist"``) torch computes it by one matmul,
EuclideanDistBackward0 under a ViewBackward0, and so does this; ``pairwise_distance`` is
``norm(x1 - x2 + eps, p, -1)`` (NormBackward1 over AddBackward1 over SubBackward0).

    >>> torch.cdist(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0], [1.0, 0.0]]))
    tensor([[5., 1.]])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.functions import pointwise as M
from gradviz.core.functions import shape as SH
from gradviz.core.optable import derivative_ops as B
from gradviz.core.optable import distances as D
from gradviz.core.tensors.checks import _torch_type, tensor_arg

__all__ = ["cdist", "pairwise_distance"]

_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
          "donot_use_mm_for_euclid_dist": 2}


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The ``p``-norm distance between each row of ``x1`` and each row of ``x2`` (batched
    over the leading dims, which broadcast): shape ``(..., r1, r2)``."""
    tensor_arg(x1, "cdist")
    tensor_arg(x2, "cdist", "x2", 2)
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{t._data.ndim}D")
    c1, c2 = x1._data.shape[-1], x2._data.shape[-1]
    if c1 != c2:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {c1} X2: {c2}")
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_torch_type(t._data.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _MODES[compute_mode]
    r1, r2 = x1._data.shape[-2], x2._data.shape[-2]
    empty = x1._data.size == 0 or x2._data.size == 0
    if empty or not (p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))):
        return apply_op(D.CDIST, (x1, x2), (float(p),))
    batch = np.broadcast_shapes(x1._data.shape[:-2], x2._data.shape[:-2])
    if batch:  # torch's cdist_impl: both expanded to the batch, made
        # contiguous (a copy, CloneBackward0, where expanded) and viewed as one batch dim
        n = int(np.prod(batch))
        x1 = SH.view(SH.expand(x1, *batch, r1, c1).contiguous(), n, r1, c1)
        x2 = SH.view(SH.expand(x2, *batch, r2, c2).contiguous(), n, r2, c2)
    return SH.view(apply_op(D.EUCLIDEAN_DIST, (x1, x2)), *batch, r1, r2)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``‖x1 - x2 + eps‖_p`` along the last dim (the inputs broadcast)."""
    tensor_arg(x1, "pairwise_distance")
    tensor_arg(x2, "pairwise_distance", "x2", 2)
    dim = max(x1._data.ndim, x2._data.ndim) - 1
    shifted = apply_op(B.ADD_SCALAR, (M.sub(x1, x2),), (eps,))
    d = () if shifted._data.ndim == 0 else shifted._wrap_dim(dim)
    return apply_op(D.NORM_DIM, (shifted,), (p, d, keepdim))
