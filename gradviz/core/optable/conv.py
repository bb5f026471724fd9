"""Convolution and pooling rows: ConvolutionBackward0, MaxPool2DWithIndicesBackward0,
AvgPool2DBackward0 and AdaptiveAvgPool2DBackward0, with NumPy forwards from
``conv_helpers`` (1-d forms are these 2-d rows between an unsqueeze and a squeeze, as in
torch, except convolution, which takes any number of spatial dims as torch's does)."""

from __future__ import annotations

from gradviz.core.optable import conv_helpers as C
from gradviz.core.optable.table import row

CONVOLUTION = row(
    "convolution", "ConvolutionBackward0", ("input", "weight", "bias"), C.convolution,
    attrs=("stride", "padding", "dilation", "groups"),
    input="conv_input_grad(grad, input, weight, stride, padding, dilation, groups)",
    weight="conv_weight_grad(grad, input, weight, stride, padding, dilation, groups)",
    bias="conv_bias_grad(grad)",
    readable={"input": "grad convolved back through weight (a transposed convolution)",
              "weight": "each window of input times grad, summed",
              "bias": "grad summed over batch and positions"})
MAX_POOL2D = row(
    "max_pool2d_with_indices", "MaxPool2DWithIndicesBackward0", ("self",),
    lambda x, k, s, p, d, c, indices: C.max_pool_with_indices(x, k, s, p, d, c)[0],
    attrs=("kernel_size", "stride", "padding", "dilation", "ceil_mode", "indices"),
    self="max_pool_grad(grad, self, indices)",
    readable={"self": "grad placed at each window's max (indices)"})
AVG_POOL2D = row(
    "avg_pool2d", "AvgPool2DBackward0", ("self",), C.avg_pool,
    attrs=("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
           "divisor_override"),
    self="avg_pool_grad(grad, self, kernel_size, stride, padding, ceil_mode, "
         "count_include_pad, divisor_override)",
    readable={"self": "grad / window size, shared over each window"})
ADAPTIVE_AVG_POOL2D = row(
    "adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0", ("self",), C.adaptive_avg_pool,
    attrs=("output_size",), self="adaptive_avg_pool_grad(grad, self)",
    readable={"self": "grad / window size, shared over each window"})
