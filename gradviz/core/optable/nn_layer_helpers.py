"""Forwards and backward-formula names (on NumPy arrays) of the layers' own ops: layer and
batch normalisation, embedding lookups, GELU, constant padding, and the Huber and
smooth-L1 losses.

Normalisation statistics are computed once by the forward's caller and handed to the
rows as arguments (``mean``, ``invstd``), as torch saves them on its node.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["batch_norm_input_grad", "batch_norm_weight_grad", "channel_sum", "embedding_grad",
           "gelu_grad", "huber_grad", "layer_norm_input_grad", "layer_norm_weight_grad",
           "leading_sum", "pad_grad", "smooth_l1_grad"]

_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    """The error function elementwise (NumPy has none; Python's ``math.erf`` is exact)."""
    return _erf(x).astype(x.dtype if x.dtype.kind == "f" else np.float32)


# ---------------------------------------------------------------- layer norm
def _last(normalized_shape):
    return tuple(range(-len(normalized_shape), 0))


def layer_norm_stats(x, normalized_shape, eps):
    axes = _last(normalized_shape)
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return mean, 1 / np.sqrt(var + eps)


def layer_norm(x, weight, bias, normalized_shape, eps):
    mean, invstd = layer_norm_stats(x, normalized_shape, eps)
    out = (x - mean) * invstd
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out.astype(x.dtype, copy=False)


def layer_norm_input_grad(grad, input, weight, normalized_shape, eps):
    """d/d input of layer norm: ``invstd * (g - mean(g) - xhat * mean(g * xhat))`` with
    ``g = grad * weight``, the means over the normalised dims."""
    axes = _last(normalized_shape)
    mean, invstd = layer_norm_stats(input, normalized_shape, eps)
    xhat = (input - mean) * invstd
    g = grad if weight is None else grad * weight
    out = invstd * (g - g.mean(axis=axes, keepdims=True)
                    - xhat * (g * xhat).mean(axis=axes, keepdims=True))
    return out.astype(input.dtype, copy=False)


def layer_norm_weight_grad(grad, input, normalized_shape, eps):
    mean, invstd = layer_norm_stats(input, normalized_shape, eps)
    return leading_sum(grad * (input - mean) * invstd, normalized_shape)


def leading_sum(grad, normalized_shape):
    """The gradient summed over the dims before ``normalized_shape`` (a bias's gradient)."""
    lead = grad.ndim - len(normalized_shape)
    return grad.sum(axis=tuple(range(lead))) if lead else grad


# ---------------------------------------------------------------- batch norm
def _channel_shape(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def batch_norm(x, weight, bias, mean, invstd, training):
    shape = _channel_shape(x)
    out = (x - mean.reshape(shape)) * invstd.reshape(shape)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out.astype(x.dtype, copy=False)


def _reduce_axes(x):
    return (0, *range(2, x.ndim))


def channel_sum(grad):
    """The gradient summed over all but the channel dim (dim 1)."""
    return grad.sum(axis=_reduce_axes(grad))


def batch_norm_input_grad(grad, input, weight, mean, invstd, training):
    """d/d input of batch norm: in training the statistics depend on the input too
    (``invstd * w * (g - mean(g) - xhat * mean(g * xhat))``); in eval only ``g * invstd * w``."""
    shape = _channel_shape(input)
    w = np.ones_like(invstd) if weight is None else weight
    scale = (invstd * w).reshape(shape)
    if not training:
        return (grad * scale).astype(input.dtype, copy=False)
    axes = _reduce_axes(input)
    xhat = (input - mean.reshape(shape)) * invstd.reshape(shape)
    out = scale * (grad - grad.mean(axis=axes, keepdims=True)
                   - xhat * (grad * xhat).mean(axis=axes, keepdims=True))
    return out.astype(input.dtype, copy=False)


def batch_norm_weight_grad(grad, input, mean, invstd):
    shape = _channel_shape(input)
    return channel_sum(grad * (input - mean.reshape(shape)) * invstd.reshape(shape))


# ---------------------------------------------------------------- embedding, gelu, pad
def embedding_grad(grad, indices, num_weights, padding_idx):
    """d/d weight of an embedding lookup: each looked-up row's gradient added to its row
    (none to ``padding_idx``)."""
    dim = grad.shape[-1]
    out = np.zeros((num_weights, dim), dtype=grad.dtype)
    flat = indices.reshape(-1)
    g = grad.reshape(-1, dim)
    if padding_idx is not None:
        keep = flat != padding_idx
        flat, g = flat[keep], g[keep]
    np.add.at(out, flat, g)
    return out


def gelu(x, approximate):
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        return (0.5 * x * (1 + np.tanh(inner))).astype(x.dtype, copy=False)
    return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(x.dtype, copy=False)


def gelu_grad(grad, self, approximate):
    x = self
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = k * (x + 0.044715 * x ** 3)
        t = np.tanh(inner)
        d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    else:
        cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        d = cdf + x * pdf
    return (grad * d).astype(x.dtype, copy=False)


def constant_pad(x, pad, value):
    """``F.pad``'s constant mode: ``pad`` pairs from the last dim backwards; negative
    amounts crop."""
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    crop = tuple(slice(max(0, -lo), x.shape[d] - max(0, -hi))
                 for d, (lo, hi) in enumerate(widths))
    grown = [(max(0, lo), max(0, hi)) for lo, hi in widths]
    return np.pad(x[crop], grown, constant_values=value)


def pad_grad(grad, pad):
    """d/d self of constant padding: the padded gradient cropped back (zeros where the
    forward cropped)."""
    return constant_pad(grad, tuple(-p for p in pad), 0)


# ---------------------------------------------------------------- losses
def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    total = loss.sum()
    return np.asarray(total / loss.size if reduction == "mean" else total, dtype=loss.dtype)


def huber(x, y, reduction, delta):
    d = np.abs(x - y)
    loss = np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _reduce(loss.astype(x.dtype, copy=False), reduction)


def smooth_l1(x, y, reduction, beta):
    d = np.abs(x - y)
    if beta == 0:
        loss = d
    else:
        loss = np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)
    return _reduce(loss.astype(x.dtype, copy=False), reduction)


def _scaled(grad, per_element, reduction):
    if reduction == "mean":
        return (per_element * grad / per_element.size).astype(per_element.dtype, copy=False)
    return (per_element * grad).astype(per_element.dtype, copy=False)


def huber_grad(grad, self, target, reduction, delta):
    """d/d self of the Huber loss: ``x - y`` inside ``delta``, ``delta * sign(x - y)``
    outside (divided by N for mean)."""
    d = self - target
    per = np.where(d < -delta, -delta, np.where(d > delta, delta, d)).astype(self.dtype)
    return _scaled(grad, per, reduction)


def smooth_l1_grad(grad, self, target, reduction, beta):
    """d/d self of the smooth L1 loss: ``(x - y) / beta`` inside ``beta``, ``sign(x - y)``
    outside (divided by N for mean)."""
    d = self - target
    if beta == 0:
        per = np.sign(d)
    else:
        per = np.where(d < -beta, -1.0, np.where(d > beta, 1.0, d / beta))
    return _scaled(grad, per.astype(self.dtype), reduction)
