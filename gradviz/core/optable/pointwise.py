"""Element-wise ops: arithmetic with broadcasting (``//`` and ``%`` too), unary functions,
min/max/where/clamp; then the rest of the common math functions (log1p, tan, sinh, floor...)
and activations (leaky_relu, elu, silu, softplus, hardtanh)."""

from __future__ import annotations

import numpy as np

from gradviz.core.optable.table import mark_exact, row


def _integral_alpha(a, b, alpha):
    """torch refuses a float alpha when the result is integral (bools add on below)."""
    if type(alpha) is float and np.result_type(a, b).kind in "iu":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def _add(a, b, alpha):
    if alpha == 1:
        return np.add(a, b)
    _integral_alpha(a, b, alpha)
    if np.result_type(a, b) == np.bool_ and (type(alpha) is bool or alpha == int(alpha)):
        return np.logical_or(a, np.logical_and(b, bool(alpha)))  # torch: alpha as a bool too
    out = np.add(a, np.multiply(b, alpha))
    if out.dtype != np.bool_ and np.result_type(a, b) == np.bool_:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    return out


BOOL_SUB = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
BOOLS_SUB = ("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
             "`^` or `logical_xor()` operator instead.")


def _is_bool(x) -> bool:
    return type(x) is bool or np.asarray(x).dtype == np.bool_


def _sub(a, b, alpha):
    """``a - alpha * b``; torch refuses a bool on either side (a Python bool too)."""
    bool_a, bool_b = _is_bool(a), _is_bool(b)
    if bool_a or bool_b:
        raise RuntimeError(BOOLS_SUB if bool_a and bool_b else BOOL_SUB)
    if alpha == 1:
        return np.subtract(a, b)
    _integral_alpha(a, b, alpha)
    return np.subtract(a, np.multiply(b, alpha))


def _neg(x):
    if x.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return np.negative(x)


def _pow(x, exponent):
    if type(exponent) is bool and x.dtype == np.bool_:  # torch: a bool stays a bool
        return x.copy() if exponent else np.ones_like(x)
    try:
        return np.power(x, exponent)
    except ValueError as exc:  # NumPy: "Integers to negative integer powers are not allowed."
        raise RuntimeError(str(exc)) from None


def _pow_tensor(base, exponent):
    """``base ** exponent`` with a tensor on at least one side, as torch: bools on both sides
    fail, an integer to a negative integer power is 1, -1 (for bases 1 and -1) or 0."""
    b, e = np.asarray(base), np.asarray(exponent)
    if b.dtype == np.bool_ and e.dtype == np.bool_:
        raise NotImplementedError('"pow" not implemented for \'Bool\'')
    if e.dtype.kind in "iu" and b.dtype.kind in "biu" and np.any(e < 0):
        out = np.power(b, np.maximum(e, 0))
        odd = (e % 2) != 0
        negative = np.where(b == 1, 1, np.where(b == -1, np.where(odd, -1, 1), 0))
        return np.where(e < 0, negative, out).astype(out.dtype)
    return np.power(base, exponent)


def _rsub(a, other, alpha):
    if _is_bool(a) or _is_bool(other):
        raise RuntimeError(BOOLS_SUB if _is_bool(a) and _is_bool(other) else BOOL_SUB)
    return np.subtract(other, a) if alpha == 1 else np.subtract(other, np.multiply(a, alpha))


def _rsub_tensor(a, other, alpha):
    return _sub(other, a, alpha)


def _integer_division(a, b, out, kernel):
    """torch's errors where NumPy would return a value: bools, and integers divided by 0."""
    if np.asarray(a).dtype == np.bool_ and np.asarray(b).dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    if out.dtype.kind in "iu" and np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


def _floor_divide(a, b):
    out = np.floor_divide(a, b)
    if out.dtype.kind not in "fc":
        _integer_division(a, b, out, "div_floor_cpu")
    return out


def _remainder(a, b):
    """Python's ``%`` as torch computes it: fmod, then moved into ``b``'s sign."""
    mod = np.fmod(a, b)
    if mod.dtype.kind not in "fc":
        _integer_division(a, b, mod, "remainder_cpu")
    return np.where((mod != 0) & ((np.asarray(b) < 0) != (mod < 0)), mod + b, mod)


def _sigmoid(x):
    """``1 / (1 + exp(-x))`` as torch computes it, in the input's precision: a float32
    sigmoid takes a correctly rounded float32 ``exp`` (so ``16.0313`` gives torch's
    0.99999988, not 0.99999994), then adds and divides in float32."""
    with np.errstate(over="ignore"):
        if x.dtype == np.float16:  # torch computes half in float, rounded last
            return _sigmoid(x.astype(np.float32)).astype(np.float16)
        if x.dtype == np.float32:
            e = np.exp(-x.astype(np.float64)).astype(np.float32)
        elif x.dtype.kind == "f":
            e = np.exp(-x)
        else:  # ints and bools: to float (fix_dtype gives the default dtype)
            e = np.exp(-x.astype(np.float64))
        one = np.ones((), e.dtype)
        return one / (one + e)


def _reciprocal(x):
    return np.reciprocal(x) if x.dtype.kind == "f" else np.divide(1.0, x)  # not 1 // x


def _relu(x):
    if x.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def _abs(x):
    if x.dtype == np.bool_:
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    return np.abs(x)


def _clamp(x, lo, hi):
    out = x
    if lo is not None:
        out = np.maximum(out, lo)
    if hi is not None:
        out = np.minimum(out, hi)
    return out if out is not x else x.copy()


# ---------------------------------------------------------------- binary arithmetic
ADD = row("add", "AddBackward0", ("self", "other"), _add, attrs=("alpha",),
          self="grad", other="grad if alpha == 1 else scale(grad, alpha)",
          readable={"other": "alpha * grad"})
SUB = row("sub", "SubBackward0", ("self", "other"), _sub, attrs=("alpha",),
          self="grad", other="-grad if alpha == 1 else scale(-grad, alpha)",
          readable={"other": "-alpha * grad"})
RSUB = row("rsub", "RsubBackward1", ("self",), _rsub, attrs=("other", "alpha"),
           self="-grad if alpha == 1 else scale(-grad, alpha)",
           readable={"self": "-alpha * grad"})
RSUB_TENSOR = row("rsub_tensor", "RsubBackward0", ("self", "other"), _rsub_tensor,
                  attrs=("alpha",), self="-grad if alpha == 1 else scale(-grad, alpha)",
                  other="grad", readable={"self": "-alpha * grad"})
MUL = row("mul", "MulBackward0", ("self", "other"), np.multiply,
          self="grad * other", other="grad * self")
DIV = row("div", "DivBackward0", ("self", "other"), np.true_divide,
          self="grad / other", other="-grad * ((self / other) / other)")
def _div_mode(a, b, rounding_mode):
    """torch.div with a rounding_mode: true division, or rounded to 'trunc' or 'floor' (an
    integer division stays integral)."""
    if rounding_mode is None:
        return np.true_divide(a, b)
    out = np.true_divide(a, b)
    kinds = np.result_type(a, b).kind
    if kinds in "biu":
        if np.asarray(a).dtype == np.bool_ and np.asarray(b).dtype == np.bool_:
            raise NotImplementedError(f'"div_{rounding_mode}_cpu" not implemented for \'Bool\'')
        if np.any(np.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        whole = np.floor_divide(a, b)
        if rounding_mode == "trunc":
            whole = np.where((whole < 0) & (whole * b != a), whole + 1, whole)
        return whole
    return np.floor(out) if rounding_mode == "floor" else np.trunc(out)


DIV_MODE = row("div_mode", "DivBackward2", ("self", "other"), _div_mode,
               attrs=("rounding_mode",),
               self="grad / other if rounding_mode is None else zeros_like(grad)",
               other=("-grad * ((self / other) / other) if rounding_mode is None "
                      "else zeros_like(grad)"),
               readable={"self": "grad / other (0 when rounded)",
                         "other": "-grad * self / other² (0 when rounded)"})
POW = row("pow", "PowBackward0", ("self",), _pow, attrs=("exponent",),
          self="pow_backward(grad, self, exponent)",
          readable={"self": "grad * exponent * self ** (exponent - 1)"})
POW_TENSOR = row("pow_tensor", "PowBackward1", ("self", "exponent"), _pow_tensor,
                 self="pow_backward(grad, self, exponent)",
                 exponent="pow_backward_exponent(grad, self, exponent, result)",
                 readable={
                     "self": "grad * exponent * self ** (exponent - 1)",
                     "exponent": "grad * result * log(self)",
                 })
RPOW = row("rpow", "PowBackward2", ("exponent",), lambda e, s: _pow_tensor(s, e), attrs=("self",),
           exponent="rpow_backward(grad, self, exponent, result)",
           readable={"exponent": "grad * result * log(self)"})
# torch records floor_divide (and a number % a tensor) as a NotImplemented node linking only
# the inputs that require grad; backward through it fails
FLOOR_DIVIDE = row("floor_divide", "NotImplemented", ("self", "other"), _floor_divide,
                   self="not_implemented('floor_divide')",
                   other="not_implemented('floor_divide')")
FLOOR_DIVIDE_INPLACE = row("floor_divide_", "NotImplemented", ("self", "other"), _floor_divide,
                           self="not_implemented('floor_divide_')",
                           other="not_implemented('floor_divide_')")
REMAINDER = row("remainder", "RemainderBackward0", ("self",), _remainder, attrs=("other",),
                self="grad")
REMAINDER_TENSOR = row("remainder_tensor", "RemainderBackward1", ("self", "other"), _remainder,
                       self="grad", other="-grad * floor_divide(self, other)")
RREMAINDER = row("rremainder", "NotImplemented", ("self", "other"), _remainder,
                 self="not_implemented('remainder')", other="not_implemented('remainder')")
MAXIMUM = row("maximum", "MaximumBackward0", ("self", "other"), np.maximum,
              self="minmax_backward(grad, self, other, 'max')",
              other="minmax_backward(grad, other, self, 'max')",
              readable={
                  "self": "grad where self > other (half on ties)",
                  "other": "grad where other > self (half on ties)",
              })
MINIMUM = row("minimum", "MinimumBackward0", ("self", "other"), np.minimum,
              self="minmax_backward(grad, self, other, 'min')",
              other="minmax_backward(grad, other, self, 'min')",
              readable={
                  "self": "grad where self < other (half on ties)",
                  "other": "grad where other < self (half on ties)",
              })
WHERE = row("where", "WhereBackward0", ("self", "other"),  # the condition has no edge
            lambda a, b, condition: np.where(condition, a, b), attrs=("condition",),
            self="where(condition, grad, zeros_like(grad))",
            other="where(condition, zeros_like(grad), grad)")



def _masked_fill(x, mask, value):
    shape = np.broadcast_shapes(x.shape, mask.shape)
    out = np.array(np.broadcast_to(x, shape))
    out[np.broadcast_to(mask, shape)] = value  # cast to x's dtype, as torch's
    return out


MASKED_FILL = row("masked_fill", "MaskedFillBackward0", ("self",), _masked_fill,
                  attrs=("mask", "value"), self="masked_fill_grad(grad, mask)",
                  readable={"self": "grad, 0 where mask"})
MASKED_FILL_TENSOR = row("masked_fill_tensor", "MaskedFillBackward1", ("self", "value"),
                         lambda x, value, mask: _masked_fill(x, mask, value), attrs=("mask",),
                         self="masked_fill_grad(grad, mask)", value="masked_sum(grad, mask)",
                         readable={"self": "grad, 0 where mask", "value": "sum of grad where mask"})

# ---------------------------------------------------------------- unary
NEG = row("neg", "NegBackward0", ("self",), _neg, self="-grad")
RECIPROCAL = row("reciprocal", "ReciprocalBackward0", ("self",), _reciprocal,
                 self="-grad * (result * result)")
EXP = row("exp", "ExpBackward0", ("self",), np.exp, self="grad * result")
LOG = row("log", "LogBackward0", ("self",), np.log, self="grad / self")
SQRT = row("sqrt", "SqrtBackward0", ("self",), np.sqrt, self="grad / scale(result, 2)",
           readable={"self": "grad / (2 * result)"})
ABS = row("abs", "AbsBackward0", ("self",), _abs, self="grad * sgn(self)",
          readable={"self": "grad * sign(self)"})
SIN = row("sin", "SinBackward0", ("self",), np.sin, self="grad * cos(self)")
COS = row("cos", "CosBackward0", ("self",), np.cos, self="grad * -sin(self)")
TANH = row("tanh", "TanhBackward0", ("self",), np.tanh, self="tanh_backward(grad, result)",
           readable={"self": "grad * (1 - result²)"})
SIGMOID = row("sigmoid", "SigmoidBackward0", ("self",), _sigmoid,
              self="sigmoid_backward(grad, result)",
              readable={"self": "grad * result * (1 - result)"})
RELU = row("relu", "ReluBackward0", ("self",), _relu, self="threshold_backward(grad, result, 0)",
           readable={"self": "grad * (result > 0)"})
CLAMP = row("clamp", "ClampBackward1", ("self",), _clamp, attrs=("min", "max"),
            self="clamp_backward(grad, self, min, max)",
            readable={"self": "grad where min <= self <= max, else 0"})
CLAMP_TENSOR = row("clamp_tensor", "ClampBackward0", ("self", "min", "max"), _clamp,
                   self="clamp_backward(grad, self, min, max)",
                   min="clamp_bound_backward(grad, self, min, max, 'min')",
                   max="clamp_bound_backward(grad, self, max, min, 'max')")

mark_exact(NEG, RECIPROCAL, EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, RELU)


# ---------------------------------------------------------------- more math and activations
def _leaky_relu(x, slope):
    return np.where(x > 0, x, x * slope).astype(x.dtype, copy=False)


def _elu(x, alpha, scale, input_scale):
    """torch's elu kernel (selu and celu are elu with a scale and an input scale)."""
    negative = alpha * scale * np.expm1(np.minimum(x, 0) * input_scale)
    return np.where(x > 0, x * scale, negative).astype(x.dtype, copy=False)


def _silu(x):
    return x / (1 + np.exp(-x))


def _softplus(x, beta, threshold):
    bx = x * beta
    soft = np.log1p(np.exp(np.minimum(bx, threshold))) / beta
    return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)


LOG1P = row("log1p", "Log1PBackward0", ("self",), np.log1p, self="grad / shift(self, 1)",
            readable={"self": "grad / (self + 1)"})
EXPM1 = row("expm1", "Expm1Backward0", ("self",), np.expm1, self="grad * shift(result, 1)",
            readable={"self": "grad * (result + 1)"})
RSQRT = row("rsqrt", "RsqrtBackward0", ("self",), lambda x: 1 / np.sqrt(x),
            self="-0.5 * grad * result ** 3")
TAN = row("tan", "TanBackward0", ("self",), np.tan, self="grad * (1 + result ** 2)")
SINH = row("sinh", "SinhBackward0", ("self",), np.sinh, self="grad * cosh(self)")
COSH = row("cosh", "CoshBackward0", ("self",), np.cosh, self="grad * sinh(self)")
ATAN = row("atan", "AtanBackward0", ("self",), np.arctan, self="grad / (self * self + 1)")
ASIN = row("asin", "AsinBackward0", ("self",), np.arcsin,
           self="grad / sqrt(-self * self + 1)", readable={"self": "grad / sqrt(1 - self²)"})
ACOS = row("acos", "AcosBackward0", ("self",), np.arccos,
           self="-grad / sqrt(-self * self + 1)", readable={"self": "-grad / sqrt(1 - self²)"})
def _rounding(ufunc, name):
    """floor/ceil/round as torch runs them: integers unchanged, bools refused."""
    def forward(x):
        if x.dtype == np.bool_:
            raise NotImplementedError(f'"{name}_vml_cpu" not implemented for \'Bool\'')
        return x.copy() if x.dtype.kind in "iu" else ufunc(x)

    return forward


FLOOR = row("floor", "FloorBackward0", ("self",), _rounding(np.floor, "floor"),
            self="zeros_like(grad)")
CEIL = row("ceil", "CeilBackward0", ("self",), _rounding(np.ceil, "ceil"),
           self="zeros_like(grad)")
ROUND = row("round", "RoundBackward0", ("self",), _rounding(np.round, "round"),
            self="zeros_like(grad)")


_SCALAR = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
           "bool": "Bool"}


def _round_decimals(x, decimals):
    """``round(decimals=d)`` as torch's kernel: ``x * 10**d`` (or ``x / 10**-d``) rounded
    half to even and scaled back, in the tensor's dtype; floats only."""
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"round_cpu" not implemented for \'{_SCALAR[x.dtype.name]}\'')
    if decimals < 0:
        scale = x.dtype.type(10.0 ** -decimals)
        return np.round(x / scale) * scale
    scale = x.dtype.type(10.0 ** decimals)
    return np.round(x * scale) / scale


ROUND_DECIMALS = row("round_decimals", "RoundBackward1", ("self",), _round_decimals,
                     attrs=("decimals",), self="zeros_like(grad)")

LEAKY_RELU = row("leaky_relu", "LeakyReluBackward0", ("self",), _leaky_relu,
                 attrs=("negative_slope",),
                 self="leaky_relu_backward(grad, self, negative_slope)",
                 readable={"self": "grad where self > 0, else grad * negative_slope"})
ELU = row("elu", "EluBackward0", ("self",), _elu, attrs=("alpha", "scale", "input_scale"),
          self="elu_backward(grad, self, alpha, scale, input_scale, False)",
          readable={"self": "grad where self > 0, else grad * alpha * exp(self)"})
# in place, from the result (as torch's leaky_relu_ and elu_ save the result, not self)
LEAKY_RELU_ = row("leaky_relu_", "LeakyReluBackward1", ("self",), _leaky_relu,
                  attrs=("negative_slope",),
                  self="leaky_relu_backward(grad, result, negative_slope)",
                  readable={"self": "grad where result > 0, else grad * negative_slope"})
ELU_ = row("elu_", "EluBackward1", ("self",), _elu, attrs=("alpha", "scale", "input_scale"),
           self="elu_backward(grad, result, alpha, scale, input_scale, True)",
           readable={"self": "grad where result > 0, else grad * (result + alpha)"})
SILU = row("silu", "SiluBackward0", ("self",), _silu,
           self="silu_backward(grad, self)",
           readable={"self": "grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))"})
SOFTPLUS = row("softplus", "SoftplusBackward0", ("self",), _softplus,
               attrs=("beta", "threshold"),
               self="softplus_backward(grad, self, beta, threshold)",
               readable={"self": "grad * sigmoid(beta * self) (grad past the threshold)"})
HARDTANH = row("hardtanh", "HardtanhBackward0", ("self",),
               lambda x, lo, hi: np.clip(x, lo, hi).astype(x.dtype, copy=False),
               attrs=("min_val", "max_val"),
               self="hardtanh_backward(grad, self, min_val, max_val)",
               readable={"self": "grad where min_val < self < max_val, else 0"})

mark_exact(LOG1P, EXPM1, RSQRT, TAN, SINH, COSH, ATAN, ASIN, ACOS)
