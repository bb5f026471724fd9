"""``gradviz.nn.functional`` (torch.nn.functional's names)."""

from gradviz.core.activations import elu, hardtanh, leaky_relu, silu, softplus  # noqa: F401
from gradviz.core.functional import (  # noqa: F401
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    linear,
    log_softmax,
    mse_loss,
    nll_loss,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from gradviz.core.nn_dropout import dropout  # noqa: F401
