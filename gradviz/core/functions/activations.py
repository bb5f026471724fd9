"""torch.nn.functional's selu, celu, mish, logsigmoid, hardswish and hardsigmoid, and the
in-place ``elu_``, ``selu_`` and ``celu_`` (``gradviz.nn.functional`` re-exports them; torch's
top level has ``selu``, ``celu`` and their in-place forms too), each recorded as torch
records it: selu is elu with torch's constants (EluBackward0), the others have nodes of
their own.

    >>> import gradviz as torch
    >>> torch.nn.functional.hardswish(torch.tensor([1.0], requires_grad=True))
    tensor([0.6667], grad_fn=<HardswishBackward0>)
"""

from __future__ import annotations

from gradviz.core.functions.nn_functional import _activation
from gradviz.core.optable import activations as A
from gradviz.core.optable import pointwise as P

# torch's selu constants (the fixed point of self-normalising networks)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with torch's constants; grad_fn ``EluBackward0``."""
    return _activation(P.ELU, "elu", input, (SELU_ALPHA, SELU_SCALE, 1.0), inplace, P.ELU_)


def celu(input, alpha=1.0, inplace=False):
    """``x`` where positive, ``alpha * (exp(x / alpha) - 1)`` elsewhere; ``CeluBackward0``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _activation(A.CELU, "elu", input, (alpha,), inplace, A.CELU_)


def mish(input, inplace=False):
    """``x * tanh(softplus(x))``; grad_fn ``MishBackward0``."""
    return _activation(A.MISH, "mish", input, (), inplace)


def logsigmoid(input):
    """``log(sigmoid(x))``, computed without overflow; grad_fn ``LogSigmoidBackward0``."""
    return _activation(A.LOG_SIGMOID, "log_sigmoid", input, ())


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``; grad_fn ``HardswishBackward0``."""
    return _activation(A.HARDSWISH, "hardswish", input, (), inplace)


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``; grad_fn ``HardsigmoidBackward0``."""
    return _activation(A.HARDSIGMOID, "hardsigmoid", input, (), inplace)


def selu_(input):
    """In place: ``selu(input)`` (EluBackward1)."""
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    """In place: ``celu(input, alpha)`` (CeluBackward1)."""
    return celu(input, alpha, inplace=True)


def elu_(input, alpha=1.0):
    """In place: ``elu(input, alpha)`` (EluBackward1)."""
    return _activation(P.ELU, "elu", input, (alpha, 1.0, 1.0), True, P.ELU_)
