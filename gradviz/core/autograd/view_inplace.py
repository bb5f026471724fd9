"""In-place ops on a view of a tensor in the graph, recorded as torch records them.

    >>> x = torch.ones(3, requires_grad=True).clone()
    >>> v = x[:2]
    >>> v.mul_(2)
    tensor([2., 2.], grad_fn=<AsStridedBackward0>)
    >>> x
    tensor([2., 2., 1.], grad_fn=<CopySlices>)

The op's own node (``MulBackward0`` here) is made as for any in-place op, on a copy of the
view. The base gets a ``CopySlices`` node that hands the view's part of the base's gradient
to that node and passes the rest through; and a view whose base changed since it was taken
gets ``AsStridedBackward0`` over the base's new grad_fn when it is next used, as torch
regenerates views.
"""

from __future__ import annotations

import weakref

import numpy as np

from gradviz.core.autograd import emit, record
from gradviz.core.autograd.formulas import apply_node
from gradviz.core.autograd.function import Node
from gradviz.core.autograd.view_positions import positions
from gradviz.events import dispatcher


class CopySlices(Node):
    """The base's grad_fn after an in-place op on one of its views: ``next_functions`` are
    the base's previous grad_fn, then the op's other inputs."""

    _torch_name = "torch::autograd::CopySlices"
    formula = "grad, with the view's part replaced by its gradient through the in-place op"

    def __init__(self, base_fn, fn, index):
        super().__init__()
        self._next = (base_fn, *fn._next[1:])
        self._fn = fn  # the in-place op's node, run on the view's part of the gradient
        self._index = index  # where the view's elements sit in the base

    @property
    def freed(self) -> bool:
        return self._fn.freed

    def release_saved(self) -> None:
        self._fn.release_saved()

    def saved_info(self) -> list:
        return self._fn.saved_info()

    def run_backward(self, grad, tensor_mode):
        result = grad.clone() if tensor_mode else np.array(grad)
        part = result[self._index]
        if not tensor_mode:
            part = np.asarray(part)
        grads = apply_node(self._fn, part, tensor_mode)
        first = grads[0]
        result[self._index] = 0 if first is None else first
        return [result, *grads[1:]]


class quiet:  # noqa: N801 - a context manager, named as a verb
    """Hide the in-place op's own node from listeners: the graph shows CopySlices instead."""

    def __enter__(self):
        self.was = dispatcher.active
        dispatcher.active = False

    def __exit__(self, *exc):
        dispatcher.active = self.was


def rebase(view, fn, others) -> None:
    """After ``fn`` was applied in place to ``view``: the base's grad_fn becomes CopySlices
    and the view's AsStridedBackward0 over it."""
    base = view._base
    node = CopySlices(base._grad_fn, fn, positions(base._data, view._data))
    base._grad_fn = node
    base._requires_grad = True
    if dispatcher.active:
        emit.function_created(node, base, (base, *others))
        emit.inplace_changed(base, node)  # the base, changed through its view, moves too
    record.refresh(view)
    # errors about fn's saved result name the view's grad_fn while it lives, fn after (torch)
    fn._result_fn = weakref.ref(view._grad_fn)
