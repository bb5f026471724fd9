"""``Tensor``: a NumPy array with torch's autograd attributes.

    >>> import gradviz as torch
    >>> w = torch.ones(2, 2, requires_grad=True)
    >>> (w * 3).sum().backward()
    >>> w.grad
    tensor([[3., 3.],
            [3., 3.]])

This module, the lowest of core, holds the array side (shape, dtype, values, conversions
to Python) and imports nothing of the layers above: autograd, the op table and the
functions import ``Tensor`` from here. Its other methods (operators, math, in-place ops,
dtype conversions, the autograd attributes) live in ``gradviz.core.methods``, which binds
them last through ``register_methods``, the one place the layers above attach to Tensor.
"""

from __future__ import annotations

import numbers

import numpy as np

from gradviz.core.tensors import dtypes
from gradviz.core.tensors.meta import MetaArray
from gradviz.core.tensors.printing import format_tensor

__all__ = ["CPU", "Size", "Tensor", "device", "register_methods"]

_new = object.__new__


class device:  # noqa: N801 - torch's name
    """Where a tensor lives: always ``device(type='cpu')`` in gradviz."""

    __slots__ = ("type", "index", "_previous")

    def __init__(self, type, index=None):  # noqa: A002 - torch's argument name
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, str):
            from gradviz.core.tensors import devices

            devices.parse_device(type)
        kind, _, number = str(type).partition(":")
        self.type = kind
        self.index = int(number) if number else index

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __enter__(self):
        """``with gradviz.device("cpu"):`` factories in the block use this device (CUDA
        fails there, as in a CPU-only torch)."""
        from gradviz.core.tensors import devices

        self._previous = devices.default[0]
        devices.default[0] = self
        return self

    def __exit__(self, *exc):
        from gradviz.core.tensors import devices

        devices.default[0] = self._previous


CPU = device("cpu")
META = device("meta")


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    # slices, concatenations and repeats of a Size are Sizes, as in torch
    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    __module__ = "gradviz"  # type(t) prints <class 'gradviz.Tensor'>, as torch's torch.Tensor
    # Defaults live on the class so that making a tensor sets only what differs.
    _grad = None
    _grad_fn = None
    _requires_grad = False
    _retains_grad = False
    _hooks = None
    _acc = None
    _vbox = None  # [version]: shared with views and detached tensors
    _base = None
    _base_fn = None  # the base's grad_fn when this view was taken
    _view_version = 0  # the shared version when this view's grad_fn was made
    _nograd_view = False  # a view taken under no_grad of a tensor that requires grad
    _custom_view = None  # (several outputs?, output number): a custom Function's view output
    _inference = False  # made inside inference_mode
    _gv_id = None
    _grad_owner = None  # weakref to the leaf whose .grad this tensor is
    _retain_fn = None  # the grad_fn whose hook fills .grad (retain_grad)
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected op

    @staticmethod
    def _make(data):
        t = _new(Tensor)
        t._data = data
        return t

    # ------------------------------------------------------------ metadata
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        if not isinstance(dim, int | np.integer) or isinstance(dim, bool):
            raise TypeError(f"size(): argument 'dim' (position 1) must be int, not "
                            f"{type(dim).__name__}")
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[self._wrap_dim(dim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    @property
    def dtype(self):
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return META if isinstance(self._data, MetaArray) else CPU

    @property
    def is_meta(self) -> bool:
        return isinstance(self._data, MetaArray)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def element_size(self) -> int:
        return self._data.itemsize

    def stride(self, dim=None):
        """Steps in elements between neighbours along each dim (NumPy's strides / itemsize)."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[self._wrap_dim(dim)]

    def _wrap_dim(self, dim, extra=0):
        n = self._data.ndim + extra
        lo, hi = (-n, n - 1) if n else (-1, 0)
        if not isinstance(dim, int | np.integer) or isinstance(dim, bool):
            raise TypeError(f"dim must be an int, not {type(dim).__name__}")
        if not lo <= dim <= hi:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})"
            )
        return int(dim) % n if n else 0

    # ------------------------------------------------------------ values
    def item(self):
        if isinstance(self._data, MetaArray):
            raise RuntimeError("Tensor.item() cannot be called on meta tensors")
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        if isinstance(self._data, MetaArray):
            raise NotImplementedError("Cannot copy out of meta tensor; no data!")
        return self._data.tolist()

    def numpy(self, *, force=False):
        if type(force) is not bool:
            raise TypeError(f"numpy(): argument 'force' must be bool, not {type(force).__name__}")
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        if isinstance(self._data, MetaArray):
            raise TypeError("can't convert meta device type tensor to numpy. Use Tensor.cpu() "
                            "to copy the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        """NumPy's view of the tensor: ``numpy()``, with its refusals (a tensor that
        requires grad, the meta device), as torch's ``__array__``."""
        data = self.numpy()
        return data if dtype is None else data.astype(dtype, copy=False)

    def _scalar(self):
        if isinstance(self._data, MetaArray):
            raise RuntimeError("Tensor.item() cannot be called on meta tensors")
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __float__(self):
        if self._requires_grad:  # torch warns once per process; Python's filters decide here
            import warnings

            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead "
                          "to unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=2)
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
            )
        return bool(self._data.reshape(()).item())

    def __contains__(self, element):
        """``element in t``: equal to any element (torch's, which takes tensors and numbers)."""
        if isinstance(element, Tensor | numbers.Number):
            return bool((element == self).any().item())
        raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed "
                           f"in a {type(element)}.")

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        suffixes = []
        fn = self.grad_fn  # the property: a view whose base changed shows its new grad_fn
        if fn is not None:
            suffixes.append(f"grad_fn=<{fn.name().split('::')[-1]}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        return format_tensor(self._data, suffixes)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:  # as torch: f"{loss}" and f"{loss:.3f}" format the number
            return format(self._data.item(), spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._requires_grad))


def _rebuild(data, requires_grad):
    t = Tensor._make(data)
    t._requires_grad = requires_grad
    return t


_NOT_METHODS = {"__dict__", "__doc__", "__module__", "__qualname__", "__slots__", "__weakref__"}


def register_methods(*groups) -> None:
    """Bind the methods of ``groups`` (plain classes holding methods and properties) to
    Tensor, as if Tensor derived from them in that order: what Tensor defines itself, or an
    earlier group, wins. ``gradviz.core.methods`` calls this once, last of core.

        >>> class Doubling:
        ...     def double_it(self):
        ...         return self * 2
        >>> register_methods(Doubling)
    """
    for group in groups:
        for name, value in vars(group).items():
            if name not in _NOT_METHODS and name not in Tensor.__dict__:
                setattr(Tensor, name, value)
