"""Forwards and backward-formula names (on NumPy arrays) of the tensor ops torch code
reaches for beyond arithmetic: products (``prod``, ``cumprod``), repetition (``repeat``,
``roll``), matrix parts (``diagonal``, ``diag_embed``, ``trace``, ``tril``, ``triu``),
gathering and scattering along a dim, sorting (``sort``, ``topk``) and ``nan_to_num``."""

from __future__ import annotations

import numpy as np

__all__ = ["masked_select_backward", "nansum_backward", "rot90_backward", "take_backward",
           "cumprod_backward", "diag_embed_backward", "diagonal_backward", "finite",
           "gather_backward", "index_add_source_grad", "index_select_backward",
           "prod_backward", "repeat_backward",
           "roll_backward", "scatter_self_grad", "scatter_src_grad", "select_along_backward",
           "trace_backward", "tril", "triu"]


# ---------------------------------------------------------------- products
def _others_product(x, axis):
    """Per element, the product of the others along ``axis`` (exact with zeros)."""
    ones_shape = list(x.shape)
    ones_shape[axis] = 1
    ones = np.ones(ones_shape, x.dtype)
    left = np.concatenate([ones, np.cumprod(x, axis).take(range(x.shape[axis] - 1), axis)],
                          axis)
    flipped = np.flip(x, axis)
    right = np.concatenate([ones, np.cumprod(flipped, axis).take(range(x.shape[axis] - 1),
                                                                 axis)], axis)
    return left * np.flip(right, axis)


def prod(x, dim, keepdim):
    if dim is None:
        return np.asarray(np.prod(x))
    return np.prod(x, axis=dim, keepdims=keepdim)


def prod_backward(grad, self, dim, keepdim):
    """d/d self of a product: the gradient times the product of the other factors."""
    if self.ndim == 0:
        return grad * np.ones_like(self)
    if dim is None:
        return grad * _others_product(self.reshape(-1), 0).reshape(self.shape)
    g = grad if keepdim else np.expand_dims(grad, dim)
    return g * _others_product(self, dim)


def cumprod_backward(grad, self, dim):
    """d/d self_i of the running products: ``sum over j >= i of grad_j * prod_{k <= j,
    k != i} self_k`` (computed factor by factor, exact with zeros)."""
    if self.ndim == 0:
        return grad * np.ones_like(self)
    n = self.shape[dim]
    out = np.zeros_like(self)
    for i in range(n):
        replaced = self.copy()
        index = [slice(None)] * self.ndim
        index[dim] = i
        replaced[tuple(index)] = 1
        partial = np.cumprod(replaced, axis=dim) * grad
        index[dim] = slice(i, None)
        out[tuple(index[:dim]) + (i,)] = partial[tuple(index)].sum(axis=dim)
    return out


# ---------------------------------------------------------------- repetition
def repeat(x, repeats):
    lead = len(repeats) - x.ndim
    return np.tile(x.reshape((1,) * lead + x.shape), repeats)


def repeat_backward(grad, self_sym_sizes, repeats):
    """The gradient of every copy summed back onto the original."""
    lead = len(repeats) - len(self_sym_sizes)
    sizes = (1,) * lead + tuple(self_sym_sizes)
    split = []
    for r, s in zip(repeats, sizes, strict=True):
        split += [r, s]
    g = grad.reshape(split).sum(axis=tuple(range(0, 2 * len(sizes), 2)))
    return g.reshape(self_sym_sizes)


def roll(x, shifts, dims):
    if dims is None:
        return np.roll(x.reshape(-1), shifts).reshape(x.shape)
    return np.roll(x, shifts, dims)


def roll_backward(grad, shifts, dims):
    back = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
    return roll(grad, back, dims)


# ---------------------------------------------------------------- matrix parts
def tril(x, diagonal):
    return np.tril(x, diagonal)


def triu(x, diagonal):
    return np.triu(x, diagonal)


def diagonal(x, offset, dim1, dim2):
    return np.diagonal(x, offset, dim1, dim2).copy()


def diagonal_backward(grad, sizes, offset, dim1, dim2):
    """The gradient written back on the diagonal of zeros of the input's shape."""
    out = np.zeros(sizes, dtype=grad.dtype)
    view = np.diagonal(out, offset, dim1, dim2)
    view.setflags(write=True)
    view[...] = grad
    return out


def diag_embed(v, offset):
    return np.diag(v, offset)


def diag_embed_backward(grad, offset):
    return np.diagonal(grad, offset).copy()


def trace_backward(grad, sizes):
    out = np.zeros(sizes, dtype=grad.dtype)
    n = min(sizes)
    out[np.arange(n), np.arange(n)] = grad
    return out


# ---------------------------------------------------------------- gather and scatter
def _grid(index, dim):
    """Index arrays addressing ``index``'s positions, with ``index`` along ``dim``."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)


def gather(x, dim, index):
    return x[_grid(index, dim)]


def gather_backward(grad, sizes, dim, index):
    """Each gathered element's gradient added back where it was read."""
    out = np.zeros(sizes, dtype=grad.dtype)
    np.add.at(out, _grid(index, dim), grad)
    return out


def _part(src, index):
    return src[tuple(slice(0, n) for n in index.shape)]


def scatter(x, src, dim, index):
    out = np.array(x)
    out[_grid(index, dim)] = _part(src, index) if np.ndim(src) else src
    return out


def scatter_value(x, dim, index, value):
    return scatter(x, value, dim, index)


def scatter_add(x, src, dim, index):
    out = np.array(x)
    np.add.at(out, _grid(index, dim), _part(src, index))
    return out


def scatter_self_grad(grad, dim, index):
    """The gradient where the scatter did not overwrite the input; zero where it did."""
    out = np.array(grad)
    out[_grid(index, dim)] = 0
    return out


def scatter_src_grad(grad, src_sizes, dim, index):
    """The gradient read back at the scattered positions (zero for unused ``src``)."""
    out = np.zeros(src_sizes, dtype=grad.dtype)
    out[tuple(slice(0, n) for n in index.shape)] = grad[_grid(index, dim)]
    return out


def index_select(x, dim, index):
    return np.take(x, index, axis=dim)


def index_select_backward(grad, sizes, dim, index):
    out = np.zeros(sizes, dtype=grad.dtype)
    moved = np.moveaxis(out, dim, 0)
    np.add.at(moved, index, np.moveaxis(grad, dim, 0))
    return out


def index_add(x, source, dim, index, alpha, source_dim):
    """A copy of ``x`` with ``alpha * source`` added at ``index`` along ``dim`` (repeats add
    up), in ``x``'s dtype."""
    out = np.array(x)
    if out.ndim == 0:
        out += (source * alpha).reshape(()).astype(out.dtype)
        return out
    values = np.moveaxis((source * alpha).reshape(
        source.shape if source.ndim else (1,)).astype(out.dtype), dim, 0)
    np.add.at(np.moveaxis(out, dim, 0), index, values)
    return out


def index_add_source_grad(grad, dim, index, alpha, source_dim):
    """index_add's derivative for ``source``: the gradient at ``index`` along ``dim``, times
    ``alpha`` (torch's ``maybe_multiply(grad.index_select(dim, index), alpha)``)."""
    picked = np.take(grad, index, axis=dim) if grad.ndim else grad.reshape(1)
    if source_dim == 0:
        picked = picked.reshape(())
    return picked if alpha == 1 else picked * alpha


# ---------------------------------------------------------------- sorting
def select_along(x, dim, indices):
    return np.take_along_axis(x, indices, dim) if x.ndim else np.array(x)


def select_along_backward(grad, sizes, dim, indices):
    """The gradient of each selected value (sort, topk) put back at its index."""
    out = np.zeros(sizes, dtype=grad.dtype)
    if not out.ndim:
        return grad.reshape(sizes).copy()
    np.put_along_axis(out, indices, grad, dim)
    return out


# ---------------------------------------------------------------- nan_to_num
def nan_to_num(x, nan, posinf, neginf):
    info = np.finfo(x.dtype)
    return np.nan_to_num(x, nan=nan, posinf=info.max if posinf is None else posinf,
                         neginf=info.min if neginf is None else neginf)


def finite(self):
    """Where ``self`` is finite (nan_to_num passes the gradient only there)."""
    return np.isfinite(self)


# ---------------------------------------------------------------- picking
def masked_select_backward(grad, self, mask):
    """The selected elements' gradients put back where ``mask`` is True (summed over any
    broadcast of self, by the engine)."""
    shape = np.broadcast_shapes(self.shape, mask.shape)
    out = np.zeros(shape, grad.dtype)
    out[np.broadcast_to(mask, shape)] = grad
    return out


def take_backward(grad, self, index):
    out = np.zeros(self.size, grad.dtype)
    np.add.at(out, np.asarray(index).reshape(-1), grad.reshape(-1))
    return out.reshape(self.shape)


def nansum_backward(grad, self, dim, keepdim):
    g = grad if keepdim or dim is None else np.expand_dims(grad, dim)
    return np.where(np.isnan(self), 0, np.broadcast_to(g, self.shape)).astype(grad.dtype)


def rot90_backward(grad, k, dims):
    return np.rot90(grad, -k, dims).copy()
