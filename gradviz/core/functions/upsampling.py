"""``nn.functional.interpolate`` for 4-d input (``(N, C, H, W)``) in the modes ``nearest``
and ``bilinear`` (``align_corners`` False or True), recorded as torch records them
(UpsampleNearest2DBackward0, UpsampleBilinear2DBackward0), with torch's argument checks.

    >>> x = torch.tensor([[[[1.0, 2.0]]]])
    >>> torch.nn.functional.interpolate(x, scale_factor=2, mode="bilinear")
    tensor([[[[1.0000, 1.2500, 1.7500, 2.0000],
              [1.0000, 1.2500, 1.7500, 2.0000]]]])
"""

from __future__ import annotations

import math

from gradviz.core.autograd.record import apply_op
from gradviz.core.optable import upsampling as U
from gradviz.core.tensors.checks import tensor_arg

__all__ = ["interpolate"]

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "lanczos", "area",
          "nearest-exact")


def _output_size(input, size, scale_factor, dim):
    """torch's F.interpolate: the output size and the scales its kernel is given."""
    spatial = list(input._data.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, list | tuple):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format.")
            return [int(s) for s in size], None
        return [int(size)] * dim, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, list | tuple):
        if len(scale_factor) != dim:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                "and scale_factor in (s1, s2, ...,sK) format.")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * dim
    return [math.floor(n * s) for n, s in zip(spatial, scales, strict=True)], scales


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """``input`` resized to ``size`` (or by ``scale_factor``) over its last two dims."""
    tensor_arg(input, "interpolate")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input._data.ndim - 2
    output_size, scales = _output_size(input, size, scale_factor, dim)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor:
        scales = None
    ndim = input._data.ndim
    if mode == "bilinear" and ndim in (3, 5):
        raise NotImplementedError(f"Got {ndim}D input, but bilinear mode needs 4D input")
    if ndim not in (3, 4, 5) or mode not in _MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            "nearest-exact "
            f"(got {mode})")
    if ndim != 4 or mode not in ("nearest", "bilinear") or antialias:
        raise NotImplementedError("gradviz's interpolate takes 4-d input in the modes "
                                  "'nearest' and 'bilinear' (without antialias) only")
    sizes = input._data.shape
    scales = tuple(scales) if scales is not None else (None, None)
    if mode == "nearest":
        return apply_op(U.UPSAMPLE_NEAREST2D, (input,), (sizes, tuple(output_size), scales))
    return apply_op(U.UPSAMPLE_BILINEAR2D, (input,),
                    (sizes, tuple(output_size), bool(align_corners), scales))
