"""Mismatches with torch that a sweep of short user programs found (training loops, losses,
tensor ops as people write them after the autograd tutorial): each runs the same program
on gradviz and on torch and asserts the same values, dtypes, grad_fn graph, errors and
warnings (``torch_compare.assert_same``)."""

from __future__ import annotations

import numpy as np
import pytest
from torch_compare import assert_same


# ---------------------------------------------------------------- all / any
@pytest.mark.parametrize("call", [
    "x.all()", "x.any()", "x.all(1)", "x.any(0, keepdim=True)", "x.all(dim=1, keepdim=True)",
    "T.all(x, dim=(0, 1))", "T.any(x > 2, dim=-1)", "T.all(x, 0, True)", "T.any(x)",
    "T.tensor(0.0).all(0)", "T.tensor([1, 0], dtype=T.uint8).all()",
    "T.tensor([1, 0], dtype=T.uint8).any(0)", "T.zeros(0, 2).all(0)", "T.zeros(0, 2).any(1)",
    "(x > 0).all(1)", "x.all(2)", "x.any(dim=(0, 0))"])
def test_all_and_any_take_dim_and_keepdim(oracle, call):
    def program(T):
        x = T.tensor([[1.0, 0.0], [2.0, 3.0]])
        return eval(call, {"T": T, "x": x})  # noqa: S307 - our own table

    assert_same(oracle, program)


# ---------------------------------------------------------------- integer sums
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "bool"])
@pytest.mark.parametrize("call", ["x.sum()", "x.sum(0)", "x.sum(0, keepdim=True)",
                                  "x.sum(dtype=T.int32)", "T.sum(x, dim=(0, 1))"])
def test_sum_of_small_integers_is_int64(oracle, dtype, call):
    def program(T):
        x = T.tensor([[1, 2], [3, 0]], dtype=getattr(T, dtype))
        return eval(call, {"T": T, "x": x})  # noqa: S307 - our own table

    assert_same(oracle, program)


# ---------------------------------------------------------------- round(decimals=)
@pytest.mark.parametrize("call", [
    "x.round(decimals=2)", "T.round(x, decimals=-2)", "x.round(decimals=0)", "x.round()",
    "x.double().round(decimals=1)", "x.half().round(decimals=1)",
    "T.tensor([0.125, 0.375, 2.675]).round(decimals=2)",
    "T.tensor([15, 25]).round(decimals=1)", "T.tensor([True]).round(decimals=1)"])
def test_round_to_decimals(oracle, call):
    def program(T):
        x = T.tensor([1.2345, -2.5, 0.125, 1234.5], requires_grad=True)
        r = eval(call, {"T": T, "x": x})  # noqa: S307 - our own table
        grads = T.autograd.grad(r.sum(), x) if r.requires_grad else None
        return r, grads

    assert_same(oracle, program)


def test_round_in_place_to_decimals(oracle):
    def program(T):
        z = T.tensor([1.26, -0.35], requires_grad=True) * 1
        z.round_(decimals=1)
        y = T.tensor([1.26])
        return z, y.round_(decimals=1)

    assert_same(oracle, program)


# ---------------------------------------------------------------- cross_entropy / nll_loss
_LOGITS = [[0.3, -1.2, 0.8, 0.1], [1.5, 0.2, -0.4, -0.9], [-0.6, 0.7, 0.05, 1.1]]


@pytest.mark.parametrize("target", [
    "T.tensor([1, 0, 3])", "T.tensor([1, -100, 3])", "T.tensor([1.0, 2.0, 3.0])",
    "T.tensor([1.0, 2.0])", "T.tensor([[1.0, 2.0]])", "T.ones(3, 4, dtype=T.long)",
    "T.tensor([True, False, True])", "T.tensor([1, 2, 3], dtype=T.int32)",
    "T.tensor([[1], [2], [0]])", "T.tensor([[0.1, 0.2, 0.3, 0.4]] * 3, dtype=T.float64)"])
@pytest.mark.parametrize("kwargs", [
    {}, {"label_smoothing": 0.1}, {"weight": [1.0, 2.0, 0.5, 3.0]},
    {"weight": [1.0, 2.0, 0.5, 3.0], "label_smoothing": 0.2},
    {"weight": [1.0, 2.0, 0.5, 3.0], "label_smoothing": 0.2, "reduction": "sum"},
    {"weight": [1.0, 2.0, 0.5, 3.0], "label_smoothing": 0.2, "reduction": "none"},
    {"weight": [1.0, 2.0, 3.0]}])
def test_cross_entropy_targets_weights_and_smoothing(oracle, target, kwargs):
    def program(T):
        x = T.tensor(_LOGITS, dtype=T.float64, requires_grad=True)
        args = dict(kwargs)
        if "weight" in args:
            args["weight"] = T.tensor(args["weight"], dtype=T.float64)
        loss = T.nn.functional.cross_entropy(x, eval(target, {"T": T}), **args)  # noqa: S307
        return loss, T.autograd.grad(loss.sum(), x)

    assert_same(oracle, program, digits=12)


@pytest.mark.parametrize("call", [
    "F.nll_loss(x[0], T.tensor([1, 2]))", "F.nll_loss(x[0], T.tensor([1]))",
    "F.nll_loss(x[0], T.tensor([1]), reduction='none')", "F.nll_loss(x[0], T.tensor(2))",
    "F.nll_loss(x[0], T.tensor([1.0, 2.0]))", "F.nll_loss(x[0], T.tensor([[1.0]]))",
    "F.cross_entropy(x[0], T.tensor(2.0))", "F.cross_entropy(x[0], T.tensor([1]))",
    "F.cross_entropy(x[0], T.tensor([0.0, 1.0, 2.0, 3.0]), label_smoothing=0.1)",
    "F.nll_loss(x, T.tensor([1, 2, 0]), weight=T.ones(3))"])
def test_nll_loss_checks_in_torch_order(oracle, call):
    def program(T):
        x = T.tensor(_LOGITS, requires_grad=True)
        return eval(call, {"T": T, "F": T.nn.functional, "x": x})  # noqa: S307

    assert_same(oracle, program, digits=6)


# ---------------------------------------------------------------- index dtypes
@pytest.mark.parametrize("dtype", ["int32", "int16", "float32"])
@pytest.mark.parametrize("call", [
    "x.gather(1, i)", "x.scatter(1, i, 1.0)", "x.scatter(1, i, x[:1, :2] * 2)",
    "x.scatter_add(1, i, T.ones(1, 2))", "x.index_select(0, i[0])"])
def test_index_tensors_may_be_int32(oracle, dtype, call):
    def program(T):
        x = T.tensor(_LOGITS, requires_grad=True)
        i = T.tensor([[0, 2]], dtype=getattr(T, dtype))
        out = eval(call, {"T": T, "x": x, "i": i})  # noqa: S307 - our own table
        return out, T.autograd.grad(out.sum(), x)

    assert_same(oracle, program)


# ---------------------------------------------------------------- gelu under create_graph
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_second_and_third_derivatives(oracle, approximate):
    def program(T):
        x = T.tensor([-2.5, -0.7, 0.0, 0.3, 1.9], dtype=T.float64, requires_grad=True)
        y = T.nn.functional.gelu(x, approximate=approximate)
        g, = T.autograd.grad((y ** 2).sum(), x, create_graph=True)
        gg, = T.autograd.grad(g.pow(2).sum(), x, create_graph=True)
        ggg, = T.autograd.grad(gg.sum(), x)
        return g.detach(), gg.detach(), ggg

    assert_same(oracle, program, digits=12)


# ---------------------------------------------------------------- scatter_, scatter_add_, lerp_
@pytest.mark.parametrize("call", [
    "y.scatter_(1, i, 1.0)", "y.scatter_(1, i, s)", "y.scatter_(1, i, value=2.0)",
    "y.scatter_add_(1, i, s)", "y.lerp_(T.ones(2, 3), 0.25)",
    "y.lerp_(T.ones(2, 3), T.full((2, 3), 0.5))", "y.scatter_(1, i.float(), 1.0)",
    "y.lerp_(T.ones(2, 3, dtype=T.float64), 0.5)",
    "T.zeros(3, 4, dtype=T.long).scatter_(1, T.tensor([[1], [0], [3]]), 1)",
    "T.zeros(2, requires_grad=True).scatter_(0, T.tensor([0]), 1.0)"])
def test_in_place_scatter_and_lerp(oracle, call):
    def program(T):
        x = T.zeros(2, 3, requires_grad=True)
        s = T.tensor([[5.0], [6.0]], requires_grad=True)
        y = x * 1
        out = eval(call, {"T": T, "y": y, "s": s, "i": T.tensor([[0], [2]])})  # noqa: S307
        grads = None
        if out.requires_grad:
            grads = T.autograd.grad(out.pow(2).sum(), (x, s), allow_unused=True)
        return out, out is y, y._version, grads

    assert_same(oracle, program)


# ---------------------------------------------------------------- addcmul / addcdiv
@pytest.mark.parametrize("call", [
    "T.addcdiv(T.tensor([1, 2]), T.tensor([3, 4]), T.tensor([2, 2]))",
    "T.addcmul(T.tensor([1, 2]), T.tensor([3, 4]), T.tensor([2, 2]), value=2)",
    "T.zeros(3).addcdiv_(T.ones(3), T.full((3,), 4.0).sqrt().add_(1e-8), value=-0.1)",
    "T.full((3,), 4.0).mul_(0.9).addcmul_(T.ones(3), T.ones(3), value=0.1)",
    "T.addcmul(T.ones(2), T.ones(3), T.ones(2))"])
def test_addcmul_addcdiv_as_hand_written_optimizers_use_them(oracle, call):
    assert_same(oracle, lambda T: eval(call, {"T": T}))  # noqa: S307 - our own table


# ---------------------------------------------------------------- prod under create_graph
@pytest.mark.parametrize(("shape", "dim", "keepdim"), [
    ((4,), None, False), ((3, 4), 1, False), ((3, 4), 0, True), ((2, 3, 4), -2, False),
    ((3,), 0, False), ((), None, False)])
@pytest.mark.parametrize("zeros", [False, True])
def test_prod_second_and_third_derivatives(oracle, shape, dim, keepdim, zeros):
    def program(T):
        n = int(np.prod(shape))
        values = np.linspace(-1.5, 2.0, n) + 0.1
        if zeros and n > 3:
            values[[1, -1]] = 0.0
        x = T.tensor(values.reshape(shape), dtype=T.float64, requires_grad=True)
        y = x.prod() if dim is None else x.prod(dim, keepdim=keepdim)
        g, = T.autograd.grad((y ** 2).sum(), x, create_graph=True)
        weights = T.arange(g.numel(), dtype=T.float64).view_as(g)
        gg, = T.autograd.grad((g * weights).sum(), x, create_graph=True)
        ggg, = T.autograd.grad(gg.sum(), x)
        return g.detach(), gg.detach(), ggg

    assert_same(oracle, program, digits=12)


def test_hessian_of_a_product(oracle):
    def program(T):
        w = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        return (T.autograd.functional.hessian(lambda t: (t ** 2).sum() * t.prod(), w),
                T.autograd.functional.hessian(lambda t: t.prod(), T.tensor([2.0, 0.0, 3.0])))

    assert_same(oracle, program)
