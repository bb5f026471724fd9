"""Tensor factories: ``tensor``, ``ones``, ``zeros``, ``eye``, ``arange``...

The random ones (``rand``, ``randn``, ``randint``...) are in ``random_factories``.
"""

from __future__ import annotations

import builtins
import numbers
import operator
import warnings

import numpy as np

from gradviz.core.tensors import dtypes
from gradviz.core.tensors.devices import check_device, into_out
from gradviz.core.tensors.dtypes import to_numpy_dtype
from gradviz.core.tensors.meta import MetaArray, meta_array, meta_like
from gradviz.core.tensors.tensor import Tensor

_new = object.__new__
_default = dtypes.float32


def get_default_dtype():
    return _default


def set_default_dtype(d):
    global _default
    if not isinstance(d, dtypes.dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default = d


class _Making:
    """Whether tensors are being made inside ``inference_mode`` (autograd's grad_mode, a
    layer above, keeps it in step with its own state)."""

    __slots__ = ("inference",)

    def __init__(self):
        self.inference = False


making = _Making()


def _finish(data, requires_grad, func):
    t = _new(Tensor)
    t._data = data
    if making.inference:  # made inside inference_mode: an inference tensor, as torch
        t._inference = True
    if requires_grad:
        if not isinstance(requires_grad, bool):
            raise TypeError(f"{func}(): argument 'requires_grad' must be bool, not "
                            f"{type(requires_grad).__name__}")
        if data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._requires_grad = True
    return t


def _infer_dtype(data):
    """torch's rule: bools -> bool, ints -> int64, any float -> the default float dtype."""
    arr = np.asarray(data)
    if arr.dtype == np.bool_:
        return np.dtype(np.bool_)
    if arr.dtype.kind in "iu":
        return np.dtype(np.int64)
    if arr.dtype.kind == "f":
        return _default.np
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _to_array(data, dtype, func, copy=True):
    T = Tensor
    if isinstance(data, T):
        arr = data._data
        return np.array(arr, dtype=dtype or arr.dtype, copy=copy)
    if isinstance(data, np.ndarray):
        dtypes.from_numpy_dtype(data.dtype)  # torch's error for unsupported arrays
        return np.array(data, dtype=dtype, copy=copy)
    if isinstance(data, str | bytes):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if data is None or isinstance(data, dict | set):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    if isinstance(data, list | tuple) and len(data) and isinstance(data[0], np.ndarray):
        warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. Please "
                      "consider converting the list to a single numpy.ndarray with numpy.array() "
                      "before converting to a tensor.", UserWarning, stacklevel=3)
    typed = []  # NumPy scalars and arrays, tensors: their dtypes take part in the inference
    try:
        arr = np.array(_unwrap(data, typed))
    except ValueError:
        _check_nested(data)  # torch's message naming the dim and lengths
        raise
    if arr.dtype == object:
        _check_nested(data)
        for x in arr.reshape(-1):
            if not isinstance(x, numbers.Number):
                raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
        raise TypeError(f"{func}(): could not convert the data to a tensor: {data!r}")
    if arr.dtype.kind in "US":
        if isinstance(_first_path(data)[-1], str):
            raise ValueError("too many dimensions 'str'")
        raise TypeError("new(): invalid data type 'str'")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"new(): invalid data type '{arr.dtype}'")
    if dtype is None:
        dtype = _scalar_type(data) if typed else _infer_dtype(arr)
    return np.asarray(arr, dtype=dtype)


def _promote(a, b):
    """torch's promoteTypes: bool gives way, a float side wins over integers."""
    if a == b or b.kind == "b":
        return a
    if a.kind == "b":
        return b
    if (a.kind == "f") != (b.kind == "f"):
        return a if a.kind == "f" else b
    return np.promote_types(a, b)


def _scalar_type(data):
    """torch's infer_scalar_type over nested data holding NumPy scalars or arrays or
    tensors: Python numbers count as bool/int64/the default float, the others as their own
    dtype, all promoted together."""
    if isinstance(data, np.ndarray | np.generic):  # (before float: np.float64 is one)
        return data.dtype
    if isinstance(data, bool):
        return np.dtype(np.bool_)
    if isinstance(data, int):
        return np.dtype(np.int64)
    if isinstance(data, float):
        return _default.np
    if isinstance(data, Tensor):
        return data._data.dtype
    if not len(data):
        return _default.np
    out = None
    for x in data:
        kind = _scalar_type(x)
        out = kind if out is None else _promote(out, kind)
    return out


def _is_seq(x):
    return isinstance(x, list | tuple) or (isinstance(x, np.ndarray) and x.ndim > 0)


def _first_path(data):
    """``data``, ``data[0]``, ``data[0][0]``, ...: torch infers the shape along it."""
    path = [data]
    while _is_seq(path[-1]) and len(path[-1]):
        path.append(path[-1][0])
    return path


def _check_nested(data):
    """Raise torch's error for ragged nested sequences (none if ``data`` is regular)."""
    shape = [len(x) for x in _first_path(data) if _is_seq(x)]
    stack = [(data, 0)]
    while stack:
        x, dim = stack.pop()
        if dim == len(shape):
            if _is_seq(x):
                raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
            continue
        if not _is_seq(x):
            raise TypeError("not a sequence")
        if len(x) != shape[dim]:
            raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} "
                             f"(got {len(x)})")
        stack.extend((item, dim + 1) for item in reversed(x))


_PLAIN = frozenset((float, int, bool))


def _unwrap(data, typed=None):
    """Nested lists of Python scalars; tensors inside count as their one element. Tensors,
    NumPy scalars and arrays met are noted in ``typed``."""
    T = Tensor
    if isinstance(data, T):
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if typed is not None:
            typed.append(data)
        return data._data.reshape(()).item()
    if isinstance(data, list | tuple):  # (Python numbers kept without a call: the bulk)
        return [x if type(x) in _PLAIN else _unwrap(x, typed) for x in data]
    if typed is not None and isinstance(data, np.ndarray | np.generic):
        typed.append(data)
    return data


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor copying ``data`` (nested lists, scalars, arrays, tensors)."""
    if check_device(device):  # the meta device: the shape and dtype only
        return _finish(meta_like(tensor(data, dtype)._data), requires_grad, "tensor")
    np_dtype = None if dtype is None else to_numpy_dtype(dtype, "tensor")
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    return _finish(_to_array(data, np_dtype, "tensor"), requires_grad, "tensor")


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    check_device(device)
    T = Tensor
    np_dtype = None if dtype is None else to_numpy_dtype(dtype, "as_tensor")
    if isinstance(data, T) and (np_dtype is None or data._data.dtype == np_dtype):
        return data
    if isinstance(data, np.ndarray) and (np_dtype is None or data.dtype == np_dtype):
        dtypes.from_numpy_dtype(data.dtype)
        return T._make(data)
    return _finish(_to_array(data, np_dtype, "as_tensor"), False, "as_tensor")


def from_numpy(array):
    """A tensor sharing memory with ``array``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def _size(args, func):
    """The shape from ``f(2, 3)`` or ``f((2, 3))``, with torch's errors for anything else."""
    for a in args:  # the usual case: non-negative ints, given as they are
        if type(a) is not int or a < 0:
            break
    else:
        return args if type(args) is tuple else tuple(args)
    packed = len(args) == 1 and isinstance(args[0], list | tuple)
    if packed:
        args = tuple(args[0])
    shape = []
    for i, a in enumerate(args):
        if type(a) is not int:
            a = _dim_size(a, i == 0)
            if a is None:
                bad = type(args[i]).__name__
                if i:
                    raise TypeError(f"{func}(): argument 'size' failed to unpack the object at "
                                    f"pos {i + 1} with error \"type must be tuple of ints,but got "
                                    f"{bad}\"")
                if packed:
                    raise TypeError(f"{func}(): argument 'size' (position 1) must be tuple of "
                                    f"ints, but found element of type {bad} at pos 0")
                if len(args) > 1:
                    raise TypeError(f"{func}() takes 1 positional argument but {len(args)} "
                                    "were given")
                raise TypeError(f"{func}(): argument 'size' (position 1) must be tuple of ints, "
                                f"not {bad}")
        shape.append(a)
    for a in shape:
        if a < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {a}: {shape}")
    return tuple(shape)


def _dim_size(a, first):
    """``a`` as a size (ints, NumPy ints, one-element int tensors), or None."""
    if isinstance(a, bool | np.bool_):
        return None if first else int(a)  # torch: ones(True) fails, ones(2, True) works
    try:
        return operator.index(a)
    except TypeError:
        return None


def _dt(dtype, func, default=None):
    if dtype is None:
        return (default or _default).np
    return to_numpy_dtype(dtype, func)


def _filled(func, fill):
    def factory(*size, dtype=None, device=None, requires_grad=False, out=None):
        meta = check_device(device)
        try:
            shape = _size(size, func)
        except RuntimeError:
            if func == "zeros" and not meta:  # torch's zeros words it its own way
                raise RuntimeError("zeros: Dimension size must be non-negative.") from None
            raise
        if meta:
            return _finish(meta_array(shape, _dt(dtype, func)), requires_grad, func)
        if out is not None:  # written into out, in out's dtype unless one is given
            data = fill(shape, _dt(dtype, func) if dtype is not None else out._data.dtype)
            return into_out(out, data, func, warn=False)
        return _finish(fill(shape, _dt(dtype, func)), requires_grad, func)

    factory.__name__ = func
    factory.__doc__ = f"A new tensor of the given size: ``gradviz.{func}(2, 3)``."
    return factory


def _ones(shape, dtype):
    out = np.empty(shape, dtype)  # np.ones goes through two Python-level calls
    out.fill(1)
    return out


ones = _filled("ones", _ones)
zeros = _filled("zeros", np.zeros)
empty = _filled("empty", np.zeros)  # zero-filled: reproducible where torch's is garbage


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    meta = check_device(device)
    shape = _size((size,) if isinstance(size, int) else size, "full")
    if isinstance(fill_value, Tensor) and fill_value._data.size == 1:
        fill_value = fill_value.item()
    if not isinstance(fill_value, numbers.Number):
        raise TypeError(f"full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill_value).__name__}")
    if dtype is None:
        dtype = (dtypes.bool if isinstance(fill_value, bool) else dtypes.int64
                 if isinstance(fill_value, int) else _default)
    if meta:
        return _finish(meta_array(shape, _dt(dtype, "full")), requires_grad, "full")
    return _finish(np.full(shape, fill_value, _dt(dtype, "full")), requires_grad, "full")


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The identity matrix (``n`` x ``m``)."""
    check_device(device)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _finish(np.eye(n, m, dtype=_dt(dtype, "eye")), requires_grad, "eye")


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    check_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    values = (start, end, step)
    integral = builtins.all(isinstance(v, int | np.integer) for v in values)
    default = dtypes.int64 if integral else _default
    return _finish(np.arange(start, end, step).astype(_dt(dtype, "arange", default)),
                   requires_grad, "arange")


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps).astype(_dt(dtype, "linspace")), requires_grad,
                   "linspace")


def tensor_input(input, func):
    """torch's TypeError for a ``*_like`` factory given something other than a tensor."""
    if not isinstance(input, Tensor):
        kind = type(input)
        name = f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else kind.__name__
        raise TypeError(f"{func}(): argument 'input' (position 1) must be Tensor, not {name}")


def _like(fill, func):
    def factory(input, dtype=None, device=None, requires_grad=False):
        tensor_input(input, func)
        meta = check_device(device) or (device is None and isinstance(input._data, MetaArray))
        d = input._data.dtype if dtype is None else to_numpy_dtype(dtype, func)
        if meta:
            return _finish(meta_array(input._data.shape, d), requires_grad, func)
        return _finish(fill(input._data.shape, d), requires_grad, func)

    factory.__name__ = func
    return factory


ones_like = _like(_ones, "ones_like")
zeros_like = _like(np.zeros, "zeros_like")
empty_like = _like(np.zeros, "empty_like")


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    tensor_input(input, "full_like")
    d = input.dtype if dtype is None else dtype
    return _finish(np.full(input._data.shape, fill_value, to_numpy_dtype(d, "full_like")),
                   requires_grad, "full_like")


def _tensor_constructor(args):
    """``gradviz.Tensor(...)``: from data (float32) or from sizes (zeros)."""
    if len(args) == 1 and not isinstance(args[0], int):
        return _to_array(args[0], _default.np, "Tensor")
    return np.zeros(_size(args, "Tensor") if args else (0,), _default.np)
