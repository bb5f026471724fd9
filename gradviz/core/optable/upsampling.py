"""Upsampling rows: UpsampleNearest2DBackward0 and UpsampleBilinear2DBackward0 (what
``interpolate`` records for a 4-d input), with NumPy forwards from ``upsample_helpers``."""

from __future__ import annotations

from gradviz.core.optable import upsample_helpers as U
from gradviz.core.optable.table import row

UPSAMPLE_NEAREST2D = row(
    "upsample_nearest2d", "UpsampleNearest2DBackward0", ("self",),
    lambda x, sizes, output_size, scales: U.upsample_nearest2d(x, output_size, scales),
    attrs=("self_sym_sizes", "output_size", "scales"),
    self="upsample_nearest2d_backward(grad, self_sym_sizes, output_size, scales)",
    readable={"self": "each input pixel gets the grads of the outputs copied from it"})
UPSAMPLE_BILINEAR2D = row(
    "upsample_bilinear2d", "UpsampleBilinear2DBackward0", ("self",),
    lambda x, sizes, output_size, align_corners, scales: U.upsample_bilinear2d(
        x, output_size, align_corners, scales),
    attrs=("self_sym_sizes", "output_size", "align_corners", "scales"),
    self="upsample_bilinear2d_backward(grad, self_sym_sizes, output_size, align_corners, "
         "scales)",
    readable={"self": "each output's grad shared among its 4 input pixels, by weight"})
