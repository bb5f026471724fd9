"""Custom autograd operations: subclass ``Function`` with a ``forward`` and a ``backward``;
``apply`` records one ``<Name>Backward`` node whose backward runs yours::

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

Exported as ``gradviz.autograd.Function``.
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd import emit, record
from gradviz.core.autograd.formulas import _fit
from gradviz.core.autograd.function import FREED_MESSAGE, Node, _version_error
from gradviz.core.autograd.grad_mode import no_grad
from gradviz.core.autograd.grad_mode import state as _grad_state
from gradviz.core.tensors.tensor import Tensor
from gradviz.events import dispatcher


class FunctionCtx:
    """What ``forward`` hands to ``backward``: saved tensors and any attribute set on it."""

    needs_input_grad = ()
    _to_save = ()

    def save_for_backward(self, *tensors):
        self._to_save = tuple((t, t._version) if t is not None else None for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self._to_save is None:
            raise RuntimeError(FREED_MESSAGE)
        out = []
        for item in self._to_save:
            if item is not None:
                t, version = item
                if t._version != version:
                    raise _version_error(t, t._version, version)
                item = t
            out.append(item)
        return tuple(out)

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool):
        self._materialize = value  # one output per node: its gradient is never None


class BackwardCFunction(FunctionCtx, Node):
    """The grad_fn of a custom Function's output: runs the user's ``backward``."""

    op = None  # not a row of the op table: the engine calls run_backward
    _function = None  # the Function subclass
    _arg_is_tensor = ()
    _freed = False

    def __repr__(self):
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    @property
    def freed(self) -> bool:
        return self._freed

    @property
    def formula(self) -> str:
        return f"{self._function.__name__}.backward(ctx, grad)"

    def release_saved(self) -> None:
        if self._to_save:
            self._to_save = None
            self._freed = True

    _primary = None  # a several-output Function: the node of its first output (holds ctx)
    _output_index = None

    def run_backward(self, grad_out, tensor_mode, into=False):
        """One gradient per tensor input, from ``backward``'s one per forward argument
        (``grad_out`` a tuple for a Function with several outputs)."""
        if self._output_index is not None and not into:
            return _OutputBackward.run_backward(self, grad_out, tensor_mode)
        T = Tensor
        name = type(self).__name__
        if isinstance(grad_out, tuple):
            g = tuple(x if tensor_mode else T._make(np.asarray(x)) for x in grad_out)
        else:
            g = (grad_out if tensor_mode else T._make(np.asarray(grad_out)),)
        out = self._function.backward(self, *g)
        out = out if isinstance(out, tuple) else (out,)
        n_args = len(self._arg_is_tensor)
        if len(out) != n_args and not (len(out) > n_args and all(
                x is None for x in out[n_args:])):
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {n_args}, got {len(out)})")
        grads = []
        for k, (is_tensor, g_k) in enumerate(zip(self._arg_is_tensor, out[:n_args],
                                                 strict=True)):
            if not is_tensor:
                continue
            if g_k is None or self._next[len(grads)] is None:
                grads.append(None)
                continue
            meta = self._meta[len(grads)]
            if g_k._data.shape != meta[0]:
                try:  # as torch: the input's shape must broadcast to the gradient's
                    np.broadcast_to(np.empty(meta[0]), g_k._data.shape)
                except ValueError:
                    raise RuntimeError(
                        f"Function {name} returned an invalid gradient at index {k} - got "
                        f"{list(g_k._data.shape)} but expected shape compatible with "
                        f"{list(meta[0])}") from None
            grads.append(_fit(g_k if tensor_mode else g_k._data, meta))
        return grads


class Function:
    """Base of custom autograd operations: subclass it with static ``forward(ctx, ...)``
    and ``backward(ctx, grad)`` methods and call ``MyFunction.apply(...)``."""

    _node_classes: dict = {}

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @classmethod
    def apply(cls, *args):
        T = Tensor
        node = _node_class(cls)()
        node._arg_is_tensor = tuple(isinstance(a, T) for a in args)
        node.needs_input_grad = tuple(isinstance(a, T) and a._requires_grad for a in args)
        custom_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            out = cls.forward(*args) if custom_setup else cls.forward(node, *args)
        if custom_setup:
            cls.setup_context(node, args, out)
        if isinstance(out, tuple) and len(out) > 1:
            return _several_outputs(node, cls, args, out)
        single = out[0] if isinstance(out, tuple) and len(out) == 1 else out
        if not isinstance(single, T):
            raise NotImplementedError(
                "gradviz gives every grad_fn one output: a custom Function's forward must "
                f"return Tensors, not {type(out).__name__}"
            )
        if any(single is a for a in args):  # an input returned as is: a new tensor on it
            single = T._make(single._data)
        tensors = [a for a in args if isinstance(a, T)]
        frozen = any(single is t for t in getattr(node, "_non_differentiable", ()))
        if _grad_state.enabled and any(node.needs_input_grad) and not frozen:
            node._next = tuple([record.next_node(a) for a in tensors])
            node._meta = tuple((a._data.shape, a._data.dtype) for a in tensors)
            single._grad_fn = node
            single._requires_grad = True
            if dispatcher.active:
                emit.function_created(node, single, tuple(tensors))
        return (single,) if isinstance(out, tuple) else single


class _OutputBackward:
    """What makes one node of a several-output Function stand for output ``k``: its backward
    gives the user's ``backward`` that output's gradient and zeros for the others (torch
    materialises them so), through the first output's node, which holds ``ctx``."""

    @staticmethod
    def run_backward(node, grad_out, tensor_mode):
        T = Tensor
        primary = node._primary or node
        grads = []
        for j, (shape, dtype) in enumerate(primary._out_meta):
            if j == node._output_index:
                grads.append(grad_out)
            else:
                zeros = np.zeros(shape, dtype)
                grads.append(T._make(zeros) if tensor_mode else zeros)
        return BackwardCFunction.run_backward(primary, tuple(grads), tensor_mode, into=True)


def _several_outputs(node, cls, args, out):
    """A Function whose forward returns several tensors: one node per output that needs a
    gradient, all of the Function's name and all reading the first one's ``ctx`` (torch
    records one node with several outputs; the gradient of each input, the sum over the
    nodes, is the same, as ``backward`` is linear in the output gradients)."""
    T = Tensor
    outs = [T._make(o._data) if any(o is a for a in args) else o for o in out]
    tensors = [a for a in args if isinstance(a, T)]
    frozen = getattr(node, "_non_differentiable", ())
    if not (_grad_state.enabled and any(node.needs_input_grad)):
        return tuple(outs)
    node._out_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, T) else ((), None)
                           for o in outs)
    edges = tuple([record.next_node(a) for a in tensors])
    metas = tuple((a._data.shape, a._data.dtype) for a in tensors)
    for k, o in enumerate(outs):
        if not isinstance(o, T) or any(o is f for f in frozen):
            continue
        if k == 0:
            fn = node
        else:
            fn = _node_class(cls)()
            fn._primary, fn._arg_is_tensor = node, node._arg_is_tensor
            fn.needs_input_grad = node.needs_input_grad
        fn._output_index, fn._next, fn._meta = k, edges, metas
        o._grad_fn, o._requires_grad = fn, True
        if dispatcher.active:
            emit.function_created(fn, o, tuple(tensors))
    return tuple(outs)


def _node_class(cls) -> type:
    """``MyFunctionBackward``: the grad_fn class of a Function subclass, made once."""
    node_cls = Function._node_classes.get(cls)
    if node_cls is None:
        node_cls = type(f"{cls.__name__}Backward", (BackwardCFunction,),
                        {"_function": cls, "__module__": "gradviz.autograd"})
        Function._node_classes[cls] = node_cls
    return node_cls
