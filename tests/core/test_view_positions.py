"""Where a view's elements sit in its base (what CopySlices and AsStridedBackward0 use),
for contiguous, transposed and strided bases and every kind of view."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz.core.autograd.view_positions import positions

BASES = {
    "contiguous": lambda: np.arange(24.0).reshape(2, 3, 4),
    "transposed": lambda: np.arange(24.0).reshape(4, 3, 2).transpose(2, 1, 0),
    "strided": lambda: np.arange(96.0).reshape(4, 6, 4)[::2, :3, ::-1],
}
VIEWS = {
    "select": lambda b: b[1],
    "slice": lambda b: b[:, 1:],
    "step": lambda b: b[..., ::2],
    "0-dim": lambda b: b[1, 2, 3, ...],
    "transpose": lambda b: b.transpose(2, 0, 1)[1:],
    "whole": lambda b: b[...],
}


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("base", BASES)
def test_positions_find_every_element_of_the_view(base, view):
    b = BASES[base]()
    v = VIEWS[view](b)
    assert np.shares_memory(b, v)
    index = positions(b, v)
    assert all(i.shape == v.shape for i in index)
    np.testing.assert_array_equal(b[index], v)


def test_a_row_at_a_time_through_views_matches_writing_the_rows():
    """x[i].mul_(...) in a loop: each op is recorded around the last, gradients as for x * w."""
    w = gradviz.arange(1.0, 4.0).reshape(3, 1).requires_grad_()
    a = gradviz.ones(3, 2, requires_grad=True)
    x = a.clone()
    for i in range(3):
        x[i].mul_(w[i])
    assert x.grad_fn.name() == "torch::autograd::CopySlices"
    (x * x).sum().backward()
    expected = (2 * (a * w) * w).detach()
    np.testing.assert_allclose(a.grad.numpy(), expected.numpy())
    np.testing.assert_allclose(w.grad.numpy(), (2 * (a * w) * a).sum(1, keepdim=True).detach()
                               .numpy())
