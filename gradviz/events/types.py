"""The event records naming what happens in autograd, in the user's vocabulary.

Tensors and grad_fn nodes are referred to by their stable gradviz ids (``node.id``,
``tensor._gv_id``); objects themselves travel only where a listener needs the
value (``tensor``/``function`` fields), and listeners must not keep them alive.

Each event class is declared like a frozen dataclass (annotated fields, defaults,
keyword arguments) and stored as a tuple: one is built for every recorded op, and a
tuple costs a fifth of a frozen dataclass to make. Events cannot be changed, compare
equal only to events of their own class, and read like dataclasses::

    >>> e = TensorReleased(7)
    >>> e, e.tensor_id, e == TensorReleased(tensor_id=7), e == (7,)
    (TensorReleased(tensor_id=7), 7, True, False)
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import FrozenInstanceError
from typing import Any


class Event(tuple):
    """Base class of every event: an immutable record (see the module docstring)."""

    __slots__ = ()
    _fields: tuple = ()

    def __setattr__(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other):  # (a plain tuple of the same fields is not the event)
        return other.__class__ is self.__class__ and tuple.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    __hash__ = tuple.__hash__

    def __reduce__(self):
        return (self.__class__, tuple(self))


def event(cls):
    """Make ``cls`` (its annotated fields, in order, and their defaults) an ``Event``:
    the constructor and field readers are those ``collections.namedtuple`` generates."""
    names = tuple(cls.__dict__.get("__annotations__", {}))
    defaults = [cls.__dict__[n] for n in names if n in cls.__dict__]
    template = namedtuple(cls.__name__, names, defaults=defaults or None)
    namespace = {k: v for k, v in cls.__dict__.items()
                 if k not in names and k not in ("__dict__", "__weakref__")}
    namespace.update({n: template.__dict__[n] for n in names})
    namespace.update(__slots__=(), _fields=names, __new__=template.__dict__["__new__"],
                     __repr__=template.__repr__, _asdict=template._asdict)
    return type(cls.__name__, cls.__bases__, namespace)


@event
class TensorCreated(Event):
    """A tensor entered the graph: a leaf, an op's output, or a constant input."""

    tensor: Any
    tensor_id: int
    role: str  # "leaf", "output" or "constant"


@event
class FunctionCreated(Event):
    """A grad_fn node was recorded (AccumulateGrad nodes included)."""

    function: Any
    function_id: int
    name: str
    next_functions: tuple  # ((function_id or None, input_nr), ...)
    output_id: int | None  # the tensor it produced (None for AccumulateGrad)
    input_ids: tuple  # tensor ids of the op's inputs (None for Python scalars)
    saved: tuple  # names of saved values, e.g. ("self", "other")


@event
class BackwardStarted(Event):
    roots: tuple  # function ids
    retain_graph: bool
    create_graph: bool
    tensors: tuple = ()  # per root, the tensor backward was called on (when the engine has it)


@event
class NodeExecuted(Event):
    """One node ran during backward: the gradient it received and passed on."""

    function: Any
    function_id: int
    grad_in: Any  # what the node received (array or Tensor)
    grads_out: tuple  # one per next_functions entry (None where nothing flows)


@event
class NodesExecuted(Event):
    """Several nodes ran during backward, one after another: their ``NodeExecuted``
    events, in order, gradients as NumPy arrays (how an engine whose backward runs
    without it reports a run of nodes at once)."""

    events: tuple


@event
class GradAccumulated(Event):
    tensor: Any
    tensor_id: int
    before: Any  # numpy copy of .grad before (None if it was None)
    after: Any  # numpy copy of .grad after


@event
class BackwardFinished(Event):
    roots: tuple


@event
class SavedTensorsFreed(Event):
    function_ids: tuple


@event
class GradZeroed(Event):
    tensor: Any  # the leaf whose .grad was zeroed in place
    tensor_id: int


@event
class GradCleared(Event):
    """``t.grad = None`` (or a new .grad assigned: then ``value`` holds it)."""

    tensor: Any
    tensor_id: int
    value: Any = None


@event
class InplaceChanged(Event):
    tensor: Any
    tensor_id: int
    version: int
    function_id: int | None  # the tensor's new grad_fn, if one was recorded


@event
class RequiresGradChanged(Event):
    tensor: Any
    tensor_id: int
    requires_grad: bool


@event
class Detached(Event):
    source_id: int
    result: Any
    result_id: int
    in_place: bool


@event
class TensorReleased(Event):
    tensor_id: int
