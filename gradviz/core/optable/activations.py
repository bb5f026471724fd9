"""The activations torch gives kernels of their own beyond ``pointwise``'s (relu, elu,
silu, softplus, hardtanh): celu (elu with an input scale, CeluBackward0), mish, log_sigmoid,
hardswish and hardsigmoid. selu has no row: torch records it as elu (EluBackward0)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.pointwise import _elu
from gradviz.core.optable.table import row


def _celu(x, alpha):
    return _elu(x, alpha, 1.0, 1.0 / alpha)


def _mish(x):
    return x * np.tanh(np.logaddexp(0, x))


def _log_sigmoid(x):
    return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)


def _hardswish(x):
    return x * np.clip(x + 3, 0, 6) / 6


def _hardsigmoid(x):
    return np.clip(x + 3, 0, 6) / 6


CELU = row("celu", "CeluBackward0", ("self",), _celu, attrs=("alpha",),
           self="elu_backward(grad, self, alpha, 1.0, celu_input_scale(alpha), False)",
           readable={"self": "grad where self > 0, else grad * exp(self / alpha)"})
CELU_ = row("celu_", "CeluBackward1", ("self",), _celu, attrs=("alpha",),
            self="elu_backward(grad, result, alpha, 1.0, celu_input_scale(alpha), True)",
            readable={"self": "grad where result > 0, else grad * (result / alpha + 1)"})
MISH = row("mish", "MishBackward0", ("self",), _mish, self="mish_backward(grad, self)",
           readable={"self": "grad * (t + self * sigmoid(self) * (1 - t²)), "
                             "t = tanh(softplus(self))"})
LOG_SIGMOID = row("log_sigmoid", "LogSigmoidBackward0", ("self",), _log_sigmoid,
                  self="log_sigmoid_backward(grad, self)",
                  readable={"self": "grad * sigmoid(-self)"})
HARDSWISH = row("hardswish", "HardswishBackward0", ("self",), _hardswish,
                self="hardswish_backward(grad, self)",
                readable={"self": "0 below -3, grad * (self / 3 + 1/2) up to 3, grad above"})
HARDSIGMOID = row("hardsigmoid", "HardsigmoidBackward0", ("self",), _hardsigmoid,
                  self="hardsigmoid_backward(grad, self)",
                  readable={"self": "grad / 6 where -3 < self < 3, else 0"})
