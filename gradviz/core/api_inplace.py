"""torch's top-level in-place functions: ``torch.sin_(x)`` is ``x.sin_()`` (the same
for ``abs_``, ``exp_``, ``relu_``, ``zero_``... wherever the Tensor method exists),
re-exported by ``gradviz``.

    >>> x = torch.tensor([0.0, 1.0])
    >>> torch.exp_(x) is x, x
    (True, tensor([1.0000, 2.7183]))
"""

from __future__ import annotations

from gradviz.core.tensors.tensor import Tensor

_TORCH_NAMES = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_",
    "arctan_", "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_",
    "clamp_max_", "clamp_min_", "clip_", "cos_", "cosh_", "deg2rad_", "detach_", "erf_",
    "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "log10_", "log1p_",
    "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_",
    "relu_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_",
    "tan_", "tanh_", "trunc_", "xlogy_", "zero_")


def _function(name):
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``torch.{name}(input, ...)``: ``input.{name}(...)``."
    return function


__all__ = [name for name in _TORCH_NAMES if hasattr(Tensor, name)]
globals().update({name: _function(name) for name in __all__})
