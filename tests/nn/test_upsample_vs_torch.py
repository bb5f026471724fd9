"""``F.interpolate`` (nearest, bilinear with and without align_corners) and ``nn.Upsample``
against torch: output sizes, values, dtypes, gradients and grad_fn, in float64 and float32,
up and down, by size and by scale factors (torch's kernels then use the factors, not the
sizes' ratio), and the module's repr."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")

RESIZES = [dict(scale_factor=2), dict(size=(5, 7)), dict(size=(2, 3)), dict(size=4),
           dict(scale_factor=1.7), dict(scale_factor=(0.6, 2.5)),
           dict(scale_factor=2.3, recompute_scale_factor=True),
           dict(size=(5, 7), mode="bilinear"), dict(size=(6, 9), mode="bilinear",
                                                     align_corners=True),
           dict(scale_factor=1.5, mode="bilinear"), dict(scale_factor=(2, 0.7), mode="bilinear"),
           dict(size=(2, 2), mode="bilinear"), dict(size=(1, 1), mode="bilinear",
                                                    align_corners=True),
           dict(scale_factor=2.3, mode="bilinear", recompute_scale_factor=True),
           dict(scale_factor=0.5, mode="bilinear", align_corners=True)]


def _run(T, array, kwargs):
    x = T.from_numpy(array.copy()).requires_grad_()
    y = T.nn.functional.interpolate(x, **kwargs)
    v = np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(array.dtype)
    (y * T.from_numpy(v)).sum().backward()
    return y.detach().numpy(), str(y.dtype), y.grad_fn.name(), x.grad.numpy()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kwargs", RESIZES, ids=repr)
def test_interpolate_matches_torch(kwargs, dtype):
    array = np.random.default_rng(0).standard_normal((2, 3, 3, 4)).astype(dtype)
    got, want = _run(gradviz, array, kwargs), _run(torch, array, kwargs)
    tol = 1e-12 if dtype == np.float64 else 1e-6
    assert got[0].shape == want[0].shape
    np.testing.assert_allclose(got[0], want[0], rtol=tol, atol=tol)
    assert got[1:3] == want[1:3]
    np.testing.assert_allclose(got[3], want[3], rtol=tol, atol=tol)


@pytest.mark.parametrize("module", ["Upsample(scale_factor=2)", "Upsample(size=(3, 4))",
                                    "Upsample(scale_factor=(1, 2.5), mode='bilinear')",
                                    "Upsample(size=5, mode='bilinear', align_corners=True)"])
def test_upsample_repr_and_output_match_torch(module):
    array = np.random.default_rng(2).standard_normal((1, 2, 2, 3))
    seen = []
    for T in (gradviz, torch):
        layer = eval(f"T.nn.{module}")  # noqa: S307 - our own table
        seen.append((repr(layer), layer(T.from_numpy(array)).numpy()))
    assert seen[0][0] == seen[1][0]
    np.testing.assert_allclose(seen[0][1], seen[1][1], rtol=1e-12)
