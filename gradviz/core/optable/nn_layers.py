"""Rows of the layers' own ops: NativeLayerNormBackward0, NativeBatchNormBackward0,
EmbeddingBackward0, GeluBackward0, ConstantPadNdBackward0, HuberLossBackward0 and
SmoothL1LossBackward0 (forwards and formula names in ``nn_layer_helpers``)."""

from __future__ import annotations

from gradviz.core.optable import nn_layer_helpers as H
from gradviz.core.optable.table import row

LAYER_NORM = row(
    "native_layer_norm", "NativeLayerNormBackward0", ("input", "weight", "bias"), H.layer_norm,
    attrs=("normalized_shape", "eps"),
    input="layer_norm_input_grad(grad, input, weight, normalized_shape, eps)",
    weight="layer_norm_weight_grad(grad, input, normalized_shape, eps)",
    bias="leading_sum(grad, normalized_shape)",
    readable={"input": "invstd (g - mean(g) - x̂ mean(g x̂)), g = grad * weight",
              "weight": "sum of grad * x̂", "bias": "sum of grad"})
BATCH_NORM = row(
    "native_batch_norm", "NativeBatchNormBackward0", ("input", "weight", "bias"), H.batch_norm,
    attrs=("mean", "invstd", "training"),
    input="batch_norm_input_grad(grad, input, weight, mean, invstd, training)",
    weight="batch_norm_weight_grad(grad, input, mean, invstd)",
    bias="channel_sum(grad)",
    readable={"input": "invstd w (grad - mean(grad) - x̂ mean(grad x̂)) [training]",
              "weight": "sum of grad * x̂ per channel", "bias": "sum of grad per channel"})
EMBEDDING = row(
    "embedding", "EmbeddingBackward0", ("weight",),
    lambda weight, indices, num_weights, padding_idx: weight[indices],
    attrs=("indices", "num_weights", "padding_idx"),
    weight="embedding_grad(grad, indices, num_weights, padding_idx)",
    readable={"weight": "grad added to the looked-up rows"})
GELU = row("gelu", "GeluBackward0", ("self",), H.gelu, attrs=("approximate",),
           self="gelu_grad(grad, self, approximate)",
           readable={"self": "grad * (Φ(x) + x φ(x))"})
CONSTANT_PAD = row("constant_pad_nd", "ConstantPadNdBackward0", ("self",), H.constant_pad,
                   attrs=("pad", "value"), self="pad_grad(grad, pad)",
                   readable={"self": "grad with the padding cut off"})
HUBER = row("huber_loss", "HuberLossBackward0", ("self", "target"), H.huber,
            attrs=("reduction", "delta"),
            self="huber_grad(grad, self, target, reduction, delta)",
            target="huber_grad(grad, target, self, reduction, delta)",
            readable={"self": "grad * clamp(self - target, -delta, delta) [/ N for mean]",
                      "target": "-grad * clamp(self - target, -delta, delta) [/ N for mean]"})
SMOOTH_L1 = row("smooth_l1_loss", "SmoothL1LossBackward0", ("self", "target"), H.smooth_l1,
                attrs=("reduction", "beta"),
                self="smooth_l1_grad(grad, self, target, reduction, beta)",
                target="smooth_l1_grad(grad, target, self, reduction, beta)",
                readable={"self": "grad * clamp((self - target) / beta, -1, 1) [/ N for mean]",
                          "target": "-grad * clamp((self - target) / beta, -1, 1)"})
