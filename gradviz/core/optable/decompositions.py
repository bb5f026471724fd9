"""``torch.linalg``'s inverses, determinants, solvers and decompositions (LinalgInvExBackward0,
LinalgDetBackward0, LinalgSlogdetBackward0, LinalgSolveExBackward0, LinalgCrossBackward0,
LinalgSvdBackward0) and the order statistics ``median`` (MedianBackward0/1), ``nanmedian``
and ``kthvalue`` (KthvalueBackward0).

torch records a decomposition's outputs (``U, S, Vh``; ``sign, logabsdet``) on one node;
this engine's nodes have one output, so each output has its own node of the same name
(``svd_u``, ``svd_s``, ``svd_vh``), whose formula is torch's with the other outputs'
gradients left out. The derivative is linear in them, so the sum over the nodes is
torch's gradient."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.reductions import _select
from gradviz.core.optable.table import row


def _pick(k):
    """The forward of one output of a decomposition computed beforehand (its attrs)."""
    return lambda x, *outputs: outputs[k]


INV = row("linalg_inv", "LinalgInvExBackward0", ("self",), np.linalg.inv,
          self="-(mT(result) @ grad @ mT(result))",
          readable={"self": "-A⁻ᵀ @ grad @ A⁻ᵀ"})
DET = row("linalg_det", "LinalgDetBackward0", ("self",), np.linalg.det,
          self="det_backward(grad, self)",
          readable={"self": "grad * cofactor(A)  (= grad * det(A) * A⁻ᵀ)"})
SLOGDET_SIGN = row("slogdet_sign", "LinalgSlogdetBackward0", ("self",), _pick(0),
                   attrs=("sign", "logabsdet"), self="None",
                   readable={"self": "no gradient (the sign is piecewise constant)"})
SLOGDET_LOGABSDET = row("slogdet_logabsdet", "LinalgSlogdetBackward0", ("self",), _pick(1),
                        attrs=("sign", "logabsdet"), self="slogdet_backward(grad, self)",
                        readable={"self": "grad * A⁻ᵀ"})
SOLVE = row("linalg_solve", "LinalgSolveExBackward0", ("A", "B"),
            lambda a, b, vector: np.linalg.solve(a, b[..., None])[..., 0] if vector
            else np.linalg.solve(a, b), attrs=("vector",),
            A="solve_backward_a(grad, A, result, vector)",
            B="solve_backward_b(grad, A, vector)",
            readable={"A": "-solve(Aᵀ, grad) @ Xᵀ", "B": "solve(Aᵀ, grad)"})
CROSS = row("linalg_cross", "LinalgCrossBackward0", ("self", "other"),
            lambda a, b, dim: np.cross(a, b, axis=dim), attrs=("dim",),
            self="cross_backward(grad, other, dim)", other="cross_backward(self, grad, dim)",
            readable={"self": "cross(other, grad)", "other": "cross(grad, self)"})
SVD_U = row("svd_u", "LinalgSvdBackward0", ("self",), _pick(0),
            attrs=("U", "S", "Vh", "full_matrices"),
            self="svd_backward(grad, None, None, U, S, Vh, full_matrices)",
            readable={"self": "U ((Uᵀ gU - gUᵀ U) / E) S Vh  (+ the part outside U's span)"})
SVD_S = row("svd_s", "LinalgSvdBackward0", ("self",), _pick(1),
            attrs=("U", "S", "Vh", "full_matrices"),
            self="svd_backward(None, grad, None, U, S, Vh, full_matrices)",
            readable={"self": "U diag(grad) Vh"})
SVD_VH = row("svd_vh", "LinalgSvdBackward0", ("self",), _pick(2),
             attrs=("U", "S", "Vh", "full_matrices"),
             self="svd_backward(None, None, grad, U, S, Vh, full_matrices)",
             readable={"self": "U S ((Vh gVhᵀ - gVh Vhᵀ) / E) Vh  (+ the part outside V's span)"})

MEDIAN = row("median", "MedianBackward0", ("self",), lambda x: _median_all(x),
             self="evenly_distribute(grad, self, result)",
             readable={"self": "grad shared among the elements equal to the median"})
NANMEDIAN = row("nanmedian", "NanmedianBackward0", ("self",), lambda x: _nanmedian(x),
                self="evenly_distribute(grad, self, result)",
                readable={"self": "grad shared among the elements equal to the median"})
MEDIAN_DIM = row("median_dim", "MedianBackward1", ("self",), _select, frees=("indices",),
                 attrs=("self_sym_sizes", "dim", "indices", "keepdim"),
                 self="value_selecting(grad, dim, indices, self_sym_sizes, keepdim)",
                 readable={"self": "grad put back at the median's index"})
NANMEDIAN_DIM = row("nanmedian_dim", "NanmedianBackward1", ("self",), _select,
                    frees=("indices",), attrs=("self_sym_sizes", "dim", "indices", "keepdim"),
                    self="value_selecting(grad, dim, indices, self_sym_sizes, keepdim)",
                    readable={"self": "grad put back at the median's index"})
KTHVALUE = row("kthvalue", "KthvalueBackward0", ("self",), _select, frees=("indices",),
               attrs=("self_sym_sizes", "dim", "indices", "keepdim"),
               self="value_selecting(grad, dim, indices, self_sym_sizes, keepdim)",
               readable={"self": "grad put back at the k-th value's index"})


def _median_all(x):
    """The lower median of all elements; of none, nan (a float tensor's, as torch)."""
    if not x.size and x.dtype.kind == "f":
        return np.full((), np.nan, x.dtype)
    return x.reshape(-1)[_lower(x)]


def _lower(x):
    """Where the lower median of all elements is (nan first if there is one, as torch)."""
    flat = x.reshape(-1)
    if np.isnan(flat).any():
        return int(np.flatnonzero(np.isnan(flat))[0])
    return int(np.argsort(flat, kind="stable")[(flat.size - 1) // 2])


def _nanmedian(x):
    flat = x.reshape(-1)
    kept = flat[~np.isnan(flat)]
    if not kept.size:
        return np.asarray(np.nan, x.dtype)
    return np.sort(kept)[(kept.size - 1) // 2]
