"""Tensor's methods, bound last: operators and math (``math``), in-place ops (``inplace``),
dtype conversions (``conversions``) and the autograd attributes (``autograd``)."""
