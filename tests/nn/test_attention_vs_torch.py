"""``nn.MultiheadAttention`` against torch: the same seed gives the same weights; outputs,
attention weights, the gradient of every parameter and input, and the output's grad_fn
agree for self- and cross-attention, batch_first, masks, unbatched inputs and
``need_weights=False`` (which goes through scaled_dot_product_attention)."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")


def _run(T, kwargs, call, shape_q=(2, 3, 8), shape_kv=None):
    T.manual_seed(0)
    mha = T.nn.MultiheadAttention(8, 2, **kwargs).double()
    q = T.randn(*shape_q, dtype=T.float64, requires_grad=True)
    kv = q if shape_kv is None else T.randn(*shape_kv, dtype=T.float64, requires_grad=True)
    out, weights = call(T, mha, q, kv)
    (out * T.arange(float(out.numel()), dtype=T.float64).reshape(out.shape).cos()).sum() \
        .backward()
    grads = [p.grad.numpy().copy() for p in mha.parameters()] + [q.grad.numpy().copy()]
    if kv is not q:
        grads.append(kv.grad.numpy().copy())
    return (out.detach().numpy(), None if weights is None else weights.detach().numpy(),
            out.grad_fn.name(), grads, [str(p) for p in mha.state_dict()])


CASES = {
    "self": ({}, lambda T, m, q, kv: m(q, q, q), (3, 2, 8), None),
    "batch_first": ({"batch_first": True}, lambda T, m, q, kv: m(q, q, q), (2, 3, 8), None),
    "cross": ({"batch_first": True}, lambda T, m, q, kv: m(q, kv, kv), (2, 3, 8), (2, 4, 8)),
    "separate_kv": ({}, lambda T, m, q, kv: m(q, kv, kv * 2), (3, 2, 8), (4, 2, 8)),
    "causal_mask": ({"batch_first": True}, lambda T, m, q, kv: m(
        q, q, q, attn_mask=T.triu(T.ones(3, 3, dtype=T.bool), 1)), (2, 3, 8), None),
    "padding_mask": ({"batch_first": True}, lambda T, m, q, kv: m(
        q, q, q, key_padding_mask=T.tensor([[False, False, True], [False, False, False]])),
        (2, 3, 8), None),
    "per_head_weights": ({}, lambda T, m, q, kv: m(q, q, q, average_attn_weights=False),
                         (3, 2, 8), None),
    "no_weights_sdpa": ({"batch_first": True},
                        lambda T, m, q, kv: m(q, q, q, need_weights=False), (2, 3, 8), None),
    "unbatched": ({}, lambda T, m, q, kv: m(q, q, q), (3, 8), None),
    "no_bias": ({"bias": False}, lambda T, m, q, kv: m(q, q, q), (3, 2, 8), None),
}


@pytest.mark.parametrize("name", CASES)
def test_multihead_attention_matches_torch(name):
    kwargs, call, shape_q, shape_kv = CASES[name]
    got = _run(gradviz, kwargs, call, shape_q, shape_kv)
    want = _run(torch, kwargs, call, shape_q, shape_kv)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-12)
    assert (got[1] is None) == (want[1] is None)
    if want[1] is not None:
        np.testing.assert_allclose(got[1], want[1], rtol=1e-9, atol=1e-12)
    assert got[2] == want[2]
    for i, (g, w) in enumerate(zip(got[3], want[3], strict=True)):
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-11, err_msg=f"grad {i}")
    assert got[4] == want[4]


def test_repr_and_float32_initial_weights_match_torch():
    seen = []
    for T in (gradviz, torch):
        T.manual_seed(3)
        mha = T.nn.MultiheadAttention(6, 3, batch_first=True)
        seen.append((repr(mha), [p.detach().numpy().copy() for p in mha.parameters()]))
    assert seen[0][0] == seen[1][0]
    for g, w in zip(seen[0][1], seen[1][1], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_errors_match_torch():
    for T in (gradviz, torch):
        with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
            T.nn.MultiheadAttention(6, 4)
