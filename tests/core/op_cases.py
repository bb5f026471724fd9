"""Every row of the op table, exercised through the user-facing API.

A ``Case`` is one small program written once against the torch API and run on
either library: ``case.run(lib)`` builds the inputs from fixed float64 values
(with ``lib.from_numpy``) and calls ``case.program(lib, *inputs)``, whose output
carries the row's grad_fn. The same program under ``gradviz`` and ``torch``
is what the gradient checks and the torch comparisons run.

Input values keep away from the points where an op is not differentiable
(zero for abs/relu/sqrt, ties for max/min, clamp bounds), so central
differences are meaningful.

    >>> case = CASES[0]
    >>> out, inputs = case.run(gradviz)
    >>> type(out.grad_fn).__name__ == ROWS[case.row].grad_fn
    True
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Arg:
    """One input: ``make(rng)`` gives its array; float inputs require grad unless ``grad=False``."""

    make: Callable
    grad: bool = True


def n(*shape):
    """Signed values with |x| in [0.2, 1.5]: no zeros, ties are improbable."""
    return Arg(lambda rng: rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape))


def w(*shape):
    """Signed values with |x| in [0.2, 5], none within 0.1 of ±3 (hardswish's kinks)."""
    def make(rng):
        x = rng.uniform(0.2, 5.0, shape)
        x = np.where(np.abs(x - 3) < 0.1, x + 0.2, x)
        return x * rng.choice([-1.0, 1.0], shape)

    return Arg(make)


def p(*shape):
    """Positive values in [0.5, 2] (log, sqrt, pow bases, divisors)."""
    return Arg(lambda rng: rng.uniform(0.5, 2.0, shape))


def u(*shape):
    """Probabilities in [0.1, 0.9] (binary cross entropy)."""
    return Arg(lambda rng: rng.uniform(0.1, 0.9, shape))


def const(value):
    """A fixed array (int64 index, bool mask, or a float that needs no gradient)."""
    array = np.asarray(value)
    return Arg(lambda rng: array.copy(), grad=False)


@dataclass(frozen=True)
class Case:
    row: str  # the ROWS name whose grad_fn the program's output carries
    id: str
    program: Callable  # program(lib, *tensors) -> Tensor, lib being gradviz or torch
    args: tuple
    double: bool = True  # second derivatives expected to work (gradgradcheck)
    eps: float = 1e-6
    atol: float = 1e-5
    tags: tuple = field(default=())
    float32: bool = False  # torch runs the op in float32 only: compared with torch in float32

    def arrays(self):
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        return [arg.make(rng) for arg in self.args]

    def inputs(self, lib, arrays=None):
        """The inputs as ``lib`` tensors (float64, requiring grad where the Arg says)."""
        arrays = self.arrays() if arrays is None else arrays
        out = []
        for arg, array in zip(self.args, arrays, strict=True):
            t = lib.from_numpy(np.array(array))
            if arg.grad and array.dtype.kind == "f":
                t.requires_grad_()
            out.append(t)
        return out

    def run(self, lib):
        inputs = self.inputs(lib)
        return self.program(lib, *inputs), inputs

    def __repr__(self):
        return self.id


CASES: list[Case] = []


def case(row, id, program, *args, **options):
    CASES.append(Case(row, id, program, tuple(args), **options))


def F(lib):  # noqa: N802 - torch's spelling
    return lib.nn.functional


# ---------------------------------------------------------------- binary arithmetic
case("add", "add", lambda T, a, b: a + b, n(2, 3), n(2, 3))
case("add", "add_broadcast", lambda T, a, b: a + b, n(2, 3), n(3))
case("add", "add_alpha", lambda T, a, b: T.add(a, b, alpha=2), n(2, 3), n(2, 1))
case("add", "add_scalar", lambda T, a: 2.5 + a, n(4))
case("add", "add_inplace", lambda T, a, b: a.clone().add_(b), n(2, 3), n(3))
case("add", "iadd_alpha", lambda T, a, b: (a * 1).add_(b, alpha=-0.5), n(3), n(3))
case("add", "add_into_constant", lambda T, a: T.zeros(2, 3, dtype=T.float64).add_(a), n(3))


def _iadd(T, a, b):
    x = a * 1
    x += b
    return x


def _inplace_chain(T, a, b):
    x = a.clone()
    x.mul_(b)
    x.add_(1)
    x[0] = 0.5
    return x.sub_(b)


case("add", "iadd_operator", _iadd, n(2, 3), n(2, 1))
case("sub", "inplace_chain", _inplace_chain, n(3, 2), n(2))
case("sub", "sub", lambda T, a, b: a - b, n(3, 1), n(1, 4))
case("sub", "sub_alpha", lambda T, a, b: T.sub(a, b, alpha=3), n(2, 3), n(3))
case("sub", "sub_inplace", lambda T, a, b: a.clone().sub_(b), n(2, 2), n(2, 2))
case("rsub", "one_minus", lambda T, a: 1 - a, n(2, 3))
case("rsub", "rsub_fn", lambda T, a: T.rsub(a, 2.0), n(3))
case("rsub_tensor", "rsub_tensors", lambda T, a, b: T.rsub(a, b, alpha=2), n(2, 3), n(3))
case("mul", "mul", lambda T, a, b: a * b, n(2, 3), n(2, 3))
case("mul", "mul_broadcast", lambda T, a, b: T.mul(a, b), n(4, 1, 2), n(3, 1))
case("mul", "mul_scalar", lambda T, a: a * 3.0, n(3))
case("mul", "rdiv", lambda T, a: 2 / a, p(3))
case("mul", "mul_inplace", lambda T, a, b: a.clone().mul_(b), n(2, 3), n(1, 3))
case("div", "div", lambda T, a, b: a / b, n(2, 3), p(2, 3))
case("div", "div_broadcast", lambda T, a, b: T.div(a, b), n(2, 3), p(2, 1))
case("div", "div_scalar", lambda T, a: a / 4, n(3))
case("div", "div_inplace", lambda T, a, b: a.clone().div_(b), n(3), p(3))
case("div_mode", "div_floor", lambda T, a, b: T.div(a, b, rounding_mode="floor"), n(2, 3), p(3))
case("div_mode", "div_trunc_number", lambda T, a: a.div(0.3, rounding_mode="trunc"), n(4))
case("div_mode", "div_mode_none", lambda T, a, b: T.div(a, b, rounding_mode=None), n(2, 3), p(2, 3))
case("pow", "square", lambda T, a: a ** 2, n(2, 3))
case("pow", "sqrt_pow", lambda T, a: a ** 0.5, p(4))
case("pow", "pow_negative", lambda T, a: T.pow(a, -1.5), p(4))
case("pow", "pow_zero", lambda T, a: a ** 0, n(3))
case("pow_tensor", "pow_tensor", lambda T, a, b: a ** b, p(2, 3), n(2, 3))
case("pow_tensor", "pow_tensor_broadcast", lambda T, a, b: T.pow(a, b), p(3, 1), n(2))
case("rpow", "two_pow", lambda T, a: 2 ** a, n(2, 3))
case("rpow", "pow_scalar_base", lambda T, a: T.pow(1.5, a), n(4))

# ---------------------------------------------------------------- floor division and remainder
# floor_divide and number % tensor: torch's NotImplemented node (backward fails; no gradcheck)
case("floor_divide", "floordiv", lambda T, a, b: a // b, n(2, 3), p(2, 3))
case("floor_divide", "floordiv_scalar", lambda T, a: a // 0.3, n(2, 3))
case("floor_divide", "rfloordiv", lambda T, a: 2 // a, p(3))
case("floor_divide", "floor_divide_constant", lambda T, a, b: T.floor_divide(a, b), n(2, 3),
     const([0.5, -0.7, 0.3]))
case("floor_divide", "floor_divide_of_constant", lambda T, a, b: b.floor_divide(a), p(3),
     const([2.5, -1.0, 7.0]))
case("floor_divide_", "floordiv_inplace", lambda T, a: (a * 1).floor_divide_(0.5), n(4))
case("remainder", "mod_scalar", lambda T, a: a % 0.7, n(2, 3))
case("remainder", "remainder_negative_divisor", lambda T, a: T.remainder(a, -0.7), n(2, 3))
case("remainder", "remainder_method", lambda T, a: a.remainder(2), n(4))
case("remainder", "remainder_inplace", lambda T, a: (a + 0).remainder_(0.6), n(3))
case("remainder_tensor", "mod", lambda T, a, b: a % b, n(2, 3), n(2, 3))
case("remainder_tensor", "mod_broadcast", lambda T, a, b: T.remainder(a, b), n(2, 3), n(3))
case("remainder_tensor", "mod_constant_divisor", lambda T, a, b: a % b, n(2, 3),
     const([0.5, -0.7, 0.3]))
case("remainder_tensor", "mod_of_constant", lambda T, a, b: b % a, n(3),
     const([2.5, -1.0, 7.0]))
case("remainder_tensor", "mod_tensor_inplace", lambda T, a, b: a.clone().remainder_(b), n(2, 3),
     n(3))
case("rremainder", "rmod", lambda T, a: 2 % a, n(3))
case("rremainder", "remainder_number_first", lambda T, a: T.remainder(1.5, a), p(2, 2))


def _imod_ifloordiv(T, a, b):
    x = a * 1
    x %= b
    x //= b
    return x


case("floor_divide_", "imod_ifloordiv", _imod_ifloordiv, n(3), p(3))

case("maximum", "maximum", lambda T, a, b: T.maximum(a, b), n(2, 3), n(2, 3))
case("maximum", "maximum_broadcast", lambda T, a, b: a.maximum(b), n(2, 3), n(3))
case("minimum", "minimum", lambda T, a, b: T.minimum(a, b), n(2, 3), n(2, 1))
case("maximum", "max_of_two", lambda T, a, b: T.max(a, b), n(3), n(3))
case("where", "where", lambda T, c, a, b: T.where(c, a, b),
     const([[True, False, True], [False, False, True]]), n(2, 3), n(2, 3))
case("where", "where_broadcast", lambda T, a, b: T.where(a > 0, a, b), n(2, 3), n(3))
case("where", "where_scalar", lambda T, a: T.where(a > 0, a, 0.0), n(5))

# ---------------------------------------------------------------- masked_fill
case("masked_fill", "masked_fill", lambda T, a: a.masked_fill(a > 0, 0.5), n(2, 3))
case("masked_fill", "masked_fill_broadcast_mask",
     lambda T, a, m: T.masked_fill(a, m, -1.0), n(2, 3), const([True, False, True]))
case("masked_fill", "masked_fill_bigger_mask",  # both broadcast: the gradient is summed back
     lambda T, a, m: a.masked_fill(m, 2.0), n(3), const([[True, False, False], [False] * 3]))
case("masked_fill", "masked_fill_inplace", lambda T, a: (a * 1).masked_fill_(a < 0, 0.0), n(4))
case("masked_fill_tensor", "masked_fill_value_tensor",
     lambda T, a, v: a.masked_fill(a > 0, v), n(2, 3), n())
case("masked_fill_tensor", "masked_fill_value_tensor_inplace",
     lambda T, a, v: a.clone().masked_fill_(a < 0, v), n(4), n())

# ---------------------------------------------------------------- unary
case("neg", "neg", lambda T, a: -a, n(2, 3))
case("neg", "neg_fn", lambda T, a: T.neg(a), n(3))
case("reciprocal", "reciprocal", lambda T, a: T.reciprocal(a), n(2, 3))
case("exp", "exp", lambda T, a: a.exp(), n(2, 3))
case("exp", "exp_inplace", lambda T, a: (a * 1).exp_(), n(2, 3))
case("neg", "neg_inplace", lambda T, a: a.clone().neg_(), n(3))
case("sigmoid", "sigmoid_inplace", lambda T, a: (a + 0).sigmoid_(), n(3))
case("tanh", "tanh_inplace", lambda T, a: a.clone().tanh_(), n(3))
case("relu", "relu_inplace", lambda T, a: a.clone().relu_(), n(4))
case("pow", "pow_inplace", lambda T, a: a.clone().pow_(3), n(3))
case("pow_tensor", "pow_tensor_inplace", lambda T, a, b: a.clone().pow_(b), p(3), n(3))
case("mul", "mul_scalar_inplace", lambda T, a: (a + 0).mul_(2.0), n(3))
case("div", "div_scalar_inplace", lambda T, a: a.clone().div_(4), n(3))
case("log", "log", lambda T, a: T.log(a), p(2, 3))
case("log", "log_inplace", lambda T, a: (a + 0).log_(), p(3))
case("sqrt", "sqrt_inplace", lambda T, a: (a * 1).sqrt_(), p(2, 3))
case("abs", "abs_inplace", lambda T, a: a.clone().abs_(), n(2, 3))
case("sqrt", "sqrt", lambda T, a: a.sqrt(), p(2, 3))
case("abs", "abs", lambda T, a: T.abs(a), n(2, 3))
case("sgn", "sgn", lambda T, a: T.sgn(a), n(2, 3))
case("sgn", "sgn_method", lambda T, a: a.sgn(), n(4))
case("sign", "sign", lambda T, a: T.sign(a), n(2, 3))
case("sign", "sign_method", lambda T, a: a.sign(), n(3))
case("abs", "abs_builtin", lambda T, a: abs(a), n(4))
case("sin", "sin", lambda T, a: a.sin(), n(2, 3))
case("cos", "cos", lambda T, a: T.cos(a), n(2, 3))
case("tanh", "tanh", lambda T, a: a.tanh(), n(2, 3))
case("tanh", "tanh_f", lambda T, a: F(T).tanh(a), n(3))
case("sigmoid", "sigmoid", lambda T, a: T.sigmoid(a), n(2, 3))
case("sigmoid", "sigmoid_f", lambda T, a: F(T).sigmoid(a), n(3))
case("relu", "relu", lambda T, a: a.relu(), n(2, 3))
case("relu", "relu_f", lambda T, a: F(T).relu(a), n(4))
case("clamp", "clamp", lambda T, a: a.clamp(-0.5, 0.5), n(2, 4))
case("clamp", "clamp_min", lambda T, a: T.clamp(a, min=0.1), n(2, 3))
case("clamp", "clamp_max", lambda T, a: a.clamp(max=-0.3), n(2, 3))
case("clamp", "clamp_inplace", lambda T, a: a.clone().clamp_(-0.5, 0.5), n(5))
case("clamp_tensor", "clamp_tensor", lambda T, a, lo, hi: T.clamp(a, lo, hi),
     n(2, 3), n(3), n(2, 3))
case("clamp_tensor", "clamp_tensor_min", lambda T, a, lo: T.clamp(a, min=lo), n(2, 3), n(2, 1))
case("clamp_tensor", "clamp_tensor_max", lambda T, a, hi: a.clamp(max=hi), n(4), n(4))

# ---------------------------------------------------------------- more math, activations
case("log1p", "log1p", lambda T, a: a.log1p(), p(3))
case("expm1", "expm1", lambda T, a: T.expm1(a), n(2, 3))
case("rsqrt", "rsqrt", lambda T, a: a.rsqrt(), p(3))
case("tan", "tan", lambda T, a: T.tan(a * 0.5), n(3))
case("sinh", "sinh", lambda T, a: a.sinh(), n(3))
case("cosh", "cosh", lambda T, a: T.cosh(a), n(3))
case("atan", "atan", lambda T, a: T.atan(a), n(2, 2))
case("asin", "asin", lambda T, a: a.asin(), u(3))
case("acos", "acos", lambda T, a: T.acos(a), u(3))
case("floor", "floor", lambda T, a: (a * 3).floor(), n(4))
case("ceil", "ceil", lambda T, a: T.ceil(a * 3), n(4))
case("round", "round", lambda T, a: (a * 3).round(), n(4))
case("round_decimals", "round_decimals", lambda T, a: (a * 3).round(decimals=1), n(4))
case("leaky_relu", "leaky_relu", lambda T, a: F(T).leaky_relu(a, 0.2), n(2, 3))
case("leaky_relu_", "leaky_relu_module_inplace",
     lambda T, a: T.nn.LeakyReLU(inplace=True)(a * 1), n(4))
case("elu_", "elu_inplace", lambda T, a: F(T).elu(a * 1, inplace=True), n(2, 2))
case("silu", "silu_inplace", lambda T, a: F(T).silu(a * 1, inplace=True), n(3))
case("hardtanh", "hardtanh_inplace", lambda T, a: F(T).hardtanh(a * 1, -0.4, 0.5, True), n(4))
case("elu", "elu", lambda T, a: F(T).elu(a, alpha=0.7), n(2, 3))
case("silu", "silu", lambda T, a: T.nn.SiLU()(a), n(2, 3))
case("softplus", "softplus", lambda T, a: F(T).softplus(a, beta=2.0, threshold=1.0), n(2, 3))
case("hardtanh", "hardtanh", lambda T, a: T.nn.Hardtanh(-0.5, 0.7)(a), n(2, 3))
case("elu", "selu", lambda T, a: F(T).selu(a), n(2, 3))
case("elu_", "selu_inplace", lambda T, a: T.nn.SELU(inplace=True)(a * 1), n(4))
case("celu", "celu", lambda T, a: F(T).celu(a, 0.6), n(2, 3))
case("celu_", "celu_inplace", lambda T, a: F(T).celu(a * 1, 1.5, inplace=True), n(4))
case("celu", "celu_top_level", lambda T, a: T.celu(a, alpha=0.8), n(3))
case("celu_", "celu_underscore", lambda T, a: T.celu_(a * 1), n(3))
case("elu", "selu_top_level", lambda T, a: T.selu(a), n(3))
case("elu_", "selu_underscore", lambda T, a: F(T).selu_(a * 1), n(3))
case("elu_", "elu_underscore", lambda T, a: F(T).elu_(a * 1, 0.4), n(3))
case("mish", "mish", lambda T, a: T.nn.Mish()(a), w(2, 3))
case("mish", "mish_inplace", lambda T, a: F(T).mish(a * 1, inplace=True), n(4))
case("log_sigmoid", "logsigmoid", lambda T, a: T.nn.LogSigmoid()(a), w(2, 3))
case("hardswish", "hardswish", lambda T, a: F(T).hardswish(a), w(2, 4))
case("hardswish", "hardswish_inplace", lambda T, a: T.nn.Hardswish(True)(a * 1), w(5))
case("hardsigmoid", "hardsigmoid", lambda T, a: T.nn.Hardsigmoid()(a), w(2, 4), double=False)
case("hardsigmoid", "hardsigmoid_inplace", lambda T, a: F(T).hardsigmoid(a * 1, True), w(5),
     double=False)

# ---------------------------------------------------------------- flip, cumsum, logsumexp...
case("flip", "flip", lambda T, a: a.flip(0), n(3, 2))
case("flip", "flip_dims", lambda T, a: T.flip(a, [0, -1]), n(2, 3))
case("cumsum", "cumsum", lambda T, a: a.cumsum(1), n(2, 3))
case("cumsum", "cumsum_f", lambda T, a: T.cumsum(a, dim=0), n(4))
case("logsumexp", "logsumexp", lambda T, a: a.logsumexp(1), n(2, 3))
case("logsumexp", "logsumexp_keepdim_dims", lambda T, a: T.logsumexp(a, (0, 2), keepdim=True),
     n(2, 3, 2))
case("amax", "amax", lambda T, a: a.amax(1), n(3, 4))
case("amax", "amax_all", lambda T, a: T.amax(a), n(2, 3))
case("amax", "amax_ties", lambda T, a: T.cat([a, a]).amax(0, keepdim=True), n(3))
case("amin", "amin", lambda T, a: a.amin(0), n(3, 2))
case("slice", "narrow", lambda T, a: a.narrow(1, 1, 2), n(2, 4))
case("slice", "narrow_negative_start", lambda T, a: T.narrow(a, 0, -2, 2), n(4))

# ---------------------------------------------------------------- reductions
case("sum", "sum", lambda T, a: a.sum(), n(2, 3))
case("sum", "sum_fn", lambda T, a: T.sum(a), n(4))
case("sum_dim", "sum_dim", lambda T, a: a.sum(1), n(2, 3))
case("sum_dim", "sum_dims_keepdim", lambda T, a: a.sum((0, 2), keepdim=True), n(2, 3, 2))
case("sum_dim", "sum_negative_dim", lambda T, a: T.sum(a, dim=-1), n(2, 3))
case("sum_dim", "sum_dtype", lambda T, a: a.sum(0, dtype=T.float64), n(3, 2))
case("sum_dtype", "sum_all_dtype", lambda T, a: a.sum(dtype=T.float64), n(3, 2))
case("mean", "mean", lambda T, a: a.mean(), n(2, 3))
case("mean_dim", "mean_dim", lambda T, a: T.mean(a, 0), n(2, 3))
case("mean_dim", "mean_dims_keepdim", lambda T, a: a.mean((-1, 0), keepdim=True), n(2, 2, 3))
case("max", "max", lambda T, a: a.max(), n(2, 3))
case("min", "min", lambda T, a: T.min(a), n(2, 3))
case("max_dim", "max_dim", lambda T, a: a.max(1).values, n(2, 3))
case("max_dim", "max_dim_keepdim", lambda T, a: T.max(a, dim=0, keepdim=True)[0], n(3, 2))
case("min_dim", "min_dim", lambda T, a: a.min(dim=-1)[0], n(2, 3, 2))
case("min_dim", "min_dim_keepdim", lambda T, a: a.min(0, keepdim=True).values, n(3, 2))
case("var", "var", lambda T, a: a.var(), n(2, 3))
case("var", "var_dim", lambda T, a: T.var(a, 1), n(2, 3))
case("var", "var_dims_keepdim", lambda T, a: a.var(dim=(0, 1), keepdim=True, correction=0),
     n(2, 3, 2))
case("var", "var_biased", lambda T, a: a.var(0, unbiased=False), n(3, 2))
case("std", "std", lambda T, a: a.std(), n(2, 3))
case("std", "std_dim", lambda T, a: T.std(a, dim=0), n(3, 2))
case("std", "std_keepdim", lambda T, a: a.std(-1, keepdim=True, correction=0), n(2, 4))
case("norm", "norm", lambda T, a: a.norm(), n(2, 3))
case("norm", "norm_dim", lambda T, a: a.norm(dim=1), n(2, 3))
case("norm", "norm_keepdim", lambda T, a: T.norm(a, dim=0, keepdim=True), n(3, 2))
case("norm", "norm_p1", lambda T, a: a.norm(p=1), n(2, 3))
case("norm", "norm_p1_dim", lambda T, a: a.norm(1, dim=-1), n(2, 3))
case("norm", "norm_inf", lambda T, a: a.norm(float("inf")), n(2, 3))
case("norm", "norm_inf_keepdim", lambda T, a: a.norm(p=float("inf"), dim=0, keepdim=True), n(3, 2))
case("norm", "norm_minus_inf_dim", lambda T, a: T.norm(a, float("-inf"), dim=1), n(2, 3))
case("norm", "norm_p0", lambda T, a: a.norm(0), n(2, 3))  # no gradient at all, as torch
case("norm", "norm_p0_dim", lambda T, a: T.norm(a, p=0, dim=-1), n(2, 3))
case("norm", "norm_p3", lambda T, a: a.norm(3), n(2, 3))
case("norm", "norm_p_half_dims", lambda T, a: a.norm(0.5, dim=(0, 2)), n(2, 3, 2))
case("norm", "norm_p1_5_keepdim", lambda T, a: T.norm(a, 1.5, 1, True), n(2, 3))
case("norm", "norm_negative_p", lambda T, a: a.norm(-1.5, dim=0), n(3, 2))

# ---------------------------------------------------------------- shapes
case("view", "view", lambda T, a: a.view(3, 2), n(2, 3))
case("view", "view_infer", lambda T, a: a.view(-1), n(2, 3))
case("view", "reshape_view", lambda T, a: T.reshape(a, (3, 2)), n(6))
case("view", "flatten", lambda T, a: a.flatten(), n(2, 3))
case("view", "view_as", lambda T, a, b: a.view_as(b), n(2, 3), const(np.zeros((6,))))
case("unsafe_view", "reshape_copy", lambda T, a: a.t().reshape(6), n(2, 3))
case("unsafe_view", "reshape_expanded", lambda T, a: a.expand(2, 2, 3).reshape(4, 3), n(2, 3))
case("reshape_alias", "reshape_strided", lambda T, a: a.t().reshape(3, 2, 1), n(2, 3))
case("reshape_alias", "reshape_every_other", lambda T, a: a[:, ::2].reshape(2, 2, 1), n(2, 4))
case("t", "t", lambda T, a: a.t(), n(2, 3))
case("t", "t_fn", lambda T, a: T.t(a), n(3, 2))
case("permute", "permute", lambda T, a: a.permute(2, 0, 1), n(2, 3, 2))
case("permute", "T", lambda T, a: a.T, n(2, 3))
case("permute", "permute_fn", lambda T, a: T.permute(a, (1, 0)), n(2, 3))
case("transpose", "transpose", lambda T, a: a.transpose(0, 1), n(2, 3))
case("transpose", "mT", lambda T, a: a.mT, n(2, 2, 3))
case("transpose", "transpose_fn", lambda T, a: T.transpose(a, -1, 0), n(2, 1, 3))
case("squeeze", "squeeze", lambda T, a: a.squeeze(), n(2, 1, 3, 1))
case("squeeze_dim", "squeeze_dim", lambda T, a: a.squeeze(1), n(2, 1, 3))
case("squeeze_dim", "squeeze_dim_noop", lambda T, a: T.squeeze(a, 0), n(2, 1, 3))
case("squeeze_dims", "squeeze_dims", lambda T, a: a.squeeze((1, 3)), n(2, 1, 3, 1))
case("squeeze_", "vec_at_mat", lambda T, a, b: a @ b, n(3), n(3, 2))
case("unsqueeze", "unsqueeze", lambda T, a: a.unsqueeze(1), n(2, 3))
case("unsqueeze", "unsqueeze_negative", lambda T, a: T.unsqueeze(a, -1), n(2, 3))
case("unsqueeze", "index_none", lambda T, a: a[None], n(2, 3))
case("expand", "expand", lambda T, a: a.expand(3, 2, 4), n(2, 1))
case("expand", "expand_minus_one", lambda T, a: a.expand(-1, 3), n(2, 1))
case("expand", "expand_as", lambda T, a, b: a.expand_as(b), n(3), const(np.zeros((2, 3))))
case("clone", "clone", lambda T, a: a.clone(), n(2, 3))
case("clone", "contiguous", lambda T, a: a.t().contiguous(), n(2, 3))
case("cat", "cat", lambda T, a, b: T.cat([a, b]), n(2, 3), n(1, 3))
case("cat", "cat_dim", lambda T, a, b, c: T.cat((a, b, c), dim=-1), n(2, 1), n(2, 3), n(2, 2))
case("cat", "cat_one_constant", lambda T, a, b: T.cat([a, b], 1), n(2, 2), const(np.ones((2, 1))))
case("stack", "stack", lambda T, a, b: T.stack([a, b]), n(2, 3), n(2, 3))
case("stack", "stack_last", lambda T, a, b: T.stack((a, b), dim=-1), n(3), n(3))

# ---------------------------------------------------------------- indexing
case("select", "select", lambda T, a: a[1], n(3, 2))
case("select", "select_negative", lambda T, a: a[:, -1], n(2, 3))
case("select", "select_twice", lambda T, a: a[0, 1], n(2, 3))
case("select", "select_ellipsis", lambda T, a: a[..., 0], n(2, 2, 3))
case("slice", "slice", lambda T, a: a[1:3], n(4, 2))
case("slice", "slice_step", lambda T, a: a[:, ::2], n(2, 5))
case("slice", "slice_ellipsis", lambda T, a: a[..., 1:], n(2, 2, 3))
case("slice", "slice_negative", lambda T, a: a[-2:], n(4))
case("slice", "slice_full", lambda T, a: a[:], n(3))
case("select", "slice_none_int", lambda T, a: a[None, 1:, 0], n(3, 2))
case("select", "select_int_tensor", lambda T, a, i: a[:, i], n(2, 3), const(1))
case("alias", "ellipsis", lambda T, a: a[...], n(2, 3))
case("alias", "all_full_slices", lambda T, a: a[:, :], n(2, 3))
case("unsqueeze", "none_after_int", lambda T, a: a[0, None], n(2, 3))
case("index", "index_list", lambda T, a: a[[0, 2]], n(3, 2))
case("index", "index_tensor", lambda T, a, i: a[i], n(3, 2), const([[0, 1], [2, 2]]))
case("index", "index_repeats", lambda T, a: a[:, [1, 0, 1]], n(2, 3))
case("index", "index_two_arrays", lambda T, a: a[[0, 1], [2, 0]], n(2, 3))
case("index", "index_split_arrays", lambda T, a: a[[0, 1], :, [1, 0]], n(2, 2, 3))
case("index", "index_mask", lambda T, a, m: a[m], n(2, 3),
     const([[True, False, True], [False, True, False]]))
case("index", "index_mask_rows", lambda T, a: a[a[:, 0] > 0], n(4, 2))
case("index", "index_none_array", lambda T, a: a[None, [1, 0]], n(2, 3))
case("index", "index_ellipsis_array", lambda T, a: a[..., [2, 0]], n(2, 2, 3))
case("index", "index_slice_array", lambda T, a: a[:, [0, 1], 1:], n(2, 2, 3))
case("index", "index_after_select", lambda T, a: a[0, [1, 0, 1]], n(2, 3))
case("index", "index_split_by_slice", lambda T, a: a[[0, 1], 1:, [1, 0]], n(2, 2, 3))
case("index", "index_mask_3d", lambda T, a: a[a > 0.5], n(2, 2, 3))
case("index", "index_bool_scalar", lambda T, a: a[True], n(2, 3))
case("select", "index_then_select", lambda T, a: a[[0, 1]][:, 1], n(3, 2))

# ---------------------------------------------------------------- in place writes
def _setitem(key, value=None):
    def program(T, a, *v):
        x = a.clone()
        x[key] = v[0] if v else value
        return x

    return program


case("setitem", "setitem_row", _setitem(0), n(3, 2), n(2))
case("setitem", "setitem_scalar", _setitem((slice(None), 1), 2.0), n(2, 3))
case("setitem", "setitem_slice_broadcast", _setitem(slice(1, None)), n(3, 2), n(2))
case("setitem", "setitem_leading_ones", _setitem((slice(None), 0)), n(2, 3), n(1, 1, 2))
case("setitem", "setitem_0d_value", _setitem(1), n(3, 2), n())
case("setitem", "setitem_int_and_list", _setitem((0, [2, 0])), n(2, 3), n(2))
case("setitem", "setitem_ellipsis", _setitem((Ellipsis, 1)), n(2, 3), n(2))
case("index_put", "setitem_list", _setitem([0, 2]), n(3, 2), n(2, 2))
case("index_put", "setitem_list_broadcast", _setitem([2, 0]), n(3, 2), n(1, 2))
case("index_put", "setitem_mask", lambda T, a, m: _setitem(m, 0.0)(T, a), n(2, 3),
     const([[True, False, True], [False, True, False]]))
case("index_put", "setitem_mask_tensor", lambda T, a, b: _setitem(a > 0)(T, a, b), n(2, 3), n())
case("index_put", "setitem_slice_then_array", _setitem((slice(None), [1, 0])), n(2, 3), n(2))
case("setitem", "setitem_into_constant", lambda T, a: _setitem(1)(T, T.zeros(3, 2).double(), a),
     n(2))
case("copy_", "copy", lambda T, a, b: a.clone().copy_(b), n(2, 3), n(3))
case("copy_", "copy_into_constant", lambda T, a: T.zeros(2, 3, dtype=T.float64).copy_(a), n(2, 3))
case("copy_", "copy_into_nonleaf", lambda T, a, b: (a * 2).copy_(b), n(2, 2), n(2, 2))
case("fill_", "fill", lambda T, a: a.clone().fill_(2.0), n(2, 3))
case("fill_tensor", "fill_with_a_tensor", lambda T, a, v: a.clone().fill_(v), n(2, 3), n())
case("fill_tensor", "setitem_everything_to_a_number",
     lambda T, a: (lambda c: (c.__setitem__(..., 2.0), c)[1])(a * 1), n(2, 3))
case("fill_", "fill_nonleaf", lambda T, a: (a + 1).fill_(-1), n(3))
case("zero_", "zero", lambda T, a: a.clone().zero_(), n(2, 3))


# in place on a view of a tensor in the graph: the base gets CopySlices, the view (and any
# view taken before) AsStridedBackward0 over it
def _mul_view(T, a):
    x = a.clone()
    v = x[:2]
    v.mul_(2)
    return v


def _two_ops_on_view(T, a, b):
    x = a.clone()
    v = x[1:, 0]
    v.mul_(b)
    v.add_(1)
    return x


def _stale_view(T, a):
    x = a.clone()
    u = x[1:]  # taken before x changes through another view
    x[:2].exp_()
    return u


def _transposed_view(T, a, b):
    x = a.clone()
    x.t().add_(b)
    return x


def _view_of_view(T, a):
    x = a.clone()
    x[1:][0].mul_(3)
    return x


def _into_constant(T, a):
    x = T.zeros(3, 2, dtype=T.float64)
    x[1:].sub_(a)
    return x


case("as_strided", "view_mul_", _mul_view, n(3))
case("as_strided", "stale_view", _stale_view, n(3))
case("setitem", "view_mul_then_add_", _two_ops_on_view, n(3, 2), n(2))
case("setitem", "transposed_view_add_", _transposed_view, n(2, 3), n(3, 1))
case("setitem", "view_of_view_mul_", _view_of_view, n(3))
case("setitem", "view_of_constant_sub_", _into_constant, n(2, 2))

# ---------------------------------------------------------------- derivatives as ops
def _derivative(f):
    """d/da of sum(f(a) * b), kept in the graph: the node torch's formula for f records."""
    def program(T, a, b):
        return T.autograd.grad((f(a) * b).sum(), a, create_graph=True)[0]

    return program


case("threshold_backward", "relu_derivative", _derivative(lambda a: a.relu()), n(2, 3), n(2, 3))
case("tanh_backward", "tanh_derivative", _derivative(lambda a: a.tanh()), n(3), n(3))
case("sigmoid_backward", "sigmoid_derivative", _derivative(lambda a: a.sigmoid()), n(2, 2),
     n(2, 2))
case("mul", "abs_derivative", _derivative(lambda a: a.abs()), n(3), n(3))  # grad * sgn
case("elu_backward", "elu_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).elu(x, 0.7))(T, a, b), n(2, 3), n(2, 3))
case("hardtanh_backward", "hardtanh_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).hardtanh(x, -0.5, 0.8))(T, a, b), n(4), n(4))
case("leaky_relu_backward", "leaky_relu_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).leaky_relu(x, 0.2))(T, a, b), n(4), n(4))
case("softplus_backward", "softplus_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).softplus(x, 2.0))(T, a, b), n(2, 3), n(2, 3))
case("elu_backward", "selu_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).selu(x))(T, a, b), n(2, 3), n(2, 3))
case("elu_backward", "celu_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).celu(x, 0.5))(T, a, b), n(2, 3), n(2, 3))
case("log_sigmoid_backward", "logsigmoid_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).logsigmoid(x))(T, a, b), w(2, 3), n(2, 3))
case("hardswish_backward", "hardswish_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).hardswish(x))(T, a, b), w(6), n(6))
case("hardsigmoid_backward", "hardsigmoid_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).hardsigmoid(x))(T, a, b), w(6), n(6))
case("softmax_backward_data", "softmax_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).softmax(x, 1))(T, a, b), n(2, 3), n(2, 3))
case("log_softmax_backward_data", "log_softmax_derivative",
     lambda T, a, b: _derivative(lambda x: F(T).log_softmax(x, 0))(T, a, b), n(4), n(4))
case("mul_scalar", "sub_alpha_derivative",  # -grad scaled by alpha: MulBackward1
     lambda T, a, b: T.autograd.grad((T.sub(a, b, alpha=2) * a).sum(), b, create_graph=True)[0],
     n(3), n(3))


def _sigmoid_second(T, a, b):
    """``-2 * sigmoid(a) + 1``, the AddBackward1 inside sigmoid's second derivative (the
    factor its MulBackward0 saved)."""
    g = _derivative(lambda x: x.sigmoid())(T, a, b)
    g2 = T.autograd.grad((g * b).sum(), a, create_graph=True)[0]
    return g2.grad_fn.next_functions[0][0]._saved_other


case("add_scalar", "sigmoid_second_derivative", _sigmoid_second, n(3), n(3))


def _pow_exponent_minus_one(T, a, b):
    """``b - 1``, the SubBackward1 inside pow's derivative (the exponent of the PowBackward1
    node recorded there)."""
    g = T.autograd.grad((a.abs() ** b).sum(), a, create_graph=True)[0]
    todo = [g.grad_fn]
    while todo:
        fn = todo.pop()
        if fn is not None and fn.name() == "PowBackward1":
            return fn._saved_exponent
        todo.extend(f for f, _ in (fn.next_functions if fn is not None else ()))
    raise AssertionError("no PowBackward1 in pow's derivative")


case("sub_scalar", "pow_exponent_minus_one", _pow_exponent_minus_one, n(3), n(3))
case("div_scalar", "mean_derivative",  # the gradient expanded, divided by the count
     lambda T, a, b: T.autograd.grad(a.mean() * (b * b).sum(), a, create_graph=True)[0],
     n(2, 3), n(2))
case("div_scalar", "mean_dim_derivative",
     lambda T, a, b: T.autograd.grad((a.mean(1) * b).sum(), a, create_graph=True)[0],
     n(2, 3), n(2))
case("mul", "bce_logits_derivative",  # (through a * b; DivBackward1 below)
     lambda T, a, b: T.autograd.grad(F(T).binary_cross_entropy_with_logits(a * b, b.sigmoid()),
                                     a, create_graph=True)[0], n(3), n(3))
case("mse_loss_backward", "mse_derivative",
     lambda T, a, b: T.autograd.grad(F(T).mse_loss(a, b) * (b * b).sum(), a,
                                     create_graph=True)[0], n(2, 3), n(2, 3))
case("mul", "mse_sum_derivative",  # (through a * b; MseLossBackwardBackward0 below)
     lambda T, a, b: T.autograd.grad(F(T).mse_loss(a * b, b, reduction="sum"), a,
                                     create_graph=True)[0], n(3), n(3))
case("where", "clamp_derivative", _derivative(lambda a: a.clamp(-0.5, 0.5)), n(4), n(4))
case("mul", "reciprocal_derivative", _derivative(lambda a: a.reciprocal()), p(3), n(3))
case("mul", "var_derivative", _derivative(lambda a: a.var()), n(4), n())
case("mul", "var_dim_derivative", _derivative(lambda a: a.var(1, keepdim=True)), n(2, 3), n(2, 1))
case("mul", "std_derivative", _derivative(lambda a: a.std(0)), n(3, 2), n(2))
case("mul", "norm_derivative", _derivative(lambda a: a.norm()), n(2, 3), n())
case("masked_fill_tensor", "max_derivative", _derivative(lambda a: a.max()), n(5), n())
case("masked_fill", "maximum_derivative",
     lambda T, a, b: T.autograd.grad((T.maximum(a, b) * b).sum(), a, create_graph=True)[0],
     n(4), n(4))
case("slice_backward", "slice_derivative", _derivative(lambda a: a[1:]), n(4, 2), n(3, 2))
case("select_backward", "select_derivative", _derivative(lambda a: a[:, 1]), n(2, 3), n(2))
case("index_put_impl", "index_derivative", _derivative(lambda a: a[[0, 2, 2]]), n(3), n(3))
case("slice", "cat_derivative",  # narrow(grad) over SliceBackwardBackward0
     lambda T, a, b: T.autograd.grad((T.cat([a, b])[:3] * b).sum(), a, create_graph=True)[0],
     n(3), n(3))
case("binary_cross_entropy_backward", "bce_derivative",
     lambda T, a, b: T.autograd.grad(F(T).binary_cross_entropy(a, b.sigmoid()) * (b * b).sum(),
                                     a, create_graph=True)[0], u(2, 3), n(2, 3))
case("binary_cross_entropy_backward", "bce_weighted_none_derivative",
     lambda T, a, b, w: T.autograd.grad(
         (F(T).binary_cross_entropy(a, b.sigmoid(), weight=w, reduction="none") * b).sum(), a,
         create_graph=True)[0], u(4), n(4), const([0.5, 1.0, 2.0, 1.5]))
case("to_copy", "to_float_derivative",  # cast back to float64 in the graph: ToCopyBackward0
     lambda T, a, b: T.autograd.grad((a.float() * b.float()).sum(), a, create_graph=True)[0],
     n(3), n(3), eps=1e-3, atol=1e-3, double=False)
case("unsqueeze", "squeeze_derivative", _derivative(lambda a: a.squeeze(1)), n(3, 1), n(3))
case("sum_dim", "expand_derivative", _derivative(lambda a: a.expand(3, 2)), n(3, 1), n(3, 2))
case("mul", "pow_derivative", _derivative(lambda a: a ** 3), p(3), n(3))
case("div", "sqrt_derivative", _derivative(lambda a: a.sqrt()), p(3), n(3))
case("add", "div_derivative",
     lambda T, a, b: T.autograd.grad(((a / b) * b).sum(), b, create_graph=True)[0], n(3), p(3))
case("nll_loss_backward", "nll_loss_derivative",
     lambda T, a, b, t: _derivative(lambda x: F(T).nll_loss(x, t, reduction="none"))(T, a, b),
     n(3, 4), n(3), const([1, 0, 3]))

# ---------------------------------------------------------------- matrix products
case("mm", "mm", lambda T, a, b: a.mm(b), n(2, 3), n(3, 2))
case("mm", "matmul_2d", lambda T, a, b: a @ b, n(2, 3), n(3, 4))
case("mm", "mm_transposed", lambda T, a, b: T.mm(a, b.t()), n(2, 3), n(2, 3))
case("mv", "mv", lambda T, a, v: T.mv(a, v), n(2, 3), n(3))
case("mv", "mat_at_vec", lambda T, a, v: a @ v, n(2, 3), n(3))
case("dot", "dot", lambda T, a, b: T.dot(a, b), n(3), n(3))
case("dot", "vec_at_vec", lambda T, a, b: T.matmul(a, b), n(4), n(4))
case("bmm", "bmm", lambda T, a, b: T.bmm(a, b), n(2, 2, 3), n(2, 3, 2))
case("addmm", "linear", lambda T, x, w, b: F(T).linear(x, w, b), n(2, 3), n(4, 3), n(4))
case("unsafe_view", "batch_at_mat", lambda T, a, b: a @ b, n(2, 2, 3), n(3, 2))
case("unsafe_view", "batch_at_vec", lambda T, a, b: a @ b, n(2, 2, 3), n(3))
case("unsafe_view", "vec_at_batch", lambda T, a, b: a @ b, n(3), n(2, 3, 2))
case("clone", "mat_at_batch", lambda T, a, b: a @ b, n(2, 3), n(2, 3, 2))
case("unsafe_view", "batch_at_batch", lambda T, a, b: a @ b, n(2, 2, 3), n(2, 3, 2))
case("unsafe_view", "batch_broadcast", lambda T, a, b: T.matmul(a, b), n(2, 1, 2, 3), n(3, 3, 2))
case("unsafe_view", "batch_at_constant_mat", lambda T, a, b: a @ b, n(2, 2, 3),
     const(np.arange(6.0).reshape(3, 2)))
# torch folds into mm/mv only when the smaller operand requires grad or folds without a copy
case("unsafe_view", "constant_mat_at_batch", lambda T, a, b: a @ b,
     const(np.arange(6.0).reshape(2, 3)), n(2, 3, 2))
case("unsafe_view", "constant_vec_at_batch", lambda T, a, b: a @ b, const([1.0, -2.0, 0.5]),
     n(2, 3, 2))
case("unsafe_view", "transposed_batch_at_constant_vec", lambda T, a, b: a.transpose(0, 1) @ b,
     n(2, 2, 3), const([1.0, -2.0, 0.5]))
case("clone", "batch_of_one_broadcast", lambda T, a, b: a @ b, n(1, 2, 3), n(2, 3, 2))
case("unsafe_view", "batch_broadcast_one_right", lambda T, a, b: a @ b, n(2, 2, 3), n(1, 3, 2))
case("unsafe_view", "batch4_at_vec", lambda T, a, b: a @ b, n(2, 1, 2, 3), n(3))
case("clone", "mat_at_batch4", lambda T, a, b: a @ b, n(2, 3), n(2, 1, 3, 2))

# ---------------------------------------------------------------- casts
# Through float32, second derivatives are float32-precise too (their gradients are cast back,
# as torch casts them), which finite differences in float64 cannot check: first order only.
case("to_copy", "to_float32", lambda T, a: a.to(T.float32), n(2, 3), eps=1e-3, atol=1e-3)
case("to_copy", "float_double", lambda T, a: a.float().double(), n(3), eps=1e-3, atol=1e-3,
     double=False)
case("to_copy", "to_dtype_kwarg", lambda T, a: a.float().to(dtype=T.float64), n(3),
     eps=1e-3, atol=1e-3, double=False)

# ---------------------------------------------------------------- neural nets
case("softmax", "softmax", lambda T, a: F(T).softmax(a, dim=1), n(2, 3))
case("softmax", "softmax_method", lambda T, a: a.softmax(0), n(3, 2))
case("softmax", "softmax_fn", lambda T, a: T.softmax(a, -1), n(2, 2, 3))
case("log_softmax", "log_softmax", lambda T, a: F(T).log_softmax(a, dim=1), n(2, 3))
case("log_softmax", "log_softmax_method", lambda T, a: a.log_softmax(-1), n(4))

# every loss of nn.functional, with each reduction: loss name -> (row, program, args)
LOSSES = {
    "binary_cross_entropy": ("binary_cross_entropy", (u(2, 3), u(2, 3))),
    "binary_cross_entropy_with_logits": ("binary_cross_entropy_with_logits", (n(2, 3), u(2, 3))),
    "nll_loss": ("nll_loss", (n(3, 4), const([1, 0, 3]))),
    "cross_entropy": ("nll_loss", (n(3, 4), const([2, 2, 0]))),
    "mse_loss": ("mse_loss", (n(2, 3), n(2, 3))),
    "l1_loss": (None, (n(2, 3), n(2, 3))),  # recorded as abs, then mean or sum
}
for loss, (loss_row, loss_args) in LOSSES.items():
    for red in ("none", "mean", "sum"):
        case(loss_row or {"none": "abs", "mean": "mean", "sum": "sum"}[red], f"{loss}_{red}",
             lambda T, x, y, f=loss, r=red: getattr(F(T), f)(x, y, reduction=r), *loss_args,
             tags=(loss, red))
case("binary_cross_entropy", "bce_weight",
     lambda T, x, y, w: F(T).binary_cross_entropy(x, y, weight=w), u(2, 3), u(2, 3),
     const([0.5, 1.0, 2.0]))
case("binary_cross_entropy_with_logits", "bce_logits_weights",
     lambda T, x, y, w, pw: F(T).binary_cross_entropy_with_logits(x, y, w, pos_weight=pw),
     n(2, 3), u(2, 3), const(np.full((2, 3), 0.7)), const([0.5, 1.0, 3.0]))
case("nll_loss", "nll_weight_ignore",
     lambda T, x, t, w: F(T).nll_loss(x, t, weight=w, ignore_index=1),
     n(4, 3), const([0, 1, 2, 2]), const([0.5, 2.0, 1.5]))
case("nll_loss", "nll_1d", lambda T, x, t: F(T).nll_loss(x, t), n(4), const(2))
case("nll_loss", "cross_entropy_weight",
     lambda T, x, t, w: F(T).cross_entropy(x, t, weight=w, reduction="sum"),
     n(3, 3), const([0, 2, 1]), const([1.0, 0.5, 2.0]))

# ---------------------------------------------------------------- convolution and pooling
# (their derivatives are not recorded on Tensors yet: first order only)
case("convolution", "conv2d_bias",
     lambda T, x, w, b: F(T).conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2),
                                    groups=2), n(2, 4, 5, 4), n(6, 2, 3, 2), n(6), double=False)
case("convolution", "conv2d_no_bias", lambda T, x, w: F(T).conv2d(x, w, padding=1),
     n(1, 2, 4, 4), n(3, 2, 3, 3), double=False)
case("squeeze_dim", "conv2d_unbatched", lambda T, x, w: F(T).conv2d(x, w), n(2, 4, 3),
     n(2, 2, 2, 2), double=False)
case("convolution", "conv1d", lambda T, x, w, b: F(T).conv1d(x, w, b, stride=2, padding=1),
     n(2, 3, 7), n(4, 3, 3), n(4), double=False)
case("convolution", "conv2d_module_same",
     lambda T, x, w: F(T).conv2d(x, w, padding="same", dilation=2), n(1, 2, 6, 5),
     n(2, 2, 3, 3), double=False)
case("max_pool2d_with_indices", "max_pool2d", lambda T, x: F(T).max_pool2d(x, 2),
     n(2, 3, 4, 6), double=False)
case("max_pool2d_with_indices", "max_pool2d_overlapping",
     lambda T, x: F(T).max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), n(1, 2, 6, 5),
     double=False)
case("max_pool2d_with_indices", "max_pool2d_dilated_unbatched",
     lambda T, x: F(T).max_pool2d(x, 2, dilation=2), n(2, 5, 5), double=False)
case("squeeze_dim", "max_pool1d", lambda T, x: F(T).max_pool1d(x, 2),
     n(2, 3, 6), double=False)
case("avg_pool2d", "avg_pool2d", lambda T, x: F(T).avg_pool2d(x, 2), n(2, 3, 4, 4),
     double=False)
case("avg_pool2d", "avg_pool2d_padded",
     lambda T, x: F(T).avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                                  count_include_pad=False), n(1, 2, 6, 5), double=False)
case("squeeze_dim", "avg_pool1d", lambda T, x: F(T).avg_pool1d(x, 3, stride=2), n(2, 7),
     double=False)
case("adaptive_avg_pool2d", "adaptive_avg_pool2d",
     lambda T, x: F(T).adaptive_avg_pool2d(x, (2, 3)), n(2, 3, 5, 7), double=False)
case("mean_dim", "adaptive_avg_pool2d_global",
     lambda T, x: F(T).adaptive_avg_pool2d(x, 1), n(2, 3, 4, 4), double=False)
case("squeeze_dim", "adaptive_avg_pool1d",
     lambda T, x: F(T).adaptive_avg_pool1d(x, 3), n(2, 3, 7), double=False)

# ---------------------------------------------------------------- in-place view ops
case("unsqueeze_", "unsqueeze_inplace", lambda T, a: (a * 1).unsqueeze_(1), n(2, 3))
case("squeeze_all_", "squeeze_inplace", lambda T, a: (a * 1).squeeze_(), n(2, 1, 3))
case("squeeze_", "squeeze_dim_inplace", lambda T, a: (a * 1).squeeze_(1), n(2, 1, 3))
case("t_", "t_inplace", lambda T, a: (a * 1).t_(), n(2, 3))
case("transpose_", "transpose_inplace", lambda T, a: (a * 1).transpose_(0, 2), n(2, 3, 2))

# ---------------------------------------------------------------- layers' own ops
# (their derivatives are not recorded on Tensors yet: first order only)
for loss in ("huber_loss", "smooth_l1_loss"):
    LOSSES[loss] = (loss, (n(2, 3), n(2, 3)))
    for red in ("none", "mean", "sum"):
        case(loss, f"{loss}_{red}",
             lambda T, x, y, f=loss, r=red: getattr(F(T), f)(x, y, reduction=r), n(2, 3),
             n(2, 3), tags=(loss, red), double=False)
case("huber_loss", "huber_delta", lambda T, x, y: F(T).huber_loss(x, y, delta=0.4), n(4),
     n(4), double=False)
case("smooth_l1_loss", "smooth_l1_beta", lambda T, x, y: F(T).smooth_l1_loss(x, y, beta=0.3),
     n(4), n(4), double=False)
case("native_layer_norm", "layer_norm", lambda T, x: F(T).layer_norm(x, (3,)), n(2, 3),
     double=False)
case("native_layer_norm", "layer_norm_affine",
     lambda T, x, w, b: F(T).layer_norm(x, (2, 3), w, b, eps=1e-3), n(2, 2, 3), n(2, 3),
     n(2, 3), double=False)
case("native_batch_norm", "batch_norm_train",
     lambda T, x, w, b: F(T).batch_norm(x, None, None, w, b, training=True), n(4, 3), n(3),
     n(3), double=False)
case("native_batch_norm", "batch_norm_2d_running",
     lambda T, x: F(T).batch_norm(x, T.zeros(2, dtype=T.float64), T.ones(2, dtype=T.float64),
                                  training=True, momentum=0.3), n(2, 2, 3, 2), double=False)
case("native_batch_norm", "batch_norm_eval",
     lambda T, x, w, b: F(T).batch_norm(x, T.full((3,), 0.2, dtype=T.float64),
                                        T.full((3,), 1.5, dtype=T.float64), w, b),
     n(4, 3), n(3), n(3), double=False)
case("embedding", "embedding", lambda T, w: F(T).embedding(T.tensor([[0, 2], [2, 3]]), w),
     n(4, 3), double=False)
case("embedding", "embedding_padding",
     lambda T, w: F(T).embedding(T.tensor([1, 2, 2, 1]), w, padding_idx=0), n(3, 2),
     double=False)
case("gelu", "gelu", lambda T, x: F(T).gelu(x), n(2, 3), double=False)
case("gelu", "gelu_tanh", lambda T, x: F(T).gelu(x, approximate="tanh"), n(5), double=False)
case("constant_pad_nd", "pad", lambda T, x: F(T).pad(x, (1, 2)), n(2, 3), double=False)
case("constant_pad_nd", "pad_crop_value", lambda T, x: F(T).pad(x, (1, -1, 2, 0), value=3.0),
     n(2, 3), double=False)

# ---------------------------------------------------------------- tensor ops beyond arithmetic
# (double=False where the derivative is not recorded on Tensors yet)
case("prod", "prod", lambda T, a: a.prod(), n(2, 3), double=False)
case("prod", "prod_with_zero", lambda T, a: T.prod(a),
     Arg(lambda rng: np.array([[1.5, 0.0], [2.0, -1.0]])),
     double=False)
case("prod_dim", "prod_dim", lambda T, a: a.prod(1), n(2, 3), double=False)
case("prod_dim", "prod_dim_keepdim", lambda T, a: a.prod(0, keepdim=True), n(3, 2),
     double=False)
case("cumprod", "cumprod", lambda T, a: a.cumprod(1), n(2, 4), double=False)
case("repeat", "repeat", lambda T, a: a.repeat(2, 1, 3), n(2, 3), double=False)
case("repeat", "tile", lambda T, a: T.tile(a, (2,)), n(2, 3), double=False)
case("roll", "roll", lambda T, a: a.roll((1, -1), (0, 1)), n(3, 4))
case("roll", "roll_flat", lambda T, a: T.roll(a, 2), n(2, 3))
case("tril", "tril", lambda T, a: a.tril(), n(3, 3))
case("triu", "triu_offset", lambda T, a: T.triu(a, 1), n(3, 4))
case("diagonal", "diagonal", lambda T, a: a.diagonal(1), n(3, 4), double=False)
case("diagonal", "diagonal_dims", lambda T, a: T.diagonal(a, 0, 1, 2), n(2, 3, 3), double=False)
case("diagonal_copy", "diag_of_matrix", lambda T, a: T.diag(a), n(3, 3), double=False)
case("diag_embed", "diag_of_vector", lambda T, a: T.diag(a, -1), n(3), double=False)
case("trace", "trace", lambda T, a: a.trace(), n(3, 3), double=False)
case("gather", "gather", lambda T, a: a.gather(1, T.tensor([[0, 1], [2, 2], [3, 0]])), n(3, 4),
     double=False)
case("scatter_src", "scatter",
     lambda T, a, s: a.scatter(1, T.tensor([[0, 2], [1, 3]]), s), n(2, 4), n(2, 2),
     double=False)
case("scatter_value", "scatter_value", lambda T, a: T.scatter(a, 0, T.tensor([[1, 0]]), 2.0),
     n(2, 2), double=False)
case("scatter_add", "scatter_add",
     lambda T, a, s: a.scatter_add(0, T.tensor([[0, 1, 2, 0], [0, 0, 1, 1]]), s), n(3, 4),
     n(2, 4), double=False)
case("index_select", "index_select", lambda T, a: a.index_select(0, T.tensor([2, 0, 2])),
     n(3, 2), double=False)
case("sort", "sort", lambda T, a: a.sort(0, descending=True).values, n(3, 2), double=False)
case("topk", "topk", lambda T, a: T.topk(a, 2).values, n(2, 4), double=False)
case("erf", "erf", lambda T, a: a.erf(), n(2, 3))
case("log2", "log2", lambda T, a: T.log2(a), p(4))
case("lerp_scalar", "lerp", lambda T, a, b: T.lerp(a, b, 0.3), n(3), n(3))
case("lerp_scalar", "lerp_near_end", lambda T, a, b: a.lerp(b, 0.8), n(2, 2), n(2))
case("lerp_tensor", "lerp_tensor", lambda T, a, b, w: T.lerp(a, b, w), n(3), n(3), u(3))
case("addcmul", "addcmul", lambda T, a, b, c: T.addcmul(a, b, c, value=0.5), n(2, 3), n(2, 3), n(3))
case("addcmul", "addcmul_inplace", lambda T, a, b, c: (a * 1).addcmul_(b, c), n(3), n(3), n(3))
case("addcdiv", "addcdiv", lambda T, a, b, c: T.addcdiv(a, b, c, value=-2), n(2, 3), n(2, 3), p(3))
case("addcdiv", "addcdiv_method", lambda T, a, b, c: a.addcdiv(b, c), n(3), n(3), p(3))
case("nan_to_num", "nan_to_num", lambda T, a: a.nan_to_num(), n(2, 3))


# ---------------------------------------------------------------- linear algebra
def _well_conditioned(*shape):
    """Square matrices near 2 * identity (invertible, determinant away from zero)."""
    def make(rng):
        a = rng.uniform(-0.4, 0.4, shape)
        return a + 2 * np.eye(shape[-1])
    return Arg(make)


case("linalg_inv", "linalg_inv", lambda T, a: T.linalg.inv(a), _well_conditioned(3, 3))
case("linalg_inv", "inverse_batched", lambda T, a: T.inverse(a), _well_conditioned(2, 3, 3))
case("linalg_inv", "inverse_method", lambda T, a: a.inverse(), _well_conditioned(2, 2))
case("linalg_det", "linalg_det", lambda T, a: T.linalg.det(a), _well_conditioned(3, 3),
     double=False)
case("linalg_det", "det_batched", lambda T, a: a.det(), _well_conditioned(2, 3, 3),
     double=False)
case("slogdet_logabsdet", "slogdet", lambda T, a: T.linalg.slogdet(a).logabsdet,
     _well_conditioned(3, 3), double=False)
case("slogdet_sign", "slogdet_sign", lambda T, a: T.linalg.slogdet(a)[0],
     _well_conditioned(2, 2), double=False)
case("linalg_solve", "solve_matrix", lambda T, a, b: T.linalg.solve(a, b),
     _well_conditioned(3, 3), n(3, 2), double=False)
case("linalg_solve", "solve_vector", lambda T, a, b: T.linalg.solve(a, b),
     _well_conditioned(3, 3), n(3), double=False)
case("linalg_solve", "solve_batched_broadcast", lambda T, a, b: T.linalg.solve(a, b),
     _well_conditioned(2, 2, 2), n(2, 1), double=False)
case("linalg_cross", "linalg_cross", lambda T, a, b: T.linalg.cross(a, b), n(2, 3), n(2, 3),
     double=False)
case("linalg_cross", "cross_dim0_broadcast", lambda T, a, b: T.cross(a, b, dim=0), n(3, 2),
     n(3, 1), double=False)
case("svd_s", "svdvals", lambda T, a: T.linalg.svdvals(a), n(3, 2), double=False)
case("svd_s", "svd_s", lambda T, a: T.linalg.svd(a, full_matrices=False).S, n(2, 3),
     double=False)
case("abs", "svd_u_sign_free", lambda T, a: T.linalg.svd(a, full_matrices=False).U.abs(),
     n(3, 2), double=False)
case("abs", "svd_vh_sign_free", lambda T, a: T.linalg.svd(a, full_matrices=False).Vh.abs(),
     n(2, 3), double=False)
case("mm", "torch_svd_product",
     lambda T, a: (lambda r: (r.U * r.S) @ r.V.mT)(T.svd(a)), n(3, 3), double=False)
case("svd_u", "svd_u", lambda T, a: T.linalg.svd(a, full_matrices=False).U, n(3, 2),
     double=False)
case("svd_vh", "svd_vh", lambda T, a: T.linalg.svd(a).Vh, n(2, 2), double=False)
case("sum_dim", "matrix_norm_nuc", lambda T, a: T.linalg.matrix_norm(a, "nuc"), n(3, 2),
     double=False)
case("amax", "norm_spectral", lambda T, a: T.linalg.norm(a, 2), n(2, 3), double=False)
case("norm", "linalg_norm", lambda T, a: T.linalg.norm(a), n(2, 3))
case("norm", "linalg_norm_dim", lambda T, a: T.linalg.norm(a, dim=1, keepdim=True), n(2, 3))
case("norm", "vector_norm_ord3", lambda T, a: T.linalg.vector_norm(a, 3, dim=(0, 1)), n(2, 3))
case("norm", "matrix_norm_fro", lambda T, a: T.linalg.matrix_norm(a), n(2, 2, 3))
case("amax", "matrix_norm_1", lambda T, a: T.linalg.matrix_norm(a, 1), n(3, 3))
case("amin", "matrix_norm_minus_inf", lambda T, a: T.linalg.norm(a, float("-inf")), n(3, 3))
case("mm", "matrix_power_3", lambda T, a: T.linalg.matrix_power(a, 3), n(2, 2))
case("mul", "matrix_power_minus_2", lambda T, a: T.linalg.matrix_power(a, -2) * 1,
     _well_conditioned(2, 2))
case("view", "multi_dot", lambda T, a, b, c: T.linalg.multi_dot([a, b, c]), n(2, 3), n(3, 3),
     n(3, 2))
case("view", "multi_dot_vector_ends", lambda T, a, b, c, d: T.linalg.multi_dot([a, b, c, d]),
     n(3), n(3, 4), n(4, 2), n(2))
case("sum_dim", "vecdot", lambda T, a, b: T.linalg.vecdot(a, b), n(2, 3), n(2, 3))
case("where", "logdet", lambda T, a: T.logdet(a), _well_conditioned(2, 2), double=False)

# ---------------------------------------------------------------- einsum, tensordot
case("view", "einsum_matmul", lambda T, a, b: T.einsum("ij,jk->ik", a, b), n(2, 3), n(3, 4))
case("view", "einsum_batched", lambda T, a, b: T.einsum("bij,bjk->bik", a, b), n(2, 2, 3),
     n(2, 3, 2))
case("view", "einsum_dot", lambda T, a, b: T.einsum("i,i->", a, b), n(3), n(3))
case("sum_dim", "einsum_trace", lambda T, a: T.einsum("ii", a), n(3, 3), double=False)
case("permute", "einsum_transpose", lambda T, a: T.einsum("ij->ji", a), n(2, 3))
case("sum_dim", "einsum_sum", lambda T, a: T.einsum("ij->", a), n(2, 3))
case("mul", "einsum_outer", lambda T, a, b: T.einsum("i,j->ij", a, b), n(3), n(2))
case("view", "einsum_implicit", lambda T, a, b: T.einsum("ij,jk", a, b), n(2, 3), n(3, 2))
case("view", "einsum_ellipsis", lambda T, a, b: T.einsum("...ij,...jk->...ik", a, b),
     n(2, 2, 3), n(3, 2))
case("view", "einsum_attention", lambda T, q, k: T.einsum("bhqd,bhkd->bhqk", q, k),
     n(1, 2, 3, 2), n(1, 2, 4, 2))
case("view", "einsum_three", lambda T, a, b, c: T.einsum("ij,jk,kl->il", a, b, c), n(2, 3),
     n(3, 2), n(2, 2))
case("view", "einsum_list", lambda T, a, b: T.einsum("ij,ij->i", [a, b]), n(2, 3), n(2, 3))
case("view", "tensordot", lambda T, a, b: T.tensordot(a, b, dims=1), n(2, 3), n(3, 4))
case("view", "tensordot_2", lambda T, a, b: T.tensordot(a, b), n(2, 3, 2), n(3, 2, 2))
case("view", "tensordot_lists", lambda T, a, b: T.tensordot(a, b, ([0], [1])), n(3, 2),
     n(2, 3))

# ---------------------------------------------------------------- order statistics
case("median", "median", lambda T, a: a.median(), n(2, 3))
case("median", "median_even", lambda T, a: T.median(a), n(4))
case("median_dim", "median_dim", lambda T, a: a.median(1).values, n(2, 5))
case("median_dim", "median_keepdim", lambda T, a: T.median(a, 0, keepdim=True)[0], n(4, 2))
case("nanmedian", "nanmedian", lambda T, a: a.nanmedian(), n(2, 3))
case("nanmedian_dim", "nanmedian_dim", lambda T, a: a.nanmedian(dim=0).values, n(3, 2))
case("kthvalue", "kthvalue", lambda T, a: a.kthvalue(2).values, n(2, 4))
case("kthvalue", "kthvalue_dim_keepdim", lambda T, a: T.kthvalue(a, 3, 0, True).values, n(3, 2))

# ---------------------------------------------------------------- attention
case("scaled_dot_product_attention", "sdpa",
     lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v), n(1, 2, 3, 4),
     n(1, 2, 5, 4), n(1, 2, 5, 4), double=False)
case("scaled_dot_product_attention", "sdpa_causal_scale",
     lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
     n(1, 2, 3, 2), n(1, 2, 3, 2), n(1, 2, 3, 2), double=False)
case("unsafe_view", "sdpa_value_size_differs",
     lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v), n(1, 2, 3, 4),
     n(1, 2, 5, 4), n(1, 2, 5, 2), double=False)
case("scaled_dot_product_attention", "sdpa_bool_mask",
     lambda T, q, k, v: F(T).scaled_dot_product_attention(
         q, k, v, attn_mask=T.tensor([[True, False, True], [True, True, False]])),
     n(2, 1, 2, 4), n(2, 1, 3, 4), n(2, 1, 3, 4), double=False)
case("scaled_dot_product_attention", "sdpa_float_mask",
     lambda T, q, k, v, m: F(T).scaled_dot_product_attention(q, k, v, attn_mask=m),
     n(1, 2, 2, 4), n(1, 2, 3, 4), n(1, 2, 3, 4), const(np.linspace(-1, 1, 6).reshape(2, 3)),
     double=False)
case("baddbmm", "baddbmm", lambda T, m, a, b: T.baddbmm(m, a, b), n(1, 2, 3), n(2, 2, 4),
     n(2, 4, 3))
case("baddbmm", "baddbmm_scaled", lambda T, m, a, b: T.baddbmm(m, a, b, beta=0.5, alpha=2.0),
     n(2, 2, 3), n(2, 2, 4), n(2, 4, 3))
case("unsafe_view", "sdpa_3d_math_path",
     lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v), n(2, 3, 4), n(2, 5, 4),
     n(2, 5, 2), double=False)
case("safe_softmax", "safe_softmax", lambda T, a: T._safe_softmax(a, -1), n(2, 3), double=False)


# ---------------------------------------------------------------- recurrent layers
def _lstm_layer(k, reverse=False):
    return lambda T, x, w1, w2, b1, b2, h, c: T.mkldnn_rnn_layer(
        x, w1, w2, b1, b2, h, c, reverse, [4, 2, 3], 2, 2, 1, True, False, False, True)[k]


_LSTM_ARGS = (n(4, 2, 3), n(8, 3), n(8, 2), n(8), n(8), n(2, 2), n(2, 2))
case("lstm_layer_output", "lstm_layer_output", _lstm_layer(0), *_LSTM_ARGS, double=False,
     float32=True)
case("lstm_layer_output", "lstm_layer_output_reverse", _lstm_layer(0, True), *_LSTM_ARGS,
     double=False, float32=True)
case("lstm_layer_h", "lstm_layer_h", _lstm_layer(1), *_LSTM_ARGS, double=False, float32=True)
case("lstm_layer_c", "lstm_layer_c", _lstm_layer(2, True), *_LSTM_ARGS, double=False,
     float32=True)

# ---------------------------------------------------------------- more elementary functions
case("log10", "log10", lambda T, a: T.log10(a), p(2, 3))
case("trunc", "trunc", lambda T, a: T.trunc(a), n(2, 2))
case("frac", "frac", lambda T, a: a.frac(), n(3))
case("asinh", "asinh", lambda T, a: T.asinh(a), n(3))
case("acosh", "acosh", lambda T, a: T.acosh(a + 1.5), p(3))
case("atanh", "atanh", lambda T, a: a.atanh(), u(3))
case("erfc", "erfc", lambda T, a: T.erfc(a), n(2, 2))
case("deg2rad", "deg2rad", lambda T, a: T.deg2rad(a), n(3))
case("rad2deg", "rad2deg", lambda T, a: a.rad2deg(), n(3))
case("atan2", "atan2", lambda T, a, b: T.atan2(a, b), n(2, 3), n(3))
case("atan2", "arctan2_method", lambda T, a, b: a.arctan2(b), n(3), p(3))
case("hypot", "hypot", lambda T, a, b: T.hypot(a, b), n(2, 3), n(2, 3))
case("logaddexp", "logaddexp", lambda T, a, b: T.logaddexp(a, b), n(3), n(2, 1))
case("xlogy", "xlogy", lambda T, a, b: T.xlogy(a, b), n(3), p(3))
case("permute", "movedim", lambda T, a: T.movedim(a, 0, -1), n(2, 3, 4))
case("permute", "moveaxis_lists", lambda T, a: a.moveaxis([0, 1], [2, 0]), n(2, 3, 4))
case("transpose", "swapaxes", lambda T, a: T.swapaxes(a, 0, 2), n(2, 3, 4))
case("addmm", "addmm", lambda T, b, x, y: T.addmm(b, x, y, beta=0.5, alpha=2.0), n(3), n(2, 4),
     n(4, 3))
case("addmm", "addmm_method", lambda T, b, x, y: b.addmm(x, y), n(2, 3), n(2, 4), n(4, 3))
case("expand", "meshgrid_ij", lambda T, a, b: T.meshgrid(a, b, indexing="ij")[1], n(2), n(3))
case("expand", "meshgrid_xy", lambda T, a, b: T.meshgrid(a, b, indexing="xy")[0], n(2), n(3))
case("expand", "broadcast_tensors", lambda T, a, b: T.broadcast_tensors(a, b)[0], n(3),
     n(2, 1))

# ---------------------------------------------------------------- picking and stacking
case("masked_select", "masked_select", lambda T, a: T.masked_select(a, a > 0), n(3, 4),
     double=False)
case("masked_select", "masked_select_broadcast",
     lambda T, a: a.masked_select(T.tensor([True, False, True])), n(2, 3), double=False)
case("take", "take", lambda T, a: T.take(a, T.tensor([[0, 5], [5, 2]])), n(2, 3),
     double=False)
case("nansum", "nansum", lambda T, a: T.nansum(a), n(2, 3), double=False)
case("nansum", "nansum_dim", lambda T, a: a.nansum(1, keepdim=True), n(2, 3), double=False)
case("div", "nanmean", lambda T, a: T.nanmean(a, 0), n(3, 2), double=False)
case("rot90", "rot90", lambda T, a: T.rot90(a), n(2, 3), double=False)
case("rot90", "rot90_k3_dims", lambda T, a: a.rot90(3, [1, 2]), n(2, 3, 2), double=False)
case("flip", "fliplr", lambda T, a: T.fliplr(a), n(2, 3))
case("cat", "hstack", lambda T, a, b: T.hstack([a, b]), n(2, 3), n(2, 1))
case("cat", "vstack_vectors", lambda T, a, b: T.vstack([a, b]), n(3), n(3))
case("cat", "dstack", lambda T, a, b: T.dstack([a, b]), n(3), n(3))
case("cat", "column_stack", lambda T, a, b: T.column_stack([a, b]), n(3), n(3, 2))
case("gather", "take_along_dim", lambda T, a: T.take_along_dim(a, T.tensor([[1], [0]]), 1),
     n(2, 3), double=False)
case("view", "repeat_interleave", lambda T, a: T.repeat_interleave(a, 2, dim=1), n(2, 3))
case("view", "repeat_interleave_flat", lambda T, a: a.repeat_interleave(3), n(2, 2))
case("unsqueeze", "atleast_3d", lambda T, a: T.atleast_3d(a), n(2, 3))
case("cummax", "cummax", lambda T, a: T.cummax(a, 1).values, n(2, 4), double=False)
case("cummin", "cummin", lambda T, a: a.cummin(0).values, n(4, 2), double=False)
case("dist", "dist", lambda T, a, b: T.dist(a, b), n(2, 3), n(3))
case("dist", "dist_p1", lambda T, a, b: a.dist(b, 1), n(3), n(3))
case("dist", "dist_p3", lambda T, a, b: T.dist(a, b, p=3), n(2, 2), n(2, 2))

# ---------------------------------------------------------------- exp2, index_add, pairs of results
case("exp2", "exp2", lambda T, a: T.exp2(a), n(2, 3))
case("exp2", "exp2_inplace", lambda T, a: (a * 1).exp2_(), n(4))
case("index_add", "index_add", lambda T, a, s: T.index_add(a, 0, T.tensor([2, 0]), s), n(3, 4),
     n(2, 4))
case("index_add", "index_add_alpha_repeated",
     lambda T, a, s: a.index_add(1, T.tensor([1, 1, 3]), s, alpha=-1.5), n(2, 4), n(2, 3))
case("index_add", "index_add_inplace",
     lambda T, a, s: (a * 1).index_add_(0, T.tensor([0]), s, alpha=2), n(2, 3), n(1, 3))
case("var_mean_var", "var_mean", lambda T, a: T.var_mean(a, 1)[0], n(3, 4))
case("var_mean_mean", "var_mean_mean", lambda T, a: T.var_mean(a, (0, 1), keepdim=True)[1],
     n(3, 4))
case("std_mean_std", "std_mean", lambda T, a: T.std_mean(a, correction=0)[0], n(3, 4))
case("std_mean_mean", "std_mean_mean", lambda T, a: T.std_mean(a, 0, False)[1], n(3, 4))
case("aminmax_min", "aminmax_min", lambda T, a: T.aminmax(a, dim=1).min, n(3, 4))
case("aminmax_max", "aminmax_max_keepdim", lambda T, a: a.aminmax(dim=0, keepdim=True).max,
     n(3, 4))
case("aminmax_max", "aminmax_max_ties", lambda T, a: T.aminmax(a.clamp(max=0.3))[1], n(3, 4),
     double=False)
case("slice", "tensor_split_sections", lambda T, a: T.tensor_split(a, 3, dim=1)[0], n(2, 7))
case("slice", "tensor_split_indices", lambda T, a: a.tensor_split([1, -1])[1], n(5, 2))
case("slice", "tensor_split_tensor", lambda T, a: T.tensor_split(a, T.tensor(2))[1], n(5))

# ---------------------------------------------------------------- distances
case("cdist", "cdist", lambda T, a, b: T.cdist(a, b), n(4, 3), n(5, 3), double=False)
case("cdist", "cdist_p1", lambda T, a, b: T.cdist(a, b, p=1), n(3, 2), n(2, 2), double=False)
case("cdist", "cdist_p3_batched", lambda T, a, b: T.cdist(a, b, p=3), n(2, 3, 2), n(1, 4, 2),
     double=False)
case("cdist", "cdist_p_half", lambda T, a, b: T.cdist(a, b, 0.5), n(3, 2), n(2, 2),
     double=False)
case("cdist", "cdist_inf", lambda T, a, b: T.cdist(a, b, float("inf")), n(3, 2), n(2, 2),
     double=False)
# (torch's cdist is a view of EuclideanDistBackward0's output, its _base)
case("euclidean_dist", "cdist_matmul", lambda T, a, b: T.cdist(a, b)._base, n(27, 3), n(4, 3),
     double=False)
case("view", "cdist_matmul_batched", lambda T, a, b: T.cdist(a, b), n(2, 26, 3), n(1, 3, 3),
     double=False)
case("euclidean_dist", "cdist_matmul_mode",
     lambda T, a, b: T.cdist(a, b, compute_mode="use_mm_for_euclid_dist")._base, n(3, 2),
     n(2, 2), double=False)
case("norm_dim", "pairwise_distance", lambda T, a, b: F(T).pairwise_distance(a, b), n(4, 3),
     n(4, 3))
case("norm_dim", "pairwise_distance_p1_keepdim",
     lambda T, a, b: F(T).pairwise_distance(a, b, 1, keepdim=True), n(4, 3), n(3))
case("norm_dim", "pairwise_distance_vectors",
     lambda T, a, b: F(T).pairwise_distance(a, b, p=3, eps=0.0), n(3), n(3))

# ---------------------------------------------------------------- upsampling
case("upsample_nearest2d", "interpolate_nearest_double",
     lambda T, a: F(T).interpolate(a, scale_factor=2), n(1, 2, 2, 3), double=False)
case("upsample_nearest2d", "interpolate_nearest_size",
     lambda T, a: F(T).interpolate(a, size=(5, 2)), n(2, 1, 3, 4), double=False)
case("upsample_nearest2d", "interpolate_nearest_scales",
     lambda T, a: T.nn.Upsample(scale_factor=(1.7, 0.6))(a), n(1, 2, 3, 5), double=False)
case("upsample_bilinear2d", "interpolate_bilinear",
     lambda T, a: F(T).interpolate(a, size=(5, 7), mode="bilinear"), n(1, 2, 3, 4),
     double=False)
case("upsample_bilinear2d", "interpolate_bilinear_align_corners",
     lambda T, a: F(T).interpolate(a, size=(4, 6), mode="bilinear", align_corners=True),
     n(2, 1, 3, 4), double=False)
case("upsample_bilinear2d", "interpolate_bilinear_scale",
     lambda T, a: T.nn.Upsample(scale_factor=1.5, mode="bilinear")(a), n(1, 1, 3, 4),
     double=False)
case("upsample_bilinear2d", "interpolate_bilinear_down_recomputed",
     lambda T, a: F(T).interpolate(a, scale_factor=0.6, mode="bilinear",
                                   recompute_scale_factor=True), n(1, 2, 5, 4), double=False)
