"""The NumPy autograd engine. Imports only NumPy, the standard library and
``gradviz.events`` (a test checks it).

Its layers, lowest first, each importing only those below it (a test checks there is no
import cycle): ``tensors`` (the Tensor class, dtypes, printing, factories), ``autograd``
(grad_fn nodes, recording, the engine, hooks, grad modes, views and in-place), ``optable``
(the op table's rows and the names their formulas use), ``functions`` (torch's functions
by topic) and ``methods`` (Tensor's methods, bound last); ``api`` is torch's namespace.
"""

import numpy as _np

# torch computes inf/nan silently; so do we (NumPy would warn on log(0), 1/0, ...).
_np.seterr(divide="ignore", invalid="ignore", over="ignore", under="ignore")

from gradviz.core import methods  # noqa: E402,F401 - binds Tensor's methods
from gradviz.core.optable import (  # noqa: E402,F401 - every row of the op table
    attention,
    casts,
    decompositions,
    derivative_ops,
    elementary,
    linalg,
    nn,
    picking,
    pointwise,
    recurrent,
    reductions,
    shape,
)
