"""The tensor ops without a gradient (tests, comparisons, bitwise and logical functions,
``unique``, ``argsort``, sort indices) and integer inputs of the new ops, run on torch and
on gradviz: the printed results must agree."""

from __future__ import annotations

import pytest

import gradviz

torch = pytest.importorskip("torch")

PROGRAMS = {
    "tests": "x = T.tensor([1., float('nan'), float('inf'), -float('inf')])\n"
             "out = [T.isnan(x), x.isinf(), T.isfinite(x), x.nan_to_num(), "
             "T.nan_to_num(x, nan=2.0, posinf=9.0)]",
    "comparisons": "a, b = T.tensor([1, 2, 3]), T.tensor([1, 0, 5])\n"
                   "out = [T.eq(a, b), T.ne(a, 1), T.lt(a, b), a.ge(b), T.greater(a, 0),\n"
                   "       T.less_equal(a, 2.5), a.eq(b).sum(), T.not_equal(a, b)]",
    "bitwise": "a, b = T.tensor([1, 2, 3]), T.tensor([1, 0, 5])\n"
               "m = T.tensor([True, False, True])\n"
               "out = [T.bitwise_xor(a, b), T.bitwise_and(a, b), T.bitwise_or(a, 4),\n"
               "       T.bitwise_not(a), T.bitwise_not(m), T.logical_and(a, b), T.logical_not(a),\n"
               "       T.logical_or(m, T.tensor([False, False, False])), T.logical_xor(a, m)]",
    "unique": "x = T.tensor([[3, 1], [2, 3]])\n"
              "out = [T.unique(x), T.unique(x, return_inverse=True, return_counts=True),\n"
              "       T.tensor([2., 1., 2.]).unique(return_counts=True)]",
    "sorting": "x = T.tensor([[3., 1., 2.], [0., 5., 4.]])\n"
               "out = [x.sort(), T.sort(x, 0, descending=True), T.argsort(x, dim=1),\n"
               "       x.topk(2), T.topk(x, 1, dim=0, largest=False), x.argsort(descending=True)]",
    "integers": "x = T.tensor([[1, 2], [3, 4]])\n"
                "out = [x.prod(), T.prod(x, 1), x.cumprod(0), x.repeat(1, 2), T.tril(x),\n"
                "       x.diagonal(), T.diag(x), T.diag(T.tensor([1, 2])), x.trace(),\n"
                "       x.gather(1, T.tensor([[1], [0]])), T.roll(x, 1), x.erf(), T.log2(x),\n"
                "       T.tensor([True, False]).prod(), x.index_select(0, T.tensor([1]))]",
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_as_torch(name):
    printed = []
    for T in (gradviz, torch):
        scope = {"T": T}
        exec(PROGRAMS[name], scope)  # noqa: S102 - our own programs
        printed.append(str(scope["out"]))
    assert printed[0] == printed[1]


def test_split_chunk_unbind_values_and_gradients_match_torch():
    """The pieces' values and the gradients through them are torch's (the graph differs:
    one view per piece here, one multi-output node in torch; see functions/splitting)."""
    seen = []
    for T in (gradviz, torch):
        x = T.arange(12.0).reshape(4, 3).requires_grad_()
        pieces = [*x.split(3), *T.split(x, [1, 2], dim=1), *x.chunk(3, 1), *T.unbind(x, 1),
                  *T.functional.split(x, 2)]
        total = sum((p * (i + 1)).sum() for i, p in enumerate(pieces))
        total.backward()
        seen.append((str([p.detach() for p in pieces]), str(x.grad)))
    assert seen[0] == seen[1]
