"""Frozen dataclasses naming what happens in autograd, in the user's vocabulary.

Tensors and grad_fn nodes are referred to by their stable gradviz ids (``node.id``,
``tensor._gv_id``); objects themselves travel only where a listener needs the
value (``tensor``/``function`` fields), and listeners must not keep them alive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """Base class of every event."""


@dataclass(frozen=True, slots=True)
class TensorCreated(Event):
    """A tensor entered the graph: a leaf, an op's output, or a constant input."""

    tensor: Any
    tensor_id: int
    role: str  # "leaf", "output" or "constant"


@dataclass(frozen=True, slots=True)
class FunctionCreated(Event):
    """A grad_fn node was recorded (AccumulateGrad nodes included)."""

    function: Any
    function_id: int
    name: str
    next_functions: tuple  # ((function_id or None, input_nr), ...)
    output_id: int | None  # the tensor it produced (None for AccumulateGrad)
    input_ids: tuple  # tensor ids of the op's inputs (None for Python scalars)
    saved: tuple  # names of saved values, e.g. ("self", "other")


@dataclass(frozen=True, slots=True)
class BackwardStarted(Event):
    roots: tuple  # function ids
    retain_graph: bool
    create_graph: bool


@dataclass(frozen=True, slots=True)
class NodeExecuted(Event):
    """One node ran during backward: the gradient it received and passed on."""

    function: Any
    function_id: int
    grad_in: Any  # what the node received (array or Tensor)
    grads_out: tuple  # one per next_functions entry (None where nothing flows)


@dataclass(frozen=True, slots=True)
class GradAccumulated(Event):
    tensor: Any
    tensor_id: int
    before: Any  # numpy copy of .grad before (None if it was None)
    after: Any  # numpy copy of .grad after


@dataclass(frozen=True, slots=True)
class BackwardFinished(Event):
    roots: tuple


@dataclass(frozen=True, slots=True)
class SavedTensorsFreed(Event):
    function_ids: tuple


@dataclass(frozen=True, slots=True)
class GradZeroed(Event):
    tensor: Any  # the leaf whose .grad was zeroed in place
    tensor_id: int


@dataclass(frozen=True, slots=True)
class GradCleared(Event):
    """``t.grad = None`` (or a new .grad assigned: then ``value`` holds it)."""

    tensor: Any
    tensor_id: int
    value: Any = None


@dataclass(frozen=True, slots=True)
class InplaceChanged(Event):
    tensor: Any
    tensor_id: int
    version: int
    function_id: int | None  # the tensor's new grad_fn, if one was recorded


@dataclass(frozen=True, slots=True)
class RequiresGradChanged(Event):
    tensor: Any
    tensor_id: int
    requires_grad: bool


@dataclass(frozen=True, slots=True)
class Detached(Event):
    source_id: int
    result: Any
    result_id: int
    in_place: bool


@dataclass(frozen=True, slots=True)
class TensorReleased(Event):
    tensor_id: int
