"""Tensor's methods for linear algebra and order statistics (``A.det()``, ``A.inverse()``,
``A.svd()``, ``a.cross(b)``, ``x.median()``, ``x.kthvalue(2)``...)."""

from __future__ import annotations

from gradviz.core.functions import decompositions as D


class TensorLinalg:
    """Mixed into Tensor: the method forms of ``functions.decompositions``."""

    __slots__ = ()

    det, logdet, slogdet, inverse = D.det, D.logdet, D.slogdet, D.inv
    svd, cross, matrix_power = D.torch_svd, D.cross, D.matrix_power
    median, nanmedian, kthvalue = D.median, D.nanmedian, D.kthvalue
