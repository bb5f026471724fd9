"""nn.utils against torch: clip_grad_norm_ (norm types 2, 1, inf; clipping and not), its
non-finite error, clip_grad_value_, and parameters_to_vector / vector_to_parameters."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")


def _model(T):
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2))
    (model(T.randn(5, 3)) ** 2).sum().backward()
    return model


@pytest.mark.parametrize("call", ["clip_grad_norm_(m.parameters(), 0.5)",
                                  "clip_grad_norm_(m.parameters(), 100.0)",
                                  "clip_grad_norm_(m.parameters(), 0.3, norm_type=1)",
                                  "clip_grad_norm_(m.parameters(), 0.2, norm_type='inf')",
                                  "clip_grad_value_(m.parameters(), 0.1)",
                                  "parameters_to_vector(m.parameters())"])
def test_matches_torch(call):
    results = []
    for T in (gradviz, torch):
        m = _model(T)
        out = eval(f"T.nn.utils.{call}", {"T": T, "m": m})  # noqa: S307 - our own table
        results.append((None if out is None else out.detach().numpy(),
                        [p.grad.numpy().copy() for p in m.parameters()]))
    (a, ga), (b, gb) = results
    assert (a is None) == (b is None)
    if a is not None:
        np.testing.assert_allclose(a, b, rtol=1e-5)
    for x, y in zip(ga, gb, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-7)


def test_nonfinite_norm_error_and_vector_round_trip():
    w = gradviz.ones(2, requires_grad=True)
    w.grad = gradviz.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        gradviz.nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
    model = gradviz.nn.Linear(2, 2)
    vec = gradviz.nn.utils.parameters_to_vector(model.parameters())
    gradviz.nn.utils.vector_to_parameters(vec * 0 + 1, model.parameters())
    assert model.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]] and model.bias.tolist() == [1.0, 1.0]
