"""``gradviz.autograd``: ``backward``, ``grad``, ``gradcheck``, the grad-mode helpers and
``Function`` for custom operations with their own backward::

    class Exp(gradviz.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad):
            (result,) = ctx.saved_tensors
            return grad * result

    y = Exp.apply(x)          # y.grad_fn.name() == "ExpBackward"

``Function`` is implemented in :mod:`gradviz.core.custom_function`.
"""

from __future__ import annotations

from gradviz.core.custom_function import Function, FunctionCtx
from gradviz.core.engine import backward, grad
from gradviz.core.grad_mode import enable_grad, no_grad, set_grad_enabled
from gradviz.core.gradcheck import gradcheck, gradgradcheck

__all__ = ["Function", "FunctionCtx", "backward", "enable_grad", "grad", "gradcheck",
           "gradgradcheck", "no_grad", "set_grad_enabled"]
