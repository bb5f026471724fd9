"""``Engine``: what the model needs from an autograd engine, as a small protocol.

The ``GraphModel`` reads an engine only through these methods and the events of
:mod:`gradviz.events`; it never touches an engine's private attributes. Two engines
are planned: the NumPy core (``gradviz.engines.numpy_engine``, the default) and real
PyTorch (a later issue). An engine:

- **delivers events**: ``subscribe(callback, kinds)`` calls ``callback(event)`` for every
  event of :mod:`gradviz.events.types`, synchronously and in program order, until
  ``unsubscribe(token)``; ``kinds`` names the event classes the callback handles (an
  engine may skip building the others, or deliver them anyway). Events name tensors
  and grad_fn nodes by the engine's ids and carry the engine's own objects
  (``event.tensor``, ``event.function``); the model passes those objects back to the
  methods below and holds them only weakly.
  ``FunctionCreated`` is followed by ``TensorCreated(role="output")`` for the
  tensor it named as ``output_id``.
- **names objects**: stable integer ids, shared by tensors and nodes, never reused
  (never Python's ``id()``); ``id_of`` answers without assigning one.
- **describes grad_fn nodes**: torch's class name, derivative text, the names of the
  values saved for backward (those that are tensors are what backward frees),
  ``next_functions``, whether the saved tensors were freed, the saved values
  themselves, and for ``AccumulateGrad`` the leaf it feeds.
- **describes tensors**: shape, dtype name, ``requires_grad``, ``is_leaf``, version,
  ``grad_fn``, and the value and ``.grad`` as NumPy copies (an engine with devices or
  huge tensors may return a CPU sample).

Reading never changes the engine's graph and never warns.

    >>> from gradviz.engines import get_engine
    >>> engine = get_engine("numpy")
    >>> w = engine.module.ones(2, requires_grad=True)
    >>> z = w * 3
    >>> engine.describe_function(z.grad_fn).name
    'MulBackward0'
    >>> engine.describe_tensor(w)  # doctest: +NORMALIZE_WHITESPACE
    TensorInfo(shape=(2,), dtype='float32', requires_grad=True, is_leaf=True, version=0,
               device='cpu')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

__all__ = ["Engine", "FunctionInfo", "SavedValue", "TensorInfo"]


class FunctionInfo(NamedTuple):
    """What does not change over a grad_fn's life (engines may cache it per class)."""

    name: str  # torch's class name: "MulBackward0", "AccumulateGrad", "MyFnBackward"
    formula: str  # the derivative it applies, one line ("" when unknown)
    saved: tuple  # names of the values saved for backward ("self", "other", "dim", ...)
    saved_tensors: tuple  # those of them that are tensors (what backward frees)


class TensorInfo(NamedTuple):
    """A tensor's metadata, as the graph shows it."""

    shape: tuple
    dtype: str  # NumPy's name: "float32", "int64", "bool", "bfloat16"
    requires_grad: bool
    is_leaf: bool  # no grad_fn
    version: int  # in-place changes so far
    device: str = "cpu"  # "cpu", "cuda:0", "meta": where its values live


class SavedValue(NamedTuple):
    """One value a grad_fn saved (the fields every engine's entries have)."""

    name: str
    value: object  # a NumPy array for tensors (None if no formula needs it), else as saved
    version: int | None  # the tensor's version when saved (None for non-tensors)
    current_version: int | None  # its version now: differs when backward will fail
    tensor: object  # the saved input tensor, if it is one (None for the result)


@runtime_checkable
class Engine(Protocol):
    """What ``GraphModel`` needs from an autograd engine (see the module docstring)."""

    name: str  # "numpy", "torch"
    module: Any  # the torch-like module a console offers as ``torch``

    # ------------------------------------------------------------ events
    def subscribe(self, callback: Callable[[Any], None], kinds: tuple | None = None) -> Any:
        """Start delivering events (of the classes in ``kinds``, None for all; others may
        come too) to ``callback``; returns a token for ``unsubscribe``."""

    def unsubscribe(self, token: Any) -> None:
        """Stop delivering events to the callback ``token`` stands for."""

    # ------------------------------------------------------------ objects and ids
    def is_tensor(self, obj: Any) -> bool:
        """Whether ``obj`` is one of this engine's tensors."""

    def is_function(self, obj: Any) -> bool:
        """Whether ``obj`` is one of this engine's grad_fn nodes."""

    def tensor_id(self, t: Any) -> int:
        """``t``'s stable id, assigned on first ask (the id events name it by)."""

    def function_id(self, fn: Any) -> int:
        """A grad_fn's stable id."""

    def id_of(self, obj: Any) -> int | None:
        """The id of a tensor or grad_fn if it has one already, else None."""

    def tensor_by_id(self, i: int) -> Any | None:
        """The live tensor an event named by id, or None."""

    def reference(self, obj: Any, callback: Callable, key: int) -> Callable[[], Any]:
        """A weak reference to ``obj`` (``ref()`` gives it, or None once dead) whose
        ``callback(ref)`` runs when it dies, ``ref.key`` being ``key``
        (``weakref.KeyedRef``'s contract). Raises TypeError when ``obj`` cannot be held
        weakly."""

    # ------------------------------------------------------------ grad_fn nodes
    def describe_function(self, fn: Any) -> FunctionInfo:
        """Name, formula and saved names of a grad_fn."""

    def next_functions(self, fn: Any) -> tuple:
        """``((node or None, input_nr), ...)`` as torch's ``grad_fn.next_functions``."""

    def is_freed(self, fn: Any) -> bool:
        """Whether backward released the node's saved tensors."""

    def saved_values(self, fn: Any) -> list[SavedValue]:
        """The node's saved values (empty once freed)."""

    def variable(self, fn: Any) -> Any | None:
        """The leaf an ``AccumulateGrad`` node feeds, None for other nodes."""

    # ------------------------------------------------------------ tensors
    def describe_tensor(self, t: Any) -> TensorInfo:
        """Shape, dtype, requires_grad, is_leaf and version of a tensor."""

    def shape(self, t: Any) -> tuple:
        """The tensor's shape as a tuple."""

    def grad_fn(self, t: Any) -> Any | None:
        """The node that made ``t`` (None for leaves and constants), as recorded now."""

    def requires_grad(self, t: Any) -> bool:
        """Whether autograd records ops on ``t``."""

    def value(self, t: Any) -> np.ndarray:
        """A NumPy copy of the tensor's values."""

    def grad(self, t: Any) -> np.ndarray | None:
        """A NumPy copy of ``t.grad``, or None."""

    def as_array(self, x: Any) -> np.ndarray | None:
        """A gradient carried by an event (a tensor or an array) as a NumPy array."""
