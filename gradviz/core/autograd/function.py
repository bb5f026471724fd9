"""grad_fn nodes: the backward graph autograd records.

Every recorded op creates one node whose class carries torch's name
(``type(z.grad_fn).__name__ == "AddBackward0"``). A node knows its
``next_functions`` (one ``(node, input_nr)`` pair per input, ``(None, 0)`` for
inputs that need no gradient), the values its formulas need (readable as
``_saved_<name>``) and, for leaves, ``AccumulateGrad`` nodes hold the
``variable`` their gradient goes to.
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

import numpy as np

from gradviz.core.tensors.dtypes import legacy_type_name
from gradviz.core.tensors.tensor import Tensor

_ids = itertools.count(1)  # shared by nodes and tensors: ids never collide
ACC_KEY = -(1 << 60)  # AccumulateGrad runs as soon as it is ready, as in torch

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def new_id() -> int:
    return next(_ids)


class SavedValue(NamedTuple):
    """One saved value of a grad_fn: ``tensor`` is the saved input (None for the result
    and for non-tensor arguments); versions are None for non-tensors."""

    name: str
    value: object
    version: int | None  # the version it was saved at
    current_version: int | None  # its version now (differs: backward will fail)
    tensor: object


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Node:
    """Base of every grad_fn class."""

    _torch_name = None  # name() when torch's differs from the class name
    op = None  # the op table's row (OpNode); None for AccumulateGrad and custom Functions
    _pre_hooks = None
    _hooks = None
    # the node behind each input (None where it needs no gradient); the engine walks this.
    # No __getattr__ on nodes: it would keep Python from specialising their attribute loads.
    _next = ()
    _slot_of = None  # an output slot of a node with several outputs: that node (see slot)
    _slot = 0

    def __init__(self):
        self.id = next(_ids)

    @property
    def next_functions(self) -> tuple:
        """``((node, input_nr), ...)``: one pair per input, ``(None, 0)`` where no gradient
        flows."""
        return tuple([(n, 0) if n is None or n._slot_of is None else (n._slot_of, n._slot)
                      for n in self._next])

    def name(self) -> str:
        return self._torch_name or type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(hook)
        return RemovableHandle(self._pre_hooks, hook)

    @property
    def metadata(self) -> dict:
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def saved_values(self) -> dict:
        """The saved values by name (for inspectors); empty once freed."""
        return {}

    def saved_info(self) -> list:
        return []

    @property
    def freed(self) -> bool:
        return False


class AccumulateGrad(Node):
    """Adds the incoming gradient into ``variable.grad`` (one per leaf)."""

    _torch_name = "torch::autograd::AccumulateGrad"
    formula = "variable.grad += grad"

    def __init__(self, variable):
        super().__init__()
        self.variable = variable


class OpNode(Node):
    """A node made by an op of the table; its class attribute ``op`` is the row."""

    _freed = False
    _saved = ()
    _meta = ()

    @property
    def formula(self) -> str:
        return self.op.formula_text()

    @property
    def freed(self) -> bool:
        return self._freed

    def saved_info(self) -> list:
        """What this node saved, for inspectors: one ``SavedValue`` per saved name
        (``value`` None where no formula that will run needed it); empty once freed."""
        if self._freed:
            return []
        out = []
        for (kind, _), name, v in zip(self.op.save_plan, self.op.saved, self._saved):
            if kind == 0 and v is not None:
                data, box, version = v
                out.append(SavedValue(name, data, version, box[0], None))
            elif kind == 1 and (type(v) is tuple or isinstance(v, Tensor)):
                t, version = v if type(v) is tuple else (v, 0)
                out.append(SavedValue(name, t._data, version, t._version, t))
            else:
                out.append(SavedValue(name, v, None, None, None))
        return out

    def release_saved(self) -> None:
        """Free the saved tensors, as backward without ``retain_graph`` does; non-tensor
        arguments (sizes, dims, alpha) stay, and a node that saved no tensor is not freed."""
        op = self.op
        if self._freed or not op.saved_tensors:
            return
        kept = []
        freed = False
        for frees, v in zip(op.release_mask, self._saved):
            if not frees or v is None:
                kept.append(v)
            else:
                kept.append(_FREED)
                freed = True
        if freed:
            self._saved = tuple(kept)
            self._freed = True


_FREED = object()  # stands for a saved tensor that backward released


def _user_value(node, kind, v):
    """A saved value as ``grad_fn._saved_<name>`` shows it: saved tensors as Tensors
    (Python scalar inputs wrapped, as torch wraps them), other arguments as they are."""
    if v is _FREED:
        raise RuntimeError(FREED_MESSAGE)
    if v is None:
        return v
    if kind == 2:  # an argument; an array one (a mask, a condition) shows as a Tensor
        if type(v) is tuple and any(isinstance(e, np.ndarray) for e in v):  # indices
            return tuple(Tensor._make(e) if isinstance(e, np.ndarray) else e for e in v)
        return Tensor._make(v) if isinstance(v, np.ndarray) else v
    if kind == 0:  # the result: a new Tensor on the same memory, version and grad_fn
        data, box, _ = v
        t = _result_tensor(data, node)
        t._vbox = box
        return t
    if type(v) is tuple:
        return v[0]
    if isinstance(v, Tensor):  # saved at version 0
        return v
    return Tensor._make(np.asarray(v, dtype=np.float64 if isinstance(v, float) else None))


ROWS: dict = {}  # the op table by name, filled by register_row: the rows this layer runs

def _saved_property(k, kind):
    """``grad_fn._saved_<name>``: the k-th saved value as torch shows it."""
    return property(lambda node: _user_value(node, kind, node._saved[k]))


def register_row(op) -> type:
    """Register one row of the op table under its name (``gradviz.core.optable.table.row``
    calls this; the autograd layer finds rows by name in ``ROWS``, never by import) and
    return its new grad_fn class, named as torch names it."""
    if op.name in ROWS:
        raise ValueError(f"op {op.name!r} is already in the table")
    name = op.grad_fn
    torch_name = None
    if name in ("CopySlices", "CopyBackwards", "NotImplemented"):
        torch_name = f"torch::autograd::{name}"
    namespace = {"op": op, "_torch_name": torch_name, "__module__": "gradviz"}
    for k, (saved, (kind, _)) in enumerate(zip(op.saved, op.save_plan, strict=True)):
        namespace[f"_saved_{saved}"] = _saved_property(k, kind)
    cls = type(name, (OpNode,), namespace)
    ROWS[op.name] = op
    return cls



def _version_error(t, version, expected):
    shape = list(t._data.shape) if isinstance(t, Tensor) else []
    # a view whose base changed since is regenerated first (AsStrided), as torch names it
    fn = t.grad_fn if isinstance(t, Tensor) else getattr(t, "_grad_fn", None)
    # torch names the op without its "Backward0" suffix here: "output 0 of Mul"
    origin = f", which is output 0 of {_op_name(fn.name())}," if fn is not None else ""
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{legacy_type_name(t._data.dtype)} {shape}]{origin} is at version "
        f"{version}; expected version {expected} instead. Hint: enable anomaly detection to find "
        "the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def _op_name(name):
    """``MulBackward0`` -> ``Mul``, ``PowBackward2`` -> ``Pow2`` (torch keeps other numbers)."""
    return re.sub(r"Backward(\d*)$", lambda m: "" if m.group(1) in ("", "0") else m.group(1),
                  name)


def _holder(data, node):
    t = Tensor._make(data)
    t._grad_fn = node
    return t


def _result_tensor(data, node):
    t = _holder(data, node)
    t._requires_grad = True
    return t
