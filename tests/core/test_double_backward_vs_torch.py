"""Random compositions of ops differentiated twice (``create_graph=True``), by gradviz and
torch: the derivative's own graph (node names, depth first, inputs in order), its values
and the gradient of its square must agree."""

from __future__ import annotations

import random

import numpy as np
import pytest

import gradviz

OPS = {
    "tanh": lambda T, x: x.tanh(),
    "sigmoid": lambda T, x: x.sigmoid(),
    "relu": lambda T, x: x.relu(),
    "exp": lambda T, x: (x * 0.3).exp(),
    "sin": lambda T, x: x.sin(),
    "square": lambda T, x: x ** 2,
    "sqrt": lambda T, x: (x * x + 1).sqrt(),
    "abs": lambda T, x: x.abs(),
    "clamp": lambda T, x: x.clamp(-0.5, 0.7),
    "softmax": lambda T, x: x.softmax(-1),
    "log_softmax": lambda T, x: x.log_softmax(-1),
    "mean": lambda T, x: x.mean(-1, keepdim=True) * x,
    "var": lambda T, x: x.var(-1, keepdim=True) + x,
    "rotate": lambda T, x: T.cat([x[:, 1:], x[:, :1]], 1),
    "transposes": lambda T, x: x.t().t() * 1.5,
    "matmuls": lambda T, x: x @ x.t() @ x * 0.1,
    "sub_alpha": lambda T, x: T.sub(x, x * x, alpha=0.5),
    "masked_fill": lambda T, x: x.masked_fill(x > 0.8, 0.0),
    "norm": lambda T, x: x / (x.norm() + 1),
}


def chain(t) -> list[str]:
    out, stack, seen = [], [t.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        out.append(type(fn).__name__)
        stack.extend(n for n, _ in reversed(fn.next_functions))
    return out


def run(lib, seed):
    rng = random.Random(seed)
    values = np.random.default_rng(seed).uniform(-1, 1, (2, 3, 3))
    x = lib.tensor(values[0], requires_grad=True)
    h = x
    for _ in range(rng.randint(1, 4)):
        h = OPS[rng.choice(sorted(OPS))](lib, h)
    (g,) = lib.autograd.grad((h * lib.tensor(values[1])).sum(), x, create_graph=True)
    if not g.requires_grad:  # (a flat derivative: nothing to differentiate again)
        return chain(g), g.detach().numpy(force=True), None
    (h2,) = lib.autograd.grad((g * g).sum(), x)
    return chain(g), g.detach().numpy(force=True), h2.numpy(force=True)


@pytest.mark.parametrize("block", range(3))
def test_random_double_backward_matches_torch(block, oracle):
    oracle.set_default_dtype(oracle.float64)
    try:
        for seed in range(block * 40, block * 40 + 40):
            want, got = run(oracle, seed), run(gradviz, seed)
            assert got[0] == want[0], seed
            np.testing.assert_allclose(got[1], want[1], rtol=1e-9, atol=1e-12, err_msg=str(seed))
            assert (got[2] is None) == (want[2] is None), seed
            if want[2] is not None:
                np.testing.assert_allclose(got[2], want[2], rtol=1e-7, atol=1e-10,
                                           err_msg=str(seed))
    finally:
        oracle.set_default_dtype(oracle.float32)
