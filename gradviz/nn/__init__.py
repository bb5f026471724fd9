"""``gradviz.nn``: modules, parameters, ``init`` and ``functional``, under torch.nn's names.

    >>> import gradviz as torch
    >>> model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    >>> sum(p.numel() for p in model.parameters())
    49
"""

from gradviz.core.activations import ELU, Hardtanh, LeakyReLU, SiLU, Softplus  # noqa: F401
from gradviz.core.nn_dropout import Dropout  # noqa: F401
from gradviz.core.nn_layers import (  # noqa: F401
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    ModuleList,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from gradviz.core.nn_losses import (  # noqa: F401
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from gradviz.core.nn_modules import Module, Parameter  # noqa: F401
from gradviz.nn import functional, init  # noqa: F401
