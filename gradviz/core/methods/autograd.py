"""Tensor's autograd state: ``requires_grad``, ``grad``, ``retain_grad``, hooks,
``backward``, ``detach`` and the version counter that in-place ops bump.

Mixed into :class:`gradviz.core.tensors.tensor.Tensor`::

    >>> import gradviz as torch
    >>> x = torch.ones(2, requires_grad=True)
    >>> y = (x * 2).sum()
    >>> y.retain_grad(); y.backward()
    >>> x.grad, y.grad
    (tensor([2., 2.]), tensor(1.))
"""

from __future__ import annotations

import warnings

import numpy as np

from gradviz.core.autograd import emit, engine, record
from gradviz.core.autograd.function import RemovableHandle
from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.hooks import check_tensor_hook, to_tensor
from gradviz.core.tensors.checks import type_name
from gradviz.core.tensors.tensor import Tensor
from gradviz.events import dispatcher

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)



# C++ element type names, as torch's messages print them
_CPP_TYPE = {np.dtype(k): v for k, v in (
    ("float32", "float"), ("float64", "double"), ("float16", "c10::Half"),
    ("int64", "long int"), ("int32", "int"), ("int16", "short int"), ("int8", "signed char"),
    ("uint8", "unsigned char"), ("bool", "bool"))}



class TensorAutograd:
    """Mixed into Tensor: what autograd records about a tensor and how the user steers it."""

    __slots__ = ()

    # ------------------------------------------------------------ autograd state
    @property
    def requires_grad(self) -> bool:
        if self._base is not None and record.is_stale(self):
            record.refresh(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if not isinstance(value, bool):  # the setter's checks, in torch's order
            raise RuntimeError("requires_grad must be a bool")
        if value and self._grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        if value is True and self._data.dtype.kind != "f":  # the setter's message differs
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if not isinstance(requires_grad, bool):
            raise TypeError(
                f"requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                f"{type(requires_grad).__name__}"
            )
        if requires_grad and self._inference and not grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if requires_grad != self._requires_grad:
            self._requires_grad = requires_grad
            if dispatcher.active:
                emit.requires_grad_changed(self)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad_fn(self):
        if self._base is not None and record.is_stale(self):
            record.refresh(self)  # as torch regenerates a view whose base changed
        fn = self._grad_fn
        return fn if fn is None or fn._slot_of is None else fn._slot_of  # (several outputs)

    @property
    def grad(self):
        grad = self._grad
        if grad is None and self._grad_fn is not None and not self._retains_grad:
            warnings.warn(NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)  # (as torch: unset)
        return grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                scalar = self.dtype._legacy[:-len("Tensor")]  # "Float"
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_CPP_TYPE[value._data.dtype]}' "
                    f"to a tensor with grad_dtype '{scalar}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match."
                )
        self._set_grad(value)
        if dispatcher.active:
            emit.grad_cleared(self, value)

    @grad.deleter
    def grad(self):
        self.grad = None

    def _set_grad(self, value):
        self._grad = value
        if value is not None:
            import weakref

            value._grad_owner = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def is_inference(self) -> bool:
        """Whether this tensor was made inside ``inference_mode`` (it can then never be
        saved for backward nor require grad outside it)."""
        return self._inference

    def retain_grad(self):
        """Populate ``.grad`` for this non-leaf tensor during backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        import weakref

        key = id(self)
        record.retaining[key] = weakref.ref(self, lambda _, k=key: record.retaining.pop(k, None))
        self._attach_retain()

    def _attach_retain(self):
        """Hook the current grad_fn to fill ``.grad``; backward calls this again when an
        in-place op gave the tensor a new grad_fn (torch moves the hook along)."""
        import weakref

        ref = weakref.ref(self)
        fn = self._retain_fn = self._grad_fn

        def retain(grads):
            t = ref()
            if t is not None and t._grad_fn is fn:
                g = to_tensor(grads[0])
                if t._grad is None:
                    t._grad = (g if g._grad_fn is not None
                               else Tensor._make(np.array(g._data)))
                else:
                    t._grad = t._grad + g
            return None

        _insert_pre_hook(fn, retain, _RETAIN_HOOK)

    _post_accumulate_hooks = None

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a gradient was accumulated into this leaf's ``.grad``
        (an optimizer step per parameter, say). Returns a handle whose ``remove()``
        unregisters it."""
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = []
        self._post_accumulate_hooks.append(hook)
        return RemovableHandle(self._post_accumulate_hooks, hook)

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a
        replacement. Returns a handle whose ``remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        if self._grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return RemovableHandle(self._hooks, hook)

        def pre(grads):
            out = check_tensor_hook(hook, hook(to_tensor(grads[0])), grads[0])
            return None if out is None else (out,)

        return _insert_pre_hook(self._grad_fn, pre, _TENSOR_HOOK)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad``."""
        engine.backward((self,), gradient, retain_graph, create_graph, inputs)

    def detach(self):
        """A tensor sharing this one's data and version counter, outside the graph."""
        out = Tensor._make(self._data)
        out._vbox = self._version_box()
        out._inference = self._inference
        if dispatcher.active:
            emit.detached(self, out, False)
        return out

    def detach_(self):
        """Detach this tensor from the graph in place (it becomes a leaf)."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be called "
                "on these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._requires_grad = False
        if dispatcher.active:
            emit.detached(self, self, True)
        return self

    def _version_box(self):
        box = self._vbox
        if box is None:
            box = self._vbox = [0]
        return box

    @property
    def _version(self) -> int:
        box = self._vbox
        return box[0] if box is not None else 0

    @property
    def data(self):
        """This tensor's memory outside the graph, with a version counter of its own
        (so, as in torch, changes through ``.data`` are invisible to autograd's checks)."""
        out = self.detach()
        out._vbox = None
        return out

    def data_ptr(self) -> int:
        """The address of the first element (equal for tensors that share memory)."""
        return self._data.__array_interface__["data"][0]

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type_name(value)}")
        if self._requires_grad and value._data.dtype.kind not in "fc":
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        self._data = value._data



_TENSOR_HOOK, _RETAIN_HOOK = 0, 1


def _insert_pre_hook(fn, hook, order):
    """Run order on a grad_fn, as torch's: the output tensor's hooks, then its
    retain_grad (so ``.grad`` sees what the hooks returned), then ``register_prehook``'s."""
    hook._gv_order = order
    if fn._pre_hooks is None:
        fn._pre_hooks = []
    hooks = fn._pre_hooks
    i = 0
    while i < len(hooks) and getattr(hooks[i], "_gv_order", 2) <= order:
        i += 1
    hooks.insert(i, hook)
    return RemovableHandle(hooks, hook)

