"""Upsampling on NumPy arrays (``interpolate``'s nearest and bilinear modes on ``(N, C, H,
W)``): the forwards and the names their backward formulas use. Each spatial dim is resized
on its own, as torch's kernels do: every output position reads one input position
(nearest) or two, with weights that sum to 1 (bilinear), computed in the input's dtype
with torch's formulas (``nearest_idx``, ``area_pixel_compute_source_index``)."""

from __future__ import annotations

import numpy as np

__all__ = ["upsample_bilinear2d_backward", "upsample_nearest2d_backward"]


def nearest_indices(n_in, n_out, scale):
    """The input position each output position reads (torch's ``nearest_idx``, in float32)."""
    out = np.arange(n_out)
    if n_out == n_in:
        return out
    if n_out == 2 * n_in:
        return out >> 1
    step = np.float32(1.0 / scale) if scale else np.float32(n_in) / np.float32(n_out)
    return np.minimum(np.floor(out.astype(np.float32) * step).astype(np.int64), n_in - 1)


def linear_weights(n_in, n_out, align_corners, scale, dtype):
    """Per output position: the two input positions read and their weights."""
    dtype = np.dtype(dtype).type
    out = np.arange(n_out).astype(dtype)
    if align_corners:
        step = dtype(n_in - 1) / dtype(n_out - 1) if n_out > 1 else dtype(0)
        src = step * out
    else:
        step = dtype(1.0 / scale) if scale and scale > 0 else dtype(n_in) / dtype(n_out)
        src = np.maximum(step * (out + dtype(0.5)) - dtype(0.5), dtype(0))
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < n_in - 1)
    l1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    return i0, i1, (dtype(1) - l1).astype(dtype), l1


def upsample_nearest2d(x, output_size, scales):
    rows = nearest_indices(x.shape[-2], output_size[0], scales[0])
    cols = nearest_indices(x.shape[-1], output_size[1], scales[1])
    return x[..., rows[:, None], cols[None, :]]


def upsample_nearest2d_backward(grad, input_size, output_size, scales):
    """Each input position gets the sum of the gradients of the outputs that read it."""
    rows = nearest_indices(input_size[-2], output_size[0], scales[0])
    cols = nearest_indices(input_size[-1], output_size[1], scales[1])
    out = np.zeros(input_size, grad.dtype)
    np.add.at(out, (Ellipsis, rows[:, None], cols[None, :]), grad)
    return out


def _lerp_axis(x, axis, i0, i1, l0, l1):
    shape = [1] * x.ndim
    shape[axis] = -1
    return (np.take(x, i0, axis) * l0.reshape(shape) + np.take(x, i1, axis) * l1.reshape(shape))


def _lerp_axis_backward(grad, axis, n_in, i0, i1, l0, l1):
    shape = [1] * grad.ndim
    shape[axis] = -1
    sizes = list(grad.shape)
    sizes[axis] = n_in
    out = np.zeros(sizes, grad.dtype)
    moved = np.moveaxis(out, axis, 0)
    np.add.at(moved, i0, np.moveaxis(grad * l0.reshape(shape), axis, 0))
    np.add.at(moved, i1, np.moveaxis(grad * l1.reshape(shape), axis, 0))
    return out


def upsample_bilinear2d(x, output_size, align_corners, scales):
    rows = linear_weights(x.shape[-2], output_size[0], align_corners, scales[0], x.dtype)
    cols = linear_weights(x.shape[-1], output_size[1], align_corners, scales[1], x.dtype)
    return _lerp_axis(_lerp_axis(x, x.ndim - 1, *cols), x.ndim - 2, *rows)


def upsample_bilinear2d_backward(grad, input_size, output_size, align_corners, scales):
    """The gradient spread back to the two input positions each output read, by weight."""
    dtype = grad.dtype
    rows = linear_weights(input_size[-2], output_size[0], align_corners, scales[0], dtype)
    cols = linear_weights(input_size[-1], output_size[1], align_corners, scales[1], dtype)
    g = _lerp_axis_backward(grad, grad.ndim - 2, input_size[-2], *rows)
    return _lerp_axis_backward(g, grad.ndim - 1, input_size[-1], *cols)
