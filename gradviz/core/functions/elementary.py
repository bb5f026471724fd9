"""More elementary functions: ``log10``, ``trunc`` (``fix``), ``frac``, ``asinh``, ``acosh``,
``atanh`` (and their ``arc`` names), ``erfc``, ``deg2rad``, ``rad2deg``, ``atan2``
(``arctan2``), ``hypot``, ``logaddexp``, ``xlogy``; integers are computed as floats, as torch.

    >>> torch.atan2(torch.tensor([1.0, -1.0]), torch.tensor([1.0, 1.0]))
    tensor([ 0.7854, -0.7854])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.record import apply_unary
from gradviz.core.functions.pointwise import _binary_promoted
from gradviz.core.optable import elementary as E
from gradviz.core.tensors.checks import tensor_arg
from gradviz.core.tensors.factories import get_default_dtype
from gradviz.core.tensors.tensor import Tensor

__all__ = ["acosh", "arccosh", "arcsinh", "arctan2", "arctanh", "asinh", "atan2", "atanh",
           "deg2rad", "erfc", "fix", "frac", "hypot", "log10", "logaddexp", "rad2deg", "trunc",
           "xlogy"]


def _as_float(t):
    return t if t._data.dtype.kind == "f" else t.to(get_default_dtype())


def _unary(op, name, keep_integers=False):
    def f(input):
        tensor_arg(input, name)
        if not keep_integers:
            input = _as_float(input)
        return apply_unary(op, input)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Element-wise ``{name}``; grad_fn ``{op.grad_fn}``."
    return f


def _binary(op, name):
    def f(input, other):
        a = _as_float(input) if isinstance(input, Tensor) else float(input)
        b = _as_float(other) if isinstance(other, Tensor) else float(other)
        if not isinstance(a, Tensor):
            a = Tensor._make(np.asarray(a, b._data.dtype))
        return _binary_promoted(op, a, b)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Element-wise ``{name}(input, other)``; grad_fn ``{op.grad_fn}``."
    return f


log10 = _unary(E.LOG10, "log10")
trunc = fix = _unary(E.TRUNC, "trunc", keep_integers=True)
frac = _unary(E.FRAC, "frac", keep_integers=True)
asinh = arcsinh = _unary(E.ASINH, "asinh")
acosh = arccosh = _unary(E.ACOSH, "acosh")
atanh = arctanh = _unary(E.ATANH, "atanh")
erfc = _unary(E.ERFC, "erfc")
deg2rad = _unary(E.DEG2RAD, "deg2rad")
rad2deg = _unary(E.RAD2DEG, "rad2deg")
atan2 = arctan2 = _binary(E.ATAN2, "atan2")
hypot = _binary(E.HYPOT, "hypot")
logaddexp = _binary(E.LOGADDEXP, "logaddexp")
xlogy = _binary(E.XLOGY, "xlogy")
