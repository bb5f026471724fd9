"""Random tensors, generators and the global seed under torch's names, drawing torch's numbers.

A seeded program prints what it prints on torch's CPU (``torch_random`` reproduces
torch's generator and algorithms)::

    >>> import gradviz as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.randn(3)
    tensor([ 1.5410, -0.2934, -2.1788])
    >>> g = torch.Generator().manual_seed(42)
    >>> torch.randint(0, 10, (4,), generator=g)
    tensor([2, 7, 6, 4])

The in-place fills (``uniform_``, ``normal_``, ``random_``, ``bernoulli_``) become Tensor
methods in ``gradviz.core.methods.random``.
"""

from __future__ import annotations

import numbers

import numpy as np

from gradviz.core.autograd.grad_mode import no_grad
from gradviz.core.tensors import dtypes, torch_random
from gradviz.core.tensors.devices import check_device, into_out
from gradviz.core.tensors.dtypes import to_numpy_dtype
from gradviz.core.tensors.factories import _dt, _finish, _size, tensor_input
from gradviz.core.tensors.meta import meta_array
from gradviz.core.tensors.tensor import CPU, Tensor


class Generator(torch_random.MT19937Generator):
    """``torch.Generator``: an independent stream of torch's CPU random numbers.

        >>> g = gradviz.Generator().manual_seed(0)
        >>> gradviz.rand(2, generator=g)
        tensor([0.4963, 0.7682])
    """

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise RuntimeError(f"gradviz runs on the CPU only: no generator for device {device!r}")
        super().__init__()

    @property
    def device(self):
        return CPU

    def manual_seed(self, seed):
        if not isinstance(seed, numbers.Integral):  # torch.manual_seed takes int(seed) first
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        return super().manual_seed(seed)

    def get_state(self):
        """torch's state bytes as a ``uint8`` tensor (``set_state`` takes torch's too)."""
        return Tensor._make(super().get_state())

    def set_state(self, new_state):
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        size = new_state._data.size
        if size != torch_random.STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size "
                               f"{torch_random.STATE_SIZE} but found the input RNG state size "
                               f"to be {size}")
        return super().set_state(new_state._data)

    def __repr__(self):
        return f"<gradviz.Generator object at {id(self):#x}>"


default_generator = Generator()
default_generator.seed()  # torch seeds its default generator from the OS at start


def manual_seed(seed):
    """Seed the default generator (``torch.manual_seed``) and return it."""
    return default_generator.manual_seed(int(seed))  # int(): torch's ValueError for "a"


def seed():
    """Seed the default generator from the OS and return the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state: torch's 5056 bytes as a ``uint8`` tensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    default_generator.set_state(new_state)


def _generator(generator, func):
    if generator is None:
        return default_generator
    if not isinstance(generator, torch_random.MT19937Generator):
        raise TypeError(f"{func}(): argument 'generator' must be torch.Generator, not "
                        f"{type(generator).__name__}")
    return generator


def _type_name(np_dtype):
    return dtypes.from_numpy_dtype(np_dtype)._legacy.removesuffix("Tensor")


# ------------------------------------------------------------------ filling arrays in torch's order
def _write(arr, values):
    """Write flat ``values`` into ``arr`` in the order torch's TensorIterator walks memory."""
    if arr.flags.c_contiguous:
        arr.reshape(-1)[...] = values
        return
    axes = sorted(range(arr.ndim), key=lambda a: -abs(arr.strides[a]) if arr.shape[a] > 1 else 0)
    walk = arr.transpose(axes)
    walk[...] = values.reshape(walk.shape)


def _uniform_into(arr, low, high, gen):
    if arr.dtype.kind != "f":
        raise NotImplementedError(f'"check_uniform_bounds" not implemented for '
                                  f"'{_type_name(arr.dtype)}'")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={low:g} > to={high:g}")
    _write(arr, gen.uniform(arr.size, low, high, arr.dtype))


def _normal_into(arr, mean, std, gen, contiguous=True):
    if arr.dtype.kind != "f":
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for '
                                  f"'{_type_name(arr.dtype)}'")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    _write(arr, gen.normal(arr.size, mean, std, arr.dtype, contiguous))


def _randint_into(arr, low, high, gen):
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    _write(arr, gen.randint(arr.size, low, high).astype(arr.dtype))


# ------------------------------------------------------------------ factories
def _random_factory(func, fill):
    def factory(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
        meta = check_device(device)
        gen = _generator(generator, func)
        npdt = out._data.dtype if out is not None and dtype is None else _dt(dtype, func)
        if meta:  # no numbers drawn, as torch's meta tensors
            return _finish(meta_array(_size(size, func), npdt), requires_grad, func)
        arr = np.empty(_size(size, func), npdt)
        fill(arr, gen)
        if out is not None:  # torch's numbers written into out
            return into_out(out, arr, func, warn=False)
        return _finish(arr, requires_grad, func)

    factory.__name__ = func
    return factory


rand = _random_factory("rand", lambda arr, gen: _uniform_into(arr, 0.0, 1.0, gen))
rand.__doc__ = "Uniform values in [0, 1): ``gradviz.rand(2, 3)``, torch's numbers for a seed."
randn = _random_factory("randn", lambda arr, gen: _normal_into(arr, 0.0, 1.0, gen))
randn.__doc__ = "Standard normal values: ``gradviz.randn(2, 3)``, torch's numbers for a seed."


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False, out=None):
    """Integers in [low, high): ``gradviz.randint(0, 10, (3,))`` or ``randint(10, (3,))``."""
    if size is None and isinstance(high, list | tuple):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    for name, value in (("low", low), ("high", high)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(f"randint(): argument '{name}' must be int, not "
                            f"{type(value).__name__}")
    arr = np.empty(_size(tuple(size), "randint"), _dt(dtype, "randint", dtypes.int64))
    _randint_into(arr, int(low), int(high), _generator(generator, "randint"))
    return _finish(arr, requires_grad, "randint")


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """A random permutation of ``0..n-1`` (torch's shuffle, so torch's order for a seed)."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    perm = _generator(generator, "randperm").randperm(int(n))
    return _finish(perm.astype(_dt(dtype, "randperm", dtypes.int64)), requires_grad, "randperm")


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False, out=None):
    """N(mean, std**2) samples: numbers with a ``size``, or tensors of means and/or stds."""
    gen = _generator(generator, "normal")
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mean_t or std_t):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float)")
        arr = np.empty(_size(tuple(size), "normal"), _dt(dtype, "normal"))
        _normal_into(arr, float(mean), float(std), gen)
        return _finish(arr, requires_grad, "normal")
    if std_t and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_t and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    like = mean if mean_t else std
    m, s = (x._data if isinstance(x, Tensor) else x for x in (mean, std))
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    arr = np.empty(shape, like._data.dtype)
    # torch draws N(0, std) when only the mean is a tensor, else N(0, 1) scaled by std
    _normal_into(arr, 0.0, float(s) if not std_t else 1.0, gen)
    return Tensor._make((arr * s + m if std_t else arr + m).astype(arr.dtype))


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 draws with probabilities ``input`` (or one probability ``p``), in ``input``'s dtype."""
    arr = np.empty_like(input._data)
    _bernoulli_into(arr, input._data if p is None else p, _generator(generator, "bernoulli"))
    return Tensor._make(arr)


def _bernoulli_into(arr, p, gen):
    if isinstance(p, np.ndarray | Tensor):
        p = p._data if isinstance(p, Tensor) else p
        if p.size and ((p < 0) | (p > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                               "(Could this error message be improved?  If so, please report an "
                               "enhancement request to PyTorch.)")
        p = np.broadcast_to(p, arr.shape)
        if not arr.flags.c_contiguous:
            p = np.ascontiguousarray(p)
        _write(arr, gen.bernoulli(p).astype(arr.dtype))
        return
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    _write(arr, gen.bernoulli(float(p), arr.size).astype(arr.dtype))


def dropout_noise(shape, dtype, p, generator=None):
    """torch's dropout mask on the CPU: ``bernoulli_(1 - p)`` then divided by ``1 - p``."""
    arr = np.empty(shape, dtype)
    _bernoulli_into(arr, 1 - p, _generator(generator, "dropout"))
    return arr / arr.dtype.type(1 - p)


def _like(func, fill):
    def factory(input, *, generator=None, dtype=None, device=None, requires_grad=False,
                memory_format=None):
        tensor_input(input, func)
        d = input._data.dtype if dtype is None else to_numpy_dtype(dtype, func)
        arr = np.empty(input._data.shape, d)
        fill(arr, _generator(generator, func))
        return _finish(arr, requires_grad, func)

    factory.__name__ = func
    return factory


rand_like = _like("rand_like", lambda arr, gen: _uniform_into(arr, 0.0, 1.0, gen))
randn_like = _like("randn_like", lambda arr, gen: _normal_into(arr, 0.0, 1.0, gen))


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad=False, memory_format=None):
    if high is None:
        low, high = 0, low
    tensor_input(input, "randint_like")
    d = input._data.dtype if dtype is None else to_numpy_dtype(dtype, "randint_like")
    arr = np.empty(input._data.shape, d)
    _randint_into(arr, int(low), int(high), _generator(generator, "randint_like"))
    return _finish(arr, requires_grad, "randint_like")


# ------------------------------------------------------------------ in-place fills on Tensor
def _fill_in_place(tensor, fill):
    """Draw into an array laid out as ``tensor`` (so drawn in its memory order) and write it
    back with ``copy_`` (the version goes up; a leaf that requires grad refuses, as torch)."""
    arr = np.empty_like(tensor._data)  # order "K": the same axis order in memory
    fill(arr)
    return tensor.copy_(Tensor._make(arr))


def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    """Fill with U(from, to) in place: torch's numbers for a seed."""
    gen = _generator(generator, "uniform_")
    return _fill_in_place(self, lambda arr: _uniform_into(arr, float(from_), float(to), gen))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with N(mean, std**2) in place: torch's numbers for a seed."""
    gen = _generator(generator, "normal_")
    contiguous = self._data.flags.c_contiguous  # else torch draws one normal at a time
    return _fill_in_place(
        self, lambda arr: _normal_into(arr, float(mean), float(std), gen, contiguous))


_RANDOM_LIMITS = {"f": {2: 11, 4: 24, 8: 53}}  # floats: integers up to 2**mantissa bits


def random_(self, from_=None, to=None, *, generator=None):
    """Fill with integers: in [from, to), in [0, to) for ``random_(to)``, else 0..max."""
    gen = _generator(generator, "random_")
    if from_ is not None and to is None:
        from_, to = 0, from_
    if from_ is not None:
        return _fill_in_place(self, lambda arr: _randint_into(arr, int(from_), int(to), gen))
    d = self._data.dtype

    def fill(arr):
        if d.kind == "b":
            draws = gen.random(arr.size) & np.uint32(1)
        else:
            top = (1 << _RANDOM_LIMITS["f"][d.itemsize]) + 1 if d.kind == "f" else (
                int(np.iinfo(d).max) + 1)
            wide = d.itemsize == 8
            draws = (gen.random64(arr.size) if wide else gen.random(arr.size)) % np.uint64(top)
        _write(arr, draws.astype(d))

    return _fill_in_place(self, fill)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 draws, 1 with probability ``p`` (a number or a tensor of them)."""
    gen = _generator(generator, "bernoulli_")
    return _fill_in_place(self, lambda arr: _bernoulli_into(arr, p, gen))


def method_bernoulli(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


def init_uniform_(tensor, a, b, generator=None):
    """``nn.init.uniform_``'s fill: ``uniform_`` under ``no_grad``."""
    with no_grad():
        return uniform_(tensor, a, b, generator=generator)


def init_normal_(tensor, mean, std, generator=None):
    with no_grad():
        return normal_(tensor, mean, std, generator=generator)
