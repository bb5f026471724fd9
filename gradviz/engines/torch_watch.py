"""Seeing a torch program run: forward ops through a ``TorchFunctionMode``, backward
through node hooks registered for the length of one backward call.

Why a ``TorchFunctionMode``: it runs *above* autograd, so when an op returns, its
output already has its ``grad_fn`` (a ``TorchDispatchMode`` sees ops below autograd,
before the node exists, and sees each composite op as many aten ops). It sees every
torch function, Tensor method and Tensor property set (``t.grad = None``,
``t.requires_grad = True``), factory functions included, and only the outermost call
(inside the handler the mode is off, so ``F.linear``'s inner ops are not seen twice).
What it misses (a custom ``autograd.Function.apply``, a ``torch.compile``d region, whose
tracing of this handler is told to only call the op) is found by walking
``next_functions`` from the next op's output, or from backward's roots. The handler
only calls the op unchanged and reads its result: watching never changes torch's values.

Backward: ``Tensor.backward``, ``torch.autograd.backward`` and ``torch.autograd.grad``
reach the mode too. Around the call, every node reachable from the roots gets a
post-hook (torch's ``torch.autograd.graph.Node`` hooks, run by torch's engine in its own
execution order, right after each node; one function for all, put in place by
:mod:`gradviz.engines.torch_hooks`), and each ``AccumulateGrad`` a pre-hook too; they
return None, so gradients are untouched, and all are removed when the call returns or
raises. The post-hook only keeps the node and the gradients it received and passed;
every ``torch_engine.PENDING`` (64) nodes, and as the call ends, those kept are reported in one
``NodesExecuted``, their gradients copied to NumPy in one loop (each once: what a node
passes is what the next receives). Holding them meanwhile keeps torch from summing
into them in place (it does so only to a gradient nobody else holds); an
``AccumulateGrad``'s pre-hook copies what it receives and ``.grad`` before, its
post-hook, which torch runs after ``.grad`` was updated, gives ``GradAccumulated``.
Reported one by one, a node's event cost twice torch's own backward of a tiny op.

Torch keeps modes per thread: the mode is pushed on the thread that subscribes; a
program running on another thread is watched inside ``TorchEngine.watching()``.
"""

from __future__ import annotations

import inspect

import torch
from torch.compiler import is_compiling
from torch.overrides import TorchFunctionMode

from gradviz.events import types as ev

__all__ = ["Watch"]

# what the handler does with a function, decided once per function
PLAIN, BACKWARD, INPLACE, DETACH, SET_ATTR, GET_ATTR, REQUIRES_GRAD_, DETACH_ = range(8)
_BACKWARDS = {torch.Tensor.backward: "backward", torch.autograd.backward: "backward",
              torch.autograd.grad: "grad"}


def _kind(func) -> int:
    if func in _BACKWARDS:
        return BACKWARD
    name = getattr(func, "__name__", "")
    owner = getattr(func, "__self__", None)
    if name in ("__get__", "__set__", "__delete__") and owner is not None:
        return GET_ATTR if name == "__get__" else SET_ATTR
    if name == "detach":
        return DETACH
    if name == "detach_":
        return DETACH_
    if name == "requires_grad_":
        return REQUIRES_GRAD_
    if name == "__setitem__" or (name.endswith("_") and not name.endswith("__")):
        return INPLACE
    return PLAIN


def _tensors(args):
    """The tensors among ``args``, one level into lists and tuples (``torch.cat``)."""
    found = []
    for a in args:
        if isinstance(a, torch.Tensor):
            found.append(a)
        elif isinstance(a, (list, tuple)):
            found.extend(x for x in a if isinstance(x, torch.Tensor))
    return found


class Watch(TorchFunctionMode):
    """The mode that turns each torch call into gradviz events for ``engine``."""

    def __init__(self, engine):
        super().__init__()
        self.engine = engine
        self.kinds: dict = {}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if is_compiling():  # torch.compile traces this handler: it sees the op alone
            return func(*args, **kwargs)
        kind = self.kinds.get(func)
        if kind is None:
            kind = self.kinds[func] = _kind(func)
        if kind == GET_ATTR:
            return func(*args, **kwargs)
        if kind == PLAIN:
            out = func(*args, **kwargs)
            self.engine._outputs(out, args)
            return out
        if kind == BACKWARD:
            return self.engine._backward(func, args, kwargs)
        return _SPECIAL[kind](self.engine, func, args, kwargs)


def _inplace(engine, func, args, kwargs):
    target = args[0] if args else kwargs.get("input", kwargs.get("self"))
    targets = [target] if isinstance(target, torch.Tensor) else _tensors([target])
    out = func(*args, **kwargs)
    if "out" in kwargs:
        targets += _tensors([kwargs["out"]])
    engine._changed_in_place(func, targets, args)
    return out


def _detach(engine, func, args, kwargs):
    out = func(*args, **kwargs)
    source = args[0]
    sid = engine.id_of(source)
    if sid is not None and isinstance(out, torch.Tensor):
        engine._emit(ev.Detached(sid, out, engine.tensor_id(out), False))
    return out


def _detach_(engine, func, args, kwargs):
    out = func(*args, **kwargs)
    tid = engine.id_of(args[0])
    if tid is not None:
        engine._emit(ev.Detached(tid, args[0], tid, True))
    return out


def _requires_grad_(engine, func, args, kwargs):
    t = args[0]
    out = func(*args, **kwargs)
    engine._requires_grad_set(t)
    return out


def _set_attr(engine, func, args, kwargs):
    out = func(*args, **kwargs)
    attribute = getattr(func.__self__, "__name__", "")
    t = args[0] if args else None
    if isinstance(t, torch.Tensor):
        if attribute == "grad":
            engine._grad_set(t, args[1] if len(args) > 1 else None)
        elif attribute == "requires_grad":
            engine._requires_grad_set(t)
        elif attribute == "data":
            engine._changed_in_place(func, [t], args)
    return out


_SPECIAL = {INPLACE: _inplace, DETACH: _detach, DETACH_: _detach_,
            REQUIRES_GRAD_: _requires_grad_, SET_ATTR: _set_attr}


def backward_arguments(func, args, kwargs):
    """``(roots, retain_graph, create_graph)`` of a backward or grad call."""
    bound = inspect.signature(func).bind(*args, **kwargs).arguments
    roots = bound.get("self", bound.get("tensors", bound.get("outputs")))
    roots = [roots] if isinstance(roots, torch.Tensor) else list(roots)
    create = bool(bound.get("create_graph") or False)
    retain = bound.get("retain_graph")
    return roots, create if retain is None else bool(retain), create
