"""``gradviz.autograd``: ``backward``, ``grad``, ``gradcheck`` and the grad-mode helpers."""

from gradviz.core.engine import backward, grad
from gradviz.core.function import Node as Function
from gradviz.core.grad_mode import enable_grad, no_grad, set_grad_enabled
from gradviz.core.gradcheck import gradcheck, gradgradcheck

__all__ = ["Function", "backward", "enable_grad", "grad", "gradcheck", "gradgradcheck",
           "no_grad", "set_grad_enabled"]
