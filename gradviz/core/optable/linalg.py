"""Matrix products: mm, mv, dot, bmm, addmm (what matmul and linear decompose into)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.table import mark_exact, row


def _addmm(bias, mat1, mat2, beta, alpha):
    out = np.matmul(mat1, mat2)
    if alpha != 1:
        out = out * alpha
    return out + (bias if beta == 1 else bias * beta)


MM = row("mm", "MmBackward0", ("self", "mat2"), np.matmul,
         self="mm_mat1_backward(grad, mat2, self)", mat2="mm_mat2_backward(grad, self, mat2)",
         readable={"self": "grad @ mat2ᵀ", "mat2": "selfᵀ @ grad"})
MV = row("mv", "MvBackward0", ("self", "vec"), np.matmul,
         self="outer(grad, vec)", vec="mT(self) @ grad",
         readable={"self": "outer(grad, vec)", "vec": "selfᵀ @ grad"})
DOT = row("dot", "DotBackward0", ("self", "tensor"), np.dot,
          self="grad * tensor", tensor="grad * self")
BMM = row("bmm", "BmmBackward0", ("self", "mat2"), np.matmul,
          self="grad @ mT(mat2)", mat2="mT(self) @ grad",
          readable={"self": "grad @ mat2ᵀ (per batch)", "mat2": "selfᵀ @ grad (per batch)"})
ADDMM = row("addmm", "AddmmBackward0", ("self", "mat1", "mat2"), _addmm,
            attrs=("beta", "alpha"),
            self="grad if beta == 1 else grad * beta",
            mat1="mm_mat1_backward(grad, mat2, mat1) * alpha if alpha != 1 "
                 "else mm_mat1_backward(grad, mat2, mat1)",
            mat2="mm_mat2_backward(grad, mat1, mat2) * alpha if alpha != 1 "
                 "else mm_mat2_backward(grad, mat1, mat2)",
            readable={
                "self": "beta * grad (summed to self's shape)",
                "mat1": "alpha * grad @ mat2ᵀ",
                "mat2": "alpha * mat1ᵀ @ grad",
            })

mark_exact(MM)
