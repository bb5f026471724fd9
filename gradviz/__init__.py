"""gradviz: see automatic differentiation live.

A NumPy autograd engine with PyTorch's API, so ``import gradviz as torch`` runs
torch.autograd code unchanged, plus a Qt app that shows its graph.
"""

from gradviz import autograd, nn, optim, random  # noqa: E402,F401
from gradviz.core.api import *  # noqa: F403
from gradviz.core.api import Size, Tensor  # noqa: F401
from gradviz.core.autograd.anomaly_mode import (  # noqa: F401 (torch's top-level names)
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
)
from gradviz.torch_alias import missing_attribute

__version__ = "0.1.0"

__getattr__ = missing_attribute(__name__)
