"""``torch.linalg``: norms, inverses, determinants, solvers, the cross product and the SVD
(:mod:`gradviz.core.functions.decompositions` has how each is recorded).

    >>> A = torch.tensor([[3.0, 1.0], [1.0, 2.0]])
    >>> torch.linalg.solve(A, torch.tensor([9.0, 8.0]))
    tensor([2., 3.])
    >>> torch.linalg.norm(torch.tensor([3.0, 4.0]))
    tensor(5.)
"""

from __future__ import annotations

from gradviz.core.functions.decompositions import (
    LinAlgError,
    det,
    inv,
    inv_ex,
    matrix_norm,
    matrix_power,
    multi_dot,
    norm,
    slogdet,
    solve,
    solve_ex,
    svd,
    svdvals,
    vecdot,
    vector_norm,
)
from gradviz.core.functions.decompositions import linalg_cross as cross
from gradviz.core.functions.linalg import matmul
from gradviz.core.functions.matrices import diagonal as _diagonal
from gradviz.torch_alias import missing_attribute

__all__ = ["LinAlgError", "cross", "det", "diagonal", "inv", "inv_ex", "matmul", "matrix_norm",
           "matrix_power", "multi_dot", "norm", "slogdet", "solve", "solve_ex", "svd",
           "svdvals", "vecdot", "vector_norm"]


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal of each matrix (the last two dims by default)."""
    return _diagonal(A, offset, dim1, dim2)


__getattr__ = missing_attribute(__name__)
