"""gradviz: see automatic differentiation live.

A NumPy autograd engine with PyTorch's API, so ``import gradviz as torch`` runs
torch.autograd code unchanged, plus a Qt app that shows its graph.
"""

from gradviz import (  # noqa: F401
    accelerator,
    autograd,
    backends,
    cuda,
    functional,
    linalg,
    nn,
    optim,
    profiler,
    random,
    testing,
    utils,
)
from gradviz.core.api import *  # noqa: F403
from gradviz.core.api import Size, Tensor  # noqa: F401
from gradviz.core.api_devices import *  # noqa: F403
from gradviz.core.api_elementary import *  # noqa: F403
from gradviz.core.api_inplace import *  # noqa: F403
from gradviz.core.api_linalg import *  # noqa: F403
from gradviz.core.api_picking import *  # noqa: F403
from gradviz.core.api_tensor_ops import *  # noqa: F403
from gradviz.core.autograd.anomaly_mode import (  # noqa: F401 (torch's top-level names)
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
)
from gradviz.core.tensors.legacy import *  # noqa: F403
from gradviz.serialization import load, save  # noqa: F401
from gradviz.torch_alias import missing_attribute

__version__ = "0.1.0"

_LAZY = {"make_dot", "show"}  # gradviz.notebook, loaded on first use (it sits above this)
_missing = missing_attribute(__name__)


def __getattr__(name: str):
    """``gradviz.make_dot`` and ``gradviz.show`` (:mod:`gradviz.notebook`) on first use,
    so ``import gradviz`` loads neither the model nor Qt; else torch's missing-name error."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module("gradviz.notebook"), name)
    return _missing(name)
