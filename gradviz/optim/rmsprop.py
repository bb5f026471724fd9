"""``RMSprop``: divides each gradient by a running root mean square of past gradients,
torch's single-tensor update step for step."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.grad_mode import no_grad
from gradviz.core.tensors.factories import zeros_like
from gradviz.core.tensors.tensor import Tensor
from gradviz.optim.adam import _lerp_, _scalar_dtype
from gradviz.optim.optimizer import Optimizer, _check_not_differentiable, _grads

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """``square_avg = alpha * square_avg + (1 - alpha) * grad²``; ``p -= lr * grad /
    (sqrt(square_avg) + eps)``, with optional momentum, centering and weight decay."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        for name, value in (("learning rate", lr), ("epsilon value", eps),
                            ("momentum value", momentum), ("weight_decay value", weight_decay),
                            ("alpha value", alpha)):
            if value < 0.0:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        _check_not_differentiable(defaults)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update(group)
        return loss

    def _update(self, group):
        lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        for p, grad in _grads(group):
            state = self.state[p]
            if not state:
                state["step"] = Tensor._make(np.array(0.0, _scalar_dtype()))
                state["square_avg"] = zeros_like(p)
                if momentum > 0:
                    state["momentum_buffer"] = zeros_like(p)
                if group["centered"]:
                    state["grad_avg"] = zeros_like(p)
            state["step"].add_(1)
            if weight_decay != 0:
                grad = grad.add(p, alpha=weight_decay)
            square_avg = state["square_avg"]
            square_avg.mul_(alpha).add_(grad * (1 - alpha) * grad)  # torch's addcmul_ order
            if group["centered"]:
                grad_avg = state["grad_avg"]
                _lerp_(grad_avg, grad, 1 - alpha)
                avg = (square_avg - grad_avg * grad_avg).sqrt_()
            else:
                avg = square_avg.sqrt()
            avg = avg.add_(eps)
            if momentum > 0:
                buf = state["momentum_buffer"]
                buf.mul_(momentum).add_(grad / avg)
                p.add_(buf, alpha=-lr)
            else:
                p.add_(grad * -lr / avg)  # torch's addcdiv_(value=-lr) order
