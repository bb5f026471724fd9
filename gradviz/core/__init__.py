"""The NumPy autograd engine. Imports only NumPy, the standard library and
``gradviz.events`` (a test checks it)."""

import numpy as _np

# torch computes inf/nan silently; so do we (NumPy would warn on log(0), 1/0, ...).
_np.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

from gradviz.core.optable import casts, linalg, nn, pointwise, reductions, shape  # noqa: E402,F401
from gradviz.core.tensors import tensor  # noqa: E402,F401
