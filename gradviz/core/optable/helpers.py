"""The names a backward formula may use besides ``grad``, ``result`` and the inputs, on
NumPy arrays: a plain backward (the neural-net ones are in ``nn_helpers``, torch's
derivative ops in ``derivatives``). With ``create_graph=True`` the formulas are compiled
against ``tensor_formulas`` instead, the same names on Tensors (a test checks both offer
the same names).
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.formulas import sum_to  # (broadcasting is undone in autograd)

__all__ = ["sgn_backward", "shift", "sub_scalar", "rpow_backward", "sum_to", "clamp_backward",
           "clamp_bound_backward", "cos", "div_scalar",
           "evenly_distribute",
           "exp", "expand", "floor_divide", "index_backward", "log", "mT",
           "minmax_backward", "mm_mat1_backward", "mm_mat2_backward", "narrow",
           "norm_backward", "not_implemented", "outer", "permute_back",
           "pow_backward_exponent", "reshape", "scale", "select", "setitem_self_grad",
           "sigmoid", "sin", "sqrt", "squeeze", "std_backward", "sum_backward", "t",
           "transpose", "unsqueeze_to", "value_selecting", "var_backward", "where",
           "zeros_like"]


def scale(x, number):
    """``x * number`` with a Python number, as torch's formulas scale (MulBackward1)."""
    return x * number


def sgn_backward(self, grad, result):
    """torch's sgn_backward for real tensors: zeros (it saves self and result, so a second
    backward through sgn fails as torch's does)."""
    return zeros_like(grad)


def shift(x, number):
    """``x + number`` with a Python number, as torch's formulas add one (AddBackward1)."""
    return x + number


def sub_scalar(x, number):
    """``x - number`` with a Python number, as torch's formulas subtract one (SubBackward1)."""
    return x - number


def div_scalar(x, number):
    """``x / number`` with a Python number, as torch's formulas divide (DivBackward1)."""
    return x / number


# ---------------------------------------------------------------- pointwise
def exp(x):
    return np.exp(x)


def log(x):
    return np.log(x)


def sqrt(x):
    return np.sqrt(x)


def sin(x):
    return np.sin(x)


def cos(x):
    return np.cos(x)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sign(x):
    """Not differentiable: a constant mask in both modes."""
    return _const(np.sign(_raw(x)), x)


def floor_divide(a, b):
    """``a // b`` (torch's ``div(rounding_mode="floor")``): a constant in both modes, as its
    derivative is zero."""
    return _const(np.floor_divide(_raw(a), _raw(b)), a)


def not_implemented(op):
    """The formula of torch's ``NotImplemented`` grad_fn: backward through it fails."""
    raise RuntimeError(f"derivative for aten::{op} is not implemented")


def _raw(x):
    return np.asarray(x)


def _const(array, like):
    """A value that carries no gradient, as an array or a Tensor like ``like``."""
    return np.asarray(array, dtype=like.dtype) if isinstance(like, np.ndarray) else array


def mask(condition, like):
    """A 0/1 mask (no gradient) in ``like``'s dtype."""
    return _const(np.asarray(_raw(condition), dtype=_raw(like).dtype), like)


def where(condition, a, b):
    return np.where(condition, a, b)


def zeros_like(x):
    return _const(np.zeros_like(_raw(x)), x)


# ---------------------------------------------------------------- shapes
def expand(g, shape):
    out = np.empty(shape, dtype=g.dtype)  # a writable array, cheaper than broadcast_to
    out[...] = g
    return out


def reshape(g, shape):
    return g.reshape(tuple(shape))


def unsqueeze_to(g, sizes, dims=None):
    """Put back the size-1 dims a squeeze removed (all of them, or those of ``dims``): one
    UnsqueezeBackward0 each on Tensors, as torch's unsqueeze_to."""
    return g.reshape(tuple(sizes))


def _dims(dim, ndim):
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, tuple | list) else (dim,)
    return tuple(sorted(d % ndim if ndim else 0 for d in dims))


def unsqueeze_dims(g, dims, ndim):
    """Put back the reduced dims (sorted) so that ``g`` broadcasts against the input (one
    UnsqueezeBackward0 per dim on Tensors, as torch's unsqueeze_multiple)."""
    shape = list(g.shape)
    for d in dims:
        shape.insert(d, 1)
    return g.reshape(tuple(shape))


def sum_backward(grad, sizes, dim, keepdim):
    if not keepdim and dim is not None:
        grad = unsqueeze_dims(grad, _dims(dim, len(sizes)), len(sizes))
    elif not keepdim and grad.ndim:
        grad = grad.reshape((1,) * len(sizes))  # (a 0-dim grad expands as it is)
    return expand(grad, sizes)


def permute_back(grad, dims):
    inverse = tuple(int(i) for i in np.argsort(dims))
    return np.transpose(grad, inverse)


def transpose(grad, dim0, dim1):
    return np.swapaxes(grad, dim0, dim1) if grad.ndim else grad[...]  # 0-d: itself, as torch


def t(grad):
    return grad.T


def mT(x):  # noqa: N802 - torch's name
    return x.mT


def mm_mat1_backward(grad, mat2, mat1):
    """grad @ mat2^T, laid out like ``mat1`` (so a transposed weight gets a contiguous grad)."""
    flags = mat1.flags
    if flags.f_contiguous and not flags.c_contiguous and mat1.ndim == 2:
        return (mat2 @ grad.T).T
    return grad @ mat2.T


def mm_mat2_backward(grad, mat1, mat2):
    """mat1^T @ grad, laid out like ``mat2`` (torch's mm_mat2_backward)."""
    flags = mat2.flags
    if flags.f_contiguous and not flags.c_contiguous and mat2.ndim == 2:
        return (grad.T @ mat1).T
    return mat1.T @ grad


def _column_major(a) -> bool:
    """torch's test in mm's derivatives: strides (1, rows), in elements."""
    return a.ndim == 2 and a.strides == (a.itemsize, a.itemsize * a.shape[0])


def outer(a, b):
    return np.multiply.outer(a, b)


def unsqueeze(g, dim):
    return np.expand_dims(g, dim)


def squeeze(g, dim):
    return np.squeeze(g, dim)


def scatter_into(grad, sizes, index):
    """Zeros of ``sizes`` with ``grad`` written at ``index`` (select/slice backward)."""
    out = np.zeros(sizes, dtype=grad.dtype)
    out[index] = grad
    return out


def index_backward(grad, sizes, indices):
    """Zeros of ``sizes`` with ``grad`` added at ``indices`` (repeats accumulate)."""
    out = np.zeros(sizes, dtype=grad.dtype)
    np.add.at(out, indices, grad)
    return out


def narrow(grad, dim, start, length):
    index = (slice(None),) * (dim % grad.ndim) + (slice(start, start + length),)
    return grad[index]


def select(grad, dim, i):
    index = (slice(None),) * (dim % grad.ndim) + (i,)
    return grad[index]


def setitem_self_grad(grad, index):
    """Gradient of ``self`` through ``self[index] = value``: zero where overwritten."""
    keep = np.ones(grad.shape, dtype=bool)
    keep[index] = False
    return grad * mask(keep, grad)


# ---------------------------------------------------------------- reductions
def _zero_outside(out, keep):
    """``out`` with exact zeros where ``keep`` is False, as torch's where/scatter give them:
    a mask's product leaves nan there when the gradient is nan or infinite (arrays only)."""
    if type(out) is np.ndarray and not np.isfinite(out).all():
        out = np.where(keep, out, np.zeros((), out.dtype))
    return out


def evenly_distribute(grad, self, result):
    """max()/min() over all elements: ties share the gradient equally."""
    hits = _raw(self) == _raw(result)
    m = mask(hits, self)
    return _zero_outside(m * (grad / float(hits.sum())), hits)


def value_selecting(grad, dim, indices, sizes, keepdim):
    """max(dim)/min(dim): the gradient goes to the selected index."""
    if not sizes:  # a 0-d input: its one element was selected
        return grad
    if not keepdim:
        grad = unsqueeze(grad, dim)
        indices = np.expand_dims(indices, dim)
    onehot = np.zeros(sizes, dtype=bool)
    np.put_along_axis(onehot, indices, True, axis=dim)
    return _zero_outside(mask(onehot, grad) * expand(grad, sizes), onehot)


def var_backward(grad, self, dim, correction, keepdim):
    sizes = self.shape
    dims = _dims(dim, len(sizes))
    n = int(np.prod([sizes[d] for d in dims])) if sizes else 1
    if not keepdim and dim is not None:
        grad = unsqueeze_dims(grad, dims, len(sizes))
    if (dim is None or not sizes) and n - correction <= 0:  # torch: no dof, a constant factor
        mean = self.mean() if self.size else 0  # (an empty mean would warn)
        return grad * np.where(self == mean, np.nan, np.inf).astype(self.dtype)
    with np.errstate(divide="ignore"):  # torch: 2 / (n - correction), not clamped at 0
        factor = float(np.divide(2.0, float(n - correction)))
    return factor * grad * (self - np.mean(self, axis=dims, keepdims=True))


def std_backward(grad, self, result, dim, correction, keepdim):
    """var's gradient through sqrt; 0 where the std is 0 (torch masks it)."""
    zero = _raw(result) == 0
    safe = where(zero, zeros_like(result) + 1, result)
    grad_var = mask(~zero, result) * (grad / (2 * safe))
    return var_backward(grad_var, self, dim, correction, keepdim)


def norm_backward(grad, self, result, ord, dim, keepdim):
    """torch's norm_backward for every order ``ord``; order 0 has no gradient (None)."""
    if ord == 0:
        return None
    dims = _dims(dim, self.ndim)
    if not keepdim and dim is not None:
        grad = unsqueeze_dims(grad, dims, self.ndim)
        result = unsqueeze_dims(result, dims, self.ndim)
    if ord == 1:
        return grad * sign(self)
    if ord == 2:
        safe = where(_raw(result) == 0, zeros_like(result) + 1, result)
        scale = mask(_raw(result) != 0, result) * (grad / safe)
        return self * scale
    if ord in (np.inf, -np.inf):  # max / min of |self|: ties (and nans) share the gradient
        size = np.abs(_raw(self))
        hits = (size == _raw(result)) | np.isnan(size)
        count = _const(np.sum(hits, axis=dims, keepdims=True), result)
        return sign(self) * (grad / count) * mask(hits, self)
    zero = _raw(self) == 0
    size = where(zero, zeros_like(self) + 1, abs(self))  # |self|, 1 where self is 0
    if ord < 1:
        return sign(self) * size ** (ord - 1) * grad * result ** (1 - ord)
    safe = where(_raw(result) == 0, zeros_like(result) + 1, result)
    scale = mask(_raw(result) != 0, result) * (grad / safe ** (ord - 1))
    if ord < 2:
        return sign(self) * size ** (ord - 1) * scale
    return self * size ** (ord - 2) * scale


def pow_backward_exponent(grad, self, exponent, result):
    """d/d exponent of self ** exponent; 0 where self == 0 and exponent >= 0 (torch's
    ``grad * where(cond, 0, result * log(self))``)."""
    base = self if not isinstance(self, int | float) else _const(np.asarray(self), result)
    zero_base = (_raw(base) == 0) & (_raw(exponent) >= 0)
    return grad * where(zero_base, zeros_like(result), result * log(base))


def rpow_backward(grad, base, exponent, result):
    """d/d exponent of ``number ** exponent``: ``grad * (result * log(number))`` (torch's
    pow_backward_exponent with a Scalar base, MulBackward1 then MulBackward0); a base of 0
    gives 0 where the exponent is >= 0."""
    if base == 0:
        zero = _raw(exponent) >= 0
        return grad * where(zero, zeros_like(result), scale(result, float("-inf")))
    return grad * scale(result, float(np.log(base)))


def minmax_backward(grad, self, other, pick_self):
    """maximum/minimum: the gradient goes to the winner, split on ties."""
    a, b = _raw(self), _raw(other)
    winner = (a > b) if pick_self == "max" else (a < b)
    share = mask(winner, grad) + mask(a == b, grad) * 0.5
    return _zero_outside(grad * share, winner | (a == b))


def clamp_backward(grad, self, min, max):
    inside = np.ones(np.shape(_raw(self)), dtype=bool)
    if min is not None:
        inside &= _raw(self) >= _raw(min)
    if max is not None:
        inside &= _raw(self) <= _raw(max)
    return _zero_outside(grad * mask(inside, grad), inside)


def clamp_bound_backward(grad, self, bound, other, side):
    """clamp(self, min, max) with tensor bounds: where min > max, max wins (torch's rule)."""
    if side == "min":
        hit = _raw(self) < _raw(bound)
        if other is not None:
            hit = hit & (_raw(bound) < _raw(other))
    else:
        hit = _raw(self) > _raw(bound)
        if other is not None:
            hit = hit | (_raw(bound) < _raw(other))
    return grad * mask(hit, grad)
