"""The meta device: tensors with a shape and a dtype but no data, as torch's
``device="meta"`` (model sizes checked without memory, modules built before their weights
are loaded).

A meta tensor's array is a ``MetaArray``: a NumPy array whose every element is one shared
scalar (all strides zero), so it takes no memory whatever its size. NumPy's element-wise
functions, ``matmul`` and reductions on it work out the result's shape and dtype without
computing anything and give a ``MetaArray`` again; other NumPy functions run on zeros of
the same shape (up to ``MATERIALIZE_LIMIT`` elements) and give their result's shape back as
meta. Reading values fails as in torch.

    >>> x = torch.ones(1000, 1000, 1000, device="meta")
    >>> (x * 2).sum(0)
    tensor(..., device='meta', size=(1000, 1000))
"""

from __future__ import annotations

import numpy as np

__all__ = ["MATERIALIZE_LIMIT", "SEEN", "MetaArray", "meta_array", "meta_like", "meta_result"]

MATERIALIZE_LIMIT = 1 << 24  # elements: beyond this an op without a shape rule fails


SEEN = [False]  # whether any meta array was made: until then ops check nothing


def meta_result(data, arrays):
    """An op's result as a meta array when one of its inputs is one."""
    if not isinstance(data, MetaArray) and any(isinstance(a, MetaArray) for a in arrays):
        return meta_like(data)
    return data


def meta_array(shape, dtype) -> MetaArray:
    """A data-free array of ``shape`` and ``dtype``."""
    SEEN[0] = True
    shape = tuple(int(s) for s in shape)
    base = np.zeros((), dtype)
    return np.lib.stride_tricks.as_strided(base, shape, (0,) * len(shape),
                                           writeable=True).view(MetaArray)


def meta_like(array) -> MetaArray:
    a = np.asarray(array)
    return meta_array(a.shape, a.dtype)


def _plain(x):
    """A MetaArray as zeros of its shape (small ones only); anything else as it is."""
    if isinstance(x, MetaArray):
        if x.size > MATERIALIZE_LIMIT:
            raise NotImplementedError(
                f"gradviz cannot run this operation on a meta tensor of {x.size} elements: it "
                f"has no rule for the result's shape, and {x.size} zeros are too many to stand "
                "in for the data")
        return np.zeros(x.shape, x.dtype)
    if isinstance(x, list | tuple):
        return type(x)(_plain(v) for v in x)
    return x


def _as_meta(result):
    if isinstance(result, np.ndarray):
        return meta_like(result)
    if isinstance(result, tuple):
        return tuple(_as_meta(r) for r in result)
    if isinstance(result, list):
        return [_as_meta(r) for r in result]
    if isinstance(result, np.generic):
        return meta_array((), result.dtype)
    return result


def _scalar_proxy(x):
    """A 0-d stand-in with ``x``'s dtype, for working out a result's dtype."""
    if isinstance(x, np.ndarray):
        return np.zeros((), x.dtype)
    return x


def _matmul_shape(a, b):
    if len(a) == 0 or len(b) == 0:
        raise ValueError("matmul: Input operand does not have enough dimensions")
    a1, b1 = len(a) == 1, len(b) == 1
    a2 = (1,) + tuple(a) if a1 else tuple(a)
    b2 = tuple(b) + (1,) if b1 else tuple(b)
    if a2[-1] != b2[-2]:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 "
                         f"(size {b2[-2]} is different from {a2[-1]})")
    batch = np.broadcast_shapes(a2[:-2], b2[:-2])
    return batch + ((() if a1 else (a2[-2],)) + (() if b1 else (b2[-1],)))


def _reduced_shape(shape, axis, keepdims):
    n = len(shape)
    axes = range(n) if axis is None else (axis,) if isinstance(axis, int | np.integer) \
        else axis
    axes = {int(a) % n for a in axes} if n else set()
    if keepdims:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)


_REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.amax, np.amin, np.prod, np.any, np.all,
               np.var, np.std, np.argmax, np.argmin}
_VIEWS = {np.transpose, np.swapaxes, np.moveaxis, np.expand_dims, np.squeeze, np.broadcast_to,
          np.reshape, np.ravel, np.atleast_1d, np.atleast_2d, np.diagonal}


class MetaArray(np.ndarray):
    """An array with a shape and a dtype and no data (every stride zero)."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        shapes = [x.shape if isinstance(x, np.ndarray) else np.shape(x) for x in inputs]
        proxies = [_scalar_proxy(x) for x in inputs]
        if method == "__call__":
            if ufunc is np.matmul:
                shape = _matmul_shape(*shapes)
                dtype = np.result_type(*proxies)
                results = (meta_array(shape, dtype),)
            else:
                shape = np.broadcast_shapes(*shapes)
                sample = ufunc(*proxies, **kwargs)
                sample = sample if isinstance(sample, tuple) else (sample,)
                results = tuple(meta_array(shape, np.asarray(s).dtype) for s in sample)
        elif method == "reduce":
            axis = kwargs.get("axis", 0)
            keepdims = kwargs.get("keepdims", False)
            dtype = kwargs.get("dtype")
            sample = ufunc.reduce(np.zeros((1,), proxies[0].dtype), dtype=dtype)
            results = (meta_array(_reduced_shape(shapes[0], axis, keepdims),
                                  np.asarray(sample).dtype),)
        elif method == "accumulate":
            sample = ufunc.accumulate(np.zeros((1,), proxies[0].dtype),
                                      dtype=kwargs.get("dtype"))
            results = (meta_array(shapes[0], sample.dtype),)
        else:
            plain = [_plain(x) for x in inputs]
            return _as_meta(getattr(ufunc, method)(*plain, **kwargs))
        if out is not None:
            return out[0] if len(out) == 1 else out
        return results[0] if len(results) == 1 else results

    def __array_function__(self, func, types, args, kwargs):
        if func in _REDUCTIONS:
            x = args[0]
            axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
            rest = {k: v for k, v in kwargs.items() if k not in ("axis", "keepdims", "out")}
            sample = func(np.zeros((1,), x.dtype), **rest)
            return meta_array(_reduced_shape(x.shape, axis, kwargs.get("keepdims", False)),
                              np.asarray(sample).dtype)
        if func in _VIEWS:  # on the zero-strided arrays themselves: views, no memory
            def bare(v):
                return v.view(np.ndarray) if isinstance(v, MetaArray) else v
            return _as_meta(func(*[bare(a) for a in args],
                                 **{k: bare(v) for k, v in kwargs.items()}))
        return _as_meta(func(*_plain(list(args)), **{k: _plain(v) for k, v in kwargs.items()}))

    # ------------------------------------------------------------ shape-only methods
    def astype(self, dtype, *args, **kwargs):
        return meta_array(self.shape, dtype)

    def copy(self, order="C"):
        return meta_array(self.shape, self.dtype)

    def reshape(self, *shape, **kwargs):
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        flat = np.lib.stride_tricks.as_strided(np.zeros(1, self.dtype), self.shape,
                                               (0,) * self.ndim)
        return meta_array(flat.reshape(shape).shape, self.dtype)

    def __getitem__(self, key):
        out = np.ndarray.__getitem__(self.view(np.ndarray), key)
        return meta_array(np.shape(out), self.dtype)

    def __setitem__(self, key, value):
        np.ndarray.__getitem__(self.view(np.ndarray), key)  # torch's index errors still

    def fill(self, value):
        """No data to fill."""

    def __array_wrap__(self, array, context=None, return_scalar=False):
        return meta_like(array)
