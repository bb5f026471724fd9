"""torch's top-level names for linear algebra and order statistics (``torch.einsum``,
``torch.tensordot``, ``torch.det``, ``torch.inverse``, ``torch.svd``, ``torch.cross``,
``torch.median``, ``torch.kthvalue``...), re-exported by ``gradviz``; ``torch.linalg`` itself
is :mod:`gradviz.linalg`."""

from __future__ import annotations

from gradviz.core.functions.attention import _safe_softmax, baddbmm
from gradviz.core.functions.decompositions import (
    cross,
    det,
    kthvalue,
    logdet,
    matrix_power,
    median,
    nanmedian,
    slogdet,
)
from gradviz.core.functions.decompositions import inv as inverse
from gradviz.core.functions.decompositions import torch_svd as svd
from gradviz.core.functions.einsum import einsum, tensordot
from gradviz.core.functions.recurrent import mkldnn_rnn_layer

__all__ = ["_safe_softmax", "baddbmm", "cross", "det", "einsum", "inverse", "kthvalue",
           "logdet", "matrix_power", "median", "mkldnn_rnn_layer", "nanmedian", "slogdet",
           "svd", "tensordot"]
