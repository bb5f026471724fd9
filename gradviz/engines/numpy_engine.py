"""The NumPy core as an :class:`~gradviz.engines.protocol.Engine`: gradviz's own autograd.

Built on the public introspection API :mod:`gradviz.autograd.graph` and the event
dispatcher of :mod:`gradviz.events`; most methods are those functions themselves, so
the model pays no extra call for going through the protocol.

    >>> engine = NumpyEngine()
    >>> a = gradviz.ones(2, requires_grad=True)
    >>> engine.describe_function((a * a).grad_fn)
    FunctionInfo(name='MulBackward0', formula='self: grad * other; other: grad * self', \
saved=('self', 'other'), saved_tensors=('self', 'other'))
"""

from __future__ import annotations

import weakref

import gradviz
from gradviz.autograd import graph
from gradviz.engines.protocol import FunctionInfo, TensorInfo
from gradviz.events import dispatcher

__all__ = ["NumpyEngine"]


class _Reference(weakref.ref):
    """``weakref.KeyedRef`` without its Python ``__new__`` and ``__init__``: the model
    makes one per node it draws, and this one costs a quarter as much."""

    __slots__ = ("key",)


class NumpyEngine:
    """gradviz's NumPy autograd engine, seen through the engine protocol."""

    name = "numpy"
    module = gradviz

    def __init__(self):
        self._functions: dict[type, FunctionInfo] = {}  # grad_fn class -> its description

    def __repr__(self):
        return "NumpyEngine()"

    # ------------------------------------------------------------ events
    def subscribe(self, callback, kinds=None):
        return dispatcher.subscribe(callback, kinds)

    def unsubscribe(self, token) -> None:
        dispatcher.unsubscribe(token)

    # ------------------------------------------------------------ objects and ids
    is_tensor = staticmethod(graph.is_tensor)
    is_function = staticmethod(graph.is_node)
    tensor_id = staticmethod(graph.tensor_id)
    function_id = staticmethod(graph.node_id)
    id_of = staticmethod(graph.id_of)
    tensor_by_id = staticmethod(graph.tensor_by_id)
    @staticmethod
    def reference(obj, callback, key):  # tensors and nodes both take weak references
        ref = _Reference(obj, callback)
        ref.key = key
        return ref

    # ------------------------------------------------------------ grad_fn nodes
    def describe_function(self, fn) -> FunctionInfo:
        cls = type(fn)
        info = self._functions.get(cls)
        if info is None:  # what a class's nodes share (a custom Function's formula too)
            info = self._functions[cls] = FunctionInfo(
                graph.node_name(fn), graph.formula(fn), graph.saved_names(fn),
                graph.saved_tensor_names(fn))
        return info

    next_functions = staticmethod(graph.next_functions)
    is_freed = staticmethod(graph.is_freed)
    saved_values = staticmethod(graph.saved_values)
    variable = staticmethod(graph.variable)

    # ------------------------------------------------------------ tensors
    @staticmethod
    def describe_tensor(t) -> TensorInfo:
        return TensorInfo(graph.shape(t), graph.dtype_name(t), bool(graph.requires_grad(t)),
                          graph.is_leaf(t), graph.version(t), graph.device(t))

    shape = staticmethod(graph.shape)
    grad_fn = staticmethod(graph.grad_fn)
    requires_grad = staticmethod(graph.requires_grad)
    value = staticmethod(graph.value)
    grad = staticmethod(graph.grad)
    as_array = staticmethod(graph.as_array)
    all_finite = staticmethod(graph.all_finite)  # optional: a finiteness check without a copy
