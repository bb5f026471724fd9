"""``Adam``: torch's single-tensor update step for step (``amsgrad`` and decoupled weight
decay included)."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.grad_mode import no_grad
from gradviz.core.tensors.factories import get_default_dtype, zeros_like
from gradviz.core.tensors.tensor import Tensor
from gradviz.optim.optimizer import Optimizer, _check_not_differentiable, _grads

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: per-element steps from running averages of the gradient and its square,
    bias-corrected; ``amsgrad`` keeps the maximum of the second moment."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": tuple(float(b) for b in betas), "eps": eps,
                    "weight_decay": weight_decay, "amsgrad": amsgrad, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        _check_not_differentiable(defaults)
        super().__init__(params, defaults)

    def _state(self, p, amsgrad):
        state = self.state[p]
        if not state:  # lazy, as torch: "step" is a float tensor, the moments start at zero
            state["step"] = Tensor._make(np.array(0.0, _scalar_dtype()))
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
            if amsgrad:
                state["max_exp_avg_sq"] = zeros_like(p)
        return state

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update(group)
        return loss

    def _update(self, group):
        lr, (beta1, beta2), eps = float(group["lr"]), group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        for p, grad in _grads(group):
            state = self._state(p, amsgrad)
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            state["step"].add_(1)
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    p.mul_(1 - lr * weight_decay)
                else:
                    grad = grad.add(p, alpha=weight_decay)
            _lerp_(exp_avg, grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).add_(grad * (1 - beta2) * grad)  # torch's addcmul_ order
            step = state["step"].item()
            bias_correction1 = 1 - beta1**step
            bias_correction2_sqrt = (1 - beta2**step) ** 0.5
            step_size = lr / bias_correction1
            if amsgrad:
                max_sq = state["max_exp_avg_sq"]
                max_sq.copy_(Tensor._make(np.maximum(max_sq._data, exp_avg_sq._data)))
                denom = (max_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            else:
                denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
            p.add_(exp_avg * -step_size / denom)  # torch's addcdiv_(value=-step_size) order


def _lerp_(start, end, weight):
    """``start += weight * (end - start)`` the way torch's lerp_ rounds: from the nearer end."""
    if abs(weight) < 0.5:
        start.add_((end - start) * weight)
    else:
        start.copy_(end - (end - start) * (1 - weight))


def _scalar_dtype():
    return np.float64 if get_default_dtype().np == np.float64 else np.float32
