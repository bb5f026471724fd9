"""``TransformerEncoderLayer`` and ``TransformerEncoder`` against torch: same seed, same
parameters (names, values), outputs, the gradient of every parameter and of the input, the
output's grad_fn and repr, with masks, norm_first, gelu and batch_first; the construction
warning torch gives."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")


def _run(T, layer_kwargs, encoder, call):
    T.manual_seed(0)
    layer = T.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                         **layer_kwargs)
    if encoder:
        model = T.nn.TransformerEncoder(layer, 2, norm=T.nn.LayerNorm(8),
                                        enable_nested_tensor=False)
    else:
        model = layer
    model = model.double()
    x = T.randn(2, 4, 8, dtype=T.float64, requires_grad=True)
    out = call(T, model, x)
    (out * T.arange(float(out.numel()), dtype=T.float64).reshape(out.shape).sin()).sum() \
        .backward()
    return (out.detach().numpy(), [p.grad.numpy().copy() for p in model.parameters()],
            x.grad.numpy().copy(), [n for n, _ in model.named_parameters()], repr(model),
            out.grad_fn.name())


CASES = {
    "post_norm": ({}, False, lambda T, m, x: m(x)),
    "batch_first_gelu": ({"batch_first": True, "activation": "gelu"}, False,
                         lambda T, m, x: m(x)),
    "norm_first_mask": ({"norm_first": True}, False, lambda T, m, x: m(
        x, src_mask=T.triu(T.full((2, 2), float("-inf"), dtype=T.float64), 1))),
    "padding": ({"batch_first": True}, False, lambda T, m, x: m(
        x, src_key_padding_mask=T.tensor([[False] * 3 + [True], [False] * 4]))),
    "encoder": ({"batch_first": True}, True, lambda T, m, x: m(x)),
}


@pytest.mark.parametrize("name", CASES)
def test_transformer_encoder_matches_torch(name):
    got, want = (_run(T, *CASES[name]) for T in (gradviz, torch))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-12)
    for i, (g, w) in enumerate(zip(got[1], want[1], strict=True)):
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-11, err_msg=f"param {i}")
    np.testing.assert_allclose(got[2], want[2], rtol=1e-8, atol=1e-11)
    assert got[3:] == want[3:]


def test_nested_tensor_warning_as_torch():
    for T in (gradviz, torch):
        layer = T.nn.TransformerEncoderLayer(4, 2)
        with pytest.warns(UserWarning, match="enable_nested_tensor is True, but "
                                             "self.use_nested_tensor is False because "
                                             "encoder_layer.self_attn.batch_first was not True"):
            T.nn.TransformerEncoder(layer, 1)
