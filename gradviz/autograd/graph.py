"""``gradviz.autograd.graph``: look at what autograd recorded, as ``torch.autograd.graph`` does.

The public way to read the NumPy engine's graph: a grad_fn node's name, its
``next_functions``, its saved values and whether backward freed them; a tensor's
stable id, value, ``.grad``, version, ``requires_grad``, ``is_leaf`` and ``grad_fn``.
Tools that draw or inspect the graph (``gradviz.engines.numpy_engine``, hence the
``GraphModel`` and the app) read the engine only through these functions.

    >>> import gradviz as torch
    >>> from gradviz.autograd import graph
    >>> a = torch.ones(3, requires_grad=True)
    >>> loss = (a * a).sum()
    >>> graph.node_name(loss.grad_fn)
    'SumBackward0'
    >>> mul = graph.next_functions(loss.grad_fn)[0][0]
    >>> [graph.node_name(fn) for fn, _ in graph.next_functions(mul)]
    ['AccumulateGrad', 'AccumulateGrad']
    >>> graph.saved_names(mul), graph.is_freed(mul)
    (('self', 'other'), False)
    >>> loss.backward()
    >>> graph.is_freed(mul), graph.grad(a)
    (True, array([2., 2., 2.], dtype=float32))

Reading never changes the graph: unlike the ``grad_fn`` and ``requires_grad``
properties, ``grad_fn(t)`` and ``requires_grad(t)`` give what is recorded now, without
regenerating the grad_fn of a view whose base was modified in place, and nothing here
warns. Ids are gradviz's own integers, shared by tensors and nodes and never reused
(Python's ``id()`` is reused once an object dies).
"""

from __future__ import annotations

import numpy as np

from gradviz.core.api import Tensor
from gradviz.core.autograd import emit
from gradviz.core.autograd.function import AccumulateGrad, Node, SavedValue

__all__ = [
    "Node", "SavedValue", "all_finite", "as_array", "device", "dtype_name", "finite_array",
    "formula",
    "grad", "grad_fn", "id_of", "is_freed", "is_leaf", "is_node", "is_tensor", "next_functions",
    "node_id", "node_name",
    "requires_grad", "saved_names", "saved_tensor_names", "saved_values", "shape",
    "tensor_by_id", "tensor_id", "value", "variable", "version",
]

# ``Node`` is the base class of every grad_fn (``isinstance(z.grad_fn, graph.Node)``, as
# with torch.autograd.graph.Node); ``SavedValue`` is one entry of ``saved_values``.


# ---------------------------------------------------------------- what an object is
def is_tensor(obj) -> bool:
    """Whether ``obj`` is a gradviz Tensor (a Parameter too).

    >>> graph.is_tensor(torch.ones(1)), graph.is_tensor(np.ones(1))
    (True, False)
    """
    return isinstance(obj, Tensor)


def is_node(obj) -> bool:
    """Whether ``obj`` is a grad_fn node (``AccumulateGrad`` and custom Functions' too).

    >>> graph.is_node((torch.ones(1, requires_grad=True) * 2).grad_fn)
    True
    """
    return isinstance(obj, Node)


# ---------------------------------------------------------------- ids
def tensor_id(t) -> int:
    """``t``'s stable id, given on first ask; events name the tensor by it.

    >>> t = torch.ones(1)
    >>> graph.tensor_id(t) == graph.tensor_id(t)
    True
    """
    i = t._gv_id
    return i if i is not None else emit.tensor_id(t)


def node_id(fn) -> int:
    """A grad_fn's stable id (every node has one from its creation).

    >>> z = torch.ones(1, requires_grad=True) * 2
    >>> graph.node_id(z.grad_fn) != graph.tensor_id(z)
    True
    """
    return fn.id


def id_of(obj) -> int | None:
    """The id of a tensor or grad_fn if it has one, without giving one (None otherwise,
    and for anything else).

    >>> graph.id_of(torch.ones(1)) is None
    True
    """
    if isinstance(obj, Tensor):
        return obj._gv_id
    if isinstance(obj, Node):
        return obj.id
    return None


def tensor_by_id(i: int):
    """The live tensor an event named by id ``i``, or None once it died (held weakly).

    >>> t = torch.ones(1)
    >>> graph.tensor_by_id(graph.tensor_id(t)) is t
    True
    """
    return emit.tensor_of(i)


# ---------------------------------------------------------------- grad_fn nodes
def node_name(fn) -> str:
    """The grad_fn's class name, as ``type(z.grad_fn).__name__`` names it in torch
    (``fn.name()`` may be longer: ``torch::autograd::AccumulateGrad``).

    >>> graph.node_name((torch.ones(1, requires_grad=True) + 1).grad_fn)
    'AddBackward0'
    """
    return type(fn).__name__


def next_functions(fn) -> tuple:
    """``((node or None, input_nr), ...)``: one pair per input of the op, ``(None, 0)``
    where no gradient flows (torch's ``grad_fn.next_functions``).

    >>> a = torch.ones(1, requires_grad=True)
    >>> [(graph.node_name(n) if n else None) for n, _ in graph.next_functions((a * 2).grad_fn)]
    ['AccumulateGrad', None]
    """
    return fn.next_functions


def formula(fn) -> str:
    """The derivative a node applies, one line from the op table ("" when unknown).

    >>> graph.formula((torch.ones(1, requires_grad=True).exp()).grad_fn)
    'self: grad * result'
    """
    op = fn.op
    if op is not None:
        return op.formula_text()
    return getattr(fn, "formula", "")


def saved_names(fn) -> tuple:
    """Names of the values the node saved for backward (``self``, ``other``, ``dim``,
    ``result``...), as torch's ``_saved_<name>`` attributes name them; () for nodes that
    are not rows of the op table (AccumulateGrad, CopySlices, custom Functions).

    >>> graph.saved_names((torch.ones(2, requires_grad=True).sum(0)).grad_fn)
    ('self_sym_sizes', 'dim', 'keepdim')
    """
    op = fn.op
    return op.saved if op is not None else ()


def saved_tensor_names(fn) -> tuple:
    """Those of ``saved_names`` that are tensors: what backward frees.

    >>> a = torch.ones(2, requires_grad=True)
    >>> graph.saved_tensor_names(a.sum().grad_fn)
    ()
    >>> graph.saved_tensor_names((a * a).grad_fn)
    ('self', 'other')
    """
    op = fn.op
    return op.saved_tensors if op is not None else ()


def saved_values(fn) -> list:
    """One ``SavedValue(name, value, version, current_version, tensor)`` per saved name:
    ``value`` a NumPy array for tensors (None where no formula that will run needs it),
    the versions it was saved at and has now (they differ: backward will fail),
    ``tensor`` the saved input (None for the result and for non-tensor arguments).
    Empty once freed.

    >>> a = torch.ones(2, requires_grad=True)
    >>> [(s.name, s.version, s.tensor is a) for s in graph.saved_values((a * a).grad_fn)]
    [('self', 0, True), ('other', 0, True)]
    """
    return fn.saved_info()


def is_freed(fn) -> bool:
    """Whether a backward without ``retain_graph`` released the node's saved tensors
    (reading ``_saved_<name>`` then raises torch's error). Nodes that saved no tensor
    are never freed.

    >>> a = torch.ones(2, requires_grad=True)
    >>> z = (a * a).sum()
    >>> z.backward()
    >>> graph.is_freed(graph.next_functions(z.grad_fn)[0][0])
    True
    """
    return fn.freed


def variable(fn):
    """The leaf an ``AccumulateGrad`` node adds gradients into (``grad_fn.variable``),
    None for every other node.

    >>> a = torch.ones(1, requires_grad=True)
    >>> graph.variable(graph.next_functions((a * 2).grad_fn)[0][0]) is a
    True
    """
    return fn.variable if type(fn) is AccumulateGrad else None


# ---------------------------------------------------------------- tensors
def value(t) -> np.ndarray:
    """A copy of the tensor's values as a NumPy array (in its dtype).

    >>> graph.value(torch.arange(3))
    array([0, 1, 2])
    """
    return np.array(t._data)


def grad(t) -> np.ndarray | None:
    """A copy of ``t.grad`` as a NumPy array, or None; never warns (``t.grad`` warns on a
    non-leaf that does not retain its grad).

    >>> graph.grad(torch.ones(1, requires_grad=True)) is None
    True
    """
    g = t._grad
    return None if g is None else np.array(g._data)


def shape(t) -> tuple:
    """The tensor's shape as a plain tuple.

    >>> graph.shape(torch.zeros(2, 3))
    (2, 3)
    """
    return t._data.shape


def dtype_name(t) -> str:
    """The dtype's NumPy name (``float32``, ``int64``, ``bool``).

    >>> graph.dtype_name(torch.zeros(1))
    'float32'
    """
    return t._data.dtype.name


def device(t) -> str:
    """Where the tensor's values live: ``"cpu"``, or ``"meta"`` for a tensor with a shape
    and no data.

    >>> graph.device(torch.zeros(2)), graph.device(torch.zeros(2, device="meta"))
    ('cpu', 'meta')
    """
    return str(t.device)


def version(t) -> int:
    """The tensor's version counter (torch's ``t._version``): +1 per in-place change.

    >>> t = torch.zeros(2)
    >>> _ = t.add_(1)
    >>> graph.version(t)
    1
    """
    return t._version


def requires_grad(t) -> bool:
    """Whether autograd records ops on ``t`` (as recorded now; see the module's note).

    >>> graph.requires_grad(torch.ones(1, requires_grad=True))
    True
    """
    return t._requires_grad


def grad_fn(t):
    """The node that made ``t`` (None for leaves and constants), as recorded now.

    >>> graph.grad_fn(torch.ones(1)) is None
    True
    """
    return t._grad_fn


def is_leaf(t) -> bool:
    """True when ``t`` has no grad_fn: leaves (``requires_grad=True`` tensors the user
    made) and every tensor that does not require grad.

    >>> graph.is_leaf(torch.ones(1, requires_grad=True) * 2)
    False
    """
    return t._grad_fn is None


def all_finite(t) -> bool:
    """Whether every value of ``t`` is finite (no NaN, no Inf), read in place: a finite sum
    proves it without any copy; otherwise one boolean mask is made.

    >>> graph.all_finite(torch.ones(2)), graph.all_finite(torch.tensor([float("inf")]))
    (True, False)
    """
    return finite_array(t._data)


def finite_array(a) -> bool:
    """``all_finite`` for a NumPy array (a gradient an event carried)."""
    if type(a) is not np.ndarray:
        a = np.asarray(a)
    if a.dtype.kind not in "fc":
        return True  # integers and booleans are always finite
    if a.size <= _SMALL:  # a small mask costs less than the sum's error-state switch
        return bool(np.isfinite(a).all())
    with np.errstate(all="ignore"):  # an overflowing sum just falls back to the mask
        if np.isfinite(np.add.reduce(a, axis=None)):
            return True
    return bool(np.isfinite(a).all())


_SMALL = 1 << 16


def as_array(x) -> np.ndarray | None:
    """A gradient as events carry it (a NumPy array, or a Tensor under
    ``create_graph=True``) as a NumPy array, without copying; None stays None.

    >>> graph.as_array(torch.ones(2))
    array([1., 1.], dtype=float32)
    """
    if x is None:
        return None
    if isinstance(x, Tensor):
        return np.asarray(x._data)
    return np.asarray(x)
