"""More elementary functions, as torch's derivatives.yaml differentiates them: ``log10``,
``trunc``, ``frac``, the inverse hyperbolic functions, ``erfc``, ``deg2rad`` and ``rad2deg``,
and the binary ``atan2``, ``hypot``, ``logaddexp`` and ``xlogy``."""

from __future__ import annotations

import math

import numpy as np

from gradviz.core.optable.table import row

_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _wide(f):
    """``f`` computed in float64 and rounded to the inputs' dtype (float32 results then round
    as torch's do, where NumPy's float32 loops can be an ulp off)."""
    def forward(*xs):
        dtype = np.result_type(*xs)
        return np.asarray(f(*(np.asarray(x, np.float64) for x in xs))).astype(dtype, copy=False)
    return forward


def _xlogy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x == 0, 0, x * np.log(y))
    return np.where(np.isnan(y), np.nan, out).astype(np.result_type(x, y), copy=False)


LOG10 = row("log10", "Log10Backward0", ("self",), _wide(np.log10),
            self=f"grad / (self * {math.log(10)!r})", readable={"self": "grad / (self ln 10)"})
TRUNC = row("trunc", "TruncBackward0", ("self",), np.trunc, self="zeros_like(grad)",
            readable={"self": "0 (piecewise constant)"})
FRAC = row("frac", "FracBackward0", ("self",), lambda x: x - np.trunc(x), self="grad")
ASINH = row("asinh", "AsinhBackward0", ("self",), _wide(np.arcsinh),
            self="grad / sqrt(self * self + 1)", readable={"self": "grad / sqrt(self² + 1)"})
ACOSH = row("acosh", "AcoshBackward0", ("self",), _wide(np.arccosh),
            self="grad / sqrt((self - 1) * (self + 1))",
            readable={"self": "grad / sqrt(self² - 1)"})
ATANH = row("atanh", "AtanhBackward0", ("self",), _wide(np.arctanh),
            self="grad / (1 - self * self)", readable={"self": "grad / (1 - self²)"})
ERFC = row("erfc", "ErfcBackward0", ("self",), _wide(_erfc),
           self="grad * exp(-self * self) * -1.1283791670955126",
           readable={"self": "-grad * 2 / sqrt(pi) * exp(-self²)"})
DEG2RAD = row("deg2rad", "Deg2RadBackward0", ("self",), np.deg2rad,
              self=f"grad * {math.pi / 180!r}", readable={"self": "grad * pi / 180"})
RAD2DEG = row("rad2deg", "Rad2DegBackward0", ("self",), np.rad2deg,
              self=f"grad * {180 / math.pi!r}", readable={"self": "grad * 180 / pi"})
ATAN2 = row("atan2", "Atan2Backward0", ("self", "other"), _wide(np.arctan2),
            self="grad * other / (self * self + other * other)",
            other="grad * -self / (self * self + other * other)",
            readable={"self": "grad * other / (self² + other²)",
                      "other": "-grad * self / (self² + other²)"})
HYPOT = row("hypot", "HypotBackward0", ("self", "other"), _wide(np.hypot),
            self="grad * self / result", other="grad * other / result")
LOGADDEXP = row("logaddexp", "LogaddexpBackward0", ("self", "other"), _wide(np.logaddexp),
                self="grad / (1 + exp(other - self))", other="grad / (1 + exp(self - other))",
                readable={"self": "grad * sigmoid(self - other)",
                          "other": "grad * sigmoid(other - self)"})
XLOGY = row("xlogy", "XlogyBackward0", ("self", "other"), _wide(_xlogy),
            self="where(self != 0, grad * log(other), zeros_like(grad))",
            other="grad * self / other",
            readable={"self": "grad * log(other) where self != 0", "other": "grad * self / other"})
