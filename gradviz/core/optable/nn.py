"""Neural-network ops: softmax, log_softmax and the losses with their own grad_fn."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.nn_helpers import _nll
from gradviz.core.optable.table import row


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    total = np.add.reduce(loss, axis=None)  # the C reduction, without np.mean's Python layer
    return np.asarray(total / loss.size if reduction == "mean" else total, dtype=loss.dtype)


def _softmax(x, dim):
    shifted = x - np.max(x, axis=dim, keepdims=True, initial=-np.inf)  # (empty: empty)
    e = np.exp(shifted)
    return e / np.sum(e, axis=dim, keepdims=True)


def _log_softmax(x, dim):
    shifted = x - np.max(x, axis=dim, keepdims=True, initial=-np.inf)  # (empty: empty)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


def _bce(x, y, weight, reduction):
    loss = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.astype(x.dtype, copy=False), reduction)


def _bce_logits(x, y, weight, pos_weight, reduction):
    # log(1 + exp(-x)) computed without overflow, as torch does
    log_sig_neg = np.logaddexp(0, -x)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * y + 1
        loss = (1 - y) * x + log_weight * log_sig_neg
    else:
        loss = (1 - y) * x + log_sig_neg
    if weight is not None:
        loss = loss * weight
    # torch computes in the target's dtype (a float64 target gives a float64 loss)
    return _reduce(loss.astype(y.dtype if y.dtype.kind == "f" else x.dtype, copy=False),
                   reduction)


def _mse(x, y, reduction):
    d = x - y
    return _reduce(d * d, reduction)


SOFTMAX = row("softmax", "SoftmaxBackward0", ("self",), _softmax, attrs=("dim",),
              self="softmax_backward(grad, result, dim)",
              readable={"self": "result * (grad - sum(grad * result, dim))"})
LOG_SOFTMAX = row("log_softmax", "LogSoftmaxBackward0", ("self",), _log_softmax, attrs=("dim",),
                  self="log_softmax_backward(grad, result, dim)",
                  readable={"self": "grad - exp(result) * sum(grad, dim)"})
# weights and class targets are arguments, not inputs: torch records no edge for them
BCE = row("binary_cross_entropy", "BinaryCrossEntropyBackward0", ("self", "target"),
          _bce, attrs=("weight", "reduction"),
          self="bce_backward(grad, self, target, weight, reduction)",
          target="reduced((log(1 - self) - log(self)) * grad * (1 if weight is None else weight),"
                 " reduction, numel(self))",
          readable={"self": "grad * (self - target) / (self (1 - self)) [/ N for mean]"})
BCE_LOGITS = row("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0",
                 ("self", "target"), _bce_logits, attrs=("weight", "pos_weight", "reduction"),
                 self="reduced(bce_logits_grad(self, target, weight, pos_weight) * grad, "
                      "reduction, numel(self))",
                 target="reduced(bce_logits_target_grad(self, weight, pos_weight) * grad, "
                        "reduction, numel(self))",
                 readable={
                     "self": "grad * (sigmoid(self) - target) [/ N for mean]",
                     "target": "grad * -self [/ N for mean]",
                 })
NLL = row("nll_loss", "NllLossBackward0", ("self",), _nll,
          attrs=("target", "weight", "reduction", "ignore_index", "total_weight"),
          self="nll_backward(grad, self, target, weight, reduction, ignore_index, total_weight)")
MSE = row("mse_loss", "MseLossBackward0", ("self", "target"), _mse, attrs=("reduction",),
          self="mse_loss_backward(grad, self, target, reduction)",
          target="mse_loss_backward(grad, target, self, reduction)",
          readable={
              "self": "grad * 2 (self - target) [/ N for mean]",
              "target": "grad * -2 (self - target) [/ N for mean]",
          })
