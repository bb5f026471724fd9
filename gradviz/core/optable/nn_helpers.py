"""The names the neural-net formulas use besides those of ``helpers``: softmax,
log_softmax and the losses, on NumPy arrays (on Tensors: ``tensor_formulas``).
"""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.helpers import _const, _raw, sigmoid

__all__ = ["bce_logits_grad", "bce_logits_target_grad", "log_softmax_backward", "nll_backward",
           "nll_loss", "numel", "softmax_backward", "softmax_double_backward",
           "sum_keepdim"]


def sum_keepdim(x, dim):
    return np.sum(x, axis=dim, keepdims=True)


def softmax_backward(grad, result, dim):
    """softmax's derivative from its output (recorded as SoftmaxBackwardDataBackward0)."""
    return result * (grad - np.sum(grad * result, axis=dim, keepdims=True))


def softmax_double_backward(grad, grad_output, dim, output):
    """d/d output of softmax_backward(grad_output, output), times ``grad``."""
    return (grad_output * grad - sum_keepdim(output * grad_output, dim) * grad
            - grad_output * sum_keepdim(output * grad, dim))


def log_softmax_backward(grad, result, dim):
    """log_softmax's derivative from its output (LogSoftmaxBackwardDataBackward0)."""
    return grad - np.exp(result) * np.sum(grad, axis=dim, keepdims=True)


def nll_loss(x, target, weight, reduction, ignore_index, total_weight):
    """nll_loss's forward, recorded on Tensors (NllLossBackward0): what a third derivative
    of nll_loss runs."""
    return _nll(x, target, weight, reduction, ignore_index, total_weight)


def nll_backward(grad, self, target, weight, reduction, ignore_index, total_weight):
    """nll_loss's derivative (recorded as NllLossBackwardBackward0 on Tensors)."""
    tgt = np.asarray(target)
    one_hot = np.zeros(self.shape, dtype=_raw(self).dtype)
    w = np.ones(self.shape[-1], dtype=one_hot.dtype) if weight is None else _raw(weight)
    valid = tgt != ignore_index
    safe_t = np.where(valid, tgt, 0)
    if self.ndim == 1:
        one_hot[safe_t] = -w[safe_t] * valid
    else:
        rows = np.arange(self.shape[0])
        one_hot[rows, safe_t] = -w[safe_t] * valid
    if reduction == "none":
        g = grad.reshape(grad.shape + (1,)) if self.ndim > 1 else grad
        return _const(one_hot, self) * g
    if reduction == "mean":
        one_hot = one_hot / total_weight if total_weight else one_hot * 0
    return _const(one_hot, self) * grad


def bce_logits_grad(self, target, weight, pos_weight):
    """d/dx of binary_cross_entropy_with_logits, per element."""
    if pos_weight is None:
        g = sigmoid(self) - target
    else:
        log_weight = (pos_weight - 1) * target + 1
        g = log_weight * sigmoid(self) - log_weight + (1 - target)
    return g if weight is None else g * weight


def log_sigmoid(x):
    return -np.logaddexp(0, -x)


def bce_logits_target_grad(self, weight, pos_weight):
    """d/d target of binary_cross_entropy_with_logits, per element."""
    if pos_weight is None:
        g = -self
    else:
        g = log_sigmoid(-self) - pos_weight * log_sigmoid(self)
    return g if weight is None else g * weight


def numel(x):
    return x.size if type(x) is np.ndarray else int(np.size(_raw(x)))


def _nll(x, target, weight, reduction, ignore_index, total_weight):
    w = np.ones(x.shape[-1], x.dtype) if weight is None else weight
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    picked = x[safe] if x.ndim == 1 else x[np.arange(x.shape[0]), safe]
    loss = -picked * w[safe] * valid
    if reduction == "none":
        return loss.astype(x.dtype, copy=False)
    if reduction == "sum":
        return np.asarray(loss.sum(dtype=x.dtype))
    return np.asarray((loss.sum() / total_weight) if total_weight else np.nan, dtype=x.dtype)
