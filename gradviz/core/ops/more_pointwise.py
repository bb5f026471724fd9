"""More element-wise ops: the rest of the common math functions and activations, with
torch's formulas (``derivatives.yaml``) and grad_fn names."""

from __future__ import annotations

import numpy as np

from gradviz.core.ops.table import mark_exact, row


def _leaky_relu(x, slope):
    return np.where(x > 0, x, x * slope).astype(x.dtype, copy=False)


def _elu(x, alpha):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


def _silu(x):
    return x / (1 + np.exp(-x))


def _softplus(x, beta, threshold):
    bx = x * beta
    soft = np.log1p(np.exp(np.minimum(bx, threshold))) / beta
    return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)


LOG1P = row("log1p", "Log1PBackward0", ("self",), np.log1p, self="grad / (self + 1)")
EXPM1 = row("expm1", "Expm1Backward0", ("self",), np.expm1, self="grad * (result + 1)")
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

LEAKY_RELU = row("leaky_relu", "LeakyReluBackward0", ("self",), _leaky_relu,
                 attrs=("negative_slope",),
                 self="where(self > 0, grad, grad * negative_slope)",
                 readable={"self": "grad where self > 0, else grad * negative_slope"})
ELU = row("elu", "EluBackward0", ("self",), _elu, attrs=("alpha",),
          self="where(self > 0, grad, grad * alpha * exp(self))",
          readable={"self": "grad where self > 0, else grad * alpha * exp(self)"})
# in place, from the result (as torch's leaky_relu_ and elu_ save the result, not self)
LEAKY_RELU_ = row("leaky_relu_", "LeakyReluBackward1", ("self",), _leaky_relu,
                  attrs=("negative_slope",),
                  self="where(result > 0, grad, grad * negative_slope)",
                  readable={"self": "grad where result > 0, else grad * negative_slope"})
ELU_ = row("elu_", "EluBackward1", ("self",), _elu, attrs=("alpha",),
           self="where(result > 0, grad, grad * (result + alpha))",
           readable={"self": "grad where result > 0, else grad * (result + alpha)"})
SILU = row("silu", "SiluBackward0", ("self",), _silu,
           self="grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))")
SOFTPLUS = row("softplus", "SoftplusBackward0", ("self",), _softplus,
               attrs=("beta", "threshold"),
               self="where(self * beta > threshold, grad, grad * sigmoid(self * beta))",
               readable={"self": "grad * sigmoid(beta * self) (grad past the threshold)"})
HARDTANH = row("hardtanh", "HardtanhBackward0", ("self",),
               lambda x, lo, hi: np.clip(x, lo, hi).astype(x.dtype, copy=False),
               attrs=("min_val", "max_val"),
               self="where((self > min_val) & (self < max_val), grad, zeros_like(grad))",
               readable={"self": "grad where min_val < self < max_val, else 0"})

mark_exact(LOG1P, EXPM1, RSQRT, TAN, SINH, COSH, ATAN, ASIN, ACOS)
