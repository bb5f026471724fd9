"""``torch.autograd.function``: ``Function`` and its ``ctx`` (:mod:`gradviz.core.autograd.
custom_function` has how they are recorded) and ``once_differentiable``, for a backward
that cannot itself be differentiated.

    >>> class Cube(torch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     @once_differentiable
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return grad * 3 * x ** 2
    >>> x = torch.tensor(2.0, requires_grad=True)
    >>> torch.autograd.grad(Cube.apply(x), x)
    (tensor(12.),)
"""

from __future__ import annotations

import functools

from gradviz.core.autograd.custom_function import BackwardCFunction, Function, FunctionCtx
from gradviz.core.autograd.grad_mode import is_grad_enabled, no_grad
from gradviz.core.tensors.tensor import Tensor

__all__ = ["BackwardCFunction", "Function", "FunctionCtx", "once_differentiable"]

ONCE_MESSAGE = ("trying to differentiate twice a function that was marked with "
                "@once_differentiable")


class DelayedError(Function):
    """What a once-differentiable backward's results carry under ``create_graph``: a node
    whose own backward fails with torch's message."""

    @staticmethod
    def forward(ctx, *grads):
        return tuple(g.detach() for g in grads) if len(grads) > 1 else grads[0].detach()

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(ONCE_MESSAGE)


def once_differentiable(fn):
    """Run ``backward`` without recording; under ``create_graph`` its gradients can be
    used, but differentiating them again raises torch's error."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not is_grad_enabled():
            return outputs
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        items = (outputs,) if single else outputs
        wrapped = [None if o is None else DelayedError.apply(o.detach().requires_grad_())
                   for o in items]
        return wrapped[0] if single else tuple(wrapped)

    return wrapper
