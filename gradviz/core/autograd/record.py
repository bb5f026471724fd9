"""Running an op of the table: its NumPy forward, then (when grad mode is on and
an input requires grad) its grad_fn node with ``next_functions`` and saved values."""

from __future__ import annotations

import weakref

import numpy as np

from gradviz.core.autograd import emit
from gradviz.core.autograd.function import ROWS, AccumulateGrad, _ids
from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.view_positions import positions
from gradviz.core.tensors.factories import get_default_dtype
from gradviz.core.tensors.meta import SEEN as _meta_seen
from gradviz.core.tensors.meta import meta_result
from gradviz.core.tensors.tensor import Tensor
from gradviz.events import dispatcher

_new = object.__new__
_weakref = weakref.ref
_ndarray = np.ndarray
_asarray = np.asarray
_float64 = np.dtype(np.float64)
_float32 = np.dtype(np.float32)
_float16 = np.dtype(np.float16)
retaining: dict = {}  # id -> weakref of the tensors that retain_grad(): backward re-hooks them


def accumulator(t):
    """The leaf's AccumulateGrad node: one per leaf while any graph holds it (None for a view
    taken under no_grad: torch gives it requires_grad but no gradient)."""
    if t._nograd_view:
        return None
    ref = t._acc
    if ref is not None:
        node = ref()
        if node is not None:
            return node
    node = _new(AccumulateGrad)
    node.id = next(_ids)
    node.variable = t
    t._acc = _weakref(node)
    if dispatcher.active:
        emit.function_created(node, None, ())
    return node


# One shared copy of each (shape, dtype) pair and tuple of them, and of each exact op's saved
# sizes and dims: fewer objects for the garbage collector to walk in a big graph.
_metas: dict = {}
_arguments: dict = {}


def _share(table, key):
    if len(table) > 4096:
        table.clear()
    table[key] = key
    return key


def next_node(x):
    """The node an input's gradient goes to (None when it needs none)."""
    if isinstance(x, Tensor) and x._requires_grad:
        fn = x._grad_fn
        return fn if fn is not None else accumulator(x)
    return None


def fix_dtype(data, inputs, attrs=()):
    """torch's promotion where NumPy's differs: ints/bools with Python floats give
    the default dtype (float32), not float64. An explicit float64 argument
    (``.to(float64)``, ``sum(dtype=float64)``) is kept."""
    if data.dtype == _float64:
        for x in inputs:
            if isinstance(x, Tensor) and x._data.dtype == _float64:
                return data
            if type(x) is _ndarray and x.dtype == _float64:
                return data
        for a in attrs:
            if type(a) is type(_float64):
                return data
        for x in inputs:  # half with an integer tensor: NumPy widens, torch keeps half
            if isinstance(x, Tensor) and x._data.dtype == _float16:
                return data.astype(_float16)
        return data.astype(get_default_dtype().np)
    if data.dtype == _float16:  # NumPy's float of bools; torch's is the default dtype
        for x in inputs:
            if isinstance(x, Tensor) and x._data.dtype == _float16:
                return data
        for a in attrs:  # asked for (``.half()``, ``sum(dtype=float16)``)
            if type(a) is type(_float16) and a == _float16:
                return data
        return data.astype(get_default_dtype().np)
    return data


def _wrapped_numbers(op, data, inputs, attrs):
    """torch's wrapped numbers: an integer or bool tensor with a Python float computes in the
    default dtype (both cast first, ``tensor([True]) / 1e-3`` is float32's 999.9999), where
    NumPy computes in float64 and ``fix_dtype`` only rounds the result."""
    fixed = fix_dtype(data, inputs, attrs)
    if fixed.dtype is data.dtype or data.dtype != _float64:
        return fixed
    dt = fixed.dtype
    if not any(type(v) is float for v in (*inputs, *attrs)):
        return fixed
    args = [(x._data.astype(dt) if x._data.dtype.kind in "biu" else x._data)
            if isinstance(x, Tensor) else dt.type(x) if type(x) is float else x for x in inputs]
    args += [dt.type(a) if type(a) is float else a for a in attrs]
    out = _asarray(op.forward(*args))
    return out if out.dtype == dt else out.astype(dt)


def apply_op(op, inputs, attrs=(), data=None):
    """Run ``op`` on ``inputs`` (Tensors or Python scalars) and record it.

    ``data`` may be given when the caller already computed the forward.
    """
    if data is None:
        data = op.forward(*[x._data if isinstance(x, Tensor) else x for x in inputs], *attrs)
        if type(data) is not _ndarray and not isinstance(data, _ndarray):  # (meta arrays stay)
            data = _asarray(data)
        first = inputs[0]
        if not isinstance(first, Tensor) or data.dtype != first._data.dtype:
            data = _wrapped_numbers(op, data, inputs, attrs)
        if _meta_seen[0]:  # a meta input gives a meta result
            data = meta_result(data, [x._data for x in inputs if isinstance(x, Tensor)])
    out = _new(Tensor)
    out._data = data
    if grad_state.enabled:
        for x in inputs:
            if isinstance(x, Tensor) and x._requires_grad:
                record(op, out, inputs, attrs)
                break
        else:
            if _regenerated(*inputs):
                record(op, out, inputs, attrs)
    elif grad_state.inference:
        out._inference = True
    return out


def apply_unary(op, a, attrs=()):
    """``apply_op`` for one Tensor input."""
    data = op.forward(a._data, *attrs)
    if type(data) is not _ndarray and not isinstance(data, _ndarray):  # (meta arrays stay)
        data = _asarray(data)
    if data.dtype != a._data.dtype:
        data = _wrapped_numbers(op, data, (a,), attrs)
    if _meta_seen[0]:
        data = meta_result(data, (a._data,))
    out = _new(Tensor)
    out._data = data
    if grad_state.enabled and (a._requires_grad or (a._base is not None and _regenerated(a))):
        record(op, out, (a,), attrs)
    elif grad_state.inference:
        out._inference = True
    return out


def _kind(dt):
    return 2 if dt.kind == "f" else 1 if dt.kind in "iu" else 0


def zero_dim_dtype(a, b):
    """torch's rule NumPy lacks: a 0-dim tensor of the same kind (bool < int < float) as a
    tensor with dims does not raise the result's precision (float32[3] * float64[] is
    float32). Returns the dtype to use, or None where NumPy already agrees."""
    da, db = a._data, b._data
    if (da.ndim == 0) == (db.ndim == 0):
        return None
    dims, zero = (da, db) if db.ndim == 0 else (db, da)
    return dims.dtype if _kind(zero.dtype) <= _kind(dims.dtype) else None


def apply_binary(op, a, b, attrs=()):
    """``apply_op`` for a Tensor ``a`` and a Tensor or scalar ``b`` (the hot path)."""
    b_is_tensor = isinstance(b, Tensor)
    data = op.forward(a._data, b._data if b_is_tensor else b, *attrs)
    if type(data) is not _ndarray and not isinstance(data, _ndarray):  # (meta arrays stay)
        data = _asarray(data)
    if data.dtype != a._data.dtype or (b_is_tensor and data.dtype != b._data.dtype):
        wanted = zero_dim_dtype(a, b) if b_is_tensor else None
        if wanted is not None and data.dtype.kind == wanted.kind:
            data = data.astype(wanted)
        else:
            data = _wrapped_numbers(op, data, (a, b), attrs)
    if _meta_seen[0]:
        data = meta_result(data, (a._data, b._data if b_is_tensor else None))
    out = _new(Tensor)
    out._data = data
    if grad_state.enabled and (a._requires_grad or (b_is_tensor and b._requires_grad) or (
            (a._base is not None or (b_is_tensor and b._base is not None))
            and _regenerated(a, b))):
        record(op, out, (a, b), attrs)
    elif grad_state.inference:
        out._inference = True
    return out


def _regenerated(*inputs) -> bool:
    """For inputs that need no gradient: whether one is a view of a base that has gained a
    grad_fn in place since the view was taken. Such a view is regenerated (and now needs one),
    as torch's views of a base that starts requiring grad do."""
    found = False
    for x in inputs:
        if isinstance(x, Tensor) and x._base is not None and is_stale(x):
            refresh(x)
            found = found or x._requires_grad
    return found


INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`."
)


def record(op, out, inputs, attrs):
    """Attach a new grad_fn node for ``op`` to ``out``."""
    node = _new(op.node_class)
    node.id = next(_ids)
    edges = []
    meta = None if op.exact else []  # exact ops' formulas give each input its shape and dtype
    for x in inputs:
        if type(x) is Tensor or isinstance(x, Tensor):
            if x._base is not None and is_stale(x):
                refresh(x)  # its base changed in place since it was taken
            requires_grad = x._requires_grad
        else:
            requires_grad = False
        if requires_grad:
            fn = x._grad_fn
            edges.append(fn if fn is not None else accumulator(x))
            if meta is not None:
                d = x._data  # the shape and dtype its gradient must have
                key = (d.shape, d.dtype)
                meta.append(_metas.get(key) or _share(_metas, key))
        else:  # no gradient flows there
            edges.append(None)
            if meta is not None:
                meta.append(None)
    if op.not_implemented:  # torch links only the inputs that require grad
        kept = [i for i, e in enumerate(edges) if e is not None]
        edges, meta = [edges[i] for i in kept], [meta[i] for i in kept]
        inputs = [inputs[i] for i in kept]
    node._next = tuple(edges)
    if meta is not None:
        meta = tuple(meta)
        node._meta = _metas.get(meta) or _share(_metas, meta)
    if op.saves_attrs_only and type(attrs) is tuple:
        # the arguments, in order, as they are (an exact op's: sizes and dims, shared)
        node._saved = (_arguments.get(attrs) or _share(_arguments, attrs)) if op.exact else attrs
    elif op.save_steps:
        saved = []
        for kind, i, users in op.save_steps:
            if kind == 2:
                saved.append(attrs[i])
                continue
            if users is not None:  # saved only if an input whose formula uses it needs grad
                for u in users:
                    if edges[u] is not None:
                        break
                else:
                    saved.append(None)  # as torch
                    continue
            if kind == 1:
                x = inputs[i]
                if type(x) is Tensor or isinstance(x, Tensor):
                    if x._inference:
                        raise RuntimeError(INFERENCE_SAVED)
                    box = x._vbox
                    if type(x) is Tensor and (box is None or not box[0]):
                        saved.append(x)  # at version 0: the tensor alone says it
                    else:
                        saved.append((x, box[0] if box is not None else 0))
                else:
                    saved.append(x)
            else:  # the result: keep its array and version counter, not the tensor
                box = out._vbox
                if box is None:
                    box = out._vbox = [0]
                saved.append((out._data, box, box[0]))
        node._saved = tuple(saved)
    out._grad_fn = node
    out._requires_grad = True
    if dispatcher.active:
        emit.function_created(node, out, inputs)
    return node


def is_stale(t) -> bool:
    """Whether ``t`` is a view whose base got a new grad_fn since ``t`` was taken (a base
    ``detach_()``ed since leaves its views as they were, as torch's)."""
    base = t._base
    if t._nograd_view:  # never regenerated; once changed in place, torch refuses it
        if t._vbox is not None and t._vbox[0] != t._view_version:
            raise RuntimeError(NOGRAD_VIEW_CHANGED)
        return False
    box = t._vbox
    return base is not None and (base._grad_fn is not t._base_fn or (
        box is not None and box[0] != t._view_version)) and (
        base._grad_fn is not None or base._requires_grad)


NOGRAD_VIEW_CHANGED = (
    "A view was created in no_grad mode and its base or another view of its base has been "
    "modified inplace with grad mode enabled. Given that this use case is ambiguous and "
    "error-prone, it is forbidden. You can clarify your code by moving both the view and the "
    "inplace either both inside the no_grad block (if you don't want the inplace to be "
    "tracked) or both outside (if you want the inplace to be tracked)."
)


def refresh(view) -> None:
    """Give a stale view AsStridedBackward0 over its base's grad_fn (a view of a base that
    needs no gradient needs none either)."""
    base = view._base
    view._base_fn = base._grad_fn
    view._view_version = view._vbox[0] if view._vbox is not None else 0
    if base._requires_grad:
        index = positions(base._data, view._data)
        record(ROWS["as_strided"], view, (base,), (base._data.shape, index))
    else:
        view._grad_fn = None
        view._requires_grad = False
