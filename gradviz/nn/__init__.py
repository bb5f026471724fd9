"""``gradviz.nn``: modules, parameters, ``init`` and ``functional``, under torch.nn's names.

    >>> import gradviz as torch
    >>> model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    >>> sum(p.numel() for p in model.parameters())
    49

Built on core's public API; nothing in ``gradviz.core`` imports it.
"""

from gradviz.nn import functional, init, modules, utils  # modules: torch's nn.modules.module
from gradviz.nn.activation import (
    CELU,
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
    Tanhshrink,
)
from gradviz.nn.attention import MultiheadAttention
from gradviz.nn.container import ModuleDict, ModuleList, ParameterList, Sequential
from gradviz.nn.conv import Conv1d, Conv2d
from gradviz.nn.dropout import Dropout, Dropout2d
from gradviz.nn.flatten import Flatten, Unflatten
from gradviz.nn.linear import Identity, Linear
from gradviz.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from gradviz.nn.module import Module
from gradviz.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from gradviz.nn.parameter import Parameter
from gradviz.nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from gradviz.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell
from gradviz.nn.sparse import Embedding
from gradviz.nn.transformer import TransformerEncoder, TransformerEncoderLayer
from gradviz.nn.upsampling import Upsample

__all__ = ["MultiheadAttention", "GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase",
           "RNNCell", "TransformerEncoder", "TransformerEncoderLayer",
           "BatchNorm1d", "BatchNorm2d", "Embedding", "GELU", "LayerNorm", "ModuleDict",
           "ParameterList", "Unflatten",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "Conv1d",
           "Conv2d", "MaxPool1d", "MaxPool2d",
           "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "Dropout2d", "ELU",
           "Flatten",
           "Hardtanh", "Identity", "L1Loss", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss",
           "Module", "ModuleList", "NLLLoss", "Parameter", "ReLU", "SiLU", "Sequential",
           "Sigmoid", "Softmax", "Softplus", "Tanh", "functional", "init", "modules",
           "utils", "HuberLoss", "KLDivLoss", "ReLU6", "SmoothL1Loss", "Softmin", "Softsign",
           "Tanhshrink", "CELU", "Hardsigmoid", "Hardswish", "LogSigmoid", "Mish", "SELU",
           "Upsample"]


from gradviz.torch_alias import missing_attribute  # noqa: E402

__getattr__ = missing_attribute(__name__)
