"""``gradviz.nn.functional`` (torch.nn.functional's names): activations and losses as
functions. They live in core (Tensor methods such as ``softmax`` use them); this is their
public home."""

from gradviz.core.functions.activations import (
    celu,
    celu_,
    elu_,
    hardsigmoid,
    hardswish,
    logsigmoid,
    mish,
    selu,
    selu_,
)
from gradviz.core.functions.attention import scaled_dot_product_attention
from gradviz.core.functions.conv import conv1d, conv2d
from gradviz.core.functions.distances import pairwise_distance
from gradviz.core.functions.nn_functional import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    elu,
    hardtanh,
    l1_loss,
    leaky_relu,
    linear,
    log_softmax,
    mse_loss,
    nll_loss,
    relu,
    relu6,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softsign,
    tanh,
    tanhshrink,
)
from gradviz.core.functions.nn_layers import (
    batch_norm,
    cosine_similarity,
    embedding,
    gelu,
    layer_norm,
    normalize,
    one_hot,
    pad,
)
from gradviz.core.functions.nn_losses import huber_loss, kl_div, smooth_l1_loss
from gradviz.core.functions.pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from gradviz.core.functions.upsampling import interpolate
from gradviz.nn.attention import multi_head_attention_forward
from gradviz.nn.dropout import dropout, dropout2d

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d",
           "conv1d", "conv2d", "max_pool1d", "max_pool2d", "batch_norm", "cosine_similarity",
           "embedding", "gelu", "huber_loss", "kl_div", "layer_norm", "normalize", "one_hot", "pad",
           "smooth_l1_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout",
           "dropout2d",
           "elu", "hardtanh", "l1_loss", "leaky_relu", "linear", "log_softmax", "mse_loss",
           "nll_loss", "relu", "relu6", "sigmoid", "silu", "softmax", "softmin", "softplus",
           "softsign", "tanh", "tanhshrink",
           "interpolate", "pairwise_distance", "celu", "hardsigmoid", "hardswish", "logsigmoid",
           "mish", "selu", "celu_", "elu_", "selu_"]


from gradviz.torch_alias import missing_attribute  # noqa: E402

__getattr__ = missing_attribute(__name__)
