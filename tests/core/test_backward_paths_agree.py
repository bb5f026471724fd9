"""One formula runner for every way of running backward: over every op case, a plain
backward, a backward with a listener attached (events on, so the engine reports each node)
and a ``create_graph`` backward (the formulas run on Tensors and record) give the same
gradients."""

from __future__ import annotations

import numpy as np
import pytest
from op_cases import CASES

import gradviz
from gradviz.core.optable.table import ROWS
from gradviz.events import dispatcher
from gradviz.events import types as ev

DIFFERENTIABLE = [c for c in CASES if not ROWS[c.row].not_implemented]


def _gradients(case, v_array, listen=None, create_graph=False):
    """``d<out, v>/d input`` for each input that requires grad, as arrays (None: no gradient)."""
    inputs = case.inputs(gradviz)
    out = case.program(gradviz, *inputs)
    v = gradviz.from_numpy(v_array.astype(out._data.dtype))
    wrt = [t for t in inputs if t.requires_grad]
    token = dispatcher.subscribe(listen) if listen is not None else None
    try:
        if create_graph:
            grads = gradviz.autograd.grad(out, wrt, v, create_graph=True, allow_unused=True)
            assert all(g is None or isinstance(g, gradviz.Tensor) for g in grads)
            return [None if g is None else g.detach().numpy() for g in grads]
        out.backward(v)
    finally:
        if token is not None:
            dispatcher.unsubscribe(token)
    return [None if t.grad is None else t.grad.numpy() for t in wrt]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=repr)
def test_plain_listened_and_create_graph_backward_agree(case):
    out, _ = case.run(gradviz)
    v = np.random.default_rng(3).standard_normal(tuple(out.shape))
    plain = _gradients(case, v)
    seen = []
    listened = _gradients(case, v, listen=seen.append)
    graph = _gradients(case, v, create_graph=True)
    executed = [e for e in seen if isinstance(e, ev.NodeExecuted)]
    assert executed, "the listener saw no node run: the engine did not report"
    for a, b, c in zip(plain, listened, graph, strict=True):
        assert (a is None) == (b is None) == (c is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)  # the very same formulas, on arrays
            np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-14)  # recorded on Tensors
