"""Names a backward formula may use besides ``grad``, ``result`` and the inputs
(the neural-net ones are in ``nn_helpers``).

Every helper takes NumPy arrays (plain backward) or Tensors (``create_graph=True``,
where the helper's own work is recorded so it can be differentiated again).
"""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.formulas import sum_to  # (broadcasting is undone in autograd)
from gradviz.core.autograd.function import ROWS
from gradviz.core.autograd.record import apply_op
from gradviz.core.tensors import factories
from gradviz.core.tensors.tensor import Tensor

# the names backward formulas may use (the op table compiles them against these)
__all__ = ["sum_to", "clamp_backward", "clamp_bound_backward", "cos", "div_scalar",
           "evenly_distribute",
           "exp", "expand", "floor_divide", "index_backward", "log", "mT",
           "minmax_backward", "mm_mat1_backward", "mm_mat2_backward", "narrow",
           "norm_backward", "not_implemented", "outer", "permute_back",
           "pow_backward_exponent", "reshape", "scale", "select", "setitem_self_grad",
           "sigmoid", "sin", "sqrt", "squeeze", "std_backward", "sum_backward", "t",
           "transpose", "unsqueeze_to", "value_selecting", "var_backward", "where",
           "zeros_like"]

_ndarray = np.ndarray


def _tensor_mode(x) -> bool:
    return type(x) is not _ndarray and isinstance(x, Tensor)


def _recorded(name, *inputs, attrs=()):
    """The op table's row ``name`` applied to Tensors: recorded, as torch records it."""
    return apply_op(ROWS[name], inputs, attrs)


def scale(x, number):
    """``x * number`` with a Python number, as torch's formulas scale (MulBackward1)."""
    if _tensor_mode(x):
        return _recorded("mul_scalar", x, attrs=(number,))
    return x * number


def div_scalar(x, number):
    """``x / number`` with a Python number, as torch's formulas divide (DivBackward1)."""
    if _tensor_mode(x):
        return _recorded("div_scalar", x, attrs=(number,))
    return x / number


# ---------------------------------------------------------------- pointwise
def exp(x):
    return x.exp() if _tensor_mode(x) else np.exp(x)


def log(x):
    return x.log() if _tensor_mode(x) else np.log(x)


def sqrt(x):
    return x.sqrt() if _tensor_mode(x) else np.sqrt(x)


def sin(x):
    return x.sin() if _tensor_mode(x) else np.sin(x)


def cos(x):
    return x.cos() if _tensor_mode(x) else np.cos(x)


def sigmoid(x):
    if type(x) is _ndarray:
        return 1.0 / (1.0 + np.exp(-x))
    return x.sigmoid() if _tensor_mode(x) else 1.0 / (1.0 + np.exp(-x))


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
    return x._data if _tensor_mode(x) else np.asarray(x)


def _const(array, like):
    """A value that carries no gradient, as an array or a Tensor like ``like``."""
    if _tensor_mode(like):
        return Tensor._make(np.asarray(array, dtype=like._data.dtype))
    return np.asarray(array, dtype=like.dtype) if isinstance(like, np.ndarray) else array


def mask(condition, like):
    """A 0/1 mask (no gradient) in ``like``'s dtype."""
    return _const(np.asarray(_raw(condition), dtype=_raw(like).dtype), like)


def where(condition, a, b):
    if _tensor_mode(a) or _tensor_mode(b):
        return _recorded("where", a, b, attrs=(np.asarray(_raw(condition)),))
    return np.where(condition, a, b)


def zeros_like(x):
    return _const(np.zeros_like(_raw(x)), x)


# ---------------------------------------------------------------- shapes
def expand(g, shape):
    if type(g) is not _ndarray and _tensor_mode(g):
        return g.expand(*shape)
    out = np.empty(shape, dtype=g.dtype)  # a writable array, cheaper than broadcast_to
    out[...] = g
    return out


def reshape(g, shape):
    return g.reshape(tuple(shape))


def unsqueeze_to(g, sizes, dims=None):
    """Put back the size-1 dims a squeeze removed (all of them, or those of ``dims``): one
    UnsqueezeBackward0 each on Tensors, as torch's unsqueeze_to."""
    if not _tensor_mode(g):
        return g.reshape(tuple(sizes))
    n = len(sizes)
    if dims is None:
        dims = range(n)
    elif isinstance(dims, int):
        dims = (dims,)
    for d in sorted(d % n for d in dims) if n else ():
        if sizes[d] == 1:
            g = g.unsqueeze(d)
    return g


def _dims(dim, ndim):
    if dim is None:
        return tuple(range(ndim))
    dims = dim if isinstance(dim, tuple | list) else (dim,)
    return tuple(sorted(d % ndim if ndim else 0 for d in dims))


def unsqueeze_dims(g, dims, ndim):
    """Put back the reduced dims (sorted) so that ``g`` broadcasts against the input (one
    UnsqueezeBackward0 per dim on Tensors, as torch's unsqueeze_multiple)."""
    if _tensor_mode(g):
        for d in dims:
            g = g.unsqueeze(d)
        return g
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
    return grad.permute(*inverse) if _tensor_mode(grad) else np.transpose(grad, inverse)


def transpose(grad, dim0, dim1):
    if _tensor_mode(grad):
        return grad.transpose(dim0, dim1)
    return np.swapaxes(grad, dim0, dim1)


def t(grad):
    return grad.T if type(grad) is _ndarray or not _tensor_mode(grad) else grad.t()


def mT(x):  # noqa: N802 - torch's name
    return x.mT


def mm_mat1_backward(grad, mat2, mat1):
    """grad @ mat2^T, laid out like ``mat1`` (so a transposed weight gets a contiguous grad)."""
    if type(grad) is _ndarray:
        flags = mat1.flags
        if flags.f_contiguous and not flags.c_contiguous and mat1.ndim == 2:
            return (mat2 @ grad.T).T
        return grad @ mat2.T
    if _column_major(_raw(mat1)):  # torch's mm_mat1_backward, recorded as it records it
        return (mat2 @ grad.t()).t()
    return grad @ mat2.t()


def mm_mat2_backward(grad, mat1, mat2):
    """mat1^T @ grad, laid out like ``mat2`` (torch's mm_mat2_backward)."""
    if type(grad) is _ndarray:
        flags = mat2.flags
        if flags.f_contiguous and not flags.c_contiguous and mat2.ndim == 2:
            return (grad.T @ mat1).T
        return mat1.T @ grad
    if _column_major(_raw(mat2)):
        return (grad.t() @ mat1).t()
    return mat1.t() @ grad


def _column_major(a) -> bool:
    """torch's test in mm's derivatives: strides (1, rows), in elements."""
    return a.ndim == 2 and a.strides == (a.itemsize, a.itemsize * a.shape[0])


def outer(a, b):
    if _tensor_mode(a) or _tensor_mode(b):
        return a.unsqueeze(1) * b.unsqueeze(0)  # as torch.outer records it
    return np.multiply.outer(a, b)


def unsqueeze(g, dim):
    return g.unsqueeze(dim) if _tensor_mode(g) else np.expand_dims(g, dim)


def squeeze(g, dim):
    return g.squeeze(dim) if _tensor_mode(g) else np.squeeze(g, dim)


def scatter_into(grad, sizes, index):
    """Zeros of ``sizes`` with ``grad`` written at ``index`` (select/slice backward)."""
    if _tensor_mode(grad):
        out = factories.zeros(*sizes, dtype=grad.dtype)
        out[index] = grad
        return out
    out = np.zeros(sizes, dtype=grad.dtype)
    out[index] = grad
    return out


def index_backward(grad, sizes, indices):
    """Zeros of ``sizes`` with ``grad`` added at ``indices`` (repeats accumulate)."""
    if _tensor_mode(grad):  # torch's _index_put_impl_(zeros, indices, grad, accumulate)

        zeros = _const(np.zeros(tuple(sizes), dtype=grad._data.dtype), grad)
        return _recorded("index_put_impl", zeros, grad, attrs=(indices,))
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
def evenly_distribute(grad, self, result):
    """max()/min() over all elements: ties share the gradient equally."""
    hits = _raw(self) == _raw(result)
    if _tensor_mode(grad):  # torch's zeros_like(self).masked_fill_(hits, grad / count)
        count = Tensor._make(np.asarray(hits.sum(), dtype=grad._data.dtype))
        return zeros_like(self).masked_fill_(Tensor._make(hits), grad / count)
    m = mask(hits, self)
    return m * (grad / float(hits.sum()))


def value_selecting(grad, dim, indices, sizes, keepdim):
    """max(dim)/min(dim): the gradient goes to the selected index."""
    if not keepdim:
        grad = unsqueeze(grad, dim)
        indices = np.expand_dims(indices, dim)
    onehot = np.zeros(sizes, dtype=bool)
    np.put_along_axis(onehot, indices, True, axis=dim)
    return mask(onehot, grad) * expand(grad, sizes)


def var_backward(grad, self, dim, correction, keepdim):
    sizes = self.shape
    dims = _dims(dim, len(sizes))
    n = int(np.prod([sizes[d] for d in dims])) if sizes else 1
    if not keepdim and dim is not None:
        grad = unsqueeze_dims(grad, dims, len(sizes))
    factor = float(np.divide(2.0, max(n - correction, 0)))  # inf (so nan) with no dof, as torch
    if _tensor_mode(self):  # torch's (2 / dof) * grad * (self - self.mean(...))

        mean = self.mean() if dim is None else self.mean(dim=dims, keepdim=True)
        return scale(grad, factor) * (self - mean)
    return factor * grad * (self - np.mean(self, axis=dims, keepdims=True))


def std_backward(grad, self, result, dim, correction, keepdim):
    """var's gradient through sqrt; 0 where the std is 0 (torch masks it)."""
    zero = _raw(result) == 0
    if _tensor_mode(grad):  # torch's (grad / (result * 2)).masked_fill_(result == 0, 0)

        grad_var = (grad / scale(result, 2)).masked_fill_(Tensor._make(zero), 0)
        return var_backward(grad_var, self, dim, correction, keepdim)
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
    if ord == 2 and _tensor_mode(grad):  # torch's grad * (self / result).masked_fill_(...)
        return grad * (self / result).masked_fill_(Tensor._make(_raw(result) == 0), 0)
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
    """d/d exponent of self ** exponent; 0 where self == 0 and exponent >= 0."""
    base = self if not isinstance(self, int | float) else _const(np.asarray(self), result)
    zero_base = (_raw(base) == 0) & (_raw(exponent) >= 0)
    safe = where(zero_base, zeros_like(base) + 1, base)
    return mask(~zero_base, result) * (grad * result * log(safe))


def minmax_backward(grad, self, other, pick_self):
    """maximum/minimum: the gradient goes to the winner, split on ties."""
    a, b = _raw(self), _raw(other)
    if _tensor_mode(grad):  # torch's where(a == b, grad / 2, grad).masked_fill_(a loses, 0)

        loses = (a < b) if pick_self == "max" else (a > b)
        half = where(np.broadcast_to(a == b, grad.shape), div_scalar(grad, 2), grad)
        return half.masked_fill_(Tensor._make(np.broadcast_to(loses, grad.shape)), 0)
    winner = (a > b) if pick_self == "max" else (a < b)
    share = mask(winner, grad) + mask(a == b, grad) * 0.5
    return grad * share


def clamp_backward(grad, self, min, max):
    inside = np.ones(np.shape(_raw(self)), dtype=bool)
    if min is not None:
        inside &= _raw(self) >= _raw(min)
    if max is not None:
        inside &= _raw(self) <= _raw(max)
    if _tensor_mode(grad):  # torch's where(inside, grad, 0): WhereBackward0
        return where(inside, grad, zeros_like(grad))
    return grad * mask(inside, grad)


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
