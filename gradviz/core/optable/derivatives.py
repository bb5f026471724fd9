"""Derivatives that torch computes with ops of their own (``relu``'s threshold_backward,
``tanh``'s tanh_backward, a gradient scaled by a number...), on NumPy arrays. On Tensors
(``tensor_formulas``) each is its row of ``derivative_ops``, so that under
``create_graph=True`` a derivative shows torch's nodes (``ThresholdBackwardBackward0``...).
"""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.helpers import (
    _const,
    _dims,
    _raw,
    div_scalar,
    exp,
    mask,
    scale,
    scatter_into,
    shift,
    sigmoid,
    sub_scalar,
    sum_backward,
    unsqueeze_dims,
    where,
    zeros_like,
)

__all__ = ["celu_input_scale", "elu_backward", "elu_double_backward", "hardsigmoid_backward",
           "hardswish_backward", "hardswish_double_backward", "log_sigmoid_backward",
           "log_sigmoid_double_backward", "log1p", "mish_backward", "tanh",
           "hardtanh_backward", "leaky_relu_backward",
           "softplus_backward", "softplus_double_backward", "silu_backward", "amax_backward",
           "bce_backward", "bce_double_backward",
           "bce_double_backward_grad_output", "bce_double_backward_target", "cosh",
           "cumsum_backward", "flip", "logsumexp_backward", "masked_fill_grad",
           "masked_sum", "mean_backward", "mse_double_backward",
           "mse_double_backward_grad_output", "mse_loss_backward", "pow_backward",
           "reduced", "select_backward", "sgn", "sigmoid_backward", "sinh",
           "slice_backward", "take", "tanh_backward", "threshold_backward",
           "to_copy_backward"]


def sgn(x):
    """The sign, as abs's derivative uses it (recorded as SgnBackward0 on Tensors)."""
    return np.sign(x)


def threshold_backward(grad, self, threshold):
    """relu's derivative: grad where self > threshold, else 0 (torch's threshold_backward)."""
    keep = ~(self <= threshold)  # as torch: a nan passes the gradient
    out = grad * keep  # with the two fixes below, still faster than np.where
    if not np.isfinite(out).all():
        out[~keep] = 0  # as torch: nan or inf where self <= threshold still gives 0
    out += 0.0  # and +0, not the -0 of a negative gradient times 0
    return out


def tanh_backward(grad, output):
    """tanh's derivative from its output: grad * (1 - output²)."""
    return grad * (1 - output * output)


def elu_backward(grad, x, alpha, scale, input_scale, is_result):
    """elu's derivative from self (in place: from the result), torch's elu_backward: a nan
    passes the gradient. selu and celu are elu with a ``scale`` and an ``input_scale``."""
    positive = grad if scale == 1 else grad * scale
    if is_result:
        negative = grad * (x + alpha * scale)
    else:
        negative = grad * (alpha * scale) * exp(x if input_scale == 1 else x * input_scale)
    return where(x <= 0, negative if input_scale == 1 else negative * input_scale, positive)


def elu_double_backward(grad, grad_output, alpha, scale, input_scale, is_result, x):
    """d/d x of elu_backward (torch's elu_double_backward)."""
    if input_scale != 1:
        grad = grad * input_scale
    if is_result:
        return grad * grad_output * mask(x < 0, grad)
    return (elu_backward(grad * grad_output, x, alpha, scale, input_scale, is_result)
            * mask(x <= 0, grad))


def celu_input_scale(alpha):
    """celu's derivative is elu's with input scale 1 / alpha, alpha taken as a float32 (as
    torch's formula, ``1.0/alpha.toFloat()``, does; its forward uses the double)."""
    return 1.0 / float(np.float32(alpha))


def hardtanh_backward(grad, self, min_val, max_val):
    """hardtanh's derivative: 0 where self <= min_val or self >= max_val (a nan passes)."""
    return where((_raw(self) <= min_val) | (_raw(self) >= max_val), zeros_like(grad), grad)


def leaky_relu_backward(grad, self, negative_slope):
    """leaky_relu's derivative: grad where self > 0, else grad * negative_slope."""
    return where(_raw(self) > 0, grad, grad * negative_slope)


def softplus_backward(grad, self, beta, threshold):
    """softplus's derivative: grad * sigmoid(beta * self), grad past the threshold."""
    bx = self * beta
    return where(_raw(bx) > threshold, grad, grad * sigmoid(bx))


def softplus_double_backward(grad, self, beta, threshold):
    """d/d self of softplus_backward (torch's softplus_double_backward)."""
    bx = self * beta
    return scale(sigmoid_backward(grad, sigmoid(bx)) * mask(_raw(bx) < threshold, grad), beta)


def silu_backward(grad, self):
    """silu's derivative as torch records it under create_graph (its
    infinitely_differentiable_silu_backward): grad * s * (1 + self * (1 - s)), s the
    sigmoid of self, computed once."""
    s = sigmoid(self)
    return grad * s * shift(self * (_const(np.ones_like(_raw(s)), s) - s), 1.0)


def tanh(x):
    return np.tanh(x)


def log1p(x):
    return np.log1p(x)


def mish_backward(grad, self):
    """mish's derivative as torch records it under create_graph (its
    infinitely_differentiable_mish_backward): grad * (t + self * s * (1 - t²)), s the
    sigmoid of self and t the tanh of its softplus, log1p(exp(self))."""
    s = sigmoid(self)
    t = tanh(log1p(exp(self)))
    return grad * (t + self * s * (_const(np.ones_like(_raw(t)), t) - t * t))


def log_sigmoid_backward(grad, self):
    """log_sigmoid's derivative, grad * sigmoid(-self), as torch's kernel computes it."""
    x = _raw(self)
    z = np.exp(-np.abs(x))
    return grad * np.where(x < 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)


def log_sigmoid_double_backward(grad, self):
    """d/d self of log_sigmoid_backward: grad * (s - 1) * s, s = sigmoid(self)."""
    s = sigmoid(self)
    return grad * sub_scalar(s, 1) * s


def hardswish_backward(grad, self):
    """hardswish's derivative: 0 below -3, grad * (self / 3 + 0.5) up to 3, grad above."""
    x = _raw(self)
    out = np.where(x <= 3, grad * (x / 3 + 0.5), grad)
    return np.where(x < -3, 0.0, out).astype(x.dtype, copy=False)  # +0, as torch


def hardswish_double_backward(grad, grad_output, self):
    """d/d self of hardswish_backward: grad * grad_output / 3 where -3 < self < 3."""
    x = _raw(self)
    return where((x > -3.0) & (x < 3.0), div_scalar(grad * grad_output, 3.0), zeros_like(grad))


def hardsigmoid_backward(grad, self):
    """hardsigmoid's derivative: grad / 6 where -3 < self < 3, else 0 (torch's kernel
    multiplies by 1/6 as a float32)."""
    x = _raw(self)
    inside = (x > -3) & (x < 3)
    return np.where(inside, grad * float(np.float32(1 / 6)), 0.0).astype(x.dtype, copy=False)


def sigmoid_backward(grad, output):
    """sigmoid's derivative from its output: grad * (1 - output) * output."""
    return grad * (1 - output) * output


def pow_backward(grad, self, exponent):
    """d/d self of self ** exponent; 0 where the exponent is 0 (torch's pow_backward_self:
    ``grad * (exponent * self.pow(exponent - 1))``)."""
    if isinstance(exponent, np.ndarray) and exponent.dtype == np.bool_:  # exponent - 1
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    if not isinstance(exponent, np.ndarray):
        if exponent == 0:
            return zeros_like(grad * self)
        return grad * scale(self ** (exponent - 1), exponent)
    return where(_raw(exponent) == 0, zeros_like(grad),
                 grad * (exponent * self ** sub_scalar(exponent, 1)))


def mean_backward(grad, sizes, dim, keepdim):
    """The gradient expanded back over the reduced dims, divided by their size."""
    dims = _dims(dim, len(sizes))
    count = int(np.prod([sizes[d] for d in dims])) if sizes else 1
    return div_scalar(sum_backward(grad, sizes, dim, keepdim), count)


def reduced(x, reduction, numel):
    """A loss's per-element gradient under its reduction: divided by numel for "mean"."""
    return div_scalar(x, numel) if reduction == "mean" else x


def mse_loss_backward(grad, self, target, reduction):
    """mse_loss's derivative: 2 (self - target) grad, / numel for "mean"
    (MseLossBackwardBackward0 on Tensors)."""
    norm = 2.0 / self.size if reduction == "mean" else 2.0
    return norm * (self - target) * grad


def mse_double_backward(grad, self, reduction):
    """d/d self of mse_loss_backward, times ``grad`` (torch's mse_loss_double_backward)."""
    return reduced(scale(grad, 2), reduction, int(np.size(_raw(self))))


def mse_double_backward_grad_output(grad, grad_output, self, target, reduction):
    """d/d grad_output of mse_loss_backward, times ``grad``."""
    if reduction == "none":
        return mse_loss_backward(grad, self, target, reduction)
    ones = _const(np.ones_like(_raw(grad_output)), grad_output)
    return (mse_loss_backward(ones, self, target, reduction) * grad).sum()


def masked_fill_grad(grad, mask):
    """The gradient with 0 where the mask filled (MaskedFillBackward0 on Tensors)."""
    return np.where(mask, 0, grad).astype(grad.dtype, copy=False)


def masked_sum(grad, mask):
    """The gradient summed where the mask filled: what the fill value receives."""
    return np.asarray(np.sum(grad, where=np.broadcast_to(mask, grad.shape)), dtype=grad.dtype)


def take(grad, key):
    """``grad[key]``: what a gradient scattered into zeros gets back."""
    return np.asarray(grad[key])


def slice_backward(grad, sizes, key):
    """Zeros of ``sizes`` with ``grad`` in the slice (SliceBackwardBackward0 on Tensors)."""
    return scatter_into(grad, sizes, key)


def select_backward(grad, sizes, key):
    """Zeros of ``sizes`` with ``grad`` at the index (SelectBackwardBackward0 on Tensors)."""
    return scatter_into(grad, sizes, key)


_EPS = 1e-12


def _weighted(x, weight):
    return x if weight is None else x * weight


def bce_backward(grad, self, target, weight, reduction):
    """binary_cross_entropy's derivative: grad (self - target) / (self (1 - self)), weighted,
    / numel for "mean" (BinaryCrossEntropyBackwardBackward0 on Tensors)."""
    out = grad * (self - target) / np.maximum((1 - self) * self, _EPS)
    out = _weighted(out, weight)
    return out / self.size if reduction == "mean" else out


def bce_double_backward(grad_output, grad, self, target, weight, reduction):
    """d/d self of bce_backward, times ``grad``."""
    d = (self * self - 2 * self * target + target) / (
        (self + _EPS) ** 2 * (1 - self + _EPS) ** 2)
    out = _weighted(d * (grad * grad_output), weight)
    return reduced(out, reduction, int(np.size(_raw(self))))


def bce_double_backward_grad_output(grad, self, target, weight, reduction):
    """d/d grad_output of bce_backward, times ``grad``."""
    d = _weighted((self - target) / ((self + _EPS) * (1 - self + _EPS)), weight)
    if reduction == "none":
        return d * grad
    return (reduced(d, reduction, int(np.size(_raw(self)))) * grad).sum()


def bce_double_backward_target(grad, grad_output, self, target, weight, reduction):
    """d/d target of bce_backward, times ``grad``."""
    out = _weighted(-(grad * grad_output) / ((self + _EPS) * (1 - self + _EPS)), weight)
    return reduced(out, reduction, int(np.size(_raw(self))))


def to_copy_backward(grad, self_dtype):
    """The gradient cast back to the input's dtype (ToCopyBackward0 on Tensors)."""
    return grad.astype(self_dtype, copy=False)


def sinh(x):
    return np.sinh(x)


def cosh(x):
    return np.cosh(x)


def flip(g, dims):
    return np.flip(g, dims)


def cumsum_backward(grad, dim):
    """The cumulative sum of the gradient from the end (torch's cumsum_backward); a gradient
    of one element, or one along ``dim``, is itself."""
    if grad.size <= 1 or dim == () or grad.shape[dim] == 1:
        return grad
    return np.flip(np.cumsum(np.flip(grad, dim), axis=dim), dim)


def _restored(x, dims, ndim, keepdim):
    return x if keepdim else unsqueeze_dims(x, dims, ndim)


def logsumexp_backward(grad, self, result, dim, keepdim):
    """grad * exp(self - result), with the reduced dims put back."""
    n = len(self.shape)
    grad, result = _restored(grad, dim, n, keepdim), _restored(result, dim, n, keepdim)
    return grad * exp(self - result)


def amax_backward(grad, self, result, dim, keepdim):
    """The gradient shared equally among the elements equal to the max (or min)."""
    n = len(self.shape)
    grad, result = _restored(grad, dim, n, keepdim), _restored(result, dim, n, keepdim)
    hits = _raw(self) == _raw(result)
    count = _const(np.sum(hits, axis=dim, keepdims=True), grad)
    return grad / count * _const(hits, grad)
