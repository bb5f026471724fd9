"""In-place view ops (``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``): they change
a tensor's shape where it stands, and torch gives them grad_fns of their own
(UnsqueezeBackward1, SqueezeBackward3/4, TBackward1, TransposeBackward1)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.shape import _unsqueeze
from gradviz.core.optable.table import row

UNSQUEEZE_ = row("unsqueeze_", "UnsqueezeBackward1", ("self",), _unsqueeze, attrs=("dim",),
                 self="squeeze(grad, dim)")
SQUEEZE_ALL_ = row("squeeze_all_", "SqueezeBackward3", ("self",),
                   lambda x, sizes: np.squeeze(x), attrs=("self_sym_sizes",),
                   self="unsqueeze_to(grad, self_sym_sizes)")
T_ = row("t_", "TBackward1", ("self",), lambda x: x.T, self="t(grad)",
         readable={"self": "gradᵀ"})
TRANSPOSE_ = row("transpose_", "TransposeBackward1", ("self",), np.swapaxes,
                 attrs=("dim0", "dim1"), self="transpose(grad, dim0, dim1)")
