"""torch.autograd.functional (jacobian, hessian, vjp, jvp, vhp, hvp) against torch, for one
and several inputs and outputs, with and without create_graph."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)
A, B, M = rng.standard_normal(3), rng.standard_normal(2), rng.standard_normal((2, 3))

CALLS = {
    "jacobian": "F.jacobian(lambda x: x.sin() * x.sum(), a)",
    "jacobian_matrix": "F.jacobian(lambda m: (m ** 2).sum(1), m)",
    "jacobian_tuples": "F.jacobian(lambda x, y: (x.exp() * y.sum(), (x * 2).sum()), (a, b))",
    "hessian": "F.hessian(lambda x: (x ** 3).sum() + x.sin().sum() * x[0], a)",
    "hessian_pair": "F.hessian(lambda x, y: (x.sum() * y.tanh()).sum(), (a, b))",
    "vjp": "F.vjp(lambda x: x ** 2, a, T.ones(3, dtype=T.float64))",
    "vjp_scalar": "F.vjp(lambda x, y: (x.sum() * y).sum(), (a, b))",
    "jvp": "F.jvp(lambda x: x.exp() * 2, a, T.ones(3, dtype=T.float64))",
    "jvp_pair": "F.jvp(lambda x, y: x.sum() * y, (a, b), (a.detach(), b.detach()))",
    "vhp": "F.vhp(lambda x: (x ** 3).sum(), a, T.ones(3, dtype=T.float64))",
    "hvp": "F.hvp(lambda x, y: (x.sum() * y ** 2).sum(), (a, b), (a.detach(), b.detach()))",
}


def _flat(result):
    if isinstance(result, tuple | list):
        return [x for item in result for x in _flat(item)]
    return [result]


@pytest.mark.parametrize("name", CALLS)
def test_matches_torch(name):
    got = []
    for T in (gradviz, torch):
        F = T.autograd.functional  # noqa: F841, N806 - used by eval
        a = T.from_numpy(A.copy()).requires_grad_()  # noqa: F841
        b = T.from_numpy(B.copy())  # noqa: F841
        m = T.from_numpy(M.copy())  # noqa: F841
        got.append(_flat(eval(CALLS[name])))  # noqa: S307 - our own table
    assert len(got[0]) == len(got[1])
    for g, w in zip(*got, strict=True):
        assert tuple(g.shape) == tuple(w.shape) and g.requires_grad == w.requires_grad
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)


def test_create_graph_keeps_the_result_differentiable():
    x = gradviz.tensor([1.0, 2.0], dtype=gradviz.float64, requires_grad=True)
    jac = gradviz.autograd.functional.jacobian(lambda t: t ** 3, x, create_graph=True)
    assert jac.requires_grad
    jac.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])
