"""``Adagrad``: divides each gradient by the root of the sum of all past squared gradients,
torch's single-tensor update step for step."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.grad_mode import no_grad
from gradviz.core.tensors.factories import full_like
from gradviz.core.tensors.tensor import Tensor
from gradviz.optim.adam import _scalar_dtype
from gradviz.optim.optimizer import Optimizer, _check_not_differentiable, _grads

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """``sum += grad²``; ``p -= clr * grad / (sqrt(sum) + eps)`` with ``clr = lr / (1 + (step -
    1) * lr_decay)``."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        for name, value in (("learning rate", lr), ("lr_decay value", lr_decay),
                            ("weight_decay value", weight_decay),
                            ("initial_accumulator_value value", initial_accumulator_value),
                            ("epsilon value", eps)):
            if value < 0.0:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        _check_not_differentiable(defaults)
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch fills the state at construction
            for p in group["params"]:
                self.state[p]["step"] = Tensor._make(np.array(0.0, _scalar_dtype()))
                self.state[p]["sum"] = full_like(p, initial_accumulator_value)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                for p, grad in _grads(group):
                    state = self.state[p]
                    state["step"].add_(1)
                    step = state["step"].item()
                    if group["weight_decay"] != 0:
                        grad = grad.add(p, alpha=group["weight_decay"])
                    clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
                    state["sum"].add_(grad * 1 * grad)  # torch's addcmul_(value=1)
                    std = state["sum"].sqrt().add_(group["eps"])
                    p.add_(grad * -clr / std)  # torch's addcdiv_(value=-clr) order
        return loss
