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
        self._materialize = value  # (with several outputs: None instead of zeros)


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

    def run_backward(self, grad_out, tensor_mode):
        """One gradient per tensor input, from ``backward``'s one per forward argument."""
        T = Tensor
        name = type(self).__name__
        if isinstance(grad_out, _OutputGrads):  # several outputs: one gradient each
            gs = []
            for g, meta in zip(grad_out.grads, self._out_meta, strict=True):
                if g is None and getattr(self, "_materialize", True):
                    g = np.zeros(meta[0], meta[1])
                    g = T._make(g) if tensor_mode else g
                gs.append(g if g is None or tensor_mode else T._make(np.asarray(g)))
            out = self._function.backward(self, *gs)
        else:
            g = grad_out if tensor_mode else T._make(np.asarray(grad_out))
            out = self._function.backward(self, g)
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
            if g_k is None:
                grads.append(None)
                continue
            if self._next[len(grads)] is None:  # kept, unchecked, for the node's hooks (torch)
                grads.append(g_k if tensor_mode else g_k._data)
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


class _OutputGrads:
    """The gradients of a node with several outputs, one slot each (None: none arrived);
    adding two merges them, as the engine adds what reaches the node."""

    __slots__ = ("grads",)

    def __init__(self, grads):
        self.grads = grads

    @property
    def first(self):
        """The first output's gradient that arrived (what listeners see come in)."""
        return next(g for g in self.grads if g is not None)

    def __add__(self, other):
        return _OutputGrads([b if a is None else a if b is None else a + b
                             for a, b in zip(self.grads, other.grads, strict=True)])


class OutputSlot(Node):
    """Where output ``_slot`` of a node with several outputs (``_slot_of``) takes its
    gradient: that output's grad_fn inside the engine. Users and ``next_functions`` see the
    node itself, with the output number."""

    op = None

    def __init__(self, node, index, count):
        super().__init__()
        self._slot_of, self._slot, self._count = node, index, count
        self._next = (node,)

    def name(self) -> str:
        return self._slot_of.name()

    def release_saved(self) -> None:
        pass

    def run_backward(self, grad_out, tensor_mode):
        grads = [None] * self._count
        grads[self._slot] = grad_out
        return [_OutputGrads(grads)]


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
            return _several_outputs(node, out, args)
        single = out[0] if isinstance(out, tuple) and len(out) == 1 else out
        if not isinstance(single, T):
            raise NotImplementedError(
                "gradviz's custom Function outputs must be Tensors, not "
                f"{type(single).__name__}"
            )
        frozen = any(single is t for t in getattr(node, "_non_differentiable", ()))
        as_is = any(single is a for a in args)
        if as_is:  # an input returned as is: a new tensor on it
            single = T._make(single._data)
        tensors = [a for a in args if isinstance(a, T)]
        if _grad_state.enabled and any(node.needs_input_grad) and not frozen:
            node._next = tuple([record.next_node(a) for a in tensors])
            node._meta = tuple((a._data.shape, a._data.dtype) for a in tensors)
            single._grad_fn = node
            single._requires_grad = True
            _mark_view(single, as_is, False, 0)
            if dispatcher.active:
                emit.function_created(node, single, tuple(tensors))
        return (single,) if isinstance(out, tuple) else single


def _mark_view(out, as_is, several, index):
    """An output that is an input returned as-is or a view made in ``forward``: torch's
    view "created inside a custom Function", which may not be modified in place."""
    if as_is or out._base is not None:
        out._custom_view = (several, index)
        out._nograd_view = False  # (made under forward's no_grad; the Function records it)


def _several_outputs(node, outs, args):
    """A forward that returned several tensors: one node, each output reaching it through
    its own OutputSlot (its grad_fn is the node, as torch's)."""
    T = Tensor
    marked = tuple(getattr(node, "_non_differentiable", ()))
    frozen = [any(o is f for f in marked) for o in outs]  # (the outputs as returned)
    as_is = [any(o is a for a in args) for o in outs]
    outs = tuple(T._make(o._data) if same else o for o, same in zip(outs, as_is, strict=True))
    for o in outs:
        if not isinstance(o, T):
            raise NotImplementedError("gradviz's custom Function outputs must be Tensors, "
                                      f"not {type(o).__name__}")
    tensors = [a for a in args if isinstance(a, T)]
    if _grad_state.enabled and any(node.needs_input_grad):
        node._next = tuple([record.next_node(a) for a in tensors])
        node._meta = tuple((a._data.shape, a._data.dtype) for a in tensors)
        node._out_meta = tuple((o._data.shape, o._data.dtype) for o in outs)
        for j, o in enumerate(outs):
            if frozen[j]:
                continue
            o._grad_fn = OutputSlot(node, j, len(outs))
            o._requires_grad = True
            _mark_view(o, as_is[j], True, j)
        if dispatcher.active:
            emit.function_created(node, outs[0], tuple(tensors))
    return outs


def _node_class(cls) -> type:
    """``MyFunctionBackward``: the grad_fn class of a Function subclass, made once."""
    node_cls = Function._node_classes.get(cls)
    if node_cls is None:
        node_cls = type(f"{cls.__name__}Backward", (BackwardCFunction,),
                        {"_function": cls, "__module__": "gradviz.autograd"})
        Function._node_classes[cls] = node_cls
    return node_cls
