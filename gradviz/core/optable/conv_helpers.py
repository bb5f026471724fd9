"""Convolution and pooling on NumPy arrays: the forwards (sliding windows and ``einsum``,
no Python loop over pixels) and the names their backward formulas use.

Every op works on ``(N, C, *spatial)`` arrays with one or two spatial dims; strides,
paddings and dilations are tuples of one int per spatial dim. A window's elements are
read from a padded copy of the input (``windows``) and gradients are written back the
same way in reverse (``add_windows``), one kernel offset at a time.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["adaptive_avg_pool_grad", "avg_pool_grad", "conv_bias_grad", "conv_input_grad",
           "conv_weight_grad", "max_pool_grad"]

_LETTERS = "xyz"  # output positions per spatial dim; kernel offsets are "ijk"


def pad_spatial(x, padding, value=0.0, extra=None):
    """``x`` with ``padding[d]`` elements on both sides of each spatial dim (``extra[d]`` more
    on the right: ceil_mode's last partial window)."""
    extra = extra or (0,) * len(padding)
    if not any(padding) and not any(extra):
        return x
    widths = [(0, 0)] * (x.ndim - len(padding)) + [(p, p + e) for p, e in zip(padding, extra,
                                                                              strict=True)]
    return np.pad(x, widths, constant_values=value)


def windows(xp, kernel, stride, dilation):
    """The windows of a padded ``(N, C, *S)`` array: ``(N, C, *out, *kernel)``, a view."""
    nd = len(kernel)
    span = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True))
    w = sliding_window_view(xp, span, axis=tuple(range(xp.ndim - nd, xp.ndim)))
    index = (Ellipsis, *(slice(None, None, s) for s in stride),
             *(slice(None, None, d) for d in dilation))
    return w[index]


def add_windows(cols, padded_shape, kernel, stride, dilation):
    """The reverse of ``windows``: each window element of ``cols`` ``(N, C, *out, *kernel)``
    added back where it was read from, in an array of ``padded_shape``."""
    nd = len(kernel)
    out = np.zeros(padded_shape, dtype=cols.dtype)
    sizes = cols.shape[2:2 + nd]
    for offset in np.ndindex(*kernel):
        target = (Ellipsis, *(slice(o * d, o * d + s * (n - 1) + 1, s)
                              for o, d, s, n in zip(offset, dilation, stride, sizes,
                                                    strict=True)))
        out[target] += cols[(Ellipsis, *offset)]
    return out


def crop_spatial(x, padding, shape):
    """The part of a padded array that was the input of spatial ``shape``."""
    index = (Ellipsis, *(slice(p, p + n) for p, n in zip(padding, shape, strict=True)))
    return x[index]


def _grouped(array, groups, axis):
    shape = array.shape
    return array.reshape(shape[:axis] + (groups, shape[axis] // groups) + shape[axis + 1:])


def _specs(nd):
    out, kern = _LETTERS[:nd], "ijk"[:nd]
    return out, kern


def convolution(input, weight, bias, stride, padding, dilation, groups):
    """torch.convolution's forward: ``(N, C, *S)`` with ``(O, C / groups, *K)`` -> ``(N, O,
    *out)``, plus ``bias`` per output channel."""
    nd = weight.ndim - 2
    kernel = weight.shape[2:]
    cols = windows(pad_spatial(input, padding), kernel, stride, dilation)
    out, kern = _specs(nd)
    result = np.einsum(f"ngc{out}{kern},gfc{kern}->ngf{out}",
                       _grouped(cols, groups, 1), _grouped(weight, groups, 0), optimize=True)
    result = result.reshape((result.shape[0], -1) + result.shape[3:])
    if bias is not None:
        result = result + bias.reshape((-1,) + (1,) * nd)
    return np.ascontiguousarray(result, dtype=np.result_type(input, weight))


def conv_input_grad(grad, input, weight, stride, padding, dilation, groups):
    """d/d input of a convolution: each output's gradient spread back over its window
    through the kernel (a transposed convolution)."""
    nd = weight.ndim - 2
    kernel = weight.shape[2:]
    out, kern = _specs(nd)
    cols = np.einsum(f"ngf{out},gfc{kern}->ngc{out}{kern}", _grouped(grad, groups, 1),
                     _grouped(weight, groups, 0), optimize=True)
    cols = cols.reshape((cols.shape[0], -1) + cols.shape[3:])
    padded = input.shape[:2] + tuple(n + 2 * p for n, p in zip(input.shape[2:], padding,
                                                                 strict=True))
    full = add_windows(cols, padded, kernel, stride, dilation)
    return crop_spatial(full, padding, input.shape[2:]).astype(input.dtype, copy=False)


def conv_weight_grad(grad, input, weight, stride, padding, dilation, groups):
    """d/d weight of a convolution: each window of the input times its output's gradient,
    summed over the batch and the positions."""
    nd = weight.ndim - 2
    cols = windows(pad_spatial(input, padding), weight.shape[2:], stride, dilation)
    out, kern = _specs(nd)
    g = np.einsum(f"ngc{out}{kern},ngf{out}->gfc{kern}", _grouped(cols, groups, 1),
                  _grouped(grad, groups, 1), optimize=True)
    return g.reshape(weight.shape).astype(weight.dtype, copy=False)


def conv_bias_grad(grad):
    """d/d bias of a convolution: the gradient summed over all but the channel dim."""
    return grad.sum(axis=(0, *range(2, grad.ndim)))


# ---------------------------------------------------------------- pooling
def pool_out_size(n, k, s, p, d, ceil_mode):
    """Output length of a pooling window along one dim, as torch's pooling_output_shape."""
    numerator = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    size = numerator // s + 1
    if ceil_mode and (size - 1) * s >= n + p:  # the last window must start inside
        size -= 1
    return size


def _ceil_extra(shape, kernel, stride, padding, dilation, ceil_mode):
    """How much more than ``padding`` each dim's right side needs for the windows to fit."""
    extra = []
    for n, k, s, p, d in zip(shape, kernel, stride, padding, dilation, strict=True):
        size = pool_out_size(n, k, s, p, d, ceil_mode)
        extra.append(max(0, (size - 1) * s + d * (k - 1) + 1 - (n + 2 * p)))
    return tuple(extra)


def max_pool_with_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """Max pooling: the values and, per output, the flat position of its max in the input
    plane (torch's indices)."""
    nd = len(kernel)
    spatial = x.shape[-nd:]
    extra = _ceil_extra(spatial, kernel, stride, padding, dilation, ceil_mode)
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    cols = windows(pad_spatial(x, padding, low, extra), kernel, stride, dilation)
    flat = cols.reshape(cols.shape[:-nd] + (-1,))
    if x.dtype.kind == "f":  # a nan wins, as in torch
        best = np.where(np.isnan(flat).any(-1), np.isnan(flat).argmax(-1), flat.argmax(-1))
    else:
        best = flat.argmax(-1)
    values = np.take_along_axis(flat, best[..., None], -1)[..., 0]
    # the window offset -> the input position it read
    offsets = np.unravel_index(best, kernel)
    out_shape = best.shape[-nd:]
    index = np.zeros(best.shape, dtype=np.int64)
    for d in range(nd):
        starts = np.arange(out_shape[d]) * stride[d] - padding[d]
        starts = starts.reshape((-1,) + (1,) * (nd - 1 - d))
        pos = starts + offsets[d] * dilation[d]
        index = index * spatial[d] + pos
    return np.ascontiguousarray(values), index


def max_pool_grad(grad, self, indices):
    """d/d self of 2-d max pooling: each output's gradient added at its max's position."""
    lead = self.shape[:-2]
    plane = self.shape[-2] * self.shape[-1]
    out = np.zeros((int(np.prod(lead)), plane), dtype=grad.dtype)
    idx = indices.reshape(out.shape[0], -1)
    rows = np.repeat(np.arange(out.shape[0]), idx.shape[1])
    np.add.at(out, (rows, idx.reshape(-1)), grad.reshape(-1))
    return out.reshape(self.shape)


def avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """Average pooling (torch's divisor: the window's size inside the padded input, or the
    elements of the input alone when ``count_include_pad`` is False)."""
    nd = len(kernel)
    ones = (1,) * nd
    extra = _ceil_extra(x.shape[-nd:], kernel, stride, padding, ones, ceil_mode)
    cols = windows(pad_spatial(x, padding, 0, extra), kernel, stride, ones)
    total = cols.sum(axis=tuple(range(-nd, 0)))
    divisor = avg_divisor(x.shape[-nd:], total.shape[-nd:], kernel, stride, padding,
                          count_include_pad, divisor_override)
    return (total / divisor).astype(x.dtype, copy=False)


def avg_divisor(shape, out_shape, kernel, stride, padding, count_include_pad,
                divisor_override):
    """Per output position, what its window's sum is divided by."""
    if divisor_override:
        return divisor_override
    divisor = np.ones(out_shape)
    for d, (n, k, s, p) in enumerate(zip(shape, kernel, stride, padding, strict=True)):
        start = np.arange(out_shape[d]) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            size = np.minimum(end, n) - np.maximum(start, 0)
        else:
            size = end - start
        divisor = divisor * size.reshape((-1,) + (1,) * (len(shape) - 1 - d))
    return divisor


def avg_pool_grad(grad, self, kernel, stride, padding, ceil_mode, count_include_pad,
                  divisor_override):
    """d/d self of average pooling: each output's gradient shared over its window."""
    nd = len(kernel)
    ones = (1,) * nd
    shape = self.shape[-nd:]
    extra = _ceil_extra(shape, kernel, stride, padding, ones, ceil_mode)
    divisor = avg_divisor(shape, grad.shape[-nd:], kernel, stride, padding, count_include_pad,
                          divisor_override)
    share = (grad / divisor).astype(grad.dtype, copy=False)
    cols = np.broadcast_to(share.reshape(share.shape + ones), share.shape + tuple(kernel))
    padded = self.shape[:-nd] + tuple(n + 2 * p + e for n, p, e in zip(shape, padding, extra,
                                                                      strict=True))
    lead = cols.shape[:-2 * nd]
    full = add_windows(cols.reshape((-1, 1) + cols.shape[len(lead):]),
                       (int(np.prod(lead)), 1) + padded[len(lead):], kernel, stride, ones)
    return crop_spatial(full.reshape(padded), padding, shape)


def adaptive_ranges(n, size):
    """torch's adaptive windows along one dim: [floor(i n / size), ceil((i + 1) n / size))."""
    return [(i * n // size, math.ceil((i + 1) * n / size)) for i in range(size)]


def adaptive_avg_pool(x, output_size):
    """Adaptive average pooling over the last ``len(output_size)`` dims."""
    nd = len(output_size)
    spans = [adaptive_ranges(n, s) for n, s in zip(x.shape[-nd:], output_size, strict=True)]
    out = np.empty(x.shape[:-nd] + tuple(output_size), dtype=x.dtype)
    for pos in np.ndindex(*output_size):
        window = (Ellipsis, *(slice(*spans[d][i]) for d, i in enumerate(pos)))
        out[(Ellipsis, *pos)] = x[window].mean(axis=tuple(range(-nd, 0)))
    return out


def adaptive_avg_pool_grad(grad, self):
    """d/d self of 2-d adaptive average pooling: each output's gradient shared over its window."""
    nd = 2
    output_size = grad.shape[-nd:]
    spans = [adaptive_ranges(n, s) for n, s in zip(self.shape[-nd:], output_size, strict=True)]
    out = np.zeros(self.shape, dtype=grad.dtype)
    for pos in np.ndindex(*output_size):
        window = (Ellipsis, *(slice(*spans[d][i]) for d, i in enumerate(pos)))
        count = int(np.prod([spans[d][i][1] - spans[d][i][0] for d, i in enumerate(pos)]))
        out[window] += (grad[(Ellipsis, *pos)] / count)[(Ellipsis, *([None] * nd))]
    return out
