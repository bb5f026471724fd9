"""More activations, as functions (``gradviz.nn.functional``) and modules (``gradviz.nn``):
leaky_relu, elu, silu, softplus and hardtanh, each one op with torch's grad_fn.

    >>> F.leaky_relu(x, 0.1)            # LeakyReluBackward0
    >>> torch.nn.SiLU()(x)              # SiluBackward0
"""

from __future__ import annotations

from gradviz.core.inplace_ops import inplace
from gradviz.core.nn_modules import Module
from gradviz.core.op_args import tensor_arg
from gradviz.core.ops import more_pointwise as MP
from gradviz.core.record import apply_op

_TYPE_NAMES = {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte"}


def _activation(op, name, input, attrs, inplace_=False, inplace_op=None):
    tensor_arg(input, name)
    kind = input._data.dtype
    if kind.kind != "f" and op is not MP.HARDTANH:  # (hardtanh clamps integers too)
        raise NotImplementedError(
            f'"{name}_cpu" not implemented for \'{_TYPE_NAMES.get(kind.name, kind.name)}\'')
    if inplace_:
        return inplace(input, inplace_op or op, (), attrs)
    return apply_op(op, (input,), attrs)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return _activation(MP.LEAKY_RELU, "leaky_relu", input, (negative_slope,), inplace,
                       MP.LEAKY_RELU_)


def elu(input, alpha=1.0, inplace=False):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return _activation(MP.ELU, "elu", input, (alpha,), inplace, MP.ELU_)


def silu(input, inplace=False):
    """``x * sigmoid(x)`` (swish)."""
    return _activation(MP.SILU, "silu", input, (), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, linear past ``threshold``."""
    return _activation(MP.SOFTPLUS, "softplus", input, (beta, threshold))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``x`` clamped to ``[min_val, max_val]``, with hardtanh's own grad_fn."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _activation(MP.HARDTANH, "hardtanh", input, (min_val, max_val), inplace)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SiLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return silu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))
